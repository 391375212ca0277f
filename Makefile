# dfly-virtio: top-level Makefile.
#
# Each part of the project keeps its rules in a fragment under mk/; this file
# only gathers them.  The main targets:
#
#   make run      boot a guest interactively (serial console on stdio)
#   make test     everything CI runs: unit tests, fuzz smoke, man page lint,
#                 DragonFly compile check (skipped without a tree), e2e guests
#
# Fragments add their Debian packages to DEB_PACKAGES and their test steps to
# TEST_STEPS; `make deps` installs what is missing (as root) or says how.

.DEFAULT_GOAL := help
SHELL := /bin/bash
TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD := $(TOP)/build
# Debian's pytest/pexpect install for the system interpreter, not for
# whatever python3 comes first on PATH.
PYTHON ?= /usr/bin/python3

DEB_PACKAGES :=
TEST_STEPS :=

include $(sort $(wildcard $(TOP)/mk/*.mk))

.PHONY: help deps test
help:
	@echo "make run       boot the default guest interactively"
	@echo "make test      run every test (installs what is missing as root)"
	@echo "make deps      install the Debian packages the project needs"
	@echo "other targets: $(sort $(HELP_TARGETS))"

deps:
	@$(TOP)/harness/ensure-deps $(sort $(DEB_PACKAGES))

# Steps run in the order the fragments list them; each must fail loudly.
test: deps
	@set -e; for step in $(TEST_STEPS); do \
		echo "==> make $$step"; \
		$(MAKE) --no-print-directory $$step; \
	done
	@echo "==> make test: all steps passed"
