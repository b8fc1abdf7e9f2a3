# Two entry points (see README "Quick start"):
#   make demo   - set up .venv and run the tour of the estimators
#   make test   - set up .venv and run ruff and the whole test suite (what CI runs), then
#                 the network tests again on torch's generic kernels and one thread
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# torch: the CPU wheel; an unpinned torch would pull a multi-GB CUDA build
TORCH_SPEC ?= torch==2.13.0

.PHONY: setup demo test bench docs clean

setup: $(VENV)/.skdl-installed

$(VENV)/.skdl-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "$(TORCH_SPEC)"
	$(PY) -m pip install --quiet -e ".[nn,dev,dask,docs]"
	touch $@

demo: setup
	MPLBACKEND=Agg $(PY) examples/tour.py

# The network tests (marker "network", set in tests/conftest.py) run a second time on
# torch's generic, non-vectorised kernels and one thread: other rounding, as on another
# CPU, so a test tuned to one machine's kernels fails here and not on the next machine.
test: setup
	$(PY) -m ruff check skdl tests examples benchmarks
	MPLBACKEND=Agg $(PY) -m pytest tests skdl --doctest-modules -p no:cacheprovider
	ATEN_CPU_CAPABILITY=default OMP_NUM_THREADS=1 MPLBACKEND=Agg $(PY) -m pytest tests skdl \
		--doctest-modules -p no:cacheprovider -m network

# the documentation site, offline, warnings as errors: docs/_build/html/index.html
docs: setup
	MPLBACKEND=Agg $(PY) -m sphinx -E -W --keep-going -b html docs docs/_build/html

bench: setup
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) build *.egg-info
