"""Starting one measurement in a fresh process and measuring its wall time and peak memory.

Peak memory is the child's maximum resident set size as the kernel reports it to
``os.wait4`` for that one child (``ru_maxrss``), so runs never mix. Linux carries the
parent's high-water mark into a child started with vfork, as CPython's subprocess does,
so the parent stays small (standard library only, about 20 MB): that is the floor of
every figure.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.layout import LOGS_DIR, REPOSITORY_ROOT, RUNS_DIR


class ChildFailedError(RuntimeError):
    """A child process exited with an error or ran past its time limit."""


@dataclass
class ChildRun:
    """One finished child process: what it measured and what the kernel measured of it."""

    task: str
    wall_seconds: float  # the whole process, interpreter start-up and imports included
    peak_rss_bytes: int
    cpu_seconds: float  # user + system time of the child
    load_before: float  # 1-minute load average of the machine when the child started
    result: dict = field(default_factory=dict)  # what the child wrote: seconds, rows, answer

    @property
    def seconds(self) -> float:
        """Seconds of the measured work, as timed inside the child."""
        return float(self.result.get("seconds", self.wall_seconds))

    def to_dict(self) -> dict:
        return {
            "task": self.task,
            "wall_seconds": self.wall_seconds,
            "peak_rss_bytes": self.peak_rss_bytes,
            "cpu_seconds": self.cpu_seconds,
            "load_before": self.load_before,
            "result": self.result,
        }


def run_child(
    task: str,
    arguments: list[str],
    *,
    run_name: str,
    timeout_seconds: float,
    environment: dict[str, str] | None = None,
) -> ChildRun:
    """Run ``python -m benchmarks.child TASK ARGUMENTS`` and measure it.

    The child's output goes to ``benchmarks/work/logs/RUN_NAME.log``. Raises
    ChildFailedError, naming that log, when the child fails or times out.
    """
    RUNS_DIR.mkdir(parents=True, exist_ok=True)
    LOGS_DIR.mkdir(parents=True, exist_ok=True)
    result_file = RUNS_DIR / f"{run_name}.json"
    log_file = LOGS_DIR / f"{run_name}.log"
    result_file.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "benchmarks.child",
        task,
        *arguments,
        "--out",
        str(result_file),
    ]
    child_environment = dict(os.environ)
    child_environment.update(environment or {})

    load_before = os.getloadavg()[0]
    with log_file.open("wb") as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=REPOSITORY_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=child_environment,
            start_new_session=True,
        )
        timed_out = threading.Event()
        timer = threading.Timer(timeout_seconds, _stop_group, [process.pid, timed_out])
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        wall_seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)

    if timed_out.is_set():
        raise ChildFailedError(
            f"{task} ran past its limit of {timeout_seconds:.0f} s and was stopped; see {log_file}."
        )
    if process.returncode != 0:
        raise ChildFailedError(
            f"{task} failed with exit status {process.returncode}; see {log_file}:\n"
            + _tail(log_file)
        )
    return ChildRun(
        task=task,
        wall_seconds=wall_seconds,
        peak_rss_bytes=usage.ru_maxrss * 1024,  # Linux reports kilobytes
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        load_before=load_before,
        result=json.loads(result_file.read_text(encoding="utf-8")),
    )


def _stop_group(pid: int, timed_out: threading.Event) -> None:
    timed_out.set()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)  # the child leads its own process group


def _tail(path: Path, lines: int = 15) -> str:
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(text[-lines:])
