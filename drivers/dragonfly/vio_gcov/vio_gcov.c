/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * vio_gcov: our own gcov runtime, linked uninstrumented into each of our
 * modules by the coverage build (mk/46-dragonfly-coverage.mk), in the
 * way Linux's kernel/gcov serves its kernel.  gcc's -fprofile-arcs
 * counts arcs in the module's other objects; -fprofile-info-section puts
 * a pointer to each object's gcov_info in the section set_vio_gcov, which
 * the kernel linker resolves as a linker set, so nothing relies on
 * constructors (the kernel runs none in modules).
 *
 * The counters leave as text lines, each closed by an FNV-1a checksum of
 * the line, so that the host (gcov/gcda.py) can tell a whole dump from a
 * torn one and turn it into .gcda files:
 *
 *   - reading the sysctl debug.vio_gcov.MODULE (the guest init's `gcov`
 *     command prints it on the console);
 *   - at kldunload, on the console by kprintf, since the counters of a
 *     module go with its memory.
 *
 * MODULE is the folder of the module's objects (vio_pci, vioblk, ...),
 * the last folder of the first gcov_info's file name.
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/kernel.h>
#include <sys/linker_set.h>
#include <sys/sysctl.h>

#include <machine/stdarg.h>

/* The layout of gcc 12's and 13's gcov_info (gcc/gcov-io.h, libgcov.h). */
#if !defined(__GNUC__) || defined(__clang__) || __GNUC__ < 12 || __GNUC__ > 13
#error "vio_gcov knows the gcov_info of gcc 12 and 13 only"
#endif
#define GCOV_COUNTERS	8

typedef uint32_t	gcov_unsigned_t;
typedef int64_t		gcov_type;
typedef void		(*gcov_merge_fn)(gcov_type *, gcov_unsigned_t);

struct gcov_ctr_info {
	gcov_unsigned_t	num;
	gcov_type	*values;
};

struct gcov_info;

struct gcov_fn_info {
	const struct gcov_info	*key;
	gcov_unsigned_t		ident;
	gcov_unsigned_t		lineno_checksum;
	gcov_unsigned_t		cfg_checksum;
	struct gcov_ctr_info	ctrs[1];
};

struct gcov_info {
	gcov_unsigned_t		version;
	struct gcov_info	*next;
	gcov_unsigned_t		stamp;
	gcov_unsigned_t		checksum;
	const char		*filename;
	gcov_merge_fn		merge[GCOV_COUNTERS];
	gcov_unsigned_t		n_functions;
	const struct gcov_fn_info *const *functions;
};

SET_DECLARE(vio_gcov, struct gcov_info);
/* The set exists (and links) even where no object was instrumented. */
static struct gcov_info *gcov_none __section("set_vio_gcov") __used;

/* Named in every gcov_info's merge[]; only libgcov's merge calls it. */
void	__gcov_merge_add(gcov_type *, gcov_unsigned_t);

void
__gcov_merge_add(gcov_type *counters __unused, gcov_unsigned_t n __unused)
{
}

#define GCOV_LINE	200
#define GCOV_PER_LINE	8

/* Where a dump goes: a sysctl request, or the console when req is NULL. */
struct gcov_out {
	struct sysctl_req	*req;
	int			error;
	u_int			lines;
};

static char			gcov_module[32] = "unknown";
static struct sysctl_ctx_list	gcov_ctx;

static uint32_t
gcov_fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return (h);
}

static void gcov_emit(struct gcov_out *, const char *, ...) __printflike(2, 3);

static void
gcov_emit(struct gcov_out *out, const char *fmt, ...)
{
	char line[GCOV_LINE + 16];
	__va_list ap;
	size_t n;

	if (out->error != 0)
		return;
	__va_start(ap, fmt);
	kvsnprintf(line, GCOV_LINE, fmt, ap);
	__va_end(ap);
	n = strlen(line);
	ksnprintf(line + n, sizeof(line) - n, " *%08x\n", gcov_fnv1a(line));
	out->lines++;
	if (out->req == NULL)
		kprintf("%s", line);
	else
		out->error = SYSCTL_OUT(out->req, line, strlen(line));
}

static void
gcov_dump_values(struct gcov_out *out, const gcov_type *v, gcov_unsigned_t n)
{
	char line[GCOV_LINE];
	gcov_unsigned_t i;
	size_t len;

	len = 0;
	for (i = 0; i < n; i++) {
		if (i % GCOV_PER_LINE == 0)
			len = strlcpy(line, "gcov-val", sizeof(line));
		len += ksnprintf(line + len, sizeof(line) - len, " %llx",
		    (unsigned long long)v[i]);
		if (i % GCOV_PER_LINE == GCOV_PER_LINE - 1 || i + 1 == n)
			gcov_emit(out, "%s", line);
	}
}

static void
gcov_dump_fn(struct gcov_out *out, const struct gcov_info *gi,
    gcov_unsigned_t ix)
{
	const struct gcov_fn_info *fn = gi->functions[ix];
	const struct gcov_ctr_info *ctr;
	int t;

	/* A function that another object's gcov_info owns (comdat). */
	if (fn == NULL || fn->key != gi) {
		gcov_emit(out, "gcov-fn %x -", ix);
		return;
	}
	gcov_emit(out, "gcov-fn %x %x %x %x", ix, fn->ident,
	    fn->lineno_checksum, fn->cfg_checksum);
	ctr = fn->ctrs;
	for (t = 0; t < GCOV_COUNTERS; t++) {
		if (gi->merge[t] == NULL)
			continue;
		gcov_emit(out, "gcov-ctr %x %x", t, ctr->num);
		gcov_dump_values(out, ctr->values, ctr->num);
		ctr++;
	}
}

/* WHY is "sysctl" or "unload": an unload dump is its instance's last. */
static void
gcov_dump(struct gcov_out *out, const char *why)
{
	struct gcov_info **gip;
	const struct gcov_info *gi;
	gcov_unsigned_t i, mask;
	int t;

	gcov_emit(out, "gcov-begin %s %s", gcov_module, why);
	SET_FOREACH(gip, vio_gcov) {
		gi = *gip;
		if (gi == NULL)
			continue;
		mask = 0;
		for (t = 0; t < GCOV_COUNTERS; t++)
			if (gi->merge[t] != NULL)
				mask |= 1u << t;
		gcov_emit(out, "gcov-info %x %x %x %x %x %s", gi->version,
		    gi->stamp, gi->checksum, mask, gi->n_functions,
		    gi->filename);
		for (i = 0; i < gi->n_functions; i++)
			gcov_dump_fn(out, gi, i);
	}
	gcov_emit(out, "gcov-end %s %u", gcov_module, out->lines);
}

static int
gcov_sysctl(SYSCTL_HANDLER_ARGS)
{
	struct gcov_out out = { .req = req };

	gcov_dump(&out, "sysctl");
	if (out.error == 0)
		out.error = SYSCTL_OUT(req, "", 1);
	return (out.error);
}

/* The module's name: the last folder of its objects' file names. */
static void
gcov_name(void)
{
	struct gcov_info **gip;
	const char *f, *end, *start;

	f = NULL;
	SET_FOREACH(gip, vio_gcov) {
		if (*gip != NULL) {
			f = (*gip)->filename;
			break;
		}
	}
	end = f == NULL ? NULL : strrchr(f, '/');
	if (end == NULL)
		return;
	for (start = end; start > f && start[-1] != '/'; start--)
		continue;
	if ((size_t)(end - start) < sizeof(gcov_module)) {
		memcpy(gcov_module, start, end - start);
		gcov_module[end - start] = '\0';
	}
}

static void
gcov_load(void *arg __unused)
{
	struct sysctl_oid *node;

	gcov_name();
	sysctl_ctx_init(&gcov_ctx);
	node = SYSCTL_ADD_NODE(&gcov_ctx, SYSCTL_STATIC_CHILDREN(_debug),
	    OID_AUTO, "vio_gcov", CTLFLAG_RD, 0,
	    "line coverage counters of the dfly-virtio modules");
	if (node == NULL)
		return;
	SYSCTL_ADD_PROC(&gcov_ctx, SYSCTL_CHILDREN(node), OID_AUTO,
	    gcov_module, CTLTYPE_STRING | CTLFLAG_RD, NULL, 0, gcov_sysctl,
	    "A", "gcov counters as checksummed text lines");
}

static void
gcov_unload(void *arg __unused)
{
	struct gcov_out out = { .req = NULL };

	sysctl_ctx_free(&gcov_ctx);
	gcov_dump(&out, "unload");
}

SYSINIT(vio_gcov, SI_SUB_DRIVERS, SI_ORDER_ANY, gcov_load, NULL);
SYSUNINIT(vio_gcov, SI_SUB_DRIVERS, SI_ORDER_ANY, gcov_unload, NULL);
