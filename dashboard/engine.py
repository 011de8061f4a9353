"""The narrative model, loaded once per process and model settings."""

from __future__ import annotations

import streamlit as st

from analytics.config import ModelSettings
from analytics.errors import ModelUnavailableError
from analytics.narrative.llama import LlamaEngine


@st.cache_resource(show_spinner=False, max_entries=2)
def _load_engine(model: ModelSettings) -> LlamaEngine:
    return LlamaEngine(model)


def load_engine(model: ModelSettings) -> LlamaEngine | None:
    """Return the llama.cpp engine for ``model``, or None when its file is unusable.

    Creating the engine only checks the file's header; llama.cpp loads the weights on
    first use. A failure is not cached, so a file fixed later is picked up.
    """
    try:
        return _load_engine(model)
    except ModelUnavailableError:
        return None
