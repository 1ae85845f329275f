# Targets a user needs; `make help` lists them. The live steps need a running
# daemon; .ci/run starts one on Linux.
SHELL     := /bin/bash
GO        ?= go
IMAGE     ?= conformance/busybox:local
BUSYBOX   ?= /bin/busybox
RECORD_TO ?= $(shell mktemp -d)

.PHONY: help image fmt-check vet unit bench live replay record roundtrip fixtures fixtures-check windows test

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

image: ## build the Linux workload image FROM scratch with Debian's static busybox
	@test -x $(BUSYBOX) || { echo "no $(BUSYBOX): apt-get install busybox-static"; exit 1; }
	ctx=$$(mktemp -d) && cp $(BUSYBOX) $$ctx/busybox && cp testimage/Dockerfile $$ctx/ && \
	docker build -q -t $(IMAGE) $$ctx && rm -rf $$ctx

fmt-check: ## fail when gofmt would change a file
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi

vet: ## go vet for Linux and for Windows
	$(GO) vet ./...
	GOOS=windows $(GO) vet ./...

windows: ## build the suite's test binary for Windows (compile check of the Windows probes)
	GOOS=windows $(GO) test -c -o /dev/null .
	GOOS=windows $(GO) test -c -o /dev/null ./helpers/...

unit: ## unit tests of the helpers and the replay of every fixture (no daemon needed); benchmarks run once
	CONFORMANCE_MODE=replay $(GO) test -count=1 ./...
	$(GO) test -count=1 -run '^$$' -bench . -benchtime 1x ./...

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

live: image ## run the suite against the live daemon
	CONFORMANCE_MODE=live $(GO) test -count=1 -v -run 'TestConformance|TestLive' .

record: image ## record the live daemon into $(RECORD_TO) (set CONFORMANCE_RECORD_NAME to name the folder)
	CONFORMANCE_MODE=record CONFORMANCE_FIXTURES=$(RECORD_TO) $(GO) test -count=1 -v -run 'TestConformance' .
	@echo "recorded into $(RECORD_TO)"

roundtrip: image ## record the live daemon into a temporary folder and replay it: verdicts must be equal
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

test: fmt-check vet windows unit replay live ## gofmt, vet for Linux and Windows, the Windows test build, unit tests, the replay summary, the live suite
