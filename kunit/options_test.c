// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "wsk_options": the options wsk_control() passes through, SET
 * then GET, on a listen socket before bind and on an accepted connection
 * (each option a row); what an accepted socket inherits from its listener;
 * WSK_SO_EXCLUSIVEADDRUSE; the IOCTLs WSK_SIO_KEEPALIVE_VALS and
 * WSK_SIO_QUERY_INSPECT_ID; and the size and code errors. SO_OOBINLINE
 * stays refused: it would put urgent bytes into the stream.
 */
#include <kunit/test.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/net.h>
#include <linux/string.h>
#include <linux/tcp.h>
#include <net/sock.h>

#include "internal.h"
#include "util.h"

/* wsk_control() SET of @len bytes at @in, waited for. */
static int wo_set(struct wsk_socket *s, int level, u32 code, const void *in, size_t len)
{
	struct wsk_sync sync;

	wsk_sync_init(&sync);
	return wsk_sync_wait_timeout(&sync, wsk_control(s, WSK_SET_OPTION, code, level, len, in, 0,
							NULL, NULL, &sync.req), WT_TIMEOUT);
}

/* GET into @out (@len bytes): the bytes written, or a negative errno. */
static int wo_get(struct wsk_socket *s, int level, u32 code, void *out, size_t len)
{
	struct wsk_sync sync;
	size_t returned = 0;
	int err;

	wsk_sync_init(&sync);
	err = wsk_sync_wait(&sync, wsk_control(s, WSK_GET_OPTION, code, level, 0, NULL, len, out,
					       &returned, &sync.req));
	if (err)
		return err;
	if (returned != sync.req.result.bytes)
		return -EPROTO;	/* the two counts must agree */
	return returned;
}

static int wo_get_int(struct kunit *test, struct wsk_socket *s, int level, u32 code)
{
	int v = 0x5a5a5a5a;

	KUNIT_EXPECT_EQ_MSG(test, wo_get(s, level, code, &v, sizeof(v)), (int)sizeof(v),
			    "GET %d/%u", level, code);
	return v;
}

/**
 * struct wo_row - an int option: what to set and what GET then says
 * @name: for the messages
 * @level: its level
 * @code: the option
 * @v6: AF_INET6 sockets only
 * @before_bind: set on the listener before bind only (Linux needs it so)
 * @set: the value set
 * @get: what GET returns afterwards
 */
struct wo_row {
	const char *name;
	int level;
	u32 code;
	bool v6;
	bool before_bind;
	int set;
	int get;
};

static const struct wo_row wo_rows[] = {
	{ "SO_REUSEADDR", SOL_SOCKET, SO_REUSEADDR, false, true, 1, 1 },
	{ "SO_REUSEPORT", SOL_SOCKET, SO_REUSEPORT, false, true, 1, 1 },
	{ "SO_KEEPALIVE", SOL_SOCKET, SO_KEEPALIVE, false, false, 1, 1 },
	{ "SO_RCVBUF", SOL_SOCKET, SO_RCVBUF, false, false, 65536, 131072 },	/* doubled */
	{ "SO_SNDBUF", SOL_SOCKET, SO_SNDBUF, false, false, 65536, 131072 },
	{ "SO_PRIORITY", SOL_SOCKET, SO_PRIORITY, false, false, 5, 5 },
	{ "SO_MARK", SOL_SOCKET, SO_MARK, false, false, 77, 77 },
	{ "TCP_NODELAY", SOL_TCP, TCP_NODELAY, false, false, 1, 1 },
	{ "TCP_KEEPIDLE", SOL_TCP, TCP_KEEPIDLE, false, false, 123, 123 },
	{ "TCP_KEEPINTVL", SOL_TCP, TCP_KEEPINTVL, false, false, 17, 17 },
	{ "TCP_KEEPCNT", SOL_TCP, TCP_KEEPCNT, false, false, 4, 4 },
	{ "TCP_USER_TIMEOUT", SOL_TCP, TCP_USER_TIMEOUT, false, false, 4321, 4321 },
	{ "TCP_MAXSEG", SOL_TCP, TCP_MAXSEG, false, true, 1000, 1000 },
	{ "IP_TOS", SOL_IP, IP_TOS, false, false, IPTOS_LOWDELAY, IPTOS_LOWDELAY },
	{ "IP_TTL", SOL_IP, IP_TTL, false, false, 33, 33 },
	{ "IP_FREEBIND", SOL_IP, IP_FREEBIND, false, false, 1, 1 },
	{ "IPV6_V6ONLY", SOL_IPV6, IPV6_V6ONLY, true, true, 1, 1 },
	{ "IPV6_TCLASS", SOL_IPV6, IPV6_TCLASS, true, false, 0x20, 0x20 },
	{ "IPV6_FREEBIND", SOL_IPV6, IPV6_FREEBIND, true, false, 1, 1 },
};

static void wo_row_desc(const struct wo_row *r, char *desc)
{
	strscpy(desc, r->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(wo_row, wo_rows, wo_row_desc);

/* Bind @ls (set up already) to @family's loopback, accept one connection (tracked). */
static struct wsk_socket *wo_bind_accept(struct kunit *test, struct wsk_socket *ls, int family)
{
	struct wt_req *r = wt_req_new(test);
	struct sockaddr_storage ss;
	struct socket *peer;
	int len;

	len = wt_addr(&ss, family, false, 0);
	KUNIT_ASSERT_EQ(test, wt_bind(test, ls, (struct sockaddr *)&ss, len), 0);
	KUNIT_ASSERT_EQ(test, wt_local_address(test, ls, &ss), 0);
	KUNIT_ASSERT_EQ(test, wsk_accept(ls, 0, NULL, NULL, NULL, NULL, &r->req), -EINPROGRESS);
	KUNIT_ASSERT_EQ(test, wt_connect(test, family, wt_port(&ss), NULL, &peer), 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_ASSERT_EQ(test, r->status, 0);
	wt_track(test, r->socket);
	return r->socket;
}

/* An accepted connection of @family (tracked) from a listener made for it. */
static struct wsk_socket *wo_accepted(struct kunit *test, int family)
{
	struct wsk_socket *ls;

	KUNIT_ASSERT_EQ(test, wt_socket(test, family, WSK_FLAG_LISTEN_SOCKET, &ls), 0);
	return wo_bind_accept(test, ls, family);
}

/* Each int option, SET then GET: on a listener before bind, and on a connection. */
static void wsk_options_roundtrip(struct kunit *test)
{
	const struct wo_row *row = test->param_value;
	int family = row->v6 ? AF_INET6 : AF_INET;
	struct sockaddr_storage ss;
	struct wsk_socket *ls, *c;
	int len;

	KUNIT_ASSERT_EQ(test, wt_socket(test, family, WSK_FLAG_LISTEN_SOCKET, &ls), 0);
	KUNIT_EXPECT_EQ(test, wo_set(ls, row->level, row->code, &row->set, sizeof(row->set)), 0);
	KUNIT_EXPECT_EQ(test, wo_get_int(test, ls, row->level, row->code), row->get);
	len = wt_addr(&ss, family, false, 0);
	KUNIT_EXPECT_EQ(test, wt_bind(test, ls, (struct sockaddr *)&ss, len), 0);
	KUNIT_EXPECT_EQ(test, wo_get_int(test, ls, row->level, row->code), row->get);
	if (row->before_bind)
		return;
	c = wo_accepted(test, family);
	KUNIT_EXPECT_EQ(test, wo_set(c, row->level, row->code, &row->set, sizeof(row->set)), 0);
	KUNIT_EXPECT_EQ(test, wo_get_int(test, c, row->level, row->code), row->get);
}

/* The options that are not ints: SO_LINGER, SO_BINDTODEVICE, TCP_CONGESTION. */
static void wsk_options_structs_and_names(struct kunit *test)
{
	struct wsk_socket *c = wo_accepted(test, AF_INET);
	struct linger lg = { .l_onoff = 1, .l_linger = 7 }, got = {};
	char name[16];

	KUNIT_EXPECT_EQ(test, wo_set(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
	KUNIT_EXPECT_EQ(test, wo_get(c, SOL_SOCKET, SO_LINGER, &got, sizeof(got)),
			(int)sizeof(got));
	KUNIT_EXPECT_EQ(test, got.l_onoff, 1);
	KUNIT_EXPECT_EQ(test, got.l_linger, 7);
	KUNIT_EXPECT_EQ(test, wo_set(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg) - 1), -EINVAL);

	/* Not bound to a device: an empty name, 0 bytes. */
	memset(name, 'x', sizeof(name));
	KUNIT_EXPECT_EQ(test, wo_get(c, SOL_SOCKET, SO_BINDTODEVICE, name, sizeof(name)), 0);
	KUNIT_EXPECT_EQ(test, wo_set(c, SOL_SOCKET, SO_BINDTODEVICE, "lo", 2), 0);
	KUNIT_EXPECT_EQ(test, wo_get(c, SOL_SOCKET, SO_BINDTODEVICE, name, sizeof(name)), 3);
	KUNIT_EXPECT_STREQ(test, name, "lo");
	KUNIT_EXPECT_EQ(test, wo_set(c, SOL_SOCKET, SO_BINDTODEVICE, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, wo_get(c, SOL_SOCKET, SO_BINDTODEVICE, name, sizeof(name)), 0);
	KUNIT_EXPECT_EQ(test, wo_set(c, SOL_SOCKET, SO_BINDTODEVICE, "nosuchdev0", 10), -ENODEV);
	KUNIT_EXPECT_EQ(test, wo_get(c, SOL_SOCKET, SO_BINDTODEVICE, name, 15), -EINVAL);

	KUNIT_EXPECT_EQ(test, wo_set(c, SOL_TCP, TCP_CONGESTION, "reno", 4), 0);
	KUNIT_EXPECT_EQ(test, wo_get(c, SOL_TCP, TCP_CONGESTION, name, sizeof(name)), 5);
	KUNIT_EXPECT_STREQ(test, name, "reno");
	/* A name longer than the buffer is cut, and then unknown. */
	KUNIT_EXPECT_EQ(test, wo_set(c, SOL_TCP, TCP_CONGESTION, "renorenorenorenoreno", 20),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, wo_get(c, SOL_TCP, TCP_CONGESTION, name, sizeof(name)), 5);
	KUNIT_EXPECT_STREQ(test, name, "reno");
}

/* What a connection inherits from its listener, as Linux copies it to the child. */
static void wsk_options_inherited(struct kunit *test)
{
	int one = 1, idle = 99, tos = IPTOS_THROUGHPUT;
	struct wsk_socket *ls, *c;

	KUNIT_ASSERT_EQ(test, wt_socket(test, AF_INET, WSK_FLAG_LISTEN_SOCKET, &ls), 0);
	KUNIT_EXPECT_EQ(test, wo_set(ls, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)), 0);
	KUNIT_EXPECT_EQ(test, wo_set(ls, SOL_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)), 0);
	KUNIT_EXPECT_EQ(test, wo_set(ls, SOL_TCP, TCP_NODELAY, &one, sizeof(one)), 0);
	KUNIT_EXPECT_EQ(test, wo_set(ls, SOL_IP, IP_TOS, &tos, sizeof(tos)), 0);
	c = wo_bind_accept(test, ls, AF_INET);
	KUNIT_EXPECT_EQ(test, wo_get_int(test, c, SOL_SOCKET, SO_KEEPALIVE), 1);
	KUNIT_EXPECT_EQ(test, wo_get_int(test, c, SOL_TCP, TCP_KEEPIDLE), 99);
	KUNIT_EXPECT_EQ(test, wo_get_int(test, c, SOL_TCP, TCP_NODELAY), 1);
	KUNIT_EXPECT_EQ(test, wo_get_int(test, c, SOL_IP, IP_TOS), IPTOS_THROUGHPUT);
}

/* WSK_SO_EXCLUSIVEADDRUSE: accepted before bind on a socket that shares nothing. */
static void wsk_options_exclusive(struct kunit *test)
{
	struct sockaddr_storage ss;
	struct wsk_socket *a, *b;
	u32 one = 1, two = 2;
	int len;

	KUNIT_ASSERT_EQ(test, wt_socket(test, AF_INET, WSK_FLAG_LISTEN_SOCKET, &a), 0);
	KUNIT_EXPECT_EQ(test, wo_get_int(test, a, SOL_SOCKET, WSK_SO_EXCLUSIVEADDRUSE), 1);
	KUNIT_EXPECT_EQ(test, wo_set(a, SOL_SOCKET, WSK_SO_EXCLUSIVEADDRUSE, &one, sizeof(one)), 0);
	KUNIT_EXPECT_EQ(test, wo_set(a, SOL_SOCKET, WSK_SO_EXCLUSIVEADDRUSE, &two, sizeof(two)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, wo_set(a, SOL_SOCKET, WSK_SO_EXCLUSIVEADDRUSE, &one, 3), -EINVAL);
	len = wt_addr(&ss, AF_INET, false, 0);
	KUNIT_ASSERT_EQ(test, wt_bind(test, a, (struct sockaddr *)&ss, len), 0);
	KUNIT_EXPECT_EQ(test, wo_set(a, SOL_SOCKET, WSK_SO_EXCLUSIVEADDRUSE, &one, sizeof(one)),
			-EINVAL);

	/* SO_REUSEADDR makes a bind shareable: refused, and GET says 0. */
	KUNIT_ASSERT_EQ(test, wt_socket(test, AF_INET, WSK_FLAG_CONNECTION_SOCKET, &b), 0);
	KUNIT_EXPECT_EQ(test, wo_set(b, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), 0);
	KUNIT_EXPECT_EQ(test, wo_set(b, SOL_SOCKET, WSK_SO_EXCLUSIVEADDRUSE, &one, sizeof(one)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, wo_get_int(test, b, SOL_SOCKET, WSK_SO_EXCLUSIVEADDRUSE), 0);
}

static int wo_keepalive(struct wsk_socket *s, u32 on, u32 time_ms, u32 intvl_ms, size_t len)
{
	struct wsk_keepalive_vals kv = { .onoff = on, .time_ms = time_ms,
					 .interval_ms = intvl_ms };
	struct wsk_sync sync;

	wsk_sync_init(&sync);
	return wsk_sync_wait_timeout(&sync, wsk_control(s, WSK_IOCTL, WSK_SIO_KEEPALIVE_VALS, 0,
							len, &kv, 0, NULL, NULL, &sync.req),
				     WT_TIMEOUT);
}

/* SIO_KEEPALIVE_VALS: milliseconds to TCP's seconds, rounded up, 10 probes. */
static void wsk_options_keepalive_vals(struct kunit *test)
{
	struct wsk_socket *c = wo_accepted(test, AF_INET);

	KUNIT_EXPECT_EQ(test, wo_keepalive(c, 1, 2500, 1000, sizeof(struct wsk_keepalive_vals)),
			0);
	KUNIT_EXPECT_EQ(test, wo_get_int(test, c, SOL_SOCKET, SO_KEEPALIVE), 1);
	KUNIT_EXPECT_EQ(test, wo_get_int(test, c, SOL_TCP, TCP_KEEPIDLE), 3);
	KUNIT_EXPECT_EQ(test, wo_get_int(test, c, SOL_TCP, TCP_KEEPINTVL), 1);
	KUNIT_EXPECT_EQ(test, wo_get_int(test, c, SOL_TCP, TCP_KEEPCNT), 10);
	/* Zero times are at least a second. */
	KUNIT_EXPECT_EQ(test, wo_keepalive(c, 1, 0, 0, sizeof(struct wsk_keepalive_vals)), 0);
	KUNIT_EXPECT_EQ(test, wo_get_int(test, c, SOL_TCP, TCP_KEEPIDLE), 1);
	KUNIT_EXPECT_EQ(test, wo_get_int(test, c, SOL_TCP, TCP_KEEPINTVL), 1);
	/* Beyond TCP's limit (32767 s): Linux's -EINVAL. */
	KUNIT_EXPECT_EQ(test, wo_keepalive(c, 1, 40000000, 1000,
					   sizeof(struct wsk_keepalive_vals)), -EINVAL);
	KUNIT_EXPECT_EQ(test, wo_keepalive(c, 0, 0, 0, sizeof(struct wsk_keepalive_vals)), 0);
	KUNIT_EXPECT_EQ(test, wo_get_int(test, c, SOL_SOCKET, SO_KEEPALIVE), 0);
	KUNIT_EXPECT_EQ(test, wo_keepalive(c, 1, 1000, 1000, 11), -EINVAL);
}

struct wo_cond {
	struct wsk_inspect_id id;
	atomic_t inspects;
};

static enum wsk_inspect_action wo_inspect(void *ctx, const struct sockaddr *local,
					  const struct sockaddr *remote,
					  const struct wsk_inspect_id *id)
{
	struct wo_cond *w = ctx;

	if (id && atomic_inc_return(&w->inspects) == 1)
		w->id = *id;
	return WSK_INSPECT_ACCEPT;
}

static const struct wsk_client_listen_dispatch wo_cond_dispatch = {
	.inspect_event = wo_inspect,
};

static int wo_inspect_id(struct wsk_socket *s, struct wsk_inspect_id *id, size_t len)
{
	struct wsk_sync sync;
	size_t returned = 0;
	int err;

	wsk_sync_init(&sync);
	err = wsk_sync_wait(&sync, wsk_control(s, WSK_IOCTL, WSK_SIO_QUERY_INSPECT_ID, 0, 0, NULL,
					       len, id, &returned, &sync.req));
	return err ? err : returned;
}

/* SIO_WSK_QUERY_INSPECT_ID: the id its inspect_event had, on the accepted socket. */
static void wsk_options_inspect_id(struct kunit *test)
{
	struct wo_cond *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	struct wsk_inspect_id id = {};
	struct wsk_socket *ls, *c;

	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_EQ(test, wt_socket_ctx(test, AF_INET, WSK_FLAG_LISTEN_SOCKET, w,
					    &wo_cond_dispatch, &ls), 0);
	KUNIT_ASSERT_EQ(test, wt_set_u32(test, ls, SOL_SOCKET, WSK_SO_CONDITIONAL_ACCEPT, 1), 0);
	c = wo_bind_accept(test, ls, AF_INET);
	KUNIT_ASSERT_EQ(test, atomic_read(&w->inspects), 1);
	KUNIT_EXPECT_EQ(test, wo_inspect_id(c, &id, sizeof(id)), (int)sizeof(id));
	KUNIT_EXPECT_EQ(test, id.key, w->id.key);
	KUNIT_EXPECT_EQ(test, id.serial, w->id.serial);
	KUNIT_EXPECT_NE(test, id.serial, 0);
	KUNIT_EXPECT_EQ(test, wo_inspect_id(c, &id, sizeof(id) - 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, wo_inspect_id(ls, &id, sizeof(id)), -EOPNOTSUPP);
	/* A connection no inspection saw has no id. */
	KUNIT_EXPECT_EQ(test, wo_inspect_id(wo_accepted(test, AF_INET), &id, sizeof(id)), -EINVAL);
}

/* Codes and sizes wsk refuses, completed inline. */
static void wsk_options_refused(struct kunit *test)
{
	struct wsk_socket *c = wo_accepted(test, AF_INET);
	int v = 1;

	KUNIT_EXPECT_EQ(test, wo_set(c, SOL_SOCKET, SO_OOBINLINE, &v, sizeof(v)), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, wo_get(c, SOL_SOCKET, SO_OOBINLINE, &v, sizeof(v)), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, wo_set(c, SOL_TCP, TCP_CORK, &v, sizeof(v)), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, wo_set(c, SOL_IPV6, IPV6_TCLASS, &v, sizeof(v)), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, wo_set(c, SOL_TCP, TCP_KEEPIDLE, &v, 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, wo_set(c, SOL_TCP, TCP_KEEPIDLE, NULL, sizeof(v)), -EINVAL);
	KUNIT_EXPECT_EQ(test, wo_get(c, SOL_TCP, TCP_KEEPIDLE, &v, 3), -EINVAL);
	/* Linux's own range check, as the op's completion. */
	v = 0;
	KUNIT_EXPECT_EQ(test, wo_set(c, SOL_TCP, TCP_KEEPIDLE, &v, sizeof(v)), -EINVAL);
	/* Unchanged SO_OOBINLINE: urgent bytes never enter the stream. */
	KUNIT_EXPECT_FALSE(test, sock_flag(wsk_sock(c)->sock->sk, SOCK_URGINLINE));
}

static struct kunit_case wsk_options_cases[] = {
	KUNIT_CASE_PARAM(wsk_options_roundtrip, wo_row_gen_params),
	KUNIT_CASE(wsk_options_structs_and_names),
	KUNIT_CASE(wsk_options_inherited),
	KUNIT_CASE(wsk_options_exclusive),
	KUNIT_CASE(wsk_options_keepalive_vals),
	KUNIT_CASE(wsk_options_inspect_id),
	KUNIT_CASE(wsk_options_refused),
	{}
};

static struct kunit_suite wsk_options_suite = {
	.name = "wsk_options",
	.init = wt_init,
	.exit = wt_exit,
	.test_cases = wsk_options_cases,
};

kunit_test_suite(wsk_options_suite);
