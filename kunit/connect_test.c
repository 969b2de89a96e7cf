// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "wsk_connect": opening connections with wsk_connect() and
 * wsk_socket_connect(), against in-kernel loopback listeners the suite
 * makes with plain kernel sockets.
 *
 * What the contract promises and a hostile peer or a careless caller tries:
 * a connect runs after a bind queued before it; a connected socket is a
 * connection like an accepted one (data both ways, events, addresses); a
 * refused connect completes -ECONNREFUSED and leaves the socket dead; a
 * second connect is -EISCONN; a connect to a listener that drops every SYN
 * (its accept queue is full) stays pending until it is cancelled (-ECANCELED,
 * the attempt aborted) or its socket is closed (the connect completes
 * -ECANCELED before the close); a peer that resets at once leaves a dead
 * connection; and a wsk_socket_connect() that fails or is cancelled leaves
 * nothing open (result.socket NULL, the socket count back where it was).
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/net.h>
#include <linux/string.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "internal.h"
#include "util.h"

static const int wn_families[] = { AF_INET, AF_INET6 };

static void wn_family_desc(const int *f, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", *f == AF_INET ? "ipv4" : "ipv6");
}

KUNIT_ARRAY_PARAM(wn_family, wn_families, wn_family_desc);

static int wn_family(struct kunit *test)
{
	return *(const int *)test->param_value;
}

/* A kernel socket bound to loopback, port 0 (its port in *@port), tracked. */
static struct socket *wn_kern_bound(struct kunit *test, int family, u16 *port)
{
	struct sockaddr_storage ss;
	struct socket *sock;
	int len;

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, family, SOCK_STREAM, IPPROTO_TCP,
					       &sock), 0);
	KUNIT_ASSERT_EQ(test, wt_own(test, sock), 0);
	len = wt_addr(&ss, family, false, 0);
	KUNIT_ASSERT_EQ(test, kernel_bind(sock, (struct sockaddr *)&ss, len), 0);
	KUNIT_ASSERT_GT(test, kernel_getsockname(sock, (struct sockaddr *)&ss), 0);
	*port = wt_port(&ss);
	return sock;
}

/* A kernel listener on loopback, port 0, tracked (released at exit). */
static struct socket *wn_kern_listener(struct kunit *test, int family, int backlog, u16 *port)
{
	struct socket *sock = wn_kern_bound(test, family, port);

	KUNIT_ASSERT_EQ(test, kernel_listen(sock, backlog), 0);
	WRITE_ONCE(sock->sk->sk_rcvtimeo, WT_TIMEOUT);
	return sock;
}

/* The next connection of @ls (bounded by WT_TIMEOUT), tracked. */
static struct socket *wn_kern_accept(struct kunit *test, struct socket *ls)
{
	struct socket *sock;

	KUNIT_ASSERT_EQ(test, kernel_accept(ls, &sock, 0), 0);
	KUNIT_ASSERT_EQ(test, wt_own(test, sock), 0);
	return sock;
}

/* A port of @family's loopback with no listener: bound, not listening (tracked). */
static u16 wn_closed_port(struct kunit *test, int family)
{
	u16 port;

	wn_kern_bound(test, family, &port);
	return port;
}

static bool wn_acceptq_full(void *arg)
{
	struct sock *sk = arg;

	return READ_ONCE(sk->sk_ack_backlog) > READ_ONCE(sk->sk_max_ack_backlog);
}

/*
 * A listener that drops every SYN: backlog 0 and one connection in its
 * accept queue already, so a connect to its port stays in SYN_SENT (TCP
 * retries for about two minutes).
 */
static u16 wn_deaf_port(struct kunit *test, int family)
{
	struct socket *ls, *peer;
	u16 port;

	ls = wn_kern_listener(test, family, 0, &port);
	KUNIT_ASSERT_EQ(test, wt_connect(test, family, port, NULL, &peer), 0);
	KUNIT_ASSERT_TRUE_MSG(test, wt_poll(wn_acceptq_full, ls->sk),
			      "the accept queue of port %u did not fill", port);
	return port;
}

/* A connection socket (tracked), bound to @family's loopback, port 0. */
static struct wsk_socket *wn_bound(struct kunit *test, int family, void *ctx,
				   const struct wsk_client_connection_dispatch *d)
{
	struct sockaddr_storage ss;
	struct wsk_socket *s;
	int len;

	KUNIT_ASSERT_EQ(test, wt_socket_ctx(test, family, WSK_FLAG_CONNECTION_SOCKET, ctx, d,
					    &s), 0);
	len = wt_addr(&ss, family, false, 0);
	KUNIT_ASSERT_EQ(test, wt_bind(test, s, (struct sockaddr *)&ss, len), 0);
	return s;
}

/* wsk_connect() of @s to @family's loopback and @port, with @r. */
static int wn_connect(struct wsk_socket *s, int family, u16 port, struct wt_req *r)
{
	struct sockaddr_storage ss;
	int len = wt_addr(&ss, family, false, port);

	return wsk_connect(s, (struct sockaddr *)&ss, len, 0, &r->req);
}

/* wsk_connect() of @s to @family's loopback and @port, asserted to succeed. */
static void wn_connect_ok(struct kunit *test, struct wsk_socket *s, int family, u16 port)
{
	struct wt_req *r = wt_req_new(test);

	KUNIT_ASSERT_EQ(test, wn_connect(s, family, port, r), -EINPROGRESS);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_ASSERT_EQ(test, r->status, 0);
	/* result.socket is wsk_socket_connect()'s */
	KUNIT_EXPECT_NULL(test, r->socket);
}

/* The socket's lifecycle state (internal.h), read as debugfs reads it. */
static enum wsk_sock_state wn_state(struct wsk_socket *s)
{
	struct wsk_sock *ws = wsk_sock(s);
	enum wsk_sock_state state;
	unsigned long flags;

	spin_lock_irqsave(&ws->lock, flags);
	state = ws->state;
	spin_unlock_irqrestore(&ws->lock, flags);
	return state;
}

/* wsk_send() of @len bytes of @data on @s, waited for. */
static int wn_send(struct kunit *test, struct wsk_socket *s, const void *data, size_t len)
{
	struct kvec kv = { .iov_base = (void *)data, .iov_len = len };
	struct wsk_buf b = { .kvec = &kv, .nr_segs = 1, .length = len };
	struct wsk_sync sync;

	wsk_sync_init(&sync);
	return wsk_sync_wait_timeout(&sync, wsk_send(s, &b, 0, &sync.req), WT_TIMEOUT);
}

/* wsk_receive() into @buf on @s, waited for: bytes, or a negative status. */
static int wn_receive(struct kunit *test, struct wsk_socket *s, void *buf, size_t len)
{
	struct kvec kv = { .iov_base = buf, .iov_len = len };
	struct wsk_buf b = { .kvec = &kv, .nr_segs = 1, .length = len };
	struct wsk_sync sync;
	int err;

	wsk_sync_init(&sync);
	err = wsk_sync_wait_timeout(&sync, wsk_receive(s, &b, 0, &sync.req), WT_TIMEOUT);
	return err ? err : sync.req.result.bytes;
}

/* Connected: data both ways, the addresses, a graceful disconnect the peer sees. */
static void wsk_connect_basic(struct kunit *test)
{
	int family = wn_family(test);
	struct sockaddr_storage ss, peer_ss;
	struct socket *ls, *peer;
	struct wsk_socket *s;
	struct wsk_sync sync;
	char buf[8] = {};
	u16 port;

	ls = wn_kern_listener(test, family, 8, &port);
	s = wn_bound(test, family, NULL, NULL);
	wn_connect_ok(test, s, family, port);
	KUNIT_EXPECT_EQ(test, wn_state(s), WSK_SOCK_CONNECTED);
	peer = wn_kern_accept(test, ls);

	/* The remote is the listener; the local is what the peer sees. */
	KUNIT_ASSERT_EQ(test, wt_remote_address(test, s, &ss), 0);
	KUNIT_EXPECT_EQ(test, (int)ss.ss_family, family);
	KUNIT_EXPECT_EQ(test, wt_port(&ss), port);
	KUNIT_ASSERT_GT(test, kernel_getpeername(peer, (struct sockaddr *)&peer_ss), 0);
	KUNIT_ASSERT_EQ(test, wt_local_address(test, s, &ss), 0);
	KUNIT_EXPECT_NE(test, wt_port(&ss), 0);
	KUNIT_EXPECT_EQ(test, wt_port(&ss), wt_port(&peer_ss));

	KUNIT_EXPECT_EQ(test, wn_send(test, s, "hello", 5), 0);
	KUNIT_EXPECT_EQ(test, wt_recv(peer, buf, 5), 5);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "hello", 5), 0);
	KUNIT_EXPECT_EQ(test, wt_send(peer, "world", 5), 5);
	memset(buf, 0, sizeof(buf));
	KUNIT_EXPECT_EQ(test, wn_receive(test, s, buf, sizeof(buf)), 5);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "world", 5), 0);

	wsk_sync_init(&sync);
	KUNIT_EXPECT_EQ(test, wsk_sync_wait_timeout(&sync, wsk_disconnect(s, NULL, 0, &sync.req),
						    WT_TIMEOUT), 0);
	KUNIT_EXPECT_EQ(test, wt_recv_once(peer, buf, sizeof(buf)), 0);	/* its FIN */
	KUNIT_EXPECT_EQ(test, wt_close(test, s), 0);
}

/* A bind and a connect submitted back to back: they run in that order. */
static void wsk_connect_after_queued_bind(struct kunit *test)
{
	int family = wn_family(test);
	struct wt_req *bind = wt_req_new(test), *conn = wt_req_new(test);
	struct sockaddr_storage ss;
	struct wsk_socket *s;
	struct socket *ls;
	atomic_t seq = ATOMIC_INIT(0);
	int len;
	u16 port;

	ls = wn_kern_listener(test, family, 8, &port);
	KUNIT_ASSERT_EQ(test, wt_socket(test, family, WSK_FLAG_CONNECTION_SOCKET, &s), 0);
	bind->seq_src = &seq;
	conn->seq_src = &seq;
	len = wt_addr(&ss, family, false, 0);
	KUNIT_ASSERT_EQ(test, wsk_bind(s, (struct sockaddr *)&ss, len, 0, &bind->req),
			-EINPROGRESS);
	KUNIT_ASSERT_EQ(test, wn_connect(s, family, port, conn), -EINPROGRESS);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, bind));
	KUNIT_ASSERT_TRUE(test, wt_wait(test, conn));
	KUNIT_EXPECT_EQ(test, bind->status, 0);
	KUNIT_EXPECT_EQ(test, conn->status, 0);
	KUNIT_EXPECT_LT(test, bind->seq, conn->seq);
	wn_kern_accept(test, ls);
	KUNIT_EXPECT_EQ(test, wt_close(test, s), 0);
}

/* Not bound: -EINVAL, and the socket is as it was (a bind and a connect then work). */
static void wsk_connect_not_bound(struct kunit *test)
{
	int family = wn_family(test);
	struct wt_req *r = wt_req_new(test);
	struct sockaddr_storage ss;
	struct wsk_socket *s;
	struct socket *ls;
	int len;
	u16 port;

	ls = wn_kern_listener(test, family, 8, &port);
	KUNIT_ASSERT_EQ(test, wt_socket(test, family, WSK_FLAG_CONNECTION_SOCKET, &s), 0);
	KUNIT_ASSERT_EQ(test, wn_connect(s, family, port, r), -EINPROGRESS);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_EXPECT_EQ(test, r->status, -EINVAL);

	len = wt_addr(&ss, family, false, 0);
	KUNIT_ASSERT_EQ(test, wt_bind(test, s, (struct sockaddr *)&ss, len), 0);
	wt_req_init(r);
	KUNIT_ASSERT_EQ(test, wn_connect(s, family, port, r), -EINPROGRESS);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_EXPECT_EQ(test, r->status, 0);
	wn_kern_accept(test, ls);
	KUNIT_EXPECT_EQ(test, wt_close(test, s), 0);
}

/* Connected, or connecting: a second connect is -EISCONN and changes nothing. */
static void wsk_connect_twice(struct kunit *test)
{
	int family = wn_family(test);
	struct wt_req *r = wt_req_new(test), *again = wt_req_new(test);
	struct wsk_socket *s, *s2;
	struct socket *ls, *peer;
	u16 port, deaf;

	ls = wn_kern_listener(test, family, 8, &port);
	s = wn_bound(test, family, NULL, NULL);
	wn_connect_ok(test, s, family, port);
	peer = wn_kern_accept(test, ls);
	KUNIT_ASSERT_EQ(test, wn_connect(s, family, port, again), -EINPROGRESS);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, again));
	KUNIT_EXPECT_EQ(test, again->status, -EISCONN);
	/* Still the same connection. */
	KUNIT_EXPECT_EQ(test, wn_send(test, s, "abc", 3), 0);
	{
		char buf[4] = {};

		KUNIT_EXPECT_EQ(test, wt_recv(peer, buf, 3), 3);
		KUNIT_EXPECT_EQ(test, memcmp(buf, "abc", 3), 0);
	}

	/* While the first connect waits for a handshake that never comes. */
	deaf = wn_deaf_port(test, family);
	s2 = wn_bound(test, family, NULL, NULL);
	wt_req_init(r);
	wt_req_init(again);
	KUNIT_ASSERT_EQ(test, wn_connect(s2, family, deaf, r), -EINPROGRESS);
	KUNIT_ASSERT_EQ(test, wn_connect(s2, family, port, again), -EINPROGRESS);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, again));
	KUNIT_EXPECT_EQ(test, again->status, -EISCONN);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 0);
	KUNIT_EXPECT_TRUE(test, wsk_req_cancel(&r->req));
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_EXPECT_EQ(test, r->status, -ECANCELED);
	KUNIT_EXPECT_EQ(test, wt_close(test, s2), 0);
	KUNIT_EXPECT_EQ(test, wt_close(test, s), 0);
}

/* Refused: -ECONNREFUSED; the socket is dead (no second connect), its close completes. */
static void wsk_connect_refused(struct kunit *test)
{
	int family = wn_family(test);
	struct wt_req *r = wt_req_new(test);
	long sockets = wt_stat("sockets");
	struct wsk_socket *s;
	u16 port;

	KUNIT_ASSERT_NE(test, sockets, LONG_MIN);
	port = wn_closed_port(test, family);
	s = wn_bound(test, family, NULL, NULL);
	KUNIT_ASSERT_EQ(test, wn_connect(s, family, port, r), -EINPROGRESS);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_EXPECT_EQ(test, r->status, -ECONNREFUSED);
	KUNIT_EXPECT_EQ(test, wn_state(s), WSK_SOCK_DEAD);

	wt_req_init(r);
	KUNIT_ASSERT_EQ(test, wn_connect(s, family, port, r), -EINPROGRESS);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_EXPECT_EQ(test, r->status, -EINVAL);
	/* A send on it fails; it does not wait for ever. */
	KUNIT_EXPECT_LT(test, wn_send(test, s, "x", 1), 0);
	KUNIT_EXPECT_EQ(test, wt_close(test, s), 0);
	KUNIT_EXPECT_EQ(test, wt_stat_wait("sockets", sockets), sockets);
}

/* A pending connect cancelled: -ECANCELED soon, the attempt aborted, the socket dead. */
static void wsk_connect_cancel(struct kunit *test)
{
	int family = wn_family(test);
	struct wt_req *r = wt_req_new(test);
	struct wsk_socket *s;
	u16 deaf;

	deaf = wn_deaf_port(test, family);
	s = wn_bound(test, family, NULL, NULL);
	KUNIT_ASSERT_EQ(test, wn_connect(s, family, deaf, r), -EINPROGRESS);
	/* Still waiting a while later: the SYN was dropped. */
	msleep(100);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 0);
	KUNIT_EXPECT_EQ(test, wn_state(s), WSK_SOCK_CONNECTING);
	/* The cancel either finds it queued or waiting for the handshake: true both ways. */
	KUNIT_EXPECT_TRUE(test, wsk_req_cancel(&r->req));
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_EXPECT_EQ(test, r->status, -ECANCELED);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 1);
	KUNIT_EXPECT_EQ(test, wn_state(s), WSK_SOCK_DEAD);
	wt_req_init(r);
	KUNIT_ASSERT_EQ(test, wn_connect(s, family, deaf, r), -EINPROGRESS);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_EXPECT_EQ(test, r->status, -EINVAL);
	KUNIT_EXPECT_EQ(test, wt_close(test, s), 0);
}

/* A close during a connect: the connect completes -ECANCELED, then the close. */
static void wsk_connect_close_pending(struct kunit *test)
{
	int family = wn_family(test);
	struct wt_req *r = wt_req_new(test), *close = wt_req_new(test);
	long pending = wt_stat("requests_pending");
	atomic_t seq = ATOMIC_INIT(0);
	struct wsk_socket *s;
	u16 deaf;

	KUNIT_ASSERT_NE(test, pending, LONG_MIN);
	deaf = wn_deaf_port(test, family);
	s = wn_bound(test, family, NULL, NULL);
	r->seq_src = &seq;
	close->seq_src = &seq;
	KUNIT_ASSERT_EQ(test, wn_connect(s, family, deaf, r), -EINPROGRESS);
	msleep(50);
	wt_untrack(test, s);
	KUNIT_ASSERT_EQ(test, wsk_close(s, &close->req), -EINPROGRESS);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, close));
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_EXPECT_EQ(test, r->status, -ECANCELED);
	KUNIT_EXPECT_EQ(test, close->status, 0);
	KUNIT_EXPECT_LT(test, r->seq, close->seq);
	KUNIT_EXPECT_EQ(test, wt_stat("requests_pending"), pending);
}

/* The peer resets at once: the connect may succeed, and the connection is then dead. */
static void wsk_connect_peer_reset(struct kunit *test)
{
	int family = wn_family(test);
	struct socket *ls, *peer;
	struct wsk_socket *s;
	char buf[4];
	int ret;
	u16 port;

	ls = wn_kern_listener(test, family, 8, &port);
	s = wn_bound(test, family, NULL, NULL);
	wn_connect_ok(test, s, family, port);
	peer = wn_kern_accept(test, ls);
	wt_reset(test, peer);
	ret = wn_receive(test, s, buf, sizeof(buf));
	KUNIT_EXPECT_EQ(test, ret, -ECONNRESET);
	KUNIT_EXPECT_EQ(test, wt_close(test, s), 0);
}

struct wn_events {
	wait_queue_head_t wq;
	atomic_t bytes;
	atomic_t disconnects;
	char data[8];
};

static int wn_receive_event(void *ctx, unsigned int flags, struct wsk_data_indication *ind,
			    size_t bytes, size_t *accepted)
{
	struct wn_events *e = ctx;
	int have = atomic_read(&e->bytes);

	if (ind && have < sizeof(e->data))
		wsk_data_indication_copy(ind, 0, e->data + have, sizeof(e->data) - have);
	atomic_add(bytes, &e->bytes);
	wake_up(&e->wq);
	return 0;
}

static int wn_disconnect_event(void *ctx, unsigned int flags)
{
	struct wn_events *e = ctx;

	atomic_inc(&e->disconnects);
	wake_up(&e->wq);
	return 0;
}

static const struct wsk_client_connection_dispatch wn_dispatch = {
	.receive_event = wn_receive_event,
	.disconnect_event = wn_disconnect_event,
};

/* The events of wsk_socket()'s dispatch, enabled once connected (not before). */
static void wsk_connect_events(struct kunit *test)
{
	int family = wn_family(test);
	struct wn_events *e = kunit_kzalloc(test, sizeof(*e), GFP_KERNEL);
	struct socket *ls, *peer;
	struct wsk_socket *s;
	u16 port;

	KUNIT_ASSERT_NOT_NULL(test, e);
	init_waitqueue_head(&e->wq);
	ls = wn_kern_listener(test, family, 8, &port);
	s = wn_bound(test, family, e, &wn_dispatch);
	/* Not connected yet: connection sockets change events once connected. */
	KUNIT_EXPECT_EQ(test, wt_events(s, WSK_EVENT_RECEIVE, NULL), -EINVAL);
	wn_connect_ok(test, s, family, port);
	peer = wn_kern_accept(test, ls);
	KUNIT_ASSERT_EQ(test, wt_events(s, WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT, NULL), 0);
	KUNIT_ASSERT_EQ(test, wt_send(peer, "ping", 4), 4);
	WT_EXPECT_WAIT(test, e->wq, atomic_read(&e->bytes) == 4);
	KUNIT_EXPECT_EQ(test, memcmp(e->data, "ping", 4), 0);
	wt_release(test, peer);		/* graceful: its FIN */
	WT_EXPECT_WAIT(test, e->wq, atomic_read(&e->disconnects) == 1);
	KUNIT_EXPECT_EQ(test, wt_close(test, s), 0);
}

/* ------------------------------------------------------------------------ */
/* wsk_socket_connect()                                                      */

static int wn_socket_connect(struct kunit *test, int family, const struct sockaddr_storage *local,
			     u16 port, struct wt_req *r)
{
	struct sockaddr_storage ss;
	int len = wt_addr(&ss, family, false, port);

	return wsk_socket_connect(wt(test)->client, &init_net, family,
				  (const struct sockaddr *)local, (struct sockaddr *)&ss, len, 0,
				  NULL, NULL, &r->req);
}

/* Created, bound (wildcard or given) and connected in one request. */
static void wsk_socket_connect_basic(struct kunit *test)
{
	int family = wn_family(test);
	struct wt_req *r = wt_req_new(test);
	struct sockaddr_storage ss, local;
	struct socket *ls, *peer;
	char buf[4] = {};
	u16 port;
	int pass;

	ls = wn_kern_listener(test, family, 8, &port);
	for (pass = 0; pass < 2; pass++) {
		wt_req_init(r);
		wt_addr(&local, family, false, 0);
		KUNIT_ASSERT_EQ(test, wn_socket_connect(test, family, pass ? &local : NULL, port,
							r), -EINPROGRESS);
		KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
		KUNIT_ASSERT_EQ(test, r->status, 0);
		KUNIT_ASSERT_NOT_NULL(test, r->socket);
		wt_track(test, r->socket);
		peer = wn_kern_accept(test, ls);
		KUNIT_ASSERT_EQ(test, wt_remote_address(test, r->socket, &ss), 0);
		KUNIT_EXPECT_EQ(test, wt_port(&ss), port);
		KUNIT_ASSERT_EQ(test, wt_local_address(test, r->socket, &ss), 0);
		KUNIT_EXPECT_EQ(test, (int)ss.ss_family, family);
		KUNIT_EXPECT_NE(test, wt_port(&ss), 0);
		KUNIT_EXPECT_EQ(test, wn_send(test, r->socket, "hey", 3), 0);
		KUNIT_EXPECT_EQ(test, wt_recv(peer, buf, 3), 3);
		KUNIT_EXPECT_EQ(test, memcmp(buf, "hey", 3), 0);
		KUNIT_EXPECT_EQ(test, wt_close(test, r->socket), 0);
	}
}

/* Refused, or its local address in use: nothing is left open, result.socket NULL. */
static void wsk_socket_connect_fails(struct kunit *test)
{
	int family = wn_family(test);
	struct wt_req *r = wt_req_new(test);
	long sockets = wt_stat("sockets");
	struct sockaddr_storage local;
	u16 port, closed;

	KUNIT_ASSERT_NE(test, sockets, LONG_MIN);
	closed = wn_closed_port(test, family);
	KUNIT_ASSERT_EQ(test, wn_socket_connect(test, family, NULL, closed, r), -EINPROGRESS);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_EXPECT_EQ(test, r->status, -ECONNREFUSED);
	KUNIT_EXPECT_NULL(test, r->socket);
	KUNIT_EXPECT_EQ(test, wt_stat_wait("sockets", sockets), sockets);

	/* The local port is a listener's: the bind fails. */
	wn_kern_listener(test, family, 8, &port);
	wt_addr(&local, family, false, port);
	wt_req_init(r);
	KUNIT_ASSERT_EQ(test, wn_socket_connect(test, family, &local, port, r), -EINPROGRESS);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_EXPECT_EQ(test, r->status, -EADDRINUSE);
	KUNIT_EXPECT_NULL(test, r->socket);
	KUNIT_EXPECT_EQ(test, wt_stat_wait("sockets", sockets), sockets);
}

/* Cancelled while it waits for the handshake: -ECANCELED, nothing left open. */
static void wsk_socket_connect_cancel(struct kunit *test)
{
	int family = wn_family(test);
	struct wt_req *r = wt_req_new(test);
	long sockets = wt_stat("sockets");
	unsigned long end;
	bool cancelled = false;
	u16 deaf;

	KUNIT_ASSERT_NE(test, sockets, LONG_MIN);
	deaf = wn_deaf_port(test, family);
	KUNIT_ASSERT_EQ(test, wn_socket_connect(test, family, NULL, deaf, r), -EINPROGRESS);
	/* Not cancellable while the socket is created and bound: try until it is. */
	end = jiffies + WT_TIMEOUT;
	while (!cancelled && !atomic_read(&r->count) && time_before(jiffies, end)) {
		cancelled = wsk_req_cancel(&r->req);
		if (!cancelled)
			usleep_range(500, 1000);
	}
	KUNIT_EXPECT_TRUE(test, cancelled);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_EXPECT_EQ(test, r->status, -ECANCELED);
	KUNIT_EXPECT_NULL(test, r->socket);
	KUNIT_EXPECT_EQ(test, wt_stat_wait("sockets", sockets), sockets);
}

/* Bad arguments: -EINVAL inside the call, completed, nothing made. */
static void wsk_socket_connect_bad_args(struct kunit *test)
{
	struct wsk_client *client = wt(test)->client;
	struct wt_req *r = wt_req_new(test);
	long sockets = wt_stat("sockets");
	struct sockaddr_storage v4, v6;
	const struct sockaddr *a4 = (struct sockaddr *)&v4, *a6 = (struct sockaddr *)&v6;
	int l4 = wt_addr(&v4, AF_INET, false, 9), l6 = wt_addr(&v6, AF_INET6, false, 9);
	struct {
		const char *what;
		struct wsk_client *client;
		struct net *net;
		int family;
		const struct sockaddr *local, *remote;
		int len;
		unsigned int flags;
	} rows[] = {
		{ "NULL client", NULL, &init_net, AF_INET, NULL, a4, l4, 0 },
		{ "NULL net", client, NULL, AF_INET, NULL, a4, l4, 0 },
		{ "NULL remote", client, &init_net, AF_INET, NULL, NULL, l4, 0 },
		{ "bad family", client, &init_net, AF_UNIX, NULL, a4, l4, 0 },
		{ "flags", client, &init_net, AF_INET, NULL, a4, l4, 1 },
		{ "remote of another family", client, &init_net, AF_INET, NULL, a6, l6, 0 },
		{ "local of another family", client, &init_net, AF_INET6, a4, a6, l6, 0 },
		{ "short length", client, &init_net, AF_INET6, NULL, a6, l4, 0 },
		{ "negative length", client, &init_net, AF_INET, NULL, a4, -1, 0 },
		{ "length past sockaddr_storage", client, &init_net, AF_INET, NULL, a4,
		  sizeof(struct sockaddr_storage) + 1, 0 },
	};
	int i;

	KUNIT_ASSERT_NE(test, sockets, LONG_MIN);
	KUNIT_EXPECT_EQ(test, wsk_socket_connect(client, &init_net, AF_INET, NULL, a4, l4, 0, NULL,
						 NULL, NULL), -EINVAL);
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		wt_req_init(r);
		KUNIT_EXPECT_EQ_MSG(test, wsk_socket_connect(rows[i].client, rows[i].net,
							     rows[i].family, rows[i].local,
							     rows[i].remote, rows[i].len,
							     rows[i].flags, NULL, NULL, &r->req),
				    -EINVAL, "%s", rows[i].what);
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&r->count), 1, "%s", rows[i].what);
		KUNIT_EXPECT_EQ_MSG(test, r->status, -EINVAL, "%s", rows[i].what);
	}
	KUNIT_EXPECT_EQ(test, wt_stat("sockets"), sockets);
}

/* ------------------------------------------------------------------------ */

static struct kunit_case wsk_connect_cases[] = {
	KUNIT_CASE_PARAM(wsk_connect_basic, wn_family_gen_params),
	KUNIT_CASE_PARAM(wsk_connect_after_queued_bind, wn_family_gen_params),
	KUNIT_CASE_PARAM(wsk_connect_not_bound, wn_family_gen_params),
	KUNIT_CASE_PARAM(wsk_connect_twice, wn_family_gen_params),
	KUNIT_CASE_PARAM(wsk_connect_refused, wn_family_gen_params),
	KUNIT_CASE_PARAM(wsk_connect_cancel, wn_family_gen_params),
	KUNIT_CASE_PARAM(wsk_connect_close_pending, wn_family_gen_params),
	KUNIT_CASE_PARAM(wsk_connect_peer_reset, wn_family_gen_params),
	KUNIT_CASE_PARAM(wsk_connect_events, wn_family_gen_params),
	KUNIT_CASE_PARAM(wsk_socket_connect_basic, wn_family_gen_params),
	KUNIT_CASE_PARAM(wsk_socket_connect_fails, wn_family_gen_params),
	KUNIT_CASE_PARAM(wsk_socket_connect_cancel, wn_family_gen_params),
	KUNIT_CASE(wsk_socket_connect_bad_args),
	{}
};

static struct kunit_suite wsk_connect_suite = {
	.name = "wsk_connect",
	.init = wt_init,
	.exit = wt_exit,
	.test_cases = wsk_connect_cases,
};

kunit_test_suite(wsk_connect_suite);
