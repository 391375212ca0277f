# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
#
# The QEMU harness, the Linux reference guest and the end-to-end tests.
#
#   make run [GUEST=mini|linux|dragonfly] [VMARGS="--transport legacy ..."]
#   make e2e [PYTEST_ARGS=...]   (env: DFLY_VIRTIO_GUESTS=linux,mini)
#   make harness-test     unit tests of the harness itself
#   make linux-image      build the Linux guest (cached under build/linux)

DEB_PACKAGES += qemu-system-x86 qemu-utils expect socat telnet \
	python3 python3-pytest busybox-static apt dpkg zstd
TEST_STEPS += harness-test e2e
HELP_TARGETS += run e2e harness-test linux-image

GUEST ?= mini
VMARGS ?=
PYTEST_ARGS ?=
E2E_RESULTS := $(BUILD)/test-results

.PHONY: run e2e harness-test linux-image
run: deps
	@$(PYTHON) $(TOP)/harness/vm run --guest $(GUEST) $(VMARGS)

linux-image:
	@$(PYTHON) $(TOP)/images/linux/build.py --out $(BUILD)/linux

# The KVM-or-TCG decision is probed afresh once per run (build/accel.json).
e2e:
	@mkdir -p $(E2E_RESULTS)
	@rm -f $(BUILD)/accel.json
	@$(PYTHON) $(TOP)/harness/vm accel
	@cd $(TOP) && $(PYTHON) -m pytest -p no:cacheprovider tests/e2e \
		--junitxml=$(E2E_RESULTS)/e2e.xml $(PYTEST_ARGS)

harness-test:
	@mkdir -p $(E2E_RESULTS)
	@cd $(TOP) && $(PYTHON) -m pytest -p no:cacheprovider tests/harness \
		--junitxml=$(E2E_RESULTS)/harness.xml $(PYTEST_ARGS)
