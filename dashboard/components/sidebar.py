"""The sidebar: which data set is shown, and the filters every analysis page uses.

The filters are read in two steps around the page. Before it, :func:`prepare_sidebar`
draws the data set indicator and reads the filter values from the widgets' session
state. After it, :func:`render_filters` draws the widgets. The page therefore reaches
the browser first, and the widgets' scripts, which a new browser session loads one by
one, no longer delay the KPI cards.

The widgets are seeded from the session's canonical filters (see dashboard.state), so a
widget that is not drawn on some page loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import streamlit as st

from analytics.config import Settings
from analytics.errors import GrowthLensError
from dashboard import state
from dashboard.components.format import md
from dashboard.data import DataSet, DataSummary, DataVersion, read_data_version, read_summary
from dashboard.filters import GRAINS, Filters, fit_date_range, normalize_window, window_choices
from dashboard.messages import dashboard_message
from dashboard.segments import ordered_segments, segment_label
from dashboard.view import metric_request, read_metrics, read_segment_attributes

GRAIN_KEY = "sidebar_grain"
WINDOW_KEY = "sidebar_window"
FROM_KEY = "sidebar_from"
TO_KEY = "sidebar_to"
SEGMENT_KEY = "sidebar_segment"
SEGMENT_VALUE_KEY = "sidebar_segment_value"
BACK_TO_WORKSPACE_KEY = "sidebar_back_to_workspace"
FILTER_KEYS = (GRAIN_KEY, WINDOW_KEY, FROM_KEY, TO_KEY, SEGMENT_KEY, SEGMENT_VALUE_KEY)
# Options meaning "no segment" and "all customers". A selectbox shows None as an empty
# choice, and no attribute name or value starts with a NUL character.
NO_SEGMENT = "\x00none"
ALL_VALUES = "\x00all"

WINDOW_HELP = (
    "How a customer counts as active for a period. auto: the subscription model when the "
    "data has subscription events, else 90 days. period: made a paid purchase in the "
    "period. subscription: a subscription runs at the period's end. 90D: latest paid "
    "purchase within the 90 days up to the period's end."
)


@dataclass
class FilterPlan:
    """The data set and notices that the filter widgets need after the page."""

    settings: Settings
    dataset: DataSet
    version: DataVersion
    summary: DataSummary
    notices: list[str] = field(default_factory=list)

    @property
    def attributes(self) -> list[str]:
        """Return the attributes that can split the metrics (cached per data version)."""
        return read_segment_attributes(str(self.dataset.path), self.version)


def prepare_sidebar(settings: Settings, show_filters: bool) -> FilterPlan | None:
    """Draw the data set indicator and read the current filters from the widgets' state.

    Returns what :func:`render_filters` needs, or None on pages without filters and for
    a data set without events.
    """
    dataset = state.current_dataset()
    version = read_data_version(dataset.path)
    summary = read_summary(str(dataset.path), version, settings.reporting_timezone)
    with st.sidebar:
        for notice in state.take_notices():
            st.warning(md(notice))
        _render_dataset_indicator(settings, dataset, summary)
    if not show_filters or summary.events == 0:
        return None
    plan = FilterPlan(settings, dataset, version, summary)
    state.set_filters(_filters_from_widget_state(state.current_filters(), plan))
    return plan


def render_filters(plan: FilterPlan) -> None:
    """Draw the filter widgets, after the page, and store the filters they show."""
    filters = state.current_filters()
    with st.sidebar:
        for notice in plan.notices:
            st.warning(md(notice))
        st.subheader("Filters")
        grain = st.selectbox("Grain", GRAINS, key=GRAIN_KEY, format_func=str.capitalize)
        window = st.selectbox(
            "Activity window",
            window_choices(st.session_state[WINDOW_KEY]),
            key=WINDOW_KEY,
            help=WINDOW_HELP,
        )
        first_day, last_day = _date_bounds(plan.summary, filters)
        date_from = st.date_input(
            "From",
            value=None,
            min_value=first_day,
            max_value=last_day,
            key=FROM_KEY,
            help="First day of the periods listed and of the CLV window; empty means the "
            "first event.",
        )
        date_to = st.date_input(
            "To",
            value=None,
            min_value=date_from or first_day,
            max_value=last_day,
            key=TO_KEY,
            help="Last day of the periods listed and of the CLV window; empty means the "
            "last event.",
        )
        chosen = st.selectbox(
            "Segment by",
            [NO_SEGMENT, *plan.attributes],
            key=SEGMENT_KEY,
            format_func=lambda name: "No segment" if name == NO_SEGMENT else name,
            help="Attribute that splits every metric; a customer's value is the one on its "
            "first activity.",
        )
        segment = None if chosen == NO_SEGMENT else chosen
        segment_value = _render_segment_value(plan, filters, segment) if segment else None
    state.set_filters(
        filters.with_changes(
            grain=grain,
            window=window,
            date_from=date_from,
            date_to=date_to,
            segment=segment,
            segment_value=segment_value,
        )
    )


def _render_dataset_indicator(settings: Settings, dataset: DataSet, summary: DataSummary) -> None:
    if dataset.is_workspace:
        st.caption(f"Data set: **workspace** ({summary.events:,} events)")
        return
    name = md(summary.latest_file_name or dataset.scratch_name)
    st.info(
        f"Data set: **{name}**, analysed on its own ({summary.events:,} events). "
        "The workspace is unchanged.",
        icon=":material/science:",
    )
    st.button(
        "Back to workspace",
        key=BACK_TO_WORKSPACE_KEY,
        on_click=state.show_workspace,
        args=(settings,),
        icon=":material/arrow_back:",
    )


def _seed(key: str, value) -> None:
    if key not in st.session_state:
        st.session_state[key] = value


def _filters_from_widget_state(filters: Filters, plan: FilterPlan) -> Filters:
    """Return the filters the widgets will show, fixing values that became invalid.

    Widget keys are seeded from ``filters`` where they have no value, or all of them
    when the filters were changed outside the sidebar (a new data set, for example).
    """
    if state.sidebar_is_stale():
        for key in FILTER_KEYS:
            st.session_state.pop(key, None)
        state.mark_sidebar_current()
    _seed(GRAIN_KEY, filters.grain)
    _seed(WINDOW_KEY, filters.window)
    _seed(FROM_KEY, filters.date_from)
    _seed(TO_KEY, filters.date_to)
    _seed(SEGMENT_KEY, filters.segment or NO_SEGMENT)
    _seed(SEGMENT_VALUE_KEY, ALL_VALUES if filters.segment_value is None else filters.segment_value)

    if st.session_state[GRAIN_KEY] not in GRAINS:
        st.session_state[GRAIN_KEY] = filters.grain
    if normalize_window(str(st.session_state[WINDOW_KEY])) is None:
        st.session_state[WINDOW_KEY] = filters.window
    date_from, date_to = st.session_state[FROM_KEY], st.session_state[TO_KEY]
    if date_from is not None and date_to is not None and date_to < date_from:
        st.session_state[TO_KEY] = date_to = None
    # Dates from a shared URL may lie outside this data set, which would leave the metrics
    # no period to report.
    date_from, date_to, notice = fit_date_range(
        date_from, date_to, plan.summary.first_day, plan.summary.last_day
    )
    if notice:
        state.add_view_notice(notice)
        st.session_state[FROM_KEY], st.session_state[TO_KEY] = date_from, date_to

    segment_key = st.session_state[SEGMENT_KEY]
    if segment_key != NO_SEGMENT and segment_key not in plan.attributes:
        plan.notices.append(f"Ignored segment '{segment_key}': the data has no such attribute.")
        st.session_state[SEGMENT_KEY] = segment_key = NO_SEGMENT
    segment = None if segment_key == NO_SEGMENT else segment_key
    if segment != filters.segment:
        st.session_state[SEGMENT_VALUE_KEY] = ALL_VALUES  # values of another attribute
    value_key = st.session_state[SEGMENT_VALUE_KEY]
    return filters.with_changes(
        grain=st.session_state[GRAIN_KEY],
        window=st.session_state[WINDOW_KEY],
        date_from=date_from,
        date_to=date_to,
        segment=segment,
        segment_value=None if segment is None or value_key == ALL_VALUES else value_key,
    )


def _render_segment_value(plan: FilterPlan, filters: Filters, segment: str) -> str | None:
    request = metric_request(filters, plan.settings, segment)
    current = st.session_state.get(SEGMENT_VALUE_KEY, ALL_VALUES)
    try:
        segmented = read_metrics(str(plan.dataset.path), plan.version, request)
    except GrowthLensError as error:
        # The page shows the same error in full. The widget keeps the value chosen so far.
        st.caption(f"The values of {md(segment)} cannot be listed: {md(dashboard_message(error))}")
        segmented = {"segments": [] if current == ALL_VALUES else [{"value": current}]}
    values = [
        segment_label(part.get("value"))
        for part in ordered_segments(segmented.get("segments") or [])
    ]
    if current not in (ALL_VALUES, *values):
        st.warning(f"Ignored {md(segment)} '{md(current)}': no customer has that value.")
        st.session_state[SEGMENT_VALUE_KEY] = ALL_VALUES
    chosen = st.selectbox(
        f"Show {segment}",
        [ALL_VALUES, *values],
        key=SEGMENT_VALUE_KEY,
        format_func=lambda value: "All customers" if value == ALL_VALUES else value,
    )
    return None if chosen == ALL_VALUES else chosen


def _date_bounds(summary: DataSummary, filters: Filters) -> tuple[date | None, date | None]:
    """Return the date inputs' bounds: the data's days, widened to hold chosen dates."""
    days = [day for day in (summary.first_day, summary.last_day) if day is not None]
    days += [day for day in (filters.date_from, filters.date_to) if day is not None]
    if not days:
        return None, None
    return min(days), max(days)
