/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

#include "console.h"
#include "intr.h"
#include "mem.h"
#include "mmio.h"
#include "paging.h"
#include "shell.h"

#define MMIO_KEY	"virtio_mmio.device="
#define MMIO_SIZE_MAX	(1ULL << 20)

static char *
find_char(char *s, char c)
{

	for (; *s != '\0'; s++)
		if (*s == c)
			return (s);
	return (NULL);
}

/* A size as Linux's memparse() writes it: a number, then K or M. */
static bool
parse_size(char *s, uint64_t *v)
{
	size_t n = strlen(s);
	uint64_t mult = 1;

	if (n > 0 && (s[n - 1] == 'K' || s[n - 1] == 'k'))
		mult = 1024;
	else if (n > 0 && (s[n - 1] == 'M' || s[n - 1] == 'm'))
		mult = 1024 * 1024;
	if (mult != 1)
		s[n - 1] = '\0';
	if (!parse_u64(s, v) || *v > MMIO_SIZE_MAX / mult)
		return (false);
	*v *= mult;
	return (true);
}

/* SIZE@BASE:IRQ[:ID], the ID (a platform device number) ignored. */
static bool
parse_window(char *s, struct mmio_window *w)
{
	char *base, *irq, *id;
	uint64_t v;

	if ((base = find_char(s, '@')) == NULL ||
	    (irq = find_char(base, ':')) == NULL)
		return (false);
	*base++ = '\0';
	*irq++ = '\0';
	if ((id = find_char(irq, ':')) != NULL)
		*id = '\0';
	if (!parse_size(s, &w->size) || w->size == 0 ||
	    !parse_u64(base, &w->base) || w->base == 0 ||
	    w->base + w->size > MEM_MAX_PHYS ||
	    !parse_u64(irq, &v) || v >= IOAPIC_PINS)
		return (false);
	w->irq = (int)v;
	return (true);
}

int
mmio_scan(struct mmio_window *w, int max)
{
	const char *p = mem_cmdline();
	char word[80], spec[80];
	size_t len;
	int n = 0;

	while (*p != '\0' && n < max) {
		while (*p == ' ')
			p++;
		for (len = 0; p[len] != '\0' && p[len] != ' '; len++)
			;
		if (len > strlen(MMIO_KEY) && len < sizeof(word) &&
		    memcmp(p, MMIO_KEY, strlen(MMIO_KEY)) == 0) {
			memcpy(word, p, len);
			word[len] = '\0';
			memcpy(spec, word, len + 1);
			if (parse_window(spec + strlen(MMIO_KEY), &w[n]) &&
			    paging_map_mmio(w[n].base, w[n].size) == 0)
				n++;
			else
				printf("mmio: ignoring \"%s\"\n", word);
		}
		p += len;
	}
	return (n);
}
