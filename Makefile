# mrs-watchdog — build, test and run targets. `make help` lists them.
SWIFT ?= swift
PREFIX ?= /usr/local
APT_PACKAGES := libsystemd-dev systemd-container pkg-config python3-jsonschema

.PHONY: help deps apt-packages build test schema-check emulator clean

help:
	@echo "make deps      install the system packages the build and tests need (apt, needs root)"
	@echo "make build     debug build of mrs-watchdog and mrs-emulator"
	@echo "make test      install deps if missing, then run every test"
	@echo "make emulator  run mrs-emulator on 127.0.0.1:8080 with the demo scenario"

# Installs only what is missing, so it is cheap to run again.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then echo "need root to install:$$missing (run: sudo make deps)"; exit 1; fi; \
		echo "installing:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# The one list of system packages; .ci/run installs it with apt-get.
apt-packages:
	@echo $(APT_PACKAGES)

build: deps
	$(SWIFT) build

test: deps schema-check
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# rules.example.json must satisfy rules.schema.json (the schema editors use).
schema-check:
	@python3 -c "import jsonschema" 2>/dev/null || python3 -m pip install -q jsonschema
	python3 -c "import json, jsonschema; jsonschema.validate(json.load(open('rules.example.json')), json.load(open('rules.schema.json'))); print('rules.example.json matches rules.schema.json')"

emulator: build
	$(SWIFT) run mrs-emulator --listen 127.0.0.1:8080 --scenario examples/demo-scenario.json

clean:
	rm -rf .build
