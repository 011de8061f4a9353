"""Files uploaded in the browser: size checks, where they are kept, and the choices
the Upload page turns into ingest options."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from analytics.config import Settings
from analytics.errors import GrowthLensError, InvalidInputError
from analytics.store import connect, ensure_database
from analytics.store.ingest import IngestOptions, IngestResult, file_sha256, ingest_file
from analytics.store.ingest.options import FIELDS, REQUIRED_FIELDS
from analytics.store.ingest.results import MAX_REPORTED_DUPLICATE_IDS
from dashboard.data import DataSet, read_duplicate_ids, read_import_record

logger = logging.getLogger(__name__)

UPLOADS_FOLDER_NAME = "uploads"
PRODUCT_SEPARATOR = "*"  # amount mapped as quantity*unit_price
MAX_FILE_NAME_CHARS = 200
STALE_UPLOAD_SECONDS = 24 * 3600


@dataclass(frozen=True)
class MappingChoice:
    """The mapping widgets' values: field -> column ("" = not mapped), and the two
    columns multiplied when the amount is quantity × unit price."""

    columns: dict[str, str]
    amount_is_product: bool = False
    quantity_column: str = ""
    unit_price_column: str = ""

    def to_mapping(self) -> dict[str, str]:
        """Return the ``IngestOptions.mapping`` for these choices; every field is given."""
        mapping = {field: self.columns.get(field, "") for field in FIELDS}
        if self.amount_is_product:
            # Until both columns are chosen the amount stays unmapped, so a preview works.
            both = self.quantity_column and self.unit_price_column
            product = f"{self.quantity_column}{PRODUCT_SEPARATOR}{self.unit_price_column}"
            mapping["amount"] = product if both else ""
        return mapping

    def to_preview_mapping(self) -> dict[str, str]:
        """Return the mapping for a preview: required fields not yet chosen are left out,
        because the ingest rejects a required field mapped to nothing."""
        mapping = self.to_mapping()
        return {
            field: column
            for field, column in mapping.items()
            if column or field not in REQUIRED_FIELDS
        }

    def problems(self) -> list[str]:
        """Return what keeps these choices from being loaded, one sentence each."""
        problems = []
        for field in REQUIRED_FIELDS:
            if field == "amount" and self.amount_is_product:
                if not self.quantity_column or not self.unit_price_column:
                    problems.append("Choose both the quantity and the unit price columns.")
                continue
            if not self.columns.get(field):
                problems.append(f"Choose the column for {field}.")
        used = [column for column in self.to_mapping().values() if column]
        for column in sorted({column for column in used if used.count(column) > 1}):
            problems.append(f"Column '{column}' is mapped to more than one field.")
        return problems


@dataclass(frozen=True)
class Outcome:
    """The result of one load request of the Upload page."""

    file_id: str  # the uploaded file it belongs to
    dataset: DataSet  # where the file was to be loaded
    result: IngestResult | None = None
    error: str | None = None  # the message shown when nothing was loaded
    # True when a scratch data set made earlier from the same bytes and options is shown
    # instead of loading the file again. ``result`` then comes from that import log.
    reused: bool = False

    @property
    def loaded_events(self) -> bool:
        return self.result is not None and self.result.rows_loaded > 0


def error_message(error: InvalidInputError) -> str:
    """Return the error's sentence, with its line and column when the text lacks them."""
    message = str(error)
    where = []
    if error.line is not None and f"line {error.line}" not in message:
        where.append(f"line {error.line}")
    if error.column and error.column not in message:
        where.append(f"column '{error.column}'")
    return f"{message} ({', '.join(where)})" if where else message


def upload_fingerprint(file_hash: str, options: IngestOptions) -> str:
    """Return a hex digest of a file's bytes and the options it is loaded with.

    The same file loaded with another mapping, date order, encoding or time zone gives
    other data, so it gets another fingerprint, and so another scratch data set.
    """
    canonical = json.dumps(
        {
            "content": file_hash,
            "mapping": dict(sorted(options.mapping.items())),
            "date_order": options.date_order,
            "encoding": options.encoding,
            "timezone": options.timezone,
        },
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def load_file(
    path: Path,
    file_id: str,
    options: IngestOptions,
    settings: Settings,
    dataset: DataSet,
    progress: Callable[[str, float], None] | None = None,
    file_hash: str | None = None,
) -> Outcome:
    """Load a saved upload into ``dataset`` and return what happened.

    An import is one transaction, so a rejected file leaves the workspace as it was. A
    scratch data set is never replaced. One that contains the same bytes is shown as it
    is, and one that contains other data is left alone with a message. ``file_hash`` is
    the file's :func:`~analytics.store.ingest.file_sha256`, computed here when not given.
    """
    if dataset.is_workspace:
        return _ingest(path, file_id, options, settings, dataset, progress)
    file_hash = file_hash or file_sha256(path)
    reused = _reuse_scratch(file_id, dataset, file_hash)
    if reused is not None:
        return reused
    if dataset.path.exists():
        return Outcome(file_id, dataset, error=_name_taken_message(dataset))
    return _load_scratch(path, file_id, options, settings, dataset, progress, file_hash)


def _ingest(
    path: Path,
    file_id: str,
    options: IngestOptions,
    settings: Settings,
    dataset: DataSet,
    progress: Callable[[str, float], None] | None,
    database: Path | None = None,
) -> Outcome:
    """Run the ingest into ``database`` (default: the data set's file)."""
    target = settings.replace(database=database or dataset.path)
    try:
        result = ingest_file(path, options, target, progress)
    except InvalidInputError as error:
        return Outcome(file_id, dataset, error=error_message(error))
    except GrowthLensError as error:
        return Outcome(file_id, dataset, error=str(error))
    return Outcome(file_id, dataset, result=result)


def _load_scratch(
    path: Path,
    file_id: str,
    options: IngestOptions,
    settings: Settings,
    dataset: DataSet,
    progress: Callable[[str, float], None] | None,
    file_hash: str,
) -> Outcome:
    """Load into a new database beside the scratch data set, then give it the data set's
    name only if no other session has taken that name meanwhile."""
    staging = dataset.path.with_name(f".{dataset.path.stem}-{uuid.uuid4().hex}.duckdb")
    try:
        ensure_database(staging)
        outcome = _ingest(path, file_id, options, settings, dataset, progress, staging)
        if not outcome.loaded_events:
            return outcome
        with connect(staging) as connection:
            # Move every change into the main file, because the link below covers only
            # that file and not its WAL.
            connection.execute("CHECKPOINT")
        try:
            # Raises FileExistsError when the name exists, so a data set is never replaced.
            os.link(staging, dataset.path)
        except FileExistsError:
            return _reuse_scratch(file_id, dataset, file_hash) or Outcome(
                file_id, dataset, error=_name_taken_message(dataset)
            )
        logger.info("scratch data set %s created from %s", dataset.scratch_name, path.name)
        return outcome
    finally:
        remove_database(staging)


def _reuse_scratch(file_id: str, dataset: DataSet, file_hash: str) -> Outcome | None:
    """Return the outcome of showing an existing scratch data set that loaded the same
    bytes, or None when there is no such data set.

    A file under the data set's name that is not a GrowthLens database counts as no such
    data set. The caller then reports the name as taken and loads nothing.
    """
    try:
        record = read_import_record(dataset.path, file_hash)
    except InvalidInputError as error:
        logger.warning("scratch data set %s is unreadable: %s", dataset.scratch_name, error)
        return None
    if record is None:
        return None
    duplicate_ids, _ = read_duplicate_ids(
        dataset.path, record["import_id"], MAX_REPORTED_DUPLICATE_IDS
    )
    options = record["options"]
    result = IngestResult(
        file_name=record["file_name"],
        import_id=record["import_id"],
        already_loaded=False,
        rows_read=record["rows_read"],
        rows_loaded=record["rows_loaded"],
        rows_rejected=record["rows_rejected"],
        duplicates_skipped=record["duplicates_skipped"],
        duplicate_event_ids=duplicate_ids,
        warnings=list(record["warnings"]),
        mapping=dict(options.get("mapping") or {}),
        source_format=record["source_format"],
        encoding=options.get("encoding"),
        date_order=options.get("date_order"),
    )
    return Outcome(file_id, dataset, result=result, reused=True)


def _name_taken_message(dataset: DataSet) -> str:
    return (
        f"A data set named '{dataset.scratch_name}' already exists with other data, so "
        "it was not replaced and nothing was loaded. Rename the file and upload it again."
    )


def split_product(mapped: str) -> tuple[str, str] | None:
    """Return (quantity, unit price) of an amount mapped as ``a*b``, else None."""
    if PRODUCT_SEPARATOR not in mapped:
        return None
    left, right = mapped.split(PRODUCT_SEPARATOR, 1)
    return left.strip(), right.strip()


def size_problem(file_name: str, size: int, max_bytes: int) -> str | None:
    """Return why a file of ``size`` bytes cannot be loaded, or None when it can."""
    if size == 0:
        return f"'{file_name}' is empty (0 bytes): there is nothing to load."
    if size > max_bytes:
        return (
            f"'{file_name}' is {_size_text(size)}, more than the upload limit of "
            f"{_size_text(max_bytes)} (setting limits.max_upload_bytes). Nothing was loaded."
        )
    return None


def safe_file_name(name: str) -> str:
    """Return the base name of an uploaded file, safe to use inside the uploads folder."""
    base = Path(name.replace("\\", "/")).name.strip()
    base = "".join(character for character in base if character.isprintable())
    if base in ("", ".", ".."):
        return "upload"
    return base[-MAX_FILE_NAME_CHARS:]


def new_upload_folder(settings: Settings) -> Path:
    """Create and return an empty folder for one uploaded file."""
    folder = settings.home / UPLOADS_FOLDER_NAME / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=False)
    return folder


def prune_uploads(settings: Settings, max_age_seconds: float = STALE_UPLOAD_SECONDS) -> None:
    """Delete upload folders older than ``max_age_seconds``, left by ended sessions."""
    root = settings.home / UPLOADS_FOLDER_NAME
    if not root.is_dir():
        return
    cutoff = time.time() - max_age_seconds
    for folder in root.iterdir():
        try:
            stale = folder.is_dir() and folder.stat().st_mtime < cutoff
        except FileNotFoundError:
            continue  # another session removed it meanwhile
        if stale:
            logger.info("removing stale upload folder %s", folder)
            shutil.rmtree(folder, ignore_errors=True)


def save_upload(settings: Settings, file_name: str, content: bytes) -> Path:
    """Write an uploaded file into a new folder under GROWTH_HOME and return its path.

    Folders of uploads older than a day are deleted first: a session that ends keeps
    its file on disk, because Streamlit gives no signal when a session closes.
    """
    prune_uploads(settings)
    path = new_upload_folder(settings) / safe_file_name(file_name)
    path.write_bytes(content)
    return path


def discard_upload(path: Path | None) -> None:
    """Delete a saved upload and its folder; a missing one is ignored."""
    if path is None:
        return
    shutil.rmtree(path.parent, ignore_errors=True)


def remove_database(path: Path) -> None:
    """Delete a scratch database file and its write-ahead log, if present."""
    for candidate in (path, path.with_name(path.name + ".wal")):
        candidate.unlink(missing_ok=True)


def _size_text(size: int) -> str:
    if size < 1024:
        return f"{size:,} bytes"
    if size < 1024**2:
        return f"{size / 1024:,.1f} KB"
    return f"{size / 1024**2:,.1f} MB"
