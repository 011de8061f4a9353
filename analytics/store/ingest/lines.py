"""Line numbers of the records of a delimited file, worked out from their order.

A table filled from the file's relation in one statement, with insertion order kept, has
record k (0-based, in file order) at rowid k. Record k starts on line k + 2 unless earlier
lines were taken by malformed records, blank lines or line breaks inside quoted values.
DuckDB reports a malformed record by its line counted without quoted line breaks. Blank
and malformed lines are gaps in that count, and the line breaks inside earlier records'
values are added on top.
"""

from __future__ import annotations

from analytics.config import LimitSettings
from analytics.store.ingest.progress import SqlRunner
from analytics.store.ingest.reading import read_physical_lines
from analytics.store.ingest.sources import Source


def needs_line_breaks(source: Source, records: int, malformed: int) -> bool:
    """Tell whether the file has more lines than records, so that the records' own line
    breaks must be counted to number them."""
    return source.line_count != 1 + records + malformed


def line_breaks_sql(columns: list[str]) -> str:
    """SQL for the number of line feeds inside a record's values."""
    return " + ".join(
        f"coalesce(length({name}) - length(replace({name}, chr(10), '')), 0)" for name in columns
    )


def number_records(
    runner: SqlRunner,
    source: Source,
    limits: LimitSettings,
    records_table: str,
    numbered: str,
    *,
    records: int,
    malformed: int,
    embedded_breaks: int | None = None,
) -> list[str]:
    """Create ``numbered``: every row of ``records_table`` with its ``line`` in front, and
    return warnings. ``read_rejects`` lists the malformed records. When
    :func:`needs_line_breaks` is true, ``records_table`` has a ``breaks`` column (see
    :func:`line_breaks_sql`), unless ``embedded_breaks`` gives their sum as 0.
    """
    if not needs_line_breaks(source, records, malformed):
        if malformed == 0:
            runner.run(
                f"CREATE TEMP VIEW {numbered} AS SELECT rowid + 2 AS line, * FROM {records_table}"
            )
            return []
        _number_with_gaps(
            runner, records_table, numbered, "SELECT line FROM read_rejects", embedded=False
        )
        return []

    embedded = embedded_breaks
    if embedded is None:
        embedded = runner.scalar(f"SELECT coalesce(sum(breaks), 0) FROM {records_table}")
    reject_breaks = runner.scalar(
        "SELECT coalesce(sum(length(raw_text) - length(replace(raw_text, chr(10), ''))), 0) "
        "FROM read_rejects"
    )
    gap_lines = "SELECT line FROM read_rejects"
    warnings: list[str] = []
    if source.line_count != 1 + records + malformed + embedded + reject_breaks:
        read_physical_lines(runner, source, limits)
        gap_lines += (
            " UNION ALL SELECT line FROM physical_lines "
            "WHERE line > 1 AND coalesce(replace(text, chr(13), ''), '') = ''"
        )
        if embedded:
            # NOTE: blank lines are found by their physical number, which exceeds DuckDB's
            # count by the quoted line breaks before them. Lines after such a mix may be
            # off by those breaks.
            warnings.append(
                "Line numbers after blank lines may be off by the line breaks inside quoted "
                "values before them."
            )
    _number_with_gaps(runner, records_table, numbered, gap_lines, embedded=embedded > 0)
    return warnings


def _number_with_gaps(
    runner: SqlRunner, records_table: str, numbered: str, gap_lines_sql: str, *, embedded: bool
) -> None:
    # A gap at counted line g, with j gaps before it, sits where record g - j - 2 would have
    # started had no gap existed. Every record from that position on moves down by j + 1.
    runner.run(
        f"""
        CREATE OR REPLACE TEMP TABLE line_gaps AS
        SELECT position, max(gaps_so_far) AS gaps_so_far
        FROM (
            SELECT line - row_number() OVER (ORDER BY line) + 1 AS position,
                   row_number() OVER (ORDER BY line) AS gaps_so_far
            FROM ({gap_lines_sql})
        )
        GROUP BY position
        """
    )
    logical_line = "r.record + 2 + coalesce(g.gaps_so_far, 0)"
    records = f"(SELECT rowid AS record, * FROM {records_table}) r"
    if not embedded:
        # A view: each scan joins the few gaps, which is cheaper than copying every record.
        runner.run(
            f"""
            CREATE TEMP VIEW {numbered} AS
            SELECT {logical_line} AS line, r.* EXCLUDE (record)
            FROM {records}
            ASOF LEFT JOIN line_gaps g ON r.record + 2 >= g.position
            """
        )
        return
    runner.run(
        f"""
        CREATE TEMP TABLE {numbered} AS
        SELECT {logical_line} + coalesce(sum(r.breaks) OVER (
                   ORDER BY r.record ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
                   AS line,
               {logical_line} AS logical_line,
               r.* EXCLUDE (record)
        FROM {records}
        ASOF LEFT JOIN line_gaps g ON r.record + 2 >= g.position
        """,
        stage="validating",
    )
    # A malformed record's line from DuckDB leaves out the quoted line breaks before it.
    runner.run(
        f"""
        UPDATE read_rejects SET line = line + coalesce(
            (SELECT sum(breaks) FROM {numbered} n WHERE n.logical_line < read_rejects.line), 0)
        """
    )
