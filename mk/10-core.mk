# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
#
# The virtio core (drivers/core): unit tests against the simulated device,
# libFuzzer targets that play a malicious device, line coverage of
# drivers/, and the freestanding compile check.
#
#   make unit                cmocka tests under ASan+UBSan (tests/unit)
#   make fuzz                each fuzz target for FUZZ_SECONDS (default 60)
#   make fuzz-smoke          each fuzz target over its seed corpus, briefly
#   make coverage            line coverage of drivers/ from unit tests + corpus,
#                            then of drivers/dragonfly in the DragonFly guest
#                            (mk/46-dragonfly-coverage.mk)
#   make freestanding-check  drivers compile with -ffreestanding -nostdinc
#
# Later fragments (mk/11-proto.mk) add their parts by appending; the
# lists are read only after every fragment is in (recipes, and the
# prerequisites below through secondary expansion), so order does not
# matter:
#
#   DRIVER_SRCS += $(TOP)/drivers/blk/vioblk.c ...   driver code: linked into
#                      tests and fuzzers, freestanding-checked, measured
#   DRIVER_INCLUDES += -I$(TOP)/drivers/blk
#   UNIT_SRCS += $(TOP)/tests/unit/sim/sim_blk.c      test support linked into
#                      every unit program and fuzz target
#   UNIT_TESTS += test_blk        cmocka program from tests/unit/test_blk.c
#   FUZZ_TARGETS += fuzz_blk      libFuzzer target from tests/fuzz/fuzz_blk.c,
#                      seeds in tests/fuzz/corpus/fuzz_blk/ (checked in)

DEB_PACKAGES += clang-14 llvm-14 libclang-rt-14-dev libcmocka-dev gcc make
TEST_STEPS += unit fuzz-smoke freestanding-check
HELP_TARGETS += unit fuzz fuzz-smoke coverage freestanding-check

DRIVER_SRCS += $(sort $(wildcard $(TOP)/drivers/core/*.c))
DRIVER_INCLUDES += -I$(TOP)/drivers/core
UNIT_SRCS += $(addprefix $(TOP)/tests/unit/,sim/sim_dev.c sim/sim_regs.c \
	sim/sim_mmio.c sim/sim_ring.c sim/sim_packed.c sim/sim_os.c \
	sim/sim_loop.c vtest.c vqfix.c) $(TOP)/tests/fuzz/fuzz_vq.c
UNIT_TESTS += test_lifecycle test_config test_pci test_mmio test_vq_alloc \
	test_vq test_vq_drain test_vq_packed
FUZZ_TARGETS += fuzz_pci_attach fuzz_mmio_attach fuzz_vq_used \
	fuzz_vq_packed fuzz_config

CORE_CC ?= clang-14
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 8
LLVM_PROFDATA ?= llvm-profdata-14
LLVM_COV ?= llvm-cov-14

CORE_WARN := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
	-Wredundant-decls -Wnested-externs \
	-Wpointer-arith -Wcast-qual -Wold-style-definition -Wshadow -Wundef
# The tests see the core through tests/unit/vio_os_unit.h (libc allowed there).
CORE_TEST_CFLAGS = -std=c11 -g -D_DEFAULT_SOURCE $(CORE_WARN) \
	-DVIO_OS_H=vio_os_unit.h \
	-Wno-missing-prototypes -I$(TOP)/tests/unit -I$(TOP)/tests/unit/sim \
	$(DRIVER_INCLUDES)
CORE_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer

UNIT_OUT := $(BUILD)/unit
FUZZ_OUT := $(BUILD)/fuzz
COV_OUT := $(BUILD)/coverage

# Objects of one flavour (unit, fuzz, coverage) for sources under $(TOP);
# core_libs: what every program of that flavour links besides its own.
core_objs = $(patsubst $(TOP)/%.c,$(1)/obj/%.o,$(2))
core_libs = $(call core_objs,$(1),$(DRIVER_SRCS) $(UNIT_SRCS))
# Every object a flavour's programs need: the prerequisite list of its
# build target, expanded a second time after all fragments are read
# (.SECONDEXPANSION below), when later fragments have appended theirs.
core_deps = $(call core_libs,$(1)) $(call core_objs,$(1),$(2))
UNIT_MAINS = $(UNIT_TESTS:%=$(TOP)/tests/unit/%.c)
FUZZ_MAINS = $(FUZZ_TARGETS:%=$(TOP)/tests/fuzz/%.c)

$(UNIT_OUT)/obj/%.o: $(TOP)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC [unit] $(patsubst $(TOP)/%,%,$<)"
	@$(CORE_CC) $(CORE_TEST_CFLAGS) -O1 $(CORE_SAN) -MMD -MP -c $< -o $@

$(FUZZ_OUT)/obj/%.o: $(TOP)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC [fuzz] $(patsubst $(TOP)/%,%,$<)"
	@$(CORE_CC) $(CORE_TEST_CFLAGS) -O1 $(CORE_SAN) \
		-fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(COV_OUT)/obj/%.o: $(TOP)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC [coverage] $(patsubst $(TOP)/%,%,$<)"
	@$(CORE_CC) $(CORE_TEST_CFLAGS) -O0 -fprofile-instr-generate \
		-fcoverage-mapping -MMD -MP -c $< -o $@

-include $(shell find $(BUILD)/unit $(BUILD)/fuzz $(BUILD)/coverage \
	-name '*.d' 2>/dev/null)

.PHONY: unit unit-build fuzz fuzz-build fuzz-smoke coverage coverage-build \
	freestanding-check
.SECONDEXPANSION:

unit-build: $$(call core_deps,$(UNIT_OUT),$$(UNIT_MAINS))
	@set -e; for t in $(UNIT_TESTS); do \
		$(CORE_CC) $(CORE_SAN) -o $(UNIT_OUT)/$$t \
			$(UNIT_OUT)/obj/tests/unit/$$t.o \
			$(call core_libs,$(UNIT_OUT)) -lcmocka; \
	done

unit: unit-build
	@fail=0; total=0; for t in $(UNIT_TESTS); do \
		out=$$(ASAN_OPTIONS=detect_leaks=1 $(UNIT_OUT)/$$t 2>&1); \
		rc=$$?; \
		n=$$(echo "$$out" | \
			sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | \
			awk '{ n += $$1 } END { print n + 0 }'); \
		total=$$((total + $${n:-0})); \
		if [ $$rc -ne 0 ]; then \
			echo "$$out"; echo "unit: $$t FAILED"; fail=1; \
		else \
			echo "unit: $$t: $${n:-0} passed"; \
		fi; \
	done; \
	if [ $$fail -ne 0 ]; then echo "unit: failures above" >&2; exit 1; fi; \
	echo "unit: $$total tests passed in $(words $(UNIT_TESTS)) programs"

# Fuzz targets link the unit objects too (cmocka for their helpers).
fuzz-build: $$(call core_deps,$(FUZZ_OUT),$$(FUZZ_MAINS))
	@set -e; for t in $(FUZZ_TARGETS); do \
		$(CORE_CC) $(CORE_SAN) -fsanitize=fuzzer -o $(FUZZ_OUT)/$$t \
			$(FUZZ_OUT)/obj/tests/fuzz/$$t.o \
			$(call core_libs,$(FUZZ_OUT)) -lcmocka; \
	done

# New inputs go to build/fuzz/corpus/T; the checked-in seeds stay as
# they are.  A crash, sanitizer report or hang (-timeout) fails the run.
core_fuzz_run = mkdir -p $(FUZZ_OUT)/corpus/$(1) $(FUZZ_OUT)/artifacts && \
	$(FUZZ_OUT)/$(1) -max_total_time=$(2) -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_OUT)/artifacts/$(1)- \
		$(FUZZ_OUT)/corpus/$(1) $(TOP)/tests/fuzz/corpus/$(1) \
		2>$(FUZZ_OUT)/$(1).log || \
	{ tail -40 $(FUZZ_OUT)/$(1).log; echo "fuzz: $(1) FAILED" >&2; exit 1; }
core_fuzz_stat = sed -n 's/^stat::$(2): *//p' $(FUZZ_OUT)/$(1).log

fuzz: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
		$(call core_fuzz_run,$$t,$(FUZZ_SECONDS)); \
		echo "fuzz: $$t: $$($(call core_fuzz_stat,$$t,number_of_executed_units))" \
			"runs, $$($(call core_fuzz_stat,$$t,average_exec_per_sec))" \
			"execs/s, no crash"; \
	done

fuzz-smoke: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
		test -d $(TOP)/tests/fuzz/corpus/$$t || { echo "fuzz-smoke:" \
			"no seed corpus tests/fuzz/corpus/$$t" >&2; exit 1; }; \
		$(call core_fuzz_run,$$t,$(FUZZ_SMOKE_SECONDS)); \
		echo "fuzz-smoke: $$t:" \
			"$$($(call core_fuzz_stat,$$t,number_of_executed_units))" \
			"runs, no crash"; \
	done

# Unit tests and the fuzz targets over the checked-in corpus (-runs=0:
# each seed once), instrumented; the report covers drivers/ only.
COV_FLAGS := -fprofile-instr-generate -fcoverage-mapping
coverage-build: $$(call core_deps,$(COV_OUT),$$(UNIT_MAINS) $$(FUZZ_MAINS))

coverage: coverage-build
	@set -e; rm -rf $(COV_OUT)/prof; mkdir -p $(COV_OUT)/prof; objs=""; \
	for t in $(UNIT_TESTS); do \
		$(CORE_CC) $(COV_FLAGS) -o $(COV_OUT)/$$t \
			$(COV_OUT)/obj/tests/unit/$$t.o \
			$(call core_libs,$(COV_OUT)) -lcmocka; \
		LLVM_PROFILE_FILE=$(COV_OUT)/prof/$$t.profraw \
			$(COV_OUT)/$$t >/dev/null 2>&1 || { echo "coverage:" \
			"$$t failed (run make unit)" >&2; exit 1; }; \
		objs="$$objs -object $(COV_OUT)/$$t"; \
	done; \
	for t in $(FUZZ_TARGETS); do \
		$(CORE_CC) $(COV_FLAGS) -fsanitize=fuzzer -o $(COV_OUT)/$$t \
			$(COV_OUT)/obj/tests/fuzz/$$t.o \
			$(call core_libs,$(COV_OUT)) -lcmocka; \
		LLVM_PROFILE_FILE=$(COV_OUT)/prof/$$t.profraw \
			$(COV_OUT)/$$t -runs=0 $(TOP)/tests/fuzz/corpus/$$t \
			>/dev/null 2>&1 || { echo "coverage:" \
			"$$t failed on its corpus" >&2; exit 1; }; \
		objs="$$objs -object $(COV_OUT)/$$t"; \
	done; \
	$(LLVM_PROFDATA) merge -sparse -o $(COV_OUT)/all.profdata \
		$(COV_OUT)/prof/*.profraw; \
	$(LLVM_COV) report -instr-profile=$(COV_OUT)/all.profdata \
		$${objs# -object } $(DRIVER_SRCS) \
		$(wildcard $(addsuffix *.h,$(sort $(dir $(DRIVER_SRCS))))) \
		> $(COV_OUT)/report.txt; \
	cat $(COV_OUT)/report.txt; \
	awk '$$1 == "TOTAL" { printf "coverage: %.1f%% of driver lines\n", \
		($$8 - $$9) * 100 / $$8 }' $(COV_OUT)/report.txt \
		| tee $(COV_OUT)/summary.txt
	@$(MAKE) --no-print-directory dragonfly-coverage
	@echo "==> make coverage:"; cat $(COV_OUT)/summary.txt; \
	grep -h '^coverage: ' $(BUILD)/coverage/dragonfly/report.txt \
		2>/dev/null || true

# The drivers against the contract itself (vio_os_example.h):
# no libc, no OS header, with gcc and clang and kernel-style warnings.
FS_OUT := $(BUILD)/freestanding
freestanding-check:
	@mkdir -p $(FS_OUT)
	@set -e; for cc in gcc $(CORE_CC); do for src in $(DRIVER_SRCS); do \
		$$cc -std=c11 -O2 -ffreestanding -nostdinc -fno-builtin \
			$(CORE_WARN) -DVIO_OS_H=vio_os_example.h $(DRIVER_INCLUDES) \
			-c $$src -o $(FS_OUT)/out.o || { echo "freestanding-check:" \
			"$$src failed with $$cc" >&2; exit 1; }; \
	done; done
	@echo "freestanding-check: $(words $(DRIVER_SRCS)) driver files" \
		"compile with -ffreestanding -nostdinc (gcc, $(CORE_CC))"
