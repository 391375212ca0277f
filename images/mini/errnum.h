/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/* Error numbers (the BSD values), for the core and the kernel alike. */

#ifndef MINI_ERRNUM_H
#define MINI_ERRNUM_H

#define ENOENT		2
#define EIO		5
#define ENXIO		6
#define E2BIG		7
#define ENOMEM		12
#define EBUSY		16
#define EINVAL		22
#define ENOSPC		28
#define EROFS		30
#define EAGAIN		35
#define EOPNOTSUPP	45
#define ETIMEDOUT	60
#define EHOSTUNREACH	65

#endif /* MINI_ERRNUM_H */
