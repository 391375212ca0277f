#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""Build the Linux reference guest: a distribution kernel and an initramfs.

The kernel and its virtio modules come from the distribution's own package
(Debian linux-image-amd64, Ubuntu linux-image-generic), fetched with
`apt-get download` and unpacked with `dpkg -x`: nothing on the host's /boot
or /lib/modules is read or touched.  busybox-static gives the user land,
plus blkbench (blkbench.c) and udpbench (udpbench.c), the load generators
of `make bench`, built here as static programs (busybox has no queue-depth
or random I/O, nor a UDP packet counter).

Output in OUT (default build/linux): vmlinuz, initramfs.img, stamp.  The
stamp records the package versions and a hash of this recipe; when both are
unchanged nothing is rebuilt.
"""

import argparse
import fcntl
import gzip
import hashlib
import json
import lzma
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "harness"))
sys.path.insert(0, HERE)

import profiles  # noqa: E402
from vmlib import pattern  # noqa: E402
import cpio_newc  # noqa: E402

# Drivers the checks exercise; their dependencies (virtio, virtio_ring,
# virtio_pci_{legacy,modern}_dev, failover, net_failover) follow from
# modules.dep, so another kernel's packaging does not break the list.
WANTED_MODULES = ["virtio_pci", "virtio_blk", "virtio_net", "virtio_balloon"]
# Meta packages that name "the current kernel", Debian first, then Ubuntu.
KERNEL_META = ["linux-image-amd64", "linux-image-generic",
               "linux-image-virtual"]
RECIPE_FILES = ["build.py", "cpio_newc.py", "init", "blkbench.c",
                "udpbench.c", "now_us.h"]
PATTERN_PATH = "etc/blkpattern.bin"


class BuildError(Exception):
    pass


def guest_facts():
    """The linux profile's facts (harness/profiles/linux.py), and the
    ones /init needs as sh assignments (/etc/guest-facts): the marker
    and the prompt are written once, in the profile."""
    facts = profiles.get("linux").facts()
    sh = "READY_MARKER='%s'\nPROMPT='%s'\n" % (facts["ready_marker"],
                                              facts["prompt"])
    if sh.count("'") != 4:
        raise BuildError("a quote in the linux profile's facts: %r" % sh)
    return facts, sh


def say(msg):
    print("linux-image: " + msg, file=sys.stderr, flush=True)


def run(argv, **kw):
    # apt-cache's field names are translated in other locales.
    env = dict(os.environ, LC_ALL="C")
    try:
        return subprocess.run(argv, check=True, text=True, env=env,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, **kw).stdout
    except FileNotFoundError:
        raise BuildError("%s not found: run make deps" % argv[0])
    except subprocess.CalledProcessError as e:
        raise BuildError("%s failed: %s" % (" ".join(argv),
                                            e.stderr.strip()[-400:]))


def apt_known(pkg):
    try:
        out = run(["apt-cache", "policy", pkg])
    except BuildError:
        return None
    m = re.search(r"Candidate:\s*(\S+)", out)
    if not m or m.group(1) == "(none)":
        return None
    return m.group(1)


def resolve_kernel():
    """Return [(package, version)] of the kernel image and its modules."""
    for meta in KERNEL_META:
        if apt_known(meta) is None:
            continue
        deps = run(["apt-cache", "depends", meta])
        for m in re.finditer(r"Depends:\s*(linux-image-(?:unsigned-)?"
                             r"(\d\S*))", deps):
            image, release = m.group(1), m.group(2)
            pkgs = [(image, apt_known(image))]
            # Ubuntu ships the modules apart from the image.
            mods = "linux-modules-" + release
            if apt_known(mods):
                pkgs.append((mods, apt_known(mods)))
            if pkgs[0][1] is None:
                continue
            return pkgs
    raise BuildError("no kernel package found (tried %s); run "
                     "apt-get update" % ", ".join(KERNEL_META))


def busybox_path():
    for p in ("/bin/busybox", "/usr/bin/busybox"):
        if os.path.exists(p):
            return p
    raise BuildError("busybox not found: install busybox-static")


def recipe_hash():
    h = hashlib.sha256()
    for name in RECIPE_FILES:
        with open(os.path.join(HERE, name), "rb") as f:
            h.update(f.read())
    h.update(repr((pattern.DEFAULT_SEED, pattern.DEFAULT_LBA,
                   pattern.DEFAULT_COUNT)).encode())
    return h.hexdigest()


def fetch(pkgs, debdir):
    os.makedirs(debdir, exist_ok=True)
    debs = []
    for name, version in pkgs:
        want = "%s_%s_" % (name, version.replace(":", "%3a"))
        have = [d for d in os.listdir(debdir) if d.startswith(want)]
        if not have:
            say("downloading %s %s" % (name, version))
            argv = ["apt-get", "download", "-q", "%s=%s" % (name, version)]
            if os.geteuid() == 0:
                # The _apt user cannot write into build/; we can.
                argv[1:1] = ["-o", "APT::Sandbox::User=root"]
            run(argv, cwd=debdir)
            have = [d for d in os.listdir(debdir) if d.startswith(want)]
            if not have:
                raise BuildError("apt-get download left no %s*.deb" % want)
        debs.append(os.path.join(debdir, have[0]))
    return debs


def find_kernel(root):
    boot = os.path.join(root, "boot")
    images = sorted(f for f in os.listdir(boot) if f.startswith("vmlinuz-"))
    if not images:
        raise BuildError("no vmlinuz-* in the kernel package")
    release = images[-1][len("vmlinuz-"):]
    for base in ("lib/modules", "usr/lib/modules"):
        moddir = os.path.join(root, base, release)
        if os.path.isdir(moddir):
            return os.path.join(boot, images[-1]), moddir
    raise BuildError("no modules for %s in the packages" % release)


def modname(path):
    base = os.path.basename(path)
    return base.split(".ko")[0].replace("-", "_")


def read_module(path):
    """Modules may be compressed; busybox insmod wants them plain."""
    if path.endswith(".xz"):
        with lzma.open(path) as f:
            return f.read()
    if path.endswith(".gz"):
        with gzip.open(path) as f:
            return f.read()
    if path.endswith(".zst"):
        return subprocess.run(["zstd", "-dc", path], check=True,
                              stdout=subprocess.PIPE).stdout
    with open(path, "rb") as f:
        return f.read()


def module_depends(data):
    """The "depends=" field of a module's .modinfo section.  Packages ship
    no modules.dep (depmod writes it at install time), so read it here."""
    m = re.search(rb"(?:^|\0)depends=([^\0]*)\0", data)
    if not m or not m.group(1):
        return []
    return [modname(d) for d in m.group(1).decode().split(",")]


def module_order(moddir):
    """Return [(name, bytes)] of the wanted modules and their dependencies,
    each after everything it needs."""
    files = {}
    for dirpath, _, names in os.walk(os.path.join(moddir, "kernel")):
        for n in names:
            if ".ko" in n:
                files[modname(n)] = os.path.join(dirpath, n)
    builtin = set()
    path = os.path.join(moddir, "modules.builtin")
    if os.path.exists(path):
        with open(path) as f:
            builtin = {modname(line.strip()) for line in f}
    order = []

    def visit(name):
        if name in builtin or any(n == name for n, _ in order):
            return
        if name not in files:
            raise BuildError("module %s is neither built in nor a module"
                             % name)
        data = read_module(files[name])
        for d in module_depends(data):
            visit(d)
        order.append((name, data))

    for name in WANTED_MODULES:
        visit(name)
    return order


def build_static(out, name):
    """The static program NAME (NAME.c here) for /bin (host gcc and
    libc6-dev): make bench's load generators."""
    exe = os.path.join(out, name)
    run(["gcc", "-static", "-O2", "-Wall", "-Wextra", "-Werror",
         "-o", exe, os.path.join(HERE, name + ".c")])
    with open(exe, "rb") as f:
        return f.read()


def make_initramfs(modules, busybox, tools):
    facts, facts_sh = guest_facts()
    a = cpio_newc.Archive()
    for d in ("bin", "sbin", "dev", "etc", "lib", "lib/modules", "proc",
              "sys", "tmp", "root"):
        a.directory(d)
    # The kernel opens /dev/console before /init runs, so it must exist in
    # the archive itself; devtmpfs replaces /dev later.
    a.chardev("dev/console", 5, 1)
    a.chardev("dev/null", 1, 3, 0o666)
    with open(busybox, "rb") as f:
        a.file("bin/busybox", f.read(), 0o755)
    applets = subprocess.run([busybox, "--list"], check=True, text=True,
                             stdout=subprocess.PIPE).stdout.split()
    for app in applets:
        if app != "busybox":
            a.symlink("bin/" + app, "busybox")
    for name, data in tools.items():
        a.file("bin/" + name, data, 0o755)
    a.symlink("sbin/init", "../init")
    with open(os.path.join(HERE, "init"), "rb") as f:
        a.file("init", f.read(), 0o755)
    for name, data in modules:
        a.file("lib/modules/%s.ko" % name, data)
    a.file("etc/modules.load",
           ("\n".join(n for n, _ in modules) + "\n").encode())
    a.file("etc/guest-facts", facts_sh.encode())
    # The guest cannot do 64-bit pattern arithmetic in busybox fast enough
    # under TCG, so it carries the bytes for the profile's parameters.
    params = (facts["seed"], facts["lba"], facts["count"])
    a.file(PATTERN_PATH, pattern.pattern(*params))
    a.file("etc/blkpattern.params", ("%d %d %d\n" % params).encode())
    return gzip.compress(a.bytes(), compresslevel=6, mtime=0)


def write_atomic(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def build(out, force=False):
    os.makedirs(out, exist_ok=True)
    busybox = busybox_path()
    pkgs = resolve_kernel()
    bbver = apt_known("busybox-static") or "unknown"
    stamp = json.dumps({"packages": pkgs, "busybox": bbver,
                        "recipe": recipe_hash(),
                        "facts": guest_facts()[0]}, indent=1) + "\n"
    stamp_path = os.path.join(out, "stamp")
    if (not force and os.path.exists(stamp_path)
            and open(stamp_path).read() == stamp
            and all(os.path.exists(os.path.join(out, f))
                    for f in ("vmlinuz", "initramfs.img"))):
        say("up to date (%s)" % ", ".join("%s %s" % p for p in pkgs))
        return
    debs = fetch(pkgs, os.path.join(out, "debs"))
    root = os.path.join(out, "root")
    shutil.rmtree(root, ignore_errors=True)
    for deb in debs:
        say("unpacking " + os.path.basename(deb))
        run(["dpkg", "-x", deb, root])
    kernel, moddir = find_kernel(root)
    modules = module_order(moddir)
    say("modules: " + " ".join(n for n, _ in modules))
    write_atomic(os.path.join(out, "initramfs.img"),
                 make_initramfs(modules, busybox,
                                {n: build_static(out, n)
                                 for n in ("blkbench", "udpbench")}))
    with open(kernel, "rb") as f:
        write_atomic(os.path.join(out, "vmlinuz"), f.read())
    shutil.rmtree(root, ignore_errors=True)
    # Old kernel packages are dead weight once a newer one is built.
    keep = {os.path.basename(d) for d in debs}
    for d in os.listdir(os.path.join(out, "debs")):
        if d not in keep:
            os.unlink(os.path.join(out, "debs", d))
    write_atomic(stamp_path, stamp.encode())
    say("built %s (%s)" % (out, os.path.basename(kernel)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(TOP, "build", "linux"))
    ap.add_argument("--force", action="store_true",
                    help="rebuild even when the stamp matches")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    try:
        # Two harness runs starting together must not build at once.
        with open(os.path.join(args.out, ".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            build(args.out, args.force)
    except BuildError as e:
        say("error: %s" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
