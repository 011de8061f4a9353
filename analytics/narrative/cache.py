"""Narratives cached on disk, one small JSON file per key, under GROWTH_HOME.

The key covers everything the text depends on: the facts, the model file (path, size,
modification time), the prompt version and the generation settings. The events
database is never touched.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)

CACHE_FOLDER = ("cache", "narratives")
MAX_ENTRIES = 500  # older entries are deleted beyond this many files


def cache_key(**parts) -> str:
    """Return a stable hash of ``parts`` (JSON-ready values)."""
    encoded = json.dumps(parts, sort_keys=True, ensure_ascii=True, default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


class NarrativeCache:
    """A folder of cached narratives; unreadable entries count as misses."""

    def __init__(self, home: Path) -> None:
        self.folder = Path(home).joinpath(*CACHE_FOLDER)

    def get(self, key: str) -> dict | None:
        """Return the entry stored under ``key``, or None."""
        path = self.folder / f"{key}.json"
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            logger.warning("narrative cache entry %s is unreadable; ignoring it", path)
            return None
        return entry if isinstance(entry, dict) else None

    def put(self, key: str, entry: dict) -> None:
        """Store ``entry`` under ``key``; a failure to write is logged, not raised."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=self.folder, suffix=".tmp", delete=False
            ) as file:
                json.dump(entry, file, ensure_ascii=False)
            os.replace(file.name, self.folder / f"{key}.json")
            self._prune()
        except OSError as error:
            logger.warning("could not write the narrative cache in %s: %s", self.folder, error)

    def _prune(self) -> None:
        entries = sorted(self.folder.glob("*.json"), key=_modified_time)
        for path in entries[: max(len(entries) - MAX_ENTRIES, 0)]:
            path.unlink(missing_ok=True)


def _modified_time(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
