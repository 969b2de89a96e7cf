// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "wsk_introspect": /sys/kernel/debug/wsk/. The counters move
 * exactly with the operations (accepts, cancels, refusals, errors, held
 * connections) and come back once everything is closed; the sockets
 * listing shows a listener with its pending requests, its connections and
 * their addresses, never a kernel pointer; and it can be read while
 * connections are accepted and closed, every line whole.
 *
 * The files are read with kernel_read(), as a user would. White-box only for
 * the ids the listing shows (wsk/internal.h).
 */
#include <kunit/test.h>
#include <linux/ctype.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/sock.h>

#include "internal.h"
#include "util.h"

#define WT_SOCKETS	"/sys/kernel/debug/wsk/sockets"
#define WT_STATS	"/sys/kernel/debug/wsk/stats"
#define WT_BUF		(64 * 1024)

static int wt_accept(struct wsk_socket *ls, struct wt_req *r)
{
	return wsk_accept(ls, 0, r, NULL, &r->local, &r->remote, &r->req);
}

/*
 * The whole of a debugfs file into @buf (WT_BUF bytes), NUL-terminated.
 * Return: its length, or a negative errno.
 */
static ssize_t wt_read_into(const char *path, char *buf)
{
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	f = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	do {
		n = kernel_read(f, buf + pos, WT_BUF - 1 - pos, &pos);
	} while (n > 0 && pos < WT_BUF - 1);
	filp_close(f, NULL);
	buf[pos] = '\0';
	if (n < 0)
		return n;
	return pos < WT_BUF - 1 ? pos : -EFBIG;
}

/* A debugfs file in a test-managed buffer. */
static char *wt_read_file(struct kunit *test, const char *path)
{
	char *buf = kunit_kzalloc(test, WT_BUF, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_GE_MSG(test, wt_read_into(path, buf), 0, "reading %s", path);
	return buf;
}

/* The line of the sockets listing for socket @id, in @line; false if none. */
static bool wt_socket_line(u64 id, char *line, size_t size)
{
	char *buf = kvzalloc(WT_BUF, GFP_KERNEL), *rest = buf, *l;
	bool found = false;
	char prefix[32];

	if (!buf || wt_read_into(WT_SOCKETS, buf) < 0)
		goto out;
	snprintf(prefix, sizeof(prefix), "id=%llu ", id);
	while ((l = strsep(&rest, "\n"))) {
		if (str_has_prefix(l, prefix)) {
			strscpy(line, l, size);
			found = true;
			break;
		}
	}
out:
	kvfree(buf);
	return found;
}

/* " key=value" (or the line's first field) is in @line. */
static bool wt_has(const char *line, const char *field)
{
	size_t len = strlen(field);
	const char *p = line;

	while ((p = strstr(p, field))) {
		if ((p == line || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
			return true;
		p += len;
	}
	return false;
}

/* Expect the field printed from @fmt in @line. */
static __printf(3, 4) void wt_expect_field(struct kunit *test, const char *line,
					   const char *fmt, ...)
{
	char field[96];
	va_list args;

	va_start(args, fmt);
	vsnprintf(field, sizeof(field), fmt, args);
	va_end(args);
	KUNIT_EXPECT_TRUE_MSG(test, wt_has(line, field), "'%s' not in '%s'", field, line);
}

/* "ffff" and twelve more hex digits: a kernel address, hashed or not. */
static bool wt_has_pointer(const char *s)
{
	const char *p = s;
	int i;

	while ((p = strstr(p, "ffff"))) {
		for (i = 4; i < 16 && isxdigit(p[i]); i++)
			;
		if (i == 16)
			return true;
		p++;
	}
	return false;
}

static u64 wt_id(struct wsk_socket *s)
{
	return wsk_sock(s)->id;
}

/*
 * The counters move exactly with N accepts, the argument errors, refused
 * and cancelled requests, and come back once everything is closed.
 */
static void wsk_introspect_counters_exact(struct kunit *test)
{
	static const char * const names[] = {
		"clients", "sockets", "sockets_listen", "sockets_connection",
		"requests_pending", "requests_pending_accept", "requests_completed",
		"requests_cancelled", "requests_refused", "accepts_completed",
		"errors_einval", "errors_eopnotsupp", "connections_held",
	};
	enum { CLIENTS, SOCKETS, LISTEN, CONN, PENDING, PENDING_ACCEPT, COMPLETED,
	       CANCELLED, REFUSED, ACCEPTS, EINVAL_, EOPNOTSUPP_, HELD, NR };
	const int n = 5;
	struct wt_req *r[5], *bad = wt_req_new(test);
	struct wsk_socket *ls;
	struct socket *csock;
	long base[NR];
	u16 port;
	int i;

	for (i = 0; i < NR; i++) {
		base[i] = wt_stat(names[i]);
		KUNIT_ASSERT_NE_MSG(test, base[i], LONG_MIN, "no counter %s", names[i]);
	}
	/* The fixture's client is registered already. */
	ls = wt_listener(test, AF_INET, false, 0, &port);	/* 3 completions */
	KUNIT_EXPECT_EQ(test, wt_stat("sockets"), base[SOCKETS] + 1);
	KUNIT_EXPECT_EQ(test, wt_stat("sockets_listen"), base[LISTEN] + 1);

	for (i = 0; i < n; i++) {
		r[i] = wt_req_new(test);
		KUNIT_ASSERT_EQ(test, wt_accept(ls, r[i]), -EINPROGRESS);
	}
	KUNIT_EXPECT_EQ(test, wt_stat("requests_pending"), base[PENDING] + n);
	KUNIT_EXPECT_EQ(test, wt_stat("requests_pending_accept"), base[PENDING_ACCEPT] + n);

	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, port, NULL, &csock), 0);
		KUNIT_ASSERT_TRUE(test, wt_wait(test, r[i]));
		KUNIT_ASSERT_EQ(test, r[i]->status, 0);
		wt_track(test, r[i]->socket);
	}
	KUNIT_EXPECT_EQ(test, wt_stat("accepts_completed"), base[ACCEPTS] + n);
	KUNIT_EXPECT_EQ(test, wt_stat("sockets"), base[SOCKETS] + 1 + n);
	KUNIT_EXPECT_EQ(test, wt_stat("sockets_connection"), base[CONN] + n);
	KUNIT_EXPECT_EQ(test, wt_stat("requests_pending"), base[PENDING]);
	KUNIT_EXPECT_EQ(test, wt_stat("requests_pending_accept"), base[PENDING_ACCEPT]);
	KUNIT_EXPECT_EQ(test, wt_stat("connections_held"), base[HELD]);

	/* Errors by kind, refusals (nothing completed), a cancel. */
	KUNIT_EXPECT_EQ(test, wsk_accept(ls, 1, NULL, NULL, NULL, NULL, &bad->req), -EINVAL);
	KUNIT_EXPECT_EQ(test, wt_stat("errors_einval"), base[EINVAL_] + 1);
	KUNIT_EXPECT_EQ(test, wt_accept(r[0]->socket, bad), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, wt_stat("errors_eopnotsupp"), base[EOPNOTSUPP_] + 1);
	KUNIT_EXPECT_EQ(test, wsk_accept(ls, 0, NULL, NULL, NULL, NULL, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, wt_accept(ls, bad), -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, wt_accept(ls, bad), -EBUSY);
	KUNIT_EXPECT_EQ(test, wt_stat("requests_refused"), base[REFUSED] + 2);
	KUNIT_EXPECT_EQ(test, wt_stat("requests_pending_accept"), base[PENDING_ACCEPT] + 1);
	KUNIT_EXPECT_TRUE(test, wsk_req_cancel(&bad->req));
	KUNIT_EXPECT_EQ(test, wt_stat("requests_cancelled"), base[CANCELLED] + 1);
	KUNIT_EXPECT_EQ(test, wt_stat("requests_pending_accept"), base[PENDING_ACCEPT]);

	/* Close everything and deregister (the fixture's exit, done here). */
	wt_exit(test);
	KUNIT_EXPECT_EQ(test, wt_stat("clients"), base[CLIENTS] - 1);
	KUNIT_EXPECT_EQ(test, wt_stat("sockets"), base[SOCKETS]);
	KUNIT_EXPECT_EQ(test, wt_stat("sockets_listen"), base[LISTEN]);
	KUNIT_EXPECT_EQ(test, wt_stat("sockets_connection"), base[CONN]);
	KUNIT_EXPECT_EQ(test, wt_stat("requests_pending"), base[PENDING]);
	KUNIT_EXPECT_EQ(test, wt_stat("accepts_completed"), base[ACCEPTS] + n);
	/*
	 * Completions: the listener's creation, bind and address (3), the n
	 * accepts, the two argument errors, the cancelled accept, and the
	 * closes of the listener and its n connections.
	 */
	KUNIT_EXPECT_EQ(test, wt_stat("requests_completed"), base[COMPLETED] + 3 + n + 3 + n + 1);
}

static bool wt_held(void *arg)
{
	return wt_stat("connections_held") > *(long *)arg;
}

/*
 * A held connection (accepted for a request cancelled meanwhile: hold the
 * listener's socket lock so the accept worker blocks in kernel_accept(),
 * cancel, release) shows in connections_held and on its listener's line,
 * and leaves both when the next accept takes it inline.
 */
static void wsk_introspect_held(struct kunit *test)
{
	struct wt_req *a = wt_req_new(test), *b = wt_req_new(test);
	long held = wt_stat("connections_held");
	char *line = kunit_kzalloc(test, 512, GFP_KERNEL);
	struct wsk_socket *ls;
	struct socket *csock;
	struct sock *lsk;
	u16 port;

	KUNIT_ASSERT_NOT_NULL(test, line);
	ls = wt_listener(test, AF_INET, false, 0, &port);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, port, NULL, &csock), 0);
	lsk = wsk_sock(ls)->sock->sk;
	lock_sock(lsk);
	KUNIT_EXPECT_EQ(test, wt_accept(ls, a), -EINPROGRESS);
	KUNIT_EXPECT_TRUE(test, wt_poll(wt_lock_waited, lsk));
	KUNIT_EXPECT_TRUE(test, wsk_req_cancel(&a->req));
	release_sock(lsk);
	KUNIT_ASSERT_TRUE(test, wt_poll(wt_held, &held));
	KUNIT_EXPECT_EQ(test, wt_stat("connections_held"), held + 1);
	KUNIT_ASSERT_TRUE(test, wt_socket_line(wt_id(ls), line, 512));
	wt_expect_field(test, line, "held=1");
	wt_expect_field(test, line, "accepted=0");

	KUNIT_ASSERT_EQ(test, wt_accept(ls, b), 0);
	wt_track(test, b->socket);
	KUNIT_EXPECT_EQ(test, wt_stat("connections_held"), held);
	KUNIT_ASSERT_TRUE(test, wt_socket_line(wt_id(ls), line, 512));
	wt_expect_field(test, line, "held=0");
	wt_expect_field(test, line, "accepted=1");
}

static bool wt_gone(void *arg)
{
	char line[8];

	return !wt_socket_line(*(u64 *)arg, line, sizeof(line));
}

/*
 * The listing shows a listener (IPv4 and IPv6) with its client, state,
 * address and pending accepts, follows a cancel and an accept, shows the
 * accepted connection with both addresses, and drops a socket once closed.
 */
static void wsk_introspect_sockets_listing(struct kunit *test)
{
	struct wt_req *r[3] = { wt_req_new(test), wt_req_new(test), wt_req_new(test) };
	char *line = kunit_kzalloc(test, 512, GFP_KERNEL);
	u64 client = wt(test)->client->id;
	struct wsk_socket *ls, *ls6;
	struct socket *csock;
	u16 port, port6, cport;
	u64 id;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, line);
	ls = wt_listener(test, AF_INET, false, 0, &port);
	ls6 = wt_listener(test, AF_INET6, false, 0, &port6);
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, wt_accept(ls, r[i]), -EINPROGRESS);

	KUNIT_ASSERT_TRUE(test, wt_socket_line(wt_id(ls), line, 512));
	kunit_info(test, "%s", line);
	wt_expect_field(test, line, "client=%llu", client);
	wt_expect_field(test, line, "module=%s", KBUILD_MODNAME);
	wt_expect_field(test, line, "category=listen");
	wt_expect_field(test, line, "state=listening");
	wt_expect_field(test, line, "family=inet");
	wt_expect_field(test, line, "local=127.0.0.1:%u", port);
	wt_expect_field(test, line, "remote=-");
	wt_expect_field(test, line, "pending_accept=3");
	wt_expect_field(test, line, "pending_bind=0");
	wt_expect_field(test, line, "accepted=0");
	KUNIT_EXPECT_FALSE(test, wt_has_pointer(line));

	KUNIT_ASSERT_TRUE(test, wt_socket_line(wt_id(ls6), line, 512));
	wt_expect_field(test, line, "family=inet6");
	wt_expect_field(test, line, "local=[::1]:%u", port6);
	wt_expect_field(test, line, "pending_accept=0");

	/* A cancel and an accept (FIFO: r[1] gets the connection). */
	KUNIT_EXPECT_TRUE(test, wsk_req_cancel(&r[0]->req));
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, port, &cport, &csock), 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r[1]));
	KUNIT_ASSERT_EQ(test, r[1]->status, 0);
	wt_track(test, r[1]->socket);
	KUNIT_ASSERT_TRUE(test, wt_socket_line(wt_id(ls), line, 512));
	wt_expect_field(test, line, "pending_accept=1");
	wt_expect_field(test, line, "accepted=1");

	KUNIT_ASSERT_TRUE(test, wt_socket_line(wt_id(r[1]->socket), line, 512));
	kunit_info(test, "%s", line);
	wt_expect_field(test, line, "category=connection");
	wt_expect_field(test, line, "state=connected");
	wt_expect_field(test, line, "local=127.0.0.1:%u", port);
	wt_expect_field(test, line, "remote=127.0.0.1:%u", cport);
	wt_expect_field(test, line, "pending_accept=0");

	/* Closed: gone from the listing once freed (just after its close completes). */
	id = wt_id(ls6);
	KUNIT_EXPECT_EQ(test, wt_close(test, ls6), 0);
	KUNIT_EXPECT_TRUE(test, wt_poll(wt_gone, &id));

	/* Neither file shows a kernel pointer. */
	KUNIT_EXPECT_FALSE(test, wt_has_pointer(wt_read_file(test, WT_SOCKETS)));
	KUNIT_EXPECT_FALSE(test, wt_has_pointer(wt_read_file(test, WT_STATS)));
}

/* One line of the listing is whole: every field, in order, once. */
static bool wt_line_whole(const char *line)
{
	static const char * const keys[] = {
		"id=", " client=", " module=", " category=", " state=", " family=",
		" local=", " remote=", " pending_socket=", " pending_bind=",
		" pending_setopt=", " pending_close=", " pending_accept=", " accepted=",
		" held=", " kqueue=", " backlog=", " pending_send=", " pending_receive=",
		" pending_disconnect=", " pending_event=", " pended=", " retained=", " events=",
	};
	const char *p = line;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		p = strstr(p, keys[i]);
		if (!p || (i == 0 && p != line))
			return false;
		p += strlen(keys[i]);
	}
	return !strchr(p, ' ');
}

struct wt_reader {
	struct kunit *test;
	char *buf;
	bool stop;
	unsigned int passes;
	unsigned int lines;
	unsigned int bad;
	struct completion done;
};

static int wt_reader_fn(void *data)
{
	struct wt_reader *rd = data;
	char *rest, *l;
	struct file *f;
	loff_t pos;
	ssize_t n;

	while (!READ_ONCE(rd->stop)) {
		f = filp_open(WT_SOCKETS, O_RDONLY, 0);
		if (IS_ERR(f)) {
			rd->bad++;
			break;
		}
		pos = 0;
		do {
			n = kernel_read(f, rd->buf + pos, WT_BUF - 1 - pos, &pos);
		} while (n > 0 && pos < WT_BUF - 1);
		filp_close(f, NULL);
		rd->buf[pos] = '\0';
		rest = rd->buf;
		while ((l = strsep(&rest, "\n"))) {
			if (!*l)
				continue;
			rd->lines++;
			if (!wt_line_whole(l) || wt_has_pointer(l))
				rd->bad++;
		}
		rd->passes++;
		cond_resched();
	}
	complete(&rd->done);
	return 0;
}

/*
 * The listing is read in a loop while connections are accepted, resubmitted
 * and closed: every line is whole, and the accepts are not held up.
 */
static void wsk_introspect_read_under_load(struct kunit *test)
{
	struct wt_reader *rd = kunit_kzalloc(test, sizeof(*rd), GFP_KERNEL);
	struct wt_req *r = wt_req_new(test);
	struct task_struct *task;
	struct socket *csock;
	struct wsk_socket *ls;
	u16 port;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, rd);
	rd->buf = kunit_kzalloc(test, WT_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rd->buf);
	init_completion(&rd->done);
	ls = wt_listener(test, AF_INET, false, 0, &port);

	task = kthread_run(wt_reader_fn, rd, "wt_reader");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	/* No assertion until the reader has stopped: it uses @rd. */
	for (i = 0; i < 20; i++) {
		wt_req_init(r);
		KUNIT_EXPECT_EQ(test, wt_accept(ls, r), -EINPROGRESS);
		KUNIT_EXPECT_EQ(test, wt_connect(test, AF_INET, port, NULL, &csock), 0);
		if (!csock || !wt_wait(test, r))
			break;
		KUNIT_EXPECT_EQ(test, r->status, 0);
		if (r->socket)
			KUNIT_EXPECT_EQ(test, wt_close(test, r->socket), 0);
		wt_release(test, csock);
	}
	WRITE_ONCE(rd->stop, true);
	wait_for_completion(&rd->done);
	kunit_info(test, "%u passes, %u lines read during 20 accepts", rd->passes, rd->lines);
	KUNIT_EXPECT_GT(test, rd->passes, 0U);
	KUNIT_EXPECT_EQ(test, rd->bad, 0U);
}

static struct kunit_case wsk_introspect_cases[] = {
	KUNIT_CASE(wsk_introspect_counters_exact),
	KUNIT_CASE(wsk_introspect_held),
	KUNIT_CASE(wsk_introspect_sockets_listing),
	KUNIT_CASE(wsk_introspect_read_under_load),
	{}
};

static struct kunit_suite wsk_introspect_suite = {
	.name = "wsk_introspect",
	.init = wt_init,
	.exit = wt_exit,
	.test_cases = wsk_introspect_cases,
};

kunit_test_suite(wsk_introspect_suite);
