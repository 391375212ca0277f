# mk/40-mini.mk: the mini guest (images/mini), a bare-metal x86_64 kernel
# that runs the shared virtio core against QEMU's real devices.
#
#   make mini     build build/mini/mini.elf (multiboot, elf32-i386 container)

MINI_SRC := $(TOP)/images/mini
MINI_OUT := $(BUILD)/mini
MINI_ELF := $(MINI_OUT)/mini.elf

MINI_CC ?= gcc
MINI_CFLAGS := -std=c11 -O2 -g -ffreestanding -nostdinc -fno-builtin \
	-fno-tree-loop-distribute-patterns -fno-pic -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables \
	-m64 -mcmodel=small -mno-red-zone -mgeneral-regs-only \
	-Wall -Wextra -Werror -I$(MINI_SRC)
MINI_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none \
	-Wl,-z,max-page-size=0x1000 -Wl,--no-warn-rwx-segments -Wl,-T,$(MINI_SRC)/mini.ld

MINI_C := $(wildcard $(MINI_SRC)/*.c)
MINI_S := $(wildcard $(MINI_SRC)/*.S)
MINI_OBJS := $(patsubst $(MINI_SRC)/%,$(MINI_OUT)/mini/%.o,$(MINI_C) $(MINI_S))
MINI_HDRS := $(wildcard $(MINI_SRC)/*.h)

DEB_PACKAGES += gcc binutils make qemu-system-x86
TEST_STEPS += mini
HELP_TARGETS += mini

.PHONY: mini
mini: $(MINI_ELF)

$(MINI_OUT)/mini/%.c.o: $(MINI_SRC)/%.c $(MINI_HDRS)
	@mkdir -p $(dir $@)
	$(MINI_CC) $(MINI_CFLAGS) -c -o $@ $<

$(MINI_OUT)/mini/%.S.o: $(MINI_SRC)/%.S
	@mkdir -p $(dir $@)
	$(MINI_CC) $(MINI_CFLAGS) -c -o $@ $<

# QEMU's multiboot loader rejects ELF64, so the 64-bit kernel travels in an
# ELF32 container; its 32-bit entry code switches to long mode itself.
$(MINI_ELF): $(MINI_OBJS) $(MINI_SRC)/mini.ld
	$(MINI_CC) $(MINI_CFLAGS) $(MINI_LDFLAGS) -o $(MINI_OUT)/mini64.elf \
		$(MINI_OBJS) -lgcc
	objcopy -O elf32-i386 $(MINI_OUT)/mini64.elf $@
