#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
#
# Lint the DragonFly modules' man pages: mandoc -Tlint at its strictest
# (-Wstyle), and every cross reference among our own pages resolves.
#
# Usage: drivers/dragonfly/man-lint.sh
#
# Two kinds of mandoc message depend on the host, not on the pages: a
# reference to one of DragonFly's own pages (loader.conf(5), virtio(4),
# ...), which a Linux host does not have, and the state of its
# mandoc.db.  Those are dropped; any other message fails.  Dropping them
# also hides dangling references among our pages, hence the second check.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
pages=("$here"/*/*.4)
[ -f "${pages[0]}" ] || { echo "man-lint: no man pages in $here" >&2; exit 1; }
command -v mandoc >/dev/null || {
	echo "man-lint: mandoc is not installed (apt-get install mandoc)" >&2
	exit 1
}

out=$(mandoc -Tlint -Wstyle "${pages[@]}" 2>&1 |
    grep -v -e 'referenced manual not found' -e 'mandoc\.db' || true)
if [ -n "$out" ]; then
	echo "$out" >&2
	echo "man-lint: mandoc -Tlint reported the lines above" >&2
	exit 1
fi

for ref in $(sed -n 's/^\.Xr \(vio[a-z_]*\) 4.*/\1/p' "${pages[@]}" |
    sort -u); do
	ls "$here"/*/"$ref.4" >/dev/null 2>&1 || {
		echo "man-lint: $ref(4) is referenced but not in $here" >&2
		exit 1
	}
done
echo "man-lint: ${#pages[@]} pages clean under mandoc -Tlint -Wstyle," \
    "references among them resolve"
