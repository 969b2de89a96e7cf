// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "wsk_hostile": what a hostile peer or a careless caller does
 * to wsk, one case per way it could wedge, corrupt or leak wsk:
 *
 * - TCP urgent data (MSG_OOB from the peer) alone, first, last, in the
 *   middle, repeated and in bursts: receive indications and pending receives
 *   see exactly the bytes recv(2) without MSG_OOB sees, each once, and the
 *   connection closes;
 * - an accept_event that queues work on the socket it is offered (an option,
 *   a bind, a close) and then refuses it, or closes it while that work runs;
 * - buffers whose offset and length lie about their segments;
 * - a peer that resets its connection before wsk delivers it (deferred, or
 *   just taken from the kernel): it is delivered dead;
 * - a cancel that lands while a receive is being filled, and a cancel of a
 *   send stuck behind a zero window;
 * - completion routines that resubmit for ever (a deferring condition, a
 *   receive after the end of the stream): wsk's work items keep a budget;
 * - a connection whose handshake completes while a conditional listener is
 *   being set up;
 * - a listener that the kernel kills from outside (tcp_abort(), what ss -K
 *   and BPF's sock_destroy do);
 * - bytes that are not in host memory (6.12's device memory TCP).
 *
 * kernel_accept() failing for want of memory is tested with the kernel's
 * fault injection, from the guest's shell (tools/tests/65-faults.sh).
 *
 * Races are made to happen every time with wsk's test points (wsk_test_hook,
 * wsk/internal.h): the hook stops wsk at the one place where the race
 * matters and does the other side there.
 *
 * Callbacks never call KUnit: they count and record, and record the first
 * contract violation they see, which the suite's exit reports.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tcp.h>
#include <linux/wait.h>
#include <net/inet_sock.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "internal.h"
#include "util.h"

#define WH_CONNS	4
#define WH_RX		1024
/* How long something that must not happen is given to happen anyway. */
#define WH_QUIET_MS	200
/* Resubmissions by the completion routines of the budget cases. */
#define WH_LOOPS	1000

/**
 * struct wh_conn - a connection's context
 * @wh: the test's state
 * @s: the wsk socket
 * @events: receive_event calls with data
 * @nulls: receive_event calls with a NULL indication
 * @disconnects: disconnect_event calls
 * @disc_flags: flags of the last disconnect_event
 * @received: bytes copied into @rx (store-release after the copy)
 * @rx: the stream as indicated
 */
struct wh_conn {
	struct wh_fixture *wh;
	struct wsk_socket *s;
	atomic_t events;
	atomic_t nulls;
	atomic_t disconnects;
	unsigned int disc_flags;
	size_t received;
	u8 rx[WH_RX];
};

/* What the listener's accept_event does with the socket it is offered. */
enum wh_accept_mode {
	WH_TAKE,		/* take it */
	WH_WORK_REFUSE,		/* queue an option SET and a bind on it, refuse it */
	WH_CLOSE_REFUSE,	/* queue an option SET, close it, refuse it */
	WH_WORK_CLOSE_TAKE,	/* queue an option SET, close it, wait, take it */
};

/**
 * struct wh_fixture - one test's state (wt(test)->data)
 * @test: the test
 * @wq: woken by every callback, completion and test point
 * @lock: protects @why
 * @bad: contract violations seen by callbacks
 * @why: the first one
 * @accept_mode: &enum wh_accept_mode
 * @accepts: accept_event calls with a socket
 * @accepts_null: accept_event calls with a NULL socket
 * @inspects: inspect_event calls
 * @inspect_verdict: what inspect_event returns
 * @side: requests an accept_event submitted on the socket it was offered
 * @nr_conn: entries of @conn handed out
 * @conn: connection contexts
 * @client: a loopback client a test point resets or makes
 * @port: the listener's port
 * @tp_point: the test point @tp_hook acts at
 * @tp_hits: how often @tp_point was reached
 * @tp_arg: the arg of the first hit
 * @tp_cancel: what the hook's wsk_req_cancel() returned
 * @tp_status: what the hook's wsk_disconnect() or wsk_close() returned
 * @tp_done: the hook has done its work
 * @tp_failed: the hook has made a call fail (once)
 * @connected: the test's kernel_connect() of @client has returned
 */
struct wh_fixture {
	struct kunit *test;
	wait_queue_head_t wq;
	spinlock_t lock;	/* see the kernel-doc above */
	atomic_t bad;
	char why[160];
	int accept_mode;
	atomic_t accepts;
	atomic_t accepts_null;
	atomic_t inspects;
	int inspect_verdict;
	struct wt_req *side[3];
	atomic_t nr_conn;
	struct wh_conn conn[WH_CONNS];
	struct socket *client;
	u16 port;
	int tp_point;
	atomic_t tp_hits;
	void *tp_arg;
	int tp_cancel;
	int tp_status;
	bool tp_done;
	atomic_t tp_failed;
	bool connected;
};

/* The test a test point belongs to: the hook has no context of its own. */
static struct wh_fixture *wh_current;

static __printf(2, 3) void wh_bad(struct wh_fixture *wh, const char *fmt, ...)
{
	unsigned long flags;
	va_list args;

	spin_lock_irqsave(&wh->lock, flags);
	if (atomic_inc_return(&wh->bad) == 1) {
		va_start(args, fmt);
		vsnprintf(wh->why, sizeof(wh->why), fmt, args);
		va_end(args);
	}
	spin_unlock_irqrestore(&wh->lock, flags);
}

/* ------------------------------------------------------------------------ */
/* Callbacks                                                                 */

static int wh_receive_event(void *context, unsigned int flags,
			    struct wsk_data_indication *indication, size_t bytes_indicated,
			    size_t *bytes_accepted)
{
	struct wh_conn *c = context;
	size_t at = c->received, got;

	if (!indication) {
		atomic_inc(&c->nulls);
		goto out;
	}
	atomic_inc(&c->events);
	if (at + bytes_indicated > WH_RX) {
		wh_bad(c->wh, "receive_event: %zu bytes beyond the test's %d", at +
		       bytes_indicated, WH_RX);
		goto out;
	}
	got = wsk_data_indication_copy(indication, 0, c->rx + at, bytes_indicated);
	if (got != bytes_indicated)
		wh_bad(c->wh, "wsk_data_indication_copy: %zu of %zu bytes", got, bytes_indicated);
	/* The bytes counted are in @c->rx: pairs with wh_received(). */
	smp_store_release(&c->received, at + got);
out:
	wake_up(&c->wh->wq);
	return 0;
}

static int wh_disconnect_event(void *context, unsigned int flags)
{
	struct wh_conn *c = context;

	c->disc_flags = flags;
	atomic_inc(&c->disconnects);
	wake_up(&c->wh->wq);
	return 0;
}

static const struct wsk_client_connection_dispatch wh_conn_dispatch = {
	.receive_event = wh_receive_event,
	.disconnect_event = wh_disconnect_event,
};

static size_t wh_received(struct wh_conn *c)
{
	/* Pairs with wh_receive_event(). */
	return smp_load_acquire(&c->received);
}

static void wh_complete(struct wsk_req *req)
{
	struct wt_req *r = container_of(req, struct wt_req, req);
	struct wh_fixture *wh = r->owner;

	r->status = req->status;
	r->socket = req->result.socket;
	atomic_inc(&r->count);
	complete(&r->done);
	wake_up(&wh->wq);
}

/* Requests an accept_event submits, from any context: no KUnit allocation there. */
static void wh_side_init(struct wh_fixture *wh)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(wh->side); i++) {
		wt_req_init(wh->side[i]);
		wh->side[i]->owner = wh;
		wh->side[i]->req.complete = wh_complete;
	}
}

static int wh_accept_event(void *context, unsigned int flags, const struct sockaddr *local,
			   const struct sockaddr *remote, struct wsk_socket *s,
			   void **accept_socket_context,
			   const struct wsk_client_connection_dispatch **accept_socket_dispatch)
{
	struct sockaddr_in any = { .sin_family = AF_INET };
	struct wh_fixture *wh = context;
	int one = 1, ret = 0, i;

	if (!s) {
		atomic_inc(&wh->accepts_null);
		wake_up(&wh->wq);
		return 0;
	}
	switch (wh->accept_mode) {
	case WH_TAKE:
		i = atomic_inc_return(&wh->nr_conn) - 1;
		if (i >= WH_CONNS) {
			wh_bad(wh, "accept_event: more than %d connections", WH_CONNS);
			ret = -ECONNREFUSED;
			break;
		}
		wh->conn[i].s = s;
		*accept_socket_context = &wh->conn[i];
		*accept_socket_dispatch = &wh_conn_dispatch;
		wt_track(wh->test, s);
		break;
	case WH_WORK_REFUSE:
		/* TCP_NODELAY in the accept event: what servers commonly do. */
		wsk_control(s, WSK_SET_OPTION, TCP_NODELAY, SOL_TCP, sizeof(one), &one, 0, NULL,
			    NULL, &wh->side[0]->req);
		wsk_bind(s, (struct sockaddr *)&any, sizeof(any), 0, &wh->side[1]->req);
		ret = -ECONNREFUSED;
		break;
	case WH_CLOSE_REFUSE:
		wsk_control(s, WSK_SET_OPTION, TCP_NODELAY, SOL_TCP, sizeof(one), &one, 0, NULL,
			    NULL, &wh->side[0]->req);
		wsk_close(s, &wh->side[2]->req);
		ret = -ECONNREFUSED;
		break;
	case WH_WORK_CLOSE_TAKE:
		wsk_control(s, WSK_SET_OPTION, TCP_NODELAY, SOL_TCP, sizeof(one), &one, 0, NULL,
			    NULL, &wh->side[0]->req);
		wsk_close(s, &wh->side[2]->req);
		/* Give the close every chance to run while this event still runs. */
		mdelay(WH_QUIET_MS);
		*accept_socket_context = &wh->conn[0];
		*accept_socket_dispatch = &wh_conn_dispatch;
		break;
	}
	atomic_inc(&wh->accepts);
	wake_up(&wh->wq);
	return ret;
}

static enum wsk_inspect_action wh_inspect_event(void *context, const struct sockaddr *local,
						const struct sockaddr *remote,
						const struct wsk_inspect_id *inspect_id)
{
	struct wh_fixture *wh = context;

	atomic_inc(&wh->inspects);
	wake_up(&wh->wq);
	return wh->inspect_verdict;
}

static const struct wsk_client_listen_dispatch wh_listen_dispatch = {
	.accept_event = wh_accept_event,
	.inspect_event = wh_inspect_event,
};

/* ------------------------------------------------------------------------ */
/* Fixture                                                                   */

static int wh_init(struct kunit *test)
{
	struct wh_fixture *wh;
	int err, i;

	err = wt_init(test);
	if (err)
		return err;
	wh = kunit_kzalloc(test, sizeof(*wh), GFP_KERNEL);
	if (!wh)
		return -ENOMEM;
	wh->test = test;
	init_waitqueue_head(&wh->wq);
	spin_lock_init(&wh->lock);
	wh->tp_point = -1;
	for (i = 0; i < WH_CONNS; i++)
		wh->conn[i].wh = wh;
	for (i = 0; i < ARRAY_SIZE(wh->side); i++) {
		wh->side[i] = wt_req_new(test);
		if (!wh->side[i])
			return -ENOMEM;
	}
	wh_side_init(wh);
	wt(test)->data = wh;
	wh_current = wh;
	return 0;
}

static void wh_exit(struct kunit *test)
{
	struct wh_fixture *wh = wt(test) ? wt(test)->data : NULL;

	/* No test point runs once the sockets it stops are closed. */
	WRITE_ONCE(wsk_test_hook, NULL);
	wt_exit(test);
	wh_current = NULL;
	if (wh && wh->client)
		sock_release(wh->client);
	if (wh)
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&wh->bad), 0, "callback saw: %s", wh->why);
}

static struct wh_fixture *wh_get(struct kunit *test)
{
	return wt(test)->data;
}

#define WH_ASSERT_WAIT(test, wh, cond) WT_ASSERT_WAIT(test, (wh)->wq, cond)

/* A listener of the fixture's client whose context is @wh. */
static struct wsk_socket *wh_listener(struct kunit *test, struct wh_fixture *wh, bool cond,
				      u32 events)
{
	struct sockaddr_storage ss;
	struct wsk_socket *ls;
	int len;

	KUNIT_ASSERT_EQ(test, wt_socket_ctx(test, AF_INET, WSK_FLAG_LISTEN_SOCKET, wh,
					    &wh_listen_dispatch, &ls), 0);
	if (cond)
		KUNIT_ASSERT_EQ(test, wt_set_u32(test, ls, SOL_SOCKET,
						 WSK_SO_CONDITIONAL_ACCEPT, 1), 0);
	len = wt_addr(&ss, AF_INET, false, 0);
	KUNIT_ASSERT_EQ(test, wt_bind(test, ls, (struct sockaddr *)&ss, len), 0);
	KUNIT_ASSERT_EQ(test, wt_local_address(test, ls, &ss), 0);
	wh->port = wt_port(&ss);
	if (events)
		KUNIT_ASSERT_EQ(test, wt_events(ls, events, NULL), 0);
	return ls;
}

/* A connection accepted with a request, context @c, and its client. */
static struct wsk_socket *wh_pair(struct kunit *test, struct wh_fixture *wh, struct wh_conn *c,
				  struct socket **client)
{
	struct wt_req *r = wt_req_new(test);
	struct wsk_socket *ls;
	int ret;

	ls = wh_listener(test, wh, false, 0);
	ret = wsk_accept(ls, 0, c, &wh_conn_dispatch, &r->local, &r->remote, &r->req);
	KUNIT_ASSERT_EQ(test, ret, -EINPROGRESS);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, wh->port, NULL, client), 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_ASSERT_EQ(test, r->status, 0);
	wt_track(test, r->socket);
	c->s = r->socket;
	return c->s;
}

/* One send of the client with @flags (MSG_OOB: its last byte is urgent). */
static int wh_send(struct socket *sock, const char *data, int flags)
{
	struct msghdr msg = { .msg_flags = flags | MSG_NOSIGNAL };
	struct kvec iov = { .iov_base = (void *)data, .iov_len = strlen(data) };

	return kernel_sendmsg(sock, &msg, &iov, 1, iov.iov_len);
}

/* Submitted requests complete inline (0 or an error) or later. */
static void wh_expect_submitted(struct kunit *test, int ret)
{
	KUNIT_EXPECT_TRUE_MSG(test, ret == 0 || ret == -EINPROGRESS, "returned %d", ret);
}

/* A request with a one-segment buffer of @len bytes, test-managed. */
struct wh_io {
	struct wt_req r;
	struct kvec kvec[2];
	struct wsk_buf buf;
	u8 data[WH_RX];
};

static struct wh_io *wh_io_new(struct kunit *test, size_t len)
{
	struct wh_io *io = kunit_kzalloc(test, sizeof(*io), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, io);
	wt_req_init(&io->r);
	io->kvec[0].iov_base = io->data;
	io->kvec[0].iov_len = min_t(size_t, len, WH_RX);
	io->buf.kvec = io->kvec;
	io->buf.nr_segs = 1;
	io->buf.length = io->kvec[0].iov_len;
	return io;
}

/* A receive on @s completes -ECONNRESET (and only once). */
static void wh_expect_reset(struct kunit *test, struct wsk_socket *s)
{
	struct wh_io *io = wh_io_new(test, 8);
	int ret;

	ret = wsk_receive(s, &io->buf, 0, &io->r.req);
	KUNIT_EXPECT_TRUE_MSG(test, ret == -ECONNRESET || ret == -EINPROGRESS, "returned %d", ret);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, &io->r));
	KUNIT_EXPECT_EQ(test, io->r.status, -ECONNRESET);
	msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&io->r.count), 1);
}

/* ------------------------------------------------------------------------ */
/* Urgent data                                                               */

/*
 * One urgent-data pattern: @segs are the client's sends, a '!' prefix
 * sending one with MSG_OOB (its last byte urgent), a '|' waiting until wsk
 * has the stream so far (so that the next urgent mark cannot replace the
 * previous one before it is passed). @stream is what recv(2) without
 * MSG_OOB reads; NULL for a burst, where a mark may replace an earlier one
 * before it is read (that byte then stays in the stream, for recv(2) too):
 * the stream must then be the sent bytes with some urgent bytes left out,
 * the last one always, in order, each byte once.
 */
struct wh_urg_case {
	const char *name;
	const char *segs[8];
	const char *stream;
};

static const struct wh_urg_case wh_urg_cases[] = {
	{ "alone", { "!X", "|", "after" }, "after" },
	{ "middle", { "hello", "!X", "world" }, "helloworld" },
	{ "first", { "!X", "rest" }, "rest" },
	{ "last", { "data", "!X" }, "data" },
	{ "in_a_send", { "!abcX", "def" }, "abcdef" },
	{ "repeated", { "a", "!1", "|", "b", "!2", "|", "c", "!3" }, "abc" },
	{ "burst", { "a", "!1", "!2", "!3", "b", "!4", "c" }, NULL },
};

static void wh_urg_desc(const struct wh_urg_case *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(wh_urg, wh_urg_cases, wh_urg_desc);

/* Send @p's segments; @seen(arg) reports the bytes wsk has so far. */
static size_t wh_urg_send(struct kunit *test, struct wh_fixture *wh, struct socket *client,
			  const struct wh_urg_case *p, char *sent, size_t (*seen)(void *),
			  void *arg)
{
	size_t stream = 0, n;
	const char *seg;
	int i;

	for (i = 0; i < ARRAY_SIZE(p->segs) && p->segs[i]; i++) {
		seg = p->segs[i];
		if (*seg == '|') {
			WH_ASSERT_WAIT(test, wh, seen(arg) >= stream);
			continue;
		}
		if (*seg == '!') {
			n = strlen(seg + 1);
			KUNIT_ASSERT_EQ(test, wh_send(client, seg + 1, MSG_OOB), (int)n);
			strncat(sent, seg + 1, n);
			stream += n - 1;
		} else {
			n = strlen(seg);
			KUNIT_ASSERT_EQ(test, wh_send(client, seg, 0), (int)n);
			strcat(sent, seg);
			stream += n;
		}
	}
	return stream;
}

/*
 * A burst's stream: @sent less some of its urgent bytes (those of
 * @p's '!' segments), the last always, every other byte in order and once.
 */
static bool wh_urg_burst_ok(const struct wh_urg_case *p, const char *sent, const u8 *got,
			    size_t len)
{
	size_t at = 0, si = 0, n;
	int i, last = -1;
	const char *seg;

	for (i = 0; i < ARRAY_SIZE(p->segs) && p->segs[i]; i++)
		if (*p->segs[i] == '!')
			last = i;
	for (i = 0; i < ARRAY_SIZE(p->segs) && p->segs[i]; i++) {
		seg = p->segs[i];
		if (*seg == '|')
			continue;
		if (*seg != '!') {
			n = strlen(seg);
			if (at + n > len || memcmp(got + at, sent + si, n))
				return false;
			at += n;
			si += n;
			continue;
		}
		n = strlen(seg + 1);
		if (at + n - 1 > len || memcmp(got + at, sent + si, n - 1))
			return false;
		at += n - 1;
		si += n;
		/* The urgent byte: in the stream only if a later mark replaced it. */
		if (i != last && at < len && got[at] == sent[si - 1])
			at++;
	}
	return at == len;
}

static size_t wh_conn_seen(void *arg)
{
	return wh_received(arg);
}

/*
 * Receive indications see exactly the stream recv(2) would, each byte once;
 * then the peer's FIN is a graceful disconnect and the close completes.
 */
static void wsk_hostile_urgent_indicated(struct kunit *test)
{
	const struct wh_urg_case *p = test->param_value;
	struct wh_fixture *wh = wh_get(test);
	struct wh_conn *c = &wh->conn[0];
	char sent[64] = "";
	struct socket *client;
	size_t stream;

	wh->accept_mode = WH_TAKE;
	wh_listener(test, wh, false, WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, wh->port, NULL, &client), 0);
	WH_ASSERT_WAIT(test, wh, atomic_read(&wh->accepts) == 1);

	stream = wh_urg_send(test, wh, client, p, sent, wh_conn_seen, c);
	KUNIT_ASSERT_EQ(test, kernel_sock_shutdown(client, SHUT_WR), 0);
	WH_ASSERT_WAIT(test, wh, atomic_read(&c->disconnects) == 1);
	msleep(WH_QUIET_MS);

	KUNIT_EXPECT_EQ(test, c->disc_flags, 0U);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->nulls), 0);
	/* One event per send at most, not one per repetition of a byte. */
	KUNIT_EXPECT_LE(test, atomic_read(&c->events), ARRAY_SIZE(p->segs));
	if (p->stream) {
		KUNIT_EXPECT_EQ(test, wh_received(c), strlen(p->stream));
		KUNIT_EXPECT_EQ(test, memcmp(c->rx, p->stream, strlen(p->stream)), 0);
	} else {
		KUNIT_EXPECT_TRUE_MSG(test, wh_urg_burst_ok(p, sent, c->rx, wh_received(c)),
				      "burst %s indicated as %.*s", sent, (int)wh_received(c),
				      c->rx);
	}
	KUNIT_EXPECT_GE(test, wh_received(c), stream);
	wt_untrack(test, c->s);
	KUNIT_EXPECT_EQ(test, wt_close(test, c->s), 0);
}

/* Failed allocations of receive_event chains wh_tp_ind_fail makes. */
#define WH_IND_FAILS	3

/* WSK_TP_IND_ALLOC: the first WH_IND_FAILS allocations fail. */
static void wh_tp_ind_fail(enum wsk_test_point point, struct wsk_sock *s, void *arg)
{
	struct wh_fixture *wh = READ_ONCE(wh_current);

	if (wh && point == WSK_TP_IND_ALLOC &&
	    atomic_inc_return(&wh->tp_hits) <= WH_IND_FAILS)
		*(bool *)arg = true;
}

/*
 * The allocation of a receive_event chain fails, again and again, for bytes
 * the peer sent once and after which it only waits: wsk tries again on its
 * own (the peer never wakes it), and the bytes are indicated once, in order.
 */
static void wsk_hostile_ind_alloc_fails(struct kunit *test)
{
	struct wh_fixture *wh = wh_get(test);
	struct wh_conn *c = &wh->conn[0];
	struct socket *client;

	wh->accept_mode = WH_TAKE;
	wh_listener(test, wh, false, WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, wh->port, NULL, &client), 0);
	WH_ASSERT_WAIT(test, wh, atomic_read(&wh->accepts) == 1);

	WRITE_ONCE(wsk_test_hook, wh_tp_ind_fail);
	KUNIT_ASSERT_EQ(test, wh_send(client, "hello", 0), 5);
	WH_ASSERT_WAIT(test, wh, wh_received(c) >= 5);
	WRITE_ONCE(wsk_test_hook, NULL);
	KUNIT_EXPECT_GT(test, atomic_read(&wh->tp_hits), WH_IND_FAILS);
	msleep(WH_QUIET_MS);
	KUNIT_EXPECT_EQ(test, wh_received(c), 5U);
	KUNIT_EXPECT_EQ(test, memcmp(c->rx, "hello", 5), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->events), 1);
	wt_untrack(test, c->s);
	KUNIT_EXPECT_EQ(test, wt_close(test, c->s), 0);
}

/* WSK_TP_IND_ALLOC: every allocation fails. */
static void wh_tp_ind_fail_all(enum wsk_test_point point, struct wsk_sock *s, void *arg)
{
	struct wh_fixture *wh = READ_ONCE(wh_current);

	if (wh && point == WSK_TP_IND_ALLOC) {
		atomic_inc(&wh->tp_hits);
		*(bool *)arg = true;
	}
}

/*
 * The connection is closed while it waits for the retry timer (every chain
 * allocation fails): the close completes, the connection leaves the retry
 * list with it, and the timer that fires afterwards finds nothing of it
 * (KASAN would see a freed connection; no allocation is tried again).
 */
static void wsk_hostile_close_while_retrying(struct kunit *test)
{
	struct wh_fixture *wh = wh_get(test);
	struct wh_conn *c = &wh->conn[0];
	long sockets = wt_stat("sockets");
	struct socket *client;
	int hits;

	wh->accept_mode = WH_TAKE;
	wh_listener(test, wh, false, WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, wh->port, NULL, &client), 0);
	WH_ASSERT_WAIT(test, wh, atomic_read(&wh->accepts) == 1);

	WRITE_ONCE(wsk_test_hook, wh_tp_ind_fail_all);
	KUNIT_ASSERT_EQ(test, wh_send(client, "hello", 0), 5);
	/* Failed at least twice: once, and once more when the timer fired. */
	WH_ASSERT_WAIT(test, wh, atomic_read(&wh->tp_hits) >= 2);
	wt_untrack(test, c->s);
	KUNIT_EXPECT_EQ(test, wt_close(test, c->s), 0);
	hits = atomic_read(&wh->tp_hits);
	msleep(WH_QUIET_MS);	/* ten retry periods */
	WRITE_ONCE(wsk_test_hook, NULL);
	KUNIT_EXPECT_EQ(test, atomic_read(&wh->tp_hits), hits);
	KUNIT_EXPECT_EQ(test, wh_received(c), 0U);
	/* The listener is the one socket left. */
	KUNIT_EXPECT_EQ(test, wt_stat_wait("sockets", sockets + 1), sockets + 1);
}

/* The bytes a chain of receives has copied so far. */
struct wh_rx_chain {
	struct wh_fixture *wh;
	struct wsk_socket *s;
	struct wt_req *r;
	struct kvec kvec;
	struct wsk_buf buf;
	size_t got;
	int eos;
	int status;
	u8 data[WH_RX];
};

static size_t wh_chain_seen(void *arg)
{
	struct wh_rx_chain *ch = arg;

	return READ_ONCE(ch->got);
}

/* Resubmit until the end of the stream or an error; any context. */
static void wh_chain_complete(struct wsk_req *req)
{
	struct wt_req *r = container_of(req, struct wt_req, req);
	struct wh_rx_chain *ch = r->owner;
	size_t got = ch->got;
	int ret;

	atomic_inc(&r->count);
	if (req->status || !req->result.bytes) {
		ch->status = req->status;
		WRITE_ONCE(ch->eos, 1);
		wake_up(&ch->wh->wq);
		return;
	}
	WRITE_ONCE(ch->got, got + req->result.bytes);
	wake_up(&ch->wh->wq);
	ch->kvec.iov_base = ch->data + ch->got;
	ch->kvec.iov_len = WH_RX - ch->got;
	ch->buf.length = ch->kvec.iov_len;
	ret = wsk_receive(ch->s, &ch->buf, 0, req);
	if (ret && ret != -EINPROGRESS) {
		ch->status = ret;
		WRITE_ONCE(ch->eos, 1);
	}
}

/*
 * Pending receives (one after the other, each resubmitted by the last one's
 * completion) see the same stream as recv(2), then the end of the stream.
 */
static void wsk_hostile_urgent_received(struct kunit *test)
{
	const struct wh_urg_case *p = test->param_value;
	struct wh_fixture *wh = wh_get(test);
	struct wh_rx_chain *ch;
	char sent[64] = "";
	struct socket *client;
	size_t stream;

	ch = kunit_kzalloc(test, sizeof(*ch), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ch);
	ch->wh = wh;
	ch->s = wh_pair(test, wh, &wh->conn[0], &client);
	ch->r = wt_req_new(test);
	ch->r->owner = ch;
	ch->r->req.complete = wh_chain_complete;
	ch->kvec.iov_base = ch->data;
	ch->kvec.iov_len = WH_RX;
	ch->buf.kvec = &ch->kvec;
	ch->buf.nr_segs = 1;
	ch->buf.length = WH_RX;
	wh_expect_submitted(test, wsk_receive(ch->s, &ch->buf, 0, &ch->r->req));

	stream = wh_urg_send(test, wh, client, p, sent, wh_chain_seen, ch);
	KUNIT_ASSERT_EQ(test, kernel_sock_shutdown(client, SHUT_WR), 0);
	WH_ASSERT_WAIT(test, wh, READ_ONCE(ch->eos));
	KUNIT_EXPECT_EQ(test, ch->status, 0);
	if (p->stream) {
		KUNIT_EXPECT_EQ(test, ch->got, strlen(p->stream));
		KUNIT_EXPECT_EQ(test, memcmp(ch->data, p->stream, strlen(p->stream)), 0);
	} else {
		KUNIT_EXPECT_TRUE_MSG(test, wh_urg_burst_ok(p, sent, ch->data, ch->got),
				      "burst %s received as %.*s", sent, (int)ch->got, ch->data);
	}
	KUNIT_EXPECT_GE(test, ch->got, stream);
	wt_untrack(test, ch->s);
	KUNIT_EXPECT_EQ(test, wt_close(test, ch->s), 0);
}

/*
 * A WAITALL receive for the whole stream completes across an urgent mark,
 * with the bytes on both sides of it.
 */
static void wsk_hostile_urgent_waitall(struct kunit *test)
{
	struct wh_fixture *wh = wh_get(test);
	struct socket *client;
	struct wsk_socket *s;
	struct wh_io *io;

	s = wh_pair(test, wh, &wh->conn[0], &client);
	io = wh_io_new(test, 10);
	wh_expect_submitted(test, wsk_receive(s, &io->buf, WSK_FLAG_WAITALL, &io->r.req));
	KUNIT_ASSERT_EQ(test, wh_send(client, "hello", 0), 5);
	KUNIT_ASSERT_EQ(test, wh_send(client, "X", MSG_OOB), 1);
	KUNIT_ASSERT_EQ(test, wh_send(client, "world", 0), 5);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, &io->r));
	KUNIT_EXPECT_EQ(test, io->r.status, 0);
	KUNIT_EXPECT_EQ(test, io->r.req.result.bytes, 10U);
	KUNIT_EXPECT_EQ(test, memcmp(io->data, "helloworld", 10), 0);
}

/* ------------------------------------------------------------------------ */
/* accept_event and the socket it is offered                                 */

/*
 * WSK_TP_OP_PASS of a connection: hold its op work until its accept_event
 * has returned, and a while more (wsk resets the refused socket then).
 */
static void wh_tp_hold_ops(enum wsk_test_point point, struct wsk_sock *s, void *arg)
{
	struct wh_fixture *wh = READ_ONCE(wh_current);
	unsigned long end = jiffies + WT_TIMEOUT;

	if (!wh || point != WSK_TP_OP_PASS || s->category != WSK_FLAG_CONNECTION_SOCKET ||
	    atomic_inc_return(&wh->tp_hits) != 1)
		return;
	while (!atomic_read(&wh->accepts) && time_before(jiffies, end))
		usleep_range(1000, 2000);
	msleep(50);
	WRITE_ONCE(wh->tp_done, true);
	wake_up(&wh->wq);
}

/*
 * accept_event queues an option and a bind on the socket it is offered,
 * then refuses it, while its op work is still to run them: both requests
 * complete exactly once, the client sees a reset, and the socket is freed
 * (after the op work is done with it).
 */
static void wsk_hostile_refuse_after_work(struct kunit *test)
{
	struct wh_fixture *wh = wh_get(test);
	long sockets = wt_stat("sockets");
	struct socket *client;
	int ret, i;

	WRITE_ONCE(wsk_test_hook, wh_tp_hold_ops);
	wh->accept_mode = WH_WORK_REFUSE;
	wh_listener(test, wh, false, WSK_EVENT_ACCEPT);
	ret = wt_connect_early(test, AF_INET, wh->port, NULL, &client);
	KUNIT_ASSERT_TRUE(test, !ret || ret == -ECONNRESET);
	WH_ASSERT_WAIT(test, wh, atomic_read(&wh->accepts) == 1);
	for (i = 0; i < 2; i++) {
		KUNIT_ASSERT_TRUE(test, wt_wait(test, wh->side[i]));
		msleep(20);
		KUNIT_EXPECT_EQ(test, atomic_read(&wh->side[i]->count), 1);
	}
	KUNIT_EXPECT_TRUE(test, READ_ONCE(wh->tp_done));
	WRITE_ONCE(wsk_test_hook, NULL);
	KUNIT_EXPECT_TRUE(test, wt_reset_seen(client, ret));
	/* The listener is the one socket left. */
	KUNIT_EXPECT_EQ(test, wt_stat_wait("sockets", sockets + 1), sockets + 1);
}

/*
 * accept_event (@mode) queues an option, closes the socket it is offered,
 * and refuses or takes it: the close completes once with 0, the option
 * once, and the socket is freed; a refused client is reset.
 */
static void wh_close_in_event(struct kunit *test, int mode, bool refused)
{
	struct wh_fixture *wh = wh_get(test);
	long sockets = wt_stat("sockets");
	struct socket *client;
	int ret;

	wh->accept_mode = mode;
	wh_listener(test, wh, false, WSK_EVENT_ACCEPT);
	ret = wt_connect_early(test, AF_INET, wh->port, NULL, &client);
	KUNIT_ASSERT_TRUE(test, !ret || ret == -ECONNRESET);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, wh->side[2]));
	KUNIT_EXPECT_EQ(test, wh->side[2]->status, 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, wh->side[0]));
	msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&wh->side[0]->count), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&wh->side[2]->count), 1);
	if (refused)
		KUNIT_EXPECT_TRUE(test, wt_reset_seen(client, ret));
	KUNIT_EXPECT_EQ(test, wt_stat_wait("sockets", sockets + 1), sockets + 1);
}

/* The close, then the refusal. */
static void wsk_hostile_close_then_refuse(struct kunit *test)
{
	wh_close_in_event(test, WH_CLOSE_REFUSE, true);
}

/*
 * The option's op work runs, then the close, then the event takes it after
 * a while: the teardown waits for the event to return.
 */
static void wsk_hostile_close_in_accept_event(struct kunit *test)
{
	wh_close_in_event(test, WH_WORK_CLOSE_TAKE, false);
}

/* ------------------------------------------------------------------------ */
/* Buffers that lie                                                          */

/*
 * A buffer description: @segs segment lengths (0 ends the list, at most 2),
 * @offset and @length, and whether it is valid. @null_kvec: no segment
 * array at all.
 */
struct wh_buf_case {
	const char *name;
	size_t segs[2];
	unsigned int nr_segs;
	size_t offset;
	size_t length;
	bool null_kvec;
	bool valid;
};

static const struct wh_buf_case wh_buf_cases[] = {
	{ "fits", { 4, 4 }, 2, 2, 6, false, true },
	{ "offset_past_first_segment", { 4, 4 }, 2, 5, 3, false, true },
	{ "one_byte_too_long", { 4, 4 }, 2, 2, 7, false, false },
	{ "length_beyond_one_segment", { 8 }, 1, 0, 9, false, false },
	{ "offset_beyond_segments", { 4, 4 }, 2, 9, 1, false, false },
	{ "offset_overflows", { 4, 4 }, 2, SIZE_MAX, 2, false, false },
	{ "length_overflows", { 4, 4 }, 2, 1, SIZE_MAX, false, false },
	{ "no_segments", { 4 }, 0, 0, 1, false, false },
	{ "no_segment_array", { 4 }, 1, 0, 1, true, false },
};

static void wh_buf_desc(const struct wh_buf_case *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(wh_buf, wh_buf_cases, wh_buf_desc);

static void wh_buf_make(const struct wh_buf_case *p, struct wh_io *io)
{
	io->kvec[0].iov_base = io->data;
	io->kvec[0].iov_len = p->segs[0];
	io->kvec[1].iov_base = io->data + 64;
	io->kvec[1].iov_len = p->segs[1];
	memcpy(io->data, "abcd", 4);
	memcpy(io->data + 64, "efgh", 4);
	io->buf.kvec = p->null_kvec ? NULL : io->kvec;
	io->buf.nr_segs = p->nr_segs;
	io->buf.offset = p->offset;
	io->buf.length = p->length;
}

/* The bytes of @io's segments, in order, into @flat (at most 8). */
static size_t wh_buf_flat(const struct wh_io *io, const struct wh_buf_case *p, u8 *flat)
{
	memcpy(flat, io->data, p->segs[0]);
	memcpy(flat + p->segs[0], io->data + 64, p->segs[1]);
	return p->segs[0] + p->segs[1];
}

/*
 * Send, receive and graceful disconnect check the buffer against its
 * segments: a lying one completes -EINVAL at once (nothing is sent or
 * written), a valid one works and moves exactly its bytes, from and to the
 * places its offset and length describe.
 */
static void wsk_hostile_buf_bounds(struct kunit *test)
{
	const struct wh_buf_case *p = test->param_value;
	struct wh_fixture *wh = wh_get(test);
	struct wh_io *tx, *rx, *disc;
	u8 flat[8], want[8], got[8];
	struct socket *client;
	struct wsk_socket *s;
	int ret;

	s = wh_pair(test, wh, &wh->conn[0], &client);
	tx = wh_io_new(test, 0);
	rx = wh_io_new(test, 0);
	disc = wh_io_new(test, 0);
	wh_buf_make(p, tx);
	wh_buf_make(p, rx);
	wh_buf_make(p, disc);

	ret = wsk_send(s, &tx->buf, 0, &tx->r.req);
	if (!p->valid) {
		KUNIT_EXPECT_EQ(test, ret, -EINVAL);
		KUNIT_EXPECT_EQ(test, atomic_read(&tx->r.count), 1);
		KUNIT_EXPECT_EQ(test, tx->r.status, -EINVAL);
		ret = wsk_receive(s, &rx->buf, 0, &rx->r.req);
		KUNIT_EXPECT_EQ(test, ret, -EINVAL);
		KUNIT_EXPECT_EQ(test, atomic_read(&rx->r.count), 1);
		ret = wsk_disconnect(s, &disc->buf, 0, &disc->r.req);
		KUNIT_EXPECT_EQ(test, ret, -EINVAL);
		KUNIT_EXPECT_EQ(test, atomic_read(&disc->r.count), 1);
		/* Nothing went out: the connection is still open and quiet. */
		KUNIT_ASSERT_EQ(test, wh_send(client, "z", 0), 1);
		rx = wh_io_new(test, 1);
		wh_expect_submitted(test, wsk_receive(s, &rx->buf, 0, &rx->r.req));
		KUNIT_ASSERT_TRUE(test, wt_wait(test, &rx->r));
		KUNIT_EXPECT_EQ(test, rx->r.status, 0);
		KUNIT_EXPECT_EQ(test, rx->data[0], 'z');
		return;
	}
	wh_expect_submitted(test, ret);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, &tx->r));
	KUNIT_EXPECT_EQ(test, tx->r.status, 0);
	KUNIT_EXPECT_EQ(test, tx->r.req.result.bytes, p->length);
	wh_buf_flat(tx, p, flat);
	KUNIT_ASSERT_EQ(test, wt_recv(client, got, p->length), (int)p->length);
	KUNIT_EXPECT_EQ(test, memcmp(got, flat + p->offset, p->length), 0);

	/* A receive lands in the same places; the bytes around stay as they were. */
	KUNIT_ASSERT_EQ(test, wt_send(client, "123456", p->length), (int)p->length);
	wh_expect_submitted(test, wsk_receive(s, &rx->buf, WSK_FLAG_WAITALL, &rx->r.req));
	KUNIT_ASSERT_TRUE(test, wt_wait(test, &rx->r));
	KUNIT_EXPECT_EQ(test, rx->r.status, 0);
	KUNIT_EXPECT_EQ(test, rx->r.req.result.bytes, p->length);
	memcpy(want, flat, sizeof(want));
	memcpy(want + p->offset, "123456", p->length);
	wh_buf_flat(rx, p, got);
	KUNIT_EXPECT_EQ(test, memcmp(got, want, p->segs[0] + p->segs[1]), 0);
}

#ifdef WSK_HAVE_SKB_FRAGS_READABLE
/* ------------------------------------------------------------------------ */
/* Bytes that are not in host memory (6.12)                                  */

static bool wh_queued(void *arg)
{
	struct tcp_sock *tp = tcp_sk((struct sock *)arg);

	return READ_ONCE(tp->rcv_nxt) != READ_ONCE(tp->copied_seq);
}

/*
 * Bytes wsk cannot read: 6.12's device memory TCP queues skbs whose frags
 * are in a device's memory (skb_frags_readable() false), which the test
 * imitates by marking the queued skbs so. wsk never indicates a pointer to
 * them nor copies them: the connection is reset, the receive event gets
 * the NULL indication and the disconnect event the abortive flag, a
 * receive completes -ECONNRESET, and the peer sees the reset.
 */
static void wsk_hostile_unreadable_data(struct kunit *test)
{
	struct wh_fixture *wh = wh_get(test);
	struct wh_conn *c = &wh->conn[0];
	struct socket *client;
	struct sk_buff *skb;
	struct sock *sk;

	wh_pair(test, wh, c, &client);
	sk = wsk_sock(c->s)->sock->sk;
	KUNIT_ASSERT_EQ(test, wh_send(client, "abc", 0), 3);
	KUNIT_ASSERT_TRUE(test, wt_poll(wh_queued, sk));
	lock_sock(sk);
	skb_queue_walk(&sk->sk_receive_queue, skb)
		skb->unreadable = 1;
	release_sock(sk);

	KUNIT_ASSERT_EQ(test, wt_events(c->s, WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT, NULL), 0);
	WH_ASSERT_WAIT(test, wh, atomic_read(&c->nulls) == 1 &&
		       atomic_read(&c->disconnects) == 1);
	KUNIT_EXPECT_EQ(test, c->disc_flags, (unsigned int)WSK_FLAG_ABORTIVE);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->events), 0);
	wh_expect_reset(test, c->s);
	KUNIT_EXPECT_TRUE(test, wt_reset_seen(client, 0));
}
#endif

/* ------------------------------------------------------------------------ */
/* A peer reset before delivery                                              */

static enum wsk_cf wh_defer(const struct sockaddr *caller, const struct sockaddr *callee,
			    unsigned long data)
{
	return WSK_CF_DEFER;
}

static bool wh_sk_closed(void *arg)
{
	struct sock *sk = arg;

	return READ_ONCE(sk->sk_state) == TCP_CLOSE;
}

/*
 * A deferred connection whose peer resets it is delivered dead to the next
 * accept: a receive on it completes -ECONNRESET, not as an end of stream.
 */
static void wsk_hostile_reset_deferred(struct kunit *test)
{
	struct wh_fixture *wh = wh_get(test);
	struct wt_req *r = wt_req_new(test);
	struct wsk_socket *ls;
	struct socket *client;
	int ret;

	ls = wh_listener(test, wh, false, 0);
	ret = wsk_accept_conditional(ls, wh_defer, 0, &wh->conn[0], &wh_conn_dispatch,
				     &r->local, &r->remote, &r->req);
	KUNIT_ASSERT_EQ(test, ret, -EINPROGRESS);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, wh->port, NULL, &client), 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_ASSERT_EQ(test, r->status, -EAGAIN);

	wt_reset(test, client);
	msleep(WH_QUIET_MS);	/* the reset reaches the deferred connection */

	wt_req_init(r);
	ret = wsk_accept(ls, 0, &wh->conn[0], &wh_conn_dispatch, &r->local, &r->remote, &r->req);
	wh_expect_submitted(test, ret);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_ASSERT_EQ(test, r->status, 0);
	wt_track(test, r->socket);
	wh_expect_reset(test, r->socket);
}

static bool wh_connected(void *arg)
{
	struct wh_fixture *wh = arg;

	/* Pairs with the store after the test's kernel_connect(). */
	return smp_load_acquire(&wh->connected);
}

/* WSK_TP_ACCEPTED: reset the client while wsk holds the new connection. */
static void wh_tp_reset_client(enum wsk_test_point point, struct wsk_sock *s, void *arg)
{
	struct wh_fixture *wh = READ_ONCE(wh_current);
	struct wsk_sock *conn = arg;

	if (!wh || point != WSK_TP_ACCEPTED || atomic_inc_return(&wh->tp_hits) != 1)
		return;
	/* Not while the test's connect still uses the client socket. */
	if (!wt_poll(wh_connected, wh)) {
		wh_bad(wh, "the test's connect did not return");
		return;
	}
	sock_no_linger(wh->client->sk);
	sock_release(wh->client);
	wh->client = NULL;
	/* The reset arrives through loopback; wait until the child saw it. */
	if (!wt_poll(wh_sk_closed, conn->sock->sk))
		wh_bad(wh, "the reset did not reach the accepted child");
	WRITE_ONCE(wh->tp_done, true);
	wake_up(&wh->wq);
}

/*
 * The peer resets a connection between kernel_accept() and its delivery to
 * a pending accept: delivered dead (receive -ECONNRESET).
 */
static void wsk_hostile_reset_before_delivery(struct kunit *test)
{
	struct wh_fixture *wh = wh_get(test);
	struct wt_req *r = wt_req_new(test);
	struct sockaddr_storage ss;
	struct wsk_socket *ls;
	int len;

	ls = wh_listener(test, wh, false, 0);
	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP,
					       &wh->client), 0);
	WRITE_ONCE(wsk_test_hook, wh_tp_reset_client);
	KUNIT_ASSERT_EQ(test, wsk_accept(ls, 0, &wh->conn[0], &wh_conn_dispatch, &r->local,
					 &r->remote, &r->req), -EINPROGRESS);
	len = wt_addr(&ss, AF_INET, false, wh->port);
	KUNIT_ASSERT_EQ(test, kernel_connect(wh->client, (struct sockaddr *)&ss, len, 0), 0);
	/* The hook may use the client socket from here on. */
	smp_store_release(&wh->connected, true);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_ASSERT_EQ(test, r->status, 0);
	wt_track(test, r->socket);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(wh->tp_done));
	WRITE_ONCE(wsk_test_hook, NULL);
	wh_expect_reset(test, r->socket);
}

/*
 * WSK_TP_KERNEL_ACCEPT: the first kernel_accept() made while a connection
 * waits in the kernel's queue fails with -ENOMEM. Decided by the queue, not
 * by the order of the calls: the pass the accept request started may reach
 * this point before the client connects and call kernel_accept() after.
 */
static void wh_tp_accept_enomem(enum wsk_test_point point, struct wsk_sock *s, void *arg)
{
	struct wh_fixture *wh = READ_ONCE(wh_current);

	if (!wh || point != WSK_TP_KERNEL_ACCEPT)
		return;
	atomic_inc(&wh->tp_hits);
	if (READ_ONCE(s->sock->sk->sk_ack_backlog) && !atomic_xchg(&wh->tp_failed, 1))
		*(int *)arg = -ENOMEM;
}

/*
 * kernel_accept() fails for want of memory with an accept pending and one
 * client connecting, which then only waits: wsk tries again on its own (no
 * new connection wakes it), and the pending accept gets that connection.
 */
static void wsk_hostile_kernel_accept_enomem(struct kunit *test)
{
	struct wh_fixture *wh = wh_get(test);
	struct wt_req *r = wt_req_new(test);
	struct socket *client;
	struct wsk_socket *ls;
	u16 port;

	ls = wh_listener(test, wh, false, 0);
	KUNIT_ASSERT_EQ(test, wsk_accept(ls, 0, &wh->conn[0], &wh_conn_dispatch, &r->local,
					 &r->remote, &r->req), -EINPROGRESS);
	WRITE_ONCE(wsk_test_hook, wh_tp_accept_enomem);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, wh->port, &port, &client), 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	WRITE_ONCE(wsk_test_hook, NULL);
	KUNIT_ASSERT_EQ(test, r->status, 0);
	wt_track(test, r->socket);
	/* Failed once, then tried again: the connection is the client's. */
	KUNIT_EXPECT_EQ(test, atomic_read(&wh->tp_failed), 1);
	KUNIT_EXPECT_GE(test, atomic_read(&wh->tp_hits), 2);
	KUNIT_EXPECT_EQ(test, wt_port(&r->remote), port);
}

/*
 * The same through accept_event: the connection it takes is dead, so its
 * inherited events report it: the NULL indication once, the abortive
 * disconnect event once.
 */
static void wsk_hostile_reset_before_accept_event(struct kunit *test)
{
	struct wh_fixture *wh = wh_get(test);
	struct wh_conn *c = &wh->conn[0];
	struct sockaddr_storage ss;
	int len;

	wh->accept_mode = WH_TAKE;
	wh_listener(test, wh, false, WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT);
	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP,
					       &wh->client), 0);
	WRITE_ONCE(wsk_test_hook, wh_tp_reset_client);
	len = wt_addr(&ss, AF_INET, false, wh->port);
	KUNIT_ASSERT_EQ(test, kernel_connect(wh->client, (struct sockaddr *)&ss, len, 0), 0);
	/* The hook may use the client socket from here on. */
	smp_store_release(&wh->connected, true);
	WH_ASSERT_WAIT(test, wh, atomic_read(&c->nulls) == 1 &&
		       atomic_read(&c->disconnects) == 1);
	WRITE_ONCE(wsk_test_hook, NULL);
	KUNIT_EXPECT_EQ(test, c->disc_flags, (unsigned int)WSK_FLAG_ABORTIVE);
	msleep(WH_QUIET_MS);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->nulls), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->disconnects), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->events), 0);
	wh_expect_reset(test, c->s);
}

/* ------------------------------------------------------------------------ */
/* Cancels that land while wsk works                                         */

/* WSK_TP_RX_FILL: cancel the receive being filled, once. */
static void wh_tp_cancel_fill(enum wsk_test_point point, struct wsk_sock *s, void *arg)
{
	struct wh_fixture *wh = READ_ONCE(wh_current);

	if (!wh || point != WSK_TP_RX_FILL || atomic_inc_return(&wh->tp_hits) != 1)
		return;
	wh->tp_cancel = wsk_req_cancel(arg);
	WRITE_ONCE(wh->tp_done, true);
	wake_up(&wh->wq);
}

/*
 * A cancel that lands while the io work fills the receive is not lost: it
 * returns true and the receive completes -ECANCELED soon after, or it
 * returns false and the receive completes with its own result (here there
 * is no data: so it must have been delivered).
 */
static void wsk_hostile_cancel_during_fill(struct kunit *test)
{
	struct wh_fixture *wh = wh_get(test);
	struct socket *client;
	struct wsk_socket *s;
	struct wh_io *io;

	s = wh_pair(test, wh, &wh->conn[0], &client);
	io = wh_io_new(test, 8);
	WRITE_ONCE(wsk_test_hook, wh_tp_cancel_fill);
	wh_expect_submitted(test, wsk_receive(s, &io->buf, 0, &io->r.req));
	WH_ASSERT_WAIT(test, wh, READ_ONCE(wh->tp_done));
	WRITE_ONCE(wsk_test_hook, NULL);
	KUNIT_EXPECT_TRUE(test, wh->tp_cancel);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, &io->r));
	KUNIT_EXPECT_EQ(test, io->r.status, -ECANCELED);
	KUNIT_EXPECT_EQ(test, io->r.req.result.bytes, 0U);
	msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&io->r.count), 1);

	/* The connection still works. */
	io = wh_io_new(test, 8);
	wh_expect_submitted(test, wsk_receive(s, &io->buf, 0, &io->r.req));
	KUNIT_ASSERT_EQ(test, wh_send(client, "ok", 0), 2);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, &io->r));
	KUNIT_EXPECT_EQ(test, io->r.status, 0);
	KUNIT_EXPECT_EQ(test, io->r.req.result.bytes, 2U);
}

static bool wh_send_blocked(void *arg)
{
	struct wsk_socket *s = arg;

	return test_bit(SOCK_NOSPACE, &wsk_sock(s)->sock->flags);
}

/* 8 MiB to send (one zeroed page, again and again): more than any window. */
static struct wsk_buf *wh_big_buf(struct kunit *test)
{
	size_t len = 8 << 20;
	struct wsk_buf *b;
	struct kvec *kv;
	void *data;

	data = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	kv = kunit_kcalloc(test, len / PAGE_SIZE, sizeof(*kv), GFP_KERNEL);
	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, data && kv && b);
	for (b->nr_segs = 0; b->nr_segs < len / PAGE_SIZE; b->nr_segs++) {
		kv[b->nr_segs].iov_base = data;
		kv[b->nr_segs].iov_len = PAGE_SIZE;
	}
	b->kvec = kv;
	b->length = len;
	return b;
}

/*
 * A send larger than the window of a peer that never reads is being handed
 * to TCP: a cancel still ends it (true, then -ECANCELED), and the close
 * after it completes.
 */
static void wsk_hostile_cancel_blocked_send(struct kunit *test)
{
	struct wsk_buf *b = wh_big_buf(test);
	struct wt_req *r = wt_req_new(test);
	struct wh_fixture *wh = wh_get(test);
	struct socket *client;
	struct wsk_socket *s;

	s = wh_pair(test, wh, &wh->conn[0], &client);
	KUNIT_ASSERT_EQ(test, wsk_send(s, b, 0, &r->req), -EINPROGRESS);
	KUNIT_ASSERT_TRUE(test, wt_poll(wh_send_blocked, s));
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 0);
	KUNIT_EXPECT_TRUE(test, wsk_req_cancel(&r->req));
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_EXPECT_EQ(test, r->status, -ECANCELED);
	wt_untrack(test, s);
	KUNIT_EXPECT_EQ(test, wt_close(test, s), 0);
}

/* The close wh_tp_cancel_close submits, and whether it completed in the hook. */
static struct wt_req *wh_cc_close;
static int wh_cc_closed_early;

/*
 * WSK_TP_CANCELLED, once: wsk_req_cancel() has taken the request off its
 * listener and not completed it yet. Close the listener now, and give the
 * close time to run on the op work: it must not complete before the
 * cancelled request does.
 */
static void wh_tp_cancel_close(enum wsk_test_point point, struct wsk_sock *s, void *arg)
{
	struct wh_fixture *wh = READ_ONCE(wh_current);

	if (!wh || point != WSK_TP_CANCELLED || atomic_inc_return(&wh->tp_hits) != 1)
		return;
	wh->tp_status = wsk_close(&s->pub, &wh_cc_close->req);
	msleep(200);
	wh_cc_closed_early = atomic_read(&wh_cc_close->count);
	WRITE_ONCE(wh->tp_done, true);
}

/*
 * A cancel takes a pending accept off its listener and, before it has
 * completed it, the listener is closed: the close completes after the
 * accept (-ECANCELED), never before (the fuzzer found this order broken).
 */
static void wsk_hostile_cancel_vs_close(struct kunit *test)
{
	struct wh_fixture *wh = wh_get(test);
	struct wt_req *r = wt_req_new(test);
	struct wsk_socket *ls;

	wh_cc_close = wt_req_new(test);
	wh_cc_closed_early = -1;
	ls = wh_listener(test, wh, false, 0);
	KUNIT_ASSERT_EQ(test, wsk_accept(ls, 0, NULL, NULL, NULL, NULL, &r->req), -EINPROGRESS);
	wt_untrack(test, ls);
	WRITE_ONCE(wsk_test_hook, wh_tp_cancel_close);
	KUNIT_EXPECT_TRUE(test, wsk_req_cancel(&r->req));
	WRITE_ONCE(wsk_test_hook, NULL);
	KUNIT_ASSERT_TRUE(test, READ_ONCE(wh->tp_done));
	KUNIT_EXPECT_EQ(test, wh->tp_status, -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, wh_cc_closed_early, 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_EXPECT_EQ(test, r->status, -ECANCELED);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, wh_cc_close));
	KUNIT_EXPECT_EQ(test, wh_cc_close->status, 0);
	msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&wh_cc_close->count), 1);
}

/* What wh_tp_cancel_abort acts on. */
static struct wsk_socket *wh_ca_sock;
static struct wsk_req *wh_ca_send;
static struct wsk_req *wh_ca_abort;

/*
 * WSK_TP_IO_PASS of wh_ca_sock, once: cancel the send being handed to TCP,
 * then disconnect abortively, before this pass of the io work goes on.
 */
static void wh_tp_cancel_abort(enum wsk_test_point point, struct wsk_sock *s, void *arg)
{
	struct wh_fixture *wh = READ_ONCE(wh_current);

	if (!wh || point != WSK_TP_IO_PASS || &s->pub != READ_ONCE(wh_ca_sock) ||
	    atomic_inc_return(&wh->tp_hits) != 1)
		return;
	wh->tp_cancel = wsk_req_cancel(wh_ca_send);
	wh->tp_status = wsk_disconnect(&s->pub, NULL, WSK_FLAG_ABORTIVE, wh_ca_abort);
	WRITE_ONCE(wh->tp_done, true);
	wake_up(&wh->wq);
}

/*
 * A cancel that returned true for the send being handed to TCP wins over
 * an abortive disconnect that lands before the io work's next step: the
 * send completes -ECANCELED, not -ECONNABORTED, and the disconnect 0.
 */
static void wsk_hostile_cancel_then_abort(struct kunit *test)
{
	struct wsk_buf *b = wh_big_buf(test);
	struct wt_req *r = wt_req_new(test);
	struct wt_req *d = wt_req_new(test);
	struct wh_fixture *wh = wh_get(test);
	struct socket *client;
	struct wsk_socket *s;

	s = wh_pair(test, wh, &wh->conn[0], &client);
	KUNIT_ASSERT_EQ(test, wsk_send(s, b, 0, &r->req), -EINPROGRESS);
	KUNIT_ASSERT_TRUE(test, wt_poll(wh_send_blocked, s));
	WRITE_ONCE(wh_ca_send, &r->req);
	WRITE_ONCE(wh_ca_abort, &d->req);
	WRITE_ONCE(wh_ca_sock, s);
	WRITE_ONCE(wsk_test_hook, wh_tp_cancel_abort);
	/* A byte from the peer starts a pass of the io work. */
	KUNIT_ASSERT_EQ(test, wh_send(client, "x", 0), 1);
	WH_ASSERT_WAIT(test, wh, READ_ONCE(wh->tp_done));
	WRITE_ONCE(wsk_test_hook, NULL);
	WRITE_ONCE(wh_ca_sock, NULL);
	KUNIT_EXPECT_TRUE(test, wh->tp_cancel);
	KUNIT_EXPECT_EQ(test, wh->tp_status, -EINPROGRESS);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_ASSERT_TRUE(test, wt_wait(test, d));
	KUNIT_EXPECT_EQ(test, r->status, -ECANCELED);
	KUNIT_EXPECT_EQ(test, d->status, 0);
	msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&d->count), 1);
	wt_untrack(test, s);
	KUNIT_EXPECT_EQ(test, wt_close(test, s), 0);
}

/* ------------------------------------------------------------------------ */
/* Loops a completion routine can start                                      */

/* WSK_TP_*_PASS: count the passes of the work item this test watches. */
static void wh_tp_count(enum wsk_test_point point, struct wsk_sock *s, void *arg)
{
	struct wh_fixture *wh = READ_ONCE(wh_current);

	if (wh && point == wh->tp_point)
		atomic_inc(&wh->tp_hits);
}

/* A request that resubmits itself from its completion, WH_LOOPS times. */
struct wh_loop {
	struct wh_fixture *wh;
	struct wt_req *r;
	struct wsk_socket *s;
	struct kvec kvec;
	struct wsk_buf buf;
	atomic_t left;
	int last;
	u8 byte;
};

static void wh_loop_defer_complete(struct wsk_req *req)
{
	struct wt_req *r = container_of(req, struct wt_req, req);
	struct wh_loop *l = r->owner;

	atomic_inc(&r->count);
	l->last = req->status;
	if (req->status == -EAGAIN && atomic_dec_return(&l->left) > 0 &&
	    wsk_accept_conditional(l->s, wh_defer, 0, NULL, NULL, NULL, NULL, req) ==
	    -EINPROGRESS)
		return;
	wake_up(&l->wh->wq);
}

static struct wh_loop *wh_loop_new(struct kunit *test, struct wh_fixture *wh, wsk_complete_t fn)
{
	struct wh_loop *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, l);
	l->wh = wh;
	l->r = wt_req_new(test);
	l->r->owner = l;
	l->r->req.complete = fn;
	atomic_set(&l->left, WH_LOOPS);
	return l;
}

/*
 * A condition that defers, with a completion routine that resubmits the
 * request at once, keeps the accept work busy: it must hand the CPU back
 * every budget of requests (a new pass), not spin in one pass.
 */
static void wsk_hostile_defer_resubmit_bounded(struct kunit *test)
{
	struct wh_fixture *wh = wh_get(test);
	struct socket *client;
	struct wh_loop *l;
	int passes;

	l = wh_loop_new(test, wh, wh_loop_defer_complete);
	l->s = wh_listener(test, wh, false, 0);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, wh->port, NULL, &client), 0);
	wh->tp_point = WSK_TP_ACCEPT_PASS;
	WRITE_ONCE(wsk_test_hook, wh_tp_count);
	KUNIT_ASSERT_EQ(test, wsk_accept_conditional(l->s, wh_defer, 0, NULL, NULL, NULL, NULL,
						     &l->r->req), -EINPROGRESS);
	WH_ASSERT_WAIT(test, wh, atomic_read(&l->left) <= 0);
	WRITE_ONCE(wsk_test_hook, NULL);
	passes = atomic_read(&wh->tp_hits);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->r->count), WH_LOOPS);
	KUNIT_EXPECT_GE_MSG(test, passes, WH_LOOPS / 64, "%d verdicts in %d passes", WH_LOOPS,
			    passes);
}

static void wh_loop_eos_complete(struct wsk_req *req)
{
	struct wt_req *r = container_of(req, struct wt_req, req);
	struct wh_loop *l = r->owner;

	atomic_inc(&r->count);
	l->last = req->status ? req->status : (int)req->result.bytes;
	if (!req->status && !req->result.bytes && atomic_dec_return(&l->left) > 0 &&
	    wsk_receive(l->s, &l->buf, 0, req) == -EINPROGRESS)
		return;
	wake_up(&l->wh->wq);
}

/*
 * A receive resubmitted by its completion after the end of the stream
 * completes 0 each time; the io work hands the CPU back every budget of
 * them.
 */
static void wsk_hostile_eos_resubmit_bounded(struct kunit *test)
{
	struct wh_fixture *wh = wh_get(test);
	struct socket *client;
	struct wh_loop *l;
	int passes, ret;

	l = wh_loop_new(test, wh, wh_loop_eos_complete);
	l->s = wh_pair(test, wh, &wh->conn[0], &client);
	l->kvec.iov_base = &l->byte;
	l->kvec.iov_len = 1;
	l->buf.kvec = &l->kvec;
	l->buf.nr_segs = 1;
	l->buf.length = 1;
	KUNIT_ASSERT_EQ(test, kernel_sock_shutdown(client, SHUT_WR), 0);
	msleep(20);
	wh->tp_point = WSK_TP_IO_PASS;
	WRITE_ONCE(wsk_test_hook, wh_tp_count);
	ret = wsk_receive(l->s, &l->buf, 0, &l->r->req);
	wh_expect_submitted(test, ret);
	WH_ASSERT_WAIT(test, wh, atomic_read(&l->left) <= 0);
	WRITE_ONCE(wsk_test_hook, NULL);
	passes = atomic_read(&wh->tp_hits);
	KUNIT_EXPECT_EQ(test, l->last, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->r->count), WH_LOOPS);
	KUNIT_EXPECT_GE_MSG(test, passes, WH_LOOPS / 64, "%d receives in %d passes", WH_LOOPS,
			    passes);
}

/* ------------------------------------------------------------------------ */
/* Listeners                                                                 */

/* WSK_TP_LISTENED: a client completes its handshake right there. */
static void wh_tp_connect(enum wsk_test_point point, struct wsk_sock *s, void *arg)
{
	struct wh_fixture *wh = READ_ONCE(wh_current);
	struct sockaddr_in sin;
	int err;

	if (!wh || point != WSK_TP_LISTENED || atomic_inc_return(&wh->tp_hits) != 1)
		return;
	memcpy(&sin, &s->local, sizeof(sin));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	err = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP, &wh->client);
	if (!err)
		err = kernel_connect(wh->client, (struct sockaddr *)&sin, sizeof(sin), 0);
	if (err)
		wh_bad(wh, "connect at WSK_TP_LISTENED: %d", err);
	WRITE_ONCE(wh->tp_done, true);
	wake_up(&wh->wq);
}

/*
 * A connection that completes its handshake between kernel_listen() and
 * the moment wsk marks a conditional listener listening is still
 * inspected, without another one arriving.
 */
static void wsk_hostile_listen_race(struct kunit *test)
{
	struct wh_fixture *wh = wh_get(test);

	wh->inspect_verdict = WSK_INSPECT_REJECT;
	WRITE_ONCE(wsk_test_hook, wh_tp_connect);
	wh_listener(test, wh, true, 0);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(wh->tp_done));
	WRITE_ONCE(wsk_test_hook, NULL);
	WH_ASSERT_WAIT(test, wh, atomic_read(&wh->inspects) == 1);
}

/*
 * tcp_abort() on a listener (what ss -K and BPF's sock_destroy do): pending
 * accepts complete -ESHUTDOWN, new ones too, the accept event gets its NULL
 * socket once, and the close still completes.
 */
static void wsk_hostile_listener_aborted(struct kunit *test)
{
	struct wh_fixture *wh = wh_get(test);
	struct wt_req *r[3];
	struct wsk_socket *ls;
	int i;

	ls = wh_listener(test, wh, false, WSK_EVENT_ACCEPT);
	for (i = 0; i < 2; i++) {
		r[i] = wt_req_new(test);
		KUNIT_ASSERT_EQ(test, wsk_accept(ls, 0, NULL, NULL, NULL, NULL, &r[i]->req),
				-EINPROGRESS);
	}
	KUNIT_ASSERT_EQ(test, tcp_abort(wsk_sock(ls)->sock->sk, ECONNABORTED), 0);
	for (i = 0; i < 2; i++) {
		KUNIT_ASSERT_TRUE(test, wt_wait(test, r[i]));
		KUNIT_EXPECT_EQ(test, r[i]->status, -ESHUTDOWN);
	}
	WH_ASSERT_WAIT(test, wh, atomic_read(&wh->accepts_null) == 1);
	r[2] = wt_req_new(test);
	KUNIT_EXPECT_EQ(test, wsk_accept(ls, 0, NULL, NULL, NULL, NULL, &r[2]->req), -ESHUTDOWN);
	KUNIT_EXPECT_EQ(test, atomic_read(&r[2]->count), 1);
	msleep(WH_QUIET_MS);
	KUNIT_EXPECT_EQ(test, atomic_read(&wh->accepts_null), 1);
	wt_untrack(test, ls);
	KUNIT_EXPECT_EQ(test, wt_close(test, ls), 0);
}

/*
 * The same on a conditional listener holding a pended connection: the
 * verdict on it completes -ESHUTDOWN; the close resets it.
 */
static void wsk_hostile_cond_listener_aborted(struct kunit *test)
{
	struct wh_fixture *wh = wh_get(test);
	struct wsk_inspect_id id = {};
	struct wt_req *r = wt_req_new(test);
	struct wsk_socket *ls;
	struct socket *client;

	wh->inspect_verdict = WSK_INSPECT_PEND;
	ls = wh_listener(test, wh, true, 0);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, wh->port, NULL, &client), 0);
	WH_ASSERT_WAIT(test, wh, atomic_read(&wh->inspects) == 1);
	KUNIT_ASSERT_EQ(test, tcp_abort(wsk_sock(ls)->sock->sk, ECONNABORTED), 0);
	msleep(WH_QUIET_MS);
	KUNIT_EXPECT_EQ(test, wsk_inspect_complete(ls, &id, WSK_INSPECT_ACCEPT, &r->req),
			-ESHUTDOWN);
	wt_untrack(test, ls);
	KUNIT_EXPECT_EQ(test, wt_close(test, ls), 0);
	KUNIT_EXPECT_TRUE(test, wt_reset_seen(client, 0));
}

static struct kunit_case wsk_hostile_cases[] = {
	KUNIT_CASE_PARAM(wsk_hostile_urgent_indicated, wh_urg_gen_params),
	KUNIT_CASE_PARAM(wsk_hostile_urgent_received, wh_urg_gen_params),
	KUNIT_CASE(wsk_hostile_urgent_waitall),
	KUNIT_CASE(wsk_hostile_refuse_after_work),
	KUNIT_CASE(wsk_hostile_close_then_refuse),
	KUNIT_CASE(wsk_hostile_close_in_accept_event),
	KUNIT_CASE_PARAM(wsk_hostile_buf_bounds, wh_buf_gen_params),
#ifdef WSK_HAVE_SKB_FRAGS_READABLE
	KUNIT_CASE(wsk_hostile_unreadable_data),
#endif
	KUNIT_CASE(wsk_hostile_reset_deferred),
	KUNIT_CASE(wsk_hostile_reset_before_delivery),
	KUNIT_CASE(wsk_hostile_kernel_accept_enomem),
	KUNIT_CASE(wsk_hostile_reset_before_accept_event),
	KUNIT_CASE(wsk_hostile_cancel_during_fill),
	KUNIT_CASE(wsk_hostile_cancel_blocked_send),
	KUNIT_CASE(wsk_hostile_cancel_then_abort),
	KUNIT_CASE(wsk_hostile_cancel_vs_close),
	KUNIT_CASE(wsk_hostile_ind_alloc_fails),
	KUNIT_CASE(wsk_hostile_close_while_retrying),
	KUNIT_CASE(wsk_hostile_defer_resubmit_bounded),
	KUNIT_CASE(wsk_hostile_eos_resubmit_bounded),
	KUNIT_CASE(wsk_hostile_listen_race),
	KUNIT_CASE(wsk_hostile_listener_aborted),
	KUNIT_CASE(wsk_hostile_cond_listener_aborted),
	{}
};

static struct kunit_suite wsk_hostile_suite = {
	.name = "wsk_hostile",
	.init = wh_init,
	.exit = wh_exit,
	.test_cases = wsk_hostile_cases,
};

kunit_test_suite(wsk_hostile_suite);
