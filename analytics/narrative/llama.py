"""The llama.cpp engine (llama-cpp-python), loaded lazily and once per process and file.

The model file's header is checked before llama.cpp sees it; every failure to check,
load or run the model is raised as ModelUnavailableError so the narrative can fall back
to its template with a note.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from analytics.config import ModelSettings, default_home
from analytics.errors import ModelUnavailableError
from analytics.narrative.engine import TokenCallback
from analytics.narrative.model_file import (
    ModelFile,
    inspect_model_file,
    read_header_cache,
    usable_threads,
    write_header_cache,
)

logger = logging.getLogger(__name__)

# Used when a GGUF file carries no chat template of its own.
PLAIN_CHAT_TEMPLATE = (
    "{% for message in messages %}{{ message['role'] | capitalize }}: "
    "{{ message['content'] }}\n\n{% endfor %}"
    "{% if add_generation_prompt %}Assistant: {% endif %}"
)

HEADER_CACHE = ("cache", "model_headers.json")  # under GROWTH_HOME

_lock = threading.RLock()
_inspected: dict[tuple[str, int, int], ModelFile] = {}
_loaded: dict[tuple, _LoadedModel] = {}
_close_registered = False


@dataclass
class _LoadedModel:
    llama: object  # llama_cpp.Llama
    formatter: object  # llama_cpp.llama_chat_format.Jinja2ChatFormatter
    stop: list[str]
    load_seconds: float


class LlamaEngine:
    """Generates text with a GGUF model through llama.cpp.

    Creating the engine only checks the file's header; the model is loaded on first
    use and shared by every engine of the same file and load settings in this process.
    """

    def __init__(self, settings: ModelSettings) -> None:
        self.settings = settings
        self.model_file = _inspect_cached(settings.resolved_path(), settings.max_file_bytes)
        self.threads = usable_threads(settings.threads)
        self.context_size = _context_size(settings.context_size, self.model_file)
        self.name = self.model_file.path.name
        self.identity = self.model_file.identity

    @property
    def load_seconds(self) -> float:
        """Seconds llama.cpp took to load the model (0 before the first use)."""
        return self._model().load_seconds

    def render_chat(self, messages: list[dict]) -> str:
        loaded = self._model()
        try:
            return loaded.formatter(messages=messages).prompt
        except Exception as error:  # noqa: BLE001 - a template from the file may fail in any way
            raise ModelUnavailableError(
                f"The chat template of model file '{self.model_file.path}' failed: {error}."
            ) from error

    def count_tokens(self, text: str) -> int:
        loaded = self._model()
        return len(loaded.llama.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def generate(
        self,
        prompt: str,
        grammar: str | None,
        max_tokens: int,
        on_token: TokenCallback | None = None,
        seed: int | None = None,
    ) -> str:
        from llama_cpp import LlamaGrammar

        loaded = self._model()
        with _lock:
            try:
                compiled = LlamaGrammar.from_string(grammar, verbose=False) if grammar else None
                # Evaluating the whole prompt every time keeps the output independent of
                # what was generated before in this process.
                loaded.llama.reset()
                chunks = loaded.llama.create_completion(
                    prompt,
                    max_tokens=max_tokens,
                    temperature=self.settings.temperature,
                    seed=self.settings.seed if seed is None else seed,
                    grammar=compiled,
                    stop=loaded.stop,
                    stream=True,
                )
                pieces = []
                for chunk in chunks:
                    piece = chunk["choices"][0]["text"]
                    if piece:
                        pieces.append(piece)
                        if on_token is not None:
                            on_token(piece)
                return "".join(pieces)
            except ModelUnavailableError:
                raise
            except Exception as error:  # noqa: BLE001 - llama.cpp reports failures as any type
                raise ModelUnavailableError(
                    f"Model '{self.name}' failed while generating: {error}."
                ) from error

    def _model(self) -> _LoadedModel:
        key = (self.identity, self.context_size, self.threads, self.settings.gpu_layers)
        with _lock:
            loaded = _loaded.get(key)
            if loaded is None:
                _close_all()  # one model in memory at a time
                loaded = _load(self.model_file, self.context_size, self.threads, self.settings)
                _loaded[key] = loaded
                _register_close()
            return loaded


def _register_close() -> None:
    # llama-cpp-python frees a model in its finalizer, which fails with a traceback when
    # it runs during interpreter shutdown; closing the models first avoids that.
    global _close_registered
    if not _close_registered:
        atexit.register(_close_all)
        _close_registered = True


def _close_all() -> None:
    with _lock:
        for loaded in _loaded.values():
            try:
                loaded.llama.close()
            except Exception:  # noqa: BLE001 - closing is best effort
                logger.debug("closing a model failed", exc_info=True)
        _loaded.clear()


def _inspect_cached(path: Path | None, max_bytes: int) -> ModelFile:
    """Check the file's header once per process for each path, size and modification time."""
    if path is not None:
        try:
            stat = Path(path).expanduser().stat()
            key = (str(Path(path).expanduser().resolve()), stat.st_size, stat.st_mtime_ns)
        except OSError:
            key = None
        if key is not None and key[1] <= max_bytes:
            with _lock:
                if key in _inspected:
                    return _inspected[key]
                cache_file = default_home().joinpath(*HEADER_CACHE)
                model_file = read_header_cache(cache_file, "|".join(str(part) for part in key))
                if model_file is None:
                    model_file = inspect_model_file(path, max_bytes)
                    write_header_cache(cache_file, model_file)
                _inspected[key] = model_file
                return model_file
    return inspect_model_file(path, max_bytes)


def _context_size(requested: int, model_file: ModelFile) -> int:
    if model_file.context_length is not None and requested > model_file.context_length:
        logger.info(
            "context size %d is over the model's trained %d tokens; using %d",
            requested,
            model_file.context_length,
            model_file.context_length,
        )
        return model_file.context_length
    return requested


def _load(
    model_file: ModelFile, context_size: int, threads: int | None, settings: ModelSettings
) -> _LoadedModel:
    try:
        from llama_cpp import Llama
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter
    except ImportError as error:
        raise ModelUnavailableError(
            "llama-cpp-python is not installed, so the narrative model cannot run."
        ) from error
    started = time.perf_counter()
    try:
        llama = Llama(
            model_path=str(model_file.path),
            n_ctx=context_size,
            n_threads=threads,
            n_threads_batch=threads,
            n_gpu_layers=settings.gpu_layers,
            seed=settings.seed,
            verbose=False,
        )
    except Exception as error:  # noqa: BLE001 - llama.cpp reports load failures as any type
        raise ModelUnavailableError(
            f"llama.cpp could not load model file '{model_file.path}': {error}."
        ) from error
    load_seconds = time.perf_counter() - started
    logger.info("loaded %s in %.2f s", model_file.path.name, load_seconds)
    eos = _token_text(llama, llama.token_eos())
    bos = _token_text(llama, llama.token_bos())
    formatter = Jinja2ChatFormatter(
        template=model_file.chat_template or PLAIN_CHAT_TEMPLATE, eos_token=eos, bos_token=bos
    )
    stop = [eos] if eos else []
    if model_file.chat_template is None:
        stop.append("\nUser:")
    return _LoadedModel(llama, formatter, stop, load_seconds)


def _token_text(llama, token: int) -> str:
    if token is None or token < 0:
        return ""
    return llama.detokenize([token], special=True).decode("utf-8", errors="replace")
