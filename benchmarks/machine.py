"""A description of the machine and software the benchmarks ran on; standard library only."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

PACKAGES = (
    "growthlens",
    "duckdb",
    "polars",
    "pyarrow",
    "pandas",
    "numpy",
    "lifetimes",
    "llama_cpp_python",
)


def describe_machine() -> dict:
    """Return CPU model, cores, memory, OS, Python and package versions, and the load now."""
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "memory_gib": round(_memory_bytes() / 1024**3, 1),
        "os": _os_name(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "packages": {name: _version(name) for name in PACKAGES},
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "openblas": {
            name: os.environ.get(name)
            for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
            if os.environ.get(name) is not None
        },
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_bytes() -> int:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _os_name() -> str:
    try:
        values = dict(
            line.split("=", 1)
            for line in Path("/etc/os-release").read_text(encoding="utf-8").splitlines()
            if "=" in line
        )
        return values.get("PRETTY_NAME", "").strip('"') or platform.system()
    except OSError:
        return platform.system()


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None
