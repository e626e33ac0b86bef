# engagement: `make` alone lists the targets.
# Every target that runs code first makes sure .venv exists with the pinned dependencies.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export PYTHONHASHSEED := 0

.DEFAULT_GOAL := help
.PHONY: help venv report prepare test test-fast bench browser clean clean-outputs lab notebooks

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip wheel setuptools
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $(STAMP)

venv: $(STAMP) ## create .venv and install the pinned dependencies (only when they changed)

browser: ## install headless Chromium + driver from Debian (the report's PDF and browser test)
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { if [ "$$(id -u)" = 0 ]; then { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; } \
	      || echo "chromium could not be installed (apt-get failed): no PDF, and the browser test will be skipped"; \
	    else echo "chromium is not installed and this is not root: no PDF, and the browser test will be skipped"; fi; }

report: venv browser ## set up, then run the whole batch on the bundled sample (figures/, reports/summary.html + pdf)
	$(BIN)/engagement batch

prepare: venv ## raw transcripts -> sessions, participants, turns, segments (data/processed)
	$(BIN)/engagement prepare

test: venv browser ## set up, then run the whole test suite: unit tests and nbval on the notebooks
	$(BIN)/python -m pytest tests
	$(BIN)/python -m pytest --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider notebooks

test-fast: venv ## unit tests without the slow (trained-model) ones
	$(BIN)/python -m pytest tests -m "not slow" -q

bench: venv ## run every benchmark under benchmarks/
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

notebooks: venv clean-outputs ## re-execute the notebooks in place on the sample, from empty outputs as nbval does (refreshes what it compares)
	cd notebooks && for nb in 0*.ipynb; do echo "== $$nb"; ../$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.timeout=1800 --ExecutePreprocessor.kernel_name=python3 "$$nb" || exit 1; done

lab: venv ## open JupyterLab on the notebooks
	$(BIN)/jupyter lab notebooks/

clean-outputs: ## delete derived data, figures and reports (never data/raw)
	find data/processed figures reports -mindepth 1 ! -name .gitkeep -exec rm -rf {} +

clean: clean-outputs ## also delete the virtual environment
	rm -rf $(VENV)
