# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""The DragonFly image recipe's parts that need no DragonFly media.

Run by `make dragonfly-image-tests` (part of `make test`).  What needs the
media (the install itself, the first boot) runs only under
`make dragonfly-image` on a host that has it.
"""

import bz2
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile

import pytest

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
IMG = os.path.join(TOP, "images", "dragonfly")
sys.path.insert(0, IMG)

import dfly_media as media  # noqa: E402
import dfly_pfi as pfi  # noqa: E402
import dfly_qemu as vm  # noqa: E402
from vmlib import timeouts  # noqa: E402
from vmlib.machine import Machine  # noqa: E402
import dfly_sys  # noqa: E402
from dfly_phases import Phases  # noqa: E402

BUILD_IMAGE = os.path.join(IMG, "build-image")
FAKE_CONSOLE = os.path.join(os.path.dirname(__file__), "fake_dfly_console.py")
ISO = "dfly-x86_64-6.4.2_REL.iso"


# -- names and URLs ------------------------------------------------------

def test_default_url_is_the_mirror_bz2_for_the_version():
    assert media.default_iso_url("6.4.2") == (
        "https://mirror-master.dragonflybsd.org/iso-images/"
        "dfly-x86_64-6.4.2_REL.iso.bz2")
    assert media.default_iso_url("6.2.1", "http://m.example/iso-images/") \
        == "http://m.example/iso-images/dfly-x86_64-6.2.1_REL.iso.bz2"


@pytest.mark.parametrize("bad", ["", "6.4", "latest", "6.4.2; rm -rf /",
                                 "v6.4.2"])
def test_bad_version_is_refused(bad):
    with pytest.raises(media.MediaError, match="DFLY_VERSION"):
        media.iso_name(bad)


def test_checksum_file_sits_beside_the_iso():
    assert media.checksum_location(
        "https://m.example/iso-images/%s.bz2" % ISO) \
        == "https://m.example/iso-images/md5.txt"
    assert media.checksum_location("/srv/dfly/%s" % ISO) \
        == "/srv/dfly/md5.txt"


def test_release_tag_and_sparse_clone_of_sys_only():
    assert dfly_sys.release_tag("6.4.2") == "v6.4.2"
    cmds = dfly_sys.git_commands("U", "v6.4.2", "D")
    assert cmds[0][:2] == ["git", "clone"]
    assert "--depth" in cmds[0] and "--branch" in cmds[0]
    assert cmds[1][-2:] == ["/sys/", "/share/mk/"]


# -- checksums -----------------------------------------------------------

def test_parse_bsd_and_gnu_checksum_lines():
    text = ("MD5 (dfly-x86_64-6.4.0_REL.img) = "
            "b3b23e1a18292c46643f8df435e4ab68\n"
            "SHA256 (%s.bz2) = %s\n" % (ISO, "ab" * 32)
            + "%s  other.iso\n" % ("cd" * 16)
            + "garbage line\n\n")
    sums = media.parse_checksums(text)
    assert sums["dfly-x86_64-6.4.0_REL.img"] == (
        "md5", "b3b23e1a18292c46643f8df435e4ab68")
    assert sums[ISO + ".bz2"] == ("sha256", "ab" * 32)
    assert sums["other.iso"] == ("md5", "cd" * 16)
    assert len(sums) == 3


def test_verify_accepts_the_right_digest_and_rejects_a_wrong_one(tmp_path):
    f = tmp_path / ISO
    f.write_bytes(b"dragonfly" * 1000)
    good = hashlib.md5(f.read_bytes()).hexdigest()
    media.verify_file(str(f), "md5", good.upper())
    bad = ("0" if good[0] != "0" else "1") + good[1:]
    with pytest.raises(media.MediaError, match="checksum mismatch"):
        media.verify_file(str(f), "md5", bad)


def _load_build_image():
    """build-image is a command (no .py): load it as a module."""
    import importlib.machinery
    import importlib.util
    loader = importlib.machinery.SourceFileLoader("build_image", BUILD_IMAGE)
    spec = importlib.util.spec_from_loader("build_image", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


_plan = _load_build_image().verification_plan


def test_plan_checks_the_download_and_the_iso_when_both_are_listed():
    sums = {ISO + ".bz2": ("md5", "a" * 32), ISO: ("md5", "b" * 32)}
    assert _plan(sums, ISO + ".bz2", ISO) == [
        ("fetched", "md5", "a" * 32), ("iso", "md5", "b" * 32)]


def test_plan_refuses_an_unlisted_file_and_says_how_to_go_on():
    with pytest.raises(media.MediaError) as e:
        _plan({}, ISO, ISO)
    msg = str(e.value)
    assert "DFLY_ISO_SHA256" in msg and "DFLY_ISO_VERIFY=skip" in msg


def test_plan_takes_an_explicit_sha256_and_an_explicit_skip():
    assert _plan({}, ISO, ISO, sha256="AB" * 32) == [
        ("fetched", "sha256", "ab" * 32)]
    assert _plan({}, ISO, ISO, skip=True) == []
    with pytest.raises(media.MediaError, match="64 hex"):
        _plan({}, ISO, ISO, sha256="1234")


# -- phases --------------------------------------------------------------

def test_phases_resume_rerun_on_new_key_and_retry_when_not_done(tmp_path):
    ran = []
    p = Phases(str(tmp_path), log=lambda m: None)
    assert p.run("a", {"k": 1}, lambda: ran.append("a1"))
    assert not p.run("a", {"k": 1}, lambda: ran.append("a2"))
    assert p.run("a", {"k": 2}, lambda: ran.append("a3"))
    assert p.run("b", {}, lambda: False)
    assert not p.done("b", {})
    out = tmp_path / "out"
    p.run("c", {}, lambda: out.write_text("x"), [str(out)])
    out.unlink()
    assert p.run("c", {}, lambda: ran.append("c2"), [str(out)])
    assert ran == ["a1", "a3", "c2"]


# -- pfi CD --------------------------------------------------------------

def test_pfi_conf_names_our_script_and_starts_no_frontend():
    conf = pfi.pfi_conf()
    assert 'pfi_script="dfly-install.sh"' in conf
    assert 'pfi_frontend="none"' in conf
    assert 'pfi_autologin="NONE"' in conf


def test_install_conf_carries_parameters_and_refuses_shell_syntax():
    conf = pfi.install_conf("6.4.2", swap_size="2G", sys_ref="v6.4.2")
    assert 'DISK="da0"' in conf and 'SWAP_SIZE="2G"' in conf
    assert 'MARK="DFLY-INSTALL"' in conf and 'VERSION="6.4.2"' in conf
    with pytest.raises(ValueError):
        pfi.install_conf('6.4.2"; reboot; "')


def _iso_listing(path):
    res = subprocess.run(["xorriso", "-indev", path, "-lsl", "/"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True, check=True)
    return {line.split()[-1].strip("'"): line.split()[0]
            for line in res.stdout.splitlines() if line.strip()}


@pytest.mark.skipif(shutil.which("xorriso") is None,
                    reason="xorriso not installed (make deps installs it)")
def test_pfi_cd_holds_config_and_an_executable_script(tmp_path):
    tar = tmp_path / "src-sys.tar.gz"
    tar.write_bytes(b"not really a tarball")
    out = str(tmp_path / "pfi.iso")
    pfi.build_cd(out, pfi.pfi_files("6.4.2", str(tar), "v6.4.2"), pfi.VOLID)
    files = _iso_listing(out)
    for name in ("pfi.conf", "dfly-install.conf", "dfly-install.sh",
                 "loader.conf", "rc.conf", "rc.local", "root.profile",
                 "src-sys.tar.gz"):
        assert name in files, files
    # rc.d/pfi runs pfi_script only if it is executable (test -x).
    assert files["dfly-install.sh"].startswith("-r-x")
    assert files["pfi.conf"].startswith("-r--")
    res = subprocess.run(["xorriso", "-indev", out, "-pvd_info"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
    assert "DFLYPFI" in res.stdout


# -- guest files ---------------------------------------------------------

def _guest(name):
    with open(os.path.join(IMG, "guest", name), encoding="utf-8") as f:
        return f.read()


def test_install_script_is_posix_sh():
    sh = shutil.which("dash") or "/bin/sh"
    res = subprocess.run([sh, "-n", os.path.join(IMG, "guest",
                                                 "dfly-install.sh")],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
    assert res.returncode == 0, res.stdout


def test_loader_and_rc_conf():
    loader = _guest("loader.conf")
    assert 'console="comconsole"' in loader
    assert 'autoboot_delay="1"' in loader
    rc = _guest("rc.conf")
    assert 'sshd_enable="NO"' in rc


# -- QEMU command lines --------------------------------------------------

def _pairs(argv, flag):
    return [argv[i + 1] for i, a in enumerate(argv) if a == flag]


def _argv(profile, accel):
    """The command line vmlib.Machine gives PROFILE (no QEMU started)."""
    m = Machine(profile, accel=accel, serial="unix-wait")
    m.accel, m.monitor_port = accel, 4567
    m.make_run_dir()
    try:
        return m.argv()
    finally:
        m.run.cleanup(keep=())


def test_install_machine_has_ahci_disks_and_no_virtio_device():
    argv = _argv(vm.Install("/b/disk.qcow2", "/m/dfly.iso", "/b/pfi.iso"),
                 "tcg")
    assert not any("virtio" in d for d in _pairs(argv, "-device"))
    devices = _pairs(argv, "-device")
    assert "ahci,id=ahci" in devices
    assert "ide-hd,drive=root,bus=ahci.0,bootindex=1" in devices
    assert "ide-cd,drive=dflycd,bus=ahci.1,bootindex=0" in devices
    assert "ide-cd,drive=pficd,bus=ahci.2" in devices
    assert [c for c in _pairs(argv, "-chardev") if "id=hmp0" in c] == [
        "socket,id=hmp0,host=127.0.0.1,port=4567,telnet=on,server=on,"
        "wait=off"]
    # The serial socket holds the guest until the dialogue is there.
    ser = [c for c in _pairs(argv, "-chardev") if "id=ser0" in c]
    assert len(ser) == 1 and ",server=on,wait=on," in ser[0]
    assert "-nodefaults" in argv and _pairs(argv, "-smp") == ["2"]


def test_boot_machine_boots_its_disk():
    argv = _argv(vm.FirstBoot("/b/ov.qcow2"), "kvm")
    assert "ide-hd,drive=root,bus=ahci.0,bootindex=0" in _pairs(argv,
                                                                "-device")
    assert _pairs(argv, "-cpu") == ["host"]
    assert not any("virtio" in d for d in _pairs(argv, "-device"))


# -- the serial dialogue (install.exp) against a stand-in console ---------

def _install_exp(tmp_path, scenario):
    log = tmp_path / "serial.log"
    res = subprocess.run(
        ["expect", os.path.join(IMG, "install.exp"), str(log), "1",
         str(0.05 * timeouts.scale()),
         sys.executable, FAKE_CONSOLE, scenario],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=timeouts.seconds(120))
    return res.returncode, res.stdout, log.read_text(errors="replace")


needs_expect = pytest.mark.skipif(shutil.which("expect") is None,
                                  reason="expect not installed")


@needs_expect
def test_install_dialogue_reaches_the_script_and_power_off(tmp_path):
    rc, out, log = _install_exp(tmp_path, "ok")
    assert rc == 0, out
    assert "pfi found our pfi.conf on cd1" in out
    assert "guest: phase copy" in out
    assert "Looking for pfi.conf on /dev/cd1" in log


@needs_expect
@pytest.mark.parametrize("scenario,why", [
    ("guest-fail", "guest: fdisk -BI did not create /dev/da0s1"),
    ("no-pfi", "the pfi CD (cd1) has no readable pfi.conf"),
    ("panic", "kernel panic: vm_fault"),
    ("serial-deaf", "no loader OK prompt after ESC"),
])
def test_install_dialogue_fails_fast_with_the_reason(tmp_path, scenario,
                                                     why):
    rc, out, _ = _install_exp(tmp_path, scenario)
    assert rc == 1
    assert "install FAILED: " + why in out
    assert "serial log: " in out


# -- the whole recipe up to the point where media is needed ---------------

def _fake_release(tmp_path, listed=True, corrupt=False):
    src = tmp_path / "mirror"
    src.mkdir()
    iso = src / ISO
    iso.write_bytes(os.urandom(200000))
    (src / (ISO + ".bz2")).write_bytes(bz2.compress(iso.read_bytes()))
    digest = hashlib.md5(iso.read_bytes()).hexdigest()
    if corrupt:
        digest = "0" * 32
    if listed:
        (src / "md5.txt").write_text("MD5 (%s) = %s\n" % (ISO, digest))
    return src


def _build(tmp_path, *args, env=None):
    e = dict(os.environ, DFLY_FETCH_SYS="no")
    # The recipe's knobs, not the harness's (DFLY_VIRTIO_*).
    for k in [k for k in e if k.startswith("DFLY_") and k != "DFLY_FETCH_SYS"
              and not k.startswith("DFLY_VIRTIO_")]:
        del e[k]
    e.update(env or {})
    res = subprocess.run([sys.executable, BUILD_IMAGE, "--cache",
                          str(tmp_path / "cache"), "--until", "pficd"]
                         + list(args), stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, env=e,
                         timeout=timeouts.seconds(120))
    return res.returncode, res.stdout


@pytest.mark.skipif(shutil.which("xorriso") is None,
                    reason="xorriso not installed")
def test_recipe_verifies_unpacks_and_resumes(tmp_path):
    src = _fake_release(tmp_path)
    rc, out = _build(tmp_path, "--iso", str(src / (ISO + ".bz2")))
    assert rc == 0, out
    assert "%s md5 matches" % ISO in out
    assert (tmp_path / "cache" / "media" / ISO).read_bytes() \
        == (src / ISO).read_bytes()
    assert (tmp_path / "cache" / "pfi-6.4.2.iso").is_file()
    rc, out = _build(tmp_path, "--iso", str(src / (ISO + ".bz2")))
    assert rc == 0, out
    for phase in ("fetch", "verify", "decompress", "pficd"):
        assert "[dimg] %-10s cached" % phase in out


def test_recipe_refuses_a_checksum_mismatch(tmp_path):
    src = _fake_release(tmp_path, corrupt=True)
    rc, out = _build(tmp_path, "--iso", str(src / ISO))
    assert rc == 1
    assert "checksum mismatch for %s" % ISO in out
    assert not (tmp_path / "cache" / "stamps" / "verify.stamp").exists()


def test_recipe_wants_a_checksum_for_a_bare_local_iso(tmp_path):
    src = _fake_release(tmp_path, listed=False)
    rc, out = _build(tmp_path, "--iso", str(src / ISO))
    assert rc == 1
    assert "no published checksum" in out and "DFLY_ISO_SHA256" in out
    good = hashlib.sha256((src / ISO).read_bytes()).hexdigest()
    rc, out = _build(tmp_path, "--iso", str(src / ISO),
                     env={"DFLY_ISO_SHA256": good})
    assert rc == 0, out
    rc, out = _build(tmp_path, "--iso", str(src / ISO),
                     env={"DFLY_ISO_SHA256": "f" * 64})
    assert rc == 1 and "checksum mismatch" in out


def test_recipe_skip_says_it_is_unverified(tmp_path):
    src = _fake_release(tmp_path, listed=False)
    rc, out = _build(tmp_path, "--iso", str(src / ISO),
                     env={"DFLY_ISO_VERIFY": "skip"})
    assert rc == 0, out
    assert "is NOT verified" in out


def test_recipe_missing_iso_is_a_clear_error(tmp_path):
    rc, out = _build(tmp_path, "--iso", str(tmp_path / "nope.iso"))
    assert rc == 1
    assert "DFLY_ISO=%s: no such file" % (tmp_path / "nope.iso") in out


def test_recipe_bad_version_is_a_clear_error(tmp_path):
    rc, out = _build(tmp_path, "--version", "six")
    assert rc == 1 and "not a release number" in out


# -- the first boot (firstboot.exp) against a stand-in installed system ---

def _firstboot_exp(tmp_path, scenario):
    res = subprocess.run(
        ["expect", os.path.join(IMG, "firstboot.exp"),
         str(tmp_path / "serial.log"), str(0.05 * timeouts.scale()),
         pfi.media_facts()["ready_marker"], sys.executable, FAKE_CONSOLE, scenario],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=timeouts.seconds(120))
    return res.returncode, res.stdout


@needs_expect
def test_first_boot_logs_in_and_reports_the_image(tmp_path):
    rc, out = _firstboot_exp(tmp_path, "boot-ok")
    assert rc == 0, out
    assert "firstboot: guest: version=6.4.2" in out
    assert "firstboot: guest: /usr/src/sys/conf/kmod.mk" in out


@needs_expect
def test_first_boot_refuses_a_login_prompt(tmp_path):
    rc, out = _firstboot_exp(tmp_path, "boot-login")
    assert rc == 1
    assert "getty autologin on ttyd0 is not set up" in out


# -- install and first boot, with a stand-in QEMU --------------------------

FAKE_QEMU_DIR = os.path.join(os.path.dirname(__file__), "fake-qemu")


@pytest.mark.skipif(not all(shutil.which(t) for t in
                            ("xorriso", "expect", "qemu-img")),
                    reason="xorriso, expect and qemu-img needed")
@pytest.mark.parametrize("scenario", ["ok", "guest-fail"])
def test_recipe_installs_then_first_boots(tmp_path, scenario):
    src = _fake_release(tmp_path)
    env = {"PATH": FAKE_QEMU_DIR + os.pathsep + os.environ["PATH"],
           "DFLY_ACCEL": "tcg",
           "FAKE_DFLY_INSTALL": scenario}
    args = ["--iso", str(src / (ISO + ".bz2")), "--until", "firstboot"]
    rc, out = _build(tmp_path, *args, env=env)
    cache = tmp_path / "cache"
    base = cache / "dfly-6.4.2-base.qcow2"
    logs = cache / "logs"
    if scenario == "guest-fail":
        assert rc == 1
        assert "install FAILED: guest: fdisk -BI" in out
        assert "attach %s" % (logs / "install-") in out
        assert not base.exists()
        assert (logs / "install-latest.log").exists()
        return
    assert rc == 0, out
    assert base.is_file() and not (cache / "dfly-6.4.2-base.qcow2.part"
                                   ).exists()
    assert "firstboot: guest: version=6.4.2" in out
    assert "[dimg] image ready: %s" % base in out
    assert (logs / "firstboot-latest.log").exists()
    # Nothing is redone on a second run; the overlay is gone.
    rc, out = _build(tmp_path, *args, env=env)
    assert rc == 0, out
    assert "[dimg] install    cached" in out
    assert "[dimg] firstboot  cached" in out
    assert not (cache / "firstboot-overlay.qcow2").exists()


# -- sys/ of the release by git --------------------------------------------

def _git(*args, cwd=None):
    subprocess.run(["git"] + list(args), cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_sys_is_fetched_at_the_release_tag_and_packed(tmp_path):
    repo = tmp_path / "dragonfly.git"
    work = tmp_path / "work"
    (work / "sys" / "conf").mkdir(parents=True)
    (work / "sys" / "conf" / "kmod.mk").write_text("# 6.4.2\n")
    (work / "share" / "mk").mkdir(parents=True)
    (work / "share" / "mk" / "bsd.kmod.mk").write_text("# mk\n")
    (work / "bin").mkdir()
    (work / "bin" / "big").write_text("not sys\n")
    _git("init", "-q", str(work))
    _git("-c", "user.email=t@example", "-c", "user.name=t", "commit", "-q",
         "--allow-empty", "-m", "base", cwd=str(work))
    _git("add", "-A", cwd=str(work))
    _git("-c", "user.email=t@example", "-c", "user.name=t", "commit", "-q",
         "-m", "release", cwd=str(work))
    _git("tag", "v6.4.2", cwd=str(work))
    _git("clone", "-q", "--bare", str(work), str(repo))
    checkout = str(tmp_path / "src")
    tarball = str(tmp_path / "src-sys.tar.gz")
    why = dfly_sys.fetch_sys("file://" + str(repo), "6.4.2", checkout,
                             tarball, log=lambda m: None)
    assert why is None
    assert os.path.isfile(os.path.join(checkout, "sys", "conf", "kmod.mk"))
    assert os.path.isfile(os.path.join(checkout, "share", "mk",
                                       "bsd.kmod.mk"))
    assert not os.path.exists(os.path.join(checkout, "bin"))
    with tarfile.open(tarball) as t:
        names = t.getnames()
    assert "sys/conf/kmod.mk" in names
    assert not any(n.startswith(("bin", "share")) for n in names)
    # No such release: a reason, not an exception, and nothing left.
    why = dfly_sys.fetch_sys("file://" + str(repo), "6.4.9", checkout + "2",
                             tarball + "2", log=lambda m: None)
    assert why and "git clone" in why
    assert not os.path.exists(checkout + "2.part")
