"""Decisions made once per column from the whole column: decimal mark, day/month order,
and the spellings of event types.

One aggregate query (:func:`profile_records`) counts the records and gathers what every
decision needs. Only a text amount column that contains commas needs a second scan, to
tell decimal commas from thousands separators. Typed columns (Parquet) need no decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analytics.errors import AmbiguousDateOrderError, InvalidInputError
from analytics.store.ingest import values
from analytics.store.ingest.mapping import ColumnMapping
from analytics.store.ingest.options import DATE_ORDER_HINT
from analytics.store.ingest.progress import SqlRunner
from analytics.store.migrations import EVENT_TYPES
from analytics.wording import count_phrase, noun_form

MAX_EVENT_TYPE_SPELLINGS = 1_000
AMBIGUOUS_DATE_EXAMPLES = 3
TEXT_TYPE = "VARCHAR"


@dataclass(frozen=True)
class DateOrderProfile:
    """Counts over the day/month dates of a column (ISO and compact dates excluded)."""

    day_month_values: int = 0
    first_over_12: int = 0  # only day-first explains these
    second_over_12: int = 0  # only month-first explains these
    differing: int = 0  # day and month positions hold different numbers

    @property
    def is_ambiguous(self) -> bool:
        return self.differing > 0 and self.first_over_12 == 0 and self.second_over_12 == 0


@dataclass(frozen=True)
class RecordProfile:
    """Counts and spellings that one scan of the records found."""

    records: int
    date_order: DateOrderProfile  # all zero when the time column is typed or unmapped
    comma_amounts: dict[int, int]  # text amount column position -> values holding a comma
    event_types: list[str] | None  # distinct trimmed values; None without the column


@dataclass
class ColumnDecisions:
    """Decisions on reading the value columns of one file."""

    date_order: str | None = None  # None when no date needs it
    decimal_marks: dict[int, str] = field(default_factory=dict)  # column position -> "." or ","
    event_type_spellings: dict[str, str] = field(default_factory=dict)  # text -> canonical
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def provisional(cls, mapping: ColumnMapping, date_order: str | None) -> ColumnDecisions:
        """Decisions that fit most files: the given date order, decimal points and the
        canonical event type names. A file converted with them is checked afterwards
        (see :meth:`converts_like`)."""
        return cls(
            date_order=date_order,
            decimal_marks={position: "." for position in amount_positions(mapping)},
            event_type_spellings={name: name for name in EVENT_TYPES},
        )

    def converts_like(self, other: ColumnDecisions) -> bool:
        """Tell whether these decisions read every value of the profiled file as ``other``
        does. A spelling that maps to itself reads alike in either map."""
        return (
            self.date_order == other.date_order
            and self.decimal_marks == other.decimal_marks
            and all(text == name for text, name in self.event_type_spellings.items())
            and all(text == name for text, name in other.event_type_spellings.items())
        )


def text_column(position: int, types: tuple[str, ...]) -> str:
    """SQL for the trimmed text of column ``position``, whatever its type; NULL when empty."""
    name = f"c{position}"
    if types[position] == TEXT_TYPE:
        return values.text_sql(name)
    return f"CAST({name} AS VARCHAR)"


def amount_positions(mapping: ColumnMapping) -> list[int]:
    """Positions of the amount column, or of quantity and unit price (empty when unmapped)."""
    if mapping.amount_product is not None:
        return list(mapping.amount_product)
    return [mapping.fields["amount"]] if "amount" in mapping.fields else []


def is_text_time(mapping: ColumnMapping, types: tuple[str, ...]) -> bool:
    position = mapping.fields.get("event_time")
    return position is not None and types[position] == TEXT_TYPE


def profile_records(
    runner: SqlRunner,
    relation: str,
    mapping: ColumnMapping,
    types: tuple[str, ...],
    file_name: str,
) -> RecordProfile:
    """Count the records of ``relation`` and profile the text columns whose reading depends
    on the whole column, in one scan. Raise InvalidInputError when the event type column
    has more different values than an event type column can have."""
    texts = ["1 AS one"]
    derived = ["*"]
    aggregates = ["count(*)"]

    profile_dates = is_text_time(mapping, types)
    if profile_dates:
        column = f"c{mapping.fields['event_time']}"
        # ISO dates are skipped before any trimming, because most files hold nothing else.
        texts.append(
            f"CASE WHEN NOT {values.is_iso_like_sql(column)} THEN {values.text_sql(column)} "
            "END AS time_text"
        )
        derived.append(
            f"CASE WHEN time_text IS NOT NULL AND NOT {values.is_iso_like_sql('time_text')} "
            f"THEN {values.day_month_parts_sql('time_text')} END AS day_month"
        )
        first = "TRY_CAST(day_month.first AS INTEGER)"
        second = "TRY_CAST(day_month.second AS INTEGER)"
        dated = "day_month.year <> ''"
        aggregates += [
            f"count(*) FILTER (WHERE {dated})",
            f"count(*) FILTER (WHERE {dated} AND {first} > 12)",
            f"count(*) FILTER (WHERE {dated} AND {second} > 12)",
            f"count(*) FILTER (WHERE {dated} AND {first} <> {second})",
        ]

    text_amounts = [
        position for position in amount_positions(mapping) if types[position] == TEXT_TYPE
    ]
    for position in text_amounts:
        texts.append(f"c{position}")
        aggregates.append(f"count(*) FILTER (WHERE contains(c{position}, ','))")

    type_position = mapping.fields.get("event_type")
    select, group = ", ".join(aggregates), ""
    if type_position is not None:
        texts.append(f"{text_column(type_position, types)} AS type_text")
        select, group = f"type_text, {select}", " GROUP BY type_text"
    result = runner.run(
        f"SELECT {select} FROM (SELECT {', '.join(derived)} FROM "
        f"(SELECT {', '.join(texts)} FROM {relation})){group}",
        stage="reading",
    )

    rows = result.fetchmany(MAX_EVENT_TYPE_SPELLINGS + 2)
    spellings = None
    if type_position is not None:
        spellings = [row[0] for row in rows if row[0] is not None]
        _check_spelling_count(spellings, mapping, file_name)
        rows = [row[1:] for row in rows]
    totals = [sum(row[index] for row in rows) for index in range(len(aggregates))]
    date_counts = totals[1:5] if profile_dates else []
    comma_counts = totals[1 + len(date_counts) :]
    return RecordProfile(
        records=totals[0],
        date_order=DateOrderProfile(*date_counts),
        comma_amounts=dict(zip(text_amounts, comma_counts, strict=True)),
        event_types=spellings,
    )


def profile_staged(
    runner: SqlRunner, staged: str, mapping: ColumnMapping, types: tuple[str, ...], file_name: str
) -> RecordProfile:
    """Profile records from the columns that a provisional conversion adds (see
    :func:`conversion.conversion_sql`), as :func:`profile_records` does from the file."""
    aggregates = ["count(*)"]
    if is_text_time(mapping, types):
        first, second = "day_month_code // 100", "day_month_code % 100"
        aggregates += [
            "count(day_month_code)",
            f"count(*) FILTER (WHERE {first} > 12)",
            f"count(*) FILTER (WHERE {second} > 12)",
            f"count(*) FILTER (WHERE {first} <> {second})",
        ]
    text_amounts = [
        (index, position)
        for index, position in enumerate(amount_positions(mapping))
        if types[position] == TEXT_TYPE
    ]
    aggregates += [f"count(amount_comma_{index})" for index, _ in text_amounts]
    totals = runner.run(f"SELECT {', '.join(aggregates)} FROM {staged}").fetchone()
    date_counts = totals[1:5] if is_text_time(mapping, types) else []
    spellings = None
    if "event_type" in mapping.fields:
        found = runner.run(
            f"SELECT DISTINCT coalesce(other_event_type, event_type) AS spelling FROM {staged} "
            f"WHERE spelling IS NOT NULL LIMIT {MAX_EVENT_TYPE_SPELLINGS + 1}"
        ).fetchall()
        spellings = [spelling for (spelling,) in found]
        _check_spelling_count(spellings, mapping, file_name)
    return RecordProfile(
        records=totals[0],
        date_order=DateOrderProfile(*date_counts),
        comma_amounts={
            position: count
            for (_, position), count in zip(
                text_amounts, totals[1 + len(date_counts) :], strict=True
            )
        },
        event_types=spellings,
    )


def _check_spelling_count(spellings: list[str], mapping: ColumnMapping, file_name: str) -> None:
    if len(spellings) <= MAX_EVENT_TYPE_SPELLINGS:
        return
    name = mapping.columns[mapping.fields["event_type"]]
    raise InvalidInputError(
        f"{file_name}: column '{name}' has more than {MAX_EVENT_TYPE_SPELLINGS:,} different "
        "values, so it is not an event type column. Map event_type to another column, or "
        "leave it unmapped to load every row as a purchase.",
        file=file_name,
        column=name,
    )


def ambiguous_date_examples(runner: SqlRunner, relation: str, column: str) -> list[tuple[int, str]]:
    """Return (line, value) of the first dates whose day and month could be swapped;
    ``relation`` has a ``line`` column and the time column's text."""
    text = values.text_sql(column)
    parts = values.day_month_parts_sql("t")
    return runner.connection.execute(
        f"""
        SELECT line, t FROM (
            SELECT line, t, {parts} AS p
            FROM (SELECT line, {text} AS t FROM {relation})
            WHERE t IS NOT NULL AND NOT {values.is_iso_like_sql("t")}
        )
        WHERE p.year <> '' AND p.first <> p.second
          AND TRY_CAST(p.first AS INTEGER) <= 12 AND TRY_CAST(p.second AS INTEGER) <= 12
        ORDER BY line
        LIMIT {AMBIGUOUS_DATE_EXAMPLES}
        """
    ).fetchall()


def decide_date_order(
    profile: DateOrderProfile,
    requested: str | None,
    column_name: str,
    file_name: str,
    examples: list[tuple[int, str]],
) -> tuple[str | None, list[str]]:
    """Return the date order and warnings. Raise AmbiguousDateOrderError when every date
    fits both orders, no order was given, and at least one date changes with the order."""
    if profile.day_month_values == 0:
        return requested, []
    if requested is not None:
        return requested, []
    if profile.is_ambiguous:
        shown = "; ".join(f"line {line}: '{value}'" for line, value in examples)
        raise AmbiguousDateOrderError(
            f"{file_name}: column '{column_name}': every date fits both day-first and "
            f"month-first order ({shown}). {DATE_ORDER_HINT}",
            file=file_name,
            column=column_name,
            lines=[line for line, _ in examples],
        )
    first, second = profile.first_over_12, profile.second_over_12
    if second == 0:
        return "dmy", []
    if first == 0:
        return "mdy", []
    order = "dmy" if first >= second else "mdy"
    other = second if order == "dmy" else first
    return order, [
        f"Column '{column_name}' mixes date orders; it was read "
        f"{values.DATE_ORDER_LABELS[order]}, and {count_phrase(other, 'date')} that only fit "
        f"the other order {noun_form(other, 'was', 'were')} rejected."
    ]


def decide_decimal_mark(
    runner: SqlRunner, relation: str, column: str, column_name: str, with_comma: int
) -> tuple[str, list[str]]:
    """Return the decimal mark of a text amount column ("." or ",") and warnings.
    ``with_comma`` is the number of its values holding a comma."""
    if with_comma == 0:
        return ".", []
    comma_decimal, point_decimal, example = runner.run(
        f"""
        SELECT count(*) FILTER (WHERE regexp_matches(v, {
            values.sql_string(values.COMMA_DECIMAL_PATTERN)
        })),
               count(*) FILTER (WHERE regexp_matches(v, {
            values.sql_string(values.POINT_DECIMAL_PATTERN)
        })),
               min(v) FILTER (WHERE contains(v, ','))
        FROM (SELECT trim({column}) AS v FROM {relation} WHERE {column} IS NOT NULL)
        """,
        stage="reading",
    ).fetchone()
    if comma_decimal > 0 and point_decimal == 0:
        return ",", []
    if point_decimal > 0 and comma_decimal == 0:
        return ".", []
    if comma_decimal == 0 and point_decimal == 0:
        return ".", [
            f"Column '{column_name}' has amounts such as '{example}' that fit a decimal point "
            "and a decimal comma; ',' was read as a thousands separator."
        ]
    mark = "," if comma_decimal > point_decimal else "."
    return mark, [
        f"Column '{column_name}' mixes decimal marks; it was read with '{mark}' as the "
        "decimal mark, and amounts written with the other mark were rejected."
    ]


def event_type_spellings(found: list[str]) -> dict[str, str]:
    """Return text -> canonical event type for every known spelling among ``found``."""
    spellings = {}
    for text in found:
        canonical = values.normalise_event_type(text)
        if canonical is not None:
            spellings[text] = canonical
    return spellings
