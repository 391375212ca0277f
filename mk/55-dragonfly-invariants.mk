# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
#
# The DragonFly kernel guest on a kernel with INVARIANTS, our modules
# built with -DINVARIANTS: the tests that unload our modules while they
# work, where a detach race shows as a failed kernel assertion (a panic,
# whose DDB prompt fails the test at once with its backtrace).
#
#   make dragonfly-invariants-guest   build/dfly-guest-inv: a second
#                                     kernel build (cached), our modules
#   make dragonfly-invariants         those tests on it
#
# The kernel is DFLY_VIRTIO with the lines of images/dragonfly/kernel/
# INVARIANTS added, built by build-kernel as it is from a copy beside
# that config: its stamp (config and script) keeps the two builds apart.
# DFLY_INV_SELECT: the tests, a pytest -k expression.

DFLY_INV_KOUT := $(BUILD)/dfly-kernel-inv
DFLY_INV := $(BUILD)/dfly-inv
DFLY_INV_GUEST := $(BUILD)/dfly-guest-inv
DFLY_INV_KMOD := $(DFLY_INV)/modules/kmod/drivers/dragonfly
DFLY_INV_TESTS := tests/e2e/test_dragonfly.py \
	tests/e2e/test_dragonfly_lifecycle.py
DFLY_INV_SELECT ?= invariants or kldunload or every_module

TEST_STEPS += dragonfly-invariants
HELP_TARGETS += dragonfly-invariants-guest dragonfly-invariants

.PHONY: dragonfly-invariants-guest dragonfly-invariants

ifeq ($(DFLY_TREE),)

dragonfly-invariants-guest dragonfly-invariants:
	@echo "$@: SKIPPED: $(DFLY_NO_TREE)"

else

dragonfly-invariants-guest: dragonfly-src $(DFLY_INIT)
	@set -e; r=$(DFLY_INV_KOUT)/recipe; mkdir -p $$r $(DFLY_INV); \
	cp $(DFLY_KERNEL_DIR)/build-kernel $$r/; \
	cat $(DFLY_KERNEL_DIR)/DFLY_VIRTIO $(DFLY_KERNEL_DIR)/INVARIANTS \
		>$$r/DFLY_VIRTIO; \
	$$r/build-kernel $(DFLY_TREE) $(DFLY_INV_KOUT); \
	echo "  KMOD    $(DFLY_OUR_MODULES) (-DINVARIANTS -DDIAGNOSTIC)"; \
	DEBUG_FLAGS="-DINVARIANTS -DDIAGNOSTIC" CC=gcc PYTHON=$(PYTHON) \
		$(TOP)/drivers/dragonfly/check.sh $(DFLY_TREE)/sys \
		$(DFLY_INV)/modules >$(DFLY_INV)/modules.log 2>&1 || \
		{ tail -20 $(DFLY_INV)/modules.log; exit 1; }
	@$(call dfly_assemble,$(DFLY_INV_GUEST),$(DFLY_INV_KMOD),\
		$(DFLY_INV_KOUT))

# DFLY_VIRTIO_DFLY_INVARIANTS tells the tests which kernel they are on.
dragonfly-invariants: dragonfly-invariants-guest
	@cd $(TOP) && DFLY_VIRTIO_GUESTS=dragonfly \
		DFLY_VIRTIO_DFLY_GUEST=$(DFLY_INV_GUEST) \
		DFLY_VIRTIO_DFLY_INVARIANTS=1 \
		$(PYTHON) -m pytest -p no:cacheprovider -q \
		-n $(E2E_JOBS) --dist loadgroup $(DFLY_INV_TESTS) \
		-k "$(DFLY_INV_SELECT)"

endif
