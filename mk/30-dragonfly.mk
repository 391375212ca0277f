# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
#
# DragonFly kernel modules (drivers/dragonfly): man page lint and the
# compile check against a DragonFly sys/ tree: DFLY_SYS, else the sys/ of
# the tree mk/05-dragonfly-src.mk found.  Without either the check says how
# to get a tree and skips.

DFLY_DIR := $(TOP)/drivers/dragonfly
DFLY_SYS ?=

DEB_PACKAGES += mandoc gcc binutils mawk bmake python3
TEST_STEPS += man-lint dragonfly-check
HELP_TARGETS += man-lint dragonfly-check

.PHONY: man-lint dragonfly-check

man-lint:
	@$(DFLY_DIR)/man-lint.sh

dragonfly-check: dragonfly-src
	@CC=gcc PYTHON=$(PYTHON) $(DFLY_DIR)/check.sh \
	    "$(or $(DFLY_SYS),$(if $(DFLY_TREE),$(DFLY_TREE)/sys))" \
	    $(BUILD)/dragonfly
