# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""sys/ of the same DragonFly release, fetched on the host with git.

Release media normally carry it already: nrelease/Makefile's 'srcs'
target packs Makefile, Makefile.inc1 and sys/ into /usr/src-sys.tar.bz2
unless WITHOUT_SRCS is set (seen in the 2020 sources; not checked on the
6.4.2 media), and the install script prefers that copy.  This host copy
is the fallback for the guest and, as DFLY_SYS=CACHE/src/sys, the tree
`make dragonfly-check` builds the host-side .ko files against.
"""

import os
import shutil
import subprocess
import tarfile

DEFAULT_GIT_URL = "https://github.com/DragonFlyBSD/DragonFlyBSD.git"


def release_tag(version):
    """DragonFly tags releases vMAJOR.MINOR.PATCH (v6.4.2)."""
    return "v" + version


def git_commands(url, tag, dest):
    """A shallow, sparse, blob-filtered clone of sys/ and share/mk/ at TAG
    (share/mk next to sys/ lets `make dragonfly-check` also run the
    modules' Makefiles through DragonFly's own bsd.kmod.mk)."""
    return [
        ["git", "clone", "--quiet", "--depth", "1", "--branch", tag,
         "--filter=blob:none", "--no-checkout", url, dest],
        ["git", "-C", dest, "sparse-checkout", "set", "--no-cone", "/sys/",
         "/share/mk/"],
        ["git", "-C", dest, "checkout", "--quiet", tag],
    ]


def fetch_sys(url, version, checkout, tarball, log=print, timeout=1800):
    """Fetch sys/ into CHECKOUT/sys and pack it as TARBALL (members
    sys/...).  Returns None on success, else the reason it could not."""
    if shutil.which("git") is None:
        return "git is not installed"
    tag = release_tag(version)
    part = checkout + ".part"
    shutil.rmtree(part, ignore_errors=True)
    for cmd in git_commands(url, tag, part):
        try:
            res = subprocess.run(cmd, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True,
                                 timeout=timeout)
        except subprocess.TimeoutExpired:
            shutil.rmtree(part, ignore_errors=True)
            return "%s timed out" % " ".join(cmd[:3])
        if res.returncode != 0:
            shutil.rmtree(part, ignore_errors=True)
            last = (res.stdout.strip().splitlines() or ["?"])[-1]
            return "%s: %s" % (" ".join(cmd[:3]), last)
    if not os.path.isfile(os.path.join(part, "sys", "conf", "kmod.mk")):
        shutil.rmtree(part, ignore_errors=True)
        return "the checkout of %s has no sys/conf/kmod.mk" % tag
    shutil.rmtree(checkout, ignore_errors=True)
    os.replace(part, checkout)
    log("  packing %s" % tarball)
    with tarfile.open(tarball + ".part", "w:gz") as tar:
        tar.add(os.path.join(checkout, "sys"), arcname="sys")
    os.replace(tarball + ".part", tarball)
    return None
