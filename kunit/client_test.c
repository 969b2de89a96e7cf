// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "wsk_client": the client-level surface. wsk_provider()'s
 * table, wsk_control_client() and its one code,
 * WSK_SET_STATIC_EVENT_CALLBACKS: refused once the client has asked for a
 * socket, its events enabled on every socket as soon as it can have them
 * (a listener once it listens, a connection once accepted, by the accept
 * event or a request, or connected) without WSK_SO_EVENT_CALLBACK, and never
 * disabled.
 */
#include <kunit/test.h>
#include <linux/net.h>
#include <linux/string.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "util.h"

/* The provider table: the exported functions, and NULL for no client. */
static void wsk_client_provider(struct kunit *test)
{
	const struct wsk_provider_dispatch *p = wsk_provider(wt(test)->client);
	struct wt_req *r = wt_req_new(test);

	KUNIT_EXPECT_NULL(test, wsk_provider(NULL));
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_EQ(test, p, wsk_provider(wt(test)->client));
	KUNIT_EXPECT_TRUE(test, p->socket == wsk_socket);
	KUNIT_EXPECT_TRUE(test, p->socket_connect == wsk_socket_connect);
	KUNIT_EXPECT_TRUE(test, p->control_client == wsk_control_client);
	/* A call through it does what the function does. */
	KUNIT_ASSERT_EQ(test, p->socket(wt(test)->client, &init_net, AF_INET,
					WSK_FLAG_CONNECTION_SOCKET, NULL, NULL, &r->req),
			-EINPROGRESS);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_ASSERT_EQ(test, r->status, 0);
	wt_track(test, r->socket);
	KUNIT_EXPECT_EQ(test, wt_close(test, r->socket), 0);
}

/* Each bad input of wsk_control_client(): its errno, and *out_returned zeroed. */
static void wsk_client_control_errors(struct kunit *test)
{
	struct wsk_client *c = wt(test)->client;
	struct wsk_event_callback_control ctl = { .event_mask = WSK_EVENT_RECEIVE };
	struct {
		const char *what;
		struct wsk_client *client;
		u32 code;
		size_t in_size;
		u32 mask;
		bool null_in;
		int ret;
	} rows[] = {
		{ "NULL client", NULL, WSK_SET_STATIC_EVENT_CALLBACKS, sizeof(ctl),
		  WSK_EVENT_RECEIVE, false, -EINVAL },
		{ "unknown code", c, 8, sizeof(ctl), WSK_EVENT_RECEIVE, false, -EOPNOTSUPP },
		{ "code 0", c, 0, sizeof(ctl), WSK_EVENT_RECEIVE, false, -EOPNOTSUPP },
		{ "NULL in", c, WSK_SET_STATIC_EVENT_CALLBACKS, sizeof(ctl), 0, true, -EINVAL },
		{ "short in", c, WSK_SET_STATIC_EVENT_CALLBACKS, sizeof(ctl) - 1,
		  WSK_EVENT_RECEIVE, false, -EINVAL },
		{ "no event", c, WSK_SET_STATIC_EVENT_CALLBACKS, sizeof(ctl), 0, false, -EINVAL },
		{ "DISABLE", c, WSK_SET_STATIC_EVENT_CALLBACKS, sizeof(ctl),
		  WSK_EVENT_DISABLE | WSK_EVENT_RECEIVE, false, -EINVAL },
		{ "not an event", c, WSK_SET_STATIC_EVENT_CALLBACKS, sizeof(ctl),
		  WSK_EVENT_RECEIVE | 0x100, false, -EINVAL },
	};
	size_t returned;
	int i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		ctl.event_mask = rows[i].mask;
		returned = 0x5a5a;
		KUNIT_EXPECT_EQ_MSG(test, wsk_control_client(rows[i].client, rows[i].code,
							     rows[i].in_size,
							     rows[i].null_in ? NULL : &ctl, 0, NULL,
							     &returned),
				    rows[i].ret, "%s", rows[i].what);
		KUNIT_EXPECT_EQ_MSG(test, returned, 0, "%s", rows[i].what);
	}
	/* Good input, then the first socket: from then on, refused. */
	ctl.event_mask = WSK_EVENT_RECEIVE;
	KUNIT_EXPECT_EQ(test, wsk_control_client(c, WSK_SET_STATIC_EVENT_CALLBACKS, sizeof(ctl),
						 &ctl, 0, NULL, NULL), 0);
	{
		struct wsk_socket *s;

		KUNIT_ASSERT_EQ(test, wt_socket(test, AF_INET, WSK_FLAG_LISTEN_SOCKET, &s), 0);
	}
	KUNIT_EXPECT_EQ(test, wsk_control_client(c, WSK_SET_STATIC_EVENT_CALLBACKS, sizeof(ctl),
						 &ctl, 0, NULL, NULL), -EINVAL);
}

/* A refused socket creation (bad flags) asked for one too: refused after it. */
static void wsk_client_control_after_refused_socket(struct kunit *test)
{
	struct wsk_event_callback_control ctl = { .event_mask = WSK_EVENT_RECEIVE };
	struct wsk_client *c = wt(test)->client;
	struct wt_req *r = wt_req_new(test);

	/* Argument errors before the client is looked at do not count. */
	KUNIT_EXPECT_EQ(test, wsk_socket(c, &init_net, AF_UNIX, WSK_FLAG_LISTEN_SOCKET, NULL,
					 NULL, &r->req), -EINVAL);
	KUNIT_EXPECT_EQ(test, wsk_control_client(c, WSK_SET_STATIC_EVENT_CALLBACKS, sizeof(ctl),
						 &ctl, 0, NULL, NULL), 0);
}

struct wc_static {
	wait_queue_head_t wq;
	struct kunit *test;
	atomic_t accepts;
	atomic_t bytes;
	atomic_t discs;
	struct wsk_socket *accepted;
};

static int wc_receive_event(void *ctx, unsigned int flags, struct wsk_data_indication *ind,
			    size_t bytes, size_t *accepted)
{
	struct wc_static *w = ctx;

	atomic_add(bytes, &w->bytes);
	wake_up(&w->wq);
	return 0;
}

static int wc_disconnect_event(void *ctx, unsigned int flags)
{
	struct wc_static *w = ctx;

	atomic_inc(&w->discs);
	wake_up(&w->wq);
	return 0;
}

static const struct wsk_client_connection_dispatch wc_conn_dispatch = {
	.receive_event = wc_receive_event,
	.disconnect_event = wc_disconnect_event,
};

/* No receive_event: a static RECEIVE does not apply to it. */
static const struct wsk_client_connection_dispatch wc_disc_only = {
	.disconnect_event = wc_disconnect_event,
};

static int wc_accept_event(void *ctx, unsigned int flags, const struct sockaddr *local,
			   const struct sockaddr *remote, struct wsk_socket *s, void **sctx,
			   const struct wsk_client_connection_dispatch **d)
{
	struct wc_static *w = ctx;

	if (!s)
		return 0;
	*sctx = w;
	*d = &wc_conn_dispatch;
	WRITE_ONCE(w->accepted, s);
	wt_track(w->test, s);
	atomic_inc(&w->accepts);
	wake_up(&w->wq);
	return 0;
}

static const struct wsk_client_listen_dispatch wc_listen_dispatch = {
	.accept_event = wc_accept_event,
};

static void wc_set_static(struct kunit *test, u32 mask)
{
	struct wsk_event_callback_control ctl = { .event_mask = mask };

	KUNIT_ASSERT_EQ(test, wsk_control_client(wt(test)->client, WSK_SET_STATIC_EVENT_CALLBACKS,
						 sizeof(ctl), &ctl, 0, NULL, NULL), 0);
}

/*
 * Static ACCEPT, RECEIVE and DISCONNECT: the listener's accept event runs
 * with nothing enabled, the accepted socket's events too; none can be
 * disabled, enabling them again is harmless.
 */
static void wsk_client_static_accept_event(struct kunit *test)
{
	struct wc_static *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	struct wsk_socket *ls;
	struct socket *peer;
	u16 port;

	KUNIT_ASSERT_NOT_NULL(test, w);
	init_waitqueue_head(&w->wq);
	w->test = test;
	wc_set_static(test, WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT);
	ls = wt_listener_ctx(test, AF_INET, false, 0, w, &wc_listen_dispatch, &port);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, port, NULL, &peer), 0);
	WT_ASSERT_WAIT(test, w->wq, atomic_read(&w->accepts) == 1);
	KUNIT_ASSERT_EQ(test, wt_send(peer, "static", 6), 6);
	WT_EXPECT_WAIT(test, w->wq, atomic_read(&w->bytes) == 6);

	KUNIT_EXPECT_EQ(test, wt_events(ls, WSK_EVENT_ACCEPT | WSK_EVENT_DISABLE, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, wt_events(w->accepted, WSK_EVENT_RECEIVE | WSK_EVENT_DISABLE, NULL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, wt_events(w->accepted, WSK_EVENT_DISCONNECT | WSK_EVENT_DISABLE,
					NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, wt_events(w->accepted, WSK_EVENT_RECEIVE, NULL), 0);

	wt_release(test, peer);
	WT_EXPECT_WAIT(test, w->wq, atomic_read(&w->discs) == 1);
	KUNIT_EXPECT_EQ(test, wt_close(test, w->accepted), 0);
	KUNIT_EXPECT_EQ(test, wt_close(test, ls), 0);
}

/*
 * Static RECEIVE on sockets delivered to an accept request and opened by
 * wsk_socket_connect(): data that came before the delivery is indicated;
 * a dispatch without receive_event gets nothing, and its non-static
 * events are still the client's to change.
 */
static void wsk_client_static_request_and_connect(struct kunit *test)
{
	struct wc_static *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	struct wt_req *acc = wt_req_new(test), *conn = wt_req_new(test);
	struct sockaddr_storage ss;
	struct wsk_socket *ls, *other;
	struct socket *peer, *peer2;
	u16 port;
	int len;

	KUNIT_ASSERT_NOT_NULL(test, w);
	init_waitqueue_head(&w->wq);
	w->test = test;
	wc_set_static(test, WSK_EVENT_RECEIVE);
	ls = wt_listener(test, AF_INET, false, 0, &port);

	/* Connected and written to before the accept request comes. */
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, port, NULL, &peer), 0);
	KUNIT_ASSERT_EQ(test, wt_send(peer, "early", 5), 5);
	KUNIT_ASSERT_EQ(test, wsk_accept(ls, 0, w, &wc_conn_dispatch, NULL, NULL, &acc->req),
			-EINPROGRESS);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, acc));
	KUNIT_ASSERT_EQ(test, acc->status, 0);
	wt_track(test, acc->socket);
	WT_EXPECT_WAIT(test, w->wq, atomic_read(&w->bytes) == 5);
	KUNIT_EXPECT_EQ(test, wt_events(acc->socket, WSK_EVENT_RECEIVE | WSK_EVENT_DISABLE, NULL),
			-EINVAL);

	/* A dispatch without receive_event: RECEIVE is not enabled for it. */
	wt_req_init(acc);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, port, NULL, &peer2), 0);
	KUNIT_ASSERT_EQ(test, wsk_accept(ls, 0, w, &wc_disc_only, NULL, NULL, &acc->req),
			-EINPROGRESS);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, acc));
	KUNIT_ASSERT_EQ(test, acc->status, 0);
	other = acc->socket;
	wt_track(test, other);
	KUNIT_EXPECT_EQ(test, wt_events(other, WSK_EVENT_RECEIVE, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, wt_events(other, WSK_EVENT_DISCONNECT, NULL), 0);
	KUNIT_EXPECT_EQ(test, wt_events(other, WSK_EVENT_DISCONNECT | WSK_EVENT_DISABLE, NULL),
			0);

	/* Opened by wsk_socket_connect(): RECEIVE on once connected. */
	atomic_set(&w->bytes, 0);
	len = wt_addr(&ss, AF_INET, false, port);
	KUNIT_ASSERT_EQ(test, wsk_socket_connect(wt(test)->client, &init_net, AF_INET, NULL,
						 (struct sockaddr *)&ss, len, 0, w,
						 &wc_conn_dispatch, &conn->req), -EINPROGRESS);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, conn));
	KUNIT_ASSERT_EQ(test, conn->status, 0);
	wt_track(test, conn->socket);
	wt_req_init(acc);
	KUNIT_ASSERT_EQ(test, wsk_accept(ls, 0, NULL, NULL, NULL, NULL, &acc->req), -EINPROGRESS);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, acc));
	KUNIT_ASSERT_EQ(test, acc->status, 0);
	wt_track(test, acc->socket);
	{
		struct kvec kv = { .iov_base = "back", .iov_len = 4 };
		struct wsk_buf b = { .kvec = &kv, .nr_segs = 1, .length = 4 };
		struct wsk_sync sync;

		wsk_sync_init(&sync);
		KUNIT_EXPECT_EQ(test, wsk_sync_wait_timeout(&sync, wsk_send(acc->socket, &b, 0,
									    &sync.req),
							    WT_TIMEOUT), 0);
	}
	WT_EXPECT_WAIT(test, w->wq, atomic_read(&w->bytes) == 4);
	KUNIT_EXPECT_EQ(test, wt_events(conn->socket, WSK_EVENT_RECEIVE | WSK_EVENT_DISABLE, NULL),
			-EINVAL);
}

static struct kunit_case wsk_client_cases[] = {
	KUNIT_CASE(wsk_client_provider),
	KUNIT_CASE(wsk_client_control_errors),
	KUNIT_CASE(wsk_client_control_after_refused_socket),
	KUNIT_CASE(wsk_client_static_accept_event),
	KUNIT_CASE(wsk_client_static_request_and_connect),
	{}
};

static struct kunit_suite wsk_client_suite = {
	.name = "wsk_client",
	.init = wt_init,
	.exit = wt_exit,
	.test_cases = wsk_client_cases,
};

kunit_test_suite(wsk_client_suite);
