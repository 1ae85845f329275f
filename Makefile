# Targets a user needs; `make help` lists them. The live steps need a running
# daemon; .ci/run starts one on Linux.
SHELL     := /bin/bash
GO        ?= go
IMAGE     ?= conformance/busybox:local
BUSYBOX   ?= /bin/busybox
# record writes here; empty: a new temporary folder, named when it ends.
RECORD_TO ?=
# The prebuilt gate binaries and the JUnit file of `make junit`.
DIST      ?= dist
JUNIT     ?= conformance-junit.xml
# The prebuilt gate: -tags gatebinary leaves out the pipeline self-tests (and the JSON
# Schema library they use); -X prebuilt makes it run the gate by default and write its
# results beside itself.
# The build's identity (version, commit, the commit's time) comes from git: scripts/version.sh
# is the one place that forms it and its -X flags (action.yml links the same; docs/releases.md).
GATE_TAGS    := gatebinary
VERSION      = $(shell scripts/version.sh version)
BUILD_DATE   = $(shell scripts/version.sh date)
GATE_LDFLAGS = -s -w -X github.com/wincontainer-gate/conformance.prebuilt=1 $(shell scripts/version.sh ldflags)
# make release: the targets, and the SBOM tool run at a pinned version outside go.mod.
RELEASE_TARGETS := windows/amd64 windows/arm64 linux/amd64
CYCLONEDX_GOMOD := github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod@v1.10.0

.PHONY: help image fmt-check vet unit bench live replay record roundtrip fixtures fixtures-check windows test \
	windows-exe linux-exe wine junit junit-check lint-examples container-check soak mutants mutants-list mutants-changed cri-images cri-live \
	release release-check print-release-targets

help: ## list the targets (marked [daemon]: they need a running Docker daemon)
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 18

image: ## [daemon] build the Linux workload image FROM scratch with Debian's static busybox
	@test -x $(BUSYBOX) || { echo "no $(BUSYBOX): apt-get install busybox-static"; exit 1; }
	ctx=$$(mktemp -d) && cp $(BUSYBOX) $$ctx/busybox && cp testimage/Dockerfile $$ctx/ && \
	docker build -q -t $(IMAGE) $$ctx && rm -rf $$ctx

fmt-check: ## fail when gofmt would change a file
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi

vet: ## go vet for Linux and for Windows (amd64 and arm64)
	$(GO) vet ./...
	GOOS=windows $(GO) vet ./...
	GOOS=windows GOARCH=arm64 $(GO) vet ./...

windows: ## build the suite's test binaries for Windows amd64 and arm64 (compile check of the Windows probes and their Windows-only tests)
	GOOS=windows $(GO) test -c -o /dev/null .
	GOOS=windows $(GO) test -c -tags $(GATE_TAGS) -o /dev/null .
	GOOS=windows $(GO) test -c -o /dev/null ./helpers/...
	GOOS=windows GOARCH=arm64 $(GO) test -c -o /dev/null .
	GOOS=windows GOARCH=arm64 $(GO) test -c -o /dev/null ./helpers/...

unit: ## unit tests of the helpers and the replay of every fixture (no daemon needed); benchmarks run once
	CONFORMANCE_MODE=replay $(GO) test -count=1 -bench . -benchtime 1x ./...

BENCH_RUNS ?= 15
bench: image ## live gate vs docker CLI script vs raw Engine API (interleaved, one daemon), whole-fixture replay, BenchmarkReplayHost; see BENCHMARKS.md
	@dir=$$(mktemp -d) && trap 'rm -rf $$dir' EXIT && \
	$(GO) test -c -o $$dir/gate.test . && $(GO) build -o $$dir/benchgate ./helpers/benchgate && \
	$$dir/benchgate -gate $$dir/gate.test -cli helpers/benchgate/cli.sh -runs $(BENCH_RUNS) -image $(IMAGE) && \
	echo && echo "replay of one recorded host (load + gather), BenchmarkReplayHost (target <= 3 ms/op, <= 15000 allocs/op):" && \
	$(GO) test -count=1 -run '^$$' -bench ReplayHost -benchmem -benchtime 200x -count 3 ./helpers/harness/ | grep -E '^Benchmark' 

replay: ## replay every fixture: one line per host, the detection score, and the details of any failure
	@log=$$(mktemp); CONFORMANCE_MODE=replay $(GO) test -count=1 -v -run 'TestConformance|TestBrokenHostsAreCaught' . >$$log 2>&1; status=$$?; \
	grep -E 'replaying |detection score|^(--- |ok|FAIL)|^    --- (PASS|FAIL)' $$log; \
	if [ $$status -ne 0 ]; then grep -E -B2 -A12 -- '--- FAIL' $$log | head -200; fi; rm -f $$log; exit $$status

live: image ## [daemon] run the suite against the live daemon
	CONFORMANCE_MODE=live $(GO) test -count=1 -v -run 'TestConformance|TestLive' .

record: image ## [daemon] record the live daemon into RECORD_TO=<folder> (default: a new temporary folder); CONFORMANCE_RECORD_NAME names the host
	@dir='$(RECORD_TO)'; [ -n "$$dir" ] || dir=$$(mktemp -d); \
	CONFORMANCE_MODE=record CONFORMANCE_FIXTURES=$$dir $(GO) test -count=1 -v -run 'TestConformance' . && \
	echo "recorded into $$dir"

roundtrip: image ## [daemon] record the live daemon into a temporary folder and replay it: verdicts must be equal
	@dir=$$(mktemp -d) && \
	CONFORMANCE_MODE=record CONFORMANCE_FIXTURES=$$dir CONFORMANCE_RECORD_NAME=roundtrip $(GO) test -count=1 -run 'TestConformance' . && \
	echo "replaying the recording: each claim must reach the verdict it reached live ('as expected')" && \
	CONFORMANCE_MODE=replay CONFORMANCE_FIXTURES=$$dir $(GO) test -count=1 -v -run 'TestConformance' . | grep -E '^(--- FAIL|FAIL|ok)|as expected|got |verdicts:|fixture error' ; \
	status=$${PIPESTATUS[0]}; rm -rf $$dir; exit $$status

fixtures: ## regenerate the constructed fixtures from their descriptions
	$(GO) run ./helpers/fixturegen -fixtures fixtures

fixtures-check: ## regenerate the constructed fixtures into a temporary copy: no committed byte may change
	@tmp=$$(mktemp -d) && cp -r fixtures/. $$tmp/ && $(GO) run ./helpers/fixturegen -fixtures $$tmp && \
	diff -r fixtures $$tmp && echo "constructed fixtures are byte-for-byte reproducible"; status=$$?; rm -rf $$tmp; exit $$status

windows-exe: ## the gate for Windows hosts without Go: dist/conformance-gate.exe (the test binary; see docs/pipelines.md)
	GOOS=windows GOARCH=amd64 $(GO) test -c -trimpath -tags $(GATE_TAGS) -ldflags '$(GATE_LDFLAGS)' -o $(DIST)/conformance-gate.exe .
	@ls -l $(DIST)/conformance-gate.exe | awk '{printf "%s: %.1f MB\n", $$NF, $$5/1048576}'

wine: windows-exe ## run the Windows code under Wine (wine64 8.0, private prefix in build/wine): the helpers' Windows tests, the .exe's replay vs the Linux build's report, its exit codes; see docs/wine.md
	bash scripts/wine.sh

linux-exe: ## the same binary for Linux hosts: dist/conformance-gate
	$(GO) test -c -trimpath -tags $(GATE_TAGS) -ldflags '$(GATE_LDFLAGS)' -o $(DIST)/conformance-gate .

junit: ## the gate's JUnit through gotestsum into JUNIT (default conformance-junit.xml): live on Windows, replay elsewhere
	@status=0; $(GO) tool gotestsum --junitfile '$(JUNIT)' --format pkgname --hide-summary=skipped -- -count=1 -run '^TestConformance$$' . || status=$$?; \
	$(GO) test -count=1 -run '^TestJUnitOfGotestsum$$' . -args -check-junit='$(abspath $(JUNIT))' || exit 1; \
	echo "$(JUNIT): one test case per claim ID (gate exit code $$status)"; exit $$status

junit-check: image ## [daemon] a live gate made to fail engine-version, through gotestsum: its JUnit failure carries message, evidence and fix
	@out=$$(mktemp); CONFORMANCE_MODE=live CONFORMANCE_ENGINE_VERSION='>=99' \
	$(GO) tool gotestsum --junitfile $$out --format dots -- -count=1 -run '^TestConformance$$' . >/dev/null && \
	{ echo "the gate passed against an impossible engine version"; rm -f $$out; exit 1; }; \
	$(GO) test -count=1 -run '^TestJUnitOfGotestsum$$' . -args -check-junit=$$out -check-junit-failed=engine-version; status=$$?; rm -f $$out; exit $$status

lint-examples: ## actionlint on the GitHub Actions example as a workflow of a clone, so that it also checks the root action.yml it uses (the Azure and Packer examples are parsed by go test)
	@tmp=$$(mktemp -d) && mkdir -p $$tmp/.github/workflows && cp action.yml $$tmp/ && \
	cp examples/github-actions/conformance.yml $$tmp/.github/workflows/ && git -C $$tmp init -q && \
	$(GO) tool actionlint $$tmp/.github/workflows/conformance.yml; status=$$?; rm -rf $$tmp; \
	[ $$status -eq 0 ] && echo "actionlint: examples/github-actions/conformance.yml and action.yml"; exit $$status

test: fmt-check vet windows lint-examples unit replay live junit-check cri-live ## gofmt, vet for Linux and Windows, the Windows test build, actionlint on the examples, unit tests, the replay summary, the live suite, the JUnit check, the containerd gate live against a private containerd

container-check: image ## [daemon] run the gate inside a container given the daemon's socket: host-side claims must report "probe broken: the harness runs inside a container"
	@dir=$$(mktemp -d) && CGO_ENABLED=0 $(GO) test -c -o $$dir/conformance.test . && \
	CONFORMANCE_MODE=live $$dir/conformance.test -test.count=1 -test.v -test.run '^TestLiveHarnessInsideAContainer$$'; \
	status=$$?; rm -rf $$dir; exit $$status

RUNS ?= 200
soak: image ## [daemon] build the test binary once and run the live gate RUNS times (default 200) under nice; prints each failure and the count
	@dir=$$(mktemp -d) && $(GO) test -c -o $$dir/conformance.test . && fails=0 && \
	for i in $$(seq 1 $(RUNS)); do \
	  if ! CONFORMANCE_MODE=live nice $$dir/conformance.test -test.count=1 -test.v -test.run '^TestConformance$$' >$$dir/run.log 2>&1; then \
	    fails=$$((fails+1)); cp $$dir/run.log $$dir/failed-$$i.log; echo "run $$i FAILED:"; grep -E -A6 -- '--- FAIL| fail: ' $$dir/run.log | head -30; \
	  fi; \
	done; \
	echo "soak: $(RUNS) consecutive live runs, $$fails failed"; \
	if [ $$fails -eq 0 ]; then rm -rf $$dir; else echo "logs of the failed runs: $$dir"; exit 1; fi

cri-images: image ## [daemon] build the private containerd's sandbox image (conformance/pause:local) FROM scratch with Debian's static busybox
	ctx=$$(mktemp -d) && cp $(BUSYBOX) $$ctx/busybox && cp testimage/Dockerfile.pause $$ctx/Dockerfile && \
	docker build -q -t conformance/pause:local $$ctx >/dev/null && rm -rf $$ctx

cri-live: cri-images ## [daemon] the containerd gate live against a private containerd in its own network namespace: must pass and leave nothing; a broken variant must fail
	bash scripts/cri-live.sh

mutants: ## the mutation tool over the verdict code, one package at a time: killed, lived, not covered, efficacy and coverage against each package's thresholds (docs/mutation-testing.md), then the hand list
	$(GO) run ./helpers/mutants
	bash scripts/mutants.sh

mutants-list: ## apply each one-line mutation of scripts/mutants.txt to a scratch copy and run the replay self-tests: every one must be killed
	bash scripts/mutants.sh

mutants-changed: ## (CI) the mutation tool on the lines changed since the last full run (scripts/mutants-baseline): every mutant that lives must be listed as equivalent
	$(GO) run ./helpers/mutants -changed "$$(cat scripts/mutants-baseline)"

release: ## the release artifacts in DIST/release: gate binaries for windows/amd64, windows/arm64, linux/amd64 in archives with README, LICENSE and CHANGELOG, a CycloneDX SBOM, checksums.txt (see docs/releases.md)
	$(GO) run ./helpers/release -dist $(DIST)/release -version '$(VERSION)' -date '$(BUILD_DATE)' \
		-tags $(GATE_TAGS) -ldflags '$(GATE_LDFLAGS)' -sbom-tool $(CYCLONEDX_GOMOD) $(RELEASE_TARGETS)
	cd $(DIST)/release && sha256sum -c checksums.txt

release-check: ## make release in two fresh clones of HEAD in different folders, the second with an empty build cache (RELEASE_CHECK_COLD=<targets>: only those; RELEASE_CHECK_TAG=v0.1.0: tag the clones): every artifact byte-identical, no local path in a binary, the version, commit and report right
	RELEASE_CHECK_COLD='$(RELEASE_CHECK_COLD)' RELEASE_CHECK_TAG='$(RELEASE_CHECK_TAG)' bash scripts/release-check.sh

print-release-targets:
	@echo $(RELEASE_TARGETS)
