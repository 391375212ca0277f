# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
#
# The DragonFly kernel guest's side of the checks: our init's shell
# (images/dragonfly/init), which speaks the mini's command language, so
# mini.tcl's blkio, mem_kb and balloon serve here as they are; this file
# has what differs: probe (driver names, not PCI addresses) and ping (the
# NIC is configured first).  A `db>' prompt (DDB) fails the running
# check with DDB's backtrace.

source [file join [file dirname [info script]] mini.tcl]

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
	return [ping_gateway " over $nic"]
}
