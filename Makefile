# make run   — the FastAPI example under the launcher (offline mode)
# make test  — every test (unit, real-process, interop), then the Surefire total
# make bench — the benchmark report (not part of make test)
MVN ?= mvn -B --no-transfer-progress
WITH_TOOLS := scripts/with-tools

.PHONY: build run test bench clean

build:
	$(WITH_TOOLS) $(MVN) -q -DskipTests install

run: build
	$(WITH_TOOLS) scripts/run-example

test:
	scripts/build-interop
	$(WITH_TOOLS) $(MVN) clean install; status=$$?; scripts/surefire-summary || status=1; exit $$status

clean:
	$(MVN) -q clean

bench: build
	$(WITH_TOOLS) $(MVN) -q -pl benchmarks exec:java
