# mrs-watchdog — build, test and run targets. `make help` lists them.
SWIFT ?= swift
PREFIX ?= /usr/local
APT_PACKAGES := libsystemd-dev libsqlite3-dev libkrb5-dev systemd-container pkg-config python3-jsonschema python3-yaml curl procps binutils man-db rpm rpmlint debootstrap krb5-kdc krb5-admin-server python3-gssapi

.PHONY: release-check rpm check-rpm monitoring-check bench bench-build bench-core deb docs help deps apt-packages build demo test schema-check folder-check format-check systemd-test release install uninstall emulator clean

help:
	@echo "make deps      install the system packages the build and tests need (apt, needs root)"
	@echo "make demo      the daemon against mrs-emulator: a runaway job warned, then killed (Ctrl-C stops)"
	@echo "make build     debug build of mrs-watchdog and mrs-emulator"
	@echo "make test      install deps if missing, then run every test (the systemd container test needs root)"
	@echo "make monitoring-check  only the alerts, dashboard and runbook checks against a real scrape"
	@echo "make systemd-test  only the systemd container tests, host systemd and 247 (root; SKIPPED otherwise)"
	@echo "make install   release build (static Swift stdlib) to $(PREFIX)/bin, the unit to /etc/systemd/system,"
	@echo "               rules.example.json to /etc/mrs-watchdog/rules.json (dry run) unless one exists"
	@echo "               with the man page and bash, zsh and fish completions (make docs builds them into .build/docs)"
	@echo "               and monitoring/ (alerts, dashboard, runbook) to $(PREFIX)/share/mrs-watchdog/monitoring"
	@echo "make uninstall remove the binary, the unit, the man page and completions; config, credentials and state stay"
	@echo "make deb       build/mrs-watchdog_VERSION_ARCH.deb (same files; the config is a conffile)"
	@echo "make rpm       build/mrs-watchdog-VERSION-1.ARCH.rpm (the same files; make check-rpm checks it against the .deb)"
	@echo "make release-check  the release binary's floor: no glibc above 2.34 (objdump -T), and a run in a Debian 11 root"
	@echo "make bench     release benchmarks against mrs-emulator and the official SDK (~40 min; BENCH_MINUTES=20"
	@echo "               for the memory run); make bench-build only builds them, make bench-core runs only the"
	@echo "               in-process ones"
	@echo "make soak      the soak test for SOAK_MINUTES=20 minutes (the test suite runs 2)"
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

demo: build
	@bash examples/demo.sh

# The suites that run the daemon in-process (DaemonHarness.run), whose checks wait seconds for it to act.
# `make test` runs them after the others: on 2 cores, the others' burst of child processes (the CLI, the
# daemon as a process, Kerberos realms) once held a first poll back 6 s and failed them.
IN_PROCESS_DAEMON_SUITES = IntegrationTests\.($(shell grep -hoE '^(final class|struct) [A-Za-z0-9_]+Tests\b' \
	$$(grep -l 'DaemonHarness.run' Tests/IntegrationTests/*.swift) /dev/null | awk '{print $$NF}' | paste -sd'|'))/

# Both passes run even when the first fails; the target fails if either did.
test: deps schema-check folder-check format-check
	$(SWIFT) build --build-tests
	status=0; \
	$(SWIFT) test --skip-build --skip '$(IN_PROCESS_DAEMON_SUITES)' || status=1; \
	$(SWIFT) test --skip-build --filter '$(IN_PROCESS_DAEMON_SUITES)' || status=1; \
	exit $$status
	BIN_DIR=$$($(SWIFT) build --show-bin-path) bash scripts/check-monitoring.sh
	bash Tests/SystemdContainer/run.sh
	$(MAKE) -s check-rpm
	$(MAKE) -s release-check

# Boots a real systemd in a container and runs the installed daemon under its own unit.
systemd-test: deps
	$(SWIFT) build --product mrs-emulator
	bash Tests/SystemdContainer/run.sh

RELEASE_BIN = $(shell $(SWIFT) build -c release --show-bin-path)/mrs-watchdog
UNIT_DIR = /etc/systemd/system

# The release build, for the package and for the benchmarks alike (what ships is what is measured).
# Linked against a Debian 11 root (glibc 2.31; scripts/bullseye-root.sh makes it once), with SQLite and
# libstdc++ linked in: the binary needs no glibc above 2.34 (Huawei Cloud EulerOS 2.0). pkg-config reads the
# root's libsystemd.pc, or SwiftPM would put the host's library directory first. `make release-check`
# proves it: objdump -T, and check and run --once inside that root. --no-export-dynamic: nothing looks up
# the executable's own symbols at run time (the Swift runtime finds metadata through its sections), and
# the 43,000-entry dynamic symbol table they would need kept 2.7 MiB resident (BENCHMARKS.md §4).
RELEASE_BUILD = root=$$(bash scripts/bullseye-root.sh) && \
	PKG_CONFIG_SYSROOT_DIR=$$root PKG_CONFIG_LIBDIR=$$root/usr/lib/x86_64-linux-gnu/pkgconfig:$$root/usr/share/pkgconfig \
	$(SWIFT) build -c release --static-swift-stdlib -Xswiftc -Xclang-linker -Xswiftc --sysroot=$$root \
	-Xlinker --no-export-dynamic

release: deps
	$(RELEASE_BUILD) --product mrs-watchdog

release-check: release
	$(SWIFT) build --product mrs-emulator
	bash scripts/check-portability.sh $(RELEASE_BIN) $$($(SWIFT) build --show-bin-path)/mrs-emulator

# The man page and shell completions, generated from the release binary's ArgumentParser definitions:
# the manual by the generate-manual tool of ArgumentParser's GenerateManual plugin, run on that binary
# (the plugin itself would build every product again), dated by the last commit.
DOCS_DIR = .build/docs
DOCS_DATE = $(shell git log -1 --format=%cs 2>/dev/null || date +%F)
docs: release
	$(SWIFT) build --product generate-manual
	mkdir -p $(DOCS_DIR)
	$$($(SWIFT) build --show-bin-path)/generate-manual $(RELEASE_BIN) --date $(DOCS_DATE) --output-directory $(DOCS_DIR)
	for shell in bash zsh fish; do $(RELEASE_BIN) --generate-completion-script $$shell > $(DOCS_DIR)/completion.$$shell; done

# Debian's zsh reads /usr/local/share/zsh/site-functions; the .deb uses /usr/share/zsh/vendor-completions.
ZSH_COMPLETION_DIR ?= $(PREFIX)/share/zsh/site-functions

# DESTDIR stages the files elsewhere (the container test installs into a staging root).
install: release docs
	install -D -m 755 $(RELEASE_BIN) $(DESTDIR)$(PREFIX)/bin/mrs-watchdog
	install -D -m 644 $(DOCS_DIR)/mrs-watchdog.1 $(DESTDIR)$(PREFIX)/share/man/man1/mrs-watchdog.1
	install -D -m 644 $(DOCS_DIR)/completion.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/mrs-watchdog
	install -D -m 644 $(DOCS_DIR)/completion.zsh $(DESTDIR)$(ZSH_COMPLETION_DIR)/_mrs-watchdog
	install -D -m 644 $(DOCS_DIR)/completion.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/mrs-watchdog.fish
	sed 's#/usr/local/bin/#$(PREFIX)/bin/#g' systemd/mrs-watchdog.service > mrs-watchdog.service.tmp
	install -D -m 644 mrs-watchdog.service.tmp $(DESTDIR)$(UNIT_DIR)/mrs-watchdog.service
	@# The template unit, one instance per project or region, made from the same file (systemd/template.sed).
	sed -f systemd/template.sed mrs-watchdog.service.tmp > mrs-watchdog@.service.tmp
	install -D -m 644 mrs-watchdog@.service.tmp $(DESTDIR)$(UNIT_DIR)/mrs-watchdog@.service
	rm -f mrs-watchdog.service.tmp mrs-watchdog@.service.tmp
	install -D -m 644 systemd/notify-reload.conf $(DESTDIR)$(PREFIX)/share/mrs-watchdog/notify-reload.conf
	@# Alerts, their tests, the dashboard and the runbook, for Prometheus and Grafana to load (README, Monitoring).
	for file in alerts.yaml alerts.test.yaml runbook.md dashboards/mrs-watchdog.json; do \
		install -D -m 644 monitoring/$$file $(DESTDIR)$(PREFIX)/share/mrs-watchdog/monitoring/$$file; done
	@# The operators group and the extensions directory (mrs-watchdog extend), made by systemd's own tools.
	install -D -m 644 systemd/mrs-watchdog.sysusers $(DESTDIR)$(PREFIX)/lib/sysusers.d/mrs-watchdog.conf
	install -D -m 644 systemd/mrs-watchdog.tmpfiles $(DESTDIR)$(PREFIX)/lib/tmpfiles.d/mrs-watchdog.conf
	@# A fresh install observes only (dry run) until the operator has read the rules and says otherwise.
	@if [ -e $(DESTDIR)/etc/mrs-watchdog/rules.json ]; then \
		echo "keeping the existing $(DESTDIR)/etc/mrs-watchdog/rules.json"; \
	else \
		install -d -m 755 $(DESTDIR)/etc/mrs-watchdog; \
		sed -e 's#"dry_run": false#"dry_run": true#' rules.example.json > $(DESTDIR)/etc/mrs-watchdog/rules.json; \
		chmod 640 $(DESTDIR)/etc/mrs-watchdog/rules.json; \
		install -m 640 rules.schema.json $(DESTDIR)/etc/mrs-watchdog/rules.schema.json; \
		echo "installed $(DESTDIR)/etc/mrs-watchdog/rules.json (dry run: edit it, then set safety.dry_run to false)"; \
	fi
	@# The groups, the extensions directory and the config's mode (0640 root:mrs-watchdog), by systemd's own tools.
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then \
		systemd-sysusers $(PREFIX)/lib/sysusers.d/mrs-watchdog.conf && \
		systemd-tmpfiles --create $(PREFIX)/lib/tmpfiles.d/mrs-watchdog.conf; \
	fi
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
	@echo "next: put the key pair in /etc/credstore/mrs-watchdog.ak and .sk (mode 600), then systemctl enable --now mrs-watchdog"

BENCH_MINUTES ?= 20
BENCH = $(shell $(SWIFT) build -c release --show-bin-path)/mrs-watchdog-bench

# The peer the scale benchmark runs beside the daemon: a loop over the official Python SDK (bench/sdk_peer.py).
PEER_VENV = .build-bench/peer-venv
$(PEER_VENV)/bin/python:
	@python3 -m venv --help >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq python3-venv; }
	python3 -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/pip install -q huaweicloudsdkmrs==3.1.219

# The release build of every product (the daemon, the emulator, the benchmark driver), linked as shipped.
bench-build: deps
	$(RELEASE_BUILD)

# Release build of everything, then every benchmark; figures go to the terminal (and mrs-watchdog-bench's
# also to bench-results/*.json).
bench: $(PEER_VENV)/bin/python bench-build
	$(BENCH) scale --peer-python $(PEER_VENV)/bin/python
	$(BENCH) scale --clusters 20 --peer-python $(PEER_VENV)/bin/python
	$(BENCH) lateness
	$(BENCH) memory --minutes $(BENCH_MINUTES)
	$(MAKE) bench-core

# The in-process hot paths (evaluator, page reader, signer, state writes) with ordo-one's package-benchmark:
# p50/p99 and allocations. Declared in Package.swift only when MRS_WATCHDOG_BENCHMARKS is set.
bench-core: deps
	MRS_WATCHDOG_BENCHMARKS=1 $(SWIFT) package --scratch-path .build-bench benchmark --target CoreBenchmarks

SOAK_MINUTES ?= 20
soak: deps
	$(SWIFT) build --build-tests
	MRSW_SOAK_MINUTES=$(SOAK_MINUTES) $(SWIFT) test --skip-build --filter SoakTests

deb: release
	bash packaging/build-deb.sh build

# The RPM beside the .deb (Huawei Cloud EulerOS and other RPM hosts), with Debian's rpmbuild.
rpm: release
	bash packaging/build-rpm.sh build

# rpmlint (waivers explained in packaging/mrs-watchdog.rpmlintrc), the same files as the .deb, scriptlets
# that parse, and the binary answering --version from an RPM install into a temporary root.
check-rpm: deps
	$(MAKE) -s deb rpm >/dev/null
	bash packaging/check-rpm.sh build

uninstall:
	-@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl disable --now mrs-watchdog.service; fi
	rm -f $(DESTDIR)$(PREFIX)/bin/mrs-watchdog $(DESTDIR)$(UNIT_DIR)/mrs-watchdog.service $(DESTDIR)$(UNIT_DIR)/mrs-watchdog@.service
	rm -f $(DESTDIR)$(PREFIX)/share/man/man1/mrs-watchdog.1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions/mrs-watchdog
	rm -f $(DESTDIR)$(ZSH_COMPLETION_DIR)/_mrs-watchdog $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/mrs-watchdog.fish
	rm -rf $(DESTDIR)$(PREFIX)/share/mrs-watchdog
	rm -f $(DESTDIR)$(PREFIX)/lib/sysusers.d/mrs-watchdog.conf $(DESTDIR)$(PREFIX)/lib/tmpfiles.d/mrs-watchdog.conf
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
	@echo "kept: /etc/mrs-watchdog (config, extensions.d), /etc/credstore/mrs-watchdog.* (credentials), /var/lib/mrs-watchdog (state), the groups mrs-watchdog-config and mrs-watchdog-operators"

# monitoring/: promtool check and test of the alerts, and every metric they and the dashboard use checked
# against a real /metrics scrape of the debug daemon against mrs-emulator (promtool from Debian's package).
monitoring-check: build
	BIN_DIR=$$($(SWIFT) build --show-bin-path) bash scripts/check-monitoring.sh

# .swift-format (4 spaces, 120 columns): `swift format -i -r Package.swift Sources Tests Benchmarks` fixes what this finds.
format-check:
	$(SWIFT) format lint --strict -r Package.swift Sources Tests Benchmarks

# No folder of the library depends on a folder that depends back on it (ARCHITECTURE.md).
folder-check:
	python3 scripts/folder-deps.py Sources/MRSWatchdog

# rules.example.json and the starter pack must satisfy rules.schema.json (the schema editors use).
schema-check:
	@python3 -c "import jsonschema" 2>/dev/null || python3 -m pip install -q jsonschema
	python3 -c "import json, jsonschema; [jsonschema.validate(json.load(open(f)), json.load(open('rules.schema.json'))) for f in ('rules.example.json', 'examples/starter-rules.json')]; print('rules.example.json and examples/starter-rules.json match rules.schema.json')"

emulator: build
	$(SWIFT) run mrs-emulator --listen 127.0.0.1:8080 --scenario examples/demo-scenario.json

clean:
	rm -rf .build
