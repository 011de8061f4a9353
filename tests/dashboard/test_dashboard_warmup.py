"""The start-up warm-up is best effort: a missing server never makes it fail."""

from __future__ import annotations

import socket

from dashboard import warmup


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens once the probe is closed


def test_wait_gives_up_without_a_server():
    assert warmup.wait_for_server(closed_port_url(), timeout=0.5) is False


def test_warm_up_without_a_server_reports_failure():
    assert warmup.warm_up(closed_port_url(), startup_timeout=0.5) is False


def test_main_without_an_address_exits_zero(capsys):
    assert warmup.main(["warmup"]) == 0
    assert "usage" in capsys.readouterr().err
