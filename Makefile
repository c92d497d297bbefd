# Reprise: make reproduce | make reproduce PAPER=<slug> | make quick | make test | make stability | make bench | make compare BASE=<commit> | make list | make clean
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
# No debug information: it adds 5-15% to every module's compile and nothing to a run (crash
# backtraces still name the functions).
RELEASE    := -c release -debug-info-format none $(CPU_FLAGS) -Xswiftc -num-threads -Xswiftc 2
REPORTS    ?= Reports
PAPER      ?=

# Every folder under Papers/ with a main.swift is a paper's executable; its slug (the report's
# file name) comes from the executable itself (`<Target> --slug`).
TARGETS := $(sort $(patsubst Papers/%/main.swift,%,$(wildcard Papers/*/main.swift)))
BIN     := .build/release

.PHONY: all build reproduce quick test bench compare list clean index stability new

all: build

build:
	$(SWIFT) build $(SWIFTPM_FLAGS) $(RELEASE)

## make reproduce [PAPER=slug] [FORCE=1]: every paper (or one) in full mode, then the report index.
## A paper runs only when its inputs changed (the input hash its report records differs from the one
## its binary computes now: sources, data, manifest, compiler, mode and seed); FORCE=1 reruns all.
## Ends with a summary: paper, ran or up to date, wall time, verdict counts.
SUMMARY := .build/reproduce-summary.txt
reproduce: build
	@set -e; found=0; mkdir -p $(REPORTS); : > $(SUMMARY); for t in $(TARGETS); do \
	  slug=$$($(BIN)/$$t --slug); \
	  if [ -n "$(PAPER)" ] && [ "$(PAPER)" != "$$slug" ] && [ "$(PAPER)" != "$$t" ]; then continue; fi; \
	  found=1; want=$$($(BIN)/$$t --input-hash); \
	  have=$$(sed -n 's/.*Input hash `\([0-9a-f]*\)`.*/\1/p' $(REPORTS)/$$slug.md 2>/dev/null | head -1); \
	  if [ -z "$(FORCE)" ] && [ "$$want" != unknown ] && [ "$$want" = "$$have" ] && [ -f $(REPORTS)/$$slug.claims.json ]; then \
	    echo "== $$slug ($$t): up to date (input hash $$want)"; echo "$$slug up-to-date 0" >> $(SUMMARY); \
	  else \
	    echo "== $$slug ($$t), full mode"; t0=$$(date +%s%N); \
	    $(BIN)/$$t --out $(REPORTS); \
	    echo "$$slug ran $$(( ($$(date +%s%N) - t0) / 1000000 ))" >> $(SUMMARY); \
	  fi; \
	done; \
	if [ "$$found" = 0 ]; then echo "unknown paper '$(PAPER)'; see: make list" >&2; exit 2; fi
	@$(MAKE) --no-print-directory index
	@$(BIN)/ReportIndex --reports $(REPORTS) --summary $(SUMMARY)

## make quick [PAPER=slug]: every paper (or one) in quick mode (seconds each); reports go to .build/quick-reports.
quick: build
	@set -e; found=0; for t in $(TARGETS); do \
	  slug=$$($(BIN)/$$t --slug); \
	  if [ -n "$(PAPER)" ] && [ "$(PAPER)" != "$$slug" ] && [ "$(PAPER)" != "$$t" ]; then continue; fi; \
	  found=1; echo "== $$slug ($$t), quick mode"; $(BIN)/$$t --quick --out .build/quick-reports; \
	done; \
	if [ "$$found" = 0 ]; then echo "unknown paper '$(PAPER)'; see: make list" >&2; exit 2; fi

## make stability [PAPER=slug] [SEEDS=5]: every paper's full mode for its default seed and the next
## SEEDS-1 seeds (outside CI; as long as it takes), then Reports/STABILITY.md and Reports/stability.json.
## The default seed's run is the report itself (brought up to date first); the new counts change the
## reports' input hash, so the closing `make reproduce` re-renders the Claims tables with them.
SEEDS ?= 5
STABILITY_RUNS := .build/stability
stability: build
	@$(MAKE) --no-print-directory reproduce PAPER=$(PAPER)
	@set -e; for t in $(TARGETS); do \
	  slug=$$($(BIN)/$$t --slug); \
	  if [ -n "$(PAPER)" ] && [ "$(PAPER)" != "$$slug" ] && [ "$(PAPER)" != "$$t" ]; then continue; fi; \
	  s0=$$($(BIN)/$$t --default-seed); mkdir -p $(STABILITY_RUNS)/seed-0; \
	  cp $(REPORTS)/$$slug.claims.json $(STABILITY_RUNS)/seed-0/; \
	  for k in $$(seq 1 $$(($(SEEDS) - 1))); do \
	    echo "== $$slug ($$t), full mode, seed $$((s0 + k))"; \
	    $(BIN)/$$t --seed $$((s0 + k)) --out $(STABILITY_RUNS)/seed-$$k; \
	  done; \
	done
	@$(BIN)/ReportIndex --reports $(REPORTS) --stability $(STABILITY_RUNS)
	@$(MAKE) --no-print-directory reproduce PAPER=$(PAPER)

index:
	@$(BIN)/ReportIndex --reports $(REPORTS)

## make test: kernel, notebook, CLI, determinism and every paper's claims in quick mode.
## One build: `swift test` builds the executables the CLI tests run along with the test bundle,
## all with testable imports (a separate `swift build` first would compile everything twice).
test:
	$(SWIFT) test $(SWIFTPM_FLAGS) $(RELEASE)

## make bench: Reprise vs NumPy/OpenBLAS on this machine, written to Reports/BENCHMARKS.md.
## make bench [PAPERS=all|none|Target,Target]: the kernel against NumPy, one core busy, and the papers
## section (each paper's full run on 1 and 2 threads and its dominant loop against the machine's limits).
## The bench is a package of its own (Tools/Bench), so `make test` does not compile it.
PAPERS ?= all
bench: build
	$(SWIFT) build --package-path Tools/Bench $(SWIFTPM_FLAGS) $(RELEASE)
	Tools/Bench/.build/release/Bench --out $(REPORTS)/BENCHMARKS.md --papers $(PAPERS)

## make compare BASE=<commit> [ONLY="Target Target"] [ROUNDS=2]: each paper's full run (or the listed
## ones) by the binary of BASE and by this checkout's, alternating, on 1 and 2 threads: median wall
## times and the speed-up, and whether both ran the same experiment (their claims.json agree).
compare:
	@if [ -z "$(BASE)" ]; then echo "usage: make compare BASE=<commit> [ONLY=\"Target ...\"] [ROUNDS=2]" >&2; exit 2; fi
	@ROUNDS=$(or $(ROUNDS),2) Tools/compare-papers.sh $(BASE) $(ONLY)

## make new PAPER=<Name> [SLUG=<slug>]: a new paper folder from Tools/PaperTemplate that builds, runs in
## quick mode, writes a report with one example claim, and has its test (listed in AllPapersTests).
new:
	@set -e; name="$(PAPER)"; \
	case "$$name" in ""|*[!A-Za-z0-9]*|[!A-Z]*) echo "usage: make new PAPER=<Name> [SLUG=<slug>] (Name: letters and digits, starting upper case)" >&2; exit 2;; esac; \
	slug="$(SLUG)"; [ -n "$$slug" ] || slug=$$(echo "$$name" | sed 's/\([a-z0-9]\)\([A-Z]\)/\1-\2/g' | tr 'A-Z' 'a-z'); \
	if [ -e "Papers/$$name" ]; then echo "Papers/$$name already exists" >&2; exit 2; fi; \
	mkdir -p "Papers/$$name"; \
	for f in main Paper LinearRate; do sed -e "s/__NAME__/$$name/g" -e "s/__SLUG__/$$slug/g" Tools/PaperTemplate/$$f.swift.template > "Papers/$$name/$$f.swift"; done; \
	sed -e "s/__NAME__/$$name/g" -e "s/__SLUG__/$$slug/g" Tools/PaperTemplate/Tests.swift.template > "Tests/PaperTests/$${name}Tests.swift"; \
	sed -i -e "s/^\(@testable import ScaledGDLambda\)$$/\1\n@testable import $$name/" \
	  -e "s/^\(        Entry(info: ScaledGDLambda.info) { try ScaledGDLambda.run(options: \$$0, report: \$$1) },\)$$/\1\n        Entry(info: $$name.info) { try $$name.run(options: \$$0, report: \$$1) },/" \
	  Tests/PaperTests/AllPapersTests.swift; \
	grep -q "import $$name\$$" Tests/PaperTests/AllPapersTests.swift || echo "note: add $$name to Tests/PaperTests/AllPapersTests.swift by hand" >&2; \
	echo "created Papers/$$name (slug $$slug) and Tests/PaperTests/$${name}Tests.swift; next: make quick PAPER=$$slug"

list: build
	@for t in $(TARGETS); do printf "%-32s %s\n" "$$($(BIN)/$$t --slug)" "$$t"; done

clean:
	rm -rf .build .build-* Tools/Bench/.build
