"""The grounded narrative: a short text about the latest complete period, written from
facts, reworded by a local model when one is available, and checked before it is shown."""

from analytics.narrative.engine import Engine, ScriptedEngine
from analytics.narrative.writer import MODEL, TEMPLATE, Narrative, write_narrative

__all__ = ["MODEL", "TEMPLATE", "Engine", "Narrative", "ScriptedEngine", "write_narrative"]
