# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""The coverage build's two halves against gcc's own libgcov: our
module runtime (drivers/dragonfly/vio_gcov/vio_gcov.c, run on the host
over a shim of the kernel) dumps counters that libgcov also writes as a
.gcda; gcda.py must make the very same bytes of the dump, keep whole
dumps only, and add up module instances the way gcov adds runs."""

import os
import re
import shutil
import subprocess
import sys

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
HOST = os.path.join(TOP, "tests", "dragonfly", "gcov_host")
RUNTIME = os.path.join(TOP, "drivers", "dragonfly", "vio_gcov")
sys.path.insert(0, RUNTIME)

import gcda  # noqa: E402

KERNEL_HEADERS = ("sys/param.h", "sys/systm.h", "sys/kernel.h",
                  "sys/linker_set.h", "sys/sysctl.h", "machine/stdarg.h")


def gcc_major():
    try:
        out = subprocess.run(["gcc", "-dumpversion"], text=True,
                             stdout=subprocess.PIPE).stdout
    except OSError:
        return 0
    return int(out.split(".")[0] or 0)


pytestmark = pytest.mark.skipif(gcc_major() not in (12, 13),
                                reason="vio_gcov knows gcc 12 and 13 only")


def run(argv, cwd):
    r = subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    assert r.returncode == 0, "%s: %s" % (" ".join(argv), r.stdout)
    return r.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(folder, program): workload.c instrumented into folder/obj, the
    runtime linked uninstrumented with libgcov."""
    d = tmp_path_factory.mktemp("gcov")
    for h in KERNEL_HEADERS:
        os.makedirs(d / "inc" / os.path.dirname(h), exist_ok=True)
        (d / "inc" / h).write_text("")
    os.makedirs(d / "obj")
    run(["gcc", "-O2", "-fprofile-arcs", "-ftest-coverage",
         "-fprofile-info-section=set_vio_gcov", "-c",
         os.path.join(HOST, "workload.c"), "-o", str(d / "obj" /
                                                        "workload.o")], d)
    run(["gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-I", str(d / "inc"),
         "-I", RUNTIME, "-include", os.path.join(HOST, "kernel_shim.h"),
         "-o", str(d / "harness"), os.path.join(HOST, "harness.c"),
         str(d / "obj" / "workload.o"), "-lgcov"], d)
    return d, str(d / "harness")


def run_harness(built, n):
    """The dump text and libgcov's .gcda bytes of one run of N rounds."""
    d, prog = built
    target = d / "obj" / "workload.gcda"
    if target.exists():
        target.unlink()
    text = run([prog, str(n)], d)
    ref = target.read_bytes()
    target.unlink()
    return text, ref


def test_gcda_matches_libgcov(built):
    text, ref = run_harness(built, 5)
    found, torn = gcda.dumps(text)
    assert torn == 0
    assert [(m, w) for m, w, _ in found] == [("obj", "sysctl"),
                                             ("obj", "unload")]
    objs = found[1][2]
    assert len(objs) == 1
    assert gcda.gcda_bytes(objs[0]) == ref


def test_gcov_reads_what_gcda_py_writes(built, tmp_path):
    d, _ = built
    text, _ = run_harness(built, 4)
    log = tmp_path / "boot.serial.log"
    log.write_text(text)
    out = run([sys.executable, os.path.join(RUNTIME, "gcda.py"),
               "--root", str(d), str(log)], d)
    assert "1 .gcda files from 1 module instances" in out, out
    gcov = shutil.which("gcov") or "gcov"
    out = run([gcov, "-o", str(d / "obj"), "-t",
               os.path.join(HOST, "workload.c")], d)
    # workload ran 4 times; never_called never.
    assert re.search(r"#####: +\d+:\treturn \(x \+ 1\);", out), out
    assert re.search(r" 4: +\d+:workload\(int x\)", out), out


def test_torn_dump_is_left_out_and_instances_add(built):
    text, _ = run_harness(built, 3)
    lines = text.splitlines()
    # A guest that died halfway through its second dump.
    torn = "\n".join(lines[:len(lines) - 5]) + "\n"
    found, n_torn = gcda.dumps(torn)
    assert n_torn == 1 and [w for _, w, _ in found] == ["sysctl"]
    # One line's checksum wrong: that dump is out.
    bad = text.replace("gcov-val ", "gcov-val 0 ", 1)
    assert gcda.dumps(bad)[1] == 1
    # Two boots (two logs) add up: every counter doubles.
    insts, _ = gcda.instances(text)
    assert len(insts) == 1
    one = insts[0][0]
    two = gcda.instances(text)[0][0][0]
    two.add(one)
    for ix, f in one.functions.items():
        if f:
            assert two.functions[ix][3][0] == [2 * v for v in f[3][0]]
    assert two.runs == 2


def test_doubled_console_bytes_are_repaired(built):
    """The guest's console sometimes sends a byte twice: such lines are
    mended by their checksums; a dropped byte still tears the dump."""
    text, ref = run_harness(built, 5)
    lines = text.splitlines()
    ix = [i for i, ln in enumerate(lines) if ln.startswith("gcov-val")]
    for i in ix[:3]:
        ln = lines[i]
        lines[i] = ln[:3] + ln[2] + ln[3:-2] + ln[-2] + ln[-2:]
    found, torn = gcda.dumps("\n".join(lines))
    assert torn == 0
    assert gcda.gcda_bytes(found[1][2][0]) == ref
    lines[ix[0]] = lines[ix[0]].replace("-val ", "-vl ", 1)
    assert gcda.dumps("\n".join(lines))[1] == 1
