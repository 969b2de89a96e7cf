/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the guest programs share. Each program in tools/guest/ is one static binary
 * (tools/vm/guest-programs.sh), so these are static; a program that
 * includes this defines bad_usage() (print its usage, exit 2).
 */
#ifndef WSK_GUEST_H
#define WSK_GUEST_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

static void bad_usage(const char *prog);

static inline int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A decimal argument in [min, max], or the usage and exit 2. */
static inline long parse_num(const char *s, long min, long max, const char *prog)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max)
		bad_usage(prog);
	return v;
}

#endif /* WSK_GUEST_H */
