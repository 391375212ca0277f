# mk/70-bench.mk: performance numbers (never assertions; see the brief).
#
#   make bench [BENCH_ARGS="--quick | --guests dfly-ours,linux | --no-null"]
#       boots each guest in turn (the DragonFly kernel guest with our
#       modules and with DragonFly's own, the Linux guest, the mini) on
#       the same QEMU devices: blk IOPS and MB/s, ICMP round trips,
#       balloon timing, boot time, UDP packets per second between two
#       guests of a kind; every guest's kicks and interrupts per request
#       with event_idx on and off.  The table on the terminal,
#       JSON and a PNG chart under build/bench/ (images/mini/bench.py).
#   make bench-compare A=build/bench/bench-X.json B=build/bench/bench-Y.json
#       two runs side by side.

DEB_PACKAGES += qemu-system-x86 qemu-utils python3 python3-matplotlib \
	gcc libc6-dev
BENCH_ARGS ?=
HELP_TARGETS += bench bench-compare

.PHONY: bench bench-compare
# A guest that cannot be built here (no DragonFly tree, no apt-get) is
# skipped by the script with its profile's reason.
bench: deps mini linux-image dragonfly-guest
	@$(PYTHON) $(TOP)/images/mini/bench.py $(BENCH_ARGS)

bench-compare:
	@$(PYTHON) $(TOP)/images/mini/bench.py --compare $(A) $(B)
