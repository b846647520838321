# Echoflow: the two set-up commands are `make demo` and `make test`.
# Both install missing Debian packages first (`make deps`).

SWIFT        ?= swift
NATIVE_FLAGS := -Xswiftc -target-cpu -Xswiftc native -Xswiftc -DECHOFLOW_FMA
SUDO         := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
DEMO_OUT     ?= echoflow-demo
PREFIX       ?= /usr/local
# Debian packages and the pkg-config module that shows each is present.
DEB_PKGS     := pkg-config:pkg-config libpng-dev:libpng libfftw3-dev:fftw3 libturbojpeg0-dev:libturbojpeg zlib1g-dev:zlib

.PHONY: all deps build release install demo test test-data browser-deps browser-test viewer-bench side-by-side lint format fixtures clean bench bench-check bench-thresholds fuzz fuzz-ci readme-tables docs reference-fits dicom-reference imagej-rois nifti-masks

all: build

## deps: install the C libraries (libpng, FFTW, libjpeg-turbo, zlib) and pkg-config when they are missing.
deps:
	@missing=""; \
	for entry in $(DEB_PKGS); do \
	  pkg=$${entry%%:*}; mod=$${entry##*:}; \
	  if [ "$$pkg" = "pkg-config" ]; then \
	    command -v pkg-config >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	  elif ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists $$mod; then \
	    missing="$$missing $$pkg"; \
	  fi; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	else \
	  echo "make deps: libpng, FFTW, libjpeg-turbo, zlib and pkg-config are present"; \
	fi

build: deps
	$(SWIFT) build

## release: optimised build for this machine's CPU (used by demo and benchmarks).
release: deps
	$(SWIFT) build -c release $(NATIVE_FLAGS)

## install: the release build of echoflow into $(PREFIX)/bin (default /usr/local/bin; `make install PREFIX=~/.local`).
install: release
	install -d "$(DESTDIR)$(PREFIX)/bin"
	install -m 755 "$$($(SWIFT) build -c release $(NATIVE_FLAGS) --show-bin-path)/echoflow" "$(DESTDIR)$(PREFIX)/bin/echoflow"
	@echo "installed $(DESTDIR)$(PREFIX)/bin/echoflow; run \`echoflow --help\`"

## demo: the whole pipeline on the bundled fixture study.
demo: release
	$$($(SWIFT) build -c release $(NATIVE_FLAGS) --show-bin-path)/echoflow demo --output $(DEMO_OUT)

## test-data: real ultrasound DICOM files from PyPI (pydicom-data, deid-data) into .cache/dicom-samples.
test-data:
	python3 Tests/Data/fetch_dicom_samples.py .cache/dicom-samples

## test: every test (unit, end to end, bad input), then the viewer's page in headless Chromium.
test: deps test-data browser-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	python3 Tests/Browser/drive_viewer.py "$$($(SWIFT) build --show-bin-path)/echoflow"

## browser-deps: Debian's chromium, for the viewer's end-to-end test (installed when missing).
browser-deps:
	@if command -v chromium >/dev/null 2>&1; then echo "make browser-deps: chromium is present"; else \
	  echo "make browser-deps: installing chromium"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium; \
	fi

## viewer-bench: the viewer's targets on a 1,500-frame 800 x 600 DICOM cine written by pydicom (.cache, 720 MB):
## how long a frame takes to appear after the slider moves, and a region's curve after it is drawn (release build).
viewer-bench: release browser-deps
	[ -x .cache/pydicom-venv/bin/python ] || python3 -m venv .cache/pydicom-venv
	.cache/pydicom-venv/bin/pip install --quiet pydicom==3.0.2 pillow numpy
	[ -f .cache/viewer-cine.dcm ] || .cache/pydicom-venv/bin/python Benchmarks/reference/viewer_cine.py .cache/viewer-cine.dcm
	python3 Tests/Browser/drive_viewer.py "$$($(SWIFT) build -c release $(NATIVE_FLAGS) --show-bin-path)/echoflow" \
	    --clip .cache/viewer-cine.dcm --measure

## browser-test: only the viewer's end-to-end test: headless Chromium draws a rectangle with the mouse, sees its
## curve and fit, saves it, and `echoflow analyze` reads the saved roi.json (Tests/Browser/drive_viewer.py).
browser-test: browser-deps build
	python3 Tests/Browser/drive_viewer.py "$$($(SWIFT) build --show-bin-path)/echoflow"

## side-by-side: `echoflow fit` on a generated 3,000-curve long CSV beside SciPy's curve_fit fitting and pandas.read_csv
## reading the same file, in one run (release build; NumPy, SciPy and pandas in .cache/pandas-venv): the README's table.
side-by-side: release
	[ -x .cache/pandas-venv/bin/python ] || python3 -m venv .cache/pandas-venv
	.cache/pandas-venv/bin/pip install --quiet numpy==2.4.6 scipy==1.17.1 pandas==3.1.1
	.cache/pandas-venv/bin/python Benchmarks/reference/fit_side_by_side.py \
	    "$$($(SWIFT) build -c release $(NATIVE_FLAGS) --show-bin-path)/echoflow"

## bench: release throughput on this machine (echoflow bench), then the benchmark package (ordo-one/benchmark).
bench: release
	$$($(SWIFT) build -c release $(NATIVE_FLAGS) --show-bin-path)/echoflow bench
	cd Benchmarks && $(SWIFT) package benchmark --metric mallocCountTotal --metric throughput --no-progress

## bench-check: allocation counts against the committed thresholds (Benchmarks/Thresholds), deterministic; then
## the ratio gates of `echoflow bench --check` (SIMD vs scalar, fit and analyze end to end vs their references,
## measured in the same run so that a slow or busy machine cannot trip them).
bench-check: release
	cd Benchmarks && $(SWIFT) package benchmark thresholds check --metric mallocCountTotal --no-progress
	$$($(SWIFT) build -c release $(NATIVE_FLAGS) --show-bin-path)/echoflow bench --check --seconds 0.3 --curves 1024

## bench-thresholds: record new allocation thresholds after an intended change (commit Benchmarks/Thresholds).
bench-thresholds: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark thresholds update --metric mallocCountTotal --no-progress

## fuzz: every parser under libFuzzer and AddressSanitizer (DICOM, PNG frames, tables, JSON, ImageJ ROIs), FUZZ_RUNS runs each.
FUZZ_RUNS ?= 200000
FUZZ_TARGETS := DICOMFuzzer:dicom PNGFuzzer:png TableFuzzer:table JSONFuzzer:json RegionFuzzer:roi
# lld: gold fails on the fuzzer runtime's debug info.
FUZZ_LINK := -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld
FUZZ_BUILD := cd Fuzz && $(SWIFT) build -c release -Xswiftc -sanitize=fuzzer,address $(FUZZ_LINK)
# Each target starts from the committed seeds (Fuzz/Corpus) and keeps what it finds in Fuzz/.corpus (not committed).
# Fuzz/lsan.supp lists the third-party leaks LeakSanitizer is told to ignore, with their reasons.
define run_fuzzers
	@set -e; bin=$$($(FUZZ_BUILD) --show-bin-path); \
	for pair in $(FUZZ_TARGETS); do \
	    target=$${pair%%:*}; seeds=$${pair##*:}; mkdir -p Fuzz/.corpus/$$seeds; log=Fuzz/.corpus/$$target.log; \
	    echo "== $$target ($(1))"; \
	    if LSAN_OPTIONS=suppressions=$(CURDIR)/Fuzz/lsan.supp $$bin/$$target $(1) -max_len=4096 -timeout=10 -rss_limit_mb=2048 -seed=1 -print_final_stats=1 \
	        -artifact_prefix=Fuzz/.corpus/ Fuzz/.corpus/$$seeds Fuzz/Corpus/$$seeds > $$log 2>&1; then \
	        grep -E "DONE|stat::number_of_executed_units|stat::peak_rss_mb" $$log | tail -3; \
	    else \
	        tail -40 $$log; echo "$$target FAILED (crash, leak, timeout or memory): the input is in Fuzz/.corpus/"; exit 1; \
	    fi; \
	done
endef
fuzz: deps
	$(FUZZ_BUILD)
	$(call run_fuzzers,-runs=$(FUZZ_RUNS))

## fuzz-ci: the same targets for FUZZ_SECONDS each (CI runs this; any crash, leak or timeout fails it).
FUZZ_SECONDS ?= 45
fuzz-ci: deps
	$(FUZZ_BUILD)
	$(call run_fuzzers,-max_total_time=$(FUZZ_SECONDS))

## dicom-reference: recompute the expected values of the real-DICOM tests with pydicom (into .cache/pydicom-venv).
dicom-reference: test-data
	[ -x .cache/pydicom-venv/bin/python ] || python3 -m venv .cache/pydicom-venv
	.cache/pydicom-venv/bin/pip install --quiet pydicom==3.0.2 pillow numpy
	.cache/pydicom-venv/bin/python Tests/Data/pydicom_reference.py .cache/dicom-samples

## imagej-rois: rewrite Fixtures/roi/imagej (ImageJ ROI files and what they hold) with roifile, from PyPI (.cache).
imagej-rois:
	[ -x .cache/roifile-venv/bin/python ] || python3 -m venv .cache/roifile-venv
	.cache/roifile-venv/bin/pip install --quiet roifile==2026.2.10 numpy
	.cache/roifile-venv/bin/python Tests/Data/imagej_rois.py Fixtures/roi/imagej

## nifti-masks: rewrite Fixtures/roi/nifti (NIfTI-1 label masks and their pixels) with nibabel, from PyPI (.cache).
nifti-masks:
	[ -x .cache/roifile-venv/bin/python ] || python3 -m venv .cache/roifile-venv
	.cache/roifile-venv/bin/pip install --quiet nibabel==5.4.2 numpy
	.cache/roifile-venv/bin/python Tests/Data/nifti_masks.py Fixtures/roi/nifti

## reference-fits: recompute Fixtures/real-tic/careful-fits.json with SciPy (installed from PyPI when missing).
reference-fits:
	python3 -c "import scipy" 2>/dev/null || python3 -m pip install --quiet scipy
	python3 Tests/Data/careful_fits.py > Fixtures/real-tic/careful-fits.json.tmp
	mv Fixtures/real-tic/careful-fits.json.tmp Fixtures/real-tic/careful-fits.json

## readme-tables: rewrite the README's column tables from the output schemas (a test checks they agree).
readme-tables: build
	$(SWIFT) build --build-tests
	ECHOFLOW_UPDATE_README=1 $(SWIFT) test --skip-build --filter readmeMatchesSchemas

## docs: DocC documentation of the library targets; a broken link or an undocumented parameter fails it.
docs: deps
	$(SWIFT) package generate-documentation --target PerfusionFitting --target CEUSImaging --target PerfusionAnalysis \
	    --target EchoflowViewer \
	    --warnings-as-errors

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

## fixtures: regenerate Fixtures/study with the recorded command and seed (see Fixtures/README.md).
fixtures: build
	rm -rf Fixtures/study
	$$($(SWIFT) build --show-bin-path)/echoflow synth --study --subjects 3 --seed 20261121 --duration 64 --frame-rate 5 --width 64 --height 56 --output Fixtures/study --quiet

clean:
	rm -rf .build $(DEMO_OUT)
