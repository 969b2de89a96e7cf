// SPDX-License-Identifier: GPL-2.0
/*
 * connect_storm: a loopback TCP connection storm for the wsk integration tests.
 *
 *   connect_storm [-a ADDR] [-p PORT] [-n TOTAL] [-c THREADS] [-b BASEPORT] [-6] [-r]
 *                 [-t SECONDS] [-k]
 *
 * Opens TOTAL connections to ADDR:PORT from THREADS concurrent threads; each
 * connection is closed as soon as connect() succeeds (-r: with SO_LINGER 0, so
 * the close is a reset). The run is bounded by the count and, with -t, by time:
 * no new connection starts after the deadline, and a connect still in progress
 * then gets GRACE_SECONDS more before it is given up ("timedout"). A connect
 * given up may still have completed in the kernel (a race), so "timedout"
 * connections are ambiguous for the server's count: expect none.
 *
 * With -b, connection number i (0-based) is bound to local port BASEPORT + i,
 * so every connection of the run has its own client port. Without it the
 * kernel picks ephemeral ports, and it does not hand them out in a single
 * sweep: __inet_hash_connect() advances its per-destination offset by a random
 * 2..16 ports per connection, so with the default range (32768-60999) ports
 * come round again after about 3,000 connections.
 *
 * A connect that the server accepts and resets before this program has seen
 * the handshake complete reports ECONNRESET (not ECONNREFUSED, which is a reset
 * answering the SYN): it counts as connected, and is also shown as
 * "reset_early". The last line of output is machine-readable:
 *
 * connected=N failed=N refused=N timedout=N addrnotavail=N reset_early=N attempted=N elapsed_ms=N
 *
 * "failed" counts every attempt that did not connect (refused, timedout and
 * addrnotavail are broken out of it). Exit status 0 when all TOTAL connections
 * were made, 1 otherwise, 2 on a usage or setup error; with -k (keep going:
 * refusals are expected, e.g. while the server is unloaded) the exit status is
 * 0 whatever the count.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"

static struct {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	long total;
	int rst;
	long base_port;			/* 0: ephemeral ports */
	int64_t deadline_ns;		/* CLOCK_MONOTONIC, no new connects; 0: no bound */
	atomic_long next;		/* attempts claimed so far */
	atomic_long connected;
	atomic_long failed;
	atomic_long refused;
	atomic_long timedout;
	atomic_long addrnotavail;
	atomic_long reset_early;
	atomic_int reported;		/* one diagnostic line per errno class */
} g;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void report_once(int bit, const char *what, int err)
{
	if (!(atomic_fetch_or(&g.reported, bit) & bit))
		fprintf(stderr, "connect_storm: %s: %s\n", what, strerror(err));
}

/* A connect in progress at the deadline may take this much longer. */
#define GRACE_SECONDS	5

/* Milliseconds a connect may still wait, for poll(): -1 without a deadline. */
static int remaining_ms(void)
{
	int64_t left;

	if (!g.deadline_ns)
		return -1;
	left = g.deadline_ns + (int64_t)GRACE_SECONDS * 1000000000 - now_ns();
	if (left <= 0)
		return 0;
	return (int)((left + 999999) / 1000000);
}

/* Bind @fd to local port @port, on the family's wildcard address. */
static int bind_port(int fd, long port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1;

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = g.addr.ss_family;
	if (ss.ss_family == AF_INET6) {
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
		len = sizeof(struct sockaddr_in6);
	} else {
		((struct sockaddr_in *)&ss)->sin_port = htons(port);
		len = sizeof(struct sockaddr_in);
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ss, len))
		return errno;
	return 0;
}

/*
 * Attempt number @n. Returns 0 when connected, an errno otherwise (ETIME: the
 * deadline passed).
 */
static int connect_one(long n)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct pollfd pfd;
	socklen_t len;
	int fd, err, ms, ret;

	fd = socket(g.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	if (g.rst && setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg))) {
		err = errno;
		goto out;
	}
	if (g.base_port) {
		err = bind_port(fd, g.base_port + n);
		if (err)
			goto out;
	}
	err = 0;
	if (connect(fd, (struct sockaddr *)&g.addr, g.addrlen)) {
		err = errno;
		if (err != EINPROGRESS)
			goto out;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		for (;;) {
			ms = remaining_ms();
			if (!ms) {
				err = ETIME;
				goto out;
			}
			ret = poll(&pfd, 1, ms);
			if (ret > 0)
				break;
			if (ret < 0 && errno != EINTR) {
				err = errno;
				goto out;
			}
		}
		len = sizeof(err);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
			err = errno;
		if (err == ECONNRESET) {
			/* Established, then reset by the server already. */
			atomic_fetch_add(&g.reset_early, 1);
			err = 0;
		}
	}
out:
	close(fd);
	return err;
}

static void *worker(void *arg)
{
	long n;
	int err;

	(void)arg;
	while ((n = atomic_fetch_add(&g.next, 1)) < g.total) {
		if (g.deadline_ns && now_ns() >= g.deadline_ns)
			break;
		err = connect_one(n);
		if (!err) {
			atomic_fetch_add(&g.connected, 1);
			continue;
		}
		atomic_fetch_add(&g.failed, 1);
		switch (err) {
		case ECONNREFUSED:
			atomic_fetch_add(&g.refused, 1);
			report_once(1, "connect", err);
			break;
		case ETIME:
			atomic_fetch_add(&g.timedout, 1);
			break;
		case EADDRNOTAVAIL:
			/* Ephemeral ports exhausted: report it, it skews the test. */
			atomic_fetch_add(&g.addrnotavail, 1);
			report_once(2, "connect", err);
			break;
		default:
			report_once(4, "connect", err);
			break;
		}
	}
	return NULL;
}

static void bad_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-a ADDR] [-p PORT] [-n TOTAL] [-c THREADS] [-b BASEPORT] [-6] [-r]\n"
		"          [-t SECONDS] [-k]\n"
		"  -a ADDR     server address (default 127.0.0.1, or ::1 with -6)\n"
		"  -p PORT     server port (default 7000)\n"
		"  -n TOTAL    connections to open in all (default 5000)\n"
		"  -c THREADS  concurrent connecting threads (default 8)\n"
		"  -b BASEPORT bind connection i to local port BASEPORT + i (default: ephemeral)\n"
		"  -6          IPv6\n"
		"  -r          close with SO_LINGER 0 (reset) instead of FIN\n"
		"  -t SECONDS  start no connection after this long (those in progress get %ds more)\n"
		"  -k          keep going: exit 0 even if some connections failed\n",
		prog, GRACE_SECONDS);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *addr = NULL;
	long port = 7000, threads = 8, seconds = 0, i;
	int opt, v6 = 0, keep_going = 0;
	pthread_t *tids;
	int64_t start;
	long elapsed_ms, connected;

	g.total = 5000;
	while ((opt = getopt(argc, argv, "a:p:n:c:b:6rt:k")) != -1) {
		switch (opt) {
		case 'a':
			addr = optarg;
			break;
		case 'p':
			port = parse_num(optarg, 1, 65535, argv[0]);
			break;
		case 'n':
			g.total = parse_num(optarg, 0, 100000000, argv[0]);
			break;
		case 'c':
			threads = parse_num(optarg, 1, 1024, argv[0]);
			break;
		case 'b':
			g.base_port = parse_num(optarg, 1, 65535, argv[0]);
			break;
		case '6':
			v6 = 1;
			break;
		case 'r':
			g.rst = 1;
			break;
		case 't':
			seconds = parse_num(optarg, 1, 86400, argv[0]);
			break;
		case 'k':
			keep_going = 1;
			break;
		default:
			bad_usage(argv[0]);
		}
	}
	if (optind != argc)
		bad_usage(argv[0]);
	if (g.base_port && g.base_port + g.total - 1 > 65535) {
		fprintf(stderr, "%s: -b %ld -n %ld goes beyond port 65535\n", argv[0],
			g.base_port, g.total);
		return 2;
	}

	memset(&g.addr, 0, sizeof(g.addr));
	if (v6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&g.addr;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		if (inet_pton(AF_INET6, addr ? addr : "::1", &sin6->sin6_addr) != 1)
			bad_usage(argv[0]);
		g.addrlen = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&g.addr;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		if (inet_pton(AF_INET, addr ? addr : "127.0.0.1", &sin->sin_addr) != 1)
			bad_usage(argv[0]);
		g.addrlen = sizeof(*sin);
	}

	if (threads > g.total)
		threads = g.total ? g.total : 1;
	tids = calloc(threads, sizeof(*tids));
	if (!tids) {
		perror("calloc");
		return 2;
	}
	start = now_ns();
	if (seconds)
		g.deadline_ns = start + (int64_t)seconds * 1000000000;
	for (i = 0; i < threads; i++) {
		errno = pthread_create(&tids[i], NULL, worker, NULL);
		if (errno) {
			perror("pthread_create");
			return 2;
		}
	}
	for (i = 0; i < threads; i++)
		pthread_join(tids[i], NULL);
	elapsed_ms = (long)((now_ns() - start) / 1000000);
	free(tids);

	connected = atomic_load(&g.connected);
	printf("connected=%ld failed=%ld refused=%ld timedout=%ld addrnotavail=%ld reset_early=%ld",
	       connected, atomic_load(&g.failed), atomic_load(&g.refused),
	       atomic_load(&g.timedout), atomic_load(&g.addrnotavail),
	       atomic_load(&g.reset_early));
	printf(" attempted=%ld elapsed_ms=%ld\n", connected + atomic_load(&g.failed), elapsed_ms);
	if (keep_going)
		return 0;
	return connected == g.total ? 0 : 1;
}
