"""Loading event files into the store: CSV/TSV, whitespace-aligned text, Parquet and .xlsx.

``preview_file(path, IngestOptions(), settings)`` shows the layout, encoding and mapping
of a file without loading it; ``ingest_file(path, IngestOptions(mapping=...), settings)``
loads it in one transaction and returns the counts.
"""

from analytics.store.ingest.encoding import file_sha256
from analytics.store.ingest.loader import ingest_file
from analytics.store.ingest.options import FIELDS, OPTIONAL_FIELDS, REQUIRED_FIELDS, IngestOptions
from analytics.store.ingest.preview import preview_file
from analytics.store.ingest.results import FilePreview, IngestResult

__all__ = [
    "FIELDS",
    "OPTIONAL_FIELDS",
    "REQUIRED_FIELDS",
    "FilePreview",
    "IngestOptions",
    "IngestResult",
    "file_sha256",
    "ingest_file",
    "preview_file",
]
