# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""KVM or TCG.

A /dev/kvm that opens is not enough: nested KVM can hang a guest's early
boot.  So `auto` boots the profile once under KVM and takes KVM only when
the guest reaches its readiness marker within a bounded time.  The answer
is cached per profile in build/accel.json (`make e2e` starts afresh), so
the probe costs one boot per test run, not one per guest.
"""

import json
import os
import platform
import shutil
import time

from . import BUILD, HarnessError

CACHE = os.path.join(BUILD, "accel.json")
KVM = "/dev/kvm"


def probe_seconds(profile):
    """How long a KVM boot may take: DFLY_VIRTIO_KVM_PROBE_SECONDS, else
    the profile's kvm_probe_seconds (a slow guest's own readiness)."""
    env = os.environ.get("DFLY_VIRTIO_KVM_PROBE_SECONDS")
    return float(env) if env else float(profile.kvm_probe_seconds)


def kvm_unusable():
    """None when /dev/kvm can be opened read-write, else why not."""
    if not os.path.exists(KVM):
        return "no %s on this host" % KVM
    try:
        fd = os.open(KVM, os.O_RDWR | os.O_CLOEXEC)
    except OSError as e:
        return ("%s not usable by uid %d (%s): add the user to group kvm "
                "or see ci/README.md" % (KVM, os.getuid(), e.strerror))
    os.close(fd)
    return None


def _host_key():
    qemu = shutil.which("qemu-system-x86_64") or ""
    mtime = os.stat(qemu).st_mtime if qemu else 0
    return "%s %s %d" % (platform.release(), qemu, mtime)


def _load():
    try:
        with open(CACHE) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def _store(profile, accel, reason):
    data = _load()
    data[profile] = {"accel": accel, "reason": reason, "host": _host_key(),
                     "time": time.strftime("%Y-%m-%dT%H:%M:%S")}
    os.makedirs(os.path.dirname(CACHE), exist_ok=True)
    tmp = CACHE + ".%d" % os.getpid()
    with open(tmp, "w") as f:
        json.dump(data, f, indent=1)
    os.replace(tmp, CACHE)


def choose(requested, profile, probe):
    """Return (accel, reason).  PROBE(profile, seconds) boots PROFILE under
    KVM and returns None when it reached readiness, else why not."""
    if requested == "tcg":
        return "tcg", "asked for TCG"
    why = kvm_unusable()
    if requested == "kvm":
        if why:
            raise HarnessError(why)
        return "kvm", "asked for KVM"
    if requested != "auto":
        raise HarnessError("unknown accelerator %r" % requested)
    if why:
        return "tcg", why
    hit = _load().get(profile.name)
    if hit and hit.get("host") == _host_key():
        return hit["accel"], hit["reason"] + " (cached in %s)" % CACHE
    seconds = probe_seconds(profile)
    failure = probe(profile, seconds)
    if failure is None:
        accel, reason = "kvm", "KVM booted %s to its shell" % profile.name
    else:
        accel = "tcg"
        reason = "KVM probe failed: %s" % failure
    _store(profile.name, accel, reason)
    return accel, reason
