# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""Write a cpio "newc" archive, the format the Linux kernel unpacks as an
initramfs.

Written here rather than driven through cpio(1) so that the archive can
hold device nodes (/dev/console) without root, and so that it is the same
bytes on every build (fixed owners and times).
"""

import stat

TRAILER = "TRAILER!!!"


class Archive:
    def __init__(self):
        self._chunks = []
        self._ino = 1

    def _entry(self, name, mode, data=b"", rdev=(0, 0), nlink=1):
        fields = [self._ino, mode, 0, 0, nlink, 0, len(data), 0, 0,
                  rdev[0], rdev[1], len(name) + 1, 0]
        self._ino += 1
        head = "070701" + "".join("%08X" % f for f in fields)
        head = head.encode("ascii") + name.encode() + b"\0"
        self._chunks.append(head + b"\0" * (-len(head) % 4))
        self._chunks.append(data + b"\0" * (-len(data) % 4))

    def directory(self, name, perm=0o755):
        self._entry(name, stat.S_IFDIR | perm, nlink=2)

    def file(self, name, data, perm=0o644):
        self._entry(name, stat.S_IFREG | perm, data)

    def symlink(self, name, target):
        self._entry(name, stat.S_IFLNK | 0o777, target.encode())

    def chardev(self, name, major, minor, perm=0o600):
        self._entry(name, stat.S_IFCHR | perm, rdev=(major, minor))

    def bytes(self):
        self._entry(TRAILER, 0, nlink=1)
        out = b"".join(self._chunks)
        return out + b"\0" * (-len(out) % 512)
