"""A small load test: a few browser sessions switch the dashboard's filters at once on the
demo data, and no page shows an error. The full run is benchmarks/load_test.py."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from browser_support import REPOSITORY_ROOT, Server, start_server

from benchmarks.load_test import run_sessions, segment_values

pytestmark = pytest.mark.browser

SESSIONS = 3
SECONDS = 10


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("load_home")
    artifacts = REPOSITORY_ROOT / "tests" / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    running = start_server(home, artifacts / "load_server.log")
    try:
        yield running
    finally:
        running.stop()


def test_sessions_switch_filters_without_errors(server: Server):
    values = segment_values(server.database)
    assert values  # the demo data has channels, so segment actions are exercised

    result = asyncio.run(run_sessions(server.url, SESSIONS, SECONDS, values, server.process.pid))

    assert result.problems == []
    assert result.dialogs == []
    assert result.sessions_finished == SESSIONS
    assert len(result.first_loads) == SESSIONS
    assert result.actions >= SESSIONS  # every session changed a filter at least once
    assert result.first_load_cpu is not None
    assert result.first_load_cpu.server > 0  # the server's process tree was found
    assert result.first_load_cpu.browser > 0
