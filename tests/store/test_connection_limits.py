"""DuckDB's memory limit, threads and spill folder on every connection GrowthLens opens, and
waits for a database that another DuckDB instance of this process holds."""

from __future__ import annotations

import os
import threading
import time

import duckdb
import pytest
from ingest_support import CASES_DIR

from analytics.config import LimitSettings, load_settings
from analytics.errors import DatabaseBusyError, GrowthLensError, InvalidInputError
from analytics.store.connection import connect, ensure_database
from analytics.store.ingest import IngestOptions, ingest_file, staging


def _setting(connection: duckdb.DuckDBPyConnection, name: str):
    return connection.execute("SELECT current_setting(?)", [name]).fetchone()[0]


def test_connect_applies_limit_settings(settings):
    limited = settings.replace(limits=LimitSettings(duckdb_memory_limit="512MB", duckdb_threads=1))
    with connect(settings.database_path, settings=limited) as connection:
        # DuckDB shows 512 MB (512,000,000 bytes) in binary units: 488.28 MiB.
        assert _setting(connection, "memory_limit") == "488.2 MiB"
        assert _setting(connection, "threads") == 1
        assert _setting(connection, "temp_directory") == str(
            settings.home / "tmp" / f"duckdb-{os.getpid()}"
        )
        assert _setting(connection, "TimeZone") == "UTC"
        # DuckDB's progress bar would print to standard output during long queries.
        assert _setting(connection, "enable_progress_bar_print") is False


def test_connect_reads_growth_home_limits(growth_home, monkeypatch):
    monkeypatch.setenv("GROWTH_DUCKDB_MEMORY_LIMIT", "256MB")
    monkeypatch.setenv("GROWTH_DUCKDB_THREADS", "1")
    path = growth_home / "other.duckdb"
    ensure_database(path)
    with connect(path, read_only=True) as connection:
        # 256,000,000 bytes = 244.14 MiB.
        assert _setting(connection, "memory_limit") == "244.1 MiB"
        assert _setting(connection, "threads") == 1


def test_default_memory_limit_is_2gb(settings):
    assert settings.limits.duckdb_memory_limit == "2GB"
    assert settings.limits.duckdb_threads is None
    with connect(settings.database_path, settings=settings) as connection:
        # 2 GB = 2,000,000,000 bytes = 1.8626 GiB.
        assert _setting(connection, "memory_limit") == "1.8 GiB"


def test_connect_spills_under_new_home(tmp_path):
    home = tmp_path / "new-home"
    limited = load_settings(home).replace(limits=LimitSettings(duckdb_memory_limit="64MB"))
    with connect(tmp_path / "elsewhere.duckdb", settings=limited) as connection:
        # 3M strings of 32 characters take well over 64 MB, so DuckDB spills the table.
        connection.execute(
            "CREATE TEMP TABLE digests AS SELECT md5(range::VARCHAR) AS digest FROM range(3000000)"
        )
        counted = connection.execute("SELECT count(DISTINCT digest) FROM digests").fetchone()
        spilled = connection.execute(
            "SELECT sum(temporary_storage_bytes) FROM duckdb_memory()"
        ).fetchone()[0]
    assert counted == (3_000_000,)
    assert spilled > 0
    assert (home / "tmp").is_dir()


def test_staging_spills_to_work_folder(settings, tmp_path):
    limited = settings.replace(limits=LimitSettings(duckdb_memory_limit="300MB"))
    with staging.staging_connection(tmp_path, "Europe/Berlin", limited) as connection:
        assert _setting(connection, "memory_limit") == "286.1 MiB"
        assert _setting(connection, "temp_directory") == str(tmp_path / "spill")
        assert _setting(connection, "TimeZone") == "Europe/Berlin"
        assert _setting(connection, "enable_progress_bar_print") is False


@pytest.mark.parametrize(
    ("limits", "named"),
    [
        (LimitSettings(duckdb_memory_limit="lots"), "limits.duckdb_memory_limit 'lots'"),
        (LimitSettings(duckdb_threads=0), "limits.duckdb_threads 0"),
    ],
    ids=["memory", "threads"],
)
def test_invalid_limit_names_its_setting(settings, limits, named):
    with pytest.raises(InvalidInputError, match=named):
        ensure_database(settings.database_path, settings=settings.replace(limits=limits))


def test_import_over_memory_limit_spills(settings, write_file):
    lines = ["event_id,customer_id,timestamp,amount,note"]
    lines += [
        f"e{index},C{index % 5000:05d},2024-01-{index % 28 + 1:02d},{index % 100}.50,"
        f"note number {index} with some padding text"
        for index in range(500_000)
    ]
    path = write_file("large.csv", "\n".join(lines) + "\n")
    limited = settings.replace(limits=LimitSettings(duckdb_memory_limit="64MB"))
    spilled: list[int] = []
    convert = staging._convert

    def convert_and_measure(runner, *args, **kwargs):
        converted = convert(runner, *args, **kwargs)
        spilled.append(
            runner.connection.execute(
                "SELECT sum(temporary_storage_bytes) FROM duckdb_memory()"
            ).fetchone()[0]
        )
        return converted

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(staging, "_convert", convert_and_measure)
        result = ingest_file(path, IngestOptions(), limited)
    assert (result.rows_read, result.rows_loaded) == (500_000, 500_000)
    assert spilled and spilled[0] > 0
    assert list((settings.home / "tmp").iterdir()) == []


def test_out_of_memory_is_a_message(settings, write_file):
    lines = ["customer_id,timestamp,amount"]
    lines += [f"C{index},2024-01-01,1" for index in range(200_000)]
    path = write_file("orders.csv", "\n".join(lines) + "\n")
    starved = settings.replace(limits=LimitSettings(duckdb_memory_limit="1MB"))
    with pytest.raises(GrowthLensError, match="setting limits.duckdb_memory_limit"):
        ingest_file(path, IngestOptions(), starved)
    assert not settings.database_path.exists()


def test_connect_waits_for_attached_database(settings):
    ensure_database(settings.database_path, settings=settings)
    holder = duckdb.connect()  # another DuckDB instance in this process, as an import's is
    holder.execute("ATTACH ? AS held", [str(settings.database_path)])
    try:
        with (
            pytest.raises(DatabaseBusyError, match="is busy"),
            connect(settings.database_path, lock_timeout=0.3, settings=settings),
        ):
            pass
    finally:
        holder.close()
    with connect(settings.database_path, read_only=True, settings=settings) as connection:
        assert connection.execute("SELECT count(*) FROM events").fetchone() == (0,)


def test_import_waits_for_local_reader(settings):
    ensure_database(settings.database_path, settings=settings)
    outcome: dict = {}

    def load() -> None:
        outcome["result"] = ingest_file(CASES_DIR / "refunds.csv", IngestOptions(), settings)

    with connect(settings.database_path, read_only=True, settings=settings):
        worker = threading.Thread(target=load)
        worker.start()
        time.sleep(1.0)
        # The import cannot write while this connection reads, so it waits.
        assert worker.is_alive()
    worker.join(timeout=120)
    assert outcome["result"].rows_loaded == 7
    reloaded = load_settings(settings.home)
    with connect(settings.database_path, read_only=True, settings=reloaded) as connection:
        assert connection.execute("SELECT count(*) FROM events").fetchone() == (7,)
