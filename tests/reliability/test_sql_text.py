"""No user value is formatted into SQL text: values are bound as parameters, and the
column names that must reach SQL are quoted.

Two checks: one reads the source of analytics/ for SQL built by formatting, the other
records every statement GrowthLens sends to DuckDB while it loads and reports on a file
whose names and values are SQL, and looks for those texts in the statements.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest

from analytics.config import Settings
from analytics.metrics import MetricOptions, compute_metrics
from analytics.narrative import ScriptedEngine, write_narrative
from analytics.reports.runner import produce_report
from analytics.store import connect
from analytics.store.ingest import IngestOptions, ingest_file
from analytics.store.ingest.reading import quote_identifier
from analytics.store.ingest.values import sql_string

ANALYTICS = Path(__file__).resolve().parents[2] / "analytics"
SQL_WORDS = re.compile(
    r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|ATTACH|DETACH|FROM|WHERE|SET|USE|"
    r"PRAGMA|COPY|WITH|CASE|CAST|VALUES|TIMESTAMPTZ)\b"
)
# Names that hold text from a user in analytics/: file paths and names, header names,
# attribute and segment names and values, time zones and request options.
USER_TEXT_NAMES = frozenset(
    {
        "attribute",
        "segment",
        "segment_value",
        "timezone",
        "zone",
        "path",
        "read_path",
        "file_name",
        "header",
        "options",
        "mapping",
        "raw_text",
    }
)
# Calls whose result is safe to place in SQL: they quote their argument, or build SQL
# from it (a ``*_sql`` builder quotes the user text it takes).
QUOTING_CALLS = frozenset({"sql_string", "quote_identifier", "len", "int", "isoformat"})


def analytics_sources() -> Iterator[tuple[Path, ast.AST]]:
    for path in sorted(ANALYTICS.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def is_sql_text(text: object) -> bool:
    return isinstance(text, str) and SQL_WORDS.search(text) is not None


def call_name(node: ast.AST) -> str | None:
    if not isinstance(node, ast.Call):
        return None
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def is_quoted(node: ast.AST) -> bool:
    name = call_name(node)
    return name is not None and (name in QUOTING_CALLS or name.endswith("_sql"))


def user_names_in(node: ast.AST) -> set[str]:
    """User-text names that ``node`` reads outside a quoting call."""
    if is_quoted(node):
        return set()
    found = set()
    if isinstance(node, ast.Name) and node.id in USER_TEXT_NAMES:
        found.add(node.id)
    if isinstance(node, ast.Attribute) and node.attr in USER_TEXT_NAMES:
        found.add(node.attr)
    for child in ast.iter_child_nodes(node):
        found |= user_names_in(child)
    return found


def test_no_sql_is_built_with_format_or_percent():
    offenders = []
    for path, tree in analytics_sources():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.BinOp)
                and isinstance(node.op, ast.Mod)
                and isinstance(node.left, ast.Constant)
                and is_sql_text(node.left.value)
            ):
                offenders.append(f"{path}:{node.lineno}: % formatting of SQL")
            if (
                call_name(node) == "format"
                and isinstance(node.func.value, ast.Constant)
                and is_sql_text(node.func.value.value)
            ):
                offenders.append(f"{path}:{node.lineno}: str.format of SQL")

    assert offenders == []


def test_sql_fstrings_interpolate_no_user_text():
    offenders = []
    for path, tree in analytics_sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr):
                continue
            constant = "".join(part.value for part in node.values if isinstance(part, ast.Constant))
            if not is_sql_text(constant):
                continue
            for part in node.values:
                if isinstance(part, ast.FormattedValue):
                    names = user_names_in(part.value)
                    if names:
                        offenders.append(
                            f"{path.relative_to(ANALYTICS.parent)}:{node.lineno}: "
                            f"{{{ast.unparse(part.value)}}} reads {sorted(names)}"
                        )

    assert offenders == []


def test_the_source_check_finds_formatted_user_text(tmp_path: Path):
    """The check above reports an f-string that places an attribute name in SQL."""
    tree = ast.parse("sql = f\"SELECT attributes['{attribute}'] FROM events\"")
    joined = next(node for node in ast.walk(tree) if isinstance(node, ast.JoinedStr))
    value = next(part for part in joined.values if isinstance(part, ast.FormattedValue))

    assert user_names_in(value.value) == {"attribute"}
    quoted = ast.parse('f"SELECT {sql_string(attribute)}"').body[0].value.values[1]
    assert user_names_in(quoted.value) == set()


# Column names and values that are SQL: a value must never appear in a statement, and a
# name only inside a quoted literal or identifier.
HOSTILE_COLUMNS = {
    "campaign": "camp'aign\"; DROP TABLE events; --",
    "plan": 'pl"an); SELECT 1; --',
}
HOSTILE_VALUES = (
    "v1'); DROP TABLE events; --",
    'v2"; DELETE FROM imports; --',
    "v3' OR 1=1 --",
)
FILE_NAME = "o'brien; drop.csv"


class RecordingConnection:
    """A DuckDB connection that records the text of every statement it runs."""

    def __init__(self, connection, statements: list[str]) -> None:
        self._connection = connection
        self._statements = statements

    def execute(self, query, *args, **kwargs):
        self._statements.append(str(query))
        return self._connection.execute(query, *args, **kwargs)

    def sql(self, query, *args, **kwargs):
        self._statements.append(str(query))
        return self._connection.sql(query, *args, **kwargs)

    def cursor(self):
        return RecordingConnection(self._connection.cursor(), self._statements)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._connection.close()

    def __getattr__(self, name):
        return getattr(self._connection, name)


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    recorded: list[str] = []
    original = duckdb.connect

    def connect_recording(*args, **kwargs):
        return RecordingConnection(original(*args, **kwargs), recorded)

    monkeypatch.setattr(duckdb, "connect", connect_recording)
    return recorded


def hostile_frame() -> pl.DataFrame:
    rows = 12
    return pl.DataFrame(
        {
            "customer_id": [f"{HOSTILE_VALUES[i % 3]}#{i % 4}" for i in range(rows)],
            "event_time": [f"2024-0{1 + i % 3}-1{i % 9}T10:00:00Z" for i in range(rows)],
            "amount": [f"{10 + i}.50" for i in range(rows)],
            "event_id": [f"{HOSTILE_VALUES[(i + 1) % 3]}-{i}" for i in range(rows)],
            HOSTILE_COLUMNS["campaign"]: [HOSTILE_VALUES[i % 3] for i in range(rows)],
            HOSTILE_COLUMNS["plan"]: [HOSTILE_VALUES[(i + 2) % 3] for i in range(rows)],
        }
    )


def assert_only_quoted(statements: list[str], name: str) -> None:
    """``name`` appears in no statement except as a quoted string or identifier."""
    for statement in statements:
        remainder = statement.replace(sql_string(name), "").replace(quote_identifier(name), "")
        assert name not in remainder, statement


def check_statements(statements: list[str]) -> None:
    assert statements
    for value in HOSTILE_VALUES:
        assert not [statement for statement in statements if value in statement]
    for name in HOSTILE_COLUMNS.values():
        assert_only_quoted(statements, name)
    assert_only_quoted(statements, FILE_NAME)


def load_and_report(settings: Settings, path: Path, tmp_path: Path) -> dict:
    result = ingest_file(path, IngestOptions(), settings)
    assert result.rows_loaded == 12
    with connect(settings.database_path, read_only=True) as connection:
        names = [
            name
            for (name,) in connection.execute(
                "SELECT DISTINCT unnest(map_keys(attributes)) FROM events"
            ).fetchall()
        ]
        segmented = {
            name: compute_metrics(connection, MetricOptions(window="period", segment=name))
            for name in names
        }
    produce_report(
        settings,
        MetricOptions(window="period", segment=names[0]),
        tmp_path / "reports",
        narrator=lambda metrics, report_settings: write_narrative(
            metrics, report_settings, engine=ScriptedEngine([""]), use_cache=False
        ),
    )
    return segmented


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_statements_hold_no_user_value(
    settings: Settings, tmp_path: Path, statements: list[str], file_format: str
):
    folder = tmp_path / "input"
    folder.mkdir()
    path = folder / FILE_NAME.replace(".csv", f".{file_format}")
    frame = hostile_frame()
    if file_format == "csv":
        frame.write_csv(path)
    else:
        frame.write_parquet(path)

    segmented = load_and_report(settings, path, tmp_path)

    check_statements(statements)
    # The recording saw the statements that read the file, with its path quoted.
    assert any(sql_string(str(path)) in statement for statement in statements)
    if file_format == "parquet":
        quoted = quote_identifier(HOSTILE_COLUMNS["campaign"])
        assert any(quoted in statement for statement in statements)
    # The names reached SQL safely: every segment split contains the file's values.
    assert len(segmented) == 2
    for result in segmented.values():
        assert sorted(segment["value"] for segment in result["segments"]) == sorted(HOSTILE_VALUES)
    with connect(settings.database_path, read_only=True) as connection:
        tables = {name for (name,) in connection.execute("SHOW TABLES").fetchall()}
        assert {"events", "imports"} <= tables
        assert connection.execute("SELECT count(*) FROM imports").fetchone()[0] == 1
