# Two commands do everything (see README): `make demo` and `make test`.
# Each creates .venv from a Python >= 3.12 found by .ci/find-python and installs migsim into it
# (with the worked plugin example in examples/, whose tests run with migsim's).
VENV ?= .venv

$(VENV)/.installed: pyproject.toml examples/migsim-deprivation/pyproject.toml
	@PY=$$(.ci/find-python) && echo "using $$PY" && "$$PY" -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[dev]' -e examples/migsim-deprivation
	$(VENV)/bin/python -m viz.assets  # the app's front end, so it works offline
	@touch $@

.PHONY: demo test bench app
demo: $(VENV)/.installed  ## compare the agreement's package with the baseline
	$(VENV)/bin/migsim compare

app: $(VENV)/.installed  ## the web app on http://127.0.0.1:8765
	$(VENV)/bin/migsim app

test: $(VENV)/.installed  ## the test suite (what CI runs)
	$(VENV)/bin/python -m pytest

bench: $(VENV)/.installed  ## scaling, wall time and peak memory; compiled step against the per-agent reference; sweeps
	$(VENV)/bin/python benchmarks/bench_scaling.py
	$(VENV)/bin/python benchmarks/bench_run.py
	$(VENV)/bin/python benchmarks/bench_reference.py
	$(VENV)/bin/python benchmarks/bench_sweep.py
	$(VENV)/bin/python benchmarks/bench_compare.py
