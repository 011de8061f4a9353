"""A look at the first records of a delimited file, to predict whether its columns need
decisions that only a scan of the whole file can make."""

from __future__ import annotations

import csv
import io
import re

from analytics.store.ingest.mapping import ColumnMapping
from analytics.store.ingest.options import IngestOptions
from analytics.store.ingest.reading import RecordSource
from analytics.store.ingest.sources import SAMPLE_BYTES, SNIFF_RECORDS, Source
from analytics.store.ingest.values import DAY_MONTH_PATTERN
from analytics.store.migrations import EVENT_TYPES

_DAY_MONTH = re.compile(DAY_MONTH_PATTERN)


def plain_sample(
    source: Source, records: RecordSource, mapping: ColumnMapping, options: IngestOptions
) -> bool:
    """Tell whether the first records of a delimited file read the same under provisional
    decisions as under any decision: no day/month date unless the date order is given, no
    comma in an amount, and only canonical event type names. False for other formats, for
    an incomplete mapping and for a sample without a complete record."""
    if records.has_line or mapping.missing_required():
        return False

    with source.read_path.open("rb") as stream:
        head = stream.read(SAMPLE_BYTES)
    if len(head) == SAMPLE_BYTES:
        head = head[: head.rfind(b"\n") + 1]
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=source.layout.delimiter)
    next(reader, None)

    width = len(records.columns)
    time_position = mapping.fields["event_time"]
    amount_positions = (
        list(mapping.amount_product) if mapping.amount_product else [mapping.fields["amount"]]
    )
    type_position = mapping.fields.get("event_type")

    complete = 0
    try:
        for record in reader:
            if len(record) != width:
                continue
            complete += 1
            moment = record[time_position].strip()
            if options.date_order is None and _DAY_MONTH.match(moment):
                return False
            if any("," in record[position] for position in amount_positions):
                return False
            if type_position is not None:
                spelling = record[type_position].strip()
                if spelling and spelling not in EVENT_TYPES:
                    return False
            if complete >= SNIFF_RECORDS:
                break
    except csv.Error:
        return False
    return complete > 0
