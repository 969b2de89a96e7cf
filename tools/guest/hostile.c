// SPDX-License-Identifier: GPL-2.0
/*
 * hostile: a hostile TCP peer for the wsk_echo sample.
 *
 *   hostile [-a ADDR] [-p PORT] [-6] [-n COUNT] [-s SIZE] [-t SECONDS] [-w MS]
 *           [-i MS] SCENARIO
 *
 * Plays one SCENARIO against an echo server (every byte sent comes back, in
 * order; the peer's FIN is answered with the server's own FIN once the echo
 * is out) at ADDR:PORT, COUNT times (one connection after the other; the
 * flood opens them all at once). Every connection must be done within
 * SECONDS (-t, default 20): a connection still going then is a violation,
 * the server having looped or stalled.
 *
 * Urgent data (MSG_OOB; the last byte of an MSG_OOB send is the urgent
 * byte). The echo must be exactly what recv(2) without MSG_OOB would have
 * read on the server: the data without the urgent bytes, every other byte
 * once and in order, then EOF. Data bytes are 0x00-0x7f, urgent bytes 0x80
 * and up, each its own value. An urgent byte that a newer one replaced
 * (before the server read up to it, or before the server had it) may be
 * in-band: Linux then leaves it in the stream. The last one never is, nor
 * one whose successor waited for both. The echo may not be longer than the
 * stream (it is cut off there, so a server echoing a byte over and over is
 * caught at once).
 *   urg-alone    only an urgent byte, then FIN: the echo is empty
 *   urg-first    the urgent byte first, then SIZE bytes
 *   urg-last     SIZE bytes, the urgent byte, FIN
 *   urg-middle   SIZE/2 bytes, the urgent byte, SIZE/2 bytes
 *   urg-repeat   4 times: SIZE/16 bytes and an urgent byte, then wait for
 *                the echo of everything so far and for the urgent byte to
 *                be acknowledged, and pause -w MS (default 200); SIZE/16
 *                bytes at the end. No urgent byte in-band.
 *   urg-burst    4 urgent bytes in a row, 3 more with SIZE/16 bytes between,
 *                then SIZE bytes
 *
 * Resets (SO_LINGER {1, 0} and close()), the echo read so far checked:
 *   rst-connect    right after the connection is established
 *   rst-handshake  a non-blocking connect() and close() at once (the reset
 *                  may come during the handshake or just after it)
 *   rst-data       after sending SIZE bytes (default 64 KiB), before any echo
 *                  came back
 *   rst-echo       after reading half of the echo of SIZE bytes
 *   rst-zerowin    a 4 KiB receive buffer, SIZE bytes (default 4 MiB) sent
 *                  without reading until sending blocks for -w MS (the
 *                  server's sends are queued behind our zero window), then
 *                  the reset; sending never blocking is a violation
 *   rst-fin        a 4 KiB receive buffer, SIZE bytes (default 256 KiB) sent
 *                  without reading, our FIN, and -w MS later the reset: the
 *                  server's FIN is queued behind its echo (sending must not
 *                  block: the server has to take all SIZE bytes)
 *
 * The rest:
 *   half-close   SIZE bytes sent (reading only as needed), shutdown(SHUT_WR),
 *                then the whole echo and EOF
 *   zero-window  a 4 KiB receive buffer, SIZE bytes sent for -w MS without
 *                reading (sending must block: the window is closed), then
 *                everything read back and EOF
 *   slow         SIZE bytes, one every -i MS (default 20), TCP_NODELAY; the
 *                echo read as it comes, then EOF
 *   flood        COUNT connections at once (more than the server's backlog),
 *                each SIZE bytes echoed and EOF. Each connection TCP
 *                admitted must end within the bound: echoed, refused or
 *                reset; one that times out, hangs or gets a wrong echo is a
 *                violation. A connect still unanswered at the bound is
 *                counted as "unadmitted", not as a violation: the server's
 *                TCP dropped every SYN it sent (without SYN cookies a full
 *                queue drops SYNs, and the dropped clients retry together
 *                after 1, 3, 7, 15, 31 s, each wave overflowing again), so
 *                the server never had it. A server that stops taking
 *                connections is still caught: those its TCP admitted time
 *                out in the echo
 *   hold         COUNT connections opened one after the other, a byte
 *                echoed on each, "held COUNT" on stderr, then -w MS idle
 *                and all closed at once (a FIN each, no wait for the
 *                server's): for tests that change the network meanwhile;
 *                a failed connect or echo is a violation
 *
 * Output: one JSON line on stdout,
 *
 * {"scenario":S,"family":4|6,"connections":N,"connected":N,"bytes_sent":N,
 *  "bytes_echoed":N,"urgent_sent":N,"urgent_inband":N,"eofs":N,"resets_sent":N,
 *  "refused":N,"reset_by_peer":N,"timedout":N,"unadmitted":N,"unread_at_stall":N,
 *  "violations":N,"elapsed_ms":N,"first_violation":S}
 *
 * ("timedout": connections the bound passed on once connected;
 * "unadmitted": connects the bound passed on; "unread_at_stall": bytes sent
 * without reading when sending blocked, the largest of the run). Each
 * violation is also described on stderr. Exit status 0 without violations,
 * 1 with, 2 on a usage or setup error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"

#define IO_CHUNK	(256 * 1024)
#define MAX_SIZE	(64L << 20)
#define SMALL_RCVBUF	4096
#define URG_BASE	0x80	/* urgent bytes: URG_BASE + i; data bytes below */

static struct {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	const char *scenario;
	long count;
	long size;
	long bound_ms;
	long wait_ms;
	long interval_ms;
	pthread_barrier_t start;
	pthread_mutex_t lock;		/* protects first */
	char first[240];		/* the first violation, for the JSON line */
	atomic_long violations;
	atomic_long connected;
	atomic_long bytes_sent;
	atomic_long bytes_echoed;
	atomic_long urgent_sent;
	atomic_long urgent_inband;
	atomic_long eofs;
	atomic_long resets_sent;
	atomic_long refused;
	atomic_long reset_by_peer;
	atomic_long timedout;
	atomic_long unadmitted;
	atomic_long unread_at_stall;
} g;

static void violation(long id, const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	char *p;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "hostile %s: connection %ld: %s\n", g.scenario, id, msg);
	atomic_fetch_add(&g.violations, 1);
	/* It goes into a JSON string: nothing that would need escaping. */
	for (p = msg; *p; p++)
		if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20)
			*p = '?';
	pthread_mutex_lock(&g.lock);
	if (!g.first[0])
		snprintf(g.first, sizeof(g.first), "connection %ld: %s", id, msg);
	pthread_mutex_unlock(&g.lock);
}

static void max_store(atomic_long *v, long x)
{
	long cur = atomic_load(v);

	while (x > cur && !atomic_compare_exchange_weak(v, &cur, x))
		;
}

/* xorshift64*: a cheap, reproducible pseudo-random stream of data bytes. */
static uint64_t prng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

/* Data bytes are 0x00-0x7f: the values from URG_BASE on are urgent bytes. */
static void fill_data(unsigned char *buf, long len, long id)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL * (uint64_t)(id + 1), v = 0;
	long i;

	for (i = 0; i < len; i++) {
		if (!(i % 8))
			v = prng_next(&s);
		buf[i] = (v >> (8 * (i % 8))) & 0x7f;
	}
}

/* poll() one fd until @deadline (ms): revents, 0 on timeout, -errno on error. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int64_t left;
	int ret;

	for (;;) {
		left = deadline - now_ms();
		ret = poll(&pfd, 1, left > 0 ? (int)left : 0);
		if (ret > 0)
			return pfd.revents;
		if (!ret)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

static int set_int(int fd, int level, int name, int val)
{
	return setsockopt(fd, level, name, &val, sizeof(val)) ? errno : 0;
}

/* close() that resets the connection instead of a FIN. */
static void rst_close(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
		fprintf(stderr, "hostile: SO_LINGER: %s\n", strerror(errno));
	close(fd);
	atomic_fetch_add(&g.resets_sent, 1);
}

struct conn_opts {
	int rcvbuf;	/* SO_RCVBUF before connect(), 0: default */
	int nodelay;	/* TCP_NODELAY */
};

/* A non-blocking connection, established by @deadline. Returns the fd or -errno. */
static int open_conn(const struct conn_opts *o, int64_t deadline)
{
	socklen_t len;
	int fd, err, r;

	fd = socket(g.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	err = o->rcvbuf ? set_int(fd, SOL_SOCKET, SO_RCVBUF, o->rcvbuf) : 0;
	if (!err && o->nodelay)
		err = set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1);
	if (err)
		goto fail;
	if (!connect(fd, (struct sockaddr *)&g.addr, g.addrlen))
		goto connected;
	err = errno;
	if (err != EINPROGRESS)
		goto fail;
	r = wait_fd(fd, POLLOUT, deadline);
	if (r <= 0) {
		err = r ? -r : ETIMEDOUT;
		goto fail;
	}
	len = sizeof(err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		err = errno;
	if (err)
		goto fail;
connected:
	atomic_fetch_add(&g.connected, 1);
	return fd;
fail:
	close(fd);
	return -err;
}

/*
 * One connection's streams: @out is sent in order, the echo is kept in @in,
 * which holds at most @in_cap bytes (more is an error: @extra counts them).
 */
struct sess {
	long id;
	int fd;
	const unsigned char *out;
	long sent;
	unsigned char *in;
	long in_cap;
	long got;
	long extra;
	int eof;
	int err;	/* errno of a failed send or receive, ETIMEDOUT at the deadline */
};

/* Read what is there. Returns -1 once the stream ended or failed. */
static int sess_recv(struct sess *s)
{
	unsigned char scratch[4096];
	long room = s->in_cap - s->got;
	ssize_t n;

	if (room > 0)
		n = recv(s->fd, s->in + s->got, room < IO_CHUNK ? room : IO_CHUNK, 0);
	else
		n = recv(s->fd, scratch, sizeof(scratch), 0);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		s->err = errno;
		return -1;
	}
	if (!n) {
		s->eof = 1;
		return -1;
	}
	if (room > 0)
		s->got += n;
	else
		s->extra += n;
	return s->extra ? -1 : 0;
}

#define PUMP_READ	1	/* read the echo meanwhile */
#define PUMP_SOFT	2	/* @deadline only ends a wait: not an error */

/*
 * Send @out up to offset @send_to and (with PUMP_READ) read until @got_to
 * bytes of echo are in. Returns 0 when both are done, 1 at a PUMP_SOFT
 * deadline, -1 on error, EOF, excess echo or the deadline (@err ETIMEDOUT).
 */
static int pump(struct sess *s, long send_to, long got_to, int flags, int64_t deadline)
{
	short ev;
	ssize_t n;
	long len;
	int r;

	for (;;) {
		if (s->sent >= send_to && (!(flags & PUMP_READ) || s->got >= got_to))
			return 0;
		if (s->err || s->eof || s->extra)
			return -1;
		ev = s->sent < send_to ? POLLOUT : 0;
		if (flags & PUMP_READ)
			ev |= POLLIN;
		r = wait_fd(s->fd, ev, deadline);
		if (r < 0) {
			s->err = -r;
			return -1;
		}
		if (!r) {
			if (flags & PUMP_SOFT)
				return 1;
			s->err = ETIMEDOUT;
			return -1;
		}
		if (s->sent < send_to && (r & (POLLOUT | POLLERR | POLLHUP))) {
			len = send_to - s->sent < IO_CHUNK ? send_to - s->sent : IO_CHUNK;
			n = send(s->fd, s->out + s->sent, len, MSG_NOSIGNAL);
			if (n > 0) {
				s->sent += n;
			} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
				s->err = errno;
				return -1;
			}
		}
		if ((flags & PUMP_READ) && (r & (POLLIN | POLLERR | POLLHUP)) && sess_recv(s))
			return -1;
	}
}

/* Why the session stopped, for a violation message. */
static const char *sess_why(const struct sess *s)
{
	if (s->extra)
		return "echo longer than the stream";
	if (s->eof)
		return "early EOF";
	if (s->err == ETIMEDOUT)
		return "timed out (the bound passed)";
	return s->err ? strerror(s->err) : "?";
}

static void sess_count_err(const struct sess *s)
{
	if (s->err == ECONNRESET || s->err == EPIPE)
		atomic_fetch_add(&g.reset_by_peer, 1);
	else if (s->err == ETIMEDOUT)
		atomic_fetch_add(&g.timedout, 1);
}

/* Shut down writing, read the rest of the echo until EOF. Returns 0 at EOF. */
static int sess_finish(struct sess *s, int64_t deadline)
{
	if (shutdown(s->fd, SHUT_WR)) {
		s->err = errno;
		return -1;
	}
	pump(s, s->sent, LONG_MAX, PUMP_READ, deadline);
	if (!s->eof || s->err || s->extra)
		return -1;
	atomic_fetch_add(&g.eofs, 1);
	return 0;
}

/* The echo so far must be a prefix of what was sent. */
static int check_prefix(const struct sess *s)
{
	long i;

	if (!memcmp(s->in, s->out, s->got))
		return 0;
	for (i = 0; s->in[i] == s->out[i]; i++)
		;
	violation(s->id, "echo differs at offset %ld: 0x%02x, sent 0x%02x", i, s->in[i],
		  s->out[i]);
	return -1;
}

/* The whole exchange: all @len bytes echoed exactly, then EOF. */
static void check_full(struct sess *s, long len, int64_t deadline)
{
	if (pump(s, len, len, PUMP_READ, deadline) || sess_finish(s, deadline)) {
		sess_count_err(s);
		violation(s->id, "%s after %ld of %ld bytes sent, %ld echoed", sess_why(s),
			  s->sent, len, s->got);
	} else if (s->got != len) {
		violation(s->id, "EOF after %ld of %ld bytes echoed", s->got, len);
	}
	check_prefix(s);
	atomic_fetch_add(&g.bytes_sent, s->sent);
	atomic_fetch_add(&g.bytes_echoed, s->got);
}

/*
 * A connection for @id that sends @len data bytes, with room for @in_cap
 * bytes of echo. Returns 0, or -1 with @err set (sess_close() all the same).
 */
static int sess_open(struct sess *s, long id, long len, long in_cap, const struct conn_opts *o,
		     int64_t deadline)
{
	unsigned char *out;

	memset(s, 0, sizeof(*s));
	s->id = id;
	s->fd = -1;
	out = malloc(len ? len : 1);
	s->out = out;
	s->in = malloc(in_cap ? in_cap : 1);
	if (!out || !s->in) {
		s->err = ENOMEM;
		return -1;
	}
	fill_data(out, len, id);
	s->in_cap = in_cap;
	s->fd = open_conn(o, deadline);
	if (s->fd >= 0)
		return 0;
	s->err = -s->fd;
	if (s->err == ECONNREFUSED)
		atomic_fetch_add(&g.refused, 1);
	else if (s->err == ETIMEDOUT)
		atomic_fetch_add(&g.unadmitted, 1);
	else
		sess_count_err(s);
	return -1;
}

static void sess_close(struct sess *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free((void *)s->out);
	free(s->in);
}

/* ------------------------------------------------------------------------ */
/* Urgent data                                                              */

/*
 * A plan, one letter a step: D SIZE bytes, H SIZE/2, h SIZE/16 (at least 1),
 * u an urgent byte, S wait until the server has read everything before the
 * last urgent byte (its echo is back) and has that byte (all we sent is
 * acknowledged), then pause -w MS. An urgent byte followed by another one
 * with no S between may end up in-band; any other may not.
 *
 * TCP has one urgent pointer: a newer one replaces an older one that the
 * receiver has not yet been told of, or whose byte it has not yet read up
 * to, and that older byte is then in-band (it is "in-band" for recv(2) as
 * well). Hence the two conditions of S: the older byte is known to the
 * server and its reader is at or past it, so recv(2) skips it. (S counts
 * the data bytes only: a plan puts it where no urgent byte may be in-band.)
 */
static const struct {
	const char *name;
	const char *plan;
} urg_plans[] = {
	{ "urg-alone", "u" },
	{ "urg-first", "uD" },
	{ "urg-last", "Du" },
	{ "urg-middle", "HuH" },
	{ "urg-repeat", "huShuShuShuh" },
	{ "urg-burst", "uuuuhuhuhuD" },
};

static long plan_len(char step)
{
	switch (step) {
	case 'D':
		return g.size;
	case 'H':
		return g.size / 2;
	case 'h':
		return g.size / 16 ? g.size / 16 : 1;
	}
	return 0;
}

/* Read the echo until everything sent is acknowledged. Returns 0, or -1. */
static int wait_acked(struct sess *s, int64_t deadline)
{
	int unacked;

	for (;;) {
		if (ioctl(s->fd, SIOCOUTQ, &unacked)) {
			s->err = errno;
			return -1;
		}
		if (!unacked)
			return 0;
		if (now_ms() >= deadline) {
			s->err = ETIMEDOUT;
			return -1;
		}
		if (pump(s, s->sent, LONG_MAX, PUMP_READ | PUMP_SOFT, now_ms() + 10) < 0)
			return -1;
	}
}

/* Send urgent byte @b, reading the echo while the send buffer is full. */
static int send_urgent(struct sess *s, unsigned char b, int64_t deadline)
{
	ssize_t n;
	int r;

	for (;;) {
		n = send(s->fd, &b, 1, MSG_OOB | MSG_NOSIGNAL);
		if (n == 1) {
			atomic_fetch_add(&g.urgent_sent, 1);
			return 0;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			s->err = errno;
			return -1;
		}
		r = wait_fd(s->fd, POLLOUT | POLLIN, deadline);
		if (r < 0 || !r) {
			s->err = r ? -r : ETIMEDOUT;
			return -1;
		}
		if ((r & (POLLIN | POLLERR | POLLHUP)) && sess_recv(s))
			return -1;
	}
}

/*
 * The echo against the expected stream @exp (@n bytes, @opt[i] set where
 * the byte is an urgent byte that may be in-band or not): all of it if
 * @whole, else a prefix of it.
 */
static void check_urgent(const struct sess *s, const unsigned char *exp, const char *opt, long n,
			 int whole)
{
	long i, j = 0, inband = 0, due = 0;
	unsigned char c;

	for (i = 0; i < s->got; i++) {
		c = s->in[i];
		while (j < n && opt[j] && exp[j] != c)
			j++;
		if (j == n) {
			violation(s->id, "echo byte %ld (0x%02x) is past the stream's end", i, c);
			return;
		}
		if (exp[j] != c) {
			violation(s->id, "echo byte %ld is 0x%02x, expected 0x%02x%s", i, c, exp[j],
				  c >= URG_BASE ? ": an urgent byte in the stream" : "");
			return;
		}
		inband += opt[j];
		j++;
	}
	for (; j < n; j++)
		due += !opt[j];
	if (whole && due)
		violation(s->id, "echo short: %ld bytes, %ld more due", s->got, due);
	atomic_fetch_add(&g.urgent_inband, inband);
}

static void run_urgent(long id, const char *plan)
{
	int64_t deadline = now_ms() + g.bound_ms;
	long len = 0, n = 0, mand = 0, off = 0, k;
	unsigned char *exp = NULL, urg = URG_BASE;
	struct conn_opts o = { 0 };
	const char *p, *q;
	char *opt = NULL;
	struct sess s;

	for (p = plan; *p; p++)
		len += plan_len(*p);
	/* Room for the data and for every urgent byte, were they all in-band. */
	if (sess_open(&s, id, len, len + (long)strlen(plan), &o, deadline)) {
		violation(id, "connect: %s", strerror(s.err));
		goto out;
	}
	exp = malloc(s.in_cap);
	opt = malloc(s.in_cap);
	if (!exp || !opt) {
		violation(id, "no memory");
		goto out;
	}
	/* The expected stream: the data, and the urgent bytes that may be in it. */
	for (p = plan; *p; p++) {
		if (*p == 'u') {
			for (q = p + 1; *q && *q != 'u' && *q != 'S'; q++)
				;
			if (*q == 'u') {
				exp[n] = urg;
				opt[n++] = 1;
			}
			urg++;
			continue;
		}
		for (k = plan_len(*p); k > 0; k--) {
			exp[n] = s.out[off++];
			opt[n++] = 0;
		}
	}
	s.in_cap = n;
	/* The plan. */
	off = 0;
	urg = URG_BASE;
	for (p = plan; *p; p++) {
		if (*p == 'u') {
			if (send_urgent(&s, urg++, deadline))
				goto broken;
		} else if (*p == 'S') {
			/* Everything so far echoed: the server has read up to the mark. */
			if (pump(&s, off, mand, PUMP_READ, deadline) || wait_acked(&s, deadline))
				goto broken;
			if (pump(&s, off, LONG_MAX, PUMP_READ | PUMP_SOFT,
				 now_ms() + g.wait_ms) < 0)
				goto broken;
		} else {
			off += plan_len(*p);
			mand += plan_len(*p);
			if (pump(&s, off, 0, PUMP_READ, deadline))
				goto broken;
		}
	}
	if (!sess_finish(&s, deadline)) {
		check_urgent(&s, exp, opt, n, 1);
		goto out;
	}
broken:
	sess_count_err(&s);
	violation(id, "%s after %ld of %ld data bytes sent, %ld echoed", sess_why(&s), s.sent,
		  len, s.got);
	check_urgent(&s, exp, opt, n, 0);
out:
	atomic_fetch_add(&g.bytes_sent, s.sent);
	atomic_fetch_add(&g.bytes_echoed, s.got);
	free(exp);
	free(opt);
	sess_close(&s);
}

/* ------------------------------------------------------------------------ */
/* Resets                                                                   */

static void run_rst_connect(long id)
{
	struct conn_opts o = { 0 };
	int fd;

	fd = open_conn(&o, now_ms() + g.bound_ms);
	if (fd < 0) {
		violation(id, "connect: %s", strerror(-fd));
		return;
	}
	rst_close(fd);
}

static void run_rst_handshake(long id)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int fd;

	fd = socket(g.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg))) {
		violation(id, "socket: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	if (connect(fd, (struct sockaddr *)&g.addr, g.addrlen) && errno != EINPROGRESS)
		violation(id, "connect: %s", strerror(errno));
	close(fd);
	atomic_fetch_add(&g.resets_sent, 1);
}

/* Send all @len bytes without reading, or until sending blocks for -w MS. */
static int send_unread(struct sess *s, long len, int64_t deadline)
{
	int64_t stall = now_ms() + g.wait_ms;
	long before;
	int r;

	for (;;) {
		before = s->sent;
		r = pump(s, len, 0, PUMP_SOFT, stall < deadline ? stall : deadline);
		if (r <= 0)
			return r;
		if (s->sent == before) {
			/* Blocked for -w MS: the window is closed all the way back. */
			max_store(&g.unread_at_stall, s->sent);
			return 1;
		}
		if (now_ms() >= deadline) {
			s->err = ETIMEDOUT;
			return -1;
		}
		stall = now_ms() + g.wait_ms;
	}
}

static void run_rst_data(long id)
{
	int64_t deadline = now_ms() + g.bound_ms;
	struct conn_opts o = { 0 };
	struct sess s;

	if (sess_open(&s, id, g.size, g.size, &o, deadline)) {
		violation(id, "connect: %s", strerror(s.err));
		goto out;
	}
	if (pump(&s, g.size, 0, 0, deadline)) {
		sess_count_err(&s);
		violation(id, "%s after %ld of %ld bytes sent", sess_why(&s), s.sent, g.size);
	}
	atomic_fetch_add(&g.bytes_sent, s.sent);
	rst_close(s.fd);
	s.fd = -1;
out:
	sess_close(&s);
}

static void run_rst_echo(long id)
{
	int64_t deadline = now_ms() + g.bound_ms;
	struct conn_opts o = { 0 };
	struct sess s;

	if (sess_open(&s, id, g.size, g.size, &o, deadline)) {
		violation(id, "connect: %s", strerror(s.err));
		goto out;
	}
	if (pump(&s, g.size, g.size / 2, PUMP_READ, deadline) && s.got < g.size / 2) {
		sess_count_err(&s);
		violation(id, "%s after %ld bytes sent, %ld echoed", sess_why(&s), s.sent, s.got);
	}
	check_prefix(&s);
	atomic_fetch_add(&g.bytes_sent, s.sent);
	atomic_fetch_add(&g.bytes_echoed, s.got);
	rst_close(s.fd);
	s.fd = -1;
out:
	sess_close(&s);
}

/* The server's sends queued behind our zero window, then the reset. */
static void run_rst_zerowin(long id)
{
	int64_t deadline = now_ms() + g.bound_ms;
	struct conn_opts o = { .rcvbuf = SMALL_RCVBUF };
	struct sess s;
	int r;

	if (sess_open(&s, id, g.size, g.size, &o, deadline)) {
		violation(id, "connect: %s", strerror(s.err));
		goto out;
	}
	r = send_unread(&s, g.size, deadline);
	if (r < 0) {
		sess_count_err(&s);
		violation(id, "%s after %ld of %ld bytes sent", sess_why(&s), s.sent, g.size);
	} else if (!r) {
		violation(id, "sending never blocked: %ld bytes taken without a read", s.sent);
	}
	atomic_fetch_add(&g.bytes_sent, s.sent);
	rst_close(s.fd);
	s.fd = -1;
out:
	sess_close(&s);
}

/* All sent and our FIN after it, the echo queued behind our window, then the reset. */
static void run_rst_fin(long id)
{
	int64_t deadline = now_ms() + g.bound_ms;
	struct conn_opts o = { .rcvbuf = SMALL_RCVBUF };
	struct sess s;
	int r;

	if (sess_open(&s, id, g.size, g.size, &o, deadline)) {
		violation(id, "connect: %s", strerror(s.err));
		goto out;
	}
	r = send_unread(&s, g.size, deadline);
	if (r < 0) {
		sess_count_err(&s);
		violation(id, "%s after %ld of %ld bytes sent without a read", sess_why(&s),
			  s.sent, g.size);
	} else if (r) {
		/* Our FIN would wait behind our own data: not this scenario. */
		violation(id, "sending blocked after %ld of %ld bytes: no room for the FIN",
			  s.sent, g.size);
	} else if (shutdown(s.fd, SHUT_WR)) {
		violation(id, "shutdown: %s", strerror(errno));
	} else {
		usleep(g.wait_ms * 1000);
	}
	atomic_fetch_add(&g.bytes_sent, s.sent);
	rst_close(s.fd);
	s.fd = -1;
out:
	sess_close(&s);
}

/* ------------------------------------------------------------------------ */
/* Half-close, zero window, slow peer, flood                                */

static void run_half_close(long id)
{
	int64_t deadline = now_ms() + g.bound_ms;
	struct conn_opts o = { 0 };
	struct sess s;

	if (sess_open(&s, id, g.size, g.size, &o, deadline)) {
		violation(id, "connect: %s", strerror(s.err));
		goto out;
	}
	/* All of it sent, reading only what is there: most of the echo is still due. */
	if (pump(&s, g.size, 0, PUMP_READ, deadline) || sess_finish(&s, deadline)) {
		sess_count_err(&s);
		violation(id, "%s after %ld of %ld bytes sent, %ld echoed", sess_why(&s), s.sent,
			  g.size, s.got);
	} else if (s.got != g.size) {
		violation(id, "EOF after %ld of %ld bytes echoed", s.got, g.size);
	}
	check_prefix(&s);
	atomic_fetch_add(&g.bytes_sent, s.sent);
	atomic_fetch_add(&g.bytes_echoed, s.got);
out:
	sess_close(&s);
}

static void run_zero_window(long id)
{
	struct conn_opts o = { .rcvbuf = SMALL_RCVBUF };
	int64_t deadline = now_ms() + g.bound_ms;
	int64_t read_at = now_ms() + g.wait_ms;
	struct sess s;
	int r;

	if (sess_open(&s, id, g.size, g.size, &o, deadline)) {
		violation(id, "connect: %s", strerror(s.err));
		goto out;
	}
	/* -w MS without a read: sending must stall, the window closed. */
	r = pump(&s, g.size, 0, PUMP_SOFT, read_at);
	if (!r)
		violation(id, "sending never blocked: all %ld bytes taken without a read",
			  g.size);
	else if (r > 0)
		max_store(&g.unread_at_stall, s.sent);
	if (r >= 0)
		check_full(&s, g.size, deadline);
	else
		violation(id, "%s after %ld bytes sent, before any read", sess_why(&s), s.sent);
out:
	sess_close(&s);
}

static void run_slow(long id)
{
	int64_t deadline = now_ms() + g.bound_ms;
	struct conn_opts o = { .nodelay = 1 };
	struct sess s;
	long i;

	if (sess_open(&s, id, g.size, g.size, &o, deadline)) {
		violation(id, "connect: %s", strerror(s.err));
		goto out;
	}
	for (i = 1; i <= g.size; i++) {
		if (pump(&s, i, 0, PUMP_READ, deadline) < 0 ||
		    pump(&s, i, LONG_MAX, PUMP_READ | PUMP_SOFT, now_ms() + g.interval_ms) < 0)
			break;
	}
	check_full(&s, g.size, deadline);
out:
	sess_close(&s);
}

static int64_t flood_deadline;

static void *flood_worker(void *arg)
{
	long id = (long)arg;
	struct conn_opts o = { 0 };
	struct sess s;

	pthread_barrier_wait(&g.start);
	if (sess_open(&s, id, g.size, g.size, &o, flood_deadline)) {
		/* Refused and reset are fair ends, and so is a SYN never answered. */
		if (s.err != ECONNREFUSED && s.err != ECONNRESET && s.err != ETIMEDOUT)
			violation(id, "connect: %s", strerror(s.err));
		goto out;
	}
	if (pump(&s, g.size, g.size, PUMP_READ, flood_deadline) ||
	    sess_finish(&s, flood_deadline)) {
		sess_count_err(&s);
		if (s.err != ECONNRESET && s.err != EPIPE)
			violation(id, "%s after %ld of %ld bytes sent, %ld echoed", sess_why(&s),
				  s.sent, g.size, s.got);
	} else if (s.got != g.size) {
		violation(id, "EOF after %ld of %ld bytes echoed", s.got, g.size);
	}
	check_prefix(&s);
	atomic_fetch_add(&g.bytes_sent, s.sent);
	atomic_fetch_add(&g.bytes_echoed, s.got);
out:
	sess_close(&s);
	return NULL;
}

static int run_flood(void)
{
	pthread_attr_t attr;
	pthread_t *tids;
	long i;

	tids = calloc(g.count, sizeof(*tids));
	if (!tids || pthread_attr_init(&attr) || pthread_attr_setstacksize(&attr, 256 * 1024) ||
	    pthread_barrier_init(&g.start, NULL, g.count)) {
		perror("hostile: flood setup");
		return -1;
	}
	flood_deadline = now_ms() + g.bound_ms;
	for (i = 0; i < g.count; i++) {
		errno = pthread_create(&tids[i], &attr, flood_worker, (void *)i);
		if (errno) {
			perror("hostile: pthread_create");
			return -1;
		}
	}
	/* Every worker is bounded by the deadline: none can outlive it by much. */
	for (i = 0; i < g.count; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	return 0;
}

/*
 * All connections open and each one byte echoed (so the server has them
 * all), "held N" on stderr, -w MS, then all closed at once.
 */
/*
 * What TCP says of @fd, for a violation's message: whether a byte is still
 * unacknowledged and how far the retransmission backed off (TCP's doing),
 * or everything is acknowledged and the peer just sends nothing.
 */
static const char *tcp_state_of(int fd)
{
	static __thread char buf[96];
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return "no TCP_INFO";
	snprintf(buf, sizeof(buf),
		 "tcp state %u, unacked %u, retransmits %u (%u in all), rto %u ms",
		 ti.tcpi_state, ti.tcpi_unacked, ti.tcpi_retransmits, ti.tcpi_total_retrans,
		 ti.tcpi_rto / 1000);
	return buf;
}

static int run_hold(void)
{
	int64_t deadline = now_ms() + g.bound_ms;
	struct conn_opts o = { 0 };
	unsigned char b = 'h';
	long i, n = 0;
	int *fds, r;

	fds = calloc(g.count, sizeof(*fds));
	if (!fds) {
		perror("hostile: hold");
		return -1;
	}
	for (i = 0; i < g.count; i++) {
		fds[n] = open_conn(&o, deadline);
		if (fds[n] < 0) {
			violation(i, "connect: %s", strerror(-fds[n]));
		} else if (send(fds[n], &b, 1, MSG_NOSIGNAL) != 1) {
			violation(i, "send: %s", strerror(errno));
			close(fds[n]);
		} else {
			n++;
		}
	}
	for (i = 0; i < n; i++) {
		r = wait_fd(fds[i], POLLIN, deadline);
		if (r <= 0 || recv(fds[i], &b, 1, 0) != 1)
			violation(i, "no echo of its byte: %s; %s", r < 0 ? strerror(-r) :
				  r ? strerror(errno) : "timed out (the bound passed)",
				  tcp_state_of(fds[i]));
		else
			atomic_fetch_add(&g.bytes_echoed, 1);
	}
	atomic_fetch_add(&g.bytes_sent, n);
	fprintf(stderr, "held %ld\n", n);
	usleep(g.wait_ms * 1000);
	for (i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
	return 0;
}

/* ------------------------------------------------------------------------ */

/* The scenarios other than urgent data: one connection at a time, or all at once. */
static const struct {
	const char *name;
	void (*run)(long id);
	int (*run_all)(void);
	long size;		/* default -s */
} scenarios[] = {
	{ "rst-connect", run_rst_connect, NULL, 0 },
	{ "rst-handshake", run_rst_handshake, NULL, 0 },
	{ "rst-data", run_rst_data, NULL, 65536 },
	{ "rst-echo", run_rst_echo, NULL, 4 << 20 },
	{ "rst-zerowin", run_rst_zerowin, NULL, 4 << 20 },
	{ "rst-fin", run_rst_fin, NULL, 256 << 10 },
	{ "half-close", run_half_close, NULL, 1 << 20 },
	{ "zero-window", run_zero_window, NULL, 4 << 20 },
	{ "slow", run_slow, NULL, 100 },
	{ "flood", NULL, run_flood, 1000 },
	{ "hold", NULL, run_hold, 0 },
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static void bad_usage(const char *prog)
{
	unsigned int i;

	fprintf(stderr,
		"usage: %s [-a ADDR] [-p PORT] [-6] [-n COUNT] [-s SIZE] [-t SECONDS] [-w MS]\n"
		"          [-i MS] SCENARIO\n"
		"  -a ADDR     server address (default 127.0.0.1, or ::1 with -6)\n"
		"  -p PORT     server port (default 7777)\n"
		"  -6          IPv6\n"
		"  -n COUNT    connections (default 1; the flood opens them at once)\n"
		"  -s SIZE     bytes per connection (default: the scenario's)\n"
		"  -t SECONDS  bound on each connection (the flood: on all) (default 20)\n"
		"  -w MS       zero-window: time without reading; urg-repeat: pause; rst-zerowin:\n"
		"              stall that counts as blocked; rst-fin: FIN to reset; hold: how long\n"
		"              (default 200)\n"
		"  -i MS       slow: interval between bytes (default 20)\n"
		"scenarios:", prog);
	for (i = 0; i < ARRAY_SIZE(urg_plans); i++)
		fprintf(stderr, " %s", urg_plans[i].name);
	for (i = 0; i < ARRAY_SIZE(scenarios); i++)
		fprintf(stderr, " %s", scenarios[i].name);
	fprintf(stderr, "\n");
	exit(2);
}

static int set_addr(const char *addr, long port, int v6)
{
	struct sockaddr_in *sin;

	memset(&g.addr, 0, sizeof(g.addr));
	if (v6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&g.addr;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		g.addrlen = sizeof(*sin6);
		return inet_pton(AF_INET6, addr ? addr : "::1", &sin6->sin6_addr) == 1 ? 0 : -1;
	}
	sin = (struct sockaddr_in *)&g.addr;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	g.addrlen = sizeof(*sin);
	return inet_pton(AF_INET, addr ? addr : "127.0.0.1", &sin->sin_addr) == 1 ? 0 : -1;
}

static void print_json(int64_t elapsed)
{
	printf("{\"scenario\":\"%s\",\"family\":%d,\"connections\":%ld,\"connected\":%ld,",
	       g.scenario, g.addr.ss_family == AF_INET6 ? 6 : 4, g.count,
	       atomic_load(&g.connected));
	printf("\"bytes_sent\":%ld,\"bytes_echoed\":%ld,\"urgent_sent\":%ld,\"urgent_inband\":%ld,",
	       atomic_load(&g.bytes_sent), atomic_load(&g.bytes_echoed),
	       atomic_load(&g.urgent_sent), atomic_load(&g.urgent_inband));
	printf("\"eofs\":%ld,\"resets_sent\":%ld,\"refused\":%ld,\"reset_by_peer\":%ld,",
	       atomic_load(&g.eofs), atomic_load(&g.resets_sent), atomic_load(&g.refused),
	       atomic_load(&g.reset_by_peer));
	printf("\"timedout\":%ld,\"unadmitted\":%ld,\"unread_at_stall\":%ld,",
	       atomic_load(&g.timedout), atomic_load(&g.unadmitted),
	       atomic_load(&g.unread_at_stall));
	printf("\"violations\":%ld,", atomic_load(&g.violations));
	printf("\"elapsed_ms\":%lld,\"first_violation\":\"%s\"}\n", (long long)elapsed, g.first);
}

int main(int argc, char **argv)
{
	void (*run)(long id) = NULL;
	int (*run_all)(void) = NULL;
	const char *addr = NULL, *plan = NULL;
	long port = 7777, size = -1, i;
	int opt, v6 = 0;
	unsigned int k;
	int64_t start;

	g.count = 1;
	g.bound_ms = 20000;
	g.wait_ms = 200;
	g.interval_ms = 20;
	while ((opt = getopt(argc, argv, "a:p:6n:s:t:w:i:")) != -1) {
		switch (opt) {
		case 'a':
			addr = optarg;
			break;
		case 'p':
			port = parse_num(optarg, 1, 65535, argv[0]);
			break;
		case '6':
			v6 = 1;
			break;
		case 'n':
			g.count = parse_num(optarg, 1, 10000, argv[0]);
			break;
		case 's':
			size = parse_num(optarg, 0, MAX_SIZE, argv[0]);
			break;
		case 't':
			g.bound_ms = parse_num(optarg, 1, 3600, argv[0]) * 1000;
			break;
		case 'w':
			g.wait_ms = parse_num(optarg, 1, 600000, argv[0]);
			break;
		case 'i':
			g.interval_ms = parse_num(optarg, 0, 60000, argv[0]);
			break;
		default:
			bad_usage(argv[0]);
		}
	}
	if (optind != argc - 1 || set_addr(addr, port, v6))
		bad_usage(argv[0]);
	g.scenario = argv[optind];
	g.size = 100000;
	for (k = 0; k < ARRAY_SIZE(urg_plans); k++)
		if (!strcmp(g.scenario, urg_plans[k].name))
			plan = urg_plans[k].plan;
	for (k = 0; !plan && k < ARRAY_SIZE(scenarios); k++) {
		if (!strcmp(g.scenario, scenarios[k].name)) {
			run = scenarios[k].run;
			run_all = scenarios[k].run_all;
			g.size = scenarios[k].size;
			break;
		}
	}
	if (!plan && k == ARRAY_SIZE(scenarios))
		bad_usage(argv[0]);
	if (size >= 0)
		g.size = size;
	signal(SIGPIPE, SIG_IGN);
	pthread_mutex_init(&g.lock, NULL);

	start = now_ms();
	if (run_all) {
		if (run_all())
			return 2;
	} else {
		for (i = 0; i < g.count; i++) {
			if (plan)
				run_urgent(i, plan);
			else
				run(i);
		}
	}
	print_json(now_ms() - start);
	return atomic_load(&g.violations) ? 1 : 0;
}
