#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
#
# Runs in the DragonFly guest from /etc/rc.local, off the drivers CD the
# harness attaches (harness/profiles/dragonfly_media.py):
#
#   CD/drivers/       the repository's drivers/ tree
#   CD/ko/NAME.ko     modules `make dragonfly-check` built on the host
#   CD/pattern.bin    the block pattern for the blkio check
#   CD/pattern.params its seed, LBA and sector count
#   CD/mode           "build" (default) or "prebuilt"
#
# With mode "build" and /usr/src/sys in the image, each module is built
# here with its own Makefile (bsd.kmod.mk, SYSDIR=/usr/src/sys); a module
# that does not build falls back to the host's .ko when the CD has one.
# Then vio_pci, vioblk, if_vioif and viomb are kldloaded in that order.
# Every line for the harness starts with "DFLY-VIRTIO:" and is kept in
# /tmp/dfly-virtio/boot.log, where the probe check looks for the reason
# when a module is missing.

# R is empty on DragonFly; tests/dragonfly runs this on Linux with stub
# make/kld* commands and every guest path under DFLY_TEST_ROOT.
R=${DFLY_TEST_ROOT:-}
CD=$1
W=$R/tmp/dfly-virtio
# Module files; if_NAME.ko is built in drivers/dragonfly/NAME.
MODULES="vio_pci vioblk if_vioif viomb"

rm -rf "$W"
mkdir -p "$W/ko" || { echo "DFLY-VIRTIO: FAIL: cannot make $W"; exit 1; }

say()
{
	echo "DFLY-VIRTIO: $*" | tee -a "$W/boot.log"
}

cp "$CD/pattern.bin" "$CD/pattern.params" "$W/" 2>/dev/null
mode=build
[ -r "$CD/mode" ] && mode=$(cat "$CD/mode")

built=no
if [ "$mode" = build ] && [ -r "$R/usr/src/sys/conf/kmod.mk" ] &&
    [ -d "$CD/drivers/dragonfly" ]; then
	cpdup "$CD/drivers" "$W/drivers" >/dev/null 2>&1 ||
	    cp -R "$CD/drivers" "$W/drivers"
	# The CD's modes are read-only; make writes objects beside sources.
	chmod -R u+w "$W/drivers"
	built=yes
	for m in $MODULES; do
		d=$W/drivers/dragonfly/${m#if_}
		if [ ! -f "$d/Makefile" ]; then
			say "build $m: no Makefile in ${d#"$W"/}"
			continue
		fi
		if (cd "$d" && make SYSDIR="$R/usr/src/sys" \
		    >"$W/build-$m.log" 2>&1); then
			cp "$d/$m.ko" "$W/ko/" && say "build $m: ok (in the guest)"
		else
			say "build $m: FAILED, last lines:"
			tail -n 15 "$W/build-$m.log" |
			    sed 's/^/DFLY-VIRTIO:   /' | tee -a "$W/boot.log"
		fi
	done
elif [ "$mode" = build ]; then
	say "build: no /usr/src/sys in this image; using the host's modules"
fi

for m in $MODULES; do
	[ -f "$W/ko/$m.ko" ] && continue
	if [ -f "$CD/ko/$m.ko" ]; then
		cp "$CD/ko/$m.ko" "$W/ko/" && say "module $m: built on the host"
	else
		say "module $m: MISSING (neither built here nor on the CD)"
	fi
done

# Dependencies (MODULE_DEPEND on vio_pci) resolve through module_path.
kldconfig -m -i "$W/ko" 2>/dev/null
for m in $MODULES; do
	[ -f "$W/ko/$m.ko" ] || continue
	if out=$(kldload "$W/ko/$m.ko" 2>&1); then
		say "kldload $m: ok"
	else
		say "kldload $m: FAILED: $out"
	fi
done
say "modules loaded: $(kldstat | awk 'NR > 1 { printf "%s ", $5 }')"
say "boot script done (sources built in guest: $built)"
