/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The dfly-virtio Project. */

#ifndef MINI_DEVICES_H
#define MINI_DEVICES_H

void	devices_attach(void);

#endif /* MINI_DEVICES_H */
