# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
#
# Common code of the four checks (probe, blkio, ping, balloon).
#
# A check script is two lines: source this file, call check_main with the
# check's name.  check_main parses the options, sources the guest's dialect
# from profiles/GUEST.tcl, connects to the serial console (and the monitor
# when given), and calls the profile's proc of the same name, or the
# generic_* proc of this file when the profile has none.  The proc returns
# a one-line success message or calls fail with a one-line reason.
#
# Every fact about a guest (its prompt, markers, the block pattern's
# defaults, ...) comes from its Python profile through `harness/vm facts
# --guest NAME` into the array ::fact; ::profile::prompt is $fact(prompt).
# A profile file defines, in namespace ::profile:
#   proc probe {}, blkio {}, ping {}, balloon {}   (any of them)
#   proc mem_kb {}       guest's idea of its memory, for generic_balloon
#   proc attach {}       optional: reach a prompt (e.g. log in) instead of
#                        serial_sync's plain carriage returns
#   variable debugger    optional: regular expression of a kernel debugger
#                        prompt; seeing it fails the check at once, with the
#                        panic and the backtrace `variable debugger_trace'
#                        (a DDB command) prints
#
# Exit status: 0 pass, 1 check failed, 2 usage error.
# Timeouts are written for TCG on a slow host; DFLY_VIRTIO_TIMEOUT_SCALE
# multiplies them all.

package require Expect

log_user 0
# Room for a whole command's output (dmesg, devinfo) before its prompt.
match_max -d 262144
set libdir [file dirname [file normalize [info script]]]
set opt(guest) ""
set opt(serial) ""
set opt(monitor) ""
set opt(transport) ""
# The block pattern; empty: the profile's (its facts).
set opt(seed) ""
set opt(lba) ""
set opt(count) ""
set opt(verbose) 0
set check ""
set scale 1.0
if {[info exists env(DFLY_VIRTIO_TIMEOUT_SCALE)]} {
	set scale $env(DFLY_VIRTIO_TIMEOUT_SCALE)
}

proc usage {msg} {
	global check
	puts stderr "$check: $msg"
	puts stderr "usage: expect $check.exp --guest PROFILE --serial PATH\
	    \[--monitor HOST:PORT]\
	    \[--transport legacy|modern|transitional|mmio-legacy|mmio-modern]\
	    \[--seed N --lba N --count N] \[--verbose]"
	exit 2
}

# One line on stdout, which pytest shows in the failure.
proc fail {reason} {
	global check
	puts "FAIL $check: $reason"
	exit 1
}

proc pass {msg} {
	global check
	puts "PASS $check: $msg"
	exit 0
}

# Seconds, scaled, as expect wants them.
proc secs {n} {
	global scale
	return [expr {int(ceil($n * $scale))}]
}

proc parse_args {argv} {
	global opt
	while {[llength $argv] > 0} {
		set argv [lassign $argv flag]
		switch -- $flag {
		--guest - --serial - --monitor - --transport -
		--seed - --lba - --count {
			if {[llength $argv] == 0} {
				usage "$flag needs a value"
			}
			set argv [lassign $argv value]
			set opt([string range $flag 2 end]) $value
		}
		--verbose {
			set opt(verbose) 1
		}
		default {
			usage "unknown option $flag"
		}
		}
	}
	if {$opt(guest) eq "" || $opt(serial) eq ""} {
		usage "--guest and --serial are required"
	}
	load_facts $opt(guest)
	foreach n {seed lba count} {
		if {$opt($n) eq ""} {
			set opt($n) $::fact($n)
		}
		if {![string is wideinteger -strict $opt($n)] ||
		    $opt($n) < 0} {
			usage "--$n wants a number >= 0, got $opt($n)"
		}
	}
	if {$opt(transport) ni \
	    {"" legacy modern transitional mmio-legacy mmio-modern}} {
		usage "--transport must be legacy, modern, transitional,\
		    mmio-legacy or mmio-modern"
	}
}

# The guest's facts from its Python profile (harness/profiles/NAME.py).
proc load_facts {guest} {
	global libdir fact
	set vm [file join [file dirname $libdir] vm]
	if {[catch {exec $vm facts --guest $guest} out]} {
		usage "no facts for guest $guest: [lindex [split $out "\n"] 0]"
	}
	array set fact $out
}

# --- serial console --------------------------------------------------

proc need {tool} {
	if {[auto_execok $tool] eq ""} {
		fail "$tool not found: run `make deps` (Debian package $tool)"
	}
}

proc serial_connect {} {
	global opt serial_id
	need socat
	if {![file exists $opt(serial)]} {
		fail "no serial socket at $opt(serial) (is the guest running?)"
	}
	# raw,echo=0: socat passes our bytes through untouched.
	if {[catch {spawn -noecho socat -,raw,echo=0 \
	    UNIX-CONNECT:$opt(serial)} err]} {
		fail "cannot run socat: $err"
	}
	set serial_id $spawn_id
}

# Get a fresh prompt; the console may sit in the middle of anything.
proc serial_sync {} {
	global serial_id
	set spawn_id $serial_id
	set timeout [secs 10]
	for {set i 0} {$i < 3} {incr i} {
		send -- "\r"
		expect {
			-re [debugger_re] { debugger_fail $expect_out(buffer) }
			-re $::profile::prompt {
				# Swallow prompts queued earlier: one second
				# of silence means we are at the last one.
				set timeout 1
				expect {
					-re ".+" { exp_continue }
					timeout { }
				}
				return
			}
			timeout { }
			eof { fail "serial console closed" }
		}
	}
	fail "no shell prompt on the serial console"
}

# The profile's kernel debugger prompt, or a pattern that never matches.
proc debugger_re {} {
	if {[info exists ::profile::debugger]} {
		return $::profile::debugger
	}
	return {(?!)}
}

# The guest kernel stopped in its debugger: fail with why and where.
# BEFORE is the console output that led there.
proc debugger_fail {before} {
	global serial_id
	set spawn_id $serial_id
	set why "kernel entered its debugger"
	if {[regexp {(panic: [^\r\n]*|Fatal trap [^\r\n]*)} $before -> what]} {
		append why " ($what)"
	}
	set trace ""
	if {[info exists ::profile::debugger_trace]} {
		set timeout [secs 30]
		send -- "$::profile::debugger_trace\r"
		expect {
			-re "(.*)[debugger_re]" {
				set trace $expect_out(1,string)
			}
			timeout { }
			eof { }
		}
	}
	set lines {}
	foreach l [split [string trim "$before\n$trace"] "\n"] {
		lappend lines [string trimright $l "\r"]
	}
	fail "$why; console and backtrace:\n[join [lrange $lines end-40 end] \n]"
}

# Send CMD to the guest shell and return what it printed up to the next
# prompt (including the echoed command).  TMO in unscaled seconds.
proc serial_cmd {cmd {tmo 30}} {
	global serial_id
	set spawn_id $serial_id
	set timeout [secs $tmo]
	send -- "$cmd\r"
	expect {
		-re [debugger_re] { debugger_fail $expect_out(buffer) }
		-re $::profile::prompt {
			# Everything before the prompt; a plain pattern keeps
			# long outputs cheap to scan.
			set n [string length $expect_out(0,string)]
			return [string range $expect_out(buffer) 0 end-$n]
		}
		full_buffer { fail "guest output overflowed while running: $cmd" }
		timeout { fail "guest did not finish within [secs $tmo] s: $cmd" }
		eof { fail "serial console closed while running: $cmd" }
	}
}

# Wait for RE in the guest output; return the match.
proc serial_wait {re {tmo 30}} {
	global serial_id
	set spawn_id $serial_id
	set timeout [secs $tmo]
	expect {
		-re $re { return $expect_out(0,string) }
		timeout { fail "no /$re/ from the guest within [secs $tmo] s" }
		eof { fail "serial console closed waiting for /$re/" }
	}
}

# Check the summary of a ping run (busybox and BSD ping both print "N
# packets transmitted, M packets received"): every request must have had
# its reply.  Returns {sent got}.
proc ping_replies {out {host 10.0.2.2}} {
	if {![regexp {([0-9]+) packets transmitted, ([0-9]+) packets received}\
	    $out -> sent got]} {
		fail "ping printed no summary: [string trim $out]"
	}
	if {$got != $sent} {
		fail "ping $host: $got of $sent replies"
	}
	return [list $sent $got]
}

# --- HMP monitor (telnet) --------------------------------------------

set monitor_prompt {\(qemu\) }

proc monitor_connect {} {
	global opt monitor_id monitor_prompt
	if {$opt(monitor) eq ""} {
		fail "this check needs --monitor HOST:PORT"
	}
	need telnet
	set hp [split $opt(monitor) :]
	if {[llength $hp] != 2} {
		usage "--monitor wants HOST:PORT, got $opt(monitor)"
	}
	if {[catch {spawn -noecho telnet {*}$hp} err]} {
		fail "cannot run telnet: $err"
	}
	set monitor_id $spawn_id
	set timeout [secs 10]
	expect {
		-re $monitor_prompt { }
		timeout { fail "no QEMU monitor prompt on $opt(monitor)" }
		eof { fail "cannot connect to the monitor at $opt(monitor)" }
	}
}

# Run an HMP command; return its output without the echo and prompt.
proc monitor_cmd {cmd} {
	global monitor_id monitor_prompt
	set spawn_id $monitor_id
	set timeout [secs 10]
	send -- "$cmd\r"
	expect {
		-re "\n(.*?)$monitor_prompt" { return $expect_out(1,string) }
		timeout { fail "monitor did not answer: $cmd" }
		eof { fail "monitor closed on: $cmd" }
	}
}

# The balloon's current size in MiB, from `info balloon`.
proc monitor_balloon_mb {} {
	set out [monitor_cmd "info balloon"]
	if {![regexp {actual=([0-9]+)} $out -> mb]} {
		fail "unexpected `info balloon` answer: [string trim $out]"
	}
	return $mb
}

# Poll until `info balloon` says MB, within TMO unscaled seconds.
proc monitor_wait_balloon {mb tmo} {
	set deadline [expr {[clock seconds] + [secs $tmo]}]
	while {[set now [monitor_balloon_mb]] != $mb} {
		if {[clock seconds] > $deadline} {
			fail "balloon stuck at $now MiB, wanted $mb MiB"
		}
		after 250
	}
}

# --- generic checks, for profiles without their own -------------------

# Shrink the guest by a quarter, see both sides agree, give it back.
proc generic_balloon {} {
	monitor_connect
	set full [monitor_balloon_mb]
	set kb0 [::profile::mem_kb]
	set target [expr {$full * 3 / 4}]
	set drop [expr {($full - $target) * 1024}]
	monitor_cmd "balloon $target"
	monitor_wait_balloon $target 60
	set kb1 [::profile::mem_kb]
	# Allow an eighth of the drop for the guest's own bookkeeping.
	if {$kb0 - $kb1 < $drop * 7 / 8} {
		fail "balloon at $target MiB but guest memory went only\
		    $kb0 -> $kb1 KiB"
	}
	monitor_cmd "balloon $full"
	monitor_wait_balloon $full 60
	set kb2 [::profile::mem_kb]
	if {$kb2 < $kb0 - $drop / 8} {
		fail "balloon back at $full MiB but guest memory only\
		    $kb1 -> $kb2 KiB (was $kb0)"
	}
	return "balloon $full -> $target -> $full MiB; guest memory\
	    $kb0 -> $kb1 -> $kb2 KiB"
}

# --- entry point ---------------------------------------------------------

proc check_main {name argv} {
	global opt check libdir
	set check $name
	parse_args $argv
	if {$opt(verbose)} {
		log_user 1
	}
	set pfile [file join $libdir profiles $opt(guest).tcl]
	if {![file exists $pfile]} {
		usage "no expect profile for guest $opt(guest) ($pfile)"
	}
	namespace eval ::profile [list variable prompt $::fact(prompt)]
	source $pfile
	# Whatever happens, give up in bounded time.
	after [expr {[secs 300] * 1000}] {fail "check did not finish in time"}
	serial_connect
	if {[info procs ::profile::attach] ne ""} {
		::profile::attach
	} else {
		serial_sync
	}
	if {[info procs ::profile::$name] ne ""} {
		pass [::profile::$name]
	} elseif {[info procs ::generic_$name] ne ""} {
		pass [::generic_$name]
	}
	fail "guest profile $opt(guest) has no $name check"
}
