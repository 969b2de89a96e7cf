// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "wsk_event": the event callbacks and the data path on real
 * loopback connections. Events off by default and when they can be changed,
 * disabling a running callback, accept_event refusing a socket, inheritance
 * through accept_event only (and disabling an inherited event), accept
 * requests before the accept event, every receive_event verdict (all,
 * partial, kept, not accepted), a kept chain released the moment it was
 * kept, the zero-length receive that resumes indications, graceful and
 * abortive peer disconnects, the send backlog event, a 1 MiB echo sent from
 * the receive callback, indications freed at close, no callback after
 * close, and the send/receive/disconnect argument errors with a graceful
 * wsk_disconnect().
 *
 * Callbacks never call KUnit (it may sleep): they count, and record the
 * first contract violation they see, which the suite's exit reports.
 *
 * White-box only to know that wsk's sending is blocked on a full send
 * buffer (the connection's kernel socket, through wsk/internal.h).
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/preempt.h>
#include <linux/random.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>
#include <net/sock.h>

#include "internal.h"
#include "util.h"

#define WE_CONNS	4
#define WE_RX		4096
#define WE_KEPT		16
#define WE_ECHO_LEN	SZ_1M
#define WE_ECHO_SLOTS	1024
#define WE_BACKLOG_LEN	(8 * SZ_1M)
/* How long a callback that must not come is given to come anyway. */
#define WE_QUIET_MS	100

/* What a connection's receive_event does with an indication. */
enum we_mode {
	WE_TAKE_ALL,	/* copy it all, return 0 without touching *bytes_accepted */
	WE_TAKE_SOME,	/* copy and accept the first @part bytes */
	WE_KEEP,	/* keep the chain: -EINPROGRESS */
	WE_NOT_TAKEN,	/* -EAGAIN */
	WE_ECHO,	/* copy it and send it back from the callback */
	WE_DISCARD,	/* take it all without looking */
};

struct we_fixture;

/* One wsk_send() issued by the echo callback. */
struct we_slot {
	struct wsk_req req;
	struct kvec kvec;
	struct wsk_buf buf;
};

/**
 * struct we_conn - a connection socket's context
 * @we: the test's state
 * @s: the wsk socket, set before its events can run
 * @mode: &enum we_mode (changed by the test between callbacks)
 * @part: WE_TAKE_SOME: bytes to accept
 * @calls: every callback on this socket
 * @inside: callbacks running now
 * @in_receive: receive_event calls running now (serialized: at most 1)
 * @receives: receive_event calls with data, counted once the call is done
 * @nulls: receive_event calls with a NULL indication
 * @disconnects: disconnect_event calls
 * @backlogs: send_backlog_event calls
 * @disconnect_flags: flags of the last disconnect_event, less
 *	WSK_FLAG_AT_DISPATCH_LEVEL
 * @rx_at_disconnect: @received when disconnect_event ran
 * @ideal: the last ideal backlog size
 * @received: bytes copied into @rx (store-release after the copy)
 * @rx: copied data
 * @rx_size: size of @rx
 * @walk: if set, each indication is also copied here by walking the chain
 *	by hand, and the two copies must agree (the chain's layout)
 * @kept: chains kept with -EINPROGRESS
 * @kept_bytes: their bytes_indicated
 * @kept_inds: their numbers of indications
 * @nr_kept: entries in @kept
 * @slots: WE_ECHO: one per callback
 * @nr_slots: entries in @slots
 * @nr_sent: slots used
 * @echoed: bytes whose echo send completed
 */
struct we_conn {
	struct we_fixture *we;
	struct wsk_socket *s;
	int mode;
	size_t part;
	atomic_t calls;
	atomic_t inside;
	atomic_t in_receive;
	atomic_t receives;
	atomic_t nulls;
	atomic_t disconnects;
	atomic_t backlogs;
	unsigned int disconnect_flags;
	size_t rx_at_disconnect;
	size_t ideal;
	size_t received;
	u8 *rx;
	size_t rx_size;
	u8 *walk;
	struct wsk_data_indication *kept[WE_KEPT];
	size_t kept_bytes[WE_KEPT];
	unsigned int kept_inds[WE_KEPT];
	unsigned int nr_kept;
	struct we_slot *slots;
	unsigned int nr_slots;
	unsigned int nr_sent;
	atomic_long_t echoed;
};

/**
 * struct we_fixture - one test's state (wt(test)->data)
 * @test: the test
 * @wq: woken by every callback and echo completion
 * @lock: protects @why
 * @bad: contract violations seen by callbacks
 * @why: the first one
 * @port: the listener's port, for accept_event's local address
 * @accepts: accept_event calls with a socket, counted once the call is done
 * @accept_entered: accept_event calls started
 * @accepts_null: accept_event calls with a NULL socket
 * @accept_ret: what accept_event returns (0: takes the socket)
 * @accept_port: peer port of the last accept_event
 * @accept_spin: accept_event busy-waits until @spin_release (bounded)
 * @spin_release: ends the busy wait
 * @order: sequence shared by accept_event returns and request completions
 * @accept_seq: @order when the last accept_event returned
 * @nr_conn: entries of @conn handed out by accept_event
 * @conn: connection contexts
 */
struct we_fixture {
	struct kunit *test;
	wait_queue_head_t wq;
	spinlock_t lock;	/* see the kernel-doc above */
	atomic_t bad;
	char why[160];
	u16 port;
	atomic_t accepts;
	atomic_t accept_entered;
	atomic_t accepts_null;
	int accept_ret;
	u16 accept_port;
	bool accept_spin;
	bool spin_release;
	atomic_t order;
	int accept_seq;
	atomic_t nr_conn;
	struct we_conn conn[WE_CONNS];
};

static __printf(2, 3) void we_bad(struct we_fixture *we, const char *fmt, ...)
{
	unsigned long flags;
	va_list args;

	spin_lock_irqsave(&we->lock, flags);
	if (atomic_inc_return(&we->bad) == 1) {
		va_start(args, fmt);
		vsnprintf(we->why, sizeof(we->why), fmt, args);
		va_end(args);
	}
	spin_unlock_irqrestore(&we->lock, flags);
}

/* Callback flags: WSK_FLAG_AT_DISPATCH_LEVEL exactly in atomic context, plus @allowed. */
static void we_check_flags(struct we_fixture *we, unsigned int flags, unsigned int allowed,
			   const char *what)
{
	unsigned int level = preemptible() ? 0 : WSK_FLAG_AT_DISPATCH_LEVEL;

	if ((flags & WSK_FLAG_AT_DISPATCH_LEVEL) != level || (flags & ~(allowed | level)))
		we_bad(we, "%s: flags %#x, atomic %d", what, flags, !preemptible());
}

/* ------------------------------------------------------------------------ */
/* Connection callbacks                                                      */

static void we_enter(struct we_conn *c)
{
	atomic_inc(&c->calls);
	atomic_inc(&c->inside);
}

static void we_leave(struct we_conn *c)
{
	atomic_dec(&c->inside);
	wake_up(&c->we->wq);
}

/* Copy @len bytes at @offset of @chain by walking it by hand: checks the layout. */
static size_t we_walk(const struct wsk_data_indication *chain, size_t offset, u8 *to,
		      size_t len)
{
	size_t done = 0;

	for (; chain && done < len; chain = chain->next) {
		const struct wsk_buf *b = &chain->buffer;
		size_t skip = b->offset, left = b->length;
		unsigned int i;

		for (i = 0; i < b->nr_segs && left && done < len; i++) {
			size_t seg = b->kvec[i].iov_len, n;

			if (skip >= seg) {
				skip -= seg;
				continue;
			}
			n = min(seg - skip, left);
			left -= n;
			if (offset >= n) {
				offset -= n;
				skip = 0;
				continue;
			}
			n = min(n - offset, len - done);
			memcpy(to + done, b->kvec[i].iov_base + skip + offset, n);
			done += n;
			offset = 0;
			skip = 0;
		}
	}
	return done;
}

/* Copy the first @n bytes of @ind (of @bytes) to the end of @c->rx. */
static void we_take(struct we_conn *c, const struct wsk_data_indication *ind, size_t n,
		    size_t bytes)
{
	size_t at = c->received, got;
	u8 byte;

	if (at + n > c->rx_size) {
		we_bad(c->we, "receive_event: %zu bytes beyond the test's %zu", at + n, c->rx_size);
		return;
	}
	got = wsk_data_indication_copy(ind, 0, c->rx + at, n);
	if (got != n)
		we_bad(c->we, "wsk_data_indication_copy: %zu of %zu bytes", got, n);
	if (c->walk && (we_walk(ind, 0, c->walk + at, n) != n ||
			memcmp(c->walk + at, c->rx + at, n)))
		we_bad(c->we, "the chain's buffers disagree with wsk_data_indication_copy");
	/* From inside the chain, and from its end. */
	if (n && (wsk_data_indication_copy(ind, n - 1, &byte, 1) != 1 ||
		  byte != c->rx[at + n - 1]))
		we_bad(c->we, "wsk_data_indication_copy at offset %zu", n - 1);
	if (wsk_data_indication_copy(ind, bytes, &byte, 1))
		we_bad(c->we, "wsk_data_indication_copy past the end (%zu bytes)", bytes);
	/* Pairs with smp_load_acquire() in we_received(). */
	smp_store_release(&c->received, at + got);
}

static size_t we_received(struct we_conn *c)
{
	/* The bytes counted are in @c->rx: pairs with we_take(). */
	return smp_load_acquire(&c->received);
}

static void we_echo_sent(struct wsk_req *req)
{
	struct we_slot *slot = container_of(req, struct we_slot, req);
	struct we_conn *c = req->context;

	if (req->status || req->result.bytes != slot->buf.length)
		we_bad(c->we, "echo send: status %d, %zu of %zu bytes", req->status,
		       req->result.bytes, slot->buf.length);
	else
		atomic_long_add(req->result.bytes, &c->echoed);
	wake_up(&c->we->wq);
}

/* Copy the indication and send it back; the callback must not sleep. */
static void we_echo(struct we_conn *c, const struct wsk_data_indication *ind, size_t bytes)
{
	size_t at = c->received;
	struct we_slot *slot;
	int ret;

	if (c->nr_sent >= c->nr_slots) {
		we_bad(c->we, "echo: more than %u receive events", c->nr_slots);
		return;
	}
	we_take(c, ind, bytes, bytes);
	if (c->received != at + bytes)
		return;
	slot = &c->slots[c->nr_sent++];
	slot->kvec.iov_base = c->rx + at;
	slot->kvec.iov_len = bytes;
	slot->buf.kvec = &slot->kvec;
	slot->buf.nr_segs = 1;
	slot->buf.offset = 0;
	slot->buf.length = bytes;
	wsk_req_init(&slot->req, we_echo_sent, c);
	ret = wsk_send(c->s, &slot->buf, 0, &slot->req);
	if (ret && ret != -EINPROGRESS)
		we_bad(c->we, "echo: wsk_send from receive_event: %d", ret);
}

static int we_receive_event(void *context, unsigned int flags,
			    struct wsk_data_indication *indication, size_t bytes_indicated,
			    size_t *bytes_accepted)
{
	struct we_conn *c = context;
	const struct wsk_data_indication *i;
	unsigned int inds = 0;
	size_t total = 0, n;
	int ret = 0;

	we_enter(c);
	if (atomic_inc_return(&c->in_receive) != 1)
		we_bad(c->we, "receive_event calls overlap");
	we_check_flags(c->we, flags, 0, "receive_event");
	if (!indication) {
		if (bytes_indicated)
			we_bad(c->we, "NULL indication with %zu bytes", bytes_indicated);
		atomic_inc(&c->nulls);
		goto out;
	}
	for (i = indication; i; i = i->next) {
		total += i->buffer.length;
		inds++;
	}
	if (total != bytes_indicated || !bytes_indicated)
		we_bad(c->we, "receive_event: chain of %zu bytes, %zu indicated", total,
		       bytes_indicated);
	if (*bytes_accepted != bytes_indicated)
		we_bad(c->we, "receive_event: *bytes_accepted preset %zu, %zu indicated",
		       *bytes_accepted, bytes_indicated);

	switch (READ_ONCE(c->mode)) {
	case WE_TAKE_ALL:
		we_take(c, indication, bytes_indicated, bytes_indicated);
		break;
	case WE_TAKE_SOME:
		n = min(c->part, bytes_indicated);
		we_take(c, indication, n, bytes_indicated);
		*bytes_accepted = n;
		break;
	case WE_KEEP:
		if (c->nr_kept >= WE_KEPT) {
			we_bad(c->we, "more than %d chains kept", WE_KEPT);
			ret = -EAGAIN;
			break;
		}
		c->kept[c->nr_kept] = indication;
		c->kept_bytes[c->nr_kept] = bytes_indicated;
		c->kept_inds[c->nr_kept] = inds;
		c->nr_kept++;
		ret = -EINPROGRESS;
		break;
	case WE_NOT_TAKEN:
		ret = -EAGAIN;
		break;
	case WE_ECHO:
		we_echo(c, indication, bytes_indicated);
		break;
	case WE_DISCARD:
		break;
	}
	/* What this call recorded is visible once it is counted (we_spin_until()). */
	smp_mb__before_atomic();
	atomic_inc(&c->receives);
out:
	atomic_dec(&c->in_receive);
	we_leave(c);
	return ret;
}

static int we_disconnect_event(void *context, unsigned int flags)
{
	struct we_conn *c = context;

	we_enter(c);
	we_check_flags(c->we, flags, WSK_FLAG_ABORTIVE, "disconnect_event");
	c->disconnect_flags = flags & ~WSK_FLAG_AT_DISPATCH_LEVEL;
	c->rx_at_disconnect = c->received;
	atomic_inc(&c->disconnects);
	we_leave(c);
	return 0;
}

static int we_send_backlog_event(void *context, size_t ideal_backlog_size)
{
	struct we_conn *c = context;

	we_enter(c);
	if (!ideal_backlog_size)
		we_bad(c->we, "send_backlog_event: ideal size 0");
	c->ideal = ideal_backlog_size;
	atomic_inc(&c->backlogs);
	we_leave(c);
	return 0;
}

static const struct wsk_client_connection_dispatch we_conn_dispatch = {
	.receive_event = we_receive_event,
	.disconnect_event = we_disconnect_event,
	.send_backlog_event = we_send_backlog_event,
};

/* Receive only: no disconnect or send backlog callback. */
static const struct wsk_client_connection_dispatch we_conn_receive_only = {
	.receive_event = we_receive_event,
};

/* ------------------------------------------------------------------------ */
/* Listener callbacks                                                        */

static int we_accept_event(void *context, unsigned int flags, const struct sockaddr *local,
			   const struct sockaddr *remote, struct wsk_socket *accept_socket,
			   void **accept_socket_context,
			   const struct wsk_client_connection_dispatch **accept_socket_dispatch)
{
	struct we_fixture *we = context;
	unsigned long end;
	struct we_conn *c;
	int ret, i;

	we_check_flags(we, flags, 0, "accept_event");
	if (!accept_socket) {
		atomic_inc(&we->accepts_null);
		wake_up(&we->wq);
		return 0;
	}
	if (!local || !remote) {
		we_bad(we, "accept_event: local %d remote %d", !!local, !!remote);
	} else {
		if (wt_port((const struct sockaddr_storage *)local) != we->port)
			we_bad(we, "accept_event: local port %u, listener %u",
			       wt_port((const struct sockaddr_storage *)local), we->port);
		WRITE_ONCE(we->accept_port, wt_port((const struct sockaddr_storage *)remote));
	}
	atomic_inc(&we->accept_entered);
	wake_up(&we->wq);

	if (READ_ONCE(we->accept_spin)) {
		end = jiffies + WT_TIMEOUT;
		while (!READ_ONCE(we->spin_release) && time_before(jiffies, end))
			cpu_relax();
	}

	ret = READ_ONCE(we->accept_ret);
	if (!ret) {
		i = atomic_inc_return(&we->nr_conn) - 1;
		if (i < WE_CONNS) {
			c = &we->conn[i];
			c->s = accept_socket;
			*accept_socket_context = c;
			*accept_socket_dispatch = &we_conn_dispatch;
			wt_track(we->test, accept_socket);
		} else {
			we_bad(we, "accept_event: more than %d connections", WE_CONNS);
			ret = -ECONNREFUSED;
		}
	}
	we->accept_seq = atomic_inc_return(&we->order);
	atomic_inc(&we->accepts);
	wake_up(&we->wq);
	return ret;
}

static const struct wsk_client_listen_dispatch we_listen_dispatch = {
	.accept_event = we_accept_event,
};

/* ------------------------------------------------------------------------ */
/* Fixture                                                                   */

static int we_init(struct kunit *test)
{
	struct we_fixture *we;
	int err, i;

	err = wt_init(test);
	if (err)
		return err;
	we = kunit_kzalloc(test, sizeof(*we), GFP_KERNEL);
	if (!we)
		return -ENOMEM;
	we->test = test;
	init_waitqueue_head(&we->wq);
	spin_lock_init(&we->lock);
	for (i = 0; i < WE_CONNS; i++) {
		we->conn[i].we = we;
		we->conn[i].rx_size = WE_RX;
		we->conn[i].rx = kunit_kzalloc(test, WE_RX, GFP_KERNEL);
		if (!we->conn[i].rx)
			return -ENOMEM;
	}
	wt(test)->data = we;
	return 0;
}

static void we_exit(struct kunit *test)
{
	struct we_fixture *we = wt(test) ? wt(test)->data : NULL;

	if (we)
		WRITE_ONCE(we->spin_release, true);
	/* Closes every socket: no callback runs after this. */
	wt_exit(test);
	if (we)
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&we->bad), 0, "callback saw: %s", we->why);
}

static struct we_fixture *we_get(struct kunit *test)
{
	return wt(test)->data;
}

/* Wait for @cond, woken by the callbacks; on timeout, fail naming it. */
#define WE_ASSERT_WAIT(test, we, cond) WT_ASSERT_WAIT(test, (we)->wq, cond)
#define WE_EXPECT_WAIT(test, we, cond) WT_EXPECT_WAIT(test, (we)->wq, cond)

KUNIT_DEFINE_ACTION_WRAPPER(we_vfree, vfree, const void *);

/* A zeroed vmalloc buffer freed after the fixture's exit closed every socket. */
static void *we_vzalloc(struct kunit *test, size_t size)
{
	void *p = vzalloc(size);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, we_vfree, p), 0);
	return p;
}

/* A test-managed buffer of @len random bytes. */
static u8 *we_random(struct kunit *test, size_t len)
{
	u8 *p = len > PAGE_SIZE ? we_vzalloc(test, len) : kunit_kzalloc(test, len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	get_random_bytes(p, len);
	return p;
}

/* A data request with its buffer description, all test-managed. */
struct we_io {
	struct wt_req r;
	struct kvec kvec;
	struct wsk_buf buf;
};

static struct we_io *we_io_new(struct kunit *test, void *data, size_t len)
{
	struct we_io *io = kunit_kzalloc(test, sizeof(*io), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, io);
	wt_req_init(&io->r);
	io->kvec.iov_base = data;
	io->kvec.iov_len = len;
	io->buf.kvec = &io->kvec;
	io->buf.nr_segs = 1;
	io->buf.length = len;
	return io;
}

/* Submitted data requests may complete inline or later. */
static void we_expect_submitted(struct kunit *test, int ret)
{
	KUNIT_EXPECT_TRUE_MSG(test, ret == 0 || ret == -EINPROGRESS, "returned %d", ret);
}

/*
 * wsk_receive() of up to @len bytes, copied to @data; asserts it completes
 * 0. Returns the bytes. The request's own buffer is test-managed: a
 * receive left pending by a failed assertion never writes to a dead stack.
 */
static size_t we_receive(struct kunit *test, struct wsk_socket *s, void *data, size_t len,
			 unsigned int flags)
{
	void *buf = len > PAGE_SIZE ? we_vzalloc(test, len) : kunit_kzalloc(test, len, GFP_KERNEL);
	struct we_io *io;
	size_t got;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	io = we_io_new(test, buf, len);
	we_expect_submitted(test, wsk_receive(s, &io->buf, flags, &io->r.req));
	KUNIT_ASSERT_TRUE(test, wt_wait(test, &io->r));
	KUNIT_ASSERT_EQ(test, io->r.status, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&io->r.count), 1);
	got = min(io->r.req.result.bytes, len);
	memcpy(data, buf, got);
	return io->r.req.result.bytes;
}

/*
 * A connection accepted with wsk_accept() whose context is @c, with @events
 * enabled on it, and its loopback client. @lsp, if given, gets the listener.
 */
static struct socket *we_pair(struct kunit *test, struct we_conn *c, u32 events,
			      struct wsk_socket **lsp)
{
	struct wt_req *r = wt_req_new(test);
	struct socket *csock;
	struct wsk_socket *ls;
	u16 port, cport;

	ls = wt_listener(test, AF_INET, false, 0, &port);
	if (lsp)
		*lsp = ls;
	KUNIT_ASSERT_EQ(test, wsk_accept(ls, 0, c, &we_conn_dispatch, &r->local, &r->remote,
					 &r->req), -EINPROGRESS);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, port, &cport, &csock), 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_ASSERT_EQ(test, r->status, 0);
	KUNIT_ASSERT_NOT_NULL(test, r->socket);
	wt_track(test, r->socket);
	KUNIT_ASSERT_EQ(test, wt_port(&r->remote), cport);
	c->s = r->socket;
	if (events)
		KUNIT_ASSERT_EQ(test, wt_events(c->s, events, NULL), 0);
	return csock;
}

/* A bound listener whose context is @we, with accept_event in its dispatch. */
static struct wsk_socket *we_listener(struct kunit *test, struct we_fixture *we, u32 events)
{
	struct wsk_socket *ls;

	ls = wt_listener_ctx(test, AF_INET, false, 0, we, &we_listen_dispatch, &we->port);
	if (events)
		KUNIT_ASSERT_EQ(test, wt_events(ls, events, NULL), 0);
	return ls;
}

/* ------------------------------------------------------------------------ */
/* Enabling and disabling                                                    */

/*
 * Events start disabled: a connection on a listener whose dispatch has
 * accept_event goes to a later wsk_accept(), and data on that socket,
 * whose dispatch has receive_event, waits for wsk_receive().
 */
static void wsk_event_off_by_default(struct kunit *test)
{
	struct we_fixture *we = we_get(test);
	struct wt_req *r = wt_req_new(test);
	struct we_conn *c = &we->conn[0];
	struct socket *csock;
	struct wsk_socket *ls;
	u16 cport;
	char buf[8];
	int ret;

	ls = we_listener(test, we, 0);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, we->port, &cport, &csock), 0);
	msleep(WE_QUIET_MS);
	KUNIT_EXPECT_EQ(test, atomic_read(&we->accept_entered), 0);

	ret = wsk_accept(ls, 0, c, &we_conn_dispatch, &r->local, &r->remote, &r->req);
	we_expect_submitted(test, ret);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_ASSERT_EQ(test, r->status, 0);
	wt_track(test, r->socket);
	c->s = r->socket;
	KUNIT_EXPECT_EQ(test, wt_port(&r->remote), cport);
	KUNIT_EXPECT_EQ(test, atomic_read(&we->accept_entered), 0);

	KUNIT_ASSERT_EQ(test, wt_send(csock, "hello", 5), 5);
	msleep(WE_QUIET_MS);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->calls), 0);
	KUNIT_EXPECT_EQ(test, we_receive(test, c->s, buf, sizeof(buf), 0), 5);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "hello", 5), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->calls), 0);
}

/*
 * A listener changes events only once listening: before bind -EINVAL
 * (completed); a connection socket only once connected.
 */
static void wsk_event_enable_before_bind(struct kunit *test)
{
	struct we_fixture *we = we_get(test);
	struct wt_req *r = wt_req_new(test);
	struct sockaddr_storage ss;
	struct wsk_socket *ls, *cs;
	int len;

	KUNIT_ASSERT_EQ(test, wt_socket_ctx(test, AF_INET, WSK_FLAG_LISTEN_SOCKET, we,
					    &we_listen_dispatch, &ls), 0);
	KUNIT_EXPECT_EQ(test, wt_events(ls, WSK_EVENT_ACCEPT, &r->req), -EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 1);
	KUNIT_EXPECT_EQ(test, r->status, -EINVAL);
	KUNIT_EXPECT_EQ(test, wt_events(ls, WSK_EVENT_ACCEPT, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, wt_events(ls, WSK_EVENT_RECEIVE, NULL), -EINVAL);

	len = wt_addr(&ss, AF_INET, false, 0);
	KUNIT_ASSERT_EQ(test, wt_bind(test, ls, (struct sockaddr *)&ss, len), 0);
	wt_req_init(r);
	KUNIT_EXPECT_EQ(test, wt_events(ls, WSK_EVENT_ACCEPT, &r->req), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 1);
	KUNIT_EXPECT_EQ(test, r->status, 0);

	KUNIT_ASSERT_EQ(test, wt_socket_ctx(test, AF_INET, WSK_FLAG_CONNECTION_SOCKET,
					    &we->conn[0], &we_conn_dispatch, &cs), 0);
	wt_req_init(r);
	KUNIT_EXPECT_EQ(test, wt_events(cs, WSK_EVENT_RECEIVE, &r->req), -EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 1);
	KUNIT_EXPECT_EQ(test, r->status, -EINVAL);
}

/*
 * Bad event masks: unknown bits, several events with DISABLE, ACCEPT on a
 * connection socket, an event whose callback is missing, a short input.
 */
static void wsk_event_control_errors(struct kunit *test)
{
	struct we_fixture *we = we_get(test);
	struct wt_req *r = wt_req_new(test), *a = wt_req_new(test);
	struct wsk_event_callback_control ctl = { .event_mask = WSK_EVENT_ACCEPT };
	struct wsk_socket *ls, *plain, *cs;
	struct socket *csock;
	u16 port, cport;

	ls = we_listener(test, we, 0);
	KUNIT_EXPECT_EQ(test, wt_events(ls, 0x1, &r->req), -EINVAL);
	KUNIT_EXPECT_EQ(test, r->status, -EINVAL);
	KUNIT_EXPECT_EQ(test, wt_events(ls, WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE |
					WSK_EVENT_DISABLE, NULL), -EINVAL);
	wt_req_init(r);
	KUNIT_EXPECT_EQ(test, wsk_control(ls, WSK_SET_OPTION, WSK_SO_EVENT_CALLBACK, SOL_SOCKET,
					  sizeof(ctl) - 1, &ctl, 0, NULL, NULL, &r->req), -EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 1);

	/* No client dispatch, so no accept_event. */
	plain = wt_listener(test, AF_INET, false, 0, &port);
	KUNIT_EXPECT_EQ(test, wt_events(plain, WSK_EVENT_ACCEPT, NULL), -EINVAL);

	KUNIT_ASSERT_EQ(test, wsk_accept(plain, 0, &we->conn[0], &we_conn_receive_only,
					 &a->local, &a->remote, &a->req), -EINPROGRESS);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, port, &cport, &csock), 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, a));
	KUNIT_ASSERT_EQ(test, a->status, 0);
	cs = a->socket;
	wt_track(test, cs);
	we->conn[0].s = cs;
	KUNIT_EXPECT_EQ(test, wt_events(cs, WSK_EVENT_ACCEPT, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, wt_events(cs, WSK_EVENT_SEND_BACKLOG, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, wt_events(cs, WSK_EVENT_DISCONNECT, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, wt_events(cs, WSK_EVENT_RECEIVE, NULL), 0);
	KUNIT_EXPECT_EQ(test, wt_events(cs, WSK_EVENT_RECEIVE | WSK_EVENT_DISABLE, NULL), 0);
	/* The listener itself still works. */
	KUNIT_EXPECT_EQ(test, wt_events(ls, WSK_EVENT_ACCEPT, NULL), 0);
}

/*
 * Disabling accept_event while it runs: -EINPROGRESS, and the request
 * completes only after the callback returned; then it is off.
 */
static void wsk_event_disable_while_running(struct kunit *test)
{
	struct we_fixture *we = we_get(test);
	struct wt_req *r = wt_req_new(test), *a = wt_req_new(test);
	struct socket *csock, *csock2;
	struct wsk_socket *ls;
	u16 cport, cport2;
	int ret;

	WRITE_ONCE(we->accept_spin, true);
	ls = we_listener(test, we, WSK_EVENT_ACCEPT);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, we->port, &cport, &csock), 0);
	WE_ASSERT_WAIT(test, we, atomic_read(&we->accept_entered) == 1);

	r->seq_src = &we->order;
	ret = wt_events(ls, WSK_EVENT_ACCEPT | WSK_EVENT_DISABLE, &r->req);
	KUNIT_EXPECT_EQ(test, ret, -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 0);
	msleep(WE_QUIET_MS / 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&we->accepts), 0);
	WRITE_ONCE(we->spin_release, true);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_EXPECT_EQ(test, r->status, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&we->accepts), 1);
	/* The callback's return came before the completion. */
	KUNIT_EXPECT_GT(test, r->seq, we->accept_seq);
	KUNIT_EXPECT_EQ(test, we->accept_port, cport);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 1);

	/* Off: the next connection waits for wsk_accept(). */
	WRITE_ONCE(we->accept_spin, false);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, we->port, &cport2, &csock2), 0);
	msleep(WE_QUIET_MS);
	KUNIT_EXPECT_EQ(test, atomic_read(&we->accept_entered), 1);
	ret = wsk_accept(ls, 0, &we->conn[1], &we_conn_dispatch, &a->local, &a->remote, &a->req);
	we_expect_submitted(test, ret);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, a));
	KUNIT_ASSERT_EQ(test, a->status, 0);
	wt_track(test, a->socket);
	KUNIT_EXPECT_EQ(test, wt_port(&a->remote), cport2);

	/* Disabling a callback that is not running: 0, no request needed. */
	KUNIT_EXPECT_EQ(test, wt_events(ls, WSK_EVENT_ACCEPT, NULL), 0);
	KUNIT_EXPECT_EQ(test, wt_events(ls, WSK_EVENT_ACCEPT | WSK_EVENT_DISABLE, NULL), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&we->accept_entered), 1);
}

/*
 * accept_event refusing the socket: the connection is reset and freed
 * (sockets back), counted in connections_rejected.
 */
static void wsk_event_accept_refuse(struct kunit *test)
{
	struct we_fixture *we = we_get(test);
	long sockets, rejected = wt_stat("connections_rejected");
	struct socket *csock;
	u16 cport;
	int ret;

	KUNIT_ASSERT_NE(test, rejected, LONG_MIN);
	we->accept_ret = -ECONNREFUSED;
	we_listener(test, we, WSK_EVENT_ACCEPT);
	sockets = wt_stat("sockets");
	ret = wt_connect_early(test, AF_INET, we->port, &cport, &csock);
	KUNIT_ASSERT_TRUE_MSG(test, !ret || ret == -ECONNRESET, "connect: %d", ret);
	WE_ASSERT_WAIT(test, we, atomic_read(&we->accepts) == 1);
	KUNIT_EXPECT_EQ(test, we->accept_port, cport);
	KUNIT_EXPECT_TRUE(test, wt_reset_seen(csock, ret));
	KUNIT_EXPECT_EQ(test, wt_stat_wait("sockets", sockets), sockets);
	KUNIT_EXPECT_EQ(test, wt_stat_wait("connections_rejected", rejected + 1), rejected + 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&we->accepts), 1);
}

/*
 * RECEIVE enabled on the listener reaches sockets delivered through
 * accept_event, not those delivered through wsk_accept().
 */
static void wsk_event_inherit_accept_event_only(struct kunit *test)
{
	struct we_fixture *we = we_get(test);
	struct wt_req *a = wt_req_new(test);
	struct we_conn *c0 = &we->conn[0], *c1 = &we->conn[1];
	struct socket *csock, *csock2;
	struct wsk_socket *ls;
	u16 cport, cport2;
	char buf[8];

	ls = we_listener(test, we, WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, we->port, &cport, &csock), 0);
	WE_ASSERT_WAIT(test, we, atomic_read(&we->accepts) == 1);
	KUNIT_EXPECT_EQ(test, we->accept_port, cport);
	KUNIT_ASSERT_EQ(test, wt_send(csock, "inherit", 7), 7);
	WE_ASSERT_WAIT(test, we, we_received(c0) == 7);
	KUNIT_EXPECT_EQ(test, memcmp(c0->rx, "inherit", 7), 0);

	/* An accept request takes precedence; its socket starts with events off. */
	KUNIT_ASSERT_EQ(test, wsk_accept(ls, 0, c1, &we_conn_dispatch, &a->local, &a->remote,
					 &a->req), -EINPROGRESS);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, we->port, &cport2, &csock2), 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, a));
	KUNIT_ASSERT_EQ(test, a->status, 0);
	wt_track(test, a->socket);
	c1->s = a->socket;
	KUNIT_EXPECT_EQ(test, wt_port(&a->remote), cport2);
	KUNIT_ASSERT_EQ(test, wt_send(csock2, "plain", 5), 5);
	msleep(WE_QUIET_MS);
	KUNIT_EXPECT_EQ(test, atomic_read(&c1->calls), 0);
	KUNIT_EXPECT_EQ(test, we_receive(test, c1->s, buf, sizeof(buf), 0), 5);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "plain", 5), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c1->calls), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&we->accept_entered), 1);
}

/*
 * An inherited event can be disabled on the socket accept_event took, and
 * then stays off.
 */
static void wsk_event_inherit_disable(struct kunit *test)
{
	struct we_fixture *we = we_get(test);
	struct we_conn *c = &we->conn[0];
	long delivered = wt_stat("accepts_event");
	struct socket *csock;
	u16 cport;
	char buf[8];

	KUNIT_ASSERT_NE(test, delivered, LONG_MIN);
	we_listener(test, we, WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, we->port, &cport, &csock), 0);
	WE_ASSERT_WAIT(test, we, atomic_read(&we->accepts) == 1);
	/* The delivery is done (events inherited) once it is counted. */
	KUNIT_ASSERT_EQ(test, wt_stat_wait("accepts_event", delivered + 1), delivered + 1);
	KUNIT_EXPECT_EQ(test, wt_events(c->s, WSK_EVENT_RECEIVE | WSK_EVENT_DISABLE, NULL), 0);
	KUNIT_ASSERT_EQ(test, wt_send(csock, "quiet", 5), 5);
	msleep(WE_QUIET_MS);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->calls), 0);
	KUNIT_EXPECT_EQ(test, we_receive(test, c->s, buf, sizeof(buf), 0), 5);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "quiet", 5), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->calls), 0);
}

/*
 * Pending accept requests get connections before accept_event, in FIFO
 * order; with none pending, the event gets the next one.
 */
static void wsk_event_accept_precedence(struct kunit *test)
{
	struct we_fixture *we = we_get(test);
	struct wt_req *r[2];
	struct wsk_socket *ls;
	struct socket *csock;
	u16 cport;
	int i;

	ls = we_listener(test, we, WSK_EVENT_ACCEPT);
	for (i = 0; i < 2; i++) {
		r[i] = wt_req_new(test);
		KUNIT_ASSERT_EQ(test, wsk_accept(ls, 0, &we->conn[i], &we_conn_dispatch,
						 &r[i]->local, &r[i]->remote, &r[i]->req),
				-EINPROGRESS);
	}
	for (i = 0; i < 2; i++) {
		KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, we->port, &cport, &csock), 0);
		KUNIT_ASSERT_TRUE(test, wt_wait(test, r[i]));
		KUNIT_ASSERT_EQ(test, r[i]->status, 0);
		wt_track(test, r[i]->socket);
		KUNIT_EXPECT_EQ(test, wt_port(&r[i]->remote), cport);
	}
	msleep(WE_QUIET_MS);
	KUNIT_EXPECT_EQ(test, atomic_read(&we->accept_entered), 0);

	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, we->port, &cport, &csock), 0);
	WE_ASSERT_WAIT(test, we, atomic_read(&we->accepts) == 1);
	KUNIT_EXPECT_EQ(test, we->accept_port, cport);
}

/* ------------------------------------------------------------------------ */
/* receive_event                                                             */

/*
 * Return 0 without setting *bytes_accepted: everything indicated is taken,
 * byte-exact, and indications go on. Walking the chain's buffers by hand
 * gives what wsk_data_indication_copy() gives.
 */
static void wsk_event_receive_all(struct kunit *test)
{
	struct we_fixture *we = we_get(test);
	struct we_conn *c = &we->conn[0];
	u8 *src = we_random(test, 1500);
	struct socket *csock;

	c->walk = kunit_kzalloc(test, c->rx_size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->walk);
	WRITE_ONCE(c->mode, WE_TAKE_ALL);
	csock = we_pair(test, c, WSK_EVENT_RECEIVE, NULL);

	KUNIT_ASSERT_EQ(test, wt_send(csock, src, 1000), 1000);
	WE_ASSERT_WAIT(test, we, we_received(c) == 1000);
	KUNIT_EXPECT_EQ(test, memcmp(c->rx, src, 1000), 0);
	KUNIT_ASSERT_EQ(test, wt_send(csock, src + 1000, 500), 500);
	WE_ASSERT_WAIT(test, we, we_received(c) == 1500);
	KUNIT_EXPECT_EQ(test, memcmp(c->rx, src, 1500), 0);
	KUNIT_EXPECT_EQ(test, memcmp(c->walk, src, 1500), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->nulls), 0);
}

/*
 * A partial *bytes_accepted: indications pause; wsk_receive() gets the
 * rest byte-exact and resumes them.
 */
static void wsk_event_receive_partial(struct kunit *test)
{
	struct we_fixture *we = we_get(test);
	struct we_conn *c = &we->conn[0];
	u8 *src = we_random(test, 1350), *buf;
	struct socket *csock;

	buf = kunit_kzalloc(test, 1200, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	WRITE_ONCE(c->mode, WE_TAKE_SOME);
	c->part = 100;
	csock = we_pair(test, c, WSK_EVENT_RECEIVE, NULL);

	KUNIT_ASSERT_EQ(test, wt_send(csock, src, 1000), 1000);
	WE_ASSERT_WAIT(test, we, atomic_read(&c->receives) == 1);
	KUNIT_ASSERT_EQ(test, we_received(c), 100);
	KUNIT_EXPECT_EQ(test, memcmp(c->rx, src, 100), 0);

	/* Paused: more data, no call. */
	KUNIT_ASSERT_EQ(test, wt_send(csock, src + 1000, 300), 300);
	msleep(WE_QUIET_MS);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->calls), 1);

	WRITE_ONCE(c->mode, WE_TAKE_ALL);
	KUNIT_EXPECT_EQ(test, we_receive(test, c->s, buf, 1200, WSK_FLAG_WAITALL), 1200);
	KUNIT_EXPECT_EQ(test, memcmp(buf, src + 100, 1200), 0);

	/* Resumed. */
	KUNIT_ASSERT_EQ(test, wt_send(csock, src + 1300, 50), 50);
	WE_ASSERT_WAIT(test, we, we_received(c) == 150);
	KUNIT_EXPECT_EQ(test, memcmp(c->rx + 100, src + 1300, 50), 0);
}

static bool we_stat_moved(void *arg)
{
	long *before = arg;

	return wt_stat("indications_retained") != *before;
}

/*
 * -EINPROGRESS: the chain is kept, readable after the callback returned,
 * counted in indications_retained until wsk_release(); indications go on.
 */
static void wsk_event_receive_keep(struct kunit *test)
{
	struct we_fixture *we = we_get(test);
	struct we_conn *c = &we->conn[0];
	long retained = wt_stat("indications_retained");
	struct wsk_data_indication fake = {};
	u8 *src = we_random(test, 1200), *buf;
	struct socket *csock;

	KUNIT_ASSERT_NE(test, retained, LONG_MIN);
	buf = kunit_kzalloc(test, 1000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	WRITE_ONCE(c->mode, WE_KEEP);
	csock = we_pair(test, c, WSK_EVENT_RECEIVE, NULL);

	KUNIT_ASSERT_EQ(test, wt_send(csock, src, 1000), 1000);
	WE_ASSERT_WAIT(test, we, atomic_read(&c->receives) == 1);
	KUNIT_ASSERT_EQ(test, c->nr_kept, 1);
	KUNIT_ASSERT_TRUE(test, wt_poll(we_stat_moved, &retained));
	KUNIT_EXPECT_GT(test, wt_stat("indications_retained"), retained);
	KUNIT_ASSERT_EQ(test, c->kept_bytes[0], 1000);

	/* The callback has returned: the chain is still the client's. */
	KUNIT_EXPECT_EQ(test, wsk_data_indication_copy(c->kept[0], 0, buf, 1000), 1000);
	KUNIT_EXPECT_EQ(test, memcmp(buf, src, 1000), 0);
	KUNIT_EXPECT_EQ(test, wsk_data_indication_copy(c->kept[0], 990, buf, 100), 10);
	KUNIT_EXPECT_EQ(test, memcmp(buf, src + 990, 10), 0);
	KUNIT_EXPECT_EQ(test, wsk_data_indication_copy(c->kept[0], 1000, buf, 100), 0);

	/* Kept data counts as taken: the next data is indicated. */
	WRITE_ONCE(c->mode, WE_TAKE_ALL);
	KUNIT_ASSERT_EQ(test, wt_send(csock, src + 1000, 200), 200);
	WE_ASSERT_WAIT(test, we, we_received(c) == 200);
	KUNIT_EXPECT_EQ(test, memcmp(c->rx, src + 1000, 200), 0);

	KUNIT_EXPECT_EQ(test, wsk_release(c->s, c->kept[0]), 0);
	KUNIT_EXPECT_EQ(test, wt_stat_wait("indications_retained", retained), retained);
	KUNIT_EXPECT_EQ(test, wsk_release(c->s, &fake), -EINVAL);
	KUNIT_EXPECT_EQ(test, wsk_release(c->s, NULL), -EINVAL);
}

#define WE_AT_ONCE	10

/* Busy-wait (bounded), so as to act the moment a callback has counted. */
static bool we_spin_until(atomic_t *counter, int value)
{
	unsigned long end = jiffies + WT_TIMEOUT;

	while (atomic_read_acquire(counter) < value) {
		if (time_after(jiffies, end))
			return false;
		cpu_relax();
	}
	return true;
}

/*
 * A kept chain returned with wsk_release() the moment receive_event has
 * kept it (from another thread, as a client handing the data on would):
 * 0 each time, and indications_retained comes back.
 */
static void wsk_event_release_at_once(struct kunit *test)
{
	struct we_fixture *we = we_get(test);
	struct we_conn *c = &we->conn[0];
	long retained = wt_stat("indications_retained");
	u8 *src = we_random(test, 100 * WE_AT_ONCE);
	struct socket *csock;
	int i;

	BUILD_BUG_ON(WE_AT_ONCE > WE_KEPT);
	KUNIT_ASSERT_NE(test, retained, LONG_MIN);
	WRITE_ONCE(c->mode, WE_KEEP);
	csock = we_pair(test, c, WSK_EVENT_RECEIVE, NULL);
	for (i = 0; i < WE_AT_ONCE; i++) {
		KUNIT_ASSERT_EQ(test, wt_send(csock, src + 100 * i, 100), 100);
		KUNIT_ASSERT_TRUE(test, we_spin_until(&c->receives, i + 1));
		KUNIT_EXPECT_EQ_MSG(test, wsk_release(c->s, c->kept[i]), 0, "chain %d", i);
	}
	KUNIT_EXPECT_EQ(test, wt_stat_wait("indications_retained", retained), retained);
}

/* -EAGAIN: nothing taken, indications pause; wsk_receive() gets it all. */
static void wsk_event_receive_not_accepted(struct kunit *test)
{
	struct we_fixture *we = we_get(test);
	struct we_conn *c = &we->conn[0];
	u8 *src = we_random(test, 1010), *buf;
	struct socket *csock;

	buf = kunit_kzalloc(test, 1010, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	WRITE_ONCE(c->mode, WE_NOT_TAKEN);
	csock = we_pair(test, c, WSK_EVENT_RECEIVE, NULL);

	KUNIT_ASSERT_EQ(test, wt_send(csock, src, 1000), 1000);
	WE_ASSERT_WAIT(test, we, atomic_read(&c->receives) == 1);
	KUNIT_ASSERT_EQ(test, wt_send(csock, src + 1000, 10), 10);
	msleep(WE_QUIET_MS);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->calls), 1);

	KUNIT_EXPECT_EQ(test, we_receive(test, c->s, buf, 1010, WSK_FLAG_WAITALL), 1010);
	KUNIT_EXPECT_EQ(test, memcmp(buf, src, 1010), 0);
	KUNIT_EXPECT_EQ(test, we_received(c), 0);
}

/*
 * A zero-length wsk_receive() completes inline with 0 and resumes
 * indications: the data left after -EAGAIN is indicated again, first.
 */
static void wsk_event_receive_zero_length_resumes(struct kunit *test)
{
	struct we_fixture *we = we_get(test);
	struct we_conn *c = &we->conn[0];
	u8 *src = we_random(test, 110);
	struct socket *csock;
	struct we_io *io;
	int ret;

	WRITE_ONCE(c->mode, WE_NOT_TAKEN);
	csock = we_pair(test, c, WSK_EVENT_RECEIVE, NULL);
	KUNIT_ASSERT_EQ(test, wt_send(csock, src, 100), 100);
	WE_ASSERT_WAIT(test, we, atomic_read(&c->receives) == 1);

	WRITE_ONCE(c->mode, WE_TAKE_ALL);
	io = we_io_new(test, src, 0);
	ret = wsk_receive(c->s, &io->buf, 0, &io->r.req);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&io->r.count), 1);
	KUNIT_EXPECT_EQ(test, io->r.status, 0);
	KUNIT_EXPECT_EQ(test, io->r.req.result.bytes, 0);

	KUNIT_ASSERT_EQ(test, wt_send(csock, src + 100, 10), 10);
	WE_ASSERT_WAIT(test, we, we_received(c) == 110);
	KUNIT_EXPECT_EQ(test, memcmp(c->rx, src, 110), 0);
	KUNIT_EXPECT_GE(test, atomic_read(&c->receives), 2);
}

/* ------------------------------------------------------------------------ */
/* Disconnects and the send backlog                                          */

/*
 * The peer's FIN: disconnect_event(0) once, after the data before it was
 * taken, no NULL indication; wsk_receive() then reports end of stream.
 */
static void wsk_event_disconnect_graceful(struct kunit *test)
{
	struct we_fixture *we = we_get(test);
	struct we_conn *c = &we->conn[0];
	u8 *src = we_random(test, 300);
	struct socket *csock;
	char buf[8];

	WRITE_ONCE(c->mode, WE_TAKE_ALL);
	csock = we_pair(test, c, WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT, NULL);
	KUNIT_ASSERT_EQ(test, wt_send(csock, src, 300), 300);
	KUNIT_ASSERT_EQ(test, kernel_sock_shutdown(csock, SHUT_WR), 0);
	WE_ASSERT_WAIT(test, we, atomic_read(&c->disconnects) == 1);
	KUNIT_EXPECT_EQ(test, c->disconnect_flags, 0);
	KUNIT_EXPECT_EQ(test, c->rx_at_disconnect, 300);
	KUNIT_EXPECT_EQ(test, memcmp(c->rx, src, 300), 0);
	msleep(WE_QUIET_MS);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->disconnects), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->nulls), 0);
	KUNIT_EXPECT_EQ(test, we_receive(test, c->s, buf, sizeof(buf), 0), 0);
}

/*
 * The peer's reset: disconnect_event(WSK_FLAG_ABORTIVE) once and a NULL
 * indication once; wsk_receive() then fails -ECONNRESET.
 */
static void wsk_event_disconnect_abortive(struct kunit *test)
{
	struct we_fixture *we = we_get(test);
	struct we_conn *c = &we->conn[0];
	struct socket *csock;
	struct we_io *io;
	char *buf;
	int ret;

	buf = kunit_kzalloc(test, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	WRITE_ONCE(c->mode, WE_TAKE_ALL);
	csock = we_pair(test, c, WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT, NULL);
	wt_reset(test, csock);
	WE_ASSERT_WAIT(test, we, atomic_read(&c->disconnects) == 1 &&
		       atomic_read(&c->nulls) == 1);
	KUNIT_EXPECT_EQ(test, c->disconnect_flags, WSK_FLAG_ABORTIVE);
	msleep(WE_QUIET_MS);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->disconnects), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->nulls), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->receives), 0);

	io = we_io_new(test, buf, 8);
	ret = wsk_receive(c->s, &io->buf, 0, &io->r.req);
	KUNIT_EXPECT_TRUE_MSG(test, ret == -ECONNRESET || ret == -EINPROGRESS, "returned %d", ret);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, &io->r));
	KUNIT_EXPECT_EQ(test, atomic_read(&io->r.count), 1);
	KUNIT_EXPECT_EQ(test, io->r.status, -ECONNRESET);
}

/* wsk's last send found TCP's send buffer full: space opening up wakes it. */
static bool we_send_blocked(void *arg)
{
	struct we_conn *c = arg;

	return test_bit(SOCK_NOSPACE, &wsk_sock(c->s)->sock->flags);
}

/*
 * SEND_BACKLOG: called once when enabled; a send larger than the socket
 * can hold stays pending while the peer does not read; as the peer reads,
 * the send space opens and the event fires again; the send completes with
 * all its bytes, which the peer reads byte-exact.
 */
static void wsk_event_send_backlog(struct kunit *test)
{
	struct we_fixture *we = we_get(test);
	struct we_conn *c = &we->conn[0];
	u8 *src = we_random(test, WE_BACKLOG_LEN), *buf;
	size_t got = 0, chunk = SZ_64K;
	struct socket *csock;
	unsigned long end;
	struct we_io *io;
	int before, n = 0;

	buf = kunit_kzalloc(test, chunk, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	csock = we_pair(test, c, WSK_EVENT_SEND_BACKLOG, NULL);
	WE_ASSERT_WAIT(test, we, atomic_read(&c->backlogs) == 1);
	KUNIT_EXPECT_GT(test, c->ideal, 0);
	msleep(WE_QUIET_MS);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->backlogs), 1);

	io = we_io_new(test, src, WE_BACKLOG_LEN);
	KUNIT_ASSERT_EQ(test, wsk_send(c->s, &io->buf, 0, &io->r.req), -EINPROGRESS);
	/*
	 * The peer reads nothing: wsk fills the send buffer and blocks, for
	 * good once the peer's window is closed (nothing moves any more).
	 */
	end = jiffies + WT_TIMEOUT;
	do {
		KUNIT_ASSERT_TRUE(test, wt_poll(we_send_blocked, c));
		before = atomic_read(&c->backlogs);
		msleep(WE_QUIET_MS / 2);
	} while ((!we_send_blocked(c) || atomic_read(&c->backlogs) != before) &&
		 time_before(jiffies, end));
	KUNIT_ASSERT_TRUE(test, we_send_blocked(c));
	KUNIT_ASSERT_EQ(test, atomic_read(&io->r.count), 0);

	while (got < WE_BACKLOG_LEN) {
		n = wt_recv_once(csock, buf, min(chunk, WE_BACKLOG_LEN - got));
		if (n <= 0)
			break;
		if (memcmp(buf, src + got, n))
			break;
		got += n;
	}
	KUNIT_EXPECT_EQ_MSG(test, got, WE_BACKLOG_LEN, "last read %d", n);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, &io->r));
	KUNIT_EXPECT_EQ(test, io->r.status, 0);
	KUNIT_EXPECT_EQ(test, io->r.req.result.bytes, WE_BACKLOG_LEN);
	WE_EXPECT_WAIT(test, we, atomic_read(&c->backlogs) > before);
}

/*
 * A 1 MiB echo: the peer sends random bytes, receive_event copies each
 * indication into a preallocated buffer and sends it back from the
 * callback; the peer reads back exactly what it sent.
 */
static void wsk_event_echo_1mib(struct kunit *test)
{
	struct we_fixture *we = we_get(test);
	struct we_conn *c = &we->conn[0];
	u8 *src = we_random(test, WE_ECHO_LEN), *back = we_vzalloc(test, WE_ECHO_LEN);
	struct socket *csock;

	c->rx = we_vzalloc(test, WE_ECHO_LEN);
	c->rx_size = WE_ECHO_LEN;
	c->slots = we_vzalloc(test, WE_ECHO_SLOTS * sizeof(*c->slots));
	c->nr_slots = WE_ECHO_SLOTS;
	WRITE_ONCE(c->mode, WE_ECHO);
	csock = we_pair(test, c, WSK_EVENT_RECEIVE, NULL);

	KUNIT_ASSERT_EQ(test, wt_send(csock, src, WE_ECHO_LEN), WE_ECHO_LEN);
	KUNIT_ASSERT_EQ(test, wt_recv(csock, back, WE_ECHO_LEN), WE_ECHO_LEN);
	KUNIT_EXPECT_EQ(test, memcmp(back, src, WE_ECHO_LEN), 0);
	WE_EXPECT_WAIT(test, we, atomic_long_read(&c->echoed) == WE_ECHO_LEN);
	KUNIT_EXPECT_EQ(test, we_received(c), WE_ECHO_LEN);
	kunit_info(test, "echo: %u receive events", c->nr_sent);
}

/* ------------------------------------------------------------------------ */
/* Close                                                                     */

/*
 * Closing a socket that holds a kept chain frees it, counted in
 * indications_freed_at_close; indications_retained comes back.
 */
static void wsk_event_close_frees_indications(struct kunit *test)
{
	struct we_fixture *we = we_get(test);
	struct we_conn *c = &we->conn[0];
	long retained = wt_stat("indications_retained");
	long freed = wt_stat("indications_freed_at_close");
	u8 *src = we_random(test, 100);
	struct socket *csock;

	KUNIT_ASSERT_NE(test, freed, LONG_MIN);
	WRITE_ONCE(c->mode, WE_KEEP);
	csock = we_pair(test, c, WSK_EVENT_RECEIVE, NULL);
	KUNIT_ASSERT_EQ(test, wt_send(csock, src, 100), 100);
	WE_ASSERT_WAIT(test, we, atomic_read(&c->receives) == 1);
	KUNIT_ASSERT_EQ_MSG(test, c->kept_inds[0], 1, "the test needs one indication");
	KUNIT_ASSERT_TRUE(test, wt_poll(we_stat_moved, &retained));

	KUNIT_EXPECT_EQ(test, wt_close(test, c->s), 0);
	KUNIT_EXPECT_EQ(test, wt_stat_wait("indications_freed_at_close", freed + 1), freed + 1);
	KUNIT_EXPECT_EQ(test, wt_stat_wait("indications_retained", retained), retained);
}

/*
 * No callback after wsk_close() completed, while the peer keeps sending
 * and then resets; the callbacks running at the close have returned.
 */
static void wsk_event_no_callback_after_close(struct kunit *test)
{
	struct we_fixture *we = we_get(test);
	struct we_conn *c = &we->conn[0];
	struct wt_req *close = wt_req_new(test);
	u8 *src = we_random(test, 1024);
	struct msghdr msg = {};
	struct socket *csock;
	unsigned long end;
	struct kvec iov;
	int calls;

	WRITE_ONCE(c->mode, WE_DISCARD);
	csock = we_pair(test, c, WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT |
			WSK_EVENT_SEND_BACKLOG, NULL);
	KUNIT_ASSERT_EQ(test, wt_send(csock, src, 1024), 1024);
	WE_ASSERT_WAIT(test, we, atomic_read(&c->receives) >= 1);

	wt_untrack(test, c->s);
	KUNIT_ASSERT_EQ(test, wsk_close(c->s, &close->req), -EINPROGRESS);
	end = jiffies + WT_TIMEOUT;
	while (!atomic_read(&close->count) && time_before(jiffies, end)) {
		iov.iov_base = src;
		iov.iov_len = 1024;
		msg.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL;
		kernel_sendmsg(csock, &msg, &iov, 1, iov.iov_len);
		usleep_range(200, 400);
	}
	KUNIT_ASSERT_TRUE(test, wt_wait(test, close));
	KUNIT_EXPECT_EQ(test, close->status, 0);
	calls = atomic_read(&c->calls);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->inside), 0);

	end = jiffies + msecs_to_jiffies(WE_QUIET_MS);
	while (time_before(jiffies, end)) {
		iov.iov_base = src;
		iov.iov_len = 1024;
		msg.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL;
		kernel_sendmsg(csock, &msg, &iov, 1, iov.iov_len);
		usleep_range(200, 400);
	}
	wt_reset(test, csock);
	msleep(WE_QUIET_MS);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->calls), calls);
}

/* ------------------------------------------------------------------------ */
/* Data path requests                                                        */

/*
 * Argument errors of wsk_send(), wsk_receive() and wsk_disconnect(), each
 * completed; a zero-length send completes inline.
 */
static void wsk_event_data_errors(struct kunit *test)
{
	struct we_fixture *we = we_get(test);
	struct we_conn *c = &we->conn[0];
	struct wt_req *r = wt_req_new(test);
	char *data = kunit_kzalloc(test, 8, GFP_KERNEL);
	struct wsk_socket *ls;
	struct we_io *io;

	KUNIT_ASSERT_NOT_NULL(test, data);
	io = we_io_new(test, data, 8);
	we_pair(test, c, 0, &ls);

	KUNIT_EXPECT_EQ(test, wsk_send(c->s, NULL, 0, &r->req), -EINVAL);
	KUNIT_EXPECT_EQ(test, wsk_send(c->s, &io->buf, 0x10000000, &r->req), -EINVAL);
	KUNIT_EXPECT_EQ(test, wsk_receive(c->s, NULL, 0, &r->req), -EINVAL);
	KUNIT_EXPECT_EQ(test, wsk_receive(c->s, &io->buf, 0x10000000, &r->req), -EINVAL);
	KUNIT_EXPECT_EQ(test, wsk_disconnect(c->s, NULL, 0x10000000, &r->req), -EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 5);
	KUNIT_EXPECT_EQ(test, r->status, -EINVAL);

	KUNIT_EXPECT_EQ(test, wsk_send(ls, &io->buf, 0, &r->req), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, wsk_receive(ls, &io->buf, 0, &r->req), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, wsk_disconnect(ls, NULL, 0, &r->req), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, wsk_release(ls, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 8);
	KUNIT_EXPECT_EQ(test, r->status, -EOPNOTSUPP);

	KUNIT_EXPECT_EQ(test, wsk_send(c->s, NULL, 0, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, wsk_receive(c->s, &io->buf, 0, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, wsk_disconnect(c->s, NULL, 0, NULL), -EINVAL);

	io->buf.length = 0;
	KUNIT_EXPECT_EQ(test, wsk_send(c->s, &io->buf, 0, &io->r.req), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&io->r.count), 1);
	KUNIT_EXPECT_EQ(test, io->r.status, 0);
	KUNIT_EXPECT_EQ(test, io->r.req.result.bytes, 0);
}

/*
 * Graceful wsk_disconnect() with final data, after a send: the peer reads
 * both in order, then end of stream; the socket still receives.
 */
static void wsk_event_disconnect_local(struct kunit *test)
{
	struct we_fixture *we = we_get(test);
	struct we_conn *c = &we->conn[0];
	u8 *src = we_random(test, SZ_64K + 4), *back, *in;
	struct we_io *send, *fin;
	struct socket *csock;
	u8 byte;

	back = we_vzalloc(test, SZ_64K + 4);
	in = kunit_kzalloc(test, 4, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, in);
	csock = we_pair(test, c, 0, NULL);

	send = we_io_new(test, src, SZ_64K);
	fin = we_io_new(test, src + SZ_64K, 4);
	we_expect_submitted(test, wsk_send(c->s, &send->buf, 0, &send->r.req));
	we_expect_submitted(test, wsk_disconnect(c->s, &fin->buf, 0, &fin->r.req));

	KUNIT_EXPECT_EQ(test, wt_recv(csock, back, SZ_64K + 4), SZ_64K + 4);
	KUNIT_EXPECT_EQ(test, memcmp(back, src, SZ_64K + 4), 0);
	KUNIT_EXPECT_EQ(test, wt_recv_once(csock, &byte, 1), 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, &send->r));
	KUNIT_EXPECT_EQ(test, send->r.status, 0);
	KUNIT_EXPECT_EQ(test, send->r.req.result.bytes, SZ_64K);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, &fin->r));
	KUNIT_EXPECT_EQ(test, fin->r.status, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&fin->r.count), 1);

	/* Half-closed: the peer can still send. */
	KUNIT_ASSERT_EQ(test, wt_send(csock, "ping", 4), 4);
	KUNIT_EXPECT_EQ(test, we_receive(test, c->s, in, 4, WSK_FLAG_WAITALL), 4);
	KUNIT_EXPECT_EQ(test, memcmp(in, "ping", 4), 0);
}

static struct kunit_case wsk_event_cases[] = {
	KUNIT_CASE(wsk_event_off_by_default),
	KUNIT_CASE(wsk_event_enable_before_bind),
	KUNIT_CASE(wsk_event_control_errors),
	KUNIT_CASE(wsk_event_disable_while_running),
	KUNIT_CASE(wsk_event_accept_refuse),
	KUNIT_CASE(wsk_event_inherit_accept_event_only),
	KUNIT_CASE(wsk_event_inherit_disable),
	KUNIT_CASE(wsk_event_accept_precedence),
	KUNIT_CASE(wsk_event_receive_all),
	KUNIT_CASE(wsk_event_receive_partial),
	KUNIT_CASE(wsk_event_receive_keep),
	KUNIT_CASE(wsk_event_release_at_once),
	KUNIT_CASE(wsk_event_receive_not_accepted),
	KUNIT_CASE(wsk_event_receive_zero_length_resumes),
	KUNIT_CASE(wsk_event_disconnect_graceful),
	KUNIT_CASE(wsk_event_disconnect_abortive),
	KUNIT_CASE_SLOW(wsk_event_send_backlog),
	KUNIT_CASE_SLOW(wsk_event_echo_1mib),
	KUNIT_CASE(wsk_event_close_frees_indications),
	KUNIT_CASE(wsk_event_no_callback_after_close),
	KUNIT_CASE(wsk_event_data_errors),
	KUNIT_CASE(wsk_event_disconnect_local),
	{}
};

static struct kunit_suite wsk_event_suite = {
	.name = "wsk_event",
	.init = we_init,
	.exit = we_exit,
	.test_cases = wsk_event_cases,
};

kunit_test_suite(wsk_event_suite);
