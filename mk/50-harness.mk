# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
#
# The QEMU harness, the Linux reference guest and the end-to-end tests.
#
#   make run [GUEST=mini|linux|dragonfly] [VMARGS="--transport legacy ..."]
#   make e2e [PYTEST_ARGS=...]   (env: DFLY_VIRTIO_GUESTS=linux,mini)
#   make harness-test     unit tests of the harness itself
#   make linux-image      build the Linux guest (cached under build/linux)
#   make test-under-load  make test while LOAD_PROCS (2) CPU-bound processes
#                         keep the cores busy, as on a shared CI runner
#
# Every wait in the harness and the tests is scaled by one knob,
# DFLY_VIRTIO_TIMEOUT_SCALE (harness/vmlib/timeouts.py).

DEB_PACKAGES += qemu-system-x86 qemu-utils expect socat telnet \
	python3 python3-pytest python3-pytest-xdist busybox-static apt dpkg zstd \
	iproute2
TEST_STEPS += harness-test e2e
HELP_TARGETS += run e2e harness-test linux-image test-under-load

GUEST ?= mini
VMARGS ?=
PYTEST_ARGS ?=
E2E_RESULTS := $(BUILD)/test-results
LOAD_PROCS ?= 2
# Guests booted at once by make e2e (pytest-xdist workers): each TCG guest
# keeps one host CPU busy.
E2E_JOBS ?= $(shell nproc 2>/dev/null || echo 2)

# What make builds before a guest profile boots: one line per profile in
# harness/profiles/ (empty when the profile brings its own; a new profile
# adds its line here and its rows to harness/matrix.cfg).  Python never
# runs make: a profile whose artifact is missing says which target to run.
GUEST_BUILD_mini := mini
GUEST_BUILD_linux := linux-image
GUEST_BUILD_dragonfly := dragonfly-guest
GUEST_BUILD_dragonfly-media :=

comma := ,
ALL_GUESTS = $(patsubst GUEST_BUILD_%,%,$(filter GUEST_BUILD_%,$(.VARIABLES)))
E2E_GUESTS = $(or $(subst $(comma), ,$(DFLY_VIRTIO_GUESTS)),$(ALL_GUESTS))
guest_builds = $(foreach g,$(1),$(GUEST_BUILD_$(g)))

.PHONY: run e2e harness-test linux-image test-under-load
run: deps $(call guest_builds,$(GUEST))
	@$(PYTHON) $(TOP)/harness/vm run --guest $(GUEST) $(VMARGS)

# The recipe keeps its own stamp; without apt-get the linux profile says
# it cannot boot here and its tests skip.
linux-image:
	@if command -v apt-get >/dev/null; then \
		$(PYTHON) $(TOP)/images/linux/build.py --out $(BUILD)/linux; \
	else \
		echo "linux-image: no apt-get here; the linux guest is skipped"; \
	fi

# The KVM-or-TCG decision is probed afresh once per run (build/accel.json).
e2e: $(call guest_builds,$(E2E_GUESTS))
	@mkdir -p $(E2E_RESULTS)
	@rm -f $(BUILD)/accel.json
	@$(PYTHON) $(TOP)/harness/vm accel
	@cd $(TOP) && $(PYTHON) -m pytest -p no:cacheprovider tests/e2e \
		-n $(E2E_JOBS) --dist loadgroup \
		--junitxml=$(E2E_RESULTS)/e2e.xml $(PYTEST_ARGS)

# The harness's own tests boot the mini and the Linux guest briefly.
harness-test: $(call guest_builds,mini linux)
	@mkdir -p $(E2E_RESULTS)
	@cd $(TOP) && $(PYTHON) -m pytest -p no:cacheprovider tests/harness \
		--junitxml=$(E2E_RESULTS)/harness.xml $(PYTEST_ARGS)

# The hogs are this recipe's children and die with it, pass or fail.
test-under-load:
	@hogs=""; trap 'kill $$hogs 2>/dev/null' EXIT INT TERM; \
	for i in $$(seq $(LOAD_PROCS)); do \
		sh -c 'while :; do :; done' & hogs="$$hogs $$!"; \
	done; \
	echo "test-under-load: $(LOAD_PROCS) CPU-bound processes:$$hogs"; \
	start=$$(date +%s); \
	$(MAKE) --no-print-directory test; rc=$$?; \
	echo "test-under-load: make test exit $$rc after" \
		"$$(( $$(date +%s) - start )) s"; \
	exit $$rc
