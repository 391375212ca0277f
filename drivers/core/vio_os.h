/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * vio_os.h: the one header through which the core reaches its OS binding.
 *
 * The build names the binding's header with -DVIO_OS_H=FILE (for example
 * -DVIO_OS_H=vio_os_mini.h), so every binding's header says which binding
 * it is and a tree holds exactly one vio_os.h.  The contract each binding
 * header fulfils is vio_os_example.h.
 */

#ifndef VIO_OS_H
#error "the build must name the OS binding's header: -DVIO_OS_H=vio_os_NAME.h"
#endif

#define	VIO_OS_STRINGIFY(x)	#x
#define	VIO_OS_HEADER(x)	VIO_OS_STRINGIFY(x)
#include VIO_OS_HEADER(VIO_OS_H)
