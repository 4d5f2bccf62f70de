# NeuralDynamics — the two commands a newcomer needs:
#   make demo   install what is missing, build (release), run the quickstart scenario
#   make test   install what is missing, run `swift test` and the Python-side checks
SHELL := /bin/bash
.DEFAULT_GOAL := help

APT_PACKAGES := pkg-config libfftw3-dev libopenblas-dev liblapacke-dev libnetcdf-dev libopenmpi-dev openmpi-bin libsuitesparse-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
VENV := .venv
PYTHON := $(VENV)/bin/python
DEMO_SCENARIO := Scenarios/quickstart.json
SPIRAL_SCENARIO := Scenarios/neural-ode/neural-ode-spiral-quick.json
CHECK_DIR := .build/make-test

# Release builds target the CPU they are built on (AVX2 / AVX-512 where present). For a binary
# that must also run on older CPUs (a cluster whose login node differs from its compute nodes):
#   make build CPU=x86-64          portable (SSE2), runs anywhere x86-64
#   make build CPU=haswell         AVX2 + FMA: Intel since 2013, AMD Zen
#   make build CPU=skylake-avx512  AVX-512: Intel Xeon since Skylake-SP, AMD Zen 4
# A binary started on a CPU without the vector units it was built for stops with a message.
CPU ?= native
RELEASE := swift build -c release -Xswiftc -target-cpu -Xswiftc $(CPU) -Xcc -march=$(CPU)

BENCH_VENV := .venv-bench
BENCH_DIR := .build/bench

.PHONY: help deps python-deps build demo test swift-test python-test cluster-test bench bench-deps external-client clean

help:
	@echo "make demo   build (release) and run $(DEMO_SCENARIO), then say where the output is"
	@echo "make test   swift test + the Python checks (xarray, CF metadata, notebook)"
	@echo "make bench  time our integrators against SUNDIALS, diffrax and scipy, and our learning core"
	@echo "            against PyTorch and torchdiffeq; writes BENCHMARKS.md"
	@echo "make clean  remove build products, the Python environments and runs/"

# System packages: installed only when missing (apt-get; sudo when not root).
deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# The Python environment for the checks and the notebook (made once, reused).
python-deps: $(VENV)/.installed
$(VENV)/.installed: notebooks-export/requirements.txt
	@if ! command -v python3 >/dev/null || ! python3 -c "import venv, ensurepip" 2>/dev/null; then \
	  echo "Installing python3 with venv"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends python3 python3-venv python3-pip; \
	fi
	rm -rf $(VENV)
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r notebooks-export/requirements.txt
	touch $@

build: deps
	$(RELEASE) --product ndyn

demo: build
	.build/release/ndyn run $(DEMO_SCENARIO)
	@echo
	@echo "The quickstart output is runs/quickstart/output.nc (CF-1.10 NetCDF). Open it with:"
	@echo "  .build/release/ndyn info runs/quickstart/output.nc"
	@echo "  python3 -c 'import xarray; print(xarray.open_dataset(\"runs/quickstart/output.nc\"))'"
	@echo "  jupyter notebook notebooks-export/quickstart.ipynb   (plots it; 'make test' makes the Python environment in $(VENV))"

test: swift-test python-test cluster-test

# The build must print no compiler warnings (a clean clone, as CI builds, shows them all).
swift-test: deps
	@mkdir -p .build
	swift build --build-tests 2>&1 | tee .build/swift-build.log; test $${PIPESTATUS[0]} -eq 0
	@if grep -q "warning:" .build/swift-build.log; then echo "error: the build printed compiler warnings (above); fix them"; exit 1; fi
	swift test --disable-xctest

# Fresh quickstart and neural-ode spiral (quick) runs, each checked from Python with xarray after its notebook ran headless.
python-test: deps python-deps
	$(PYTHON) Tests/python/check_notebook_ids.py notebooks-export/*.ipynb
	swift build --product ndyn
	rm -rf $(CHECK_DIR) && mkdir -p $(CHECK_DIR)
	.build/debug/ndyn run $(DEMO_SCENARIO) --output $(CHECK_DIR)/runs --quiet
	NDYN_OUTPUT=$(CURDIR)/$(CHECK_DIR)/runs/quickstart/output.nc NDYN_FIGURE=$(CURDIR)/$(CHECK_DIR)/quickstart.png \
	  $(VENV)/bin/jupyter nbconvert --to notebook --execute notebooks-export/quickstart.ipynb \
	  --output-dir $(CHECK_DIR) --output quickstart.executed.ipynb --ExecutePreprocessor.timeout=300
	$(PYTHON) Tests/python/check_outputs.py $(CHECK_DIR)/runs/quickstart $(CHECK_DIR)/quickstart.executed.ipynb $(CHECK_DIR)/quickstart.png
	.build/debug/ndyn run $(SPIRAL_SCENARIO) --output $(CHECK_DIR)/runs --quiet
	NDYN_OUTPUT=$(CURDIR)/$(CHECK_DIR)/runs/neural-ode-spiral-quick/output.nc NDYN_FIGURE=$(CURDIR)/$(CHECK_DIR)/neural_ode_spiral.png \
	  $(VENV)/bin/jupyter nbconvert --to notebook --execute notebooks-export/neural_ode_spiral.ipynb \
	  --output-dir $(CHECK_DIR) --output neural_ode_spiral.executed.ipynb --ExecutePreprocessor.timeout=300
	$(PYTHON) Tests/python/check_neural_ode.py $(CHECK_DIR)/runs/neural-ode-spiral-quick $(CHECK_DIR)/neural_ode_spiral.executed.ipynb $(CHECK_DIR)/neural_ode_spiral.png
	.build/debug/ndyn run Scenarios/cell-flow/cell-flow-quick.json --output $(CHECK_DIR)/runs --quiet
	NDYN_OUTPUT=$(CURDIR)/$(CHECK_DIR)/runs/cell-flow-quick/output.nc NDYN_FIGURE=$(CURDIR)/$(CHECK_DIR)/cell_flow.png \
	  $(VENV)/bin/jupyter nbconvert --to notebook --execute notebooks-export/cell_flow.ipynb \
	  --output-dir $(CHECK_DIR) --output cell_flow.executed.ipynb --ExecutePreprocessor.timeout=300
	$(PYTHON) Tests/python/check_cell_flow.py $(CHECK_DIR)/runs/cell-flow-quick $(CHECK_DIR)/cell_flow.executed.ipynb $(CHECK_DIR)/cell_flow.png
	.build/debug/ndyn run Scenarios/integrators/brusselator-2d-quick.json --output $(CHECK_DIR)/runs --quiet
	NDYN_OUTPUT=$(CURDIR)/$(CHECK_DIR)/runs/brusselator-2d-quick/output.nc NDYN_FIGURE=$(CURDIR)/$(CHECK_DIR)/brusselator.png \
	  $(VENV)/bin/jupyter nbconvert --to notebook --execute notebooks-export/brusselator.ipynb \
	  --output-dir $(CHECK_DIR) --output brusselator.executed.ipynb --ExecutePreprocessor.timeout=300
	$(PYTHON) Tests/python/check_brusselator.py $(CHECK_DIR)/runs/brusselator-2d-quick $(CHECK_DIR)/brusselator.executed.ipynb $(CHECK_DIR)/brusselator.png
	@# The wavelet transforms against PyWavelets, on the cases the Swift suite wrote (rewritten if absent).
	[ -f .build/wavelet-checks/wavelets.json ] || swift test --disable-xctest --filter WaveletTests
	$(PYTHON) Tests/python/check_wavelets.py .build/wavelet-checks/wavelets.json
	@# Optimal transport and MMD against POT, on the cases the Swift suite wrote (rewritten if absent).
	[ -f .build/transport-checks/transport.json ] || swift test --disable-xctest --filter POTCasesTests
	$(PYTHON) Tests/python/check_transport.py .build/transport-checks/transport.json
	@# Dynamic time warping against dtaidistance, on the series the Swift suite wrote (rewritten if absent).
	[ -f .build/traffic-checks/dtw.json ] || swift test --disable-xctest --filter DynamicTimeWarpingTests
	$(PYTHON) Tests/python/check_traffic.py .build/traffic-checks/dtw.json
	cd $(CHECK_DIR) && $(CURDIR)/.build/debug/ndyn run $(CURDIR)/Scenarios/traffic/traffic-evaluate-persistence.json --quiet \
	  && $(CURDIR)/.build/debug/ndyn run $(CURDIR)/Scenarios/traffic/traffic-evaluate-historical-average.json --quiet \
	  && $(CURDIR)/.build/debug/ndyn run $(CURDIR)/Scenarios/traffic/traffic-forecast-quick.json --quiet \
	  && $(CURDIR)/.build/debug/ndyn run $(CURDIR)/Scenarios/traffic/traffic-train-quick.json --quiet \
	  && $(CURDIR)/.build/debug/ndyn run $(CURDIR)/Scenarios/traffic/traffic-evaluate-quick.json --quiet
	NDYN_EVALUATION=$(CURDIR)/$(CHECK_DIR)/runs/traffic-evaluate-persistence/output.nc NDYN_FORECAST=$(CURDIR)/$(CHECK_DIR)/runs/traffic-forecast-quick/output.nc \
	  NDYN_FIGURE=$(CURDIR)/$(CHECK_DIR)/traffic.png \
	  $(VENV)/bin/jupyter nbconvert --to notebook --execute notebooks-export/traffic.ipynb \
	  --output-dir $(CHECK_DIR) --output traffic.executed.ipynb --ExecutePreprocessor.timeout=300
	$(PYTHON) Tests/python/check_traffic_outputs.py $(CHECK_DIR)/runs/traffic-evaluate-persistence $(CHECK_DIR)/runs/traffic-forecast-quick \
	  $(CHECK_DIR)/traffic.executed.ipynb $(CHECK_DIR)/traffic.png $(CHECK_DIR)/runs/traffic-train-quick $(CHECK_DIR)/runs/traffic-evaluate-quick
	.build/debug/ndyn run Scenarios/wavelet-diffusion/wdno-data-quick.json --output $(CHECK_DIR)/runs --quiet
	$(PYTHON) Tests/python/check_wdno_data.py $(CHECK_DIR)/runs/wdno-data-quick
	cd $(CHECK_DIR) && $(CURDIR)/.build/debug/ndyn run $(CURDIR)/Scenarios/wavelet-diffusion/wdno-train-quick.json --quiet \
	  && $(CURDIR)/.build/debug/ndyn run $(CURDIR)/Scenarios/wavelet-diffusion/wdno-simulate-quick.json --quiet \
	  && $(CURDIR)/.build/debug/ndyn run $(CURDIR)/Scenarios/wavelet-diffusion/wdno-train-fno-quick.json --quiet \
	  && $(CURDIR)/.build/debug/ndyn run $(CURDIR)/Scenarios/wavelet-diffusion/wdno-simulate-fno-quick.json --quiet \
	  && $(CURDIR)/.build/debug/ndyn run $(CURDIR)/Scenarios/wavelet-diffusion/wdno-train-control-quick.json --quiet \
	  && $(CURDIR)/.build/debug/ndyn run $(CURDIR)/Scenarios/wavelet-diffusion/wdno-control-quick.json --quiet
	NDYN_SIMULATION=$(CURDIR)/$(CHECK_DIR)/runs/wdno-simulate-quick/output.nc NDYN_CONTROL=$(CURDIR)/$(CHECK_DIR)/runs/wdno-control-quick/output.nc \
	  NDYN_FNO=$(CURDIR)/$(CHECK_DIR)/runs/wdno-simulate-fno-quick/output.nc NDYN_RAW=$(CURDIR)/$(CHECK_DIR)/runs/absent/output.nc \
	  NDYN_CONTROL_RAW=$(CURDIR)/$(CHECK_DIR)/runs/absent/output.nc \
	  NDYN_FIGURE=$(CURDIR)/$(CHECK_DIR)/wavelet_diffusion.png \
	  $(VENV)/bin/jupyter nbconvert --to notebook --execute notebooks-export/wavelet_diffusion.ipynb \
	  --output-dir $(CHECK_DIR) --output wavelet_diffusion.executed.ipynb --ExecutePreprocessor.timeout=300
	$(PYTHON) Tests/python/check_wavelet_diffusion.py $(CHECK_DIR)/runs/wdno-simulate-quick $(CHECK_DIR)/runs/wdno-control-quick \
	  $(CHECK_DIR)/wavelet_diffusion.executed.ipynb $(CHECK_DIR)/wavelet_diffusion.png $(CHECK_DIR)/runs/wdno-simulate-fno-quick
	cd $(CHECK_DIR) && $(CURDIR)/.build/debug/ndyn run $(CURDIR)/Scenarios/meta-flow-matching/mfm-letters-data-quick.json --quiet \
	  && $(CURDIR)/.build/debug/ndyn run $(CURDIR)/Scenarios/meta-flow-matching/mfm-letters-train-quick.json --quiet \
	  && $(CURDIR)/.build/debug/ndyn run $(CURDIR)/Scenarios/meta-flow-matching/mfm-letters-evaluate-quick.json --quiet
	NDYN_LETTERS=$(CURDIR)/$(CHECK_DIR)/runs/mfm-letters-evaluate-quick/output.nc NDYN_PARTICLES=$(CURDIR)/$(CHECK_DIR)/runs/absent/output.nc \
	  NDYN_FIGURE=$(CURDIR)/$(CHECK_DIR)/meta_flow_matching.png \
	  $(VENV)/bin/jupyter nbconvert --to notebook --execute notebooks-export/meta_flow_matching.ipynb \
	  --output-dir $(CHECK_DIR) --output meta_flow_matching.executed.ipynb --ExecutePreprocessor.timeout=300
	$(PYTHON) Tests/python/check_meta_flow_matching.py $(CHECK_DIR)/runs/mfm-letters-data-quick $(CHECK_DIR)/runs/mfm-letters-evaluate-quick \
	  $(CHECK_DIR)/meta_flow_matching.executed.ipynb $(CHECK_DIR)/meta_flow_matching.png
	cd $(CHECK_DIR) && $(CURDIR)/.build/debug/ndyn run $(CURDIR)/Scenarios/navier-stokes/ns2d-dns-quick.json --quiet \
	  && $(CURDIR)/.build/debug/ndyn run $(CURDIR)/Scenarios/temporal-stencil/tsm-baselines-quick.json --quiet \
	  && $(CURDIR)/.build/debug/ndyn run $(CURDIR)/Scenarios/temporal-stencil/tsm-training-data-quick.json --quiet \
	  && $(CURDIR)/.build/debug/ndyn run $(CURDIR)/Scenarios/temporal-stencil/tsm-train-quick.json --quiet \
	  && $(CURDIR)/.build/debug/ndyn run $(CURDIR)/Scenarios/temporal-stencil/tsm-rollout-quick.json --quiet
	NDYN_REFERENCE=$(CURDIR)/$(CHECK_DIR)/runs/ns2d-dns-quick/output.nc NDYN_OUTPUT=$(CURDIR)/$(CHECK_DIR)/runs/tsm-baselines-quick/output.nc \
	  NDYN_LEARNED=$(CURDIR)/$(CHECK_DIR)/runs/tsm-rollout-quick/output.nc NDYN_TRAINING=$(CURDIR)/$(CHECK_DIR)/runs/tsm-train-quick/output.nc \
	  NDYN_FIGURE=$(CURDIR)/$(CHECK_DIR)/tsm_correlation.png \
	  $(VENV)/bin/jupyter nbconvert --to notebook --execute notebooks-export/tsm_correlation.ipynb \
	  --output-dir $(CHECK_DIR) --output tsm_correlation.executed.ipynb --ExecutePreprocessor.timeout=300
	$(PYTHON) Tests/python/check_tsm.py $(CHECK_DIR)/runs/ns2d-dns-quick $(CHECK_DIR)/runs/tsm-baselines-quick \
	  $(CHECK_DIR)/tsm_correlation.executed.ipynb $(CHECK_DIR)/tsm_correlation.png \
	  $(CHECK_DIR)/runs/tsm-train-quick $(CHECK_DIR)/runs/tsm-rollout-quick

# Cluster checks on this machine: a single-node Slurm (installs slurm-wlm and munge when missing,
# stops its daemons by PID) running a sweep as a job array with one member preempted and resumed;
# a 2-rank mpirun ensemble; 2-rank data-parallel training against 1 rank. Needs root (CI is root).
cluster-test: deps python-deps
	swift build --product ndyn
	Tests/cluster/run-cluster-checks.sh .build/debug/ndyn $(PYTHON) $(CHECK_DIR)/cluster

# Benchmarks: ours and the peers in one run on this machine, then BENCHMARKS.md.
bench-deps: deps
	@dpkg-query -W -f='$${Status}' libsundials-dev 2>/dev/null | grep -q "install ok installed" || { \
	  echo "Installing libsundials-dev"; $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends libsundials-dev; }
	@[ $(BENCH_VENV)/.installed -nt Benchmarks/peers/requirements.txt ] || { rm -rf $(BENCH_VENV) && python3 -m venv $(BENCH_VENV) && \
	  $(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -r Benchmarks/peers/requirements.txt && \
	  touch $(BENCH_VENV)/.installed; }

# A user's package depending on this one (Benchmarks/ExternalClient), built in .build/external-client.
EXTERNAL := .build/external-client
external-client:
	mkdir -p $(EXTERNAL)/Sources/external-client
	cp Benchmarks/ExternalClient/Package.swift $(EXTERNAL)/Package.swift
	cp Benchmarks/ExternalClient/Sources/external-client/main.swift $(EXTERNAL)/Sources/external-client/main.swift
	ln -sfn $(CURDIR) $(EXTERNAL)/NeuralDynamics
	swift build -c release --package-path $(EXTERNAL) -Xswiftc -target-cpu -Xswiftc $(CPU) -Xcc -march=$(CPU)

bench: bench-deps external-client
	$(RELEASE) --product integrator-bench
	$(RELEASE) --product learning-bench
	mkdir -p $(BENCH_DIR)
	$(MAKE) -C Benchmarks/peers sundials_peer OUT=$(CURDIR)/$(BENCH_DIR)
	.build/release/integrator-bench > $(BENCH_DIR)/neuraldynamics.jsonl
	$(BENCH_DIR)/sundials_peer > $(BENCH_DIR)/sundials.jsonl
	@# The 2-D Brusselator: the SUNDIALS peer first (it computes and caches the tight references,
	@# about 5 minutes for N = 128 on the first run), then ours against the same references.
	$(MAKE) -C Benchmarks/peers brusselator_peer OUT=$(CURDIR)/$(BENCH_DIR)
	mkdir -p $(BENCH_DIR)/references
	$(BENCH_DIR)/brusselator_peer 32,64,128 --reference-dir $(BENCH_DIR)/references --cap 60 --max-seconds 30 \
	  > $(BENCH_DIR)/brusselator-sundials.jsonl 2> $(BENCH_DIR)/brusselator-sundials.stderr
	.build/release/integrator-bench --problems brusselator2d --reference-dir $(BENCH_DIR)/references > $(BENCH_DIR)/brusselator.jsonl
	.build/external-client/.build/release/external-client > $(BENCH_DIR)/external-client.jsonl
	$(BENCH_VENV)/bin/python Benchmarks/peers/python_peers.py > $(BENCH_DIR)/python.jsonl 2> $(BENCH_DIR)/python.stderr
	$(BENCH_VENV)/bin/python Benchmarks/peers/verify_results.py $(BENCH_DIR)/sundials.jsonl $(BENCH_DIR)/python.jsonl > /dev/null
	.build/release/learning-bench > $(BENCH_DIR)/learning.jsonl
	@# dgemm as started (the start-up choice of kernels), then under each core this CPU can run
	{ env -u OPENBLAS_CORETYPE .build/release/learning-bench --only dgemm; \
	  for core in Prescott Sandybridge Haswell Zen SkylakeX Cooperlake; do \
	    OPENBLAS_CORETYPE=$$core .build/release/learning-bench --only dgemm 2>/dev/null || true; \
	  done; } > $(BENCH_DIR)/dgemm.jsonl
	$(BENCH_VENV)/bin/python Benchmarks/peers/torch_peers.py > $(BENCH_DIR)/torch.jsonl 2> $(BENCH_DIR)/torch.stderr
	$(RELEASE) --product ndyn
	.build/release/ndyn info --system > $(BENCH_DIR)/machine.txt
	python3 Benchmarks/cellflow/bench_cellflow.py .build/release/ndyn Benchmarks/cellflow/cell-flow-100k.json > $(BENCH_DIR)/cellflow.jsonl
	$(RELEASE) --product fluids-bench
	.build/release/fluids-bench 256 1024 > $(BENCH_DIR)/fluids.jsonl
	$(BENCH_VENV)/bin/python Benchmarks/peers/jaxcfd_peer.py 256 1024 > $(BENCH_DIR)/jaxcfd.jsonl 2> $(BENCH_DIR)/jaxcfd.stderr
	$(RELEASE) --product wavelet-bench
	.build/release/wavelet-bench > $(BENCH_DIR)/wavelets.jsonl
	$(BENCH_VENV)/bin/python Benchmarks/peers/wavelet_peer.py >> $(BENCH_DIR)/wavelets.jsonl
	$(BENCH_VENV)/bin/python Benchmarks/peers/unet_peer.py >> $(BENCH_DIR)/wavelets.jsonl
	$(RELEASE) --product transport-bench
	.build/release/transport-bench > $(BENCH_DIR)/transport.jsonl
	$(BENCH_VENV)/bin/python Benchmarks/peers/transport_peer.py >> $(BENCH_DIR)/transport.jsonl
	$(RELEASE) --product traffic-bench
	.build/release/traffic-bench > $(BENCH_DIR)/traffic.jsonl
	$(BENCH_VENV)/bin/python Benchmarks/peers/traffic_peer.py >> $(BENCH_DIR)/traffic.jsonl
	python3 Benchmarks/report.py --machine $(BENCH_DIR)/machine.txt $(BENCH_DIR)/neuraldynamics.jsonl $(BENCH_DIR)/sundials.jsonl $(BENCH_DIR)/python.jsonl \
	  $(BENCH_DIR)/brusselator-sundials.jsonl $(BENCH_DIR)/brusselator.jsonl $(BENCH_DIR)/external-client.jsonl \
	  $(BENCH_DIR)/learning.jsonl $(BENCH_DIR)/dgemm.jsonl $(BENCH_DIR)/torch.jsonl $(BENCH_DIR)/cellflow.jsonl \
	  $(BENCH_DIR)/fluids.jsonl $(BENCH_DIR)/jaxcfd.jsonl $(BENCH_DIR)/wavelets.jsonl $(BENCH_DIR)/transport.jsonl \
	  $(BENCH_DIR)/traffic.jsonl > BENCHMARKS.md
	@sed -n '/## Targets/,/^## lorenz/p' BENCHMARKS.md | head -n -1

clean:
	rm -rf .build $(VENV) $(BENCH_VENV) runs
