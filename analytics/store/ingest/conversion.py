"""SQL that converts every record of a file into an event row, with the first reason it is
rejected, in one pass.

Text columns are trimmed and parsed with the decisions made for the file (see
:mod:`decisions`). Typed columns (Parquet) are read in their own type. A timestamp stays an
instant, and a naive timestamp or a date is read in the dataset's time zone. A number
becomes the amount directly, and an integer id becomes its decimal text. Other typed
columns are read as their text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from analytics.dates import FIRST_SUPPORTED_DAY, LAST_SUPPORTED_DAY, SUPPORTED_RANGE_TEXT
from analytics.store.ingest import values
from analytics.store.ingest.decisions import (
    TEXT_TYPE,
    ColumnDecisions,
    amount_positions,
    text_column,
)
from analytics.store.ingest.lines import line_breaks_sql
from analytics.store.ingest.mapping import ColumnMapping
from analytics.store.ingest.reading import column_names

NON_MONETARY = ("signup", "subscription_start", "subscription_cancel")
INSTANT_TYPES = ("TIMESTAMP WITH TIME ZONE",)
NAIVE_TIME_TYPES = ("TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "DATE")
NUMBER_TYPES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
    "FLOAT",
    "DOUBLE",
)
EVENT_COLUMNS = (
    "event_id",
    "customer_id",
    "event_time",
    "event_type",
    "amount",
    "currency",
    "attributes",
)


@dataclass(frozen=True)
class ConversionInput:
    """What the conversion of one file's records depends on."""

    relation: str  # SQL after FROM giving c0, c1, ... and ``line`` when stage_line
    types: tuple[str, ...]  # DuckDB type of each column
    stage_line: bool  # keep the relation's ``line``; otherwise it follows from the rowid
    mapping: ColumnMapping
    decided: ColumnDecisions
    timezone: str  # IANA zone of naive timestamps; the session runs in it
    raw_delimiter: str  # joins a rejected record's values into its text
    count_line_breaks: bool = False  # add ``breaks``: line feeds inside the values
    # Add the columns that decisions.profile_staged reads, to check provisional decisions.
    profile_columns: bool = False


def is_number_type(type_name: str) -> bool:
    return type_name in NUMBER_TYPES or type_name.startswith("DECIMAL")


def conversion_sql(source: ConversionInput) -> str:
    """SQL for every record as a staged row: [line,] the event values that
    :func:`event_values_sql` reads, ``reject_check`` (the number of the first failing
    check, NULL when every check passes), and ``reject_column``, ``reject_reason`` and
    ``raw_text`` for rejected rows.

    Values that are the same for every row (no event id, type or currency column) are not
    staged; :func:`event_values_sql` supplies them.
    """
    mapping, types = source.mapping, source.types
    fields = mapping.fields
    positions = amount_positions(mapping)
    amounts = [
        _AmountColumn(index, position, types, source.decided)
        for index, position in enumerate(positions)
    ]
    time = _TimeColumn(fields["event_time"], types, source.decided.date_order, source.timezone)

    def text(field: str) -> str:
        return text_column(fields[field], types)

    if "event_type" in fields:
        type_text = text("event_type")
        type_value = values.event_type_sql("type_text", source.decided.event_type_spellings)
    else:
        type_text, type_value = "'purchase'", "'purchase'"
    if "currency" in fields:
        currency_text, currency = text("currency"), "upper(currency_text)"
    else:
        currency_text, currency = "NULL::VARCHAR", amounts[0].currency
    event_id = text("event_id") if "event_id" in fields else "NULL::VARCHAR"
    if len(amounts) > 1:
        amount = "TRY_CAST(amount_value_0 * amount_value_1 AS DECIMAL(18, 4))"
    else:
        amount = "amount_value_0"
    check, reject_column, reject_reason = _rejection_cases(mapping, amounts, time)

    first_level = [
        "*",
        f"{text('customer_id')} AS customer_id",
        *time.text_columns,
        f"{type_text} AS type_text",
        *[column for item in amounts for column in item.text_columns],
        f"{event_id} AS event_id",
        f"{currency_text} AS currency_text",
        f"{_attributes_sql(mapping, types)} AS attributes",
    ]
    if source.count_line_breaks:
        first_level.append(f"{line_breaks_sql(column_names(len(types)))} AS breaks")
    levels = [
        ("texts", first_level),
        ("casts", [time.part_column, *[item.cast_column for item in amounts]]),
        ("parts", [item.part_column for item in amounts]),
        (
            "converted",
            [
                f"{time.value} AS event_time",
                f"{type_value} AS type_value",
                *[f"{item.value} AS amount_value_{item.index}" for item in amounts],
                f"{currency} AS currency",
            ],
        ),
        (
            "checked",
            [
                f"CASE WHEN {amounts[0].present} IS NULL AND type_value IN {NON_MONETARY} "
                f"THEN 0::DECIMAL(18, 4) ELSE {amount} END AS amount",
                f"{check} AS reject_check",
            ],
        ),
    ]
    final = [
        *(["line"] if source.stage_line else []),
        *[column for column in _optional_columns(mapping, types) if column != "event_type"],
        *(["type_value AS event_type"] if "event_type" in fields else []),
        "customer_id",
        "event_time",
        "amount",
        "attributes",
        "reject_check",
        f"CASE WHEN reject_check IS NOT NULL THEN {reject_column} END AS reject_column",
        f"CASE WHEN reject_check IS NOT NULL THEN {reject_reason} END AS reject_reason",
        f"CASE WHEN reject_check IS NOT NULL THEN {_raw_text_sql(source)} END AS raw_text",
        *(["breaks"] if source.count_line_breaks else []),
        *(_profile_columns(mapping, types, amounts) if source.profile_columns else []),
    ]
    previous = source.relation
    ctes = []
    for name, columns in levels:
        present = [column for column in columns if column]
        if name != "texts":
            present.insert(0, "*")
        ctes.append(f"{name} AS (SELECT {', '.join(present)} FROM {previous})")
        previous = name
    return f"WITH {', '.join(ctes)} SELECT {', '.join(final)} FROM {previous}"


def _profile_columns(
    mapping: ColumnMapping, types: tuple[str, ...], amounts: list[_AmountColumn]
) -> list[str]:
    """Columns that are NULL for most rows and tell what the decisions have to know:
    day and month of day/month dates, amounts holding a comma, and event type spellings
    that are not canonical."""
    columns = []
    if types[mapping.fields["event_time"]] == TEXT_TYPE:
        columns.append(
            "CASE WHEN day_month.year <> '' THEN TRY_CAST(day_month.first AS SMALLINT) * 100 "
            "+ TRY_CAST(day_month.second AS SMALLINT) END AS day_month_code"
        )
    for item in amounts:
        if types[item.position] == TEXT_TYPE:
            columns.append(
                f"CASE WHEN contains(amount_text_{item.index}, ',') THEN true END "
                f"AS amount_comma_{item.index}"
            )
    if "event_type" in mapping.fields:
        columns.append("CASE WHEN type_value IS NULL THEN type_text END AS other_event_type")
    return columns


def event_values_sql(mapping: ColumnMapping, types: tuple[str, ...], alias: str) -> str:
    """SQL for the values of events.event_id to events.attributes, in table order, from the
    staged row ``alias``. A purchase with a negative amount becomes a refund here."""
    staged = _optional_columns(mapping, types)
    event_id = f"{alias}.event_id" if "event_id" in staged else "NULL::VARCHAR"
    event_type = f"{alias}.event_type" if "event_type" in staged else "'purchase'"
    currency = f"{alias}.currency" if "currency" in staged else "NULL::VARCHAR"
    return (
        f"{event_id}, {alias}.customer_id, {alias}.event_time, "
        f"CASE WHEN {event_type} = 'purchase' AND {alias}.amount < 0 THEN 'refund' "
        f"ELSE {event_type} END, {alias}.amount, {currency}, "
        f"CAST({alias}.attributes AS MAP(VARCHAR, VARCHAR))"
    )


def _optional_columns(mapping: ColumnMapping, types: tuple[str, ...]) -> list[str]:
    """Return the staged columns that exist only for some files."""
    columns = [field for field in ("event_id", "event_type") if field in mapping.fields]
    # Without a currency column the currency comes from symbols in a text amount.
    first_amount = amount_positions(mapping)[0]
    if "currency" in mapping.fields or not is_number_type(types[first_amount]):
        columns.append("currency")
    return columns


class _TimeColumn:
    """SQL pieces for the event time, read from text or from a typed column. ``present``
    and ``quoted`` are as in :class:`_AmountColumn`."""

    def __init__(self, position: int, types: tuple[str, ...], order: str | None, zone: str):
        self.column = f"c{position}"
        self.type = types[position]
        naive_is_utc = zone == "UTC"
        self.label = values.DATE_ORDER_LABELS.get(order or "dmy")
        if self.type in INSTANT_TYPES or self.type in NAIVE_TIME_TYPES:
            self.text_columns: list[str] = []
            self.part_column: str | None = None
            instant = self.column
            if self.type in NAIVE_TIME_TYPES:
                # TRY_CAST: a date beyond the TIMESTAMP range becomes NULL and is rejected.
                instant = _naive_instant_sql(f"TRY_CAST({self.column} AS TIMESTAMP)", naive_is_utc)
            # An infinite timestamp is no instant: it is rejected like unreadable text.
            self.value = f"CASE WHEN isfinite({self.column}) THEN {instant} END"
            self.present = self.column
            self.quoted = f"CAST({self.column} AS VARCHAR)"
            self.unreadable = "' is not a recognised date or time'"
            return
        self.text_columns = [f"{text_column(position, types)} AS time_text"]
        self.part_column = (
            f"CASE WHEN time_text IS NOT NULL AND NOT {values.is_iso_like_sql('time_text')} "
            f"THEN {values.day_month_parts_sql('time_text')} END AS day_month"
        )
        self.value = values.event_time_sql("time_text", "day_month", order, naive_is_utc)
        self.present = "time_text"
        self.quoted = "time_text"
        self.unreadable = f"""CASE
                WHEN day_month.year <> '' THEN ' is not a valid {self.label} date'
                ELSE ' is not a recognised date or time' END"""


def _naive_instant_sql(timestamp: str, naive_is_utc: bool) -> str:
    if naive_is_utc:
        # make_timestamptz skips ICU's time zone rules, which are only needed off UTC.
        return f"make_timestamptz(epoch_us({timestamp}))"
    # The session time zone is the dataset's, so the cast reads the time there.
    return f"CAST({timestamp} AS TIMESTAMPTZ)"


class _AmountColumn:
    """SQL pieces for one amount column (the amount, or quantity or unit price).
    ``present`` is NULL when the value is missing, and ``quoted`` is the text that a
    rejection reason quotes."""

    def __init__(self, index: int, position: int, types: tuple[str, ...], decided: ColumnDecisions):
        self.index = index
        self.position = position
        self.column = f"c{position}"
        self.mark = decided.decimal_marks.get(position, ".")
        text = f"amount_text_{index}"
        parts = f"amount_parts_{index}"

        if is_number_type(types[position]):
            self.text_columns: list[str] = []
            self.cast_column = None
            self.part_column = None
            self.value = f"TRY_CAST({self.column} AS DECIMAL(18, 4))"
            self.present = self.column
            self.quoted = f"CAST({self.column} AS VARCHAR)"
            self.currency = "NULL::VARCHAR"
            return

        cast = f"amount_cast_{index}"
        self.text_columns = [f"{text_column(position, types)} AS {text}"]
        split = values.amount_parts_sql(text)
        if self.mark == ".":
            # Most values are plain numbers that a cast reads, so only the others are split.
            self.cast_column = f"TRY_CAST({text} AS DECIMAL(18, 4)) AS {cast}"
            self.part_column = (
                f"CASE WHEN {cast} IS NULL AND {text} IS NOT NULL THEN {split} END AS {parts}"
            )
            self.value = f"coalesce({cast}, {values.amount_sql(parts, self.mark)})"
        else:
            self.cast_column = None
            self.part_column = f"{split} AS {parts}"
            self.value = values.amount_sql(parts, self.mark)
        self.present = text
        self.quoted = text
        self.currency = (
            f"CASE WHEN {parts} IS NOT NULL THEN {values.currency_from_amount_sql(parts)} END"
        )


def _attributes_sql(mapping: ColumnMapping, types: tuple[str, ...]) -> str:
    """SQL for the attribute values as a struct, which the final insert casts to the MAP
    of events.attributes. The struct is cheaper to stage than a MAP, and casting a struct
    builds the MAP several times faster than map(keys, values) or a MAP literal."""
    if not mapping.attributes:
        return "CAST(MAP {} AS MAP(VARCHAR, VARCHAR))"
    entries = ", ".join(
        f"{values.sql_string(name)}: {text_column(position, types)}"
        for position, name in mapping.attributes.items()
    )
    return f"{{{entries}}}"


def _raw_text_sql(source: ConversionInput) -> str:
    """SQL for a record's text as read, its values joined by the file's delimiter."""
    joined = ", ".join(
        f"coalesce({'' if kind == TEXT_TYPE else 'CAST('}c{position}"
        f"{'' if kind == TEXT_TYPE else ' AS VARCHAR)'}, '')"
        for position, kind in enumerate(source.types)
    )
    return f"concat_ws({values.sql_string(source.raw_delimiter)}, {joined})"


def _rejection_cases(
    mapping: ColumnMapping, amounts: list[_AmountColumn], time: _TimeColumn
) -> tuple[str, str, str]:
    """Return SQL for the number of the first failing check (NULL when every check passes),
    and for the column and the reason that this number stands for."""
    label = {
        field: values.sql_string(mapping.columns[position])
        for field, position in mapping.fields.items()
    }
    checks = [
        ("customer_id IS NULL", label["customer_id"], "'customer id is empty'"),
        (f"{time.present} IS NULL", label["event_time"], "'date is empty'"),
        (
            "event_time IS NULL",
            label["event_time"],
            f"'date ' || {values.reason_value(time.quoted)} || {time.unreadable}",
        ),
        (
            f"event_time < TIMESTAMPTZ '{FIRST_SUPPORTED_DAY.isoformat()} 00:00:00+00' OR "
            f"event_time >= TIMESTAMPTZ '{LAST_SUPPORTED_DAY + timedelta(days=1)} 00:00:00+00'",
            label["event_time"],
            f"'date ' || {values.reason_value(time.quoted)} || ' is outside the supported "
            f"range {SUPPORTED_RANGE_TEXT} (UTC)'",
        ),
    ]
    if "event_type" in mapping.fields:
        allowed = "signup, purchase, refund, subscription_start, subscription_cancel (or cancel)"
        checks += [
            ("type_text IS NULL", label["event_type"], "'event type is empty'"),
            (
                "type_value IS NULL",
                label["event_type"],
                f"'event type ' || {values.reason_value('type_text')} || ' is not one of "
                f"{allowed}'",
            ),
        ]
    for item in amounts:
        name = values.sql_string(mapping.columns[item.position])
        mark = "a decimal comma" if item.mark == "," else "a decimal point"
        empty = f"{item.present} IS NULL"
        if len(amounts) == 1:
            empty += f" AND type_value NOT IN {NON_MONETARY}"
        checks += [
            (empty, name, "'amount is empty'"),
            (
                f"{item.present} IS NOT NULL AND amount_value_{item.index} IS NULL",
                name,
                f"'amount ' || {values.reason_value(item.quoted)} || "
                f"' is not a number written with {mark}'",
            ),
        ]
    first_amount = values.sql_string(mapping.columns[amounts[0].position])
    checks.append(("amount IS NULL", first_amount, "'amount is out of range'"))
    check_case = " ".join(
        f"WHEN {test} THEN {number}" for number, (test, _, _) in enumerate(checks, start=1)
    )
    column_case = " ".join(
        f"WHEN {number} THEN {name}" for number, (_, name, _) in enumerate(checks, start=1)
    )
    reason_case = " ".join(
        f"WHEN {number} THEN {reason}" for number, (_, _, reason) in enumerate(checks, start=1)
    )
    return (
        f"CASE {check_case} END",
        f"CASE reject_check {column_case} END",
        f"CASE reject_check {reason_case} END",
    )
