"""Results of an import and of a file preview, for the command line and the dashboard."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

# The result lists at most this many rejections and duplicate ids; the database keeps all
# of them (tables rejected_rows and skipped_duplicates).
MAX_REPORTED_REJECTIONS = 1_000
MAX_REPORTED_DUPLICATE_IDS = 100


@dataclass
class IngestResult:
    """Counts and details of one import. rows_read = rows_loaded + rows_rejected +
    duplicates_skipped; an import of a file loaded before changes nothing."""

    file_name: str
    import_id: int | None  # None when nothing was loaded because the file was loaded before
    already_loaded: bool
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    duplicates_skipped: int
    rejections: list[dict] = field(default_factory=list)  # {"line", "column", "reason"}
    duplicate_event_ids: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)  # field -> column or "a*b"
    source_format: str = ""  # csv, text, parquet or xlsx
    encoding: str | None = None  # codec the text was decoded with; None for binary formats
    date_order: str | None = None  # "dmy" or "mdy" when day and month positions mattered
    previous_import_id: int | None = None  # the earlier import of the same bytes

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass
class FilePreview:
    """Description of a file before loading: layout, encoding, mapping and sample rows."""

    file_name: str
    source_format: str
    encoding: str | None
    encoding_warning: str | None
    layout: str  # delimited, whitespace, parquet or spreadsheet
    delimiter: str | None
    columns: list[str]
    mapping: dict[str, str]  # field -> column or "a*b"
    guessed_fields: list[str]  # fields whose column was guessed from its name
    given_fields: list[str]  # fields whose column the caller gave
    missing_fields: list[str]  # required fields with no column yet
    attributes: dict[str, str]  # column -> attribute name in events.attributes
    sample_rows: list[list[str | None]]
    rows: int  # records read, malformed ones included
    date_order: str | None  # decided by the data or given; None when it does not matter
    date_order_ambiguous: bool  # every day/month date fits both orders: ask the user
    ambiguous_date_examples: list[dict] = field(default_factory=list)  # {"line", "value"}
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)
