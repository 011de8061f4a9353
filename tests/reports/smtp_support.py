"""A local SMTP server's parts for tests: a recording handler, a login checker, a port."""

from __future__ import annotations

import socket

from aiosmtpd.smtp import AuthResult, LoginPassword

USER = "reports-bot"
PASSWORD = "pa55-Wr0ng-if-Logged-7731"


class RecordingHandler:
    """Keeps every message the server accepts, with whether its session used TLS."""

    def __init__(self) -> None:
        self.messages: list[tuple[object, bool]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope, session.ssl is not None))
        return "250 Message accepted for delivery"


class Authenticator:
    """Accepts USER with PASSWORD and records every login attempt."""

    def __init__(self) -> None:
        self.logins: list[tuple[str, str]] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.logins.append((login, password))
        return AuthResult(success=login == USER and password == PASSWORD, handled=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
