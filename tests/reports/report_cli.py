"""Run the ``growthlens`` command line in a child process, as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys

LAUNCHER = "import sys; from analytics.cli import main; sys.exit(main())"


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``growthlens ARGS`` with this test's environment (GROWTH_HOME included)."""
    return subprocess.run(
        [sys.executable, "-c", LAUNCHER, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(os.environ),
    )


def run_json(*args: str) -> dict:
    """Run a command with ``--format json``, check it succeeded and return its JSON."""
    completed = run_cli(*args, "--format", "json")
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def start_cli(*args: str) -> subprocess.Popen:
    """Start ``growthlens ARGS`` without waiting for it."""
    return subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
