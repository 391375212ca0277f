# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""harness/vm: the command-line face of the harness."""

import argparse
import os
import sys

import profiles
from profiles.base import DEVICES, MACHINES, MMIO_TRANSPORTS, TRANSPORTS, \
    Config

from . import HarnessError, accel as accelmod, matrix
from .machine import Machine, install_signal_handlers
from .tools import require

DEFAULT_MONITOR_PORT = 4444


def _parser():
    ap = argparse.ArgumentParser(
        prog="harness/vm",
        description="Boot a dfly-virtio test guest under QEMU with "
        "virtio-blk, virtio-net and virtio-balloon devices.")
    sub = ap.add_subparsers(dest="cmd", metavar="COMMAND")
    sub.required = True
    run = sub.add_parser("run", help="boot a guest")
    run.add_argument("--guest",
                     help="guest profile (%s; default: the first that "
                     "can boot here)" % ", ".join(profiles.names()))
    run.add_argument("--transport", choices=TRANSPORTS,
                     default="transitional")
    run.add_argument("--machine", choices=MACHINES,
                     help="default: pc, or microvm for the mmio-* "
                     "transports")
    run.add_argument("--smp", type=int, metavar="N",
                     help="guest CPUs (default: the profile's)")
    run.add_argument("--accel", choices=("auto", "kvm", "tcg"),
                     default="auto")
    run.add_argument("--disk", metavar="FILE",
                     help="base image behind the virtio-blk overlay "
                     "(never written)")
    run.add_argument("--serial", default="stdio", metavar="stdio|unix:PATH",
                     help="serial console (default: this terminal)")
    run.add_argument("--monitor-port", type=int, metavar="N",
                     default=DEFAULT_MONITOR_PORT,
                     help="HMP monitor on telnet 127.0.0.1:N (default "
                     "%d; another free port if taken)" % DEFAULT_MONITOR_PORT)
    run.add_argument("--qmp", metavar="PATH",
                     help="QMP socket path (default: in the run directory)")
    run.add_argument("--prop", action="append", default=[],
                     metavar="NAME=VALUE",
                     help="extra virtio device property, e.g. event_idx=off "
                     "(every device) or blk.num-queues=4 (one of %s)"
                     % ", ".join(DEVICES))
    run.add_argument("--option", action="append", default=[],
                     metavar="NAME=VALUE",
                     help="guest-side setting the profile knows, e.g. "
                     "drivers=dragonfly or hw.vio.pci.disable_msix=1 for "
                     "the dragonfly guest")
    sub.add_parser("list", help="list guest profiles and whether they can "
                   "boot here")
    ac = sub.add_parser("accel", help="say which accelerator `auto` picks "
                        "for each guest that can boot here (probing KVM "
                        "if not cached)")
    ac.add_argument("--guest", help="only this guest")
    mx = sub.add_parser("matrix", help="print the check matrix "
                        "(harness/matrix.cfg), a row per guest boot, and "
                        "whether each guest can boot here")
    mx.add_argument("--guest", help="only this guest's rows")
    fa = sub.add_parser("facts", help="print a guest's facts (prompt, "
                        "markers, pattern, ...) as a Tcl list of name "
                        "value pairs, for `array set`")
    fa.add_argument("--guest", required=True)
    fa.add_argument("--get", metavar="NAME", help="print only this fact")
    fa.add_argument("--c-header", action="store_true",
                    help="print the facts the guest's own C code needs "
                    "(prompt, ready marker) as a header of #defines")
    return ap


def _props(items, ap, flag="--prop"):
    props = {}
    for item in items:
        name, eq, value = item.partition("=")
        if not eq or not name:
            ap.error("%s wants NAME=VALUE, got %r" % (flag, item))
        props[name] = value
    return props


def _check_serial(spec, ap):
    if spec != "stdio" and not (spec.startswith("unix:") and len(spec) > 5):
        ap.error("--serial wants stdio or unix:PATH, got %r" % spec)


def _monitor_help(m):
    port = m.monitor_port
    return "\n".join([
        "vm: guest %s, %s transport on %s, accel %s (%s)"
        % (m.profile.name, m.config.transport, m.config.machine, m.accel,
           m.accel_reason),
        "vm: QEMU monitor:  telnet 127.0.0.1 %d" % port,
        "vm:   move the balloon:  balloon 128   then   info balloon",
        "vm:   give it back:      balloon %d" % m.profile.memory_mb,
        "vm: QMP socket %s" % m.qmp_path,
        "vm: serial log %s" % m.serial_log,
    ])


def _first_available():
    for name in profiles.names():
        if profiles.get(name).unavailable() is None:
            return name
    raise HarnessError("no guest profile can boot here (harness/vm list)")


def cmd_run(args, ap):
    _check_serial(args.serial, ap)
    if not 0 <= args.monitor_port <= 65535:
        ap.error("--monitor-port must be 0..65535")
    require("qemu-system-x86_64")
    require("qemu-img")
    prof = profiles.get(args.guest or _first_available())
    why = prof.unavailable()
    if why:
        raise HarnessError("guest %s cannot boot here: %s" % (prof.name, why))
    machine = args.machine or ("microvm" if args.transport in
                               MMIO_TRANSPORTS else "pc")
    try:
        config = Config(args.transport, machine, _props(args.prop, ap),
                        _props(args.option, ap, "--option"), args.smp)
    except ValueError as e:
        ap.error(str(e))
    why = prof.config_unsupported(config)
    if why:
        raise HarnessError("guest %s cannot run %s: %s"
                           % (prof.name, config.id, why))
    m = Machine(prof, config, accel=args.accel, serial=args.serial,
                monitor_port=args.monitor_port, disk_base=args.disk,
                qmp=args.qmp)
    try:
        m.start()
        print(_monitor_help(m), file=sys.stderr)
        if args.serial == "stdio":
            print("vm: serial console follows; Ctrl-A x quits QEMU, "
                  "Ctrl-A c toggles a monitor here\n", file=sys.stderr,
                  flush=True)
        else:
            print("vm: serial console: socat -,raw,echo=0 UNIX-CONNECT:%s"
                  % m.serial_path, file=sys.stderr, flush=True)
        rc = prof.exit_status(m.wait())
        print("vm: guest exited with status %d" % rc, file=sys.stderr)
        return rc
    finally:
        m.cleanup()


def cmd_list(args, ap):
    for name in profiles.names():
        why = profiles.get(name).unavailable()
        print("%-10s %s" % (name, "available" if why is None
                            else "unavailable: " + why))
    return 0


def cmd_accel(args, ap):
    from .machine import kvm_probe
    # make e2e's DFLY_VIRTIO_GUESTS limits the guests here too.
    only = os.environ.get("DFLY_VIRTIO_GUESTS")
    names = profiles.names()
    if args.guest:
        names = [args.guest]
    elif only:
        names = [n for n in names if n in only.split(",")]
    for name in names:
        prof = profiles.get(name)
        why = prof.unavailable()
        if why:
            print("%s: cannot boot here (%s)" % (name, why))
            continue
        prof.prepare()
        accel, reason = accelmod.choose("auto", prof, kvm_probe)
        print("%s: %s (%s)" % (name, accel, reason))
    return 0


def tcl_word(value):
    """VALUE as one Tcl list element (braced; our facts hold no braces
    or backslashes, and a fact that does is refused)."""
    text = str(value)
    if any(c in text for c in "{}\\\n"):
        raise HarnessError("fact %r cannot be braced for Tcl" % text)
    return "{%s}" % text


def c_string(text):
    """TEXT as a C string literal (our facts are printable ASCII)."""
    if any(not " " <= c <= "~" for c in text):
        raise HarnessError("fact %r is not printable ASCII" % text)
    return '"%s"' % text.replace("\\", "\\\\").replace('"', '\\"')


# The facts a guest's own code prints; the build takes them from here so
# the profile stays the one place they are written.
C_FACTS = ("prompt", "ready_marker")


def cmd_facts(args, ap):
    facts = profiles.get(args.guest).facts()
    if args.c_header:
        print("/* Generated from harness/profiles/%s.py: do not edit. */"
              % args.guest)
        for name in C_FACTS:
            print("#define GUEST_%s\t%s" % (name.upper(),
                                            c_string(facts[name])))
        return 0
    if args.get:
        if args.get not in facts:
            raise HarnessError("guest %s has no fact %r (it has: %s)"
                               % (args.guest, args.get,
                                  ", ".join(sorted(facts))))
        print(facts[args.get])
        return 0
    print(" ".join("%s %s" % (name, tcl_word(value))
                   for name, value in sorted(facts.items())))
    return 0


def cmd_matrix(args, ap):
    lines = [matrix.COLUMNS + ("here",)]
    for r in matrix.read():
        if args.guest in (None, r.guest):
            why = profiles.get(r.guest).unavailable()
            lines.append(r.cells() + ("skip: " + why if why else "runs",))
    # Each column as wide as its widest cell; the last one as it comes.
    widths = [max(len(ln[i]) for ln in lines)
              for i in range(len(matrix.COLUMNS))]
    for ln in lines:
        print(" ".join(c.ljust(w) for c, w in zip(ln, widths)) + " " +
              ln[-1])
    return 0


def main(argv=None):
    ap = _parser()
    args = ap.parse_args(argv)
    install_signal_handlers()
    try:
        return {"run": cmd_run, "list": cmd_list, "accel": cmd_accel,
                "facts": cmd_facts, "matrix": cmd_matrix}[args.cmd](args, ap)
    except HarnessError as e:
        print("vm: error: %s" % e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("vm: interrupted", file=sys.stderr)
        return 130
