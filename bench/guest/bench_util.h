/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the static guest programs of the wsk benchmarks
 * (header only: each program is one translation unit).
 */
#ifndef _BENCH_UTIL_H
#define _BENCH_UTIL_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* CLOCK_MONOTONIC in ns: the clock ktime_get() reads in the kernel. */
static inline long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline noreturn void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static inline void loopback_addr(struct sockaddr_in *sin, int port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

static inline void raise_nofile(unsigned long n)
{
	struct rlimit rl = { .rlim_cur = n, .rlim_max = n };

	if (setrlimit(RLIMIT_NOFILE, &rl))
		fail("setrlimit(RLIMIT_NOFILE, %lu): %s", n, strerror(errno));
}

static inline void touch_file(const char *path)
{
	int fd;

	if (!path)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		fail("%s: %s", path, strerror(errno));
	close(fd);
}

/* A listener on 127.0.0.1:port whose accepted sockets close with an RST. */
static inline int bench_listener(int port, int backlog)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct timeval tv = { .tv_sec = 1 };
	struct sockaddr_in sin;
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fail("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* Children inherit SO_LINGER {1, 0}: close() resets, as the kernel servers do. */
	if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
		fail("SO_LINGER: %s", strerror(errno));
	/* Bounds a blocking accept() so the deadline is checked. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	loopback_addr(&sin, port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
		fail("bind to port %d: %s", port, strerror(errno));
	if (listen(fd, backlog))
		fail("listen: %s", strerror(errno));
	return fd;
}

struct srv_rec {
	long long t;
	unsigned int port;
};

/* The state and output common to the userspace servers (bench_srv.h's format). */
struct srv_stats {
	long long accepted, closed, errors;
	long long t_start, t_ready, t_last_accept, t_last_close;
	struct srv_rec *recs;
	long long nrec, cap;
};

static inline void srv_stats_init(struct srv_stats *st, long long cap)
{
	memset(st, 0, sizeof(*st));
	st->cap = cap;
	st->recs = calloc(cap ? cap : 1, sizeof(*st->recs));
	if (!st->recs)
		fail("out of memory");
}

static inline void srv_record(struct srv_stats *st, unsigned int port, long long t)
{
	if (st->nrec < st->cap) {
		st->recs[st->nrec].t = t;
		st->recs[st->nrec].port = port;
		st->nrec++;
	}
	st->accepted++;
	st->t_last_accept = t;
}

static inline void srv_report(const struct srv_stats *st, const char *recfile)
{
	long long i;

	printf("listening 0\naccepted %lld\nclosed %lld\nerrors %lld\nrecords %lld\n",
	       st->accepted, st->closed, st->errors, st->nrec);
	printf("t_start %lld\nt_ready %lld\nt_last_accept %lld\nt_last_close %lld\n",
	       st->t_start, st->t_ready, st->t_last_accept, st->t_last_close);
	if (recfile) {
		FILE *f = fopen(recfile, "w");

		if (!f)
			fail("%s: %s", recfile, strerror(errno));
		for (i = 0; i < st->nrec; i++)
			fprintf(f, "%u %lld\n", st->recs[i].port, st->recs[i].t);
		fclose(f);
	}
}

#endif /* _BENCH_UTIL_H */
