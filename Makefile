# maskverify -- every target sets up (or reuses) the local virtual environment .venv first.
#   make verify   compute a verdict for every SPEC item; compare with verdicts.lock.json (PROFILE=ci|dev|nightly)
#   make test     the test suite (pytest, parallel with pytest-xdist)
#   make report   verify + reproduce Figure 2 + plots -> reports/report.md and reports/report.html
#   make bench    engine throughput vs reference, dense batch and matmul roofline -> stdout (BENCHMARKS.md table)
#   make hunt     counterexample hunting for every item (BUDGET seconds each) -> counterexamples/
#   make lint     ruff
#   make lock     regenerate the lockfile section of PROFILE from a fresh run (after reviewing the changes)
PYTHON ?= python3
VENV ?= .venv
PROFILE ?= ci
BUDGET ?= 20
PY := $(VENV)/bin/python
MV := $(VENV)/bin/maskverify

# Torch: on machines that carry the CPU build on local disk (/opt/wheels), pin it: pip installs it in
# seconds instead of downloading a multi-GB CUDA build. Elsewhere pip picks the platform's ordinary wheel.
TORCH_LOCAL := $(firstword $(wildcard /opt/wheels/torch-2.13.0*.whl))
TORCH_REQ ?= $(if $(TORCH_LOCAL),torch==2.13.0,torch)

.PHONY: verify test report bench hunt lint lock clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip >/dev/null 2>&1 || true
	$(PY) -m pip install -q "$(TORCH_REQ)"
	$(PY) -m pip install -q -e '.[test,lint,cluster]'
	touch $@

verify: $(VENV)/.installed
	$(MV) verify --profile $(PROFILE) --out reports --lock verdicts.lock.json

test: $(VENV)/.installed
	$(PY) -m pytest -n auto -q -p no:cacheprovider

report: $(VENV)/.installed
	$(MV) report --profile $(PROFILE) --out reports

bench: $(VENV)/.installed
	$(MV) bench --markdown

hunt: $(VENV)/.installed
	$(MV) hunt --budget $(BUDGET) --out counterexamples

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check maskverify theory impl properties tests

lock: $(VENV)/.installed
	$(MV) verify --profile $(PROFILE) --out reports --lock verdicts.lock.json --update-lock

clean:
	rm -rf reports counterexamples .pytest_cache .hypothesis
