# mk/70-bench.mk: performance numbers (never assertions; see the brief).
#
#   make bench [BENCH_ARGS="--accel kvm --boots 10"]
#       the mini guest: QEMU start to shell prompt under TCG, and virtio-blk
#       kicks and interrupts per 1000 requests at QD 16, event_idx on/off.

DEB_PACKAGES += qemu-system-x86 qemu-utils python3
BENCH_ARGS ?=
HELP_TARGETS += bench

.PHONY: bench
bench: deps mini
	@$(PYTHON) $(TOP)/images/mini/bench.py $(BENCH_ARGS)
