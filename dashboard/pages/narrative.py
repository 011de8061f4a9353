"""Narrative page: a short text about the latest complete period, streamed as the model
writes it, then shown with its origin, the facts it rests on and its notes."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics.narrative import MODEL, write_narrative
from dashboard import state
from dashboard.components import format as show
from dashboard.components.tables import show_table
from dashboard.engine import load_engine
from dashboard.shell import require_shell
from dashboard.view import load_view

require_shell()

st.title("Narrative")
view = load_view(state.run_settings())
settings = view.settings

st.caption(
    f"About {view.scope}: written from the computed facts below, reworded by a local model "
    "and checked so that every number in it is one of those facts."
)

# None makes write_narrative try the model again and explain the failure in its notes.
engine = load_engine(settings.model)

box = st.container(border=True)
with box:
    text_slot = st.empty()
streamed: list[str] = []


def on_token(piece: str) -> None:
    streamed.append(piece)
    text_slot.markdown(show.md("".join(streamed)) + " ▌")


def on_attempt(number: int) -> None:
    streamed.clear()
    text_slot.caption("Writing…" if number == 1 else f"Writing again (attempt {number})…")


# With a segment attribute and no value chosen, the result contains every segment, and
# the narrative names the values that moved most.
with st.spinner("Writing the narrative…"):
    narrative = write_narrative(
        view.shown, settings, engine=engine, on_token=on_token, on_attempt=on_attempt
    )
text_slot.markdown(show.md(narrative.text))

if narrative.source == MODEL:
    box.caption(f"Written by the model {narrative.model}, checked against the facts.")
elif narrative.model:
    box.caption(f"Template narrative: the text of {narrative.model} was not used (see the notes).")
else:
    box.caption("Template narrative: no model was available (see the notes).")

if narrative.notes:
    st.subheader("Notes")
    st.markdown("\n".join(f"- {show.md(note)}" for note in narrative.notes))

st.subheader("Facts used")
facts = pl.DataFrame(
    [
        {"id": fact.id, "label": fact.label, "shown as": fact.formatted, "period": fact.period}
        for fact in narrative.facts
    ],
    schema={"id": pl.String, "label": pl.String, "shown as": pl.String, "period": pl.String},
)
show_table(facts, key="narrative_facts", file_name="growthlens_narrative_facts.csv")
