# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
#
# Line coverage of our DragonFly modules, measured inside the DragonFly
# kernel guest (`make coverage` runs it after the core's unit tests):
#
#   make dragonfly-coverage-guest   build/dfly-guest-cov: the guest with
#                                   our modules built for coverage
#   make dragonfly-coverage         the guest's e2e matrix on it, then
#                                   build/coverage/dragonfly/ (HTML, JSON)
#
# The coverage build: drivers/dragonfly/vio_gcov (our gcov runtime) is
# built as it is, then the four modules through their own bsd.kmod.mk
# Makefiles with gcc's arc counting added (kmod.mk adds DEBUG_FLAGS to
# its CFLAGS; its link line takes LDFLAGS, where the runtime's object
# goes).  The kernel itself is not instrumented.  The tests dump the
# counters on the serial console before each guest stops (and the
# runtime does at kldunload); drivers/dragonfly/vio_gcov/gcda.py turns
# the serial logs into .gcda files beside the build's .gcno, and gcovr
# reports drivers/dragonfly and the core as they ran in DragonFly.
#
# DFLY_COV_TESTS: the e2e test files to run (default: every DragonFly
# check), E2E_JOBS guests at a time (mk/50-harness.mk).
# DFLY_COV_PYTEST_ARGS: more pytest arguments (e.g. -k).

DFLY_COV := $(BUILD)/dfly-cov
DFLY_COV_GUEST := $(BUILD)/dfly-guest-cov
DFLY_COV_KMOD := $(DFLY_COV)/modules/kmod/drivers/dragonfly
DFLY_COV_REPORT := $(BUILD)/coverage/dragonfly
DFLY_COV_FLAGS := -fprofile-arcs -ftest-coverage \
	-fprofile-info-section=set_vio_gcov
DFLY_COV_TESTS ?= tests/e2e/test_checks.py tests/e2e/test_dragonfly.py \
	tests/e2e/test_dragonfly_lifecycle.py
DFLY_COV_PYTEST_ARGS ?=
DFLY_GCOV_DIR := $(TOP)/drivers/dragonfly/vio_gcov

DEB_PACKAGES += gcovr gcc python3-pytest python3-pytest-xdist
HELP_TARGETS += dragonfly-coverage-guest dragonfly-coverage

.PHONY: dragonfly-coverage-guest dragonfly-coverage

ifeq ($(DFLY_TREE),)

dragonfly-coverage-guest:
	@echo "$@: SKIPPED: $(DFLY_NO_TREE)"

dragonfly-coverage:
	@mkdir -p $(DFLY_COV_REPORT); \
	echo "coverage: drivers/dragonfly in the DragonFly guest: SKIPPED:" \
		"no DragonFly source tree (set DFLY_SRC to a checkout)" \
		| tee $(DFLY_COV_REPORT)/report.txt

else

dragonfly-coverage-guest: dragonfly-kernel $(DFLY_INIT)
	@set -e; sys=$(DFLY_TREE)/sys; mkdir -p $(DFLY_COV); \
	echo "  KMOD    vio_gcov (the runtime, uninstrumented)"; \
	DFLY_MODULES="vio_pci vio_gcov" CC=gcc PYTHON=$(PYTHON) \
		$(TOP)/drivers/dragonfly/check.sh $$sys $(DFLY_COV)/runtime \
		>$(DFLY_COV)/runtime.log 2>&1 || \
		{ tail -20 $(DFLY_COV)/runtime.log; exit 1; }; \
	echo "  KMOD    $(DFLY_OUR_MODULES) (with arc counters)"; \
	DEBUG_FLAGS="$(DFLY_COV_FLAGS)" \
	LDFLAGS=$(DFLY_COV)/runtime/kmod/drivers/dragonfly/vio_gcov/vio_gcov.o \
	CC=gcc PYTHON=$(PYTHON) \
		$(TOP)/drivers/dragonfly/check.sh $$sys $(DFLY_COV)/modules \
		>$(DFLY_COV)/modules.log 2>&1 || \
		{ tail -20 $(DFLY_COV)/modules.log; exit 1; }
	@$(call dfly_assemble,$(DFLY_COV_GUEST),$(DFLY_COV_KMOD))

# Guests that fail a check still count what they ran: the failures are
# reported, and the coverage is measured all the same.
dragonfly-coverage: dragonfly-coverage-guest
	@set -e; start=$$(date +%s); \
	rm -rf $(DFLY_COV)/serial $(DFLY_COV_REPORT); \
	mkdir -p $(DFLY_COV_REPORT); \
	find $(DFLY_COV)/modules/kmod -name '*.gcda' -delete; \
	echo "dragonfly-coverage: the DragonFly guest's checks on the" \
		"coverage build (log: $(DFLY_COV_REPORT)/pytest.log)"; \
	rc=0; cd $(TOP) && DFLY_VIRTIO_GUESTS=dragonfly \
		DFLY_VIRTIO_DFLY_GUEST=$(DFLY_COV_GUEST) \
		DFLY_VIRTIO_GCOV_LOGS=$(DFLY_COV)/serial \
		$(PYTHON) -m pytest -p no:cacheprovider -q \
		-n $(E2E_JOBS) --dist loadgroup $(DFLY_COV_TESTS) \
		$(DFLY_COV_PYTEST_ARGS) >$(DFLY_COV_REPORT)/pytest.log 2>&1 || \
		rc=$$?; \
	echo "dragonfly-coverage: pytest: $$(tail -1 \
		$(DFLY_COV_REPORT)/pytest.log)"; \
	[ $$rc -eq 0 ] || echo "dragonfly-coverage: some checks failed" \
		"(exit $$rc); coverage counts what ran"; \
	logs=$$(ls $(DFLY_COV)/serial/*.serial.log 2>/dev/null || true); \
	if [ -z "$$logs" ]; then \
		echo "coverage: drivers/dragonfly in the DragonFly guest:" \
			"no guest ran (see $(DFLY_COV_REPORT)/pytest.log)" \
			| tee $(DFLY_COV_REPORT)/report.txt; \
		exit 0; \
	fi; \
	$(PYTHON) $(DFLY_GCOV_DIR)/gcda.py --root $(DFLY_COV)/modules/kmod \
		$$logs; \
	gcovr --root $(DFLY_COV)/modules/kmod \
		--filter '.*/drivers/(dragonfly|core|blk|net|balloon)/' \
		--exclude '.*/vio_gcov/' --exclude '.*_if\.[ch]$$' \
		--json $(DFLY_COV_REPORT)/coverage.json \
		--html-details $(DFLY_COV_REPORT)/index.html \
		$(DFLY_COV)/modules/kmod >$(DFLY_COV_REPORT)/gcovr.log 2>&1 || \
		{ tail -20 $(DFLY_COV_REPORT)/gcovr.log; exit 1; }; \
	$(PYTHON) $(DFLY_GCOV_DIR)/report.py $(DFLY_COV_REPORT)/coverage.json \
		| tee $(DFLY_COV_REPORT)/report.txt; \
	echo "dragonfly-coverage: HTML in $(DFLY_COV_REPORT)/index.html," \
		"$$(( $$(date +%s) - start )) s"

endif
