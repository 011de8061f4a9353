"""Warning boxes for the caveats of a metrics result (its ``warnings``), drawn above the
figures they qualify."""

from __future__ import annotations

import streamlit as st

from dashboard.components.format import md


def warning_messages(metrics: dict, skip_codes: tuple[str, ...] = ()) -> list[str]:
    """Return the message of each warning in ``metrics``, except those of ``skip_codes``."""
    messages = []
    for warning in metrics.get("warnings") or []:
        if not isinstance(warning, dict) or warning.get("code") in skip_codes:
            continue
        message = str(warning.get("message") or warning.get("code") or "").strip()
        if message and message not in messages:
            messages.append(message)
    return messages


def render_metric_warnings(metrics: dict, skip_codes: tuple[str, ...] = ()) -> None:
    """Draw one warning box per caveat of the metrics result."""
    for message in warning_messages(metrics, skip_codes):
        st.warning(md(message), icon=":material/warning:")
