# samvei — two commands: `make run` and `make test`. CMake does the building;
# this file only strings the steps together.

BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS       ?= $(shell nproc)
DATA_DIR   ?= data
PORT       ?= 8443
BIND       ?= 127.0.0.1

.PHONY: all run test build build-asan deps deps-test certs unit e2e docker-test e2e-pg bench fuzz format clean

all: build

deps:
	@bash scripts/install-deps.sh run

deps-test:
	@bash scripts/install-deps.sh test
	@cd tests/e2e && { { [ -d node_modules/playwright-core ] && [ -d node_modules/axe-core ]; } || npm install --no-audit --no-fund --loglevel=error; }

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

build-asan:
	@cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Sanitize >/dev/null
	@cmake --build $(BUILD_ASAN) -j$(JOBS)

certs:
	@bash certs/make-dev-certs.sh $(DATA_DIR)/certs

# Builds, makes dev certificates and starts the server in the foreground.
run: build certs
	@echo
	@echo "  samvei is starting: open https://localhost:$(PORT)/ in two browser windows"
	@echo "  (the dev CA is $(DATA_DIR)/certs/ca.pem; accept the warning or import it)"
	@bash scripts/demo-links.sh $(BUILD)/samvei $(DATA_DIR) https://localhost:$(PORT)
	@echo
	@$(BUILD)/samvei --bind $(BIND) --port $(PORT) --data-dir $(DATA_DIR) \
	  --cert $(DATA_DIR)/certs/server.pem --key $(DATA_DIR)/certs/server.key \
	  --web-root web --allow-open-rooms

# Every test: C unit tests and fuzz corpora under ASan/UBSan, then the browser
# tests against the ASan server.
test: deps-test build-asan
	@cd $(BUILD_ASAN) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j$(JOBS)
	@SAMVEI_BIN=$(CURDIR)/$(BUILD_ASAN)/samvei bash tests/e2e/run.sh
	@$(MAKE) --no-print-directory bench QUICK=1

# samvei and Janus side by side (bench/run.sh): rewrites docs/benchmarks.md.
# QUICK=1: a short smoke run (under 5 minutes) into $(BUILD)/bench-quick/.
bench:
	@BUILD=$(BUILD) bash bench/run.sh $(if $(filter 1,$(QUICK)),--quick)

# Builds the container image with podman on a debootstrapped Debian 12 base
# and runs a browser call against it (docs/operations.md, "Docker").
docker-test: deps-test
	@bash scripts/install-deps.sh docker-test
	@bash docker/test.sh

# Every fuzz target under libFuzzer (clang, libraries instrumented) for
# FUZZ_SECONDS each, FUZZ_JOBS (default: cores) at once; crashers land in
# tests/fuzz/corpus/<target>/, new corpus entries in
# $(BUILD_FUZZ)/fuzz-corpus/<target>/, or with FUZZ_MERGE=1 (the default
# in CI) in tests/fuzz/corpus/<target>/ (tests/fuzz/run.sh).
fuzz:
	@bash scripts/install-deps.sh fuzz
	@bash tests/fuzz/run.sh $(BUILD_FUZZ) $(FUZZ_SECONDS)

unit: build-asan
	@cd $(BUILD_ASAN) && ctest --output-on-failure -j$(JOBS)

e2e: build-asan
	@SAMVEI_BIN=$(CURDIR)/$(BUILD_ASAN)/samvei bash tests/e2e/run.sh

# The REST API, urgent-guidance and coordinator browser tests against a
# throwaway PostgreSQL cluster instead of SQLite.
e2e-pg: build-asan
	@bash tests/pg/with-postgres.sh bash -c 'SAMVEI_DATABASE_URL=$$SAMVEI_TEST_PG_URL \
	  SAMVEI_BIN=$(CURDIR)/$(BUILD_ASAN)/samvei bash tests/e2e/run.sh tests/e2e/api.test.mjs \
	  tests/e2e/urgent.test.mjs tests/e2e/coordinator.test.mjs'

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ)
