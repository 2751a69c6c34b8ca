# One-command set-up: `make demo` and `make test` create .venv, install everything, then run.
# Each install step leaves a stamp in .venv, so a second run only redoes what changed.

VENV   ?= .venv
PYTHON ?= python3
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
DEMO_DIR ?= data/demo
# The demo keeps everything under workspace/ and data/ (both git-ignored), whatever local.py says.
DEMO_ENV := LTR_WORKSPACE_DIR=$(CURDIR)/workspace LTR_DEMO_DIR=$(CURDIR)/$(DEMO_DIR) \
	PYTRACKING_DEMO_PATH=$(CURDIR)/$(DEMO_DIR) PYTRACKING_RESULTS_PATH=$(CURDIR)/workspace/tracking_results/ \
	PYTRACKING_RESULT_PLOT_PATH=$(CURDIR)/workspace/result_plots/

EXT_SOURCES := setup.py $(wildcard csrc/*.cpp csrc/*.h csrc/cpu/*.cpp csrc/cuda/*.cu)

.PHONY: install demo demo-data test bench visdom clean

install: $(VENV)/.stamp-system $(VENV)/.stamp-requirements $(VENV)/.stamp-extension

$(PY):
	$(PYTHON) -m venv $(VENV)

# jpeg4py needs libturbojpeg; install it with apt when we can (root + apt-get), otherwise OpenCV decodes JPEGs.
$(VENV)/.stamp-system: | $(PY)
	@if ldconfig -p 2>/dev/null | grep -q libturbojpeg; then echo "libturbojpeg: present"; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libturbojpeg0 >/dev/null) \
	  && echo "libturbojpeg: installed with apt" || echo "libturbojpeg: apt install failed; jpeg4py will fall back to OpenCV"; \
	else echo "libturbojpeg: not installed (no root/apt); jpeg4py will fall back to OpenCV"; fi
	@touch $@

$(VENV)/.stamp-requirements: requirements.txt requirements-test.txt | $(PY)
	$(PIP) install -q -r requirements.txt -r requirements-test.txt
	@touch $@

# Builds the PrRoIPool extension (ltr/_C*.so) in place. CUDA kernels too when nvcc and a CUDA build of torch
# are present (compiled even without a GPU, so a broken .cu fails here).
$(VENV)/.stamp-extension: $(EXT_SOURCES) $(VENV)/.stamp-requirements
	@if command -v nvcc >/dev/null 2>&1 && $(PY) -c "import torch,sys; sys.exit(0 if torch.version.cuda else 1)"; then \
	  export FORCE_CUDA=1; fi; \
	MAX_JOBS=$${MAX_JOBS:-2} $(PIP) install -q --no-build-isolation --no-deps -e .
	@$(PY) -c "import ltr.ops._extension as e; print('PrRoIPool extension built: CPU kernels', e.has_kernel('cpu'), \
	  '| CUDA kernels', e.has_kernel('cuda'))"
	@touch $@

$(DEMO_DIR)/.complete: | install
	$(PY) -m ltr.dataset.demo_data --out $(DEMO_DIR) --seed 0
	@touch $@

demo-data: $(DEMO_DIR)/.complete

# The main job on the embedded demo data: train ATOM's IoU-Net, track the demo sequences, print the results.
demo: install demo-data
	$(DEMO_ENV) $(PY) ltr/run_training.py bbreg atom_demo
	$(DEMO_ENV) $(PY) pytracking/run_tracker.py atom demo --dataset demo --threads 2
	$(DEMO_ENV) $(PY) -m pytracking.analysis.print_results atom demo --dataset demo

test: install
	$(PY) -m pytest tests -q

bench: install demo-data
	$(DEMO_ENV) $(PY) benchmarks/bench_prroi_pool.py
	$(DEMO_ENV) $(PY) benchmarks/bench_data.py
	$(DEMO_ENV) $(PY) benchmarks/bench_tracker.py

# Optional live debug display. visdom 0.2.4 (the last for Python 3.11) needs an old setuptools to build.
visdom: install
	$(PIP) install -q 'setuptools<81' && $(PIP) install -q --no-build-isolation visdom

clean:
	rm -rf build *.egg-info ltr/_C*.so $(VENV)/.stamp-extension
