"""The embedded DuckDB store: connections, schema migrations, ingest and queries."""

from analytics.store.connection import connect, ensure_database
from analytics.store.migrations import MIGRATIONS, applied_migrations, migrate

__all__ = ["MIGRATIONS", "applied_migrations", "connect", "ensure_database", "migrate"]
