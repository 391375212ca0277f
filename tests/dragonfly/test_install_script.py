# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""images/dragonfly/guest/dfly-install.sh run on Linux against a fake live
CD: DragonFly's disk tools are stubs (tests/dragonfly/stubs) that log
their arguments; everything else (the copies, the text edits of
master.passwd, ttys, gettytab, loader.conf, the kernel sources) really
happens, under DFLY_TEST_ROOT.  What it cannot show is that DragonFly's
own tools accept those arguments; that needs the media."""

import os
import shutil
import subprocess
import sys
import tarfile

import pytest

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(TOP, "images", "dragonfly"))

import dfly_pfi  # noqa: E402

STUBS = os.path.join(os.path.dirname(__file__), "stubs")
SH = shutil.which("dash") or "/bin/sh"


def _write(path, text, mode=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    if mode is not None:
        os.chmod(path, mode)


def live_cd(root, with_sys=True):
    """A DragonFly live CD as far as the install script looks at it."""
    w = lambda rel, text, mode=None: _write(os.path.join(root, rel), text,
                                            mode)
    w("dev/da0", "")
    w("tmp/.keep", "")
    w("usr/share/installer/sources.conf",
      "/COPYRIGHT\n/bin\n/boot\n/etc\n/tmp\n/usr/bin\n/usr/local\n/var\n")
    w("COPYRIGHT", "Copyright DragonFly\n")
    w("bin/sh", "#!sh\n", 0o755)
    w("boot/loader.conf", 'kernel_options="-C"\n')
    w("boot/kernel/kernel", "ELF\n")
    w("etc/rc.conf", "# the live CD's\npfi_script=x\n")
    w("etc.hdd/rc.conf", 'sshd_enable="YES"\n')
    w("etc.hdd/master.passwd",
      "root::0:0::0:0:Charlie &:/root:/bin/csh\n"
      "toor:*:0:0::0:0:Bourne-again Superuser:/root:\n"
      "installer::0:0::0:0:DragonFly Installer:/root:/usr/sbin/installer\n")
    w("etc.hdd/ttys",
      'console\tnone\t\t\t\tunknown\toff secure\n'
      'ttyd0\t"/usr/libexec/getty std.115200"\tdialup\ton secure ifconsole\n'
      'ttyd1\t"/usr/libexec/getty std.115200"\tdialup\toff secure\n')
    w("etc.hdd/gettytab", "std.115200|115200-baud:\\\n\t:sp#115200:\n")
    w("etc/mtree/BSD.var.dist", "/set type=dir\n")
    w("usr/bin/cc", "ELF\n", 0o755)
    w("var/log/messages", "boot\n")
    if with_sys:
        src = os.path.join(root, "..", "srcsys")
        w(os.path.join("..", "srcsys", "sys", "conf", "kmod.mk"), "# kmod\n")
        with tarfile.open(os.path.join(root, "usr", "src-sys.tar.bz2"),
                          "w:bz2") as t:
            t.add(os.path.join(src, "sys"), arcname="./src/sys")


def run_install(tmp_path, with_sys=True, with_disk=True):
    root = str(tmp_path / "live")
    live_cd(root, with_sys)
    if not with_disk:
        os.unlink(os.path.join(root, "dev", "da0"))
    media = str(tmp_path / "pficd")
    dfly_pfi.stage(dfly_pfi.pfi_files("6.4.2"), media)
    env = dict(os.environ, DFLY_TEST_ROOT=root,
               PATH=STUBS + os.pathsep + os.environ["PATH"])
    res = subprocess.run([SH, os.path.join(media, "dfly-install.sh")],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, env=env, timeout=60)
    with open(os.path.join(root, "tmp", "stub.log")) as f:
        stubs = f.read()
    return res.stdout, stubs, os.path.join(root, "tmp", "target")


def read(path):
    with open(path) as f:
        return f.read()


def test_the_install_script_installs_and_configures(tmp_path):
    out, stubs, t = run_install(tmp_path)
    assert "DFLY-INSTALL: OK" in out, out
    assert out.rstrip().endswith("HALTED -p"), out
    assert "FAIL" not in out
    # Disk tools, in the installer's order.
    order = ["fdisk -BI da0", "disklabel64 -W da0s1",
             "disklabel64 -B -r -w da0s1", "disklabel64 -r da0s1",
             "disklabel64 -R -B -r da0s1", "newfs ", "mount ",
             "mtree -deiU -f", "pwd_mkdb -p -d", "umount ",
             "disklabel64 -B da0s1", "halt -p"]
    at = [stubs.find(c) for c in order]
    assert -1 not in at and at == sorted(at), stubs
    label = read(str(tmp_path / "live" / "tmp" / "applied.label"))
    assert label.startswith("# /dev/da0s1:\ndiskid: 1\n")
    assert "  a:\t*\t0\t4.2BSD\n  b:\t1G\t*\tswap\n" in label
    # The system, with /etc.hdd as /etc and no live-CD loader.conf.
    assert read(os.path.join(t, "COPYRIGHT")) == "Copyright DragonFly\n"
    assert os.access(os.path.join(t, "bin", "sh"), os.X_OK)
    assert os.path.isfile(os.path.join(t, "boot", "kernel", "kernel"))
    assert "pfi_script" not in read(os.path.join(t, "etc", "rc.conf"))
    assert os.path.isfile(os.path.join(t, "var", "log", "messages"))
    assert oct(os.stat(os.path.join(t, "tmp")).st_mode & 0o7777) == "0o1777"
    assert os.readlink(os.path.join(t, "sys")) == "usr/src/sys"
    # Serial console everywhere, root on ttyd0 without a login.
    assert read(os.path.join(t, "boot.config")) == "-h\n"
    loader = read(os.path.join(t, "boot", "loader.conf"))
    assert 'console="comconsole"' in loader
    assert 'autoboot_delay="1"' in loader
    assert 'vfs.root.mountfrom="ufs:da0s1a"' in loader
    assert "kernel_options" not in loader
    ttys = read(os.path.join(t, "etc", "ttys"))
    assert ttys.count("ttyd0") == 1
    assert 'ttyd0\t"/usr/libexec/getty dfly.autologin"\tvt100\ton  secure' \
        in ttys
    assert "ttyd1" in ttys
    assert "dfly.autologin:\\\n\t:al=root:tc=std.115200:" in read(
        os.path.join(t, "etc", "gettytab"))
    passwd = read(os.path.join(t, "etc", "master.passwd"))
    assert "root::0:0::0:0:Charlie &:/root:/bin/sh\n" in passwd
    assert "toor:*:0:0::0:0:Bourne-again Superuser:/root:\n" in passwd
    assert "installer" not in passwd
    profile = read(os.path.join(t, "root", ".profile"))
    facts = dfly_pfi.media_facts()
    assert "\necho %s\n" % facts["ready_marker"] in profile
    assert "\nPS1='%s'\n" % facts["prompt"] in profile
    assert os.access(os.path.join(t, "etc", "rc.local"), os.X_OK)
    rc = read(os.path.join(t, "etc", "rc.conf"))
    assert 'sshd_enable="NO"' in rc
    fstab = read(os.path.join(t, "etc", "fstab"))
    assert "/dev/da0s1a\t\t/\t\tufs\trw\t\t1\t1" in fstab
    assert "/dev/da0s1b\t\tnone\t\tswap" in fstab
    # Kernel sources from the release media.
    assert read(os.path.join(t, "usr", "src", "sys", "conf",
                             "kmod.mk")) == "# kmod\n"
    info = read(os.path.join(t, "etc", "dfly-virtio-image"))
    assert "version=6.4.2" in info
    assert "sys=release media (/usr/src-sys.tar.bz2)" in info


def test_without_sources_the_image_says_so(tmp_path):
    out, _, t = run_install(tmp_path, with_sys=False)
    assert "DFLY-INSTALL: OK" in out, out
    assert "sys: NONE: no kernel sources; load modules built on the host" \
        in out
    assert "sys=none" in read(os.path.join(t, "etc", "dfly-virtio-image"))


def test_without_the_ahci_disk_it_fails_at_once(tmp_path):
    out, stubs, _ = run_install(tmp_path, with_disk=False)
    assert "DFLY-INSTALL: FAIL: no /dev/da0: the root disk must be an " \
        "ide-hd on -device ahci" in out
    assert "fdisk" not in stubs and "halt -p" in stubs
