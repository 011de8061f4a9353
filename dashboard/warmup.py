"""Run the dashboard's default page once, right after the server starts.

    python -m dashboard.warmup http://127.0.0.1:8501

The first run of the app in a server process imports Polars, DuckDB and PyArrow and
computes the Overview's metrics, which takes most of a second. `make run` starts this
module next to the server, so that run happens before the first visitor arrives and
fills the metrics cache. It calls Streamlit's script health check
(``/_stcore/script-health-check``, enabled by ``server.scriptHealthCheckEnabled`` in
.streamlit/config.toml) to run the app once in a session of its own.

NOTE: Streamlit marks that endpoint as experimental and may change it in a later release.
The warm-up is best effort: if the endpoint is missing or fails, the first visitor's
page is slower and nothing else changes.
"""

from __future__ import annotations

import logging
import sys
import time
import urllib.error
import urllib.request

logger = logging.getLogger("dashboard.warmup")

HEALTH_PATH = "/_stcore/health"
SCRIPT_RUN_PATH = "/_stcore/script-health-check"
STARTUP_TIMEOUT_SECONDS = 120.0
SCRIPT_RUN_TIMEOUT_SECONDS = 120.0
POLL_SECONDS = 0.2


def wait_for_server(base_url: str, timeout: float = STARTUP_TIMEOUT_SECONDS) -> bool:
    """Return True once the server passes its health check, False after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base_url + HEALTH_PATH, timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(POLL_SECONDS)
    return False


def warm_up(base_url: str, startup_timeout: float = STARTUP_TIMEOUT_SECONDS) -> bool:
    """Run the app once through the script health check; return whether it succeeded."""
    if not wait_for_server(base_url, startup_timeout):
        logger.warning("warm-up skipped: %s did not start within %.0f s", base_url, startup_timeout)
        return False
    started = time.monotonic()
    try:
        with urllib.request.urlopen(
            base_url + SCRIPT_RUN_PATH, timeout=SCRIPT_RUN_TIMEOUT_SECONDS
        ) as response:
            succeeded = response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        logger.warning("warm-up run of %s failed: %s", base_url, error)
        return False
    logger.info("warm-up run of %s took %.2f s", base_url, time.monotonic() - started)
    return succeeded


def main(argv: list[str]) -> int:
    """Warm up the server at argv[1] and return 0, also when the warm-up failed."""
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s", stream=sys.stderr)
    if len(argv) != 2:
        print("usage: python -m dashboard.warmup BASE_URL", file=sys.stderr)
        return 0
    warm_up(argv[1].rstrip("/"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
