# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""The Linux guest recipe's pieces that do not need a download: module
dependency order (built-ins, compressed modules) and the cpio writer."""

import gzip
import lzma
import os
import sys

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "images", "linux"))

import build  # noqa: E402
import cpio_newc  # noqa: E402


def modinfo(name, depends):
    return (b"\x7fELF junk\0license=GPL\0depends=%s\0name=%s\0"
            % (depends.encode(), name.encode()))


def fake_moddir(tmp_path, builtin=("virtio_net",)):
    """A kernel's module tree as a distribution package ships it: no
    modules.dep, some modules compressed, some drivers built in."""
    kdir = tmp_path / "kernel" / "drivers"
    kdir.mkdir(parents=True)
    (kdir / "virtio.ko").write_bytes(modinfo("virtio", ""))
    (kdir / "virtio_ring.ko.xz").write_bytes(
        lzma.compress(modinfo("virtio_ring", "")))
    (kdir / "virtio_pci.ko").write_bytes(
        modinfo("virtio_pci", "virtio_ring,virtio"))
    (kdir / "virtio_blk.ko.gz").write_bytes(
        gzip.compress(modinfo("virtio_blk", "virtio_ring,virtio")))
    (kdir / "virtio_balloon.ko").write_bytes(
        modinfo("virtio_balloon", "virtio"))
    (tmp_path / "modules.builtin").write_text(
        "".join("kernel/drivers/net/%s.ko\n" % b for b in builtin))
    return str(tmp_path)


def test_modules_come_after_their_dependencies_and_unpacked(tmp_path):
    order = build.module_order(fake_moddir(tmp_path))
    names = [n for n, _ in order]
    assert sorted(names) == ["virtio", "virtio_balloon", "virtio_blk",
                             "virtio_pci", "virtio_ring"]
    for n, deps in (("virtio_pci", ("virtio", "virtio_ring")),
                    ("virtio_blk", ("virtio", "virtio_ring")),
                    ("virtio_balloon", ("virtio",))):
        for d in deps:
            assert names.index(d) < names.index(n)
    data = dict(order)
    assert data["virtio_ring"].startswith(b"\x7fELF")
    assert data["virtio_blk"].startswith(b"\x7fELF")


def test_a_missing_module_is_a_clear_error(tmp_path):
    with pytest.raises(build.BuildError, match="virtio_net is neither"):
        build.module_order(fake_moddir(tmp_path, builtin=()))


def test_cpio_archive_holds_entries_in_newc_format():
    a = cpio_newc.Archive()
    a.directory("dev")
    a.chardev("dev/console", 5, 1)
    a.file("init", b"#!/bin/sh\n", 0o755)
    a.symlink("bin/sh", "busybox")
    data = a.bytes()
    assert len(data) % 512 == 0
    names, off = [], 0
    while True:
        assert data[off:off + 6] == b"070701"
        fields = [int(data[off + 6 + 8 * i:off + 14 + 8 * i], 16)
                  for i in range(13)]
        mode, size, rmaj, rmin, namesize = (fields[1], fields[6], fields[9],
                                            fields[10], fields[11])
        name = data[off + 110:off + 110 + namesize - 1].decode()
        off += 110 + namesize
        off += -off % 4
        body = data[off:off + size]
        off += size + (-size % 4)
        if name == "TRAILER!!!":
            break
        names.append(name)
        if name == "dev/console":
            assert mode == 0o20600 and (rmaj, rmin) == (5, 1)
        if name == "init":
            assert mode == 0o100755 and body == b"#!/bin/sh\n"
        if name == "bin/sh":
            assert mode & 0o170000 == 0o120000 and body == b"busybox"
    assert names == ["dev", "dev/console", "init", "bin/sh"]


def fake_apt(monkeypatch, known, depends):
    monkeypatch.setattr(build, "apt_known", lambda pkg: known.get(pkg))
    monkeypatch.setattr(build, "run", lambda argv, **kw: depends[argv[-1]])


def test_debian_kernel_is_the_meta_packages_image(monkeypatch):
    fake_apt(monkeypatch,
             {"linux-image-amd64": "6.1.192-2",
              "linux-image-6.1.0-56-amd64": "6.1.192-2"},
             {"linux-image-amd64": "linux-image-amd64\n"
              "  Depends: linux-image-6.1.0-56-amd64\n"})
    assert build.resolve_kernel() == [("linux-image-6.1.0-56-amd64",
                                       "6.1.192-2")]


def test_ubuntu_kernel_brings_its_modules_package(monkeypatch):
    fake_apt(monkeypatch,
             {"linux-image-generic": "6.8.0-51.52",
              "linux-image-6.8.0-51-generic": "6.8.0-51.52",
              "linux-modules-6.8.0-51-generic": "6.8.0-51.52"},
             {"linux-image-generic": "linux-image-generic\n"
              "  Depends: linux-firmware\n"
              "  Depends: linux-image-6.8.0-51-generic\n"
              "  Depends: linux-modules-extra-6.8.0-51-generic\n"})
    assert build.resolve_kernel() == [
        ("linux-image-6.8.0-51-generic", "6.8.0-51.52"),
        ("linux-modules-6.8.0-51-generic", "6.8.0-51.52")]


def test_no_kernel_package_says_to_update(monkeypatch):
    fake_apt(monkeypatch, {}, {})
    with pytest.raises(build.BuildError, match="apt-get update"):
        build.resolve_kernel()
