# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
#
# The virtio-blk, virtio-net and virtio-balloon protocols (drivers/blk,
# drivers/net, drivers/balloon): their unit tests and fuzz targets join
# the core's `make unit`, `make fuzz`, `make fuzz-smoke`, `make coverage`
# and `make freestanding-check` (mk/10-core.mk).

DRIVER_SRCS += $(sort $(wildcard $(TOP)/drivers/blk/*.c) \
	$(wildcard $(TOP)/drivers/net/*.c) \
	$(wildcard $(TOP)/drivers/balloon/*.c))
DRIVER_INCLUDES += -I$(TOP)/drivers/blk -I$(TOP)/drivers/net \
	-I$(TOP)/drivers/balloon
UNIT_SRCS += $(addprefix $(TOP)/tests/unit/sim/,sim_stream.c sim_blk.c \
	sim_net.c sim_balloon.c)
UNIT_TESTS += test_blk_config test_blk test_blk_mq test_net_config test_net test_balloon
FUZZ_TARGETS += fuzz_blk fuzz_net fuzz_balloon
