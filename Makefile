# Reprise: make reproduce | make reproduce PAPER=<slug> | make quick | make test | make stability | make bench | make list | make clean
#
# Release builds use the CPU's own SIMD/FMA instructions: a plain x86-64 release build turns
# SIMD8<Double> fused multiply-adds into calls to libm's fma (50-100x slower). The flag is chosen
# from this machine's CPU, so the same Makefile builds on any other machine (generic code when the
# CPU is unknown). Override with `make CPU_FLAGS=`.

SWIFT      ?= swift
# The evaluated manifest lists Papers/* at evaluation time; a cached evaluation would miss new folders.
SWIFTPM_FLAGS ?= --manifest-cache none
ARCH       := $(shell uname -m)
CPU_FLAGS  ?= $(shell if [ "$(ARCH)" = "x86_64" ] && grep -qw fma /proc/cpuinfo 2>/dev/null; then echo "-Xswiftc -target-cpu -Xswiftc native"; elif [ "$(ARCH)" = "aarch64" ] || [ "$(ARCH)" = "arm64" ]; then echo "-Xswiftc -target-cpu -Xswiftc native"; fi)
RELEASE    := -c release $(CPU_FLAGS)
REPORTS    ?= Reports
PAPER      ?=

# Every folder under Papers/ with a main.swift is a paper's executable; its slug (the report's
# file name) comes from the executable itself (`<Target> --slug`).
TARGETS := $(sort $(patsubst Papers/%/main.swift,%,$(wildcard Papers/*/main.swift)))
BIN     := .build/release

.PHONY: all build reproduce quick test bench list clean index stability

all: build

build:
	$(SWIFT) build $(SWIFTPM_FLAGS) $(RELEASE)

## make reproduce [PAPER=slug]: every paper (or one) in full mode, then the report index.
reproduce: build
	@set -e; found=0; for t in $(TARGETS); do \
	  slug=$$($(BIN)/$$t --slug); \
	  if [ -n "$(PAPER)" ] && [ "$(PAPER)" != "$$slug" ] && [ "$(PAPER)" != "$$t" ]; then continue; fi; \
	  found=1; echo "== $$slug ($$t), full mode"; \
	  $(BIN)/$$t --out $(REPORTS); \
	done; \
	if [ "$$found" = 0 ]; then echo "unknown paper '$(PAPER)'; see: make list" >&2; exit 2; fi
	@$(MAKE) --no-print-directory index

## make quick: every paper in quick mode (seconds each); reports go to .build/quick-reports.
quick: build
	@set -e; for t in $(TARGETS); do echo "== $$t, quick mode"; $(BIN)/$$t --quick --out .build/quick-reports; done

## make stability [PAPER=slug] [SEEDS=5]: every paper's full mode for its default seed and the next
## SEEDS-1 seeds (outside CI; as long as it takes), then Reports/STABILITY.md and Reports/stability.json.
## The next `make reproduce` shows each claim's count in its report.
SEEDS ?= 5
STABILITY_RUNS := .build/stability
stability: build
	@set -e; for t in $(TARGETS); do \
	  slug=$$($(BIN)/$$t --slug); \
	  if [ -n "$(PAPER)" ] && [ "$(PAPER)" != "$$slug" ] && [ "$(PAPER)" != "$$t" ]; then continue; fi; \
	  s0=$$($(BIN)/$$t --default-seed); \
	  for k in $$(seq 0 $$(($(SEEDS) - 1))); do \
	    echo "== $$slug ($$t), full mode, seed $$((s0 + k))"; \
	    $(BIN)/$$t --seed $$((s0 + k)) --out $(STABILITY_RUNS)/seed-$$k; \
	  done; \
	done
	@$(BIN)/ReportIndex --reports $(REPORTS) --stability $(STABILITY_RUNS)

index:
	@$(BIN)/ReportIndex --reports $(REPORTS)

## make test: kernel, notebook, CLI, determinism and every paper's claims in quick mode.
test:
	$(SWIFT) build $(SWIFTPM_FLAGS) $(RELEASE)
	$(SWIFT) test $(SWIFTPM_FLAGS) $(RELEASE)

## make bench: Reprise vs NumPy/OpenBLAS on this machine, written to Reports/BENCHMARKS.md.
bench:
	$(SWIFT) build $(SWIFTPM_FLAGS) $(RELEASE) --product Bench
	.build/release/Bench --out $(REPORTS)/BENCHMARKS.md

list: build
	@for t in $(TARGETS); do printf "%-32s %s\n" "$$($(BIN)/$$t --slug)" "$$t"; done

clean:
	rm -rf .build .build-*
