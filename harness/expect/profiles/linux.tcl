# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
#
# The Linux reference guest's side of the checks: a busybox shell.
# Every marker the guest prints is split in the command ("BLK""OK"), so the
# echoed command line can never match it.

namespace eval ::profile {
	# virtio device IDs (virtio spec 5) and the Linux drivers for them.
	variable drivers {0x0002 virtio_blk 0x0001 virtio_net
	    0x0005 virtio_balloon}
}

# One line per virtio device: ID, bound driver, VERSION_1 (bit 32).
proc ::profile::devices {} {
	set out [serial_cmd {for d in /sys/bus/virtio/devices/*; do\
	    drv=$(readlink $d/driver); echo "VDEV $(cat $d/device)\
	    ${drv##*/} $(cut -c33 $d/features)"; done}]
	return [regexp -all -inline -line \
	    {VDEV (0x[0-9a-f]+) ([a-z_]*) ?([01])} $out]
}

proc ::profile::probe {} {
	global opt
	variable drivers
	set found {}
	foreach {- id drv v1} [devices] {
		dict set found $id [list $drv $v1]
	}
	set summary {}
	foreach {id want} $drivers {
		if {![dict exists $found $id]} {
			fail "no virtio device $id ($want) in /sys/bus/virtio"
		}
		lassign [dict get $found $id] drv v1
		if {$drv ne $want} {
			fail "virtio device $id has driver '$drv', not $want"
		}
		set mode [expr {$v1 ? "modern" : "legacy"}]
		# A transitional device is driven as modern by Linux.
		set expect_mode [string map {transitional modern} \
		    $opt(transport)]
		if {$expect_mode ne "" && $mode ne $expect_mode} {
			fail "$want runs $mode, but the transport is\
			    $opt(transport)"
		}
		lappend summary "$want ($mode)"
	}
	return [join $summary ", "]
}

# The block device name of the virtio disk, e.g. vda.
proc ::profile::blkdev {} {
	set out [serial_cmd {for d in\
	    /sys/bus/virtio/drivers/virtio_blk/virtio*/block/*; do\
	    echo "VB""LK ${d##*/}"; done}]
	if {![regexp {VBLK (\S+)} $out -> dev]} {
		fail "no block device under the virtio_blk driver"
	}
	return $dev
}

proc ::profile::blkio {} {
	global opt
	# The initramfs carries the pattern bytes (busybox cannot compute
	# them fast enough under TCG); they must be the ones asked for.
	set out [serial_cmd {cat /etc/blkpattern.params}]
	if {![regexp {\n\s*([0-9]+) ([0-9]+) ([0-9]+)} $out -> s l c] ||
	    $s != $opt(seed) || $l != $opt(lba) || $c != $opt(count)} {
		fail "the Linux guest carries the pattern for seed/lba/count\
		    [string trim $out], not $opt(seed)/$opt(lba)/$opt(count)"
	}
	set dev [blkdev]
	set out [serial_cmd "dd if=/etc/blkpattern.bin of=/dev/$dev bs=512\
	    seek=$opt(lba) oflag=direct conv=fsync 2>&1; echo \"RC=\$?\""]
	if {![regexp {RC=0} $out]} {
		fail "writing /dev/$dev failed: [string trim $out]"
	}
	# Flush the device's write cache, then forget every cached page so
	# the read below comes from the device.
	serial_cmd "blockdev --flushbufs /dev/$dev;\
	    echo 3 > /proc/sys/vm/drop_caches"
	set out [serial_cmd "dd if=/dev/$dev bs=512 skip=$opt(lba)\
	    count=$opt(count) iflag=direct 2>/dev/null |\
	    cmp - /etc/blkpattern.bin && echo \"BLK\"\"OK\""]
	if {![regexp {BLKOK} $out]} {
		fail "read back from /dev/$dev differs: [string trim $out]"
	}
	return "$opt(count) sectors at LBA $opt(lba) written, flushed,\
	    read back equal on /dev/$dev"
}

proc ::profile::ping {} {
	set out [serial_cmd {ls /sys/bus/virtio/drivers/virtio_net/virtio*/net/}]
	if {![regexp -line {^(eth[0-9]+|en\S+)\s*$} $out -> ifc]} {
		fail "no network interface under the virtio_net driver"
	}
	set out [serial_cmd "ip link set $ifc up && ip addr flush dev $ifc &&\
	    ip addr add 10.0.2.15/24 dev $ifc && echo \"NET\"\"UP\""]
	if {![regexp {NETUP} $out]} {
		fail "configuring $ifc failed: [string trim $out]"
	}
	lassign [ping_replies [serial_cmd "ping -c 3 -W 5 10.0.2.2" 60]] \
	    sent got
	return "$ifc: $got/$sent echo replies from 10.0.2.2"
}

proc ::profile::mem_kb {} {
	set out [serial_cmd {grep MemTotal /proc/meminfo}]
	if {![regexp {MemTotal:\s+([0-9]+) kB} $out -> kb]} {
		fail "no MemTotal in /proc/meminfo: [string trim $out]"
	}
	return $kb
}
