# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
#
# Which DragonFly source tree the project builds against (the modules'
# compile check, the DragonFly kernel guest):
#
#   DFLY_SRC=/path/to/dragonfly     a checkout of DragonFly's repository
#                                   (sys/, usr.sbin/config, share/mk)
#   ../shared/dragonfly/dragonfly-src-*.tar.xz, next to this checkout,
#                                   unpacked once under build/dfly-src
#
# DFLY_TREE is empty when there is neither; whatever needs a tree then
# says how to get one (DFLY_NO_TREE) and skips.

DFLY_SRC ?=
DFLY_TARBALL := $(firstword $(wildcard $(TOP)/../shared/dragonfly/dragonfly-src-*.tar.xz))
DFLY_UNPACKED := $(BUILD)/dfly-src/dragonfly-src

ifneq ($(DFLY_SRC),)
DFLY_TREE := $(abspath $(DFLY_SRC))
else ifneq ($(DFLY_TARBALL),)
DFLY_TREE := $(DFLY_UNPACKED)
else
DFLY_TREE :=
endif

DFLY_NO_TREE := no DragonFly source tree: set DFLY_SRC to a checkout \
	(git clone --depth 1 https://github.com/DragonFlyBSD/DragonFlyBSD \
	dfly; make test DFLY_SRC=$$PWD/dfly) or put dragonfly-src-*.tar.xz in \
	../shared/dragonfly/

HELP_TARGETS += dragonfly-src
.PHONY: dragonfly-src

# Unpacks the tarball when that is the tree; a no-op for DFLY_SRC.
dragonfly-src: $(if $(and $(DFLY_TARBALL),$(if $(DFLY_SRC),,1)),$(DFLY_UNPACKED)/.unpacked)

$(DFLY_UNPACKED)/.unpacked: $(DFLY_TARBALL)
	@echo "  UNPACK  $(notdir $<)"
	@rm -rf $(DFLY_UNPACKED) && mkdir -p $(BUILD)/dfly-src
	@tar -xJf $< -C $(BUILD)/dfly-src
	@test -d $(DFLY_UNPACKED)/sys || \
		{ echo "$< has no dragonfly-src/sys" >&2; exit 1; }
	@echo "$(notdir $<) $$(stat -c %s $<)" >$@
