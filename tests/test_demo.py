"""The demo data generator and ``growthlens demo``."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest

from analytics.cli import main
from analytics.demo import BLOCK_CUSTOMERS, COLUMNS, generate_events, write_events
from analytics.demo import generator as demo_generator
from analytics.demo import writer as demo_writer
from analytics.demo.timeline import add_months, day_seconds
from analytics.errors import InvalidInputError
from analytics.store.ingest import IngestOptions, preview_file

EVENT_TYPES = {"signup", "purchase", "refund", "subscription_start", "subscription_cancel"}
SUBSCRIPTION_TYPES = ["subscription_start", "subscription_cancel"]


@pytest.fixture(scope="module")
def events() -> pl.DataFrame:
    """The default demo log: seed 7, 4,000 customers, 2024-01-01 to 2025-12-31."""
    return generate_events()


@pytest.fixture(scope="module")
def subscribers(events: pl.DataFrame) -> pl.DataFrame:
    """One row per subscriber: channel, plan, and whether its last subscription ended."""
    return (
        events.filter(pl.col("event_type").is_in(SUBSCRIPTION_TYPES))
        .sort("customer_id", "event_time", "event_id")
        .group_by("customer_id")
        .agg(
            pl.col("channel").first(),
            pl.col("plan").first(),
            (pl.col("event_type").last() == "subscription_cancel").alias("ended"),
        )
    )


def in_customer_order(events: pl.DataFrame) -> pl.DataFrame:
    """Events of each customer in the order of the file, which is time order."""
    return events.sort("customer_id", "event_time", "event_id")


# --- Determinism -------------------------------------------------------------------------


def test_same_seed_gives_identical_events():
    first = generate_events(seed=11, customers=500)
    second = generate_events(seed=11, customers=500)

    assert first.equals(second)


def test_different_seed_gives_different_events():
    first = generate_events(seed=11, customers=500)
    second = generate_events(seed=12, customers=500)

    assert not first.equals(second)
    first_signups = first.filter(pl.col("event_type") == "signup").sort("customer_id")
    second_signups = second.filter(pl.col("event_type") == "signup").sort("customer_id")
    assert (first_signups["event_time"] != second_signups["event_time"]).sum() > 400


# --- Shape and identifiers ---------------------------------------------------------------


def test_columns_match_events_schema(events: pl.DataFrame):
    assert tuple(events.columns) == COLUMNS
    assert events.schema["customer_id"] == pl.String
    assert events.schema["event_id"] == pl.String
    assert events.schema["event_time"] == pl.Datetime("us", "UTC")
    assert events.schema["amount"] == pl.Decimal(18, 2)


def test_event_ids_are_unique_text(events: pl.DataFrame):
    assert events["event_id"].n_unique() == events.height
    assert events["event_id"].str.contains(r"^ev-\d{9}$").all()
    assert events["event_id"][0] == "ev-000000001"


def test_customer_ids_are_text_with_leading_zeros(events: pl.DataFrame):
    customer_ids = events["customer_id"].unique()

    assert len(customer_ids) == 4_000
    assert customer_ids.str.contains(r"^C\d{6}$").all()
    assert "C000001" in customer_ids
    assert "C004000" in customer_ids


def test_customer_id_widens_for_large_counts(monkeypatch: pytest.MonkeyPatch):
    # With a minimum of 2 digits, 150 customers need 3: C001 to C150.
    monkeypatch.setattr(demo_generator, "MIN_CUSTOMER_ID_DIGITS", 2)
    customer_ids = generate_events(customers=150)["customer_id"].unique()

    assert customer_ids.str.len_chars().unique().to_list() == [4]
    assert {"C001", "C150"} <= set(customer_ids)


# --- Time order --------------------------------------------------------------------------


def test_every_customer_signs_up_once_before_anything_else(events: pl.DataFrame):
    per_customer = (
        in_customer_order(events)
        .group_by("customer_id")
        .agg(
            (pl.col("event_type") == "signup").sum().alias("signups"),
            pl.col("event_type").first().alias("first_type"),
            pl.col("event_time").filter(pl.col("event_type") == "signup").first().alias("signup"),
            pl.col("event_time").filter(pl.col("event_type") != "signup").min().alias("next"),
        )
    )

    assert (per_customer["signups"] == 1).all()
    assert (per_customer["first_type"] == "signup").all()
    later = per_customer.drop_nulls("next")
    assert (later["signup"] < later["next"]).all()


def test_cancel_only_ends_a_running_subscription(events: pl.DataFrame):
    balance = (
        in_customer_order(events)
        .filter(pl.col("event_type").is_in(SUBSCRIPTION_TYPES))
        .with_columns(
            pl.when(pl.col("event_type") == "subscription_start")
            .then(1)
            .otherwise(-1)
            .cum_sum()
            .over("customer_id")
            .alias("running")
        )
    )

    assert balance["running"].min() == 0  # never a cancel without a running subscription
    assert balance["running"].max() == 1  # never two subscriptions at once
    assert balance.filter(pl.col("event_type") == "subscription_cancel").height > 0


def test_no_event_outside_the_span(events: pl.DataFrame):
    assert events["event_time"].min() >= datetime(2024, 1, 1, tzinfo=UTC)
    assert events["event_time"].max() < datetime(2026, 1, 1, tzinfo=UTC)


def test_custom_span_bounds_every_event():
    events = generate_events(customers=800, start=date(2024, 3, 1), end="2024-06-30")

    assert events["event_time"].min() >= datetime(2024, 3, 1, tzinfo=UTC)
    assert events["event_time"].max() < datetime(2024, 7, 1, tzinfo=UTC)
    assert events["event_time"].max() >= datetime(2024, 6, 1, tzinfo=UTC)


def test_events_are_in_time_order_within_one_block(events: pl.DataFrame):
    assert events.height > 0
    assert events["event_time"].is_sorted()


# --- Amounts -----------------------------------------------------------------------------


def test_refunds_never_exceed_what_the_customer_paid(events: pl.DataFrame):
    money = (
        in_customer_order(events)
        .filter(pl.col("event_type").is_in(["purchase", "refund"]))
        .with_columns(pl.col("amount").cum_sum().over("customer_id").alias("net_so_far"))
    )

    assert money.filter(pl.col("event_type") == "refund").height > 0
    assert money["net_so_far"].min() >= 0


def test_amounts_are_negative_only_on_refunds(events: pl.DataFrame):
    refunds = events.filter(pl.col("event_type") == "refund")
    others = events.filter(pl.col("event_type") != "refund")
    zero_amount_types = events.filter(pl.col("event_type").is_in(["signup", *SUBSCRIPTION_TYPES]))

    assert (refunds["amount"] < 0).all()
    assert (others["amount"] >= 0).all()
    assert (zero_amount_types["amount"] == 0).all()


def test_amounts_have_two_decimals(events: pl.DataFrame):
    cents = events["amount"] * 100

    assert (cents.cast(pl.Float64) == cents.cast(pl.Int64).cast(pl.Float64)).all()
    assert (events["amount"].cast(pl.Float64) % 1 != 0).any()  # cents are used, not only dollars


def test_some_orders_are_free(events: pl.DataFrame):
    purchases = events.filter(pl.col("event_type") == "purchase")
    free_share = (purchases["amount"] == 0).mean()

    assert 0.002 < free_share < 0.05


def test_refunds_are_a_few_percent_and_some_partial(events: pl.DataFrame):
    paid = events.filter((pl.col("event_type") == "purchase") & (pl.col("amount") > 0))
    refunds = events.filter(pl.col("event_type") == "refund")
    full = refunds.join(
        paid.select("customer_id", (-pl.col("amount")).alias("amount")).unique(),
        on=["customer_id", "amount"],
        how="semi",
    )

    assert 0.01 < refunds.height / paid.height < 0.08
    assert 0 < full.height < refunds.height  # some refund a whole order, some only part


# --- Attributes --------------------------------------------------------------------------


def test_all_event_types_and_attributes_present(events: pl.DataFrame):
    assert set(events["event_type"].unique()) == EVENT_TYPES
    assert set(events["channel"].unique()) == {
        "organic",
        "paid_search",
        "social",
        "referral",
        "email",
    }
    assert {"US", "GB", "DE", "FR", "CA", "AU"} <= set(events["country"].unique())
    assert set(events["plan"].drop_nulls().unique()) == {"basic", "pro", "team"}
    assert events["currency"].unique().to_list() == ["USD"]
    for column in ("channel", "country", "currency"):
        assert events[column].null_count() == 0


def test_plan_belongs_to_subscribers_only(events: pl.DataFrame):
    per_customer = events.group_by("customer_id").agg(
        pl.col("event_type").is_in(SUBSCRIPTION_TYPES).any().alias("subscribed"),
        pl.col("plan").drop_nulls().n_unique().alias("plans"),
        pl.col("plan").null_count().alias("missing_plan"),
    )
    subscribed = per_customer.filter("subscribed")
    never = per_customer.filter(~pl.col("subscribed"))

    assert (subscribed["plans"] == 1).all()
    assert (subscribed["missing_plan"] == 0).all()
    assert (never["plans"] == 0).all()


def test_campaigns_belong_to_paid_channels_only(events: pl.DataFrame):
    with_campaign = events.filter(pl.col("campaign").is_not_null())
    paid = events.filter(pl.col("channel").is_in(["paid_search", "social"]))

    assert set(with_campaign["channel"].unique()) == {"paid_search", "social"}
    assert paid["campaign"].null_count() == 0
    assert {"black_friday_2024", "holiday_search_2025"} <= set(paid["campaign"].unique())


def test_attributes_are_constant_per_customer(events: pl.DataFrame):
    variety = events.group_by("customer_id").agg(
        pl.col("channel", "country", "campaign").n_unique()
    )

    assert variety.select(pl.max_horizontal("channel", "country", "campaign")).max().item() == 1


# --- Realism -----------------------------------------------------------------------------


def monthly_signups(events: pl.DataFrame) -> pl.DataFrame:
    return (
        events.filter(pl.col("event_type") == "signup")
        .group_by(
            pl.col("event_time").dt.year().alias("year"),
            pl.col("event_time").dt.month().alias("month"),
        )
        .len()
    )


def test_signups_peak_in_november_and_december(events: pl.DataFrame):
    signups = monthly_signups(events)

    for year in (2024, 2025):
        in_year = signups.filter(pl.col("year") == year)
        assert in_year.height == 12
        mean = in_year["len"].mean()
        for month in (11, 12):
            assert in_year.filter(pl.col("month") == month)["len"].item() > 1.2 * mean


def test_signups_grow_year_on_year(events: pl.DataFrame):
    signups = monthly_signups(events).group_by("year").agg(pl.col("len").sum()).sort("year")

    assert signups["len"][1] > 1.3 * signups["len"][0]


def test_some_subscribers_churn_and_some_stay(subscribers: pl.DataFrame):
    ended_share = subscribers["ended"].mean()

    assert subscribers.height > 1_000
    assert 0.2 < ended_share < 0.8


def test_channels_differ_in_churn(subscribers: pl.DataFrame):
    by_channel = subscribers.group_by("channel").agg(pl.col("ended").mean(), pl.len())
    ended = dict(zip(by_channel["channel"], by_channel["ended"], strict=True))

    assert by_channel["len"].min() > 100
    assert ended["social"] > ended["referral"] + 0.15
    assert ended["paid_search"] > ended["organic"]


def test_plans_differ_in_churn(subscribers: pl.DataFrame):
    by_plan = subscribers.group_by("plan").agg(pl.col("ended").mean())
    ended = dict(zip(by_plan["plan"], by_plan["ended"], strict=True))

    assert ended["basic"] > ended["pro"] > ended["team"]


def test_churn_rises_after_the_price_change(events: pl.DataFrame):
    # Monthly churn = cancels in the month / subscriptions running at its start.
    changes = (
        events.filter(pl.col("event_type").is_in(SUBSCRIPTION_TYPES))
        .group_by(pl.col("event_time").dt.truncate("1mo").dt.date().alias("month"))
        .agg(
            (pl.col("event_type") == "subscription_start").sum().alias("starts"),
            (pl.col("event_type") == "subscription_cancel").sum().alias("cancels"),
        )
        .sort("month")
        .with_columns((pl.col("starts") - pl.col("cancels")).cum_sum().shift(1).alias("running"))
        .with_columns((pl.col("cancels") / pl.col("running")).alias("churn"))
    )

    def mean_churn(first: date, last: date) -> float:
        return changes.filter(pl.col("month").is_between(first, last))["churn"].mean()

    before = mean_churn(date(2025, 1, 1), date(2025, 3, 1))
    after = mean_churn(date(2025, 4, 1), date(2025, 5, 1))
    assert after > 1.3 * before


def test_basket_size_differs_by_channel(events: pl.DataFrame):
    # One-off orders of customers who never subscribe, so plan prices do not mix in.
    orders = events.filter(
        (pl.col("event_type") == "purchase") & (pl.col("amount") > 0) & pl.col("plan").is_null()
    )
    median = orders.group_by("channel").agg(pl.col("amount").cast(pl.Float64).median())
    by_channel = dict(zip(median["channel"], median["amount"], strict=True))

    assert by_channel["email"] > 1.15 * by_channel["social"]


# --- Calendar arithmetic -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("anchor", "months", "expected"),
    [
        (datetime(2024, 1, 31, 9, 30, tzinfo=UTC), 1, datetime(2024, 2, 29, 9, 30, tzinfo=UTC)),
        (datetime(2024, 1, 31, 9, 30, tzinfo=UTC), 2, datetime(2024, 3, 31, 9, 30, tzinfo=UTC)),
        (datetime(2025, 1, 31, 0, 0, tzinfo=UTC), 1, datetime(2025, 2, 28, 0, 0, tzinfo=UTC)),
        (
            datetime(2024, 11, 15, 23, 59, 59, tzinfo=UTC),
            2,
            datetime(2025, 1, 15, 23, 59, 59, tzinfo=UTC),
        ),
        (datetime(2024, 5, 10, 12, 0, tzinfo=UTC), 0, datetime(2024, 5, 10, 12, 0, tzinfo=UTC)),
    ],
    ids=["leap-february", "back-to-31st", "short-february", "year-boundary", "zero-months"],
)
def test_add_months_keeps_day_and_time(anchor: datetime, months: int, expected: datetime):
    result = add_months(np.array([int(anchor.timestamp())]), months)

    assert result[0] == int(expected.timestamp())


def test_day_seconds_is_midnight_utc():
    assert day_seconds(date(2024, 1, 1)) == int(datetime(2024, 1, 1, tzinfo=UTC).timestamp())


# --- Writing files -----------------------------------------------------------------------


def test_target_events_within_ten_percent(tmp_path: Path):
    for target in (50_000, 300_000):
        written = write_events(tmp_path / f"events_{target}.parquet", target_events=target)

        assert abs(written.rows - target) <= 0.1 * target
        assert pl.scan_parquet(written.path).select(pl.len()).collect().item() == written.rows


def test_chunked_write_matches_one_shot_write(tmp_path: Path):
    customers = 2 * BLOCK_CUSTOMERS + 500  # three blocks
    chunked = write_events(
        tmp_path / "chunked.csv", seed=5, customers=customers, chunk_customers=BLOCK_CUSTOMERS
    )
    one_shot = write_events(
        tmp_path / "one_shot.csv", seed=5, customers=customers, chunk_customers=customers
    )

    assert chunked.rows == one_shot.rows
    assert chunked.path.read_bytes() == one_shot.path.read_bytes()
    header_lines = [
        line for line in chunked.path.read_text().splitlines() if line.startswith("event_id")
    ]
    assert len(header_lines) == 1


def test_chunked_parquet_matches_generated_frame(tmp_path: Path):
    customers = 2 * BLOCK_CUSTOMERS + 500
    written = write_events(
        tmp_path / "events.parquet", seed=5, customers=customers, chunk_customers=BLOCK_CUSTOMERS
    )
    in_memory = generate_events(seed=5, customers=customers)

    assert pl.read_parquet(written.path).equals(in_memory)
    assert written.customers == customers
    assert written.first_event == in_memory["event_time"].min()
    assert written.last_event == in_memory["event_time"].max()


def test_csv_time_and_amount_format(tmp_path: Path):
    written = write_events(tmp_path / "events.csv", customers=50)
    header, first_row = written.path.read_text().splitlines()[:2]
    fields = dict(zip(header.split(","), first_row.split(","), strict=True))

    assert header == ",".join(COLUMNS)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", fields["event_time"])
    assert fields["event_type"] == "signup"
    assert fields["amount"] == "0.00"
    assert re.fullmatch(r"C\d{6}", fields["customer_id"])


def test_csv_reads_back_with_text_customer_ids(tmp_path: Path):
    written = write_events(tmp_path / "events.csv", customers=200)
    read_back = pl.read_csv(written.path, schema_overrides={"customer_id": pl.String})

    assert read_back.height == written.rows
    assert read_back["customer_id"].str.starts_with("C000").all()


def test_failed_write_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def failing_chunks(*args, **kwargs):
        yield generate_events(customers=20)
        raise OSError("disk full")

    monkeypatch.setattr(demo_writer, "iter_event_chunks", failing_chunks)
    folder = tmp_path / "out"

    with pytest.raises(OSError, match="disk full"):
        write_events(folder / "events.parquet", customers=40)
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    "arguments",
    [
        {"customers": 0},
        {"customers": 10, "target_events": 100},
        {"target_events": 0},
        {"seed": -1},
        {"seed": -1, "target_events": 1_000},
        {"start": "2025-01-01", "end": "2024-12-31"},
        {"start": "01/02/2024"},
        {"format": "xlsx"},
    ],
    ids=[
        "no-customers",
        "customers-and-target",
        "no-target",
        "negative-seed",
        "negative-seed-with-target",
        "end-before-start",
        "bad-date",
        "unknown-format",
    ],
)
def test_invalid_arguments_are_rejected(tmp_path: Path, arguments: dict):
    with pytest.raises(InvalidInputError):
        write_events(tmp_path / "events.csv", **arguments)
    assert not (tmp_path / "events.csv").exists()


# --- growthlens demo ---------------------------------------------------------------------


def run_cli(capsys: pytest.CaptureFixture, *arguments: str) -> tuple[int, str, str]:
    status = main(list(arguments))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def stored_events(database_path: Path) -> pl.DataFrame:
    with duckdb.connect(str(database_path), read_only=True) as db:
        db.execute("SET TimeZone = 'UTC'")
        return db.sql(
            """
            SELECT event_id, customer_id, event_time, event_type,
                   CAST(amount AS DECIMAL(18, 2)) AS amount, currency,
                   attributes['channel'] AS channel, attributes['country'] AS country,
                   attributes['plan'] AS plan, attributes['campaign'] AS campaign
            FROM events ORDER BY event_id
            """
        ).pl()


def import_count(database_path: Path) -> int:
    with duckdb.connect(str(database_path), read_only=True) as db:
        return db.execute("SELECT count(*) FROM imports").fetchone()[0]


def test_demo_loads_every_generated_event(capsys, database_path: Path):
    status, out, err = run_cli(capsys, "demo")
    expected = generate_events()

    assert status == 0, err
    stored = stored_events(database_path)
    assert stored.height == expected.height
    assert stored.equals(expected.sort("event_id").select(stored.columns))
    assert f"Loaded {expected.height:,} demo events for 4,000 customers" in out
    assert "2024-01-01 to 2025-12-31" in out


def test_demo_json_reports_what_was_loaded(capsys, database_path: Path):
    status, out, err = run_cli(
        capsys, "demo", "--seed", "3", "--customers", "300", "--format", "json"
    )
    expected = generate_events(seed=3, customers=300)
    report = json.loads(out)

    assert status == 0, err
    assert report["loaded"] is True
    assert report["rows_loaded"] == expected.height
    assert report["rows_read"] == expected.height
    assert report["rows_rejected"] == 0
    assert report["customers"] == 300
    assert report["first_event"] == expected["event_time"].min().isoformat()
    assert report["last_event"] == expected["event_time"].max().isoformat()
    assert Path(report["file"]).parent == database_path.parent


def test_demo_if_empty_twice_loads_once(capsys, database_path: Path):
    first_status, first_out, _ = run_cli(capsys, "demo", "--if-empty", "--format", "json")
    loaded = stored_events(database_path).height
    second_status, second_out, _ = run_cli(capsys, "demo", "--if-empty", "--format", "json")

    assert first_status == 0
    assert second_status == 0
    assert json.loads(first_out)["loaded"] is True
    assert json.loads(second_out)["loaded"] is False
    assert json.loads(second_out)["events_before"] == loaded
    assert stored_events(database_path).height == loaded
    assert import_count(database_path) == 1


def test_demo_if_empty_leaves_user_data_alone(capsys, tmp_path: Path, database_path: Path):
    user_file = tmp_path / "orders.csv"
    user_file.write_text("customer_id,order_date,revenue\n0042,2024-05-01,19.99\n")
    ingest_status, _, ingest_err = run_cli(capsys, "ingest", str(user_file))

    status, out, _ = run_cli(capsys, "demo", "--if-empty")

    assert ingest_status == 0, ingest_err
    assert status == 0
    assert "already has 1 event," in out
    assert stored_events(database_path)["customer_id"].to_list() == ["0042"]


def test_demo_again_with_same_seed_changes_nothing(capsys, database_path: Path):
    run_cli(capsys, "demo", "--customers", "300")
    loaded = stored_events(database_path)

    status, out, _ = run_cli(capsys, "demo", "--customers", "300")

    assert status == 0
    assert "already loaded" in out
    assert stored_events(database_path).equals(loaded)
    assert import_count(database_path) == 1


def test_demo_rejects_a_second_demo_data_set(capsys, database_path: Path):
    run_cli(capsys, "demo", "--customers", "300")
    loaded = stored_events(database_path)

    status, _, err = run_cli(capsys, "demo", "--customers", "300", "--seed", "8")

    assert status == 2
    assert "already contains another demo data set" in err
    assert "Traceback" not in err
    assert stored_events(database_path).equals(loaded)


def test_demo_writes_to_the_given_database(capsys, tmp_path: Path, database_path: Path):
    other = tmp_path / "other.duckdb"

    status, _, err = run_cli(capsys, "demo", "--customers", "200", "--db", str(other))

    assert status == 0, err
    assert stored_events(other)["customer_id"].n_unique() == 200
    assert not database_path.exists()


def test_ingest_guesses_the_demo_columns_without_a_mapping(tmp_path: Path, settings):
    written = write_events(tmp_path / "events.parquet", customers=100)

    preview = preview_file(written.path, IngestOptions(), settings)

    assert preview.missing_fields == []
    for field in ("customer_id", "event_time", "event_type", "amount", "event_id", "currency"):
        assert preview.mapping[field] == field
    assert set(preview.attributes) == {"channel", "country", "plan", "campaign"}
