"""Read figures back out of rendered reports, the way a reader of each format would."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser


class _KpiRows(HTMLParser):
    """Collect the text of each cell of every ``<tr data-metric=...>`` row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self._metric: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "tr" and "data-metric" in attributes:
            self._metric = attributes["data-metric"]
            self.rows[self._metric] = []
        elif tag == "td" and self._metric is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None and self._metric is not None:
            self.rows[self._metric].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr":
            self._metric = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_kpis(html: str) -> dict[str, dict[str, str]]:
    """Return {metric: {label, value, previous, change}} from the HTML KPI table."""
    parser = _KpiRows()
    parser.feed(html)
    return {
        metric: {"label": cells[0], "value": cells[1], "previous": cells[2], "change": cells[3]}
        for metric, cells in parser.rows.items()
    }


def markdown_table_rows(markdown: str, first_header: str) -> list[list[str]]:
    """Return the body rows of the Markdown table whose first header cell is ``first_header``."""
    lines = markdown.splitlines()
    for index, line in enumerate(lines):
        cells = _cells(line)
        if cells and cells[0] == first_header:
            rows = []
            for body_line in lines[index + 2 :]:
                if not body_line.startswith("|"):
                    break
                rows.append(_cells(body_line))
            return rows
    raise AssertionError(f"no Markdown table starting with {first_header!r}")


def markdown_kpis(markdown: str) -> dict[str, dict[str, str]]:
    """Return {label: {value, previous, change}} from the Markdown KPI table, with
    backslash escapes removed as a Markdown renderer shows them."""
    rows = [
        [unescape_markdown(cell) for cell in row] for row in markdown_table_rows(markdown, "Metric")
    ]
    return {row[0]: {"value": row[1], "previous": row[2], "change": row[3]} for row in rows}


def unescape_markdown(text: str) -> str:
    """Remove CommonMark backslash escapes of ASCII punctuation."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def csv_rows(text: str) -> list[dict[str, str]]:
    """Return the metrics CSV as dicts of text."""
    return list(csv.DictReader(io.StringIO(text)))


def _cells(line: str) -> list[str]:
    if not line.startswith("|"):
        return []
    # Split on pipes that are not escaped with a backslash.
    parts = re.split(r"(?<!\\)\|", line.strip())
    return [part.strip() for part in parts[1:-1]]
