"""The frame around every page: settings, session state, navigation, sidebar and the
error boundary. ``dashboard/app.py`` runs it; every page file calls
:func:`require_shell` first.

Each run loads the settings, creates the session state on a session's first run, draws
the navigation, reads the filters, mirrors the view in the URL, runs the chosen page and
then draws the filter widgets in the sidebar.
Domain errors reach the user as messages. An unexpected failure is logged with its
traceback on the server and shown in the page as one line. A page that ends early
(:func:`dashboard.page_stop.stop_page`) still gets its filters, so the user can change
the filter that caused a message.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import streamlit as st

from analytics.config import load_settings
from analytics.errors import GrowthLensError
from dashboard import state
from dashboard.components.format import md
from dashboard.components.sidebar import prepare_sidebar, render_filters
from dashboard.messages import dashboard_message
from dashboard.navigation import SECTIONS
from dashboard.page_stop import PageStopped

logger = logging.getLogger(__name__)

# Favicon file in this repository, served by the app's own server. A Material icon name
# here would make the browser fetch the icon from Google's font server.
PAGE_ICON = Path(__file__).resolve().parent / "static" / "favicon.png"

# Set while run_app() draws a page on this script thread.
_running = threading.local()


def _build_navigation() -> dict[str, list[st.Page]]:
    return {
        section: [
            st.Page(
                spec.path,
                title=spec.title,
                icon=spec.icon,
                url_path=spec.url_path or None,
                default=spec.url_path == "",
            )
            for spec in specs
        ]
        for section, specs in SECTIONS.items()
    }


def _has_filters(page: st.Page) -> bool:
    return any(
        spec.url_path == page.url_path and spec.has_filters
        for specs in SECTIONS.values()
        for spec in specs
    )


def _draw() -> None:
    try:
        settings = load_settings()
    except GrowthLensError as error:
        st.error(md(dashboard_message(error)))
        return
    state.init_session(settings, st.query_params.to_dict())
    state.set_run_settings(settings)
    page = st.navigation(_build_navigation())
    plan = prepare_sidebar(settings, show_filters=_has_filters(page))
    state.sync_query_params()
    try:
        page.run()
    except PageStopped:
        pass  # the page has shown its message
    finally:
        # Also after an error in the page, so the filters stay visible and can be changed.
        if plan is not None:
            render_filters(plan)
            state.sync_query_params()


def run_app() -> None:
    """Draw the app for one script run; no exception escapes as a traceback."""
    st.set_page_config(page_title="GrowthLens", page_icon=str(PAGE_ICON), layout="wide")
    _running.active = True
    try:
        _draw()
    except GrowthLensError as error:
        st.error(md(dashboard_message(error)))
    except Exception:  # noqa: BLE001 - the edge where any failure becomes a message
        logger.exception("unexpected failure while drawing the page")
        st.error(
            "Something went wrong while drawing this page. The details are in the server "
            "log; reload the page to try again."
        )
    finally:
        _running.active = False


def require_shell() -> None:
    """Make sure the page runs inside run_app(); call it first in every page file.

    Streamlit runs a file of a ``pages/`` folder beside the main script on its own when
    no ``st.navigation`` call has happened yet in the process (its first run) and in
    every ``AppTest`` run. The page then runs the whole app, which draws that same page
    through the navigation, and stops the bare run.
    """
    if getattr(_running, "active", False):
        return
    run_app()
    st.stop()
