# newsflow: `make up` runs the stack locally and ingests seeds/; `make test` runs the suite.
# Both do all set-up on a fresh machine (uv, the locked venv, Redis, Elasticsearch, CoreNLP).
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c

PY_VERSION ?= 3.11
UV_VERSION ?= 0.13.9
# uv from the PATH, else a pinned copy in its own small venv under var/tools.
UV ?= $(shell command -v uv 2>/dev/null || echo var/tools/bin/uv)
VENV := .venv
BIN := $(VENV)/bin
STACK := bash infra/local/stack.sh
API_HOST ?= 127.0.0.1
API_PORT ?= 8000
FLOWER_PORT ?= 5555
PYTEST_ARGS ?=
# Elasticsearch nodes of the local stack: `make up ES_NODES=3` runs a cluster of three
# (384 MB heap each, one replica per shard); clients get every node's address.
ES_NODES ?= 1
export NEWSFLOW_ES_NODES := $(ES_NODES)
ifneq ($(ES_NODES),1)
export NEWSFLOW_ES_URL ?= $(shell bash infra/local/stack.sh es-url)
export NEWSFLOW_ES_REPLICAS ?= 1
endif

.PHONY: help venv up down status services init workers ready ingest-seeds chromium test lint fmt typecheck bench compose-test compose-cluster-test clean

help:
	@echo "make up      - install what is missing, start Redis, Elasticsearch, CoreNLP, workers, API, Flower; ingest seeds/"
	@echo "               (ES_NODES=3: a three-node Elasticsearch cluster instead of one node)"
	@echo "make down    - stop exactly what make up started"
	@echo "make status  - each component and whether it is healthy"
	@echo "make test    - lint, type-check and run unit, integration and e2e tests on real services"
	@echo "make bench   - run the benchmarks in bench/ (JSON on stdout)"
	@echo "make compose-test - build and run docker-compose.yml in containers, scale, kill, check (infra/compose-test)"
	@echo "make compose-cluster-test - the same with docker-compose.cluster.yml: three Elasticsearch nodes, one killed"

var/tools/bin/uv:
	@command -v python$(PY_VERSION) >/dev/null || { echo "python$(PY_VERSION) is missing"; exit 1; }
	python$(PY_VERSION) -m venv var/tools
	var/tools/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PY_VERSION)
	touch $@

venv: $(VENV)/.synced

services:
	$(STACK) redis-start
	$(STACK) es-start
	$(STACK) corenlp-start

init: venv services
	$(BIN)/newsflow init

var/api_key:
	mkdir -p var && python3 -c "import secrets; print(secrets.token_urlsafe(24))" > var/api_key

# The same commands the compose services run (see docker-compose.yml). Fetch waits on the
# network: one process, a thread per download (README, "Scaling").
workers: venv var/api_key
	$(STACK) proc-start fetch  -- $(BIN)/celery -A newsflow_fetch.tasks  worker -Q fetch  -n fetch@%h  --pool threads --concurrency 32 --loglevel INFO
	$(STACK) proc-start parse  -- $(BIN)/celery -A newsflow_parse.tasks  worker -Q parse  -n parse@%h  --concurrency 2 --loglevel INFO
	$(STACK) proc-start enrich -- $(BIN)/celery -A newsflow_enrich.tasks worker -Q enrich -n enrich@%h --concurrency 2 --loglevel INFO
	$(STACK) proc-start index  -- $(BIN)/celery -A newsflow_index.tasks  worker -Q index  -n index@%h  --concurrency 1 --prefetch-multiplier 100 --loglevel INFO
	$(STACK) proc-start reconciler -- $(BIN)/newsflow reconcile --every 60
	$(STACK) proc-start beat -- $(BIN)/celery -A newsflow_shared.beat beat --loglevel INFO --schedule var/celerybeat-schedule --pidfile=
	NEWSFLOW_API_KEY=$$(cat var/api_key) $(STACK) proc-start api -- $(BIN)/uvicorn --factory newsflow_api.main:create_app --http newsflow_api.server:ApiHttpProtocol --host $(API_HOST) --port $(API_PORT) --no-access-log
	$(STACK) proc-start flower -- $(BIN)/celery -A newsflow_shared.celery_app flower --address=127.0.0.1 --port=$(FLOWER_PORT)

ready: venv
	$(BIN)/newsflow ready --timeout 120 --api http://$(API_HOST):$(API_PORT) || { \
	  echo "see var/log/*.log; make status"; exit 1; }

ingest-seeds: venv
	$(BIN)/newsflow ingest seeds/ --timeout 300

up: init workers ready ingest-seeds
	@echo
	@echo "newsflow is up:"
	@echo "  API        http://$(API_HOST):$(API_PORT)   (docs: http://$(API_HOST):$(API_PORT)/docs)"
	@echo "  Flower     http://127.0.0.1:$(FLOWER_PORT)"
	@echo "  ES         $$($(STACK) es-url)    Redis $$($(STACK) redis-url)"
	@echo "  API key    var/api_key        logs: var/log/     stop: make down"

down:
	$(STACK) stop-all

status:
	$(STACK) status

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: venv
	$(BIN)/mypy

# Debian's Chromium for the browser tests (tests/browser); installed once, quietly, as root.
chromium:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] || { \
	  echo "the browser tests need Chromium: apt-get install chromium"; exit 1; }; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: venv services chromium lint typecheck
	$(BIN)/pytest -ra $(PYTEST_ARGS)

bench: venv services
	$(BIN)/python bench/bench_enrich.py --ner corenlp
	$(BIN)/python bench/bench_pipeline.py --rounds 3
	$(BIN)/python bench/bench_crawl.py --rounds 2
	$(BIN)/python bench/bench_api.py
	$(BIN)/python bench/bench_sources.py

# docker-compose.yml for real: podman + Compose v2 + offline stand-ins (infra/compose-test/README.md).
compose-test:
	bash infra/compose-test/run.sh

# docker-compose.cluster.yml for real: three Elasticsearch nodes, the master killed and back
# (infra/compose-test/README.md, "The cluster"). Not in CI (.ci/run): it adds minutes.
compose-cluster-test:
	nice bash infra/compose-test/cluster.sh

clean: down
	rm -rf var $(VENV)
