# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""The pfi CD: what makes the DragonFly live CD install by itself.

The live CD's /etc/rc.d/pfi (nrelease/root/etc/rc.d/pfi) looks for
/pfi.conf on cd9660 media acd0, cd0, acd1, cd1 (then msdos on da0s1,
da1s1, da8s1, fd0, fd1), copies it to /etc/pfi.conf and, if pfi_script
names an executable file on that media, runs it with the media mounted on
/mnt, during rc, before any login.  Defaults are in
etc/defaults/pfi.conf.  So the boot CD must be cd0 (the kernel's -C root
search also tries cd0 first: sys/kern/vfs_conf.c) and this CD cd1: the
QEMU command line puts the boot CD on AHCI port 1 and this one on port 2.
"""

import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)),
                                "harness"))

import profiles  # noqa: E402

GUEST = os.path.join(HERE, "guest")
MARK = "DFLY-INSTALL"
VOLID = "DFLYPFI"

INSTALL_SCRIPT = "dfly-install.sh"


def pfi_conf():
    """pfi.conf: run our script, no frontend, no autologin."""
    return (
        "# Read by the DragonFly live CD's /etc/rc.d/pfi (dfly-virtio).\n"
        'pfi_script="%s"\n'
        'pfi_frontend="none"\n'
        'pfi_autologin="NONE"\n'
        'pfi_rc_actions=""\n'
        'pfi_shutdown_command="shutdown -p now"\n' % INSTALL_SCRIPT)


def install_conf(version, disk="da0", swap_size="1G", sys_ref=""):
    """dfly-install.conf: the parameters dfly-install.sh sources."""
    for name, value in (("disk", disk), ("swap_size", swap_size),
                        ("version", version), ("sys_ref", sys_ref)):
        if any(c in value for c in "\"'`$\\\n"):
            raise ValueError("install_conf: %s=%r has shell metacharacters"
                             % (name, value))
    return ('MARK="%s"\nVERSION="%s"\nDISK="%s"\nSWAP_SIZE="%s"\n'
            'SYS_REF="%s"\n' % (MARK, version, disk, swap_size, sys_ref))


def iso_tool():
    """argv prefix of the mkisofs-compatible tool this host has."""
    if shutil.which("xorriso"):
        return ["xorriso", "-as", "mkisofs"]
    if shutil.which("genisoimage"):
        return ["genisoimage"]
    raise RuntimeError("neither xorriso nor genisoimage is installed "
                       "(apt-get install xorriso)")


def stage(files, directory):
    """Write FILES, a dict of name -> bytes/str content or ('copy', host
    path), under DIRECTORY."""
    for name, content in files.items():
        path = os.path.join(directory, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if isinstance(content, tuple):
            if os.path.isdir(content[1]):
                shutil.copytree(content[1], path, symlinks=False)
            else:
                shutil.copy2(content[1], path)
        else:
            data = content.encode() if isinstance(content, str) else content
            with open(path, "wb") as f:
                f.write(data)


def build_cd(out, files, volid):
    """Make the ISO 9660 image OUT (Rock Ridge, -r modes: readable by all,
    executable where the source is) holding FILES (see stage())."""
    with tempfile.TemporaryDirectory(prefix="dimg-cd-") as tmp:
        stage(files, tmp)
        part = out + ".part"
        cmd = iso_tool() + ["-quiet", "-r", "-V", volid, "-o", part, tmp]
        res = subprocess.run(cmd, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
        if res.returncode != 0:
            raise RuntimeError("%s failed:\n%s" % (" ".join(cmd), res.stdout))
        os.replace(part, out)


def media_facts():
    """The installed image's facts (prompt, ready marker), written once in
    harness/profiles/dragonfly_media.py."""
    return profiles.get("dragonfly-media").facts()


def root_profile():
    """root's .profile: guest/root.profile with the prompt and the ready
    marker filled in."""
    facts = media_facts()
    with open(os.path.join(GUEST, "root.profile")) as f:
        text = f.read()
    for name in ("prompt", "ready_marker"):
        text = text.replace("@%s@" % name.upper(), facts[name])
    return text


def pfi_files(version, sys_tarball=None, sys_ref="", swap_size="1G"):
    """Everything the pfi CD carries, as build_cd wants it."""
    files = {
        "pfi.conf": pfi_conf(),
        "dfly-install.conf": install_conf(version, swap_size=swap_size,
                                          sys_ref=sys_ref),
        INSTALL_SCRIPT: ("copy", os.path.join(GUEST, INSTALL_SCRIPT)),
        "loader.conf": ("copy", os.path.join(GUEST, "loader.conf")),
        "rc.conf": ("copy", os.path.join(GUEST, "rc.conf")),
        "rc.local": ("copy", os.path.join(GUEST, "rc.local")),
        "root.profile": root_profile(),
    }
    if sys_tarball:
        files["src-sys.tar.gz"] = ("copy", sys_tarball)
    return files
