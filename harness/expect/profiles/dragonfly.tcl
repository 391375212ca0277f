# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
#
# The DragonFly kernel guest's side of the checks: our init's shell
# (images/dragonfly/init), which speaks the mini's command language.
# Every command answers on its own lines; errors start with "error: ".
# A `db>' prompt (DDB) fails the running check with DDB's backtrace.

namespace eval ::profile {
	variable debugger {db> }
	variable debugger_trace trace
	variable types {blk net balloon}
	# Our drivers publish the transport and interrupt mode (vio_pci's
	# sysctls); DragonFly's own, loaded for the control row, do not.
	variable ours {vioblk vioif viomb}
}

# probe: one line per attached virtio device,
#   NAME TYPE legacy|modern|- features 0xHEX msix|msi|intx|- ok on PARENT
proc ::profile::probe {} {
	global opt
	variable types
	variable ours
	set out [serial_cmd probe]
	set want [string map {transitional modern} $opt(transport)]
	set summary {}
	foreach type $types {
		set re "(\[a-z_]+\[0-9]+) $type (legacy|modern|-) features\
		    (0x\[0-9a-f]+) (msix|msi|intx|-) ok on (\[a-z_]+\[0-9]+)"
		if {![regexp $re $out -> dev mode feat intr parent]} {
			fail "no driver attached to a virtio $type device:\
			    [string trim $out]"
		}
		regexp {^[a-z_]+} $dev driver
		if {$driver in $ours} {
			if {$want ne "" && $mode ne $want} {
				fail "$dev runs $mode, but the transport is\
				    $opt(transport)"
			}
			if {$intr eq "-"} {
				fail "$dev: $parent reports no interrupt mode"
			}
		}
		lappend summary "$dev on $parent $mode $intr $feat"
	}
	return [join $summary ", "]
}

# The disk is written and read through /dev; the harness has QEMU flush
# and reads the image itself (DragonFly has no userland disk flush).
proc ::profile::blkio {} {
	global opt
	set args "$opt(lba) $opt(count) $opt(seed)"
	set out [serial_cmd "blk write $args" 60]
	if {![regexp {blk write: .* ok} $out]} {
		fail "blk write $args: [string trim $out]"
	}
	set out [serial_cmd "blk read $args" 60]
	if {![regexp {blk read: .* ok} $out]} {
		fail "blk read $args: [string trim $out]"
	}
	# A wrong seed must not verify: the comparison really compares.
	set other [expr {$opt(seed) + 1}]
	set out [serial_cmd "blk read $opt(lba) $opt(count) $other" 60]
	if {![regexp "mismatch at LBA $opt(lba)" $out]} {
		fail "blk read with a wrong seed did not report\
		    LBA $opt(lba): [string trim $out]"
	}
	return "$opt(count) sectors at LBA $opt(lba) written and read back\
	    equal through /dev"
}

# The NIC's name comes from probe: vioif0 with ours, vtnet0 with
# DragonFly's own.
proc ::profile::ping {} {
	set out [serial_cmd probe]
	if {![regexp {([a-z_]+[0-9]+) net } $out -> nic]} {
		fail "no network device in probe: [string trim $out]"
	}
	set out [serial_cmd "ifup $nic 10.0.2.15/24"]
	if {![regexp "ifup: $nic .* up" $out]} {
		fail "ifup $nic: [string trim $out]"
	}
	set out [serial_cmd "ping 10.0.2.2 3" 30]
	if {![regexp {([0-9]+)/([0-9]+) replies} $out -> got sent]} {
		fail "ping printed no summary: [string trim $out]"
	}
	if {$got != $sent} {
		fail "ping 10.0.2.2 over $nic: $got of $sent replies"
	}
	return "$got/$sent echo replies from 10.0.2.2 over $nic"
}

proc ::profile::mem_kb {} {
	set out [serial_cmd mem]
	if {![regexp {mem: total [0-9]+ KiB free ([0-9]+) KiB} $out -> kb]} {
		fail "unexpected mem output: [string trim $out]"
	}
	return $kb
}

proc ::profile::balloon_actual {} {
	set out [serial_cmd balloon]
	if {![regexp {balloon: target ([0-9]+) pages actual ([0-9]+) pages}\
	    $out -> target actual]} {
		fail "unexpected balloon output: [string trim $out]"
	}
	return $actual
}

proc ::profile::balloon {} {
	set msg [generic_balloon]
	set held [balloon_actual]
	if {$held != 0} {
		fail "balloon deflated on the host, but the guest still\
		    holds $held pages"
	}
	return $msg
}
