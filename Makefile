# One command each. `make demo` and `make test` are the README's: each builds the virtual environment
# .venv from the pinned, hashed locks in requirements/ (exactly what CI tested), then starts the
# workbench or runs every test. `make lock` refreshes the locks from pyproject.toml.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install -q --disable-pip-version-check
PYTEST_ARGS ?=
# The locks name every platform's wheels (Linux, Windows, macOS) for Python 3.11 and newer.
LOCK := uv pip compile --universal --python-version 3.11 --generate-hashes --no-header -q

.PHONY: venv install demo test test-deps test-only load-deps lint fmt lock bench bench-quick i18n assets

$(PY):
	$(PYTHON) -m venv $(VENV)

venv: $(PY)

# --require-hashes: a file whose hash is not in the lock is refused, whatever the index serves.
# The project itself installs editable without build isolation (setuptools comes from the lock).
install: $(PY)
	$(PIP) --require-hashes -r requirements/build.txt -r requirements/app.txt
	$(PIP) --no-deps --no-build-isolation -e .

demo: install
	$(VENV)/bin/workbench serve --demo

test: test-deps test-only

test-deps: $(PY)
	$(PIP) --require-hashes -r requirements/build.txt -r requirements/test.txt
	$(PIP) --no-deps --no-build-isolation -e .
	@missing="$$(command -v chromium >/dev/null 2>&1 || echo chromium) \
	  $$(command -v soffice >/dev/null 2>&1 || echo libreoffice-writer-nogui) \
	  $$(command -v pdftotext >/dev/null 2>&1 || echo poppler-utils) \
	  $$(fc-list :lang=zh 2>/dev/null | grep -q . || echo fonts-noto-cjk)"; \
	[ -z "$$(echo $$missing)" ] || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $$missing >/dev/null) || \
	  echo "not installed: $$missing (browser journeys, PDF and layout tests need them)"; }

test-only:
	$(PY) -m pytest -n 2 --dist loadfile -q $(PYTEST_ARGS)

load-deps: $(PY)
	$(PIP) --require-hashes -r requirements/build.txt -r requirements/load.txt
	$(PIP) --no-deps --no-build-isolation -e .

# Each lock is resolved within the one before it, so the test and load environments hold the
# application's exact versions. `uv` is the resolver (pip install uv, or pipx); pip installs.
lock:
	@command -v uv >/dev/null 2>&1 || { echo "make lock needs uv: python3 -m pip install uv"; exit 1; }
	$(LOCK) pyproject.toml --upgrade -o requirements/app.txt
	$(LOCK) pyproject.toml --extra test -c requirements/app.txt --upgrade -o requirements/test.txt
	$(LOCK) pyproject.toml --extra test --extra load -c requirements/test.txt --upgrade -o requirements/load.txt
	$(LOCK) requirements/build.in --upgrade -o requirements/build.txt

# lint-imports checks the import contracts in pyproject.toml ([tool.importlinter]).
lint:
	$(PY) -m ruff check workbench tests bench
	$(PY) -m ruff format --check workbench tests bench
	$(VENV)/bin/lint-imports
	# Domain interfaces and blueprints (grimp): other domains import only models, services and pure modules.
	$(PY) -m pytest -q -p no:cacheprovider tests/test_import_contracts.py

fmt:
	$(PY) -m ruff check --fix workbench tests bench
	$(PY) -m ruff format workbench tests bench

bench:
	$(PY) bench/run.py

bench-quick:
	$(PY) bench/run.py --quick

i18n:
	$(PY) scripts/i18n.py

assets:
	bash scripts/vendor_assets.sh
