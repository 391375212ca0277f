# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""The block-I/O check pattern shared by every guest and the host.

In the sector at LBA L, little-endian 64-bit word i (0..63) is
SEED * 0x9E3779B97F4A7C15 + L * 64 + i, modulo 2**64.  The golden-ratio
multiplier spreads different seeds far apart; the L*64+i term makes every
word on the disk distinct, so a misplaced or repeated sector shows up.
"""

import struct

SECTOR = 512
WORDS_PER_SECTOR = SECTOR // 8
GOLDEN = 0x9E3779B97F4A7C15
MASK64 = (1 << 64) - 1

# The parameters the checks use unless told otherwise.  Guests that cannot
# compute the pattern themselves (the Linux initramfs) carry these bytes.
DEFAULT_SEED = 0x5EED
DEFAULT_LBA = 2048
DEFAULT_COUNT = 16


def pattern(seed, lba, count):
    """Return the bytes of COUNT sectors starting at LBA for SEED."""
    if seed < 0 or lba < 0 or count <= 0:
        raise ValueError("pattern: seed and lba must be >= 0, count > 0")
    base = (seed * GOLDEN + lba * WORDS_PER_SECTOR) & MASK64
    words = (((base + j) & MASK64)
             for j in range(count * WORDS_PER_SECTOR))
    return b"".join(struct.pack("<Q", w) for w in words)


def first_mismatch(data, seed, lba, count):
    """Return the first LBA whose bytes in DATA differ, or None."""
    want = pattern(seed, lba, count)
    if len(data) < len(want):
        return lba + len(data) // SECTOR
    for k in range(count):
        sl = slice(k * SECTOR, (k + 1) * SECTOR)
        if data[sl] != want[sl]:
            return lba + k
    return None
