"""Tables written for spreadsheets: CSV text whose cells cannot run as formulas."""

from __future__ import annotations

import re

import polars as pl

# A spreadsheet treats a cell starting with one of these as a formula; tab and carriage
# return are included because some spreadsheets strip them before looking.
FORMULA_PREFIX_PATTERN = r"^[=+\-@\t\r]"
PLAIN_NUMBER_PATTERN = r"^[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$"


def escape_spreadsheet_cell(value: str) -> str:
    """Prefix ``value`` with an apostrophe when a spreadsheet would read it as a formula.

    A plain signed number such as ``-12.50`` is left as it is, so figures stay numeric.
    """
    if re.match(FORMULA_PREFIX_PATTERN, value) and not re.match(PLAIN_NUMBER_PATTERN, value):
        return "'" + value
    return value


def escape_text_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` with :func:`escape_spreadsheet_cell` applied to every text column."""
    escaped = []
    for name, dtype in frame.schema.items():
        if dtype != pl.String:
            continue
        column = pl.col(name)
        needs_escape = column.str.contains(FORMULA_PREFIX_PATTERN) & ~column.str.contains(
            PLAIN_NUMBER_PATTERN
        )
        escaped.append(pl.when(needs_escape).then("'" + column).otherwise(column).alias(name))
    return frame.with_columns(escaped) if escaped else frame


def frame_to_csv(frame: pl.DataFrame) -> str:
    """Return ``frame`` as CSV text with every text cell escaped for spreadsheets."""
    return escape_text_columns(frame).write_csv()


def rows_to_csv(rows: list[dict]) -> str:
    """Return flat dicts as escaped CSV text; columns in the order of the first row."""
    if not rows:
        return ""
    return frame_to_csv(pl.DataFrame(rows, infer_schema_length=None))
