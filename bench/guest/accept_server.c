// SPDX-License-Identifier: GPL-2.0
/*
 * accept_server: server (f) of the wsk benchmarks, a userspace accept4()
 * loop. It listens on 127.0.0.1:PORT, accepts COUNT connections and closes
 * each with an RST (SO_LINGER {1, 0}, inherited from the listener), then
 * prints its counters in the format of the kernel servers' debugfs stats.
 *
 *   accept_server -p PORT -n COUNT [-b BACKLOG] [-w] [-a] [-r READYFILE]
 *                 [-o RECORDS] [-t SECONDS]
 *
 * -w: listen, create READYFILE, then wait for SIGUSR1 before accepting (the
 * drain scenario); -a: ask accept4() for the peer address (its port is
 * recorded; the latency scenario needs it); -o: write one "peer-port
 * time-ns" line per accept; -t: give up after SECONDS (default 120),
 * exiting 1.
 */
#define _GNU_SOURCE
#include <signal.h>

#include "bench_util.h"

int main(int argc, char **argv)
{
	const char *ready = NULL, *recfile = NULL;
	int port = 0, backlog = 65535, wait_start = 0, addrs = 0, opt, lfd, fd;
	long long count = 0, deadline, timeout = 120;
	struct sockaddr_in peer;
	struct srv_stats st;
	socklen_t len;
	sigset_t set;

	while ((opt = getopt(argc, argv, "p:n:b:wr:o:t:a")) != -1) {
		switch (opt) {
		case 'p':
			port = atoi(optarg);
			break;
		case 'n':
			count = atoll(optarg);
			break;
		case 'b':
			backlog = atoi(optarg);
			break;
		case 'w':
			wait_start = 1;
			break;
		case 'r':
			ready = optarg;
			break;
		case 'o':
			recfile = optarg;
			break;
		case 't':
			timeout = atoll(optarg);
			break;
		case 'a':
			addrs = 1;
			break;
		default:
			fail("usage: %s -p PORT -n N [-wa] [-b N] [-r F] [-o F] [-t S]", argv[0]);
		}
	}
	if (port <= 0 || count <= 0)
		fail("accept_server: -p and -n are required");
	srv_stats_init(&st, count);

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	lfd = bench_listener(port, backlog);
	touch_file(ready);
	if (wait_start) {
		struct timespec ts = { .tv_sec = timeout };

		if (sigtimedwait(&set, NULL, &ts) != SIGUSR1)
			fail("no start signal in %lld s", timeout);
	}
	st.t_start = now_ns();
	st.t_ready = st.t_start;
	deadline = st.t_start + timeout * 1000000000LL;

	while (st.closed < count) {
		len = sizeof(peer);
		fd = accept4(lfd, addrs ? (struct sockaddr *)&peer : NULL, addrs ? &len : NULL,
			     SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				st.errors++;
			if (now_ns() > deadline)
				break;
			continue;
		}
		srv_record(&st, addrs ? ntohs(peer.sin_port) : 0, now_ns());
		close(fd);
		st.closed++;
		st.t_last_close = now_ns();
	}
	srv_report(&st, recfile);
	return st.closed == count ? 0 : 1;
}
