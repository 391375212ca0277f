# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
#
# DragonFly kernel modules (drivers/dragonfly): man page lint and the
# compile check against a DragonFly sys/ tree: DFLY_SYS, else the sys/ of
# the tree mk/05-dragonfly-src.mk found.  Without either the check says how
# to get a tree and skips.

DFLY_DIR := $(TOP)/drivers/dragonfly
DFLY_SYS ?=
# The options of the kernels our modules are loaded into (X86_64_GENERIC
# and our DFLY_VIRTIO both have INVARIANTS), for bsd.kmod.mk's DEBUG_FLAGS.
DFLY_KMOD_FLAGS := -DINVARIANTS -DDIAGNOSTIC

DEB_PACKAGES += mandoc gcc binutils mawk bmake python3
TEST_STEPS += man-lint dragonfly-check
HELP_TARGETS += man-lint dragonfly-check

.PHONY: man-lint dragonfly-check

man-lint:
	@$(DFLY_DIR)/man-lint.sh

dragonfly-check: dragonfly-src
	@DEBUG_FLAGS="$(DFLY_KMOD_FLAGS)" CC=gcc PYTHON=$(PYTHON) \
	    $(DFLY_DIR)/check.sh \
	    "$(or $(DFLY_SYS),$(if $(DFLY_TREE),$(DFLY_TREE)/sys))" \
	    $(BUILD)/dragonfly
