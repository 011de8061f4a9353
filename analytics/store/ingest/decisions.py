"""Decisions made once per column from the whole column: decimal mark, day/month order,
and the spellings of event types. Each reads ``raw`` with one aggregate query."""

from __future__ import annotations

from dataclasses import dataclass, field

from analytics.errors import AmbiguousDateOrderError, InvalidInputError
from analytics.store.ingest import values
from analytics.store.ingest.options import DATE_ORDER_HINT
from analytics.store.ingest.progress import SqlRunner

MAX_EVENT_TYPE_SPELLINGS = 1_000
AMBIGUOUS_DATE_EXAMPLES = 3


@dataclass(frozen=True)
class DateOrderProfile:
    """Counts over the day/month dates of a column (ISO and compact dates excluded)."""

    day_month_values: int
    first_over_12: int  # only day-first explains these
    second_over_12: int  # only month-first explains these
    differing: int  # day and month positions hold different numbers

    @property
    def is_ambiguous(self) -> bool:
        return self.differing > 0 and self.first_over_12 == 0 and self.second_over_12 == 0


@dataclass
class ColumnDecisions:
    """Decisions on reading the value columns of one file."""

    date_order: str | None = None  # None when no date needs it
    decimal_marks: dict[int, str] = field(default_factory=dict)  # column position -> "." or ","
    event_type_spellings: dict[str, str] = field(default_factory=dict)  # raw -> canonical
    warnings: list[str] = field(default_factory=list)


def profile_date_order(runner: SqlRunner, column: str) -> DateOrderProfile:
    """Count the day/month dates of a column. ISO dates are skipped before any trimming,
    because most files hold nothing else."""
    text = values.text_sql(column)
    parts = values.day_month_parts_sql("t")
    row = runner.run(
        f"""
        SELECT count(*),
               count(*) FILTER (WHERE first > 12),
               count(*) FILTER (WHERE second > 12),
               count(*) FILTER (WHERE first <> second)
        FROM (
            SELECT TRY_CAST(p.first AS INTEGER) AS first, TRY_CAST(p.second AS INTEGER) AS second
            FROM (SELECT {parts} AS p FROM (
                      SELECT {text} AS t FROM raw
                      WHERE {column} IS NOT NULL AND NOT {values.is_iso_like_sql(column)})
                  WHERE t IS NOT NULL AND NOT {values.is_iso_like_sql("t")})
            WHERE p.year <> ''
        )
        """,
        stage="validating",
    ).fetchone()
    return DateOrderProfile(*row)


def ambiguous_date_examples(runner: SqlRunner, column: str) -> list[tuple[int, str]]:
    """Return (line, value) of the first dates whose day and month could be swapped."""
    text = values.text_sql(column)
    parts = values.day_month_parts_sql("t")
    return runner.connection.execute(
        f"""
        SELECT line, t FROM (
            SELECT line, t, {parts} AS p
            FROM (SELECT line, {text} AS t FROM raw)
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
        f"{values.DATE_ORDER_LABELS[order]}, and {other:,} date(s) that only fit the other "
        "order were rejected."
    ]


def decide_decimal_mark(runner: SqlRunner, column: str, column_name: str) -> tuple[str, list[str]]:
    """Return the decimal mark of an amount column ("." or ",") and warnings."""
    with_comma = runner.scalar(f"SELECT count(*) FROM raw WHERE contains({column}, ',')")
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
        FROM (SELECT trim({column}) AS v FROM raw WHERE {column} IS NOT NULL)
        """,
        stage="validating",
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


def event_type_spellings(runner: SqlRunner, column: str, column_name: str, file_name: str):
    """Return raw value -> canonical event type for every known spelling in the column."""
    found = runner.run(
        f"SELECT DISTINCT {column} FROM raw WHERE {column} IS NOT NULL "
        f"LIMIT {MAX_EVENT_TYPE_SPELLINGS + 1}",
        stage="validating",
    ).fetchall()
    if len(found) > MAX_EVENT_TYPE_SPELLINGS:
        raise InvalidInputError(
            f"{file_name}: column '{column_name}' has more than {MAX_EVENT_TYPE_SPELLINGS:,} "
            "different values, so it is not an event type column. Map event_type to another "
            "column, or leave it unmapped to load every row as a purchase.",
            file=file_name,
            column=column_name,
        )
    spellings = {}
    for (raw,) in found:
        canonical = values.normalise_event_type(raw)
        if canonical is not None:
            spellings[raw] = canonical
    return spellings
