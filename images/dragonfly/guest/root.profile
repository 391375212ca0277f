# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
#
# /root/.profile of the dfly-virtio test image: getty logs root in on
# ttyd0 by itself (autologin), and the harness waits for the marker.
# dfly_pfi.py fills in the prompt and the marker from the guest's profile
# (harness/profiles/dragonfly_media.py).
PATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin
export PATH
PS1='@PROMPT@'
echo @READY_MARKER@
