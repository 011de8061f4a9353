"""Report e-mail through a local SMTP server (aiosmtpd on 127.0.0.1) started by each test."""

from __future__ import annotations

import email
import logging
import ssl
import subprocess
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from report_parsing import csv_rows
from report_samples import GENERATED_AT, build_partial_metrics, build_template_narrative
from smtp_support import PASSWORD, USER, Authenticator, RecordingHandler, free_port

from analytics.config import Settings
from analytics.errors import GrowthLensError, InvalidInputError
from analytics.metrics.options import MetricOptions
from analytics.reports.build import assemble_report
from analytics.reports.deliver import (
    SmtpSettings,
    build_email,
    email_subject,
    report_stem,
    send_email,
    validate_address,
    write_report_files,
)
from analytics.reports.render import render_report

SENDER = "reports@example.test"
RECIPIENT = "team@example.test"


@pytest.fixture
def smtp_server():
    """A plain SMTP server on 127.0.0.1 that accepts LOGIN/PLAIN without TLS."""
    handler, authenticator = RecordingHandler(), Authenticator()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticator,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield controller, handler, authenticator
    finally:
        controller.stop()


@pytest.fixture
def tls_smtp_server(tmp_path):
    """An SMTP server that offers STARTTLS with a self-signed certificate for 127.0.0.1
    and accepts a login only after it."""
    certificate, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(certificate), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate), str(key))
    handler, authenticator = RecordingHandler(), Authenticator()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticator,
        tls_context=context,
        require_starttls=True,
        auth_require_tls=True,
    )
    controller.start()
    try:
        yield controller, handler, certificate
    finally:
        controller.stop()


def _environment(port: int, **extra: str) -> dict[str, str]:
    values = {
        "GROWTH_SMTP_HOST": "127.0.0.1",
        "GROWTH_SMTP_PORT": str(port),
        "GROWTH_SMTP_USER": USER,
        "GROWTH_SMTP_PASSWORD": PASSWORD,
        "GROWTH_SMTP_FROM": SENDER,
    }
    values.update(extra)
    return values


def _report_message(tmp_path: Path, sender: str = SENDER):
    report = assemble_report(
        build_partial_metrics(),
        build_template_narrative(),
        Settings(home=tmp_path),
        options=MetricOptions(grain="month", window="period", segment="channel"),
        generated_at=GENERATED_AT,
    )
    rendered = render_report(report)
    files = write_report_files(rendered, tmp_path / "out", report_stem(report))
    message = build_email(report, rendered, files, sender=sender, recipients=[RECIPIENT])
    return report, rendered, files, message


def test_email_arrives_with_figures_and_csv(smtp_server, tmp_path, monkeypatch, caplog):
    controller, handler, authenticator = smtp_server
    for name, value in _environment(controller.port).items():
        monkeypatch.setenv(name, value)
    caplog.set_level(logging.DEBUG)
    report, rendered, files, message = _report_message(tmp_path)

    send_email(message, SmtpSettings.from_environment())

    assert len(handler.messages) == 1
    envelope, _ = handler.messages[0]
    assert envelope.mail_from == SENDER
    assert envelope.rcpt_tos == [RECIPIENT]
    assert authenticator.logins == [(USER, PASSWORD)]
    received = email.message_from_bytes(envelope.original_content, policy=policy.default)
    assert received["Subject"] == "GrowthLens report: February 2024 (as of 2024-03-10)"
    assert received["Subject"] == email_subject(report)
    html_body = received.get_body(preferencelist=("html",)).get_content()
    assert "<script" not in html_body
    for figure in ("100.00%", "80.00", "-100.00%"):  # CRR, revenue, change in new customers
        assert figure in html_body
    plain_body = received.get_body(preferencelist=("plain",)).get_content()
    assert "| Revenue | 80.00 | 80.00 | 0.00% |" in plain_body
    attachments = {part.get_filename(): part for part in received.iter_attachments()}
    assert set(attachments) == {files.csv.name}
    csv_text = attachments[files.csv.name].get_content()
    assert csv_text == rendered.csv
    february = [row for row in csv_rows(csv_text) if row["scope"] == "all"][1]
    assert float(february["revenue"]) == 80.0
    assert PASSWORD not in caplog.text
    assert all(PASSWORD not in str(record.args) for record in caplog.records)


def test_html_report_attached_only_on_request(tmp_path):
    report, rendered, files, default_message = _report_message(tmp_path)
    with_html = build_email(
        report, rendered, files, sender=SENDER, recipients=[RECIPIENT], attach_html=True
    )

    default_names = [part.get_filename() for part in default_message.iter_attachments()]
    assert default_names == [files.csv.name]
    attachments = {part.get_filename(): part for part in with_html.iter_attachments()}
    assert set(attachments) == {files.csv.name, files.html.name}
    assert "Plotly.newPlot" in attachments[files.html.name].get_content()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("--email-to", "Invalid e-mail address 'team' in --email-to: expected a form"),
        (None, "Invalid e-mail address 'team': expected a form"),
    ],
)
def test_invalid_address_message_names_its_source(source, expected):
    with pytest.raises(InvalidInputError) as caught:
        validate_address("team", source)
    assert str(caught.value).startswith(expected)


def test_starttls_used_when_offered(tls_smtp_server, tmp_path, monkeypatch, caplog):
    controller, handler, certificate = tls_smtp_server
    environment = _environment(controller.port, GROWTH_SMTP_CA_FILE=str(certificate))
    caplog.set_level(logging.DEBUG)
    _, _, _, message = _report_message(tmp_path)

    send_email(message, SmtpSettings.from_environment(environment))

    assert len(handler.messages) == 1
    assert handler.messages[0][1] is True  # the session was encrypted
    assert PASSWORD not in caplog.text


def test_starttls_required_but_not_offered_sends_nothing(smtp_server, tmp_path):
    controller, handler, _ = smtp_server
    smtp = SmtpSettings.from_environment(
        _environment(controller.port, GROWTH_SMTP_STARTTLS="required")
    )
    _, _, _, message = _report_message(tmp_path)
    with pytest.raises(GrowthLensError) as caught:
        send_email(message, smtp)
    assert "does not offer STARTTLS" in str(caught.value)
    assert handler.messages == []


def test_rejected_login_names_settings_not_password(smtp_server, tmp_path, caplog):
    controller, handler, _ = smtp_server
    caplog.set_level(logging.DEBUG)
    smtp = SmtpSettings.from_environment(
        _environment(controller.port, GROWTH_SMTP_PASSWORD="not-" + PASSWORD)
    )
    _, _, _, message = _report_message(tmp_path)
    with pytest.raises(GrowthLensError) as caught:
        send_email(message, smtp)
    assert "rejected the login" in str(caught.value)
    assert "GROWTH_SMTP_PASSWORD" in str(caught.value)
    assert PASSWORD not in str(caught.value)
    assert PASSWORD not in caplog.text
    assert handler.messages == []


def test_settings_repr_hides_password():
    smtp = SmtpSettings.from_environment(_environment(25))
    assert PASSWORD not in repr(smtp)


def test_missing_smtp_host_is_rejected():
    with pytest.raises(InvalidInputError) as caught:
        SmtpSettings.from_environment({})
    assert "GROWTH_SMTP_HOST" in str(caught.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GROWTH_SMTP_PORT", "twenty-five"),
        ("GROWTH_SMTP_STARTTLS", "sometimes"),
        ("GROWTH_SMTP_SSL", "maybe"),
    ],
)
def test_invalid_smtp_setting_is_rejected(name, value):
    with pytest.raises(InvalidInputError) as caught:
        SmtpSettings.from_environment(_environment(25, **{name: value}))
    assert name in str(caught.value)


@pytest.mark.parametrize(
    "address", ["team@example.test\r\nBcc: victim@example.test", "not an address", "team"]
)
def test_invalid_recipient_is_rejected(address):
    with pytest.raises(InvalidInputError):
        validate_address(address, "--email-to")


def test_credentials_need_tls_off_loopback(smtp_server, tmp_path, monkeypatch):
    controller, handler, authenticator = smtp_server
    # The server runs on 127.0.0.1; the check is told it is a remote host.
    monkeypatch.setattr("analytics.reports.deliver._is_loopback", lambda host: False)
    smtp = SmtpSettings.from_environment(_environment(controller.port))
    _, _, _, message = _report_message(tmp_path)
    with pytest.raises(GrowthLensError) as caught:
        send_email(message, smtp)
    assert "without TLS" in str(caught.value)
    assert authenticator.logins == []
    assert handler.messages == []
