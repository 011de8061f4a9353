"""Shared fixtures: every test runs with GROWTH_HOME in its own temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from shared_paths import CASES_DIR, CDNOW_DIR, REPOSITORY_ROOT, SHARED_ROOT

from analytics.config import Settings, load_settings

__all__ = ["CASES_DIR", "CDNOW_DIR", "REPOSITORY_ROOT", "SHARED_ROOT"]


@pytest.fixture(autouse=True)
def growth_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point GROWTH_HOME at a fresh folder so that no test touches a user's data."""
    home = tmp_path / "growth_home"
    home.mkdir()
    monkeypatch.setenv("GROWTH_HOME", str(home))
    for variable in ("GROWTH_DB", "GROWTH_MODEL_PATH", "GROWTH_TIMEZONE", "GROWTH_DEBUG"):
        monkeypatch.delenv(variable, raising=False)
    return home


@pytest.fixture
def settings(growth_home: Path) -> Settings:
    """Settings rooted at the test's GROWTH_HOME."""
    return load_settings(growth_home)


@pytest.fixture
def database_path(settings: Settings) -> Path:
    """Path of the test's database file (not yet created)."""
    return settings.database_path
