/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/* Code to count: branches taken a few times, and a function never run. */

int	workload(int);
int	never_called(int);

static int
square_or_halve(int x)
{

	if (x % 2 == 0)
		return (x * x);
	return (x / 2);
}

int
never_called(int x)
{

	return (x + 1);
}

int
workload(int x)
{
	int i, sum = 0;

	for (i = 0; i < x; i++)
		sum += square_or_halve(i);
	if (x > 100)
		sum = never_called(sum);
	return (sum);
}
