# Two commands do everything (see README): `make demo` and `make test`.
# Each creates .venv from a Python >= 3.12 found by .ci/find-python and installs migsim into it.
VENV ?= .venv

$(VENV)/.installed: pyproject.toml
	@PY=$$(.ci/find-python) && echo "using $$PY" && "$$PY" -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[dev]'
	@touch $@

.PHONY: demo test bench
demo: $(VENV)/.installed  ## compare baseline, job programs and border enforcement
	$(VENV)/bin/migsim compare

test: $(VENV)/.installed  ## the test suite (what CI runs)
	$(VENV)/bin/python -m pytest

bench: $(VENV)/.installed  ## wall time and peak memory, default scale and full scale
	$(VENV)/bin/python benchmarks/bench_run.py
