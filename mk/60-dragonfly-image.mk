# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
#
# The DragonFly test image (images/dragonfly), built from release media on
# hosts that have it:
#
#   make dragonfly-image [DFLY_ISO=file-or-URL] [DFLY_VERSION=X.Y.Z]
#
# The default release is dfly_media.DEFAULT_VERSION (`harness/vm facts
# --guest dragonfly --get version`); DFLY_VERSION overrides it.
#
# Other knobs (environment or make variables): DFLY_MIRROR, DFLY_CHECKSUM,
# DFLY_ISO_SHA256, DFLY_ISO_VERIFY=skip, DFLY_CACHE, DFLY_ACCEL,
# DFLY_DISK_SIZE, DFLY_FETCH_SYS=no, DFLY_GIT_URL; timeouts scale with the
# harness's DFLY_VIRTIO_TIMEOUT_SCALE.
# See README, section "DragonFly test image".
#
# `make test` runs only the recipe's own tests (no media, no QEMU); the
# image itself is never built by `make test`.

DFLY_IMAGE_DIR := $(TOP)/images/dragonfly
DFLY_VERSION ?=
DFLY_CACHE ?= $(BUILD)/dragonfly
export DFLY_VERSION DFLY_CACHE DFLY_ISO DFLY_MIRROR DFLY_CHECKSUM \
	DFLY_ISO_SHA256 DFLY_ISO_VERIFY DFLY_ACCEL \
	DFLY_DISK_SIZE DFLY_FETCH_SYS DFLY_GIT_URL

DEB_PACKAGES += qemu-system-x86 qemu-utils expect xorriso git python3 \
	python3-pytest
TEST_STEPS += dragonfly-image-tests
HELP_TARGETS += dragonfly-image dragonfly-image-tests

.PHONY: dragonfly-image dragonfly-image-tests

dragonfly-image: deps
	@$(PYTHON) $(DFLY_IMAGE_DIR)/build-image

# The recipe's pure parts (checksums, URLs, pfi files, the CD, stamps, the
# serial dialogue against a stand-in console): seconds, no media needed.
dragonfly-image-tests:
	@mkdir -p $(BUILD)/test-results
	@$(PYTHON) -m pytest -q -p no:cacheprovider \
		--junitxml=$(BUILD)/test-results/dragonfly-image.xml \
		$(TOP)/tests/dragonfly
