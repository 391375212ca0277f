# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
#
# The DragonFly guest's side of the checks: root's /bin/sh on ttyd0, our
# modules already kldloaded by dfly-virtio-boot.sh (images/dragonfly/guest)
# from the image's rc.local.  Names come from drivers/dragonfly: the bus
# vio_pciN, children vioblkN (/dev/vioblkN), vioifN, viombN, balloon
# sysctls hw.viomb.target and hw.viomb.actual in 4096-byte pages.
# Markers are split in the command ("BLK""OK") so the echoed command line
# never matches them.

namespace eval ::profile {
	variable work /tmp/dfly-virtio
	variable children {vioblk vioif viomb}
	# Their module files: the NIC driver's takes DragonFly's if_ prefix.
	variable modules {vio_pci vioblk if_vioif viomb}
}

# What a command printed, without the echoed command line.
proc ::profile::output {out} {
	return [string trim [join [lrange [split $out "\n"] 1 end] "\n"]]
}

# Why the modules are not there, from the boot script's own log.
proc ::profile::boot_problems {} {
	variable work
	return [output [serial_cmd \
	    "grep -E 'FAIL|MISSING|no /usr/src' $work/boot.log"]]
}

proc ::profile::probe {} {
	global opt
	variable children
	variable modules
	set out [serial_cmd {kldstat}]
	foreach m $modules {
		if {![regexp "\\m$m\\.ko" $out]} {
			fail "$m.ko is not loaded: [boot_problems]"
		}
	}
	# DragonFly's own virtio_pci must not have taken any of the devices.
	set out [serial_cmd {devinfo | grep -E 'virtio_pci[0-9]|vtnet[0-9]|virtio_blk[0-9]'}]
	if {[regexp -line {^\s*(virtio_pci[0-9]+|vtnet[0-9]+|virtio_blk[0-9]+)} \
	    $out -> builtin]} {
		fail "DragonFly's built-in driver attached ($builtin): the\
		    devices must be modern-only (--transport modern)"
	}
	set tree [serial_cmd {devinfo}]
	set dmesg [serial_cmd {dmesg | grep -E '^vio(_pci|blk|if|mb)[0-9]+: '}]
	set summary {}
	foreach c $children {
		if {![regexp -line "^\\s+($c\[0-9]+)\\s*$" $tree -> unit] &&
		    ![regexp "\\m($c\[0-9]+)\\M" $tree -> unit]} {
			fail "devinfo shows no $c device (dmesg: [string trim $dmesg])"
		}
		if {![regexp "(?n)^$unit: (.*)$" $dmesg -> line]} {
			fail "no attach message for $unit in dmesg"
		}
		lappend summary "$unit ([string trim $line])"
	}
	set tp [serial_cmd {sysctl -n dev.vio_pci.0.transport}]
	if {$opt(transport) ne "" &&
	    ![regexp "\\m$opt(transport)\\M" $tp]} {
		fail "vio_pci0 runs [string trim $tp], not $opt(transport)"
	}
	return [join $summary ", "]
}

proc ::profile::blkio {} {
	global opt
	variable work
	set out [serial_cmd "cat $work/pattern.params"]
	if {![regexp {\n\s*([0-9]+) ([0-9]+) ([0-9]+)} $out -> s l c] ||
	    $s != $opt(seed) || $l != $opt(lba) || $c != $opt(count)} {
		fail "the drivers CD carries the pattern for seed/lba/count\
		    [string trim $out], not $opt(seed)/$opt(lba)/$opt(count)"
	}
	set dev /dev/vioblk0
	# A DragonFly disk device is raw: no buffer cache between dd and
	# the driver, so the read below comes from the device.
	set out [serial_cmd "dd if=$work/pattern.bin of=$dev bs=512\
	    seek=$opt(lba) 2>&1; echo \"RC=\$?\"" 60]
	if {![regexp {RC=0} $out]} {
		fail "writing $dev failed: [string trim $out]"
	}
	set out [serial_cmd "dd if=$dev bs=512 skip=$opt(lba)\
	    count=$opt(count) 2>/dev/null | cmp - $work/pattern.bin &&\
	    echo \"BLK\"\"OK\"" 60]
	if {![regexp {BLKOK} $out]} {
		fail "read back from $dev differs: [string trim $out]"
	}
	return "$opt(count) sectors at LBA $opt(lba) written and read back\
	    equal on $dev"
}

proc ::profile::ping {} {
	set out [serial_cmd "ifconfig vioif0 inet 10.0.2.15/24 up &&\
	    echo \"NET\"\"UP\""]
	if {![regexp {NETUP} $out]} {
		fail "configuring vioif0 failed: [string trim $out]"
	}
	lassign [ping_replies [serial_cmd "ping -c 3 10.0.2.2" 90]] sent got
	return "vioif0: $got/$sent echo replies from 10.0.2.2"
}

# hw.viomb.target and hw.viomb.actual, in 4 KiB pages.
proc ::profile::viomb_pages {} {
	set out [serial_cmd {sysctl -n hw.viomb.target hw.viomb.actual}]
	if {![regexp {\n\s*([0-9]+)\s*\n\s*([0-9]+)} $out -> target actual]} {
		fail "no hw.viomb.target/actual: [string trim $out]"
	}
	return [list $target $actual]
}

# Wait until the guest's balloon holds PAGES, within TMO unscaled seconds.
proc ::profile::wait_viomb {pages tmo} {
	set deadline [expr {[clock seconds] + [secs $tmo]}]
	while {[set now [viomb_pages]] ne [list $pages $pages]} {
		if {[clock seconds] > $deadline} {
			fail "hw.viomb.target/actual = $now pages, host asked\
			    for $pages"
		}
		after 500
	}
}

# The host's `info balloon` (MiB the guest keeps) and the guest's
# hw.viomb (pages it gave up) must agree, inflating and deflating.
proc ::profile::balloon {} {
	monitor_connect
	set full [monitor_balloon_mb]
	wait_viomb 0 30
	set target [expr {$full * 3 / 4}]
	set pages [expr {($full - $target) * 256}]
	monitor_cmd "balloon $target"
	monitor_wait_balloon $target 180
	wait_viomb $pages 60
	monitor_cmd "balloon $full"
	monitor_wait_balloon $full 180
	wait_viomb 0 60
	return "balloon $full -> $target -> $full MiB; hw.viomb.actual\
	    0 -> $pages -> 0 pages"
}
