"""One measurement each: the work timed in a fresh child process, and the answer it gave.

Every function returns ``{"seconds": ..., "rows": ..., "answer": {...}, "phases": {...}}``.
``seconds`` covers the work only (reading, computing, writing), not interpreter start-up
or imports; the parent records the whole process as well. ``answer`` is what
:mod:`benchmarks.checks` compares across peers.
"""

from __future__ import annotations

import json
import shutil
import time
from datetime import date
from pathlib import Path

from benchmarks.layout import DataSet

METRIC_GRAIN = "month"
METRIC_WINDOW = "period"


def ingest_growthlens(
    dataset: DataSet, file_format: str, home: Path, keep_store: bool = False
) -> dict:
    """Load the data set's file into an empty GrowthLens database with every check.

    With ``keep_store`` the database stays in ``home``, which must be the data set's store
    home, and serves the metrics runs; otherwise the folder is removed afterwards.
    """
    from analytics.config import load_settings
    from analytics.store.ingest import IngestOptions, ingest_file

    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    settings = load_settings(home)
    options = IngestOptions(mapping={"event_time": dataset.time_column})
    started = time.perf_counter()
    result = ingest_file(dataset.data_file(file_format), options, settings)
    seconds = time.perf_counter() - started
    answer = {
        "rows_read": result.rows_read,
        "rows_loaded": result.rows_loaded,
        "rows_rejected": result.rows_rejected,
        "duplicates_skipped": result.duplicates_skipped,
    }
    if keep_store:
        if home != dataset.store_home:
            raise ValueError(f"A kept store must be in {dataset.store_home}, not {home}.")
        manifest = {"dataset": dataset.key, "database": str(dataset.store_database), **answer}
        dataset.store_manifest().write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    else:
        shutil.rmtree(home, ignore_errors=True)
    return {"seconds": seconds, "rows": result.rows_read, "answer": answer}


def ingest_duckdb(dataset: DataSet, file_format: str, home: Path) -> dict:
    """Copy the file into a table of an empty DuckDB database with no checks: the ceiling.

    Only the customer id's type is given, so that ids such as 00001 keep their zeros.
    """
    import duckdb

    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    path = str(dataset.data_file(file_format))
    reader = (
        "read_csv(?, types = {'customer_id': 'VARCHAR'})"
        if file_format == "csv"
        else "read_parquet(?)"
    )
    started = time.perf_counter()
    connection = duckdb.connect(str(home / "bare.duckdb"))
    try:
        connection.execute("SET enable_progress_bar = false")
        connection.execute(f"CREATE TABLE events AS SELECT * FROM {reader}", [path])
        rows = connection.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        connection.close()
    seconds = time.perf_counter() - started
    shutil.rmtree(home, ignore_errors=True)
    return {"seconds": seconds, "rows": rows, "answer": {"rows_loaded": rows}}


def metrics_growthlens(dataset: DataSet) -> dict:
    """Monthly retention, cohorts, revenue and CLV from the loaded store: compute_metrics."""
    from analytics.metrics import MetricOptions, compute_metrics
    from analytics.store.connection import connect

    started = time.perf_counter()
    with connect(dataset.store_database, read_only=True) as connection:
        result = compute_metrics(
            connection, MetricOptions(grain=METRIC_GRAIN, window=METRIC_WINDOW)
        )
    seconds = time.perf_counter() - started
    clv = result["clv"]
    answer = {
        "as_of": result["as_of"],
        "periods": [_retention_row(period) for period in result["periods"]],
        "cohorts": len(result["cohorts"]),
        "paid_purchases": clv["paid_purchases"],
        "paying_customers": clv["paying_customers"],
        "net_revenue": clv["net_revenue"],
        "clv": clv["clv"],
    }
    return {"seconds": seconds, "rows": _event_count(dataset), "answer": answer}


def metrics_sql(dataset: DataSet) -> dict:
    """Monthly S, E and N from the loaded store in one hand-written DuckDB query."""
    from analytics.store.connection import connect
    from benchmarks.peers.sql_retention import monthly_retention

    started = time.perf_counter()
    with connect(dataset.store_database, read_only=True) as connection:
        periods = monthly_retention(connection)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": _event_count(dataset), "answer": {"periods": periods}}


def metrics_pandas(dataset: DataSet) -> dict:
    """Monthly S, E and N in pandas, from the data set's Parquet file."""
    from benchmarks.peers.pandas_retention import monthly_retention, read_events

    started = time.perf_counter()
    events = read_events(dataset.data_file("parquet"), dataset.time_column)
    read = time.perf_counter()
    table = monthly_retention(events)
    seconds = time.perf_counter() - started
    periods = [
        {"period": row.period, "S": int(row.S), "E": int(row.E), "N": int(row.N)}
        for row in table.itertuples(index=False)
    ]
    return {
        "seconds": seconds,
        "rows": len(events),
        "answer": {"periods": periods},
        "phases": {"read": read - started, "compute": seconds - (read - started)},
    }


def rfm_lifetimes(dataset: DataSet, as_of: str) -> dict:
    """lifetimes' RFM summary (the CLV inputs) from the data set's Parquet file."""
    from benchmarks.peers.lifetimes_summary import rfm_summary
    from benchmarks.peers.pandas_retention import read_events

    started = time.perf_counter()
    events = read_events(dataset.data_file("parquet"), dataset.time_column)
    read = time.perf_counter()
    summary, paid_rows = rfm_summary(events, date.fromisoformat(as_of))
    seconds = time.perf_counter() - started
    answer = {
        "customers": len(summary),
        "paid_rows": paid_rows,
        "frequency_sum": int(summary["frequency"].sum()),
        "repeat_revenue": float((summary["frequency"] * summary["monetary_value"]).sum()),
    }
    return {
        "seconds": seconds,
        "rows": len(events),
        "answer": answer,
        "phases": {"read": read - started, "compute": seconds - (read - started)},
    }


def audit_store(dataset: DataSet) -> dict:
    """Count what lifetimes' day-level summary should add up to, straight from the store.

    Untimed. ``paid_days`` counts distinct (customer, UTC day) pairs with a paid purchase;
    ``repeat_revenue`` sums paid amounts over those days except each customer's first.
    """
    from analytics.store.connection import connect

    with connect(dataset.store_database, read_only=True) as connection:
        paid_days, customers, repeat_revenue = connection.execute(
            """
            WITH days AS (
                SELECT customer_id, CAST(event_time AS DATE) AS day, sum(amount) AS paid
                FROM events
                WHERE event_type = 'purchase' AND amount > 0
                GROUP BY ALL
            ),
            ranked AS (
                SELECT *, row_number() OVER (PARTITION BY customer_id ORDER BY day) AS day_number
                FROM days
            )
            SELECT
                count(*),
                count(DISTINCT customer_id),
                CAST(coalesce(sum(paid) FILTER (WHERE day_number > 1), 0) AS DOUBLE)
            FROM ranked
            """
        ).fetchone()
    answer = {"paid_days": paid_days, "customers": customers, "repeat_revenue": repeat_revenue}
    return {"seconds": 0.0, "rows": 0, "answer": answer}


def narrative_speed(dataset: DataSet) -> dict:
    """Load the bundled model and write one narrative for the store's monthly metrics.

    Times the model load, the time to the first generated token (prompt evaluation
    included) and the decoding rate after it, with the product's prompt and grammar for
    the draft's first sentence (the product rewords one sentence at a time).
    """
    from analytics.config import load_settings
    from analytics.insights import build_insights
    from analytics.metrics import MetricOptions, compute_metrics
    from analytics.narrative.grammar import placeholder_grammar
    from analytics.narrative.llama import LlamaEngine
    from analytics.narrative.prompt import plan_prompts
    from analytics.store.connection import connect

    settings = load_settings(dataset.store_home)
    with connect(dataset.store_database, read_only=True) as connection:
        metrics = compute_metrics(connection, MetricOptions(grain=METRIC_GRAIN, window="auto"))
    insights = build_insights(
        metrics,
        None,
        small_cohort_threshold=settings.small_cohort_threshold,
        max_attribute_chars=settings.limits.max_attribute_chars,
    )

    started = time.perf_counter()
    engine = LlamaEngine(settings.model)
    load_seconds = engine.load_seconds  # the first use loads the model
    loaded = time.perf_counter()

    budget = min(
        settings.limits.prompt_budget_tokens, engine.context_size - settings.model.max_tokens
    )
    sentence = plan_prompts(insights, engine, budget).sentences[0]
    grammar = placeholder_grammar(sentence.draft.slots, sentences=1)
    token_times: list[float] = []
    generation_started = time.perf_counter()
    text = engine.generate(
        sentence.texts[0],
        grammar,
        settings.model.max_tokens,
        on_token=lambda _piece: token_times.append(time.perf_counter()),
    )
    finished = time.perf_counter()

    generated_tokens = engine.count_tokens(text)
    first_token = (token_times[0] - generation_started) if token_times else None
    decode_seconds = (finished - token_times[0]) if token_times else None
    decode_rate = None
    if decode_seconds and generated_tokens > 1:
        decode_rate = (generated_tokens - 1) / decode_seconds
    phases = {
        "load": load_seconds,
        "first_token": first_token,
        "generate": finished - generation_started,
    }
    answer = {
        "model": engine.name,
        "prompt_tokens": engine.count_tokens(sentence.texts[0]),
        "generated_tokens": generated_tokens,
        "tokens_per_second": decode_rate,
        "load_and_engine_seconds": loaded - started,
    }
    return {"seconds": finished - started, "rows": 0, "answer": answer, "phases": phases}


def _retention_row(period: dict) -> dict:
    return {"period": period["period"], "S": period["S"], "E": period["E"], "N": period["N"]}


def _event_count(dataset: DataSet) -> int:
    manifest = json.loads(dataset.store_manifest().read_text(encoding="utf-8"))
    return int(manifest["rows_loaded"])
