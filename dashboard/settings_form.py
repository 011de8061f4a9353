"""Validation of the Settings page's form: raw widget values in, Settings or messages out."""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from analytics.config import Settings, settings_from_dict
from analytics.errors import ModelUnavailableError
from analytics.metrics.options import MAX_WINDOW_DAYS
from analytics.narrative.model_file import inspect_model_file
from dashboard.filters import GRAINS, normalize_window

MIN_CONTEXT_SIZE = 256  # tokens; the narrative prompt alone needs a few hundred
MAX_CONTEXT_SIZE = 131_072
MAX_GPU_LAYERS = 1_000
MAX_SEED = 2**31 - 1
MAX_TEMPERATURE = 2.0


@dataclass(frozen=True)
class SettingsForm:
    """The Settings page's values as the widgets return them."""

    model_path: str  # empty means the bundled model
    context_size: int
    threads: int  # 0 lets llama.cpp choose
    gpu_layers: int
    seed: int
    temperature: float
    grain: str
    window: str
    timezone: str
    reporting_timezone: str
    gross_margin: str  # empty means none; a fraction such as 0.6 or a percentage such as 60%


def file_settings(settings: Settings) -> Settings:
    """Return the settings that settings.json and the defaults give, without the GROWTH_*
    environment variables, so that saving the form does not write those into the file."""
    path = settings.settings_file
    values = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return settings_from_dict(values, settings.home)


def form_from_settings(settings: Settings) -> SettingsForm:
    """Return the form values that show ``settings``."""
    margin = settings.gross_margin
    return SettingsForm(
        model_path=str(settings.model.path) if settings.model.path is not None else "",
        context_size=settings.model.context_size,
        threads=settings.model.threads or 0,
        gpu_layers=settings.model.gpu_layers,
        seed=settings.model.seed,
        temperature=settings.model.temperature,
        grain=settings.grain,
        window=settings.window,
        timezone=settings.timezone,
        reporting_timezone=settings.reporting_timezone,
        gross_margin="" if margin is None else f"{margin:g}",
    )


def settings_from_form(form: SettingsForm, current: Settings) -> tuple[Settings | None, list[str]]:
    """Return the settings the form describes, or None and one message per invalid value."""
    problems: list[str] = []

    model_path = None
    if form.model_path.strip():
        model_path = Path(form.model_path.strip()).expanduser()
        try:
            inspect_model_file(model_path, current.model.max_file_bytes)
        except ModelUnavailableError as error:
            problems.append(f"Model file: {error}")

    if not MIN_CONTEXT_SIZE <= form.context_size <= MAX_CONTEXT_SIZE:
        problems.append(
            f"Context size {form.context_size} is out of range: expected "
            f"{MIN_CONTEXT_SIZE} to {MAX_CONTEXT_SIZE} tokens."
        )
    max_threads = 4 * (os.cpu_count() or 1)
    if not 0 <= form.threads <= max_threads:
        problems.append(
            f"Threads {form.threads} is out of range: expected 0 (automatic) to {max_threads}."
        )
    if not 0 <= form.gpu_layers <= MAX_GPU_LAYERS:
        problems.append(
            f"GPU layers {form.gpu_layers} is out of range: expected 0 to {MAX_GPU_LAYERS}."
        )
    if not 0 <= form.seed <= MAX_SEED:
        problems.append(f"Seed {form.seed} is out of range: expected 0 to {MAX_SEED}.")
    if not 0.0 <= form.temperature <= MAX_TEMPERATURE:
        problems.append(
            f"Temperature {form.temperature} is out of range: expected 0 to {MAX_TEMPERATURE}."
        )

    if form.grain not in GRAINS:
        problems.append(f"Grain '{form.grain}' is invalid: expected one of {', '.join(GRAINS)}.")
    window = normalize_window(form.window) if form.window.strip() else None
    if window is None:
        problems.append(
            f"Window '{form.window}' is invalid: expected auto, period, subscription or a "
            f"number of days from 1 to {MAX_WINDOW_DAYS:,} such as 90D."
        )
    for label, zone in (
        ("Data time zone", form.timezone),
        ("Reporting time zone", form.reporting_timezone),
    ):
        if not _is_time_zone(zone):
            problems.append(
                f"{label} '{zone}' is not a known IANA time zone such as Europe/Berlin."
            )

    gross_margin, margin_problem = parse_gross_margin(form.gross_margin)
    if margin_problem:
        problems.append(margin_problem)

    if problems:
        return None, problems
    model = dataclasses.replace(
        current.model,
        path=model_path,
        context_size=form.context_size,
        threads=form.threads or None,
        gpu_layers=form.gpu_layers,
        seed=form.seed,
        temperature=form.temperature,
    )
    settings = current.replace(
        model=model,
        grain=form.grain,
        window=window,
        timezone=form.timezone,
        reporting_timezone=form.reporting_timezone,
        gross_margin=gross_margin,
    )
    return settings, []


def parse_gross_margin(text: str) -> tuple[float | None, str | None]:
    """Read a gross margin as a fraction in (0, 1]: ``0.6`` and ``60%`` both give 0.6.

    Returns the value (None when ``text`` is empty) and a message when it is invalid.
    """
    cleaned = text.strip()
    if not cleaned:
        return None, None
    percent = cleaned.endswith("%")
    try:
        value = float(cleaned.rstrip("%").strip())
    except ValueError:
        return (
            None,
            f"Gross margin '{text}' is not a number: expected a fraction such as 0.6 or 60%.",
        )
    if percent:
        value /= 100
    if not 0 < value <= 1:
        return (
            None,
            f"Gross margin '{text}' is out of range: expected more than 0 and at most 1 (100%).",
        )
    return value, None


def _is_time_zone(name: str) -> bool:
    if not name or name != name.strip():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
