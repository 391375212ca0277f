# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""DragonFly release media: where it lives, how it is checked, unpacked.

What was verified and what was not (no network where this was written):

- Names: the mirror's iso-images/ directory serves
  dfly-x86_64-VERSION_REL.iso and .iso.bz2 (and .img/.img.bz2): seen in
  several public scripts and READMEs that download 6.4.0 and 6.4.2.
- Checksums: iso-images/md5.txt, one BSD md5(1) line per file,
  "MD5 (dfly-x86_64-6.4.0_REL.img) = b3b23e1a...", quoted in a public
  README; Packer templates point iso_checksum at that same md5.txt for
  the uncompressed .iso.  Whether md5.txt also lists the .bz2 names was
  not verified, so both names are looked up and at least one must match.
  A file called CHECKSUM (SHA256 lines) was NOT found in any source;
  DFLY_CHECKSUM may point at any file in BSD or GNU format.
- mirror-master's TLS certificate has been reported expired at times;
  DFLY_MIRROR switches to another mirror of iso-images/.
"""

import bz2
import hashlib
import os
import re
import shutil
import sys
import time
import urllib.parse
import urllib.request

DEFAULT_VERSION = "6.4.2"
DEFAULT_MIRROR = "https://mirror-master.dragonflybsd.org/iso-images"
CHECKSUM_NAME = "md5.txt"

_VERSION_RE = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+$")
# BSD style: "MD5 (name) = hex", "SHA256 (name) = hex".
_BSD_LINE = re.compile(
    r"^(MD5|SHA1|SHA256|SHA512)\s*\((.+)\)\s*=\s*([0-9a-fA-F]+)\s*$")
# GNU style: "hex  name" or "hex *name".
_GNU_LINE = re.compile(r"^([0-9a-fA-F]{32,128})\s+\*?(.+?)\s*$")
_HEX_LEN = {32: "md5", 40: "sha1", 64: "sha256", 128: "sha512"}


class MediaError(Exception):
    """Bad input or media: the message says what and what to do."""


def check_version(version):
    """Return VERSION if it looks like a DragonFly release (6.4.2)."""
    if not _VERSION_RE.match(version or ""):
        raise MediaError("DFLY_VERSION=%r is not a release number like 6.4.2"
                         % (version,))
    return version


def iso_name(version):
    """The release ISO's file name for VERSION (uncompressed)."""
    return "dfly-x86_64-%s_REL.iso" % check_version(version)


def default_iso_url(version, mirror=DEFAULT_MIRROR):
    """The mirror URL of the compressed ISO for VERSION."""
    return "%s/%s.bz2" % (mirror.rstrip("/"), iso_name(version))


def is_url(text):
    return urllib.parse.urlsplit(text).scheme in ("http", "https", "ftp")


def checksum_location(iso_source):
    """Where the published checksums for ISO_SOURCE should be: the
    md5.txt beside it, on the mirror or in the same local directory."""
    if is_url(iso_source):
        return urllib.parse.urljoin(iso_source, CHECKSUM_NAME)
    return os.path.join(os.path.dirname(os.path.abspath(iso_source)),
                        CHECKSUM_NAME)


def parse_checksums(text):
    """Map file name -> (algorithm, lowercase hex) from a checksum file in
    BSD (md5(1), sha256(1)) or GNU (md5sum) format.  Other lines are
    ignored; a name listed twice keeps the last entry."""
    sums = {}
    for line in text.splitlines():
        line = line.strip()
        m = _BSD_LINE.match(line)
        if m:
            sums[os.path.basename(m.group(2))] = (m.group(1).lower(),
                                                  m.group(3).lower())
            continue
        m = _GNU_LINE.match(line)
        if m and len(m.group(1)) in _HEX_LEN:
            sums[os.path.basename(m.group(2))] = (_HEX_LEN[len(m.group(1))],
                                                  m.group(1).lower())
    return sums


def file_digest(path, algorithm):
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify_file(path, algorithm, expected):
    """Raise MediaError unless PATH's ALGORITHM digest is EXPECTED."""
    got = file_digest(path, algorithm)
    if got != expected.lower():
        raise MediaError(
            "checksum mismatch for %s: %s is %s, published %s.\n"
            "The file is damaged or not the release it claims to be; "
            "delete it and run make dragonfly-image again."
            % (os.path.basename(path), algorithm, got, expected.lower()))


def expected_sha256(text):
    """Validate a user-given DFLY_ISO_SHA256."""
    text = (text or "").strip().lower()
    if not re.match(r"^[0-9a-f]{64}$", text):
        raise MediaError("DFLY_ISO_SHA256 must be 64 hex digits, got %r"
                         % (text,))
    return text


def fetch(source, dest, log=print):
    """Copy a URL or a local file to DEST (via DEST.part, so an
    interrupted download never looks complete)."""
    part = dest + ".part"
    if not is_url(source):
        if not os.path.isfile(source):
            raise MediaError("DFLY_ISO=%s: no such file" % source)
        shutil.copyfile(source, part)
        os.replace(part, dest)
        return
    log("downloading %s" % source)
    try:
        with urllib.request.urlopen(source, timeout=60) as resp, \
                open(part, "wb") as out:
            total = int(resp.headers.get("Content-Length") or 0)
            done, shown, t0 = 0, -1, time.monotonic()
            for block in iter(lambda: resp.read(1 << 20), b""):
                out.write(block)
                done += len(block)
                step = done * 10 // total if total else done >> 27
                if step != shown:
                    shown = step
                    log("  %d MiB%s, %.0fs" % (
                        done >> 20,
                        " of %d MiB" % (total >> 20) if total else "",
                        time.monotonic() - t0))
    except (OSError, ValueError) as e:
        raise MediaError("cannot download %s: %s\n"
                         "Without network, download the ISO elsewhere and "
                         "pass DFLY_ISO=/path/to/%s"
                         % (source, e, os.path.basename(source))) from e
    os.replace(part, dest)


def read_text(source):
    """The text of a local file or URL, or None when it cannot be had."""
    try:
        if is_url(source):
            with urllib.request.urlopen(source, timeout=60) as resp:
                return resp.read().decode("utf-8", "replace")
        with open(source, encoding="utf-8", errors="replace") as f:
            return f.read()
    except (OSError, ValueError):
        return None


def decompress(src, dest):
    """bunzip2 SRC to DEST (via DEST.part); a plain file is copied."""
    part = dest + ".part"
    opener = bz2.open if src.endswith(".bz2") else open
    try:
        with opener(src, "rb") as fin, open(part, "wb") as fout:
            shutil.copyfileobj(fin, fout, 1 << 20)
    except (OSError, EOFError) as e:
        raise MediaError("cannot decompress %s: %s" % (src, e)) from e
    os.replace(part, dest)


if __name__ == "__main__":
    print(default_iso_url(sys.argv[1] if len(sys.argv) > 1
                          else DEFAULT_VERSION))
