"""Deliver rendered reports: into a folder, all or nothing, and by SMTP e-mail.

Files are written under temporary names in the target folder and renamed into place, so
a reader of the folder never finds a half-written report. SMTP settings come from
environment variables; the password is never logged.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from analytics.errors import GrowthLensError, InvalidInputError
from analytics.reports.model import Report
from analytics.reports.render import RenderedReport
from analytics.wording import count_phrase

logger = logging.getLogger(__name__)

FILE_STEM_PREFIX = "growthlens-report"
TEMPORARY_SUFFIX = ".tmp"
DEFAULT_SMTP_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class ReportFiles:
    """Paths of the three files of one report."""

    html: Path
    markdown: Path
    csv: Path


def report_stem(report: Report) -> str:
    """Return the file name stem of a report: its as-of date and generation time (UTC),
    so reports sort by time and a later run never overwrites an earlier one."""
    generated = report.generated_at.strftime("%Y%m%dT%H%M%SZ")
    as_of = re.sub(r"[^0-9A-Za-z-]", "", report.as_of) or "unknown"
    return f"{FILE_STEM_PREFIX}-{as_of}-{generated}"


def write_report_files(rendered: RenderedReport, out_dir: Path, stem: str) -> ReportFiles:
    """Write the HTML, Markdown and CSV of a report into ``out_dir`` as ``stem.*``.

    All three are written to temporary files first and renamed only when every one is
    complete. On any failure the files of this call are removed, so nothing is left behind.
    An existing report with the same stem gets a numbered stem instead of being replaced.
    """
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InvalidInputError(
            f"Failed to create the report folder '{out_dir}': {error.strerror or error}. Give "
            "--out a folder this user can write."
        ) from error
    stem = _free_stem(out_dir, stem)
    targets = ReportFiles(
        html=out_dir / f"{stem}.html",
        markdown=out_dir / f"{stem}.md",
        csv=out_dir / f"{stem}.csv",
    )
    contents = (
        (targets.html, rendered.html),
        (targets.markdown, rendered.markdown),
        (targets.csv, rendered.csv),
    )
    temporaries: list[tuple[Path, Path]] = []
    renamed: list[Path] = []
    try:
        for target, text in contents:
            temporary = _write_temporary(target, text)
            temporaries.append((temporary, target))
        for temporary, target in temporaries:
            os.replace(temporary, target)
            renamed.append(target)
    except BaseException as error:
        for temporary, _ in temporaries:
            temporary.unlink(missing_ok=True)
        for target in renamed:
            target.unlink(missing_ok=True)
        logger.error("Writing the report into %s failed; no file was left: %s", out_dir, error)
        if isinstance(error, OSError):
            raise GrowthLensError(f"Cannot write report into '{out_dir}': {error}") from error
        raise
    return targets


def _free_stem(out_dir: Path, stem: str) -> str:
    candidate, number = stem, 1
    while any((out_dir / f"{candidate}{suffix}").exists() for suffix in (".html", ".md", ".csv")):
        number += 1
        candidate = f"{stem}-{number}"
    return candidate


def _write_temporary(target: Path, text: str) -> Path:
    """Write ``text`` to a new hidden file beside ``target`` and flush it to disk."""
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}{TEMPORARY_SUFFIX}")
    # O_EXCL: never write through an existing file or link; 0o666 lets the umask decide.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the mail server; read from GROWTH_SMTP_* environment variables."""

    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: str = "auto"  # "auto": when the server offers it; "required"; "never"
    implicit_tls: bool = False  # TLS from the first byte (usually port 465)
    timeout: float = DEFAULT_SMTP_TIMEOUT_SECONDS
    ca_file: Path | None = None  # certificates to trust besides the system's, for a private CA

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> SmtpSettings:
        """Read GROWTH_SMTP_HOST, _PORT, _USER, _PASSWORD, _FROM, _STARTTLS (auto, required
        or never; true and false are read as required and never), _SSL, _TIMEOUT (seconds)
        and _CA_FILE."""
        environ = os.environ if environ is None else environ
        host = environ.get("GROWTH_SMTP_HOST", "").strip()
        if not host:
            raise InvalidInputError(
                "E-mail delivery needs an SMTP server: set GROWTH_SMTP_HOST (and "
                "GROWTH_SMTP_PORT, GROWTH_SMTP_USER, GROWTH_SMTP_PASSWORD, GROWTH_SMTP_FROM)."
            )
        implicit_tls = _flag(environ, "GROWTH_SMTP_SSL", False)
        starttls = _starttls_mode(environ.get("GROWTH_SMTP_STARTTLS", "auto"))
        if implicit_tls:
            default_port = 465
        elif starttls == "required":
            default_port = 587
        else:
            default_port = 25
        port = _number(environ, "GROWTH_SMTP_PORT", default_port, int)
        user = environ.get("GROWTH_SMTP_USER") or None
        sender = environ.get("GROWTH_SMTP_FROM") or user or f"growthlens@{host}"
        validate_address(sender, "GROWTH_SMTP_FROM")
        return cls(
            host=host,
            port=port,
            sender=sender,
            user=user,
            password=environ.get("GROWTH_SMTP_PASSWORD") or None,
            starttls=starttls,
            implicit_tls=implicit_tls,
            timeout=_number(environ, "GROWTH_SMTP_TIMEOUT", DEFAULT_SMTP_TIMEOUT_SECONDS, float),
            ca_file=_ca_file(environ.get("GROWTH_SMTP_CA_FILE")),
        )


def validate_address(address: str, source: str | None = None) -> str:
    """Return ``address`` without surrounding whitespace, or raise InvalidInputError unless
    it is one plain e-mail address.

    ``source`` is the option or variable the address came from, such as ``--email-to``,
    and the error message names it.
    """
    where = f" in {source}" if source else ""
    if not isinstance(address, str) or any(c in address for c in "\r\n\0"):
        raise InvalidInputError(
            f"Invalid e-mail address {address!r}{where}: it contains a line break or a NUL "
            "character."
        )
    expected = (
        f"Invalid e-mail address {address!r}{where}: expected a form such as name@example.com."
    )
    try:
        Address(addr_spec=address.strip())
    except (ValueError, IndexError) as error:
        raise InvalidInputError(expected) from error
    if "@" not in address:
        raise InvalidInputError(expected)
    return address.strip()


def build_email(
    report: Report,
    rendered: RenderedReport,
    files: ReportFiles,
    *,
    sender: str,
    recipients: list[str],
    attach_html: bool = False,
    now: datetime | None = None,
) -> EmailMessage:
    """Return the report e-mail: a plain-text and an HTML body, the metrics CSV attached
    and, with ``attach_html``, the full HTML report with its charts (several MB, because
    it embeds plotly.js)."""
    message = EmailMessage()
    message["Subject"] = email_subject(report)
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate((now or report.generated_at).timestamp(), localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1] or None)
    message.set_content(rendered.markdown)
    message.add_alternative(rendered.email_html, subtype="html")
    message.add_attachment(
        rendered.csv.encode("utf-8"), maintype="text", subtype="csv", filename=files.csv.name
    )
    if attach_html:
        message.add_attachment(
            rendered.html.encode("utf-8"), maintype="text", subtype="html", filename=files.html.name
        )
    return message


def email_subject(report: Report) -> str:
    """Return the subject line: the report's title and its as-of date, on one line."""
    subject = f"{report.title} (as of {report.as_of})"
    return " ".join(subject.split())


def send_email(message: EmailMessage, smtp: SmtpSettings) -> None:
    """Send ``message`` through the server in ``smtp``.

    STARTTLS is used when the server offers it (``auto``) or demanded (``required``);
    login happens only over TLS unless the server is this machine's loopback address.
    """
    recipients = [address.strip() for address in str(message["To"]).split(",") if address.strip()]
    context = ssl.create_default_context()
    if smtp.ca_file is not None:
        context.load_verify_locations(cafile=str(smtp.ca_file))
    logger.info(
        "Sending report e-mail to %s through %s:%d",
        count_phrase(len(recipients), "recipient"),
        smtp.host,
        smtp.port,
    )
    try:
        if smtp.implicit_tls:
            client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        with client:
            client.ehlo()
            encrypted = smtp.implicit_tls
            if not encrypted and smtp.starttls != "never":
                if client.has_extn("starttls"):
                    client.starttls(context=context)
                    client.ehlo()
                    encrypted = True
                elif smtp.starttls == "required":
                    raise GrowthLensError(
                        f"SMTP server {smtp.host}:{smtp.port} does not offer STARTTLS, and "
                        "GROWTH_SMTP_STARTTLS requires it."
                    )
            if smtp.user:
                if not encrypted and not _is_loopback(smtp.host):
                    raise GrowthLensError(
                        f"SMTP credentials were not sent to {smtp.host}:{smtp.port} without "
                        "TLS. Use a server that offers STARTTLS or set GROWTH_SMTP_SSL=1."
                    )
                client.login(smtp.user, smtp.password or "")
            client.send_message(message, from_addr=smtp.sender, to_addrs=recipients)
    except smtplib.SMTPAuthenticationError as error:
        raise GrowthLensError(
            f"SMTP server {smtp.host}:{smtp.port} rejected the login (code {error.smtp_code}). "
            "Check GROWTH_SMTP_USER and GROWTH_SMTP_PASSWORD."
        ) from None
    except (smtplib.SMTPException, OSError) as error:
        raise GrowthLensError(
            f"Sending the report e-mail through {smtp.host}:{smtp.port} failed: "
            f"{type(error).__name__}: {error}"
        ) from error
    logger.info("Report e-mail sent to %s", count_phrase(len(recipients), "recipient"))


def _is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


def _starttls_mode(raw: str) -> str:
    value = raw.strip().lower()
    aliases = {"": "auto", "auto": "auto", "required": "required", "true": "required",
               "1": "required", "yes": "required", "never": "never", "false": "never",
               "0": "never", "no": "never"}  # fmt: skip
    if value not in aliases:
        raise InvalidInputError(
            f"Invalid GROWTH_SMTP_STARTTLS={raw!r}: expected auto, required or never."
        )
    return aliases[value]


def _ca_file(raw: str | None) -> Path | None:
    if raw is None or not raw.strip():
        return None
    path = Path(raw.strip()).expanduser()
    if not path.is_file():
        raise InvalidInputError(f"GROWTH_SMTP_CA_FILE '{path}' is not a file.")
    return path


def _flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    if raw.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if raw.strip().lower() in ("0", "false", "no", "off"):
        return False
    raise InvalidInputError(f"Invalid {name}={raw!r}: expected true or false.")


def _number(environ: Mapping[str, str], name: str, default, convert):
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = convert(raw.strip())
    except ValueError:
        raise InvalidInputError(f"Invalid {name}={raw!r}: expected a number.") from None
    if value <= 0:
        raise InvalidInputError(f"Invalid {name}={raw!r}: expected a positive number.")
    return value
