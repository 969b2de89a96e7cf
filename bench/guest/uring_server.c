// SPDX-License-Identifier: GPL-2.0
/*
 * uring_server: server (g) of the wsk benchmarks, io_uring multishot accept
 * (IORING_OP_ACCEPT with IORING_ACCEPT_MULTISHOT, re-armed whenever a
 * completion comes without IORING_CQE_F_MORE) and IORING_OP_CLOSE for every
 * accepted socket (an RST: SO_LINGER {1, 0} is inherited from the listener).
 * Options as accept_server.
 *
 * A multishot accept reports no peer address, so with -a (peer ports, for
 * the latency scenario) the server calls getpeername(2) once per connection;
 * the drain scenario runs without -a and makes no such call.
 */
#define _GNU_SOURCE
#include <liburing.h>
#include <signal.h>

#include "bench_util.h"

#define UD_ACCEPT	1ULL
#define UD_CLOSE	2ULL
#define RING_ENTRIES	4096

static struct io_uring_sqe *get_sqe(struct io_uring *ring)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe) {
		io_uring_submit(ring);
		sqe = io_uring_get_sqe(ring);
		if (!sqe)
			fail("io_uring: no SQE");
	}
	return sqe;
}

static void arm_accept(struct io_uring *ring, int lfd)
{
	struct io_uring_sqe *sqe = get_sqe(ring);

	io_uring_prep_multishot_accept(sqe, lfd, NULL, NULL, SOCK_CLOEXEC);
	io_uring_sqe_set_data64(sqe, UD_ACCEPT);
}

int main(int argc, char **argv)
{
	const char *ready = NULL, *recfile = NULL;
	int port = 0, backlog = 65535, wait_start = 0, addrs = 0, opt, lfd, ret;
	long long count = 0, deadline, timeout = 120;
	struct io_uring_params params;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	struct srv_stats st;
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
		fail("uring_server: -p and -n are required");
	srv_stats_init(&st, count);

	memset(&params, 0, sizeof(params));
	params.flags = IORING_SETUP_CQSIZE;
	params.cq_entries = 4 * RING_ENTRIES;
	ret = io_uring_queue_init_params(RING_ENTRIES, &ring, &params);
	if (ret)
		fail("io_uring_queue_init: %s", strerror(-ret));

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

	arm_accept(&ring, lfd);
	while (st.closed < count) {
		struct __kernel_timespec ts = { .tv_sec = 1 };
		unsigned int head, seen = 0;

		ret = io_uring_submit_and_wait_timeout(&ring, &cqe, 1, &ts, NULL);
		if (ret < 0 && ret != -ETIME && ret != -EINTR)
			fail("io_uring_submit_and_wait: %s", strerror(-ret));
		io_uring_for_each_cqe(&ring, head, cqe) {
			long long t = now_ns();

			seen++;
			if (cqe->user_data == UD_CLOSE) {
				if (cqe->res < 0)
					st.errors++;
				st.closed++;
				st.t_last_close = t;
				continue;
			}
			if (cqe->res >= 0) {
				struct io_uring_sqe *sqe;
				unsigned int peer_port = 0;

				if (addrs) {
					struct sockaddr_in peer;
					socklen_t len = sizeof(peer);

					if (!getpeername(cqe->res, (struct sockaddr *)&peer, &len))
						peer_port = ntohs(peer.sin_port);
				}
				srv_record(&st, peer_port, t);
				sqe = get_sqe(&ring);
				io_uring_prep_close(sqe, cqe->res);
				io_uring_sqe_set_data64(sqe, UD_CLOSE);
			} else if (cqe->res != -EAGAIN && cqe->res != -EINTR &&
				   cqe->res != -ECONNABORTED) {
				st.errors++;
			}
			if (!(cqe->flags & IORING_CQE_F_MORE))
				arm_accept(&ring, lfd);
		}
		io_uring_cq_advance(&ring, seen);
		if (now_ns() > deadline)
			break;
	}
	srv_report(&st, recfile);
	return st.closed == count ? 0 : 1;
}
