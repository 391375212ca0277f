# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""Registry of guest profiles: every harness/profiles/NAME.py that defines
PROFILE (a Profile subclass) is a guest the harness can boot."""

import importlib
import os

from vmlib import HarnessError

_HERE = os.path.dirname(os.path.abspath(__file__))
_NOT_PROFILES = {"__init__", "base"}


def _load_all():
    found = {}
    for fn in sorted(os.listdir(_HERE)):
        stem, ext = os.path.splitext(fn)
        if ext != ".py" or stem in _NOT_PROFILES:
            continue
        mod = importlib.import_module("profiles." + stem)
        cls = getattr(mod, "PROFILE", None)
        if cls is not None:
            found[cls.name] = cls
    return found


_PROFILES = None


def _profiles():
    global _PROFILES
    if _PROFILES is None:
        _PROFILES = _load_all()
    return _PROFILES


def names():
    """Profile names, in `make test` order."""
    return sorted(_profiles(), key=lambda n: (_profiles()[n].order, n))


def get(name):
    """A new instance of profile NAME."""
    try:
        return _profiles()[name]()
    except KeyError:
        raise HarnessError("unknown guest %r (profiles here: %s)"
                           % (name, ", ".join(names())))
