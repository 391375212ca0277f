# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
#
# What install.exp and firstboot.exp share: progress lines with the elapsed
# time, and failing with one line that names the serial log.

set dimg_t0 [clock seconds]

proc dimg_init {label logpath} {
	global dimg_label dimg_log
	set dimg_label $label
	set dimg_log $logpath
	log_user 0
	log_file -a -noappend $logpath
}

proc progress {msg} {
	global dimg_t0 dimg_label
	puts [format "\[dimg\]   %s: %s (+%ds)" $dimg_label $msg \
	    [expr {[clock seconds] - $dimg_t0}]]
	flush stdout
}

proc fail {msg} {
	global dimg_label dimg_log
	puts "\[dimg\]   $dimg_label FAILED: $msg"
	puts "\[dimg\]   serial log: $dimg_log"
	flush stdout
	catch {exec kill [exp_pid]}
	catch {close}
	catch {wait}
	exit 1
}

# Start QEMU (the rest of argv) under expect.
proc dimg_spawn {argv} {
	global spawn_id
	if {[catch {spawn -noecho {*}$argv} err]} {
		fail "cannot start QEMU: $err"
	}
}
