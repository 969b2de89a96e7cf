// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "wsk_cond": conditional accept on real loopback connections.
 * WSAAccept style (wsk_accept_conditional): the ACCEPT, REJECT and DEFER
 * verdicts and an invalid one, the addresses given to the condition and
 * filled for every verdict, a deferred head blocking the connections
 * behind it, a plain accept after a deferral. WSK style
 * (WSK_SO_CONDITIONAL_ACCEPT): when the option can be set, PEND then
 * wsk_inspect_complete() ACCEPT reaching an accept request or the accept
 * event (also the moment inspect_event pended), REJECT, a pended peer that
 * resets (abort_event, then -ENOENT), a flood of ten times the backlog held
 * within the backlog, and closing a listener that holds connections.
 *
 * Callbacks never call KUnit (it may sleep): they record, and the suite's
 * exit reports the first contract violation they saw.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/wait.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "util.h"

#define WC_MAX		64
#define WC_QUIET_MS	100
#define WC_FLOOD_BACKLOG	4
#define WC_FLOOD	(10 * WC_FLOOD_BACKLOG)

/**
 * struct wc_fixture - one test's state (wt(test)->data)
 * @test: the test
 * @wq: woken by every callback
 * @lock: protects @why
 * @bad: contract violations seen by callbacks
 * @why: the first one
 * @port: the listener's port
 * @verdict: what the condition and inspect_event return
 * @conditions: condition calls
 * @cond_port: peer port seen by each condition call
 * @inspects: inspect_event calls
 * @ids: the id of each
 * @inspect_port: the peer port of each
 * @aborts: abort_event calls
 * @aborted: the id of each
 * @accepts: accept_event calls with a socket
 * @accept_port: peer port of the last
 */
struct wc_fixture {
	struct kunit *test;
	wait_queue_head_t wq;
	spinlock_t lock;	/* see the kernel-doc above */
	atomic_t bad;
	char why[160];
	u16 port;
	int verdict;
	atomic_t conditions;
	u16 cond_port[WC_MAX];
	atomic_t inspects;
	struct wsk_inspect_id ids[WC_MAX];
	u16 inspect_port[WC_MAX];
	atomic_t aborts;
	struct wsk_inspect_id aborted[WC_MAX];
	atomic_t accepts;
	u16 accept_port;
};

static __printf(2, 3) void wc_bad(struct wc_fixture *wc, const char *fmt, ...)
{
	unsigned long flags;
	va_list args;

	spin_lock_irqsave(&wc->lock, flags);
	if (atomic_inc_return(&wc->bad) == 1) {
		va_start(args, fmt);
		vsnprintf(wc->why, sizeof(wc->why), fmt, args);
		va_end(args);
	}
	spin_unlock_irqrestore(&wc->lock, flags);
}

static bool wc_loopback(const struct sockaddr *sa)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

	return sa && sa->sa_family == AF_INET && sin->sin_addr.s_addr == htonl(INADDR_LOOPBACK);
}

static u16 wc_port(const struct sockaddr *sa)
{
	return wt_port((const struct sockaddr_storage *)sa);
}

/* Records the caller's port; returns @wc->verdict. */
static enum wsk_cf wc_condition(const struct sockaddr *caller, const struct sockaddr *callee,
				unsigned long callback_data)
{
	struct wc_fixture *wc = (struct wc_fixture *)callback_data;
	int i = atomic_read(&wc->conditions);

	if (!wc_loopback(caller) || !wc_loopback(callee) || wc_port(callee) != wc->port)
		wc_bad(wc, "condition: bad caller or callee");
	if (i < WC_MAX)
		wc->cond_port[i] = wc_loopback(caller) ? wc_port(caller) : 0;
	atomic_inc(&wc->conditions);
	wake_up(&wc->wq);
	return READ_ONCE(wc->verdict);
}

static enum wsk_inspect_action wc_inspect_event(void *context, const struct sockaddr *local,
						const struct sockaddr *remote,
						const struct wsk_inspect_id *id)
{
	struct wc_fixture *wc = context;
	int i = atomic_read(&wc->inspects);

	if (!id) {
		wc_bad(wc, "inspect_event: NULL id (listener dead)");
		return WSK_INSPECT_REJECT;
	}
	if (!wc_loopback(local) || !wc_loopback(remote) || wc_port(local) != wc->port)
		wc_bad(wc, "inspect_event: bad local or remote address");
	if (i < WC_MAX) {
		wc->ids[i] = *id;
		wc->inspect_port[i] = wc_loopback(remote) ? wc_port(remote) : 0;
	} else {
		wc_bad(wc, "more than %d inspect_event calls", WC_MAX);
	}
	/* The id is visible once the call is counted. */
	smp_mb__before_atomic();
	atomic_inc(&wc->inspects);
	wake_up(&wc->wq);
	return READ_ONCE(wc->verdict);
}

static void wc_abort_event(void *context, const struct wsk_inspect_id *id)
{
	struct wc_fixture *wc = context;
	int i = atomic_read(&wc->aborts);

	if (!id)
		wc_bad(wc, "abort_event: NULL id");
	else if (i < WC_MAX)
		wc->aborted[i] = *id;
	atomic_inc(&wc->aborts);
	wake_up(&wc->wq);
}

static int wc_accept_event(void *context, unsigned int flags, const struct sockaddr *local,
			   const struct sockaddr *remote, struct wsk_socket *accept_socket,
			   void **accept_socket_context,
			   const struct wsk_client_connection_dispatch **accept_socket_dispatch)
{
	struct wc_fixture *wc = context;

	if (!accept_socket) {
		wc_bad(wc, "accept_event: NULL socket (listener dead)");
		return 0;
	}
	wt_track(wc->test, accept_socket);
	WRITE_ONCE(wc->accept_port, remote ? wc_port(remote) : 0);
	atomic_inc(&wc->accepts);
	wake_up(&wc->wq);
	return 0;
}

static const struct wsk_client_listen_dispatch wc_dispatch = {
	.accept_event = wc_accept_event,
	.inspect_event = wc_inspect_event,
	.abort_event = wc_abort_event,
};

static const struct wsk_client_listen_dispatch wc_no_inspect = {
	.accept_event = wc_accept_event,
};

static int wc_init(struct kunit *test)
{
	struct wc_fixture *wc;
	int err;

	err = wt_init(test);
	if (err)
		return err;
	wc = kunit_kzalloc(test, sizeof(*wc), GFP_KERNEL);
	if (!wc)
		return -ENOMEM;
	wc->test = test;
	init_waitqueue_head(&wc->wq);
	spin_lock_init(&wc->lock);
	wt(test)->data = wc;
	return 0;
}

static void wc_exit(struct kunit *test)
{
	struct wc_fixture *wc = wt(test) ? wt(test)->data : NULL;

	wt_exit(test);
	if (wc)
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&wc->bad), 0, "callback saw: %s", wc->why);
}

static struct wc_fixture *wc_get(struct kunit *test)
{
	return wt(test)->data;
}

/* Wait for @cond, woken by the callbacks; on timeout, fail naming it. */
#define WC_ASSERT_WAIT(test, wc, cond) WT_ASSERT_WAIT(test, (wc)->wq, cond)
#define WC_EXPECT_WAIT(test, wc, cond) WT_EXPECT_WAIT(test, (wc)->wq, cond)

/* A conditional accept on @ls with wc_condition; returns what the call returned. */
static int wc_accept_cond(struct wc_fixture *wc, struct wsk_socket *ls, struct wt_req *r)
{
	memset(&r->local, WT_POISON, sizeof(r->local));
	memset(&r->remote, WT_POISON, sizeof(r->remote));
	return wsk_accept_conditional(ls, wc_condition, (unsigned long)wc, r, NULL, &r->local,
				      &r->remote, &r->req);
}

/* Submit a conditional accept and wait for it; asserts it completed once. */
static void wc_accept_wait(struct kunit *test, struct wc_fixture *wc, struct wsk_socket *ls,
			   struct wt_req *r)
{
	KUNIT_ASSERT_EQ(test, wc_accept_cond(wc, ls, r), -EINPROGRESS);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 1);
	if (!r->status && r->socket)
		wt_track(test, r->socket);
}

/*
 * @r's local and remote: the listener's port and @cport, on loopback,
 * written to the 16 bytes of a sockaddr_in and no further.
 */
static void wc_expect_addrs(struct kunit *test, struct wc_fixture *wc, struct wt_req *r, u16 cport)
{
	KUNIT_EXPECT_EQ(test, wt_tail_touched(&r->local, AF_INET), 0);
	KUNIT_EXPECT_EQ(test, wt_tail_touched(&r->remote, AF_INET), 0);
	KUNIT_EXPECT_TRUE(test, wc_loopback((struct sockaddr *)&r->local));
	KUNIT_EXPECT_TRUE(test, wc_loopback((struct sockaddr *)&r->remote));
	KUNIT_EXPECT_EQ(test, wt_port(&r->local), wc->port);
	KUNIT_EXPECT_EQ(test, wt_port(&r->remote), cport);
}

/* The client sees a reset (bounded wait). */
static void wc_expect_reset(struct kunit *test, struct socket *csock)
{
	char byte;

	KUNIT_EXPECT_EQ(test, wt_recv_once(csock, &byte, 1), -ECONNRESET);
}

/* The client's connection is still up: no data, no reset. */
static void wc_expect_alive(struct kunit *test, struct socket *csock)
{
	struct msghdr msg = {};
	struct kvec iov;
	char byte;

	iov.iov_base = &byte;
	iov.iov_len = 1;
	KUNIT_EXPECT_EQ(test, kernel_recvmsg(csock, &msg, &iov, 1, 1, MSG_DONTWAIT), -EAGAIN);
}

/* A client connected without waiting (the kernel's queue may be full). */
static int wc_connect_nowait(struct kunit *test, u16 port, struct socket **sockp)
{
	struct sockaddr_storage ss;
	struct socket *sock;
	int len, err;

	err = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP, &sock);
	if (err)
		return err;
	len = wt_addr(&ss, AF_INET, false, port);
	err = kernel_connect(sock, (struct sockaddr *)&ss, len, O_NONBLOCK);
	if (err && err != -EINPROGRESS) {
		sock_release(sock);
		return err;
	}
	err = wt_own(test, sock);
	if (!err)
		*sockp = sock;
	return err;
}

/* ------------------------------------------------------------------------ */
/* wsk_accept_conditional                                                    */

/* ACCEPT: the socket, with the condition given the peer and local address. */
static void wsk_cond_accept(struct kunit *test)
{
	struct wc_fixture *wc = wc_get(test);
	struct wt_req *r = wt_req_new(test);
	struct sockaddr_storage ss;
	struct socket *csock;
	struct wsk_socket *ls;
	u16 cport;

	ls = wt_listener(test, AF_INET, false, 0, &wc->port);
	wc->verdict = WSK_CF_ACCEPT;
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, wc->port, &cport, &csock), 0);
	wc_accept_wait(test, wc, ls, r);
	KUNIT_ASSERT_EQ(test, r->status, 0);
	KUNIT_ASSERT_NOT_NULL(test, r->socket);
	KUNIT_EXPECT_EQ(test, atomic_read(&wc->conditions), 1);
	KUNIT_EXPECT_EQ(test, wc->cond_port[0], cport);
	wc_expect_addrs(test, wc, r, cport);
	KUNIT_EXPECT_EQ(test, wt_remote_address(test, r->socket, &ss), 0);
	KUNIT_EXPECT_EQ(test, wt_port(&ss), cport);
	wc_expect_alive(test, csock);
}

/* REJECT: -ECONNREFUSED, the peer is reset, the socket freed. */
static void wsk_cond_reject(struct kunit *test)
{
	struct wc_fixture *wc = wc_get(test);
	struct wt_req *r = wt_req_new(test);
	long rejected = wt_stat("connections_rejected"), sockets;
	struct socket *csock;
	struct wsk_socket *ls;
	u16 cport;

	KUNIT_ASSERT_NE(test, rejected, LONG_MIN);
	ls = wt_listener(test, AF_INET, false, 0, &wc->port);
	sockets = wt_stat("sockets");
	wc->verdict = WSK_CF_REJECT;
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, wc->port, &cport, &csock), 0);
	wc_accept_wait(test, wc, ls, r);
	KUNIT_EXPECT_EQ(test, r->status, -ECONNREFUSED);
	KUNIT_EXPECT_NULL(test, r->socket);
	KUNIT_EXPECT_EQ(test, atomic_read(&wc->conditions), 1);
	wc_expect_addrs(test, wc, r, cport);
	wc_expect_reset(test, csock);
	KUNIT_EXPECT_EQ(test, wt_stat_wait("connections_rejected", rejected + 1), rejected + 1);
	KUNIT_EXPECT_EQ(test, wt_stat_wait("sockets", sockets), sockets);
}

/*
 * DEFER: -EAGAIN with the addresses, counted in connections_deferred; the
 * next conditional accept is offered the same connection and can take it.
 */
static void wsk_cond_defer_then_accept(struct kunit *test)
{
	struct wc_fixture *wc = wc_get(test);
	struct wt_req *r = wt_req_new(test), *r2 = wt_req_new(test);
	long deferred = wt_stat("connections_deferred");
	struct socket *csock;
	struct wsk_socket *ls;
	u16 cport;

	KUNIT_ASSERT_NE(test, deferred, LONG_MIN);
	ls = wt_listener(test, AF_INET, false, 0, &wc->port);
	wc->verdict = WSK_CF_DEFER;
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, wc->port, &cport, &csock), 0);
	wc_accept_wait(test, wc, ls, r);
	KUNIT_EXPECT_EQ(test, r->status, -EAGAIN);
	KUNIT_EXPECT_NULL(test, r->socket);
	wc_expect_addrs(test, wc, r, cport);
	KUNIT_EXPECT_EQ(test, wt_stat_wait("connections_deferred", deferred + 1), deferred + 1);
	wc_expect_alive(test, csock);

	wc->verdict = WSK_CF_ACCEPT;
	wc_accept_wait(test, wc, ls, r2);
	KUNIT_ASSERT_EQ(test, r2->status, 0);
	KUNIT_ASSERT_NOT_NULL(test, r2->socket);
	wc_expect_addrs(test, wc, r2, cport);
	KUNIT_EXPECT_EQ(test, atomic_read(&wc->conditions), 2);
	KUNIT_EXPECT_EQ(test, wc->cond_port[1], cport);
	KUNIT_EXPECT_EQ(test, wt_stat_wait("connections_deferred", deferred), deferred);
}

/*
 * A deferred head blocks the connection behind it: every accept is offered
 * the head again until it is decided; then the second one comes.
 */
static void wsk_cond_defer_blocks(struct kunit *test)
{
	struct wc_fixture *wc = wc_get(test);
	struct wt_req *r[4];
	struct socket *csock;
	struct wsk_socket *ls;
	u16 cport[2];
	int i;

	ls = wt_listener(test, AF_INET, false, 0, &wc->port);
	for (i = 0; i < 4; i++)
		r[i] = wt_req_new(test);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, wc->port, &cport[0], &csock), 0);
	wc->verdict = WSK_CF_DEFER;
	wc_accept_wait(test, wc, ls, r[0]);
	KUNIT_EXPECT_EQ(test, r[0]->status, -EAGAIN);
	KUNIT_EXPECT_EQ(test, wt_port(&r[0]->remote), cport[0]);

	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, wc->port, &cport[1], &csock), 0);
	msleep(WC_QUIET_MS);
	wc_accept_wait(test, wc, ls, r[1]);
	KUNIT_EXPECT_EQ(test, r[1]->status, -EAGAIN);
	KUNIT_EXPECT_EQ(test, wt_port(&r[1]->remote), cport[0]);
	KUNIT_EXPECT_EQ(test, wc->cond_port[1], cport[0]);

	wc->verdict = WSK_CF_ACCEPT;
	wc_accept_wait(test, wc, ls, r[2]);
	KUNIT_ASSERT_EQ(test, r[2]->status, 0);
	KUNIT_EXPECT_EQ(test, wt_port(&r[2]->remote), cport[0]);
	wc_accept_wait(test, wc, ls, r[3]);
	KUNIT_ASSERT_EQ(test, r[3]->status, 0);
	KUNIT_EXPECT_EQ(test, wt_port(&r[3]->remote), cport[1]);
	KUNIT_EXPECT_EQ(test, atomic_read(&wc->conditions), 4);
}

/* After a DEFER, a plain wsk_accept() gets the deferred connection. */
static void wsk_cond_defer_then_plain(struct kunit *test)
{
	struct wc_fixture *wc = wc_get(test);
	struct wt_req *r = wt_req_new(test), *a = wt_req_new(test);
	long deferred = wt_stat("connections_deferred");
	struct socket *csock, *csock2;
	struct wsk_socket *ls;
	u16 cport, cport2;
	int ret;

	ls = wt_listener(test, AF_INET, false, 0, &wc->port);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, wc->port, &cport, &csock), 0);
	wc->verdict = WSK_CF_DEFER;
	wc_accept_wait(test, wc, ls, r);
	KUNIT_EXPECT_EQ(test, r->status, -EAGAIN);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, wc->port, &cport2, &csock2), 0);

	memset(&a->local, WT_POISON, sizeof(a->local));
	memset(&a->remote, WT_POISON, sizeof(a->remote));
	ret = wsk_accept(ls, 0, a, NULL, &a->local, &a->remote, &a->req);
	KUNIT_EXPECT_TRUE_MSG(test, ret == 0 || ret == -EINPROGRESS, "returned %d", ret);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, a));
	KUNIT_ASSERT_EQ(test, a->status, 0);
	wt_track(test, a->socket);
	KUNIT_EXPECT_EQ(test, wt_port(&a->remote), cport);
	KUNIT_EXPECT_EQ(test, atomic_read(&wc->conditions), 1);
	KUNIT_EXPECT_EQ(test, wt_stat_wait("connections_deferred", deferred), deferred);
}

/*
 * A verdict out of range: -EINVAL, addresses filled, the connection stays
 * queued; a NULL condition is a plain accept and takes it.
 */
static void wsk_cond_bad_verdict(struct kunit *test)
{
	struct wc_fixture *wc = wc_get(test);
	struct wt_req *r = wt_req_new(test), *a = wt_req_new(test);
	struct socket *csock;
	struct wsk_socket *ls;
	u16 cport;
	int ret;

	ls = wt_listener(test, AF_INET, false, 0, &wc->port);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, wc->port, &cport, &csock), 0);
	wc->verdict = 7;
	wc_accept_wait(test, wc, ls, r);
	KUNIT_EXPECT_EQ(test, r->status, -EINVAL);
	KUNIT_EXPECT_NULL(test, r->socket);
	wc_expect_addrs(test, wc, r, cport);
	wc_expect_alive(test, csock);

	memset(&a->local, WT_POISON, sizeof(a->local));
	memset(&a->remote, WT_POISON, sizeof(a->remote));
	ret = wsk_accept_conditional(ls, NULL, 0, a, NULL, &a->local, &a->remote, &a->req);
	KUNIT_EXPECT_TRUE_MSG(test, ret == 0 || ret == -EINPROGRESS, "returned %d", ret);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, a));
	KUNIT_ASSERT_EQ(test, a->status, 0);
	wt_track(test, a->socket);
	wc_expect_addrs(test, wc, a, cport);
	KUNIT_EXPECT_EQ(test, atomic_read(&wc->conditions), 1);
}

/* ------------------------------------------------------------------------ */
/* WSK_SO_CONDITIONAL_ACCEPT                                                 */

/* A bound conditional-accept listener whose context is @wc. */
static struct wsk_socket *wc_listener(struct kunit *test, struct wc_fixture *wc, u32 backlog)
{
	struct sockaddr_storage ss;
	struct wsk_socket *ls;
	int len;

	KUNIT_ASSERT_EQ(test, wt_socket_ctx(test, AF_INET, WSK_FLAG_LISTEN_SOCKET, wc,
					    &wc_dispatch, &ls), 0);
	if (backlog)
		KUNIT_ASSERT_EQ(test, wt_set_u32(test, ls, SOL_SOCKET, WSK_SO_LISTEN_BACKLOG,
						 backlog), 0);
	KUNIT_ASSERT_EQ(test, wt_set_u32(test, ls, SOL_SOCKET, WSK_SO_CONDITIONAL_ACCEPT, 1), 0);
	len = wt_addr(&ss, AF_INET, false, 0);
	KUNIT_ASSERT_EQ(test, wt_bind(test, ls, (struct sockaddr *)&ss, len), 0);
	KUNIT_ASSERT_EQ(test, wt_local_address(test, ls, &ss), 0);
	wc->port = wt_port(&ss);
	return ls;
}

/*
 * The option: before bind only, listeners only, and only with an
 * inspect_event.
 */
static void wsk_cond_option(struct kunit *test)
{
	struct wc_fixture *wc = wc_get(test);
	struct wsk_socket *ls, *plain, *cs;
	u16 port;

	ls = wt_listener_ctx(test, AF_INET, false, 0, wc, &wc_dispatch, &port);
	KUNIT_EXPECT_EQ(test, wt_set_u32(test, ls, SOL_SOCKET, WSK_SO_CONDITIONAL_ACCEPT, 1),
			-EINVAL);

	KUNIT_ASSERT_EQ(test, wt_socket_ctx(test, AF_INET, WSK_FLAG_LISTEN_SOCKET, wc,
					    &wc_no_inspect, &plain), 0);
	KUNIT_EXPECT_EQ(test, wt_set_u32(test, plain, SOL_SOCKET, WSK_SO_CONDITIONAL_ACCEPT, 1),
			-EINVAL);

	KUNIT_ASSERT_EQ(test, wt_socket(test, AF_INET, WSK_FLAG_CONNECTION_SOCKET, &cs), 0);
	KUNIT_EXPECT_EQ(test, wt_set_u32(test, cs, SOL_SOCKET, WSK_SO_CONDITIONAL_ACCEPT, 1),
			-EOPNOTSUPP);

	/* Set before bind, it works: the listener inspects. */
	wc_listener(test, wc, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&wc->inspects), 0);
}

/*
 * PEND, then wsk_inspect_complete(ACCEPT): the held connection reaches the
 * pending accept request only then.
 */
static void wsk_cond_pend_to_request(struct kunit *test)
{
	struct wc_fixture *wc = wc_get(test);
	struct wt_req *a = wt_req_new(test), *c = wt_req_new(test);
	long pended = wt_stat("inspect_pended"), accepted = wt_stat("inspect_accepted");
	struct wsk_inspect_id id;
	struct socket *csock;
	struct wsk_socket *ls;
	u16 cport;

	KUNIT_ASSERT_NE(test, pended, LONG_MIN);
	wc->verdict = WSK_INSPECT_PEND;
	ls = wc_listener(test, wc, 0);
	KUNIT_ASSERT_EQ(test, wsk_accept(ls, 0, a, NULL, &a->local, &a->remote, &a->req),
			-EINPROGRESS);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, wc->port, &cport, &csock), 0);
	WC_ASSERT_WAIT(test, wc, atomic_read(&wc->inspects) == 1);
	KUNIT_EXPECT_EQ(test, wc->inspect_port[0], cport);
	KUNIT_EXPECT_EQ(test, wt_stat_wait("inspect_pended", pended + 1), pended + 1);
	msleep(WC_QUIET_MS);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->count), 0);
	wc_expect_alive(test, csock);

	/* Ids are compared by value: a copy will do. */
	id = wc->ids[0];
	KUNIT_EXPECT_EQ(test, wsk_inspect_complete(ls, &id, WSK_INSPECT_ACCEPT, &c->req), 0);
	KUNIT_EXPECT_EQ(test, c->status, 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, a));
	KUNIT_ASSERT_EQ(test, a->status, 0);
	wt_track(test, a->socket);
	KUNIT_EXPECT_EQ(test, wt_port(&a->remote), cport);
	KUNIT_EXPECT_EQ(test, wt_stat_wait("inspect_accepted", accepted + 1), accepted + 1);

	/* Decided: the id is no longer known. */
	wt_req_init(c);
	KUNIT_EXPECT_EQ(test, wsk_inspect_complete(ls, &id, WSK_INSPECT_ACCEPT, &c->req),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, c->status, -ENOENT);
	wt_req_init(c);
	KUNIT_EXPECT_EQ(test, wsk_inspect_complete(ls, &id, WSK_INSPECT_PEND, &c->req), -EINVAL);
}

/* PEND, then ACCEPT: the held connection reaches the accept event only then. */
static void wsk_cond_pend_to_event(struct kunit *test)
{
	struct wc_fixture *wc = wc_get(test);
	struct wt_req *c = wt_req_new(test);
	struct socket *csock;
	struct wsk_socket *ls;
	u16 cport;

	wc->verdict = WSK_INSPECT_PEND;
	ls = wc_listener(test, wc, 0);
	KUNIT_ASSERT_EQ(test, wt_events(ls, WSK_EVENT_ACCEPT, NULL), 0);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, wc->port, &cport, &csock), 0);
	WC_ASSERT_WAIT(test, wc, atomic_read(&wc->inspects) == 1);
	msleep(WC_QUIET_MS);
	KUNIT_EXPECT_EQ(test, atomic_read(&wc->accepts), 0);

	KUNIT_EXPECT_EQ(test, wsk_inspect_complete(ls, &wc->ids[0], WSK_INSPECT_ACCEPT,
						   &c->req), 0);
	WC_ASSERT_WAIT(test, wc, atomic_read(&wc->accepts) == 1);
	KUNIT_EXPECT_EQ(test, wc->accept_port, cport);
	wc_expect_alive(test, csock);
}

/* REJECT from inspect_event, and from wsk_inspect_complete(): resets. */
static void wsk_cond_inspect_reject(struct kunit *test)
{
	struct wc_fixture *wc = wc_get(test);
	struct wt_req *c = wt_req_new(test), *a = wt_req_new(test);
	long rejected = wt_stat("inspect_rejected"), pended = wt_stat("inspect_pended");
	struct socket *csock, *csock2;
	struct wsk_socket *ls;
	u16 cport;
	int ret;

	KUNIT_ASSERT_NE(test, rejected, LONG_MIN);
	wc->verdict = WSK_INSPECT_REJECT;
	ls = wc_listener(test, wc, 0);
	KUNIT_ASSERT_EQ(test, wsk_accept(ls, 0, a, NULL, &a->local, &a->remote, &a->req),
			-EINPROGRESS);
	ret = wt_connect_early(test, AF_INET, wc->port, &cport, &csock);
	KUNIT_ASSERT_TRUE_MSG(test, !ret || ret == -ECONNRESET, "connect: %d", ret);
	WC_ASSERT_WAIT(test, wc, atomic_read(&wc->inspects) == 1);
	KUNIT_EXPECT_EQ(test, wc->inspect_port[0], cport);
	KUNIT_EXPECT_TRUE(test, wt_reset_seen(csock, ret));

	WRITE_ONCE(wc->verdict, WSK_INSPECT_PEND);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, wc->port, &cport, &csock2), 0);
	WC_ASSERT_WAIT(test, wc, atomic_read(&wc->inspects) == 2);
	/* Held once wsk has taken the verdict (see wsk_cond_pend_complete_at_once). */
	KUNIT_ASSERT_EQ(test, wt_stat_wait("inspect_pended", pended + 1), pended + 1);
	KUNIT_EXPECT_EQ(test, wsk_inspect_complete(ls, &wc->ids[1], WSK_INSPECT_REJECT, &c->req),
			0);
	wc_expect_reset(test, csock2);
	KUNIT_EXPECT_EQ(test, wt_stat_wait("inspect_rejected", rejected + 2), rejected + 2);
	/* Neither reached the pending accept. */
	KUNIT_EXPECT_EQ(test, atomic_read(&a->count), 0);
}

#define WC_AT_ONCE	10

/*
 * wsk_inspect_complete(ACCEPT) the moment inspect_event has pended (from
 * another thread, as a client deciding asynchronously would): 0 each time,
 * and each connection reaches its accept request.
 */
static void wsk_cond_pend_complete_at_once(struct kunit *test)
{
	struct wc_fixture *wc = wc_get(test);
	struct wt_req *a, *c = wt_req_new(test);
	struct socket *csock;
	struct wsk_socket *ls;
	unsigned long end;
	int i, ret;

	wc->verdict = WSK_INSPECT_PEND;
	ls = wc_listener(test, wc, 0);
	for (i = 0; i < WC_AT_ONCE; i++) {
		a = wt_req_new(test);
		KUNIT_ASSERT_EQ(test, wsk_accept(ls, 0, a, NULL, &a->local, &a->remote, &a->req),
				-EINPROGRESS);
		KUNIT_ASSERT_EQ(test, wc_connect_nowait(test, wc->port, &csock), 0);
		end = jiffies + WT_TIMEOUT;
		while (atomic_read_acquire(&wc->inspects) < i + 1 && time_before(jiffies, end))
			cpu_relax();
		KUNIT_ASSERT_EQ(test, atomic_read(&wc->inspects), i + 1);
		wt_req_init(c);
		ret = wsk_inspect_complete(ls, &wc->ids[i], WSK_INSPECT_ACCEPT, &c->req);
		KUNIT_ASSERT_EQ_MSG(test, ret, 0, "connection %d", i);
		KUNIT_ASSERT_TRUE(test, wt_wait(test, a));
		KUNIT_ASSERT_EQ(test, a->status, 0);
		wt_track(test, a->socket);
		KUNIT_EXPECT_EQ(test, wt_port(&a->remote), wc->inspect_port[i]);
	}
}

static bool wc_ids_equal(const struct wsk_inspect_id *a, const struct wsk_inspect_id *b)
{
	return a->key == b->key && a->serial == b->serial;
}

/*
 * A held connection whose peer resets: abort_event with its id; completing
 * that id afterwards gives -ENOENT.
 */
static void wsk_cond_pend_peer_reset(struct kunit *test)
{
	struct wc_fixture *wc = wc_get(test);
	struct wt_req *c = wt_req_new(test);
	long aborted = wt_stat("connections_aborted");
	struct socket *csock;
	struct wsk_socket *ls;
	u16 cport;

	KUNIT_ASSERT_NE(test, aborted, LONG_MIN);
	wc->verdict = WSK_INSPECT_PEND;
	ls = wc_listener(test, wc, 0);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, wc->port, &cport, &csock), 0);
	WC_ASSERT_WAIT(test, wc, atomic_read(&wc->inspects) == 1);
	wt_reset(test, csock);
	WC_ASSERT_WAIT(test, wc, atomic_read(&wc->aborts) == 1);
	KUNIT_EXPECT_TRUE(test, wc_ids_equal(&wc->aborted[0], &wc->ids[0]));
	KUNIT_EXPECT_EQ(test, wt_stat_wait("connections_aborted", aborted + 1), aborted + 1);

	KUNIT_EXPECT_EQ(test, wsk_inspect_complete(ls, &wc->ids[0], WSK_INSPECT_ACCEPT, &c->req),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, c->status, -ENOENT);
	msleep(WC_QUIET_MS);
	KUNIT_EXPECT_EQ(test, atomic_read(&wc->aborts), 1);
}

struct wc_flood {
	struct wc_fixture *wc;
	struct socket *sock[WC_FLOOD];
	bool poked[WC_FLOOD];
	int up;
	int reset;
};

/*
 * Count the clients established (from their side) and those reset. Each
 * established client sends one byte, once: a flood makes the listener
 * answer with SYN cookies, and a client whose final ACK the full accept
 * queue then dropped is established with nothing on the server's side (no
 * request sock retransmits the SYN-ACK) until it sends. Its byte, which TCP
 * retransmits until the listener has room, makes the child.
 */
static void wc_flood_count(struct wc_flood *f)
{
	int i, up = 0, reset = 0;

	for (i = 0; i < WC_FLOOD; i++) {
		struct sock *sk = f->sock[i]->sk;

		if (READ_ONCE(sk->sk_state) == TCP_CLOSE) {
			reset++;
		} else if (READ_ONCE(sk->sk_state) == TCP_ESTABLISHED) {
			up++;
			if (!f->poked[i]) {
				struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
				struct kvec iov = { .iov_base = "x", .iov_len = 1 };

				f->poked[i] = kernel_sendmsg(f->sock[i], &msg, &iov, 1, 1) == 1;
			}
		}
	}
	f->up = up;
	f->reset = reset;
}

/*
 * Every client is reset or held (inspected). A client can be established
 * on its side while the kernel's accept queue is full: it counts only once
 * wsk has inspected it or reset it.
 */
static bool wc_flood_settled(void *arg)
{
	struct wc_flood *f = arg;

	wc_flood_count(f);
	return f->up + f->reset == WC_FLOOD && f->up == atomic_read(&f->wc->inspects);
}

static bool wc_flood_all_reset(void *arg)
{
	struct wc_flood *f = arg;

	wc_flood_count(f);
	return f->reset == WC_FLOOD;
}

/*
 * Ten times the backlog, all pended: at most the backlog is held, the rest
 * reset without inspection; closing the listener resets the held ones
 * without abort events, and every socket is freed.
 */
static void wsk_cond_flood(struct kunit *test)
{
	struct wc_fixture *wc = wc_get(test);
	long sockets = wt_stat("sockets"), aborted = wt_stat("connections_aborted");
	struct wc_flood *f;
	struct wsk_socket *ls;
	unsigned long t0;
	int i, held;

	KUNIT_ASSERT_NE(test, sockets, LONG_MIN);
	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	f->wc = wc;
	wc->verdict = WSK_INSPECT_PEND;
	ls = wc_listener(test, wc, WC_FLOOD_BACKLOG);
	for (i = 0; i < WC_FLOOD; i++)
		KUNIT_ASSERT_EQ(test, wc_connect_nowait(test, wc->port, &f->sock[i]), 0);

	t0 = jiffies;
	KUNIT_ASSERT_TRUE(test, wt_poll(wc_flood_settled, f));
	msleep(WC_QUIET_MS);
	KUNIT_ASSERT_TRUE(test, wt_poll(wc_flood_settled, f));
	kunit_info(test, "flood settled in %u ms: %d held, %d reset",
		   jiffies_to_msecs(jiffies - t0), f->up, f->reset);
	held = atomic_read(&wc->inspects);
	KUNIT_EXPECT_GE(test, held, 1);
	KUNIT_EXPECT_LE(test, held, WC_FLOOD_BACKLOG);
	KUNIT_EXPECT_EQ(test, f->up, held);
	KUNIT_EXPECT_EQ(test, f->reset, WC_FLOOD - held);
	KUNIT_EXPECT_EQ(test, wt_stat_wait("sockets", sockets + 1 + held), sockets + 1 + held);

	KUNIT_EXPECT_EQ(test, wt_close(test, ls), 0);
	KUNIT_EXPECT_TRUE(test, wt_poll(wc_flood_all_reset, f));
	KUNIT_EXPECT_EQ(test, f->reset, WC_FLOOD);
	KUNIT_EXPECT_EQ(test, wt_stat_wait("sockets", sockets), sockets);
	KUNIT_EXPECT_EQ(test, atomic_read(&wc->aborts), 0);
	KUNIT_EXPECT_EQ(test, wt_stat_wait("connections_aborted", aborted), aborted);
}

/*
 * Closing a listener that holds pended connections resets them, with no
 * abort event; their ids are gone.
 */
static void wsk_cond_close_held(struct kunit *test)
{
	struct wc_fixture *wc = wc_get(test);
	long sockets = wt_stat("sockets");
	struct socket *csock[2];
	struct wsk_socket *ls;
	u16 cport;
	int i;

	wc->verdict = WSK_INSPECT_PEND;
	ls = wc_listener(test, wc, 0);
	for (i = 0; i < 2; i++) {
		KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, wc->port, &cport, &csock[i]), 0);
		WC_ASSERT_WAIT(test, wc, atomic_read(&wc->inspects) == i + 1);
	}
	KUNIT_EXPECT_EQ(test, wt_close(test, ls), 0);
	for (i = 0; i < 2; i++)
		wc_expect_reset(test, csock[i]);
	KUNIT_EXPECT_EQ(test, wt_stat_wait("sockets", sockets), sockets);
	msleep(WC_QUIET_MS);
	KUNIT_EXPECT_EQ(test, atomic_read(&wc->aborts), 0);
}

static struct kunit_case wsk_cond_cases[] = {
	KUNIT_CASE(wsk_cond_accept),
	KUNIT_CASE(wsk_cond_reject),
	KUNIT_CASE(wsk_cond_defer_then_accept),
	KUNIT_CASE(wsk_cond_defer_blocks),
	KUNIT_CASE(wsk_cond_defer_then_plain),
	KUNIT_CASE(wsk_cond_bad_verdict),
	KUNIT_CASE(wsk_cond_option),
	KUNIT_CASE(wsk_cond_pend_to_request),
	KUNIT_CASE(wsk_cond_pend_to_event),
	KUNIT_CASE(wsk_cond_inspect_reject),
	KUNIT_CASE(wsk_cond_pend_complete_at_once),
	KUNIT_CASE(wsk_cond_pend_peer_reset),
	KUNIT_CASE_SLOW(wsk_cond_flood),
	KUNIT_CASE(wsk_cond_close_held),
	{}
};

static struct kunit_suite wsk_cond_suite = {
	.name = "wsk_cond",
	.init = wc_init,
	.exit = wc_exit,
	.test_cases = wsk_cond_cases,
};

kunit_test_suite(wsk_cond_suite);
