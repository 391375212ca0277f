# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
#
# The DragonFly kernel guest (harness profile `dragonfly`): a DragonFly
# kernel built here from DragonFly's source, our modules and DragonFly's
# own virtio modules, our init on an md root image, and GRUB to boot them.
#
#   make dragonfly-kernel   build/dfly-kernel/kernel and modules/ (cached)
#   make dragonfly-init     build/dfly-guest/init
#   make dragonfly-guest    all of it, assembled under build/dfly-guest
#
# The tree comes from mk/05-dragonfly-src.mk (DFLY_SRC or ../shared).
# Without one, dragonfly-guest says how to get one and skips, and the
# e2e tests skip the profile with the same words.

DFLY_KERNEL_DIR := $(TOP)/images/dragonfly/kernel
DFLY_INIT_SRC := $(TOP)/images/dragonfly/init
DFLY_KOUT := $(BUILD)/dfly-kernel
DFLY_GUEST := $(BUILD)/dfly-guest
DFLY_INIT := $(DFLY_GUEST)/init
# Our modules as DragonFly's bsd.kmod.mk built them (dragonfly-check),
# by file name: if_NAME.ko is built in folder NAME (drivers/dragonfly/
# check.sh says why).
DFLY_OUR_KMOD := $(BUILD)/dragonfly/kmod/drivers/dragonfly
DFLY_OUR_MODULES := vio_pci vioblk if_vioif viomb

DEB_PACKAGES += gcc bmake byacc flex libbsd-dev libfl-dev mawk binutils \
	makefs grub-pc-bin grub-common mtools xorriso python3

HELP_TARGETS += dragonfly-kernel dragonfly-init dragonfly-guest

.PHONY: dragonfly-kernel dragonfly-init dragonfly-guest

# The init: its own files plus the mini's printf, string, argument
# parsing and check pattern, with the mini's flags.
DFLY_INIT_OBJS := \
	$(patsubst $(DFLY_INIT_SRC)/%,$(DFLY_GUEST)/obj/%.o,\
	$(wildcard $(DFLY_INIT_SRC)/*.c $(DFLY_INIT_SRC)/*.S)) \
	$(patsubst %,$(DFLY_GUEST)/obj/mini-%.c.o,printf string parse pattern)
DFLY_INIT_HDRS := $(wildcard $(DFLY_INIT_SRC)/*.h) $(MINI_SRC)/console.h \
	$(MINI_SRC)/mem.h $(MINI_SRC)/shell.h $(MINI_SRC)/pattern.h \
	$(MINI_SRC)/types.h $(DFLY_GUEST)/gen/guest_facts.h
# Our generated header comes before the mini's in the search path.
DFLY_INIT_CFLAGS := -I$(DFLY_INIT_SRC) -I$(DFLY_GUEST)/gen $(MINI_CFLAGS)

dragonfly-init: $(DFLY_INIT)

$(DFLY_GUEST)/gen/guest_facts.h: $(call PROFILE_DEPS,dragonfly)
	@echo "  GEN     $(notdir $@)"
	@$(call guest_facts_h,dragonfly)

$(DFLY_GUEST)/obj/%.o: $(DFLY_INIT_SRC)/% $(DFLY_INIT_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $(notdir $<)"
	@$(MINI_CC) $(DFLY_INIT_CFLAGS) -c -o $@ $<

$(DFLY_GUEST)/obj/mini-%.c.o: $(MINI_SRC)/%.c $(DFLY_INIT_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $(notdir $<)"
	@$(MINI_CC) $(DFLY_INIT_CFLAGS) -c -o $@ $<

# A static ELF executable at the usual user address; the .note.tag
# section (start.S) brands it as DragonFly's.
$(DFLY_INIT): $(DFLY_INIT_OBJS)
	@echo "  LD      $(notdir $@)"
	@$(MINI_CC) -nostdlib -static -no-pie -Wl,--build-id=none \
		-o $@ $(DFLY_INIT_OBJS)

ifeq ($(DFLY_TREE),)

dragonfly-kernel dragonfly-guest:
	@echo "$@: SKIPPED: $(DFLY_NO_TREE)"

else

dragonfly-kernel: dragonfly-src
	@$(DFLY_KERNEL_DIR)/build-kernel $(DFLY_TREE) $(DFLY_KOUT)

# Everything the profile boots, under one folder: kernel, the two module
# sets, the root image (init, an empty /dev for devfs, every module under
# /boot/modules for kldload) and the fixed copy of GRUB.
# $(call dfly_assemble,GUEST,KMOD[,KOUT]): in folder GUEST, with our
# modules from KMOD/NAME/NAME.ko or KMOD/NAME/if_NAME.ko, the kernel and
# DragonFly's modules from KOUT (default DFLY_KOUT); mk/46 and mk/55
# assemble more.
dfly_assemble = set -e; g=$(1); \
	rm -rf $$g/modules $$g/root; \
	mkdir -p $$g/modules/ours $$g/modules/dragonfly \
		$$g/root/sbin $$g/root/dev $$g/root/boot/modules; \
	$(foreach m,$(DFLY_OUR_MODULES),\
		cp $(2)/$(patsubst if_%,%,$(m))/$(m).ko $$g/modules/ours/;) \
	cp $(or $(3),$(DFLY_KOUT))/modules/*.ko $$g/modules/dragonfly/; \
	cp $(or $(3),$(DFLY_KOUT))/kernel $$g/kernel; \
	cp $(DFLY_INIT) $$g/root/sbin/init; \
	cp $$g/modules/ours/*.ko $$g/modules/dragonfly/*.ko \
		$$g/root/boot/modules/; \
	makefs -t ffs -o version=1 -s 16m $$g/root.img.tmp $$g/root \
		>/dev/null; \
	mv $$g/root.img.tmp $$g/root.img; \
	if [ ! -f $$g/grub-i386-pc/relocator.mod ] || \
	    [ /usr/lib/grub/i386-pc/relocator.mod -nt \
	      $$g/grub-i386-pc/relocator.mod ]; then \
		$(DFLY_KERNEL_DIR)/grub-fix $$g/grub-i386-pc; \
	fi; \
	echo "$@: $$g ready (kernel, root.img, modules/ours," \
		"modules/dragonfly, grub-i386-pc)"

dragonfly-guest: dragonfly-kernel dragonfly-check $(DFLY_INIT)
	@$(call dfly_assemble,$(DFLY_GUEST),$(DFLY_OUR_KMOD))

endif
