// SPDX-License-Identifier: GPL-2.0
/*
 * loadgen: the client side and the arithmetic of the wsk benchmarks. Every
 * connection goes to 127.0.0.1; the servers close each one with an RST, so
 * no TIME_WAIT is left on either side. Times are CLOCK_MONOTONIC, the clock
 * of ktime_get() in the kernel servers. Results are "name value" lines.
 *
 * loadgen hold -p PORT -n N [-r READYFILE] [-t SECONDS]
 *	Open N connections and keep them (the drain scenario): once all are
 *	established, create READYFILE; then wait until the server has reset
 *	every one of them, and exit.
 * loadgen steady -p PORT -c CONC -n TOTAL [-o RECORDS] [-t SECONDS]
 *	Keep CONC connections in flight until TOTAL have completed: each is
 *	connected, then waited on until the server resets it, then replaced.
 *	RECORDS gets one "local-port start-ns end-ns" line per connection.
 * loadgen match CLIENT-RECORDS SERVER-RECORDS
 *	Latency from connect() start to the server's accept completion: each
 *	server record ("peer-port time-ns") is paired with the client record of
 *	the same port that started last before it.
 * loadgen drainstat STATS RECORDS
 *	Drain figures from a server's stats and records.
 */
#define _GNU_SOURCE
#include <sys/epoll.h>

#include "bench_util.h"

#define MAX_EVENTS	1024
#define MAX_INFLIGHT	256	/* handshakes in progress at once in hold mode */

struct conn_rec {
	long long t0, t1;
	unsigned int port;
};

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static long long pct(const long long *sorted, long long n, int p)
{
	long long i;

	if (!n)
		return 0;
	i = (n * p + 99) / 100 - 1;
	if (i < 0)
		i = 0;
	return sorted[i];
}

/*
 * Hold mode binds its source ports itself, from HOLD_PORT_BASE up: with tens
 * of thousands of ports in use, the kernel's ephemeral port search makes
 * every connect() slower than the last.
 */
#define HOLD_PORT_BASE	1024
static int next_port = HOLD_PORT_BASE;

static void bind_next_port(int fd)
{
	struct sockaddr_in sin;

	for (; next_port < 65536; next_port++) {
		loopback_addr(&sin, next_port);
		if (!bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
			next_port++;
			return;
		}
		if (errno != EADDRINUSE)
			fail("bind to port %d: %s", next_port, strerror(errno));
	}
	fail("no free local port left");
}

static int open_conn(int ep, int port, unsigned int idx, unsigned int events,
		     unsigned int *local_port)
{
	struct epoll_event ev = { .events = events, .data.u32 = idx };
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fail("socket: %s", strerror(errno));
	if (!local_port)
		bind_next_port(fd);
	loopback_addr(&sin, port);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) && errno != EINPROGRESS)
		fail("connect to port %d: %s", port, strerror(errno));
	if (local_port) {
		if (getsockname(fd, (struct sockaddr *)&sin, &len))
			fail("getsockname: %s", strerror(errno));
		*local_port = ntohs(sin.sin_port);
	}
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
		fail("epoll_ctl: %s", strerror(errno));
	return fd;
}

static int sock_error(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);

	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	return err;
}

struct opts {
	int port, conc;
	long long n, timeout;
	const char *ready, *out;
};

static void parse(int argc, char **argv, struct opts *o)
{
	int opt;

	memset(o, 0, sizeof(*o));
	o->timeout = 120;
	o->conc = 1;
	optind = 2;
	while ((opt = getopt(argc, argv, "p:n:c:t:r:o:")) != -1) {
		switch (opt) {
		case 'p':
			o->port = atoi(optarg);
			break;
		case 'n':
			o->n = atoll(optarg);
			break;
		case 'c':
			o->conc = atoi(optarg);
			break;
		case 't':
			o->timeout = atoll(optarg);
			break;
		case 'r':
			o->ready = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		default:
			fail("loadgen: bad option");
		}
	}
	if (o->port <= 0 || o->n <= 0 || o->conc <= 0)
		fail("loadgen: -p, -n (and -c) must be positive");
}

static int do_hold(int argc, char **argv)
{
	struct epoll_event evs[MAX_EVENTS];
	long long opened = 0, up = 0, reset = 0, deadline, t0;
	unsigned int i;
	struct opts o;
	int ep, *fds;

	parse(argc, argv, &o);
	raise_nofile(o.n + 64);
	fds = calloc(o.n, sizeof(*fds));
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (!fds || ep < 0)
		fail("setup failed");
	t0 = now_ns();
	deadline = t0 + o.timeout * 1000000000LL;

	while (up < o.n) {
		int k;

		while (opened < o.n && opened - up < MAX_INFLIGHT) {
			fds[opened] = open_conn(ep, o.port, opened, EPOLLOUT, NULL);
			opened++;
		}
		k = epoll_wait(ep, evs, MAX_EVENTS, 100);
		for (i = 0; k > 0 && i < (unsigned int)k; i++) {
			int fd = fds[evs[i].data.u32];
			struct epoll_event ev = {
				.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT,
				.data.u32 = evs[i].data.u32,
			};

			if (sock_error(fd))
				fail("connection %u failed: %s", evs[i].data.u32,
				     strerror(sock_error(fd)));
			epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
			up++;
		}
		if (now_ns() > deadline)
			fail("hold: %lld of %lld connections established in time", up, o.n);
	}
	printf("established %lld\nestablish_ms %lld\n", up, (now_ns() - t0) / 1000000);
	fflush(stdout);
	touch_file(o.ready);

	while (reset < o.n) {
		int k = epoll_wait(ep, evs, MAX_EVENTS, 1000);

		if (k > 0)
			reset += k;
		if (now_ns() > deadline) {
			printf("reset %lld\n", reset);
			fail("hold: only %lld of %lld connections reset in time", reset, o.n);
		}
	}
	printf("reset %lld\n", reset);
	for (i = 0; i < o.n; i++)
		close(fds[i]);
	return 0;
}

static int do_steady(int argc, char **argv)
{
	long long started = 0, done = 0, failed = 0, t0, t1, deadline, i;
	struct epoll_event evs[MAX_EVENTS];
	struct conn_rec *recs, *slot;
	long long *cycle;
	struct opts o;
	int ep, *fds;

	parse(argc, argv, &o);
	raise_nofile(o.conc + 64);
	recs = calloc(o.n, sizeof(*recs));
	cycle = calloc(o.n, sizeof(*cycle));
	fds = calloc(o.conc, sizeof(*fds));
	slot = calloc(o.conc, sizeof(*slot));
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (!recs || !cycle || !fds || !slot || ep < 0)
		fail("setup failed");

	t0 = now_ns();
	deadline = t0 + o.timeout * 1000000000LL;
	for (i = 0; i < o.conc && started < o.n; i++, started++) {
		slot[i].t0 = now_ns();
		fds[i] = open_conn(ep, o.port, i, EPOLLIN | EPOLLRDHUP, &slot[i].port);
	}
	while (done < o.n) {
		int k = epoll_wait(ep, evs, MAX_EVENTS, 1000);

		for (i = 0; k > 0 && i < k; i++) {
			unsigned int s = evs[i].data.u32;
			int err = sock_error(fds[s]);

			slot[s].t1 = now_ns();
			if (err != ECONNRESET)
				failed++;
			close(fds[s]);
			recs[done++] = slot[s];
			if (started < o.n) {
				slot[s].t0 = now_ns();
				fds[s] = open_conn(ep, o.port, s, EPOLLIN | EPOLLRDHUP,
						   &slot[s].port);
				started++;
			}
		}
		if (now_ns() > deadline)
			fail("steady: %lld of %lld connections done in time", done, o.n);
	}
	t1 = now_ns();

	for (i = 0; i < done; i++)
		cycle[i] = recs[i].t1 - recs[i].t0;
	qsort(cycle, done, sizeof(*cycle), cmp_ll);
	printf("conns %lld\nfailed %lld\nelapsed_ms %.3f\nconn_per_s %.1f\n", done, failed,
	       (t1 - t0) / 1e6, done * 1e9 / (t1 - t0));
	printf("cycle_p50_us %.1f\ncycle_p99_us %.1f\n", pct(cycle, done, 50) / 1e3,
	       pct(cycle, done, 99) / 1e3);
	if (o.out) {
		FILE *f = fopen(o.out, "w");

		if (!f)
			fail("%s: %s", o.out, strerror(errno));
		for (i = 0; i < done; i++)
			fprintf(f, "%u %lld %lld\n", recs[i].port, recs[i].t0, recs[i].t1);
		fclose(f);
	}
	return failed ? 1 : 0;
}

static int cmp_rec(const void *a, const void *b)
{
	const struct conn_rec *x = a, *y = b;

	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return x->t0 < y->t0 ? -1 : x->t0 > y->t0;
}

static struct conn_rec *read_recs(const char *path, int client, long long *n)
{
	struct conn_rec *r = NULL;
	long long cap = 0;
	unsigned int port;
	long long a, b = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		fail("%s: %s", path, strerror(errno));
	*n = 0;
	while (client ? fscanf(f, "%u %lld %lld", &port, &a, &b) == 3 :
			fscanf(f, "%u %lld", &port, &a) == 2) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 4096;
			r = realloc(r, cap * sizeof(*r));
			if (!r)
				fail("out of memory");
		}
		r[*n].port = port;
		r[*n].t0 = a;
		r[*n].t1 = b;
		(*n)++;
	}
	fclose(f);
	return r;
}

static int do_match(int argc, char **argv)
{
	struct conn_rec *c, *s;
	long long nc, ns, i, m = 0;
	long long *lat;

	if (argc != 4)
		fail("usage: loadgen match CLIENT SERVER");
	c = read_recs(argv[2], 1, &nc);
	s = read_recs(argv[3], 0, &ns);
	lat = calloc(ns + 1, sizeof(*lat));
	if (!lat)
		fail("out of memory");
	if (nc)
		qsort(c, nc, sizeof(*c), cmp_rec);
	for (i = 0; i < ns; i++) {
		long long lo = 0, hi = nc - 1, best = -1;

		/* The last client record of this port that started before the accept. */
		while (lo <= hi) {
			long long mid = (lo + hi) / 2;

			if (c[mid].port < s[i].port ||
			    (c[mid].port == s[i].port && c[mid].t0 <= s[i].t0)) {
				if (c[mid].port == s[i].port)
					best = mid;
				lo = mid + 1;
			} else {
				hi = mid - 1;
			}
		}
		if (best >= 0 && s[i].t0 <= c[best].t1)
			lat[m++] = s[i].t0 - c[best].t0;
	}
	qsort(lat, m, sizeof(*lat), cmp_ll);
	printf("matched %lld\nunmatched %lld\n", m, ns - m);
	printf("lat_p50_us %.1f\nlat_p99_us %.1f\n", pct(lat, m, 50) / 1e3, pct(lat, m, 99) / 1e3);
	return m == ns && m ? 0 : 1;
}

static long long stat_get(const char *path, const char *name)
{
	char key[64];
	long long v, found = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		fail("%s: %s", path, strerror(errno));
	while (fscanf(f, "%63s %lld", key, &v) == 2)
		if (!strcmp(key, name))
			found = v;
	fclose(f);
	return found;
}

static int do_drainstat(int argc, char **argv)
{
	long long closed, t_start, t_ready, t_close, n, i, k = 0;
	struct conn_rec *r;

	if (argc != 4)
		fail("usage: loadgen drainstat STATS RECORDS");
	closed = stat_get(argv[2], "closed");
	t_start = stat_get(argv[2], "t_start");
	t_ready = stat_get(argv[2], "t_ready");
	t_close = stat_get(argv[2], "t_last_close");
	r = read_recs(argv[3], 0, &n);
	/*
	 * Per-accept cost: the time from the end of the server's initial
	 * submissions (t_ready; the start for servers without requests) to its
	 * last close, over the connections accepted in that time.
	 */
	for (i = 0; i < n; i++)
		k += r[i].t0 >= t_ready;
	printf("accepted %lld\nerrors %lld\n", closed, stat_get(argv[2], "errors"));
	if (closed > 0 && t_close > t_start) {
		printf("drain_ms %.3f\n", (t_close - t_start) / 1e6);
		printf("accepts_per_s %.1f\n", closed * 1e9 / (t_close - t_start));
	}
	printf("setup_ms %.3f\n", (t_ready - t_start) / 1e6);
	if (k > 0 && t_close > t_ready)
		printf("us_per_accept %.3f\n", (t_close - t_ready) / 1e3 / k);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		fail("usage: loadgen hold|steady|match|drainstat ...");
	if (!strcmp(argv[1], "hold"))
		return do_hold(argc, argv);
	if (!strcmp(argv[1], "steady"))
		return do_steady(argc, argv);
	if (!strcmp(argv[1], "match"))
		return do_match(argc, argv);
	if (!strcmp(argv[1], "drainstat"))
		return do_drainstat(argc, argv);
	fail("loadgen: unknown mode %s", argv[1]);
}
