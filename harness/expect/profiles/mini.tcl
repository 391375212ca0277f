# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
#
# The mini guest's side of the checks: its own COM1 shell (images/mini,
# README "mini" section).  Every command answers on one or a few lines
# and errors start with "error: ".  The DragonFly kernel guest's init
# speaks the same language: dragonfly.tcl sources this file.

namespace eval ::profile {
	variable types {blk net balloon}
}

# probe: one line per virtio device,
#   WHERE TYPE legacy|modern features 0xHEX msix|intx|line|poll ok|failed: ...
# WHERE is the PCI address BB:SS.F, or mmio@BASE for a virtio-mmio device
# (whose interrupt is its own line).
proc ::profile::probe {} {
	global opt
	variable types
	set out [serial_cmd probe]
	set want [string map {transitional modern mmio-legacy legacy\
	    mmio-modern modern} $opt(transport)]
	set mmio [string match mmio-* $opt(transport)]
	set summary {}
	foreach type $types {
		set re "(\[0-9a-f:.]+|mmio@\[0-9a-f]+) $type\
		    (legacy|modern|-) features (0x\[0-9a-f]+)\
		    (msix|intx|line|poll|none) (\[^\r\n]*)"
		if {![regexp $re $out -> addr mode feat intr state]} {
			fail "no virtio $type device in probe:\
			    [string trim $out]"
		}
		if {$state ne "ok"} {
			fail "$type at $addr did not attach: $state"
		}
		# The mini prefers modern on a transitional device.
		if {$want ne "" && $mode ne $want} {
			fail "$type runs $mode, but the transport is\
			    $opt(transport)"
		}
		if {$opt(transport) ne "" &&
		    $mmio != [string match mmio@* $addr]} {
			fail "$type is at $addr, but the transport is\
			    $opt(transport)"
		}
		# Polling is only a fallback: it must not hide broken
		# interrupt delivery.
		if {$intr eq "poll"} {
			fail "$type fell back to polling (no interrupts)"
		}
		lappend summary "$type $addr $mode $intr $feat"
	}
	return [join $summary ", "]
}

proc ::profile::blkio {} {
	global opt
	set args "$opt(lba) $opt(count) $opt(seed)"
	set out [serial_cmd "blk write $args" 60]
	if {![regexp {blk write: .* ok} $out]} {
		fail "blk write $args: [string trim $out]"
	}
	# The host reads the overlay next: qcow2 keeps what a flush commits.
	# A guest that cannot flush from its shell (DragonFly) leaves that to
	# the harness, which has QEMU flush (the profile's fact).
	set flushed ""
	if {$::fact(guest_flushes_disk)} {
		set out [serial_cmd "blk flush"]
		if {![regexp {blk flush: ok} $out]} {
			fail "blk flush: [string trim $out]"
		}
		set flushed " flushed,"
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
	return "$opt(count) sectors at LBA $opt(lba) written,$flushed read\
	    back equal[blk_queues]"
}

# A guest that reports its disk's queues (the mini's `blk info':
# "blk: queues N of M, requests R0 R1 ...") must have used more than one
# when it has several.  Returns what it saw, for the PASS line.
proc ::profile::blk_queues {} {
	set out [serial_cmd "blk info"]
	if {![regexp {blk: queues ([0-9]+) of [0-9]+, requests([0-9 ]*)} \
	    $out -> n counts]} {
		return ""
	}
	set used 0
	foreach c $counts {
		if {$c > 0} {
			incr used
		}
	}
	if {$n > 1 && $used < 2} {
		fail "$n queues, but only $used carried requests:\
		    [string trim $out]"
	}
	return ", $used of $n queues used (requests[string trimright $counts])"
}

proc ::profile::ping {} {
	return [ping_gateway]
}

# Three echoes to QEMU's gateway, every one answered; VIA names the NIC
# in messages.
proc ::profile::ping_gateway {{via ""}} {
	set out [serial_cmd "ping 10.0.2.2 3" 30]
	if {![regexp {([0-9]+)/([0-9]+) replies} $out -> got sent]} {
		fail "ping printed no summary: [string trim $out]"
	}
	if {$got != $sent} {
		fail "ping 10.0.2.2$via: $got of $sent replies"
	}
	return "$got/$sent echo replies from 10.0.2.2$via"
}

# The guest's free memory: ballooned pages leave the allocator.
proc ::profile::mem_kb {} {
	set out [serial_cmd mem]
	if {![regexp {mem: total [0-9]+ KiB free ([0-9]+) KiB} $out -> kb]} {
		fail "unexpected mem output: [string trim $out]"
	}
	return $kb
}

# Balloon pages the guest holds, by its own account.
proc ::profile::balloon_actual {} {
	set out [serial_cmd balloon]
	if {![regexp {balloon: target ([0-9]+) pages actual ([0-9]+) pages}\
	    $out -> target actual]} {
		fail "unexpected balloon output: [string trim $out]"
	}
	return $actual
}

# The generic check moves the balloon and watches memory; then the guest
# must agree it gave everything back.
proc ::profile::balloon {} {
	set msg [generic_balloon]
	set held [balloon_actual]
	if {$held != 0} {
		fail "balloon deflated on the host, but the guest still\
		    holds $held pages"
	}
	return $msg
}
