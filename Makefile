# make build — the jars and the launcher's class-data cache (Java and Maven only: no uv, no Python)
# make run   — the FastAPI example under the launcher (offline mode)
# make test  — every test (the Python package's with pytest, Java unit, real-process, interop), then the Surefire
#              total; INTEROP=skip leaves out interop
# make dist  — the self-contained distribution (no Java needed to run it): dist/isp-python-wrapper-<version>-linux-x64/
#              and its .tar.gz, with a runtime made by jlink from the JDK that builds (scripts/make-dist)
# make bench — the benchmark report (not part of make test)
# make chaos — seeded random faults against the launcher, invariants checked all along (SEED=…, MINUTES=…; README)
# uv comes from PATH, else scripts/with-tools installs the pinned one into .tools/ (see that script).
MVN ?= mvn -B --no-transfer-progress
WITH_TOOLS := scripts/with-tools
# Debian's Maven (jansi) prints ESC[0m resets even with -B and -q; this turns them off.
export MAVEN_OPTS := $(MAVEN_OPTS) -Djansi.noreset=true
INTEROP_FLAGS := $(if $(filter skip,$(INTEROP)),-Dinterop=skip)

.PHONY: build run test bench chaos clean dist

SEED ?=
MINUTES ?= 5

build:
	$(MVN) -q -DskipTests install
	bin/isp-python-wrapper --create-cache || echo "(the launcher runs without the cache)"

dist: build
	scripts/make-dist

run: build
	$(WITH_TOOLS) scripts/run-example

test:
	rm -rf */target/surefire-reports */target/failsafe-reports examples/*/target/surefire-reports fault-suite/target/fault-summary.txt chaos/target/chaos-summary.txt
	scripts/build-interop
	$(WITH_TOOLS) uv run --directory python --locked pytest -q; python=$$?; \
	$(WITH_TOOLS) $(MVN) $(INTEROP_FLAGS) clean install; status=$$?; scripts/surefire-summary || status=1; \
	if [ $$python -ne 0 ]; then echo "make test: the Python package's tests (python/, pytest) failed: see above"; status=1; fi; \
	exit $$status

clean:
	$(MVN) -q clean
	rm -rf dist

bench: dist
	$(WITH_TOOLS) $(MVN) -q -pl benchmarks exec:java

chaos: build
	$(WITH_TOOLS) $(MVN) -q -pl chaos exec:java -Dchaos.seed=$(SEED) -Dchaos.minutes=$(MINUTES)
