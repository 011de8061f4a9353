"""Property: for any mix of good, bad and repeated rows, every row read is accounted for,
and the rows that load are exactly the valid first occurrences."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import duckdb
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from analytics.config import load_settings
from analytics.store.ingest import IngestOptions, ingest_file

AMOUNTS = {"12.50": "12.50", "-3": "-3", "0": "0", "1,234.50": "1234.50", "$7.25": "7.25"}
BAD_AMOUNTS = ["abc", "", "1.2.3"]
DATES = ["2024-01-05", "2024-02-29T10:00:00Z", "2024-12-31 23:59"]
BAD_DATES = ["n/a", "2024-13-01", ""]

rows_strategy = st.lists(
    st.tuples(
        st.sampled_from(["C1", "C2", "007", " C3 ", "", " "]),
        st.sampled_from(DATES + BAD_DATES),
        st.sampled_from(list(AMOUNTS) + BAD_AMOUNTS),
        st.sampled_from(["", "e1", "e2", "e3"]),
        st.text(alphabet='ab,"\n x', max_size=6),
    ),
    min_size=1,
    max_size=25,
)


def _expected(rows) -> tuple[int, int, list[tuple[str, Decimal]]]:
    """Return (rejected, duplicates, loaded (customer, amount) pairs in file order)."""
    rejected, duplicates, loaded, seen = 0, 0, [], set()
    for customer, date, amount, event_id, _ in rows:
        if not customer.strip() or date in BAD_DATES or amount in BAD_AMOUNTS:
            rejected += 1
        elif event_id and event_id in seen:
            duplicates += 1
        else:
            if event_id:
                seen.add(event_id)
            loaded.append((customer.strip(), Decimal(AMOUNTS[amount])))
    return rejected, duplicates, loaded


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=rows_strategy)
def test_any_file_accounts_for_every_row(rows, tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    path = home / "events.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["customer_id", "timestamp", "amount", "event_id", "note"])
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")

    expected_rejected, expected_duplicates, expected_loaded = _expected(rows)
    assume(expected_loaded)  # a file with nothing to load is refused, as tested elsewhere
    result = ingest_file(path, IngestOptions(), load_settings(home))

    assert result.rows_read == len(rows)
    assert result.rows_rejected == expected_rejected
    assert result.duplicates_skipped == expected_duplicates
    assert result.rows_loaded == len(expected_loaded)
    connection = duckdb.connect(str(load_settings(home).database_path), read_only=True)
    try:
        stored = connection.execute(
            "SELECT customer_id, amount FROM events ORDER BY source_line"
        ).fetchall()
    finally:
        connection.close()
    assert stored == expected_loaded
