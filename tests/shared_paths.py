"""Paths of the repository and of the shared data and input cases beside it."""

from pathlib import Path

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
SHARED_ROOT = REPOSITORY_ROOT.parent / "shared"
CASES_DIR = SHARED_ROOT / "cases"
CDNOW_DIR = SHARED_ROOT / "data" / "cdnow"
