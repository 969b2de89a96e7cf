// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "wsk_accept": WskAccept on real loopback connections.
 * Pending and inline accepts, FIFO order, addresses for IPv4, IPv6 and
 * dual-stack, close and cancel with accepts pending, the argument errors,
 * bind errors, the backlog option and the pass-through options, a peer that
 * resets before its connection is accepted, the provider dispatch tables,
 * counters, and wsk_deregister() waiting for sockets.
 *
 * White-box where the contract cannot be observed otherwise: the listener's
 * kernel socket (backlog, lock_sock to hold the accept worker) through
 * wsk/internal.h.
 */
#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <net/inet_connection_sock.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "internal.h"
#include "util.h"

static int wt_accept(struct wsk_socket *ls, struct wt_req *r)
{
	return wsk_accept(ls, 0, r, NULL, &r->local, &r->remote, &r->req);
}

enum wt_addr_kind { WT_V4_LOOPBACK, WT_V6_LOOPBACK, WT_V4_MAPPED_LOOPBACK };

static void wt_expect_addr(struct kunit *test, const struct sockaddr_storage *ss,
			   enum wt_addr_kind kind, u16 port)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

	switch (kind) {
	case WT_V4_LOOPBACK:
		KUNIT_EXPECT_EQ(test, (int)ss->ss_family, AF_INET);
		KUNIT_EXPECT_TRUE(test, sin->sin_addr.s_addr == htonl(INADDR_LOOPBACK));
		break;
	case WT_V6_LOOPBACK:
		KUNIT_EXPECT_EQ(test, (int)ss->ss_family, AF_INET6);
		KUNIT_EXPECT_TRUE(test, ipv6_addr_loopback(&sin6->sin6_addr));
		break;
	case WT_V4_MAPPED_LOOPBACK:
		KUNIT_EXPECT_EQ(test, (int)ss->ss_family, AF_INET6);
		KUNIT_EXPECT_TRUE(test, ipv6_addr_v4mapped(&sin6->sin6_addr));
		KUNIT_EXPECT_TRUE(test, sin6->sin6_addr.s6_addr32[3] == htonl(INADDR_LOOPBACK));
		break;
	}
	KUNIT_EXPECT_EQ(test, wt_port(ss), port);
}

/* No byte of @ss past @family's address length was written. */
static void wt_expect_tail_untouched(struct kunit *test, const struct sockaddr_storage *ss,
				     int family)
{
	KUNIT_EXPECT_EQ_MSG(test, wt_tail_touched(ss, family), 0,
			    "bytes written past the family's address");
}

/*
 * Accept a connection end to end and check the four addresses, and that
 * nothing past each one's family length was written.
 */
static void wt_accept_one(struct kunit *test, int lfamily, bool any, int cfamily,
			  enum wt_addr_kind kind)
{
	const struct wsk_provider_connection_dispatch *cd;
	struct wt_req *r = wt_req_new(test);
	struct sockaddr_storage ss;
	struct wsk_socket *ls;
	struct socket *csock;
	u16 port, cport;

	ls = wt_listener(test, lfamily, any, 0, &port);
	memset(&r->local, WT_POISON, sizeof(r->local));
	memset(&r->remote, WT_POISON, sizeof(r->remote));
	KUNIT_ASSERT_EQ(test, wt_accept(ls, r), -EINPROGRESS);
	KUNIT_ASSERT_EQ(test, wt_connect(test, cfamily, port, &cport, &csock), 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_ASSERT_EQ(test, r->status, 0);
	KUNIT_ASSERT_NOT_NULL(test, r->socket);
	wt_track(test, r->socket);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 1);
	KUNIT_EXPECT_PTR_NE(test, r->socket->dispatch, ls->dispatch);
	cd = r->socket->dispatch;
	KUNIT_EXPECT_TRUE(test, cd->get_remote_address == wsk_get_remote_address);

	wt_expect_addr(test, &r->local, kind, port);
	wt_expect_tail_untouched(test, &r->local, lfamily);
	wt_expect_addr(test, &r->remote, kind, cport);
	wt_expect_tail_untouched(test, &r->remote, lfamily);
	memset(&ss, WT_POISON, sizeof(ss));
	KUNIT_EXPECT_EQ(test, wt_local_address(test, r->socket, &ss), 0);
	wt_expect_addr(test, &ss, kind, port);
	wt_expect_tail_untouched(test, &ss, lfamily);
	memset(&ss, WT_POISON, sizeof(ss));
	KUNIT_EXPECT_EQ(test, wt_remote_address(test, r->socket, &ss), 0);
	wt_expect_addr(test, &ss, kind, cport);
	wt_expect_tail_untouched(test, &ss, lfamily);
	memset(&ss, WT_POISON, sizeof(ss));
	KUNIT_EXPECT_EQ(test, wt_local_address(test, ls, &ss), 0);
	wt_expect_tail_untouched(test, &ss, lfamily);
}

static void wsk_accept_pending_ipv4(struct kunit *test)
{
	wt_accept_one(test, AF_INET, false, AF_INET, WT_V4_LOOPBACK);
}

static void wsk_accept_pending_ipv6(struct kunit *test)
{
	wt_accept_one(test, AF_INET6, false, AF_INET6, WT_V6_LOOPBACK);
}

/* A v4 client on an AF_INET6 listener bound to :: is seen v4-mapped. */
static void wsk_accept_dual_stack(struct kunit *test)
{
	wt_accept_one(test, AF_INET6, true, AF_INET, WT_V4_MAPPED_LOOPBACK);
}

static bool wt_parked(void *arg)
{
	struct wsk_listener *ls = wsk_listener(arg);
	unsigned long flags;
	bool parked;

	spin_lock_irqsave(&ls->ws.lock, flags);
	parked = !list_empty(&ls->ready);
	spin_unlock_irqrestore(&ls->ws.lock, flags);
	return parked;
}

/*
 * Park a connection: hold the listener's socket lock so the accept worker,
 * kicked by @r, blocks in kernel_accept(); cancel @r; let the worker go. It
 * accepts the connection for a request that is gone and parks it.
 */
static void wt_park_one(struct kunit *test, struct wsk_socket *ls, struct wt_req *r)
{
	struct sock *lsk = wsk_sock(ls)->sock->sk;

	lock_sock(lsk);
	KUNIT_EXPECT_EQ(test, wt_accept(ls, r), -EINPROGRESS);
	KUNIT_EXPECT_TRUE(test, wt_poll(wt_lock_waited, lsk));
	KUNIT_EXPECT_TRUE(test, wsk_req_cancel(&r->req));
	release_sock(lsk);
	KUNIT_EXPECT_EQ(test, r->status, -ECANCELED);
	KUNIT_EXPECT_TRUE(test, wt_poll(wt_parked, wsk_sock(ls)));
}

/*
 * Inline: a connection accepted for a request cancelled meanwhile is kept
 * and handed to the next wsk_accept(), which completes inside the call.
 * A parked connection still undelivered when the listener closes is reset.
 */
static void wsk_accept_inline(struct kunit *test)
{
	struct wt_req *a = wt_req_new(test), *b = wt_req_new(test), *c = wt_req_new(test);
	long parked = wt_stat("accepts_parked"), rejected = wt_stat("connections_rejected");
	struct socket *csock, *csock2;
	struct msghdr msg = {};
	struct wsk_socket *ls;
	struct kvec iov;
	u16 port, cport, cport2;
	char byte;

	ls = wt_listener(test, AF_INET, false, 0, &port);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, port, &cport, &csock), 0);
	wt_park_one(test, ls, a);
	KUNIT_EXPECT_EQ(test, wt_stat("accepts_parked"), parked + 1);

	KUNIT_ASSERT_EQ(test, wt_accept(ls, b), 0);
	/* Completed before wsk_accept() returned. */
	KUNIT_EXPECT_EQ(test, atomic_read(&b->count), 1);
	KUNIT_ASSERT_EQ(test, b->status, 0);
	KUNIT_ASSERT_NOT_NULL(test, b->socket);
	wt_track(test, b->socket);
	wt_expect_addr(test, &b->remote, WT_V4_LOOPBACK, cport);
	wt_expect_addr(test, &b->local, WT_V4_LOOPBACK, port);

	/* Park a second one and close the listener over it: the peer sees a reset. */
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, port, &cport2, &csock2), 0);
	wt_park_one(test, ls, c);
	KUNIT_EXPECT_EQ(test, wt_close(test, ls), 0);
	KUNIT_EXPECT_EQ(test, wt_stat("connections_rejected"), rejected + 1);
	iov.iov_base = &byte;
	iov.iov_len = 1;
	KUNIT_EXPECT_EQ(test, kernel_recvmsg(csock2, &msg, &iov, 1, 1, MSG_DONTWAIT),
			-ECONNRESET);
	/* The connection delivered before is independent of its listener. */
	KUNIT_EXPECT_EQ(test, kernel_recvmsg(csock, &msg, &iov, 1, 1, MSG_DONTWAIT), -EAGAIN);
}

#define WT_FIFO	64

/*
 * 64 pending accepts, then 64 connections in a burst from one CPU (so the
 * kernel's accept queue holds them in connect order): request i gets
 * client i, checked by the client's port.
 */
static void wsk_accept_fifo(struct kunit *test)
{
	struct wt_req *r[WT_FIFO];
	u16 port, cport[WT_FIFO];
	struct socket *csock;
	cpumask_var_t saved;
	struct wsk_socket *ls;
	int i, err = 0;

	KUNIT_ASSERT_TRUE(test, alloc_cpumask_var(&saved, GFP_KERNEL));
	ls = wt_listener(test, AF_INET, false, 0, &port);
	for (i = 0; i < WT_FIFO; i++) {
		r[i] = wt_req_new(test);
		KUNIT_ASSERT_EQ(test, wt_accept(ls, r[i]), -EINPROGRESS);
	}

	cpumask_copy(saved, current->cpus_ptr);
	set_cpus_allowed_ptr(current, cpumask_of(raw_smp_processor_id()));
	for (i = 0; i < WT_FIFO && !err; i++)
		err = wt_connect(test, AF_INET, port, &cport[i], &csock);
	set_cpus_allowed_ptr(current, saved);
	free_cpumask_var(saved);
	KUNIT_ASSERT_EQ(test, err, 0);

	for (i = 0; i < WT_FIFO; i++) {
		KUNIT_ASSERT_TRUE(test, wt_wait(test, r[i]));
		KUNIT_ASSERT_EQ(test, r[i]->status, 0);
		wt_track(test, r[i]->socket);
		KUNIT_EXPECT_EQ_MSG(test, wt_port(&r[i]->remote), cport[i], "request %d", i);
		KUNIT_EXPECT_EQ(test, atomic_read(&r[i]->count), 1);
	}
}

/* Cancelling one of several pending accepts leaves the others in order. */
static void wsk_accept_cancel_one(struct kunit *test)
{
	struct wt_req *r[4];
	static const int served[3] = { 0, 2, 3 };
	struct socket *csock;
	struct wsk_socket *ls;
	u16 port, cport;
	int i;

	ls = wt_listener(test, AF_INET, false, 0, &port);
	for (i = 0; i < 4; i++) {
		r[i] = wt_req_new(test);
		KUNIT_ASSERT_EQ(test, wt_accept(ls, r[i]), -EINPROGRESS);
	}
	KUNIT_EXPECT_TRUE(test, wsk_req_cancel(&r[1]->req));
	KUNIT_EXPECT_EQ(test, r[1]->status, -ECANCELED);

	for (i = 0; i < 3; i++) {
		struct wt_req *want = r[served[i]];

		KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, port, &cport, &csock), 0);
		KUNIT_ASSERT_TRUE(test, wt_wait(test, want));
		KUNIT_ASSERT_EQ(test, want->status, 0);
		wt_track(test, want->socket);
		KUNIT_EXPECT_EQ(test, wt_port(&want->remote), cport);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&r[1]->count), 1);
}

/* Probes run from the first cancelled accept's completion: close has started. */
struct wt_close_probe {
	struct wt_req r;
	struct wsk_socket *ls;
	struct wt_req *probe;
	int ret[6];
	int probe_count;
	bool ran;
};

static void wt_close_probe_complete(struct wsk_req *req)
{
	struct wt_close_probe *cp = container_of(req, struct wt_close_probe, r.req);
	struct wt_req *p = cp->probe;
	struct sockaddr_storage ss;
	int len = wt_addr(&ss, AF_INET, false, 0), val = 1;

	cp->r.status = req->status;
	cp->r.socket = req->result.socket;
	cp->r.seq = atomic_inc_return(cp->r.seq_src);
	cp->ret[0] = wt_accept(cp->ls, p);
	cp->ret[1] = wsk_bind(cp->ls, (struct sockaddr *)&ss, len, 0, &p->req);
	cp->ret[2] = wsk_get_local_address(cp->ls, &ss, &p->req);
	cp->ret[3] = wsk_control(cp->ls, WSK_SET_OPTION, SO_KEEPALIVE, SOL_SOCKET, sizeof(val),
				 &val, 0, NULL, NULL, &p->req);
	cp->ret[4] = wsk_send(cp->ls, NULL, 0, &p->req);
	cp->ret[5] = wsk_close(cp->ls, &p->req);
	cp->probe_count = atomic_read(&p->count);
	cp->ran = true;
	atomic_inc(&cp->r.count);
	complete(&cp->r.done);
}

/*
 * Close with accepts pending: each completes -ECANCELED with no socket,
 * before the close completes; calls made meanwhile get -ESHUTDOWN.
 */
static void wsk_accept_close_pending(struct kunit *test)
{
	struct wt_req *close = wt_req_new(test), *r[8];
	struct wt_close_probe *cp;
	struct wsk_socket *ls;
	atomic_t seq;
	u16 port;
	int i;

	cp = kunit_kzalloc(test, sizeof(*cp), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cp);
	atomic_set(&seq, 0);
	ls = wt_listener(test, AF_INET, false, 0, &port);

	wt_req_init(&cp->r);
	cp->r.req.complete = wt_close_probe_complete;
	cp->r.seq_src = &seq;
	cp->ls = ls;
	cp->probe = wt_req_new(test);
	KUNIT_ASSERT_EQ(test, wt_accept(ls, &cp->r), -EINPROGRESS);
	for (i = 0; i < 8; i++) {
		r[i] = wt_req_new(test);
		r[i]->seq_src = &seq;
		KUNIT_ASSERT_EQ(test, wt_accept(ls, r[i]), -EINPROGRESS);
	}
	close->seq_src = &seq;
	wt_untrack(test, ls);
	KUNIT_ASSERT_EQ(test, wsk_close(ls, &close->req), -EINPROGRESS);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, close));
	KUNIT_EXPECT_EQ(test, close->status, 0);
	KUNIT_EXPECT_EQ(test, close->seq, 10);

	KUNIT_EXPECT_TRUE(test, cp->ran);
	KUNIT_EXPECT_EQ(test, cp->r.status, -ECANCELED);
	KUNIT_EXPECT_NULL(test, cp->r.socket);
	KUNIT_EXPECT_EQ(test, cp->r.seq, 1);
	for (i = 0; i < 8; i++) {
		KUNIT_EXPECT_EQ(test, atomic_read(&r[i]->count), 1);
		KUNIT_EXPECT_EQ(test, r[i]->status, -ECANCELED);
		KUNIT_EXPECT_NULL(test, r[i]->socket);
		/* FIFO, and all before the close's own completion. */
		KUNIT_EXPECT_EQ(test, r[i]->seq, i + 2);
	}
	for (i = 0; i < 6; i++)
		KUNIT_EXPECT_EQ_MSG(test, cp->ret[i], -ESHUTDOWN, "probe %d", i);
	KUNIT_EXPECT_EQ(test, cp->probe_count, 6);
}

/* Calls right after wsk_close() returned get -ESHUTDOWN, completed. */
static void wsk_accept_after_close(struct kunit *test)
{
	struct wt_req *close = wt_req_new(test), *p = wt_req_new(test);
	struct sockaddr_storage ss;
	struct wsk_socket *ls;
	int len, ret[7], val = 1;
	u16 port;

	ls = wt_listener(test, AF_INET, false, 0, &port);
	len = wt_addr(&ss, AF_INET, false, 0);
	wt_untrack(test, ls);
	/*
	 * wsk frees a socket only after an RCU grace period following its
	 * close: holding the read lock keeps @ls valid even if the close
	 * completes meanwhile.
	 */
	rcu_read_lock();
	ret[0] = wsk_close(ls, &close->req);
	ret[1] = wt_accept(ls, p);
	ret[2] = wsk_bind(ls, (struct sockaddr *)&ss, len, 0, &p->req);
	ret[3] = wsk_get_local_address(ls, &ss, &p->req);
	ret[4] = wsk_control(ls, WSK_SET_OPTION, SO_KEEPALIVE, SOL_SOCKET, sizeof(val), &val, 0,
			     NULL, NULL, &p->req);
	ret[5] = wsk_control(ls, WSK_GET_OPTION, SO_KEEPALIVE, SOL_SOCKET, 0, NULL,
			     sizeof(val), &val, NULL, &p->req);
	ret[6] = wsk_close(ls, &p->req);
	rcu_read_unlock();

	KUNIT_EXPECT_EQ(test, ret[0], -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, ret[1], -ESHUTDOWN);
	KUNIT_EXPECT_EQ(test, ret[2], -ESHUTDOWN);
	KUNIT_EXPECT_EQ(test, ret[3], -ESHUTDOWN);
	KUNIT_EXPECT_EQ(test, ret[4], -ESHUTDOWN);
	KUNIT_EXPECT_EQ(test, ret[5], -ESHUTDOWN);
	KUNIT_EXPECT_EQ(test, ret[6], -ESHUTDOWN);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->count), 6);
	KUNIT_EXPECT_EQ(test, p->status, -ESHUTDOWN);
	KUNIT_EXPECT_TRUE(test, wt_wait(test, close));
	KUNIT_EXPECT_EQ(test, close->status, 0);
}

/* Accept before bind: -EINVAL, completed; accept works once bound. */
static void wsk_accept_before_bind(struct kunit *test)
{
	struct wt_req *r = wt_req_new(test);
	struct sockaddr_storage ss;
	struct wsk_socket *ls;
	int len;

	KUNIT_ASSERT_EQ(test, wt_socket(test, AF_INET, WSK_FLAG_LISTEN_SOCKET, &ls), 0);
	KUNIT_EXPECT_EQ(test, wt_accept(ls, r), -EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 1);
	KUNIT_EXPECT_EQ(test, r->status, -EINVAL);
	len = wt_addr(&ss, AF_INET, false, 0);
	KUNIT_ASSERT_EQ(test, wt_bind(test, ls, (struct sockaddr *)&ss, len), 0);
	wt_req_init(r);
	KUNIT_EXPECT_EQ(test, wt_accept(ls, r), -EINPROGRESS);
}

/* Accept on a connection socket: -EOPNOTSUPP. */
static void wsk_accept_on_connection(struct kunit *test)
{
	struct wt_req *r = wt_req_new(test), *a = wt_req_new(test);
	struct wsk_socket *ls, *cs;
	struct socket *csock;
	u16 port, cport;

	KUNIT_ASSERT_EQ(test, wt_socket(test, AF_INET, WSK_FLAG_CONNECTION_SOCKET, &cs), 0);
	KUNIT_EXPECT_EQ(test, wt_accept(cs, r), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, r->status, -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 1);

	ls = wt_listener(test, AF_INET, false, 0, &port);
	KUNIT_ASSERT_EQ(test, wt_accept(ls, a), -EINPROGRESS);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, port, &cport, &csock), 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, a));
	KUNIT_ASSERT_EQ(test, a->status, 0);
	wt_track(test, a->socket);
	wt_req_init(r);
	KUNIT_EXPECT_EQ(test, wt_accept(a->socket, r), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, r->status, -EOPNOTSUPP);
}

/* Non-zero flags: -EINVAL, and the listener is unaffected. */
static void wsk_accept_bad_flags(struct kunit *test)
{
	struct wt_req *r = wt_req_new(test);
	struct socket *csock;
	struct wsk_socket *ls;
	u16 port, cport;

	ls = wt_listener(test, AF_INET, false, 0, &port);
	KUNIT_EXPECT_EQ(test, wsk_accept(ls, 0x1, NULL, NULL, &r->local, &r->remote, &r->req),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, r->status, -EINVAL);
	KUNIT_EXPECT_NULL(test, r->req.result.socket);
	wt_req_init(r);
	KUNIT_ASSERT_EQ(test, wt_accept(ls, r), -EINPROGRESS);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, port, &cport, &csock), 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_ASSERT_EQ(test, r->status, 0);
	wt_track(test, r->socket);
	KUNIT_EXPECT_EQ(test, wt_port(&r->remote), cport);
}

/* Binding to an address in use: -EADDRINUSE; the socket can bind elsewhere. */
static void wsk_accept_bind_in_use(struct kunit *test)
{
	struct sockaddr_storage ss;
	struct wsk_socket *a, *b;
	u16 port;
	int len;

	a = wt_listener(test, AF_INET, false, 0, &port);
	KUNIT_ASSERT_EQ(test, wt_socket(test, AF_INET, WSK_FLAG_LISTEN_SOCKET, &b), 0);
	len = wt_addr(&ss, AF_INET, false, port);
	KUNIT_EXPECT_EQ(test, wt_bind(test, b, (struct sockaddr *)&ss, len), -EADDRINUSE);
	/* Bound already: -EINVAL. */
	KUNIT_EXPECT_EQ(test, wt_bind(test, a, (struct sockaddr *)&ss, len), -EINVAL);
	len = wt_addr(&ss, AF_INET, false, 0);
	KUNIT_EXPECT_EQ(test, wt_bind(test, b, (struct sockaddr *)&ss, len), 0);
	KUNIT_EXPECT_EQ(test, wt_local_address(test, b, &ss), 0);
	KUNIT_EXPECT_NE(test, wt_port(&ss), 0);
	KUNIT_EXPECT_NE(test, wt_port(&ss), port);
}

/* Port 0: wsk_get_local_address() reports the port the kernel picked. */
static void wsk_accept_port_zero(struct kunit *test)
{
	struct sockaddr_storage ss, kss;
	struct wsk_socket *ls;
	u16 port;

	ls = wt_listener(test, AF_INET6, false, 0, &port);
	KUNIT_ASSERT_EQ(test, wt_local_address(test, ls, &ss), 0);
	wt_expect_addr(test, &ss, WT_V6_LOOPBACK, port);
	KUNIT_ASSERT_GT(test, kernel_getsockname(wsk_sock(ls)->sock, (struct sockaddr *)&kss), 0);
	KUNIT_EXPECT_EQ(test, wt_port(&kss), port);
	KUNIT_EXPECT_EQ(test, (int)inet_sk(wsk_sock(ls)->sock->sk)->inet_num, (int)port);
}

/* WSK_SO_LISTEN_BACKLOG is the listen backlog; without it, somaxconn. */
static void wsk_accept_backlog(struct kunit *test)
{
	struct sockaddr_storage ss;
	struct wsk_socket *ls, *dflt, *cs;
	int val = 0, len;
	u16 port;

	KUNIT_ASSERT_EQ(test, wt_socket(test, AF_INET, WSK_FLAG_LISTEN_SOCKET, &ls), 0);
	KUNIT_EXPECT_EQ(test, wt_get_int(test, ls, SOL_SOCKET, WSK_SO_LISTEN_BACKLOG, &val), 0);
	KUNIT_EXPECT_EQ(test, val, READ_ONCE(init_net.core.sysctl_somaxconn));
	KUNIT_ASSERT_EQ(test, wt_set_u32(test, ls, SOL_SOCKET, WSK_SO_LISTEN_BACKLOG, 2), 0);
	KUNIT_EXPECT_EQ(test, wt_get_int(test, ls, SOL_SOCKET, WSK_SO_LISTEN_BACKLOG, &val), 0);
	KUNIT_EXPECT_EQ(test, val, 2);
	KUNIT_EXPECT_EQ(test, wt_set_u32(test, ls, SOL_SOCKET, WSK_SO_LISTEN_BACKLOG,
					 (u32)INT_MAX + 1), -EINVAL);
	len = wt_addr(&ss, AF_INET, false, 0);
	KUNIT_ASSERT_EQ(test, wt_bind(test, ls, (struct sockaddr *)&ss, len), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(wsk_sock(ls)->sock->sk->sk_max_ack_backlog), 2U);
	KUNIT_EXPECT_EQ(test, wt_get_int(test, ls, SOL_SOCKET, WSK_SO_LISTEN_BACKLOG, &val), 0);
	KUNIT_EXPECT_EQ(test, val, 2);
	/* After bind: too late. */
	KUNIT_EXPECT_EQ(test, wt_set_u32(test, ls, SOL_SOCKET, WSK_SO_LISTEN_BACKLOG, 8),
			-EINVAL);

	dflt = wt_listener(test, AF_INET, false, 0, &port);
	KUNIT_EXPECT_EQ(test, READ_ONCE(wsk_sock(dflt)->sock->sk->sk_max_ack_backlog),
			(u32)READ_ONCE(init_net.core.sysctl_somaxconn));

	KUNIT_ASSERT_EQ(test, wt_socket(test, AF_INET, WSK_FLAG_CONNECTION_SOCKET, &cs), 0);
	KUNIT_EXPECT_EQ(test, wt_set_u32(test, cs, SOL_SOCKET, WSK_SO_LISTEN_BACKLOG, 2),
			-EOPNOTSUPP);
}

/* SET @v, then GET it back. */
static void wt_opt_roundtrip(struct kunit *test, struct wsk_socket *s, int level, u32 code,
			     int v)
{
	int val = -1;

	KUNIT_EXPECT_EQ_MSG(test, wt_set_u32(test, s, level, code, v), 0, "option %u", code);
	KUNIT_EXPECT_EQ_MSG(test, wt_get_int(test, s, level, code, &val), 0, "option %u", code);
	KUNIT_EXPECT_EQ_MSG(test, val, v, "option %u", code);
}

/* wsk_listen_sync(): listening with its options when it returns. */
static void wsk_accept_listen_sync(struct kunit *test)
{
	struct wsk_listen_params p = { .backlog = 7, .reuseaddr = true };
	struct wt_req *r = wt_req_new(test);
	struct wsk_socket *ls = NULL;
	struct sockaddr_storage ss;
	struct socket *csock;
	int len, val;
	u16 port, cport;

	len = wt_addr(&ss, AF_INET6, false, 0);
	KUNIT_ASSERT_EQ(test, wsk_listen_sync(wt(test)->client, &init_net, (struct sockaddr *)&ss,
					      len, &p, &ls), 0);
	KUNIT_ASSERT_NOT_NULL(test, ls);
	wt_track(test, ls);
	KUNIT_ASSERT_EQ(test, wt_local_address(test, ls, &ss), 0);
	port = wt_port(&ss);
	KUNIT_EXPECT_NE(test, port, 0);
	KUNIT_EXPECT_EQ(test, wt_get_int(test, ls, SOL_SOCKET, WSK_SO_LISTEN_BACKLOG, &val), 0);
	KUNIT_EXPECT_EQ(test, val, 7);
	KUNIT_EXPECT_EQ(test, wt_get_int(test, ls, SOL_SOCKET, SO_REUSEADDR, &val), 0);
	KUNIT_EXPECT_EQ(test, val, 1);

	KUNIT_ASSERT_EQ(test, wt_accept(ls, r), -EINPROGRESS);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET6, port, &cport, &csock), 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_EXPECT_EQ(test, r->status, 0);
	if (r->socket)
		wt_track(test, r->socket);
}

static const struct wsk_client_listen_dispatch wt_no_callbacks;

static bool wt_client_sockets_are(void *arg)
{
	struct wt_fixture *t = arg;

	return atomic_read(&t->client->nr_sockets) == (long)t->data;
}

/*
 * wsk_accept_listen_sync_closed(): the listener wsk_listen_sync() hands
 * out, the close its accept_event submits, and the peer that connects
 * before the events are on. File-scope: the hooks have no context.
 */
static struct wsk_socket *wt_sync_ls;
static struct wt_req *wt_sync_close;
static struct socket *wt_sync_peer;
static int wt_sync_connect_ret;
static atomic_t wt_sync_accept_events;

/* WSK_TP_LISTENED of a listener: a peer connects before its events are on. */
static void wt_tp_connect_early(enum wsk_test_point point, struct wsk_sock *ws, void *arg)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	struct socket *sock;

	if (point != WSK_TP_LISTENED || !wsk_sock_is_listener(ws) || READ_ONCE(wt_sync_peer))
		return;
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	to.sin_port = ws->local.v4.sin_port;	/* bound: cached before it listens */
	if (sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP, &sock))
		return;
	wt_sync_connect_ret = kernel_connect(sock, (struct sockaddr *)&to, sizeof(to), 0);
	WRITE_ONCE(wt_sync_peer, sock);
}

/* The accept_event closes the very listener it is called on, then refuses. */
static int wt_sync_close_accept_event(void *ctx, unsigned int flags,
				      const struct sockaddr *local, const struct sockaddr *remote,
				      struct wsk_socket *s, void **conn_ctx,
				      const struct wsk_client_connection_dispatch **conn_dispatch)
{
	struct wsk_socket *ls = READ_ONCE(wt_sync_ls);

	if (atomic_inc_return(&wt_sync_accept_events) == 1 && ls)
		wsk_close(ls, &wt_sync_close->req);
	return -ECONNREFUSED;
}

static const struct wsk_client_listen_dispatch wt_sync_close_dispatch = {
	.accept_event = wt_sync_close_accept_event,
};

/*
 * A connection that came before wsk_listen_sync() enabled the events: the
 * accept_event runs at once, possibly before wsk_listen_sync() returns,
 * and closes the listener it was handed through @listener. The setup still
 * returns 0 with that listener (it touches it no more once its events are
 * on), the close completes once, the refused connection is reset, and the
 * listener and the connection are gone.
 */
static void wsk_accept_listen_sync_closed(struct kunit *test)
{
	struct wsk_listen_params p = { .dispatch = &wt_sync_close_dispatch,
				       .events = WSK_EVENT_ACCEPT };
	struct wsk_client *client = wt(test)->client;
	struct sockaddr_storage ss;
	struct socket *peer;
	int len, before;

	wt_sync_close = wt_req_new(test);
	KUNIT_ASSERT_NOT_NULL(test, wt_sync_close);
	WRITE_ONCE(wt_sync_peer, NULL);
	atomic_set(&wt_sync_accept_events, 0);
	before = atomic_read(&client->nr_sockets);
	len = wt_addr(&ss, AF_INET, false, 0);
	WRITE_ONCE(wsk_test_hook, wt_tp_connect_early);
	KUNIT_EXPECT_EQ(test, wsk_listen_sync(client, &init_net, (struct sockaddr *)&ss, len, &p,
					      &wt_sync_ls), 0);
	WRITE_ONCE(wsk_test_hook, NULL);
	peer = READ_ONCE(wt_sync_peer);
	KUNIT_ASSERT_NOT_NULL(test, peer);
	KUNIT_EXPECT_EQ(test, wt_sync_connect_ret, 0);
	KUNIT_EXPECT_NOT_NULL(test, READ_ONCE(wt_sync_ls));

	KUNIT_EXPECT_TRUE(test, wt_wait(test, wt_sync_close));
	KUNIT_EXPECT_EQ(test, wt_sync_close->status, 0);
	msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&wt_sync_close->count), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&wt_sync_accept_events), 1);
	KUNIT_EXPECT_TRUE(test, wt_reset_seen(peer, wt_sync_connect_ret));
	wt(test)->data = (void *)(long)before;
	KUNIT_EXPECT_TRUE(test, wt_poll(wt_client_sockets_are, wt(test)));
	WRITE_ONCE(wt_sync_ls, NULL);
	sock_release(peer);
}

/*
 * wsk_listen_sync() refused or failing at each step: the error, a NULL
 * listener, and no socket left behind (the client's count comes back).
 */
static void wsk_accept_listen_sync_fails(struct kunit *test)
{
	struct wsk_client *client = wt(test)->client;
	struct wsk_socket *unset = (struct wsk_socket *)&client, *ls;
	struct wsk_listen_params p = {};
	struct sockaddr_storage ss, busy;
	const struct sockaddr *sa = (struct sockaddr *)&ss;
	int len, blen, before;
	u16 port;

	len = wt_addr(&ss, AF_INET, false, 0);
	/* In use, without SO_REUSEADDR: a listener of its own holds the port. */
	wt_listener(test, AF_INET, false, 0, &port);
	blen = wt_addr(&busy, AF_INET, false, port);
	before = atomic_read(&client->nr_sockets);

	KUNIT_EXPECT_EQ(test, wsk_listen_sync(client, &init_net, sa, len, &p, NULL), -EINVAL);
	ls = unset;
	KUNIT_EXPECT_EQ(test, wsk_listen_sync(NULL, &init_net, sa, len, &p, &ls), -EINVAL);
	KUNIT_EXPECT_NULL(test, ls);
	ls = unset;
	KUNIT_EXPECT_EQ(test, wsk_listen_sync(client, NULL, sa, len, &p, &ls), -EINVAL);
	KUNIT_EXPECT_NULL(test, ls);
	ls = unset;
	KUNIT_EXPECT_EQ(test, wsk_listen_sync(client, &init_net, NULL, len, &p, &ls), -EINVAL);
	KUNIT_EXPECT_NULL(test, ls);
	ls = unset;
	KUNIT_EXPECT_EQ(test, wsk_listen_sync(client, &init_net, sa, len, NULL, &ls), -EINVAL);
	KUNIT_EXPECT_NULL(test, ls);
	ls = unset;
	KUNIT_EXPECT_EQ(test, wsk_listen_sync(client, &init_net, sa, 1, &p, &ls), -EINVAL);
	KUNIT_EXPECT_NULL(test, ls);
	/* Created, then the bind refuses a length that lies. */
	ls = unset;
	KUNIT_EXPECT_EQ(test, wsk_listen_sync(client, &init_net, sa, 8, &p, &ls), -EINVAL);
	KUNIT_EXPECT_NULL(test, ls);
	ls = unset;
	KUNIT_EXPECT_EQ(test, wsk_listen_sync(client, &init_net, (struct sockaddr *)&busy, blen,
					      &p, &ls), -EADDRINUSE);
	KUNIT_EXPECT_NULL(test, ls);
	/* Conditional accept without an inspect_event: the option is refused. */
	p.conditional = true;
	p.dispatch = &wt_no_callbacks;
	ls = unset;
	KUNIT_EXPECT_EQ(test, wsk_listen_sync(client, &init_net, sa, len, &p, &ls), -EINVAL);
	KUNIT_EXPECT_NULL(test, ls);
	/* The accept event without an accept_event callback: bound, then refused. */
	p.conditional = false;
	p.events = WSK_EVENT_ACCEPT;
	ls = unset;
	KUNIT_EXPECT_EQ(test, wsk_listen_sync(client, &init_net, sa, len, &p, &ls), -EINVAL);
	KUNIT_EXPECT_NULL(test, ls);

	wt(test)->data = (void *)(long)before;
	KUNIT_EXPECT_TRUE(test, wt_poll(wt_client_sockets_are, wt(test)));
}

/* A WSK_IOCTL that outputs a size_t, waited for; *@bytes is result.bytes. */
static int wt_ioctl(struct wsk_socket *s, u32 code, size_t out_size, void *out,
		    size_t *out_returned, size_t *bytes)
{
	struct wsk_sync sync;
	int err;

	wsk_sync_init(&sync);
	err = wsk_sync_wait(&sync, wsk_control(s, WSK_IOCTL, code, 0, 0, NULL, out_size, out,
					       out_returned, &sync.req));
	*bytes = sync.req.result.bytes;
	return err;
}

/*
 * WSK_SIO_QUERY_IDEAL_SEND_BACKLOG: a size_t on a connected connection
 * socket, between two segments and the send buffer; -EOPNOTSUPP on a
 * listener or for an unknown code, -ENOTCONN before a connection, -EINVAL
 * for a short or missing output buffer.
 */
static void wsk_accept_ioctl_send_backlog(struct kunit *test)
{
	const u32 code = WSK_SIO_QUERY_IDEAL_SEND_BACKLOG;
	struct wt_req *r = wt_req_new(test);
	struct wsk_socket *ls, *unconnected;
	size_t val, returned, bytes;
	struct socket *csock;
	struct sock *sk;
	u16 port, cport;
	u32 small;

	ls = wt_listener(test, AF_INET, false, 0, &port);
	KUNIT_EXPECT_EQ(test, wt_ioctl(ls, code, sizeof(val), &val, &returned, &bytes),
			-EOPNOTSUPP);
	KUNIT_ASSERT_EQ(test, wt_socket(test, AF_INET, WSK_FLAG_CONNECTION_SOCKET, &unconnected),
			0);
	KUNIT_EXPECT_EQ(test, wt_ioctl(unconnected, code, sizeof(val), &val, &returned, &bytes),
			-ENOTCONN);

	KUNIT_ASSERT_EQ(test, wt_accept(ls, r), -EINPROGRESS);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, port, &cport, &csock), 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_ASSERT_EQ(test, r->status, 0);
	wt_track(test, r->socket);

	KUNIT_EXPECT_EQ(test, wt_ioctl(r->socket, code, sizeof(small), &small, &returned, &bytes),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, wt_ioctl(r->socket, code, sizeof(val), NULL, &returned, &bytes),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, wt_ioctl(r->socket, 0x12345678, sizeof(val), &val, &returned,
				       &bytes), -EOPNOTSUPP);
	val = 0;
	returned = 0;
	KUNIT_ASSERT_EQ(test, wt_ioctl(r->socket, code, sizeof(val), &val, &returned, &bytes), 0);
	KUNIT_EXPECT_EQ(test, returned, sizeof(val));
	KUNIT_EXPECT_EQ(test, bytes, sizeof(val));
	sk = wsk_sock(r->socket)->sock->sk;
	KUNIT_EXPECT_GE(test, val, 2 * (size_t)READ_ONCE(tcp_sk(sk)->mss_cache));
	KUNIT_EXPECT_LE(test, val, (size_t)READ_ONCE(sk->sk_sndbuf));
}

/* Pass-through options, SET then GET, and IPV6_V6ONLY's effect. */
static void wsk_accept_options(struct kunit *test)
{
	struct sockaddr_storage ss;
	struct wsk_socket *s4, *s6;
	struct socket *csock;
	int len;
	u16 port, cport;

	KUNIT_ASSERT_EQ(test, wt_socket(test, AF_INET, WSK_FLAG_LISTEN_SOCKET, &s4), 0);
	KUNIT_ASSERT_EQ(test, wt_socket(test, AF_INET6, WSK_FLAG_LISTEN_SOCKET, &s6), 0);

	wt_opt_roundtrip(test, s4, SOL_SOCKET, SO_REUSEADDR, 1);
	wt_opt_roundtrip(test, s4, SOL_SOCKET, SO_REUSEADDR, 0);
	wt_opt_roundtrip(test, s4, SOL_SOCKET, SO_REUSEPORT, 1);
	wt_opt_roundtrip(test, s4, SOL_SOCKET, SO_REUSEPORT, 0);
	wt_opt_roundtrip(test, s4, SOL_SOCKET, SO_KEEPALIVE, 1);
	wt_opt_roundtrip(test, s4, SOL_SOCKET, SO_KEEPALIVE, 0);
	wt_opt_roundtrip(test, s4, SOL_TCP, TCP_NODELAY, 1);
	wt_opt_roundtrip(test, s4, SOL_TCP, TCP_NODELAY, 0);
	wt_opt_roundtrip(test, s6, SOL_IPV6, IPV6_V6ONLY, 0);
	wt_opt_roundtrip(test, s6, SOL_IPV6, IPV6_V6ONLY, 1);
	KUNIT_EXPECT_EQ(test, wt_set_u32(test, s4, SOL_IPV6, IPV6_V6ONLY, 1), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, wt_set_u32(test, s4, SOL_SOCKET, SO_OOBINLINE, 1), -EOPNOTSUPP);
	/* No inspect_event in its (NULL) dispatch; no control structure. */
	KUNIT_EXPECT_EQ(test, wt_set_u32(test, s4, SOL_SOCKET, WSK_SO_CONDITIONAL_ACCEPT, 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, wsk_control(s4, WSK_SET_OPTION, WSK_SO_EVENT_CALLBACK, SOL_SOCKET,
					  0, NULL, 0, NULL, NULL, NULL), -EINVAL);

	/* v6-only on ::, so an IPv4 client is refused. */
	len = wt_addr(&ss, AF_INET6, true, 0);
	KUNIT_ASSERT_EQ(test, wt_bind(test, s6, (struct sockaddr *)&ss, len), 0);
	KUNIT_ASSERT_EQ(test, wt_local_address(test, s6, &ss), 0);
	port = wt_port(&ss);
	KUNIT_EXPECT_EQ(test, wt_connect(test, AF_INET, port, &cport, &csock), -ECONNREFUSED);
	KUNIT_EXPECT_EQ(test, wt_connect(test, AF_INET6, port, &cport, &csock), 0);
	/* The kernel's own answer after bind. */
	KUNIT_EXPECT_EQ(test, wt_set_u32(test, s6, SOL_IPV6, IPV6_V6ONLY, 0), -EINVAL);
}

static bool wt_head_child_closed(void *arg)
{
	struct request_sock_queue *queue = &inet_csk((struct sock *)arg)->icsk_accept_queue;
	bool closed = false;

	spin_lock_bh(&queue->rskq_lock);
	if (queue->rskq_accept_head && queue->rskq_accept_head->sk)
		closed = READ_ONCE(queue->rskq_accept_head->sk->sk_state) == TCP_CLOSE;
	spin_unlock_bh(&queue->rskq_lock);
	return closed;
}

/*
 * A peer that resets before its connection is accepted: the connection is
 * still delivered (a valid accept), its socket recorded as dead
 * (accepts_dead, state "dead"), its addresses still reported; closing it
 * works.
 */
static void wsk_accept_peer_reset(struct kunit *test)
{
	struct wt_req *r = wt_req_new(test);
	long dead = wt_stat("accepts_dead");
	struct sockaddr_storage ss;
	struct wsk_socket *ls;
	struct socket *csock;
	u16 port, cport;

	ls = wt_listener(test, AF_INET, false, 0, &port);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, port, &cport, &csock), 0);
	sock_no_linger(csock->sk);
	wt_release(test, csock);
	KUNIT_ASSERT_TRUE(test, wt_poll(wt_head_child_closed, wsk_sock(ls)->sock->sk));

	KUNIT_ASSERT_EQ(test, wt_accept(ls, r), -EINPROGRESS);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_ASSERT_EQ(test, r->status, 0);
	KUNIT_ASSERT_NOT_NULL(test, r->socket);
	wt_track(test, r->socket);
	KUNIT_EXPECT_EQ(test, wt_stat("accepts_dead"), dead + 1);
	KUNIT_EXPECT_EQ(test, wsk_sock(r->socket)->state, WSK_SOCK_DEAD);
	wt_expect_addr(test, &r->remote, WT_V4_LOOPBACK, cport);
	wt_expect_addr(test, &r->local, WT_V4_LOOPBACK, port);
	KUNIT_EXPECT_EQ(test, wt_remote_address(test, r->socket, &ss), 0);
	wt_expect_addr(test, &ss, WT_V4_LOOPBACK, cport);
	KUNIT_EXPECT_EQ(test, wt_close(test, r->socket), 0);
}

/* Calls through the provider dispatch tables. */
static void wsk_accept_dispatch(struct kunit *test)
{
	const struct wsk_provider_connection_dispatch *cd;
	const struct wsk_provider_listen_dispatch *ld;
	struct wt_req *r = wt_req_new(test), *a = wt_req_new(test);
	struct wsk_data_indication chain = {};
	struct sockaddr_storage ss;
	struct wsk_socket *ls, *cs;
	struct socket *csock;
	u16 port, cport;
	int val = 0;

	ls = wt_listener(test, AF_INET, false, 0, &port);
	ld = ls->dispatch;
	KUNIT_ASSERT_NOT_NULL(test, ld);
	KUNIT_EXPECT_TRUE(test, ld->accept == wsk_accept);
	KUNIT_EXPECT_TRUE(test, ld->bind == wsk_bind);
	KUNIT_EXPECT_TRUE(test, ld->basic.close == wsk_close);
	KUNIT_EXPECT_EQ(test, ld->get_local_address(ls, &ss, &r->req), 0);
	KUNIT_EXPECT_EQ(test, wt_port(&ss), port);
	wt_req_init(r);
	KUNIT_EXPECT_EQ(test, ld->basic.control(ls, WSK_GET_OPTION, SO_REUSEADDR, SOL_SOCKET, 0,
						NULL, sizeof(val), &val, NULL, &r->req), 0);
	wt_req_init(r);
	/* Routed: a NULL id is wsk_inspect_complete()'s own -EINVAL. */
	KUNIT_EXPECT_EQ(test, ld->inspect_complete(ls, NULL, WSK_INSPECT_ACCEPT, &r->req),
			-EINVAL);
	KUNIT_ASSERT_EQ(test, ld->accept(ls, 0, NULL, NULL, &a->local, &a->remote, &a->req),
			-EINPROGRESS);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, port, &cport, &csock), 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, a));
	KUNIT_ASSERT_EQ(test, a->status, 0);
	cs = a->socket;
	wt_track(test, cs);

	cd = cs->dispatch;
	KUNIT_ASSERT_NOT_NULL(test, cd);
	KUNIT_EXPECT_PTR_NE(test, (const void *)cd, (const void *)ld);
	KUNIT_EXPECT_TRUE(test, cd->basic.control == wsk_control);
	wt_req_init(r);
	KUNIT_EXPECT_EQ(test, cd->get_remote_address(cs, &ss, &r->req), 0);
	KUNIT_EXPECT_EQ(test, wt_port(&ss), cport);
	wt_req_init(r);
	KUNIT_EXPECT_EQ(test, cd->get_local_address(cs, &ss, &r->req), 0);
	KUNIT_EXPECT_EQ(test, wt_port(&ss), port);
	wt_req_init(r);
	KUNIT_EXPECT_EQ(test, cd->bind(cs, (struct sockaddr *)&ss, sizeof(struct sockaddr_in), 0,
				       &r->req), -EINPROGRESS);
	KUNIT_EXPECT_TRUE(test, wt_wait(test, r));
	KUNIT_EXPECT_EQ(test, r->status, -EINVAL);	/* connected already */
	wt_req_init(r);
	KUNIT_EXPECT_EQ(test, cd->connect(cs, (struct sockaddr *)&ss, sizeof(struct sockaddr_in),
					  0, &r->req), -EINPROGRESS);
	KUNIT_EXPECT_TRUE(test, wt_wait(test, r));
	KUNIT_EXPECT_EQ(test, r->status, -EISCONN);	/* connected already */
	/* The data path members reach the real functions (their own errors). */
	wt_req_init(r);
	KUNIT_EXPECT_EQ(test, cd->send(cs, NULL, 0, &r->req), -EINVAL);
	wt_req_init(r);
	KUNIT_EXPECT_EQ(test, cd->receive(cs, NULL, 0, &r->req), -EINVAL);
	wt_req_init(r);
	KUNIT_EXPECT_EQ(test, cd->disconnect(cs, NULL, 0, &r->req), -EINPROGRESS);
	KUNIT_EXPECT_TRUE(test, wt_wait(test, r));
	KUNIT_EXPECT_EQ(test, r->status, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 1);
	KUNIT_EXPECT_EQ(test, cd->release(cs, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, cd->release(cs, &chain), -EINVAL);	/* not held */

	wt_untrack(test, cs);
	wt_req_init(r);
	KUNIT_EXPECT_EQ(test, cd->basic.close(cs, &r->req), -EINPROGRESS);
	KUNIT_EXPECT_TRUE(test, wt_wait(test, r));
	KUNIT_EXPECT_EQ(test, r->status, 0);
	wt_untrack(test, ls);
	wt_req_init(r);
	KUNIT_EXPECT_EQ(test, ld->basic.close(ls, &r->req), -EINPROGRESS);
	KUNIT_EXPECT_TRUE(test, wt_wait(test, r));
	KUNIT_EXPECT_EQ(test, r->status, 0);
}

/* Accepted sockets outlive their listener; undelivered connections are reset. */
static void wsk_accept_listener_close(struct kunit *test)
{
	struct wt_req *r = wt_req_new(test);
	struct socket *csock, *queued;
	struct sockaddr_storage ss;
	struct msghdr msg = {};
	struct wsk_socket *ls;
	u16 port, cport, qport;
	struct kvec iov;
	char byte;

	ls = wt_listener(test, AF_INET, false, 0, &port);
	KUNIT_ASSERT_EQ(test, wt_accept(ls, r), -EINPROGRESS);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, port, &cport, &csock), 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_ASSERT_EQ(test, r->status, 0);
	wt_track(test, r->socket);
	/* This one waits in the kernel's queue: no accept is pending. */
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, port, &qport, &queued), 0);

	KUNIT_EXPECT_EQ(test, wt_close(test, ls), 0);
	/* The reset crosses loopback in softirq, maybe later than the close. */
	KUNIT_EXPECT_TRUE(test, wt_reset_seen(queued, 0));
	iov.iov_base = &byte;
	iov.iov_len = 1;
	KUNIT_EXPECT_EQ(test, kernel_recvmsg(csock, &msg, &iov, 1, 1, MSG_DONTWAIT), -EAGAIN);
	KUNIT_EXPECT_EQ(test, wt_remote_address(test, r->socket, &ss), 0);
	KUNIT_EXPECT_EQ(test, wt_port(&ss), cport);

	/* The accepted socket's close is abortive: the peer sees a reset. */
	KUNIT_EXPECT_EQ(test, wt_close(test, r->socket), 0);
	KUNIT_EXPECT_TRUE(test, wt_reset_seen(csock, 0));
}

/* Counters return to their starting values once everything is closed. */
static void wsk_accept_counters(struct kunit *test)
{
	long sockets = wt_stat("sockets"), pending = wt_stat("requests_pending");
	long clients = wt_stat("clients"), accepted = wt_stat("accepts_completed");
	long cancelled = wt_stat("requests_cancelled");
	struct wt_req *r[4];
	struct wsk_socket *ls;
	struct socket *csock;
	u16 port, cport;
	int i;

	KUNIT_ASSERT_NE(test, sockets, LONG_MIN);
	ls = wt_listener(test, AF_INET, false, 0, &port);
	for (i = 0; i < 4; i++) {
		r[i] = wt_req_new(test);
		KUNIT_ASSERT_EQ(test, wt_accept(ls, r[i]), -EINPROGRESS);
	}
	KUNIT_EXPECT_EQ(test, wt_stat("sockets"), sockets + 1);
	KUNIT_EXPECT_EQ(test, wt_stat("requests_pending"), pending + 4);
	for (i = 0; i < 2; i++) {
		KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, port, &cport, &csock), 0);
		KUNIT_ASSERT_TRUE(test, wt_wait(test, r[i]));
		KUNIT_ASSERT_EQ(test, r[i]->status, 0);
		wt_track(test, r[i]->socket);
	}
	KUNIT_EXPECT_EQ(test, wt_stat("sockets"), sockets + 3);
	KUNIT_EXPECT_EQ(test, wt_stat("requests_pending"), pending + 2);
	KUNIT_EXPECT_EQ(test, wt_stat("accepts_completed"), accepted + 2);

	/* The fixture's exit closes all and deregisters; do it here to check. */
	wt_exit(test);
	KUNIT_EXPECT_EQ(test, wt_stat("sockets"), sockets);
	KUNIT_EXPECT_EQ(test, wt_stat("requests_pending"), pending);
	KUNIT_EXPECT_EQ(test, wt_stat("clients"), clients - 1);
	KUNIT_EXPECT_EQ(test, wt_stat("requests_cancelled"), cancelled + 2);
}

struct wt_dereg {
	struct wsk_client *client;
	struct completion done;
	bool returned;
};

static int wt_dereg_fn(void *data)
{
	struct wt_dereg *d = data;

	wsk_deregister(d->client);
	WRITE_ONCE(d->returned, true);
	complete(&d->done);
	return 0;
}

/* wsk_deregister() returns only after the client's last socket is closed. */
static void wsk_accept_deregister_waits(struct kunit *test)
{
	long clients = wt_stat("clients");
	struct wt_req *create = wt_req_new(test), *close = wt_req_new(test);
	struct task_struct *task;
	struct wt_dereg *d;

	d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, d);
	init_completion(&d->done);
	d->client = wsk_register(THIS_MODULE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(d->client));
	KUNIT_EXPECT_EQ(test, wt_stat("clients"), clients + 1);
	KUNIT_ASSERT_EQ(test, wsk_socket(d->client, &init_net, AF_INET, WSK_FLAG_LISTEN_SOCKET,
					 NULL, NULL, &create->req), -EINPROGRESS);
	if (!wt_wait(test, create) || create->status) {
		wsk_deregister(d->client);
		KUNIT_FAIL(test, "socket creation failed: %d", create->status);
		return;
	}

	task = kthread_run(wt_dereg_fn, d, "wsk_dereg");
	if (IS_ERR(task)) {
		wsk_close(create->socket, &close->req);
		wt_wait(test, close);
		wsk_deregister(d->client);
		KUNIT_FAIL(test, "kthread_run failed");
		return;
	}
	msleep(200);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(d->returned));
	KUNIT_EXPECT_EQ(test, wsk_close(create->socket, &close->req), -EINPROGRESS);
	KUNIT_EXPECT_TRUE(test, wt_wait(test, close));
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&d->done, WT_TIMEOUT));
	KUNIT_EXPECT_TRUE(test, READ_ONCE(d->returned));
	KUNIT_EXPECT_EQ(test, wt_stat("clients"), clients);
}

static struct kunit_case wsk_accept_cases[] = {
	KUNIT_CASE(wsk_accept_pending_ipv4),
	KUNIT_CASE(wsk_accept_pending_ipv6),
	KUNIT_CASE(wsk_accept_dual_stack),
	KUNIT_CASE(wsk_accept_inline),
	KUNIT_CASE(wsk_accept_fifo),
	KUNIT_CASE(wsk_accept_cancel_one),
	KUNIT_CASE(wsk_accept_close_pending),
	KUNIT_CASE(wsk_accept_after_close),
	KUNIT_CASE(wsk_accept_before_bind),
	KUNIT_CASE(wsk_accept_on_connection),
	KUNIT_CASE(wsk_accept_bad_flags),
	KUNIT_CASE(wsk_accept_bind_in_use),
	KUNIT_CASE(wsk_accept_port_zero),
	KUNIT_CASE(wsk_accept_backlog),
	KUNIT_CASE(wsk_accept_listen_sync),
	KUNIT_CASE(wsk_accept_listen_sync_fails),
	KUNIT_CASE(wsk_accept_listen_sync_closed),
	KUNIT_CASE(wsk_accept_options),
	KUNIT_CASE(wsk_accept_ioctl_send_backlog),
	KUNIT_CASE(wsk_accept_peer_reset),
	KUNIT_CASE(wsk_accept_dispatch),
	KUNIT_CASE(wsk_accept_listener_close),
	KUNIT_CASE(wsk_accept_counters),
	KUNIT_CASE(wsk_accept_deregister_waits),
	{}
};

static struct kunit_suite wsk_accept_suite = {
	.name = "wsk_accept",
	.init = wt_init,
	.exit = wt_exit,
	.test_cases = wsk_accept_cases,
};

kunit_test_suite(wsk_accept_suite);
