# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""Phases that leave a stamp, so an interrupted build resumes.

A phase runs when its stamp is missing or was written for other inputs
(its key), and writes the stamp only after it succeeded.  Each phase says
one line when it starts and one when it ends, with the elapsed time.
"""

import json
import os
import time


class Phases:
    def __init__(self, stamp_dir, log=print):
        self.stamp_dir = stamp_dir
        self.log = log
        self.t0 = time.monotonic()
        os.makedirs(stamp_dir, exist_ok=True)

    def _stamp(self, name):
        return os.path.join(self.stamp_dir, name + ".stamp")

    def done(self, name, key):
        """True if NAME already ran for KEY."""
        try:
            with open(self._stamp(name), encoding="utf-8") as f:
                return json.load(f).get("key") == key
        except (OSError, ValueError):
            return False

    def run(self, name, key, func, outputs=()):
        """Run FUNC() for phase NAME unless its stamp matches KEY and every
        path in OUTPUTS still exists.  Returns True if FUNC ran.  FUNC
        returning False means "could not, try again next time": no stamp."""
        if self.done(name, key) and all(os.path.exists(p) for p in outputs):
            self.log("[dimg] %-10s cached (%s)" % (name, self._stamp(name)))
            return False
        try:
            os.unlink(self._stamp(name))
        except FileNotFoundError:
            pass
        start = time.monotonic()
        self.log("[dimg] %-10s start (+%.0fs)" % (name, start - self.t0))
        if func() is False:
            self.log("[dimg] %-10s not done, will be tried again next run"
                     % name)
            return True
        with open(self._stamp(name) + ".tmp", "w", encoding="utf-8") as f:
            json.dump({"key": key, "finished": time.time()}, f)
        os.replace(self._stamp(name) + ".tmp", self._stamp(name))
        self.log("[dimg] %-10s done in %.1fs" % (name,
                                                 time.monotonic() - start))
        return True
