#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
#
# Unattended DragonFly install, run by the live CD's rc.d/pfi as pfi_script
# while the pfi CD is mounted on /mnt.  It does what the installer
# (usr.sbin/installer/dfuibe_installer: fn_disk.c, fn_subpart_ufs.c,
# fn_install.c) does for a single UFS root, without its dialogs:
# fdisk -BI, a disklabel64 woven from the virgin label, newfs, cpdup of
# every path in /usr/share/installer/sources.conf (preferring NAME.hdd),
# mtree of /var, pwd_mkdb, fstab, loader.conf.  Then it sets the serial
# console up, adds the kernel sources and powers off.
#
# Every line the host waits for starts with "$MARK:" (see install.exp).
# Any failure prints "$MARK: FAIL: reason" and powers off, so the host
# fails at once with the reason instead of waiting for a timeout.
#
# R is empty on DragonFly.  tests/dragonfly runs this script on Linux with
# DFLY_TEST_ROOT set to a fake live CD, stub commands on PATH, and every
# path of the live system and of the target under that root.

MEDIA=$(dirname "$0")
. "$MEDIA/dfly-install.conf" || {
	echo "DFLY-INSTALL: FAIL: no dfly-install.conf"
	halt -p
}

R=${DFLY_TEST_ROOT:-}
T=$R/tmp/target
OUT=$R/tmp/dfly-install.out
START=$(date +%s)

say()
{
	echo "$MARK: $* (+$(( $(date +%s) - START ))s)"
}

fail()
{
	echo "$MARK: FAIL: $*"
	sync
	halt -p
	exit 1
}

run()
{
	"$@" >"$OUT" 2>&1 && return 0
	tail -n 20 "$OUT"
	fail "command failed: $*"
}

# A disk device node (a plain file stands in for one under DFLY_TEST_ROOT).
is_disk()
{
	[ -c "$1" ] || { [ -n "$R" ] && [ -f "$1" ]; }
}

say "start: DragonFly $(uname -r), target /dev/$DISK"
is_disk "$R/dev/$DISK" ||
    fail "no /dev/$DISK: the root disk must be an ide-hd on -device ahci"

# Slice: one active DragonFly slice (type 108) over the whole disk, with
# the MBR boot code; this is what the installer's "use entire disk" does.
say "phase partition"
run dd if=/dev/zero of="$R/dev/$DISK" bs=32k count=16
run fdisk -BI "$DISK"
S=${DISK}s1
n=0
while ! is_disk "$R/dev/$S" && [ $n -lt 10 ]; do
	sleep 1
	n=$((n + 1))
done
is_disk "$R/dev/$S" || fail "fdisk -BI did not create /dev/$S"

# Label, as the installer's flow.c and fn_subpart_ufs.c do: write-enable,
# clear, lay down a virgin label with the boot blocks, then keep its
# header and replace its partition table.  'a' takes what 'b' (swap)
# leaves; boot2 loads from 'a'.
run disklabel64 -W "$S"
run dd if=/dev/zero of="$R/dev/$S" bs=32k count=16
run disklabel64 -B -r -w "$S"
LABEL=$R/tmp/label
disklabel64 -r "$S" >"$LABEL.virgin" 2>"$OUT" ||
    fail "disklabel64 -r $S: $(cat "$OUT")"
sed '/partitions:/,$d' "$LABEL.virgin" >"$LABEL"
{
	echo "16 partitions:"
	echo "#          size     offset    fstype"
	echo "  a:	*	0	4.2BSD"
	echo "  b:	$SWAP_SIZE	*	swap"
} >>"$LABEL"
run disklabel64 -R -B -r "$S" "$LABEL"
disklabel64 "$S" | sed -n '/partitions:/,$p'

say "phase newfs"
run newfs "$R/dev/${S}a"
mkdir -p "$T" || fail "mkdir $T"
run mount "$R/dev/${S}a" "$T"

# Copy: the installer's list, each NAME.hdd in place of NAME where the CD
# has one (the CD's /etc is for the live system, /etc.hdd for a disk).
say "phase copy"
SOURCES=$R/usr/share/installer/sources.conf
[ -r "$SOURCES" ] || fail "no $SOURCES on the live CD"
while read -r p; do
	case "$p" in
	""|"#"*) continue ;;
	/tmp) mkdir -p "$T/tmp"; continue ;;
	esac
	src=$p
	[ -d "$R$p.hdd" ] && src=$p.hdd
	[ -e "$R$src" ] || continue
	mkdir -p "$T$(dirname "$p")"
	say "copy $src -> $p"
	cpdup -o "$R$src" "$T$p" >"$OUT" 2>&1 || {
		tail -n 20 "$OUT"
		fail "cpdup $src failed"
	}
done <"$SOURCES"
chmod 1777 "$T/tmp"
run mtree -deiU -f "$R/etc/mtree/BSD.var.dist" -p "$T/var"
mkdir -p "$T/proc" "$T/dev" "$T/mnt" "$T/home" "$T/root"
ln -sf usr/src/sys "$T/sys"
# The CD's loader.conf mounts root from the CD (-C); a disk must not.
rm -f "$T/boot/loader.conf"
# nrelease copies the live CD's passwd files, with its uid-0 "installer"
# account, into /etc.hdd; an installed system must not have it.
sed -i '' -e '/^installer:/d' "$T/etc/master.passwd"
run pwd_mkdb -p -d "$T/etc" "$T/etc/master.passwd"

say "phase configure"
cat >"$T/etc/fstab" <<FSTAB
# Device		Mountpoint	FStype	Options		Dump	Pass#
/dev/${S}a		/		ufs	rw		1	1
/dev/${S}b		none		swap	sw		0	0
proc			/proc		procfs	rw		0	0
FSTAB

# Serial console at every stage.  DragonFly's boot2 knows -h (serial
# only) and -V (video only), not FreeBSD's -D; with -h the loader and the
# kernel use the serial port too.  console= covers a loader started
# another way.
echo "-h" >"$T/boot.config"
cat "$MEDIA/loader.conf" >"$T/boot/loader.conf" ||
    fail "no loader.conf on the pfi CD"
echo "vfs.root.mountfrom=\"ufs:${S}a\"" >>"$T/boot/loader.conf"
cat "$MEDIA/rc.conf" >"$T/etc/rc.conf" || fail "no rc.conf on the pfi CD"

# A root shell on the serial line whatever the console flags say: getty
# logs root in by itself (the "al" capability of gettytab(5), as the live
# CD's rc.d/pfi does for pfi_autologin), root's shell is /bin/sh and its
# .profile prints the marker the harness waits for.  rc.local runs the
# harness's drivers CD before that.
cat >>"$T/etc/gettytab" <<GETTYTAB

# dfly-virtio: root is logged in on the serial console at once.
dfly.autologin:\\
	:al=root:tc=std.115200:
GETTYTAB
sed -i '' -e '/^ttyd0[[:space:]]/d' "$T/etc/ttys"
echo 'ttyd0	"/usr/libexec/getty dfly.autologin"	vt100	on  secure' \
    >>"$T/etc/ttys"
grep -q '^ttyd0.*dfly.autologin.*on  secure' "$T/etc/ttys" ||
    fail "could not enable ttyd0 in /etc/ttys"
# master.passwd: name:passwd:uid:gid:class:change:expire:gecos:home:shell
F='[^:]*:'
sed -i '' -e "s|^\\(root:$F$F$F$F$F$F$F$F\\).*\$|\\1/bin/sh|" \
    "$T/etc/master.passwd"
run pwd_mkdb -p -d "$T/etc" "$T/etc/master.passwd"
grep -q '^root:.*:/bin/sh$' "$T/etc/master.passwd" ||
    fail "root shell not /bin/sh"
cp "$MEDIA/root.profile" "$T/root/.profile" ||
    fail "no root.profile on the pfi CD"
install -m 755 "$MEDIA/rc.local" "$T/etc/rc.local" ||
    fail "no rc.local on the pfi CD"

# root keeps the empty password of a fresh DragonFly; sshd stays off
# (rc.conf), so nothing is reachable by network.  Check, not assume.
grep -q '^root::' "$T/etc/master.passwd" ||
    say "note: root has a password in /etc.hdd (autologin does not care)"

# Kernel sources for building our modules in the guest, same release.
say "phase sys"
SYSFROM=none
if [ -r "$R/usr/src-sys.tar.bz2" ]; then
	# nrelease/Makefile 'srcs' packs Makefile, Makefile.inc1 and sys/ as
	# ./src/... into /usr/src-sys.tar.bz2 on release media.
	run tar -xpf "$R/usr/src-sys.tar.bz2" -C "$T/usr"
	SYSFROM="release media (/usr/src-sys.tar.bz2)"
elif [ -r "$MEDIA/src-sys.tar.gz" ]; then
	mkdir -p "$T/usr/src"
	run tar -xpf "$MEDIA/src-sys.tar.gz" -C "$T/usr/src"
	SYSFROM="host git checkout ($SYS_REF)"
fi
if [ -r "$T/usr/src/sys/conf/kmod.mk" ]; then
	say "sys: /usr/src/sys from $SYSFROM"
else
	SYSFROM=none
	say "sys: NONE: no kernel sources; load modules built on the host"
fi

cat >"$T/etc/dfly-virtio-image" <<INFO
version=$VERSION
built=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sys=$SYSFROM
INFO

say "phase finish"
sync
run umount "$T"
run disklabel64 -B "$S"
say "OK"
sync
halt -p
