# mk/40-mini.mk: the mini guest (images/mini), a bare-metal x86_64 kernel
# that runs the shared virtio core against QEMU's real devices.
#
#   make mini     build build/mini/mini.elf (x86_64 ELF, PVH entry: boot.S)

MINI_SRC := $(TOP)/images/mini
MINI_OUT := $(BUILD)/mini
MINI_ELF := $(MINI_OUT)/mini.elf

MINI_CC ?= gcc
# The core and protocol drivers are compiled into the kernel as they are,
# against images/mini/vio_os_mini.h.
# MINI_DRIVERS may point at another copy of drivers/ (to try a change).
MINI_DRIVERS ?= $(TOP)/drivers
MINI_CORE_DIRS := $(addprefix $(MINI_DRIVERS)/,core blk net balloon)
MINI_CFLAGS := -std=c11 -O2 -g -ffreestanding -nostdinc -fno-builtin \
	$(if $(findstring clang,$(MINI_CC)),,-fno-tree-loop-distribute-patterns) \
	-fno-pic -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables \
	-m64 -mcmodel=small -mno-red-zone -mgeneral-regs-only \
	-Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
	-Wold-style-definition -Wredundant-decls -Wcast-qual -Wundef \
	-Wnested-externs -Wshadow -Wpointer-arith \
	-DVIO_OS_H=vio_os_mini.h \
	-I$(MINI_SRC) -I$(MINI_OUT)/gen $(addprefix -I,$(MINI_CORE_DIRS))
MINI_LDFLAGS := -nostdlib -static -Wl,--build-id=none \
	-Wl,-z,max-page-size=0x1000 -Wl,--no-warn-rwx-segments \
	-Wl,-T,$(MINI_SRC)/mini.ld

MINI_C := $(wildcard $(MINI_SRC)/*.c)
MINI_S := $(wildcard $(MINI_SRC)/*.S)
MINI_CORE_C := $(foreach d,$(MINI_CORE_DIRS),$(wildcard $(d)/*.c))
MINI_OBJS := \
	$(patsubst $(MINI_SRC)/%,$(MINI_OUT)/mini/%.o,$(MINI_C) $(MINI_S)) \
	$(patsubst $(MINI_DRIVERS)/%,$(MINI_OUT)/drivers/%.o,$(MINI_CORE_C))
MINI_HDRS := $(wildcard $(MINI_SRC)/*.h) $(MINI_OUT)/gen/guest_facts.h \
	$(foreach d,$(MINI_CORE_DIRS),$(wildcard $(d)/*.h))

# What the guest prints that the harness waits for (prompt, ready marker)
# is written once, in the guest's profile; $(1) is the profile.
PROFILE_DEPS = $(TOP)/harness/profiles/$(1).py $(TOP)/harness/profiles/base.py \
	$(TOP)/harness/vmlib/cli.py
guest_facts_h = mkdir -p $(dir $@) && \
	$(PYTHON) $(TOP)/harness/vm facts --guest $(1) --c-header > $@.tmp && \
	mv $@.tmp $@

DEB_PACKAGES += gcc binutils make qemu-system-x86
TEST_STEPS += mini
HELP_TARGETS += mini

.PHONY: mini
mini: $(MINI_ELF)

$(MINI_OUT)/gen/guest_facts.h: $(call PROFILE_DEPS,mini)
	@echo "  GEN     $(notdir $@)"
	@$(call guest_facts_h,mini)

$(MINI_OUT)/mini/%.c.o: $(MINI_SRC)/%.c $(MINI_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $(notdir $<)"
	@$(MINI_CC) $(MINI_CFLAGS) -c -o $@ $<

$(MINI_OUT)/drivers/%.c.o: $(MINI_DRIVERS)/%.c $(MINI_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $(notdir $<)"
	@$(MINI_CC) $(MINI_CFLAGS) -c -o $@ $<

$(MINI_OUT)/mini/%.S.o: $(MINI_SRC)/%.S
	@mkdir -p $(dir $@)
	@echo "  CC      $(notdir $<)"
	@$(MINI_CC) $(MINI_CFLAGS) -c -o $@ $<

# QEMU finds the 32-bit entry in the PVH note; the code there switches to
# long mode itself.
$(MINI_ELF): $(MINI_OBJS) $(MINI_SRC)/mini.ld
	@echo "  LD      $(notdir $@)"
	@$(MINI_CC) -m64 $(MINI_LDFLAGS) -o $@ $(MINI_OBJS)
