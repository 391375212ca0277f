# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
#
# DragonFly kernel modules (drivers/dragonfly): man page lint and the
# compile check against a DragonFly sys/ tree given as DFLY_SYS.  Without
# DFLY_SYS the check says how to get a tree and skips.

DFLY_DIR := $(TOP)/drivers/dragonfly
DFLY_MANPAGES := $(sort $(wildcard $(DFLY_DIR)/*/*.4))
DFLY_SYS ?=

DEB_PACKAGES += mandoc gcc binutils mawk python3
TEST_STEPS += man-lint dragonfly-check
HELP_TARGETS += man-lint dragonfly-check

.PHONY: man-lint dragonfly-check

# mandoc -Tlint at its strictest (-Wstyle).  Two kinds of message depend
# on this host, not on the pages: cross references to DragonFly's own
# pages (loader.conf(5), virtio(4), ...), which a Linux host does not
# have, and the state of its mandoc.db.  Those are dropped; any other
# message fails.
man-lint:
	@test -n "$(DFLY_MANPAGES)" || { echo "man-lint: no man pages found" >&2; exit 1; }
	@out=$$(mandoc -Tlint -Wstyle $(DFLY_MANPAGES) 2>&1 | \
		grep -v -e 'referenced manual not found' -e 'mandoc.db' || true); \
	if [ -n "$$out" ]; then echo "$$out" >&2; \
		echo "man-lint: mandoc -Tlint reported the lines above" >&2; exit 1; fi; \
	echo "man-lint: $(words $(DFLY_MANPAGES)) pages clean under mandoc -Tlint -Wstyle"
	@# The filter above also hides dangling references among our own pages.
	@for ref in $$(sed -n 's/^\.Xr \(vio[a-z_]*\) 4.*/\1/p' $(DFLY_MANPAGES) | sort -u); do \
		ls $(DFLY_DIR)/*/$$ref.4 >/dev/null 2>&1 || { \
			echo "man-lint: $$ref(4) is referenced but not in $(DFLY_DIR)" >&2; exit 1; }; \
	done; echo "man-lint: references among the pages resolve"

dragonfly-check:
	@CC=gcc PYTHON=$(PYTHON) $(DFLY_DIR)/check.sh "$(DFLY_SYS)" $(BUILD)/dragonfly
