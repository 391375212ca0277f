/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * A small printf: %d %i %u %x %X %p %s %c %%, with the flags '-', '0'
 * and '#', a field width, and the length modifiers l, ll and z.
 */

#include "console.h"

struct sink {
	char	*buf;		/* NULL: the console */
	size_t	 len;
	size_t	 pos;
};

static void
sink_put(struct sink *s, char c)
{

	if (s->buf == NULL)
		console_putc(c);
	else if (s->pos + 1 < s->len)
		s->buf[s->pos] = c;
	s->pos++;
}

static void
put_padded(struct sink *s, const char *str, size_t n, int width, bool left,
    char pad)
{
	int fill = width > (int)n ? width - (int)n : 0;

	if (!left && pad == '0' && n > 0 && str[0] == '-') {
		sink_put(s, *str++);
		n--;
	}
	while (!left && fill-- > 0)
		sink_put(s, pad);
	while (n-- > 0)
		sink_put(s, *str++);
	while (left && fill-- > 0)
		sink_put(s, ' ');
}

static size_t
format_uint(char *end, uint64_t v, unsigned int base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char *p = end;

	do {
		*--p = digits[v % base];
		v /= base;
	} while (v != 0);
	return ((size_t)(end - p));
}

static int
format(struct sink *s, const char *fmt, va_list ap)
{
	char num[24];
	const char *str;
	size_t n;
	uint64_t u;
	int64_t i;
	int width, lng;
	bool left, alt;
	char pad;

	for (; *fmt != '\0'; fmt++) {
		if (*fmt != '%') {
			sink_put(s, *fmt);
			continue;
		}
		fmt++;
		left = false;
		alt = false;
		pad = ' ';
		width = 0;
		lng = 0;
		for (;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '#')
				alt = true;
			else if (*fmt == '0')
				pad = '0';
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i':
			i = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			u = i < 0 ? -(uint64_t)i : (uint64_t)i;
			n = format_uint(num + sizeof(num), u, 10, false);
			if (i < 0)
				num[sizeof(num) - ++n] = '-';
			put_padded(s, num + sizeof(num) - n, n, width, left,
			    pad);
			break;
		case 'u':
		case 'x':
		case 'X':
			u = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
			n = format_uint(num + sizeof(num), u,
			    *fmt == 'u' ? 10 : 16, *fmt == 'X');
			if (alt && *fmt != 'u') {
				num[sizeof(num) - ++n] = 'x';
				num[sizeof(num) - ++n] = '0';
			}
			put_padded(s, num + sizeof(num) - n, n, width, left,
			    pad);
			break;
		case 'p':
			u = (uintptr_t)va_arg(ap, void *);
			n = format_uint(num + sizeof(num), u, 16, false);
			num[sizeof(num) - ++n] = 'x';
			num[sizeof(num) - ++n] = '0';
			put_padded(s, num + sizeof(num) - n, n, width, left,
			    pad);
			break;
		case 's':
			str = va_arg(ap, const char *);
			if (str == NULL)
				str = "(null)";
			for (n = 0; str[n] != '\0'; n++)
				continue;
			put_padded(s, str, n, width, left, ' ');
			break;
		case 'c':
			num[0] = (char)va_arg(ap, int);
			put_padded(s, num, 1, width, left, ' ');
			break;
		case '\0':
			fmt--;
			break;
		default:
			sink_put(s, *fmt);
			break;
		}
	}
	if (s->buf != NULL && s->len > 0)
		s->buf[s->pos < s->len ? s->pos : s->len - 1] = '\0';
	return ((int)s->pos);
}

int
vprintf(const char *fmt, va_list ap)
{
	struct sink s = { NULL, 0, 0 };

	return (format(&s, fmt, ap));
}

int
printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return (n);
}

int
vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
	struct sink s = { buf, len, 0 };

	return (format(&s, fmt, ap));
}

int
snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return (n);
}
