# One command each. `make test` is the README's: it installs what the tests need, then runs them all.
PYTHON ?= python3
PYTEST_ARGS ?=

.PHONY: install demo test test-deps test-only lint fmt bench bench-quick i18n assets

install:
	$(PYTHON) -m pip install -e .

demo: install
	workbench serve --demo

test: test-deps test-only

test-deps:
	$(PYTHON) -m pip install -q -e ".[test]"
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || \
	  echo "chromium not installed: browser journeys will be skipped"; }

test-only:
	$(PYTHON) -m pytest -n 2 --dist loadfile -q $(PYTEST_ARGS)

lint:
	$(PYTHON) -m ruff check workbench tests bench
	$(PYTHON) -m ruff format --check workbench tests bench

fmt:
	$(PYTHON) -m ruff check --fix workbench tests bench
	$(PYTHON) -m ruff format workbench tests bench

bench:
	$(PYTHON) bench/run.py

bench-quick:
	$(PYTHON) bench/run.py --quick

i18n:
	$(PYTHON) scripts/i18n.py

assets:
	bash scripts/vendor_assets.sh
