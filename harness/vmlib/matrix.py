# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""The check matrix, harness/matrix.cfg: one row per guest boot."""

import os

import profiles
from profiles.base import Config

from . import HARNESS_DIR, HarnessError

PATH = os.path.join(HARNESS_DIR, "matrix.cfg")
COLUMNS = ("guest", "machine", "transport", "props", "options", "timeout")


class Row:
    def __init__(self, guest, config, timeout, where):
        self.guest = guest
        self.config = config
        # None: the profile's boot_timeout.
        self.timeout = timeout
        self.where = where

    @property
    def id(self):
        return "%s-%s" % (self.guest, self.config.id)

    def cells(self):
        props = ",".join("%s=%s" % kv for kv in self.config.props.items())
        options = ",".join("%s=%s" % kv
                           for kv in self.config.options.items())
        machine = self.config.machine
        if self.config.smp is not None:
            machine += ",smp=%d" % self.config.smp
        return (self.guest, machine, self.config.transport,
                props or "-", options or "-", "-" if self.timeout is None
                else "%g" % self.timeout)


def _props(text):
    if text == "-":
        return {}
    props = {}
    for item in text.split(","):
        name, eq, value = item.partition("=")
        if not (name and eq and value):
            raise ValueError("props wants NAME=VALUE,..., got %r" % text)
        props[name] = value
    return props


def _machine(text):
    """MACHINE or MACHINE,smp=N: (machine, CPU count or None)."""
    machine, comma, rest = text.partition(",")
    if not comma:
        return machine, None
    name, eq, value = rest.partition("=")
    if name != "smp" or not value.isdigit():
        raise ValueError("machine wants MACHINE or MACHINE,smp=N, got %r"
                         % text)
    return machine, int(value)


def _timeout(text):
    if text == "-":
        return None
    seconds = float(text)
    if not seconds > 0:
        raise ValueError("timeout must be > 0, got %r" % text)
    return seconds


def _row(fields, where):
    if len(fields) != len(COLUMNS):
        raise ValueError("want %d columns (%s), got %d"
                         % (len(COLUMNS), " ".join(COLUMNS), len(fields)))
    guest, machine, transport, props, options, timeout = fields
    if guest not in profiles.names():
        raise ValueError("no guest profile %r" % guest)
    machine, smp = _machine(machine)
    config = Config(transport, machine, _props(props), _props(options), smp)
    why = profiles.get(guest).config_unsupported(config)
    if why:
        raise ValueError("%s refuses %s: %s" % (guest, config.id, why))
    return Row(guest, config, _timeout(timeout), where)


def read(path=PATH):
    """Every row of the table, in its order; HarnessError names the line
    of the first bad row."""
    rows, seen = [], {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            fields = line.split("#", 1)[0].split()
            if not fields:
                continue
            where = "%s:%d" % (path, n)
            try:
                row = _row(fields, where)
            except ValueError as e:
                raise HarnessError("%s: %s" % (where, e))
            if row.id in seen:
                raise HarnessError("%s: same configuration as %s"
                                   % (where, seen[row.id]))
            seen[row.id] = where
            rows.append(row)
    return rows
