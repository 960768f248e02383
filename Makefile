# The two commands: `make run` and `make test`. Everything else is a helper of those.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PY

.PHONY: run test bench loadtest lint format check tier1 tier2 install messages chromium fonts migrate seed serve clean backup restore

## make run: install, migrate, compile messages, seed demo data, serve on 127.0.0.1:$(PORT)
run: install messages fonts migrate seed serve

## make test: lint, Django checks, then the suite on both tiers
test: install messages lint check tier1 tier2

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required (found %s)" % sys.version.split()[0])'
	@start=$$(date +%s); \
	test -x $(PY) || $(PYTHON) -m venv $(VENV); \
	$(PY) -m pip install --quiet --upgrade pip 2>&1 | grep -v "is ignored" || true; \
	$(PY) -m pip install --quiet -e ".[dev]" 2>&1 | grep -v "is ignored"; \
	status=$${PIPESTATUS[0]}; test $$status -eq 0 || exit $$status; \
	echo "Python dependencies installed in $$(( $$(date +%s) - start )) s"
	@touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is required (Node.js 18+): apt-get install nodejs npm" >&2; exit 1; }
	@# h5p-standalone's preinstall insists on yarn; nothing of ours needs install scripts.
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

messages: install
	@command -v msgfmt >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get install -y -qq gettext || (apt-get update -qq && apt-get install -y -qq gettext)) >/dev/null; \
	  else echo "gettext (msgfmt) is required: apt-get install gettext" >&2; exit 1; fi; }
	@$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

migrate: install
	$(PY) manage.py migrate --no-input -v1

seed: install
	$(PY) manage.py seed_demo --scale small

serve:
	@echo "Serving http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/; stop with Ctrl-C)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## make bench: seed BENCH_SCALE (district) into a fresh database and print the numbers
bench: install messages fonts
	$(PY) bench/run.py

## make loadtest: 100 connections for LOAD_SECONDS (120) on gunicorn, wrk; see bench/LOADTEST.md
loadtest: install messages
	@command -v wrk >/dev/null || { echo "wrk is required: apt-get install wrk" >&2; exit 1; }
	$(PY) bench/loadtest.py

lint: install
	$(PY) -m ruff format --check .
	$(PY) -m ruff check .

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

chromium:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    (apt-get install -y -qq --no-install-recommends chromium || (apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium)) >/dev/null; \
	  else echo "Chromium is required for tests/browser: apt-get install chromium" >&2; exit 1; fi; }

## fonts: Noto CJK for certificate and transcript PDFs (a PDF without it would show boxes)
fonts:
	@fc-list :lang=zh family 2>/dev/null | grep -q "Noto .* CJK SC" || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's fonts-noto-cjk for certificate PDFs"; \
	    (apt-get install -y -qq --no-install-recommends fonts-noto-cjk || (apt-get update -qq && apt-get install -y -qq --no-install-recommends fonts-noto-cjk)) >/dev/null; \
	  else echo "warning: no Chinese font; certificate PDFs will fail until you run: apt-get install fonts-noto-cjk" >&2; fi; }

tier1: install messages chromium fonts
	scripts/test_tier1.sh $(PYTEST_ARGS)

tier2: install messages chromium fonts
	scripts/test_tier2.sh $(PYTEST_ARGS)

## make backup: database (pg_dump -Fc, or SQLite's online backup) and media in backups/<time>.tar
backup: install
	scripts/backup.sh

## make restore FILE=backups/….tar [FORCE=1]: into an empty database, then media, then verify_ledger
restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/qingpu-backup-….tar [FORCE=1]" >&2; exit 2; }
	scripts/restore.sh $(if $(FORCE),--force) "$(FILE)"

clean:
	rm -rf $(VENV) node_modules .test-media staticfiles
