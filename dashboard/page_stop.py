"""Ending a page early without losing the sidebar.

``st.stop()`` leaves a stop request pending for the rest of the script run, so every
Streamlit call after it, such as the filter widgets the shell draws after the page, raises
again and is dropped. A page ends early with :func:`stop_page` instead, and the shell
catches :class:`PageStopped` and still draws the filters.
"""

from __future__ import annotations

from typing import NoReturn


class PageStopped(Exception):
    """Raised by :func:`stop_page` after the page has shown why it ends. The shell catches
    it and draws the rest of the app."""


def stop_page() -> NoReturn:
    """End the current page by raising PageStopped. Call it after drawing the message
    that explains why."""
    raise PageStopped
