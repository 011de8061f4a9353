"""Options of one import, and the fields an event row is built from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

DATE_ORDERS = ("dmy", "mdy")

# Fields of an event that a file column can be mapped to. `event_type` is optional: a file
# without it is a transaction log whose rows are all purchases.
# Closing sentences of error messages that tell the caller which option to set. The command
# line swaps them for the flag that sets the option.
DATE_ORDER_HINT = "Give the date order: dmy (day first) or mdy (month first)."
ENCODING_HINT = "Give the file's encoding, for example cp1252 for Windows exports."
CLI_HINTS = {
    DATE_ORDER_HINT: "Pass --date-order dmy or --date-order mdy.",
    ENCODING_HINT: "Pass --encoding NAME, for example --encoding cp1252.",
}

REQUIRED_FIELDS = ("customer_id", "event_time", "amount")
OPTIONAL_FIELDS = ("event_type", "event_id", "currency")
FIELDS = ("customer_id", "event_time", "event_type", "amount", "event_id", "currency")


@dataclass(frozen=True)
class IngestOptions:
    """Choices for one import; whatever is left unset is detected from the file."""

    # field -> column name; amount may also be "quantity*unit_price"; "" leaves a field unmapped
    mapping: Mapping[str, str] = field(default_factory=dict)
    date_order: str | None = None  # "dmy" or "mdy"; None lets the data decide
    encoding: str | None = None  # codec name such as "cp1252"; None detects it
    timezone: str = "UTC"  # IANA zone in which naive timestamps are read
