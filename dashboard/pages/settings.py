"""Settings page: the narrative model and the analysis defaults, saved to settings.json."""

from __future__ import annotations

import streamlit as st

from analytics.config import bundled_model_path, save_settings
from dashboard import state
from dashboard.components import format as show
from dashboard.filters import GRAINS
from dashboard.settings_form import (
    MAX_CONTEXT_SIZE,
    MAX_GPU_LAYERS,
    MAX_SEED,
    MAX_TEMPERATURE,
    MIN_CONTEXT_SIZE,
    SettingsForm,
    file_settings,
    form_from_settings,
    settings_from_form,
)
from dashboard.shell import require_shell

require_shell()

settings = state.run_settings()
saved = form_from_settings(settings)

st.title("Settings")
st.caption(
    f"Saved to {show.md(settings.settings_file)}. Environment variables "
    f"({show.md('GROWTH_*')}) override them."
)

with st.form("settings_form"):
    st.subheader("Narrative model")
    bundled = bundled_model_path()
    model_path = st.text_input(
        "Model file (GGUF)",
        value=saved.model_path,
        placeholder=f"bundled: {bundled}" if bundled else "path to a .gguf file",
        help="Leave empty to use the bundled SmolLM2-135M model.",
        key="settings_model_path",
    )
    left, right = st.columns(2)
    context_size = left.number_input(
        "Context size (tokens)",
        min_value=MIN_CONTEXT_SIZE,
        max_value=MAX_CONTEXT_SIZE,
        value=saved.context_size,
        step=256,
        key="settings_context_size",
    )
    threads = right.number_input(
        "Threads (0 = automatic)",
        min_value=0,
        value=saved.threads,
        step=1,
        key="settings_threads",
    )
    gpu_layers = left.number_input(
        "GPU layers",
        min_value=0,
        max_value=MAX_GPU_LAYERS,
        value=saved.gpu_layers,
        step=1,
        help="Layers offloaded to the GPU by a CUDA or Metal build of llama.cpp.",
        key="settings_gpu_layers",
    )
    seed = right.number_input(
        "Seed", min_value=0, max_value=MAX_SEED, value=saved.seed, step=1, key="settings_seed"
    )
    temperature = left.number_input(
        "Temperature",
        min_value=0.0,
        max_value=MAX_TEMPERATURE,
        value=float(saved.temperature),
        step=0.05,
        format="%.2f",
        help="0 gives the same text for the same facts.",
        key="settings_temperature",
    )

    st.subheader("Analysis defaults")
    left, right = st.columns(2)
    grain = left.selectbox(
        "Default grain",
        GRAINS,
        index=GRAINS.index(saved.grain) if saved.grain in GRAINS else 2,
        key="settings_grain",
    )
    window = right.text_input(
        "Default activity window",
        value=saved.window,
        help="auto, period, subscription, or a number of days such as 90D.",
        key="settings_window",
    )
    reporting_timezone = left.text_input(
        "Reporting time zone",
        value=saved.reporting_timezone,
        help="IANA name such as Europe/Berlin; its calendar defines the periods.",
        key="settings_reporting_timezone",
    )
    timezone = right.text_input(
        "Time zone of timestamps without an offset",
        value=saved.timezone,
        help="IANA name used when a file's timestamps carry no UTC offset.",
        key="settings_timezone",
    )
    gross_margin = left.text_input(
        "Gross margin",
        value=saved.gross_margin,
        help="Fraction of revenue kept, such as 0.6 or 60%; empty means CLV on revenue.",
        key="settings_gross_margin",
    )
    submitted = st.form_submit_button("Save settings", type="primary", key="settings_save")

if submitted:
    form = SettingsForm(
        model_path=model_path,
        context_size=int(context_size),
        threads=int(threads),
        gpu_layers=int(gpu_layers),
        seed=int(seed),
        temperature=float(temperature),
        grain=grain,
        window=window,
        timezone=timezone,
        reporting_timezone=reporting_timezone,
        gross_margin=gross_margin,
    )
    updated, problems = settings_from_form(form, file_settings(settings))
    if problems:
        listed = "\n".join(f"- {show.md(problem)}" for problem in problems)
        st.error(f"Settings not saved:\n\n{listed}")
    else:
        path = save_settings(updated)
        st.success(f"Settings saved to {show.md(path)}. Pages use them from now on.")
