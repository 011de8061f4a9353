"""Fixtures for the reliability tests. The dashboard tests' helpers (dashboard_support,
browser_support) are made importable here as well."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from analytics.config import load_settings
from analytics.demo.load import load_demo

DASHBOARD_TESTS = Path(__file__).resolve().parents[1] / "dashboard"
if str(DASHBOARD_TESTS) not in sys.path:
    sys.path.insert(0, str(DASHBOARD_TESTS))


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding the demo data set, built once per test session."""
    home = tmp_path_factory.mktemp("reliability_demo_home")
    settings = load_settings(home)
    load_demo(settings)
    return settings.database_path


@pytest.fixture
def demo_database(demo_template: Path, database_path: Path) -> Path:
    """The test's workspace database, holding the demo data set."""
    database_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(demo_template, database_path)
    return database_path
