"""Streaming model text to a display with its placeholders already filled in."""

from __future__ import annotations

from analytics.narrative.engine import TokenCallback
from analytics.narrative.template import Draft

MAX_PLACEHOLDER_CHARS = 8  # "[F1234]" and its closing bracket


class PlaceholderStream:
    """Pass text on as it arrives, holding back a piece that may be an unfinished placeholder.

    The streamed text is a preview: the narrative returned at the end is what counts,
    because the model's text may still fail the check and be replaced by the template.
    """

    def __init__(self, draft: Draft, on_text: TokenCallback, lead: str = "") -> None:
        self.draft = draft
        self.on_text = on_text
        self.pending = ""
        self.lead = lead  # sent before the first text, such as the space after a sentence

    def feed(self, piece: str) -> None:
        self.pending += piece
        cut = self.pending.rfind("[")
        if (
            cut != -1
            and "]" not in self.pending[cut:]
            and len(self.pending) - cut <= MAX_PLACEHOLDER_CHARS
        ):
            ready, self.pending = self.pending[:cut], self.pending[cut:]
        else:
            ready, self.pending = self.pending, ""
        if ready:
            self._send(ready)

    def close(self) -> None:
        if self.pending:
            self._send(self.pending)
            self.pending = ""

    def _send(self, text: str) -> None:
        self.on_text(self.lead + self.draft.fill(text))
        self.lead = ""
