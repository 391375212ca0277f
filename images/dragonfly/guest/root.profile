# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
#
# /root/.profile of the dfly-virtio test image: getty logs root in on
# ttyd0 by itself (autologin), and the harness waits for the marker.
PATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin
export PATH
PS1='dfly# '
echo DFLY-VIRTIO-DRAGONFLY-READY
