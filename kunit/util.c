// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the wsk KUnit suites (see util.h).
 */
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "util.h"

static void wt_complete(struct wsk_req *req)
{
	struct wt_req *r = container_of(req, struct wt_req, req);

	r->status = req->status;
	r->socket = req->result.socket;
	if (r->seq_src)
		r->seq = atomic_inc_return(r->seq_src);
	atomic_inc(&r->count);
	complete(&r->done);
}

void wt_req_init(struct wt_req *r)
{
	wsk_req_init(&r->req, wt_complete, r);
	init_completion(&r->done);
	atomic_set(&r->count, 0);
	r->status = 1;
	r->socket = NULL;
	r->seq = 0;
	r->seq_src = NULL;
	r->checked = 0;
}

struct wt_req *wt_req_new(struct kunit *test)
{
	struct wt_req *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	wt_req_init(r);
	return r;
}

bool wt_wait(struct kunit *test, struct wt_req *r)
{
	bool ok = wait_for_completion_timeout(&r->done, WT_TIMEOUT);

	KUNIT_EXPECT_TRUE_MSG(test, ok, "request not completed within %d s", WT_TIMEOUT / HZ);
	return ok;
}

int wt_init(struct kunit *test)
{
	struct wt_fixture *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->test = test;
	xa_init_flags(&t->wsk, XA_FLAGS_ALLOC | XA_FLAGS_LOCK_IRQ);
	t->client = wsk_register(THIS_MODULE);
	if (IS_ERR(t->client))
		return PTR_ERR(t->client);
	test->priv = t;
	return 0;
}

void wt_exit(struct kunit *test)
{
	struct wt_fixture *t = wt(test);
	struct wsk_socket *s;
	unsigned long index;

	if (!t)
		return;
	/* Callbacks may still track sockets until their listener is closed. */
	for (;;) {
		index = 0;
		s = xa_find(&t->wsk, &index, ULONG_MAX, XA_PRESENT);
		if (!s)
			break;
		wt_close(test, s);
	}
	xa_destroy(&t->wsk);
	wsk_deregister(t->client);
	test->priv = NULL;
}

void wt_track(struct kunit *test, struct wsk_socket *s)
{
	struct wt_fixture *t = wt(test);
	unsigned long flags;
	u32 id;
	int err;

	/* Any context, interrupts off included: not xa_alloc_irq(). */
	xa_lock_irqsave(&t->wsk, flags);
	err = __xa_alloc(&t->wsk, &id, s, xa_limit_32b, GFP_ATOMIC);
	xa_unlock_irqrestore(&t->wsk, flags);
	/* On failure the socket stays open: the socket count and kmemleak tell. */
	WARN_ON(err);
}

void wt_untrack(struct kunit *test, struct wsk_socket *s)
{
	struct wt_fixture *t = wt(test);
	unsigned long index, flags;
	struct wsk_socket *e;

	xa_lock_irqsave(&t->wsk, flags);
	xa_for_each(&t->wsk, index, e) {
		if (e == s) {
			__xa_erase(&t->wsk, index);
			break;
		}
	}
	xa_unlock_irqrestore(&t->wsk, flags);
}

int wt_socket(struct kunit *test, int family, unsigned int flags, struct wsk_socket **s)
{
	return wt_socket_ctx(test, family, flags, NULL, NULL, s);
}

int wt_socket_ctx(struct kunit *test, int family, unsigned int flags, void *context,
		  const void *dispatch, struct wsk_socket **s)
{
	struct wsk_sync sync;
	int err;

	*s = NULL;
	wsk_sync_init(&sync);
	err = wsk_socket(wt(test)->client, &init_net, family, flags, context, dispatch,
			 &sync.req);
	err = wsk_sync_wait_timeout(&sync, err, WT_TIMEOUT);
	if (!err) {
		*s = sync.req.result.socket;
		wt_track(test, *s);
	}
	return err;
}

int wt_bind(struct kunit *test, struct wsk_socket *s, const struct sockaddr *addr, int len)
{
	struct wsk_sync sync;

	wsk_sync_init(&sync);
	return wsk_sync_wait_timeout(&sync, wsk_bind(s, addr, len, 0, &sync.req), WT_TIMEOUT);
}

int wt_close(struct kunit *test, struct wsk_socket *s)
{
	struct wsk_sync sync;

	wt_untrack(test, s);
	wsk_sync_init(&sync);
	return wsk_sync_wait_timeout(&sync, wsk_close(s, &sync.req), WT_TIMEOUT);
}

int wt_set_u32(struct kunit *test, struct wsk_socket *s, int level, u32 code, u32 val)
{
	struct wsk_sync sync;

	wsk_sync_init(&sync);
	return wsk_sync_wait_timeout(&sync, wsk_control(s, WSK_SET_OPTION, code, level,
							sizeof(val), &val, 0, NULL, NULL,
							&sync.req), WT_TIMEOUT);
}

int wt_get_int(struct kunit *test, struct wsk_socket *s, int level, u32 code, int *val)
{
	struct wsk_sync sync;
	size_t returned = 0;
	int err;

	wsk_sync_init(&sync);
	err = wsk_sync_wait_timeout(&sync, wsk_control(s, WSK_GET_OPTION, code, level, 0, NULL,
						       sizeof(*val), val, &returned, &sync.req),
				    WT_TIMEOUT);
	if (!err) {
		KUNIT_EXPECT_EQ(test, returned, sizeof(*val));
		KUNIT_EXPECT_EQ(test, sync.req.result.bytes, sizeof(*val));
	}
	return err;
}

int wt_local_address(struct kunit *test, struct wsk_socket *s, struct sockaddr_storage *ss)
{
	struct wsk_sync sync;

	wsk_sync_init(&sync);
	return wsk_sync_wait(&sync, wsk_get_local_address(s, ss, &sync.req));
}

int wt_remote_address(struct kunit *test, struct wsk_socket *s, struct sockaddr_storage *ss)
{
	struct wsk_sync sync;

	wsk_sync_init(&sync);
	return wsk_sync_wait(&sync, wsk_get_remote_address(s, ss, &sync.req));
}

int wt_addr(struct sockaddr_storage *ss, int family, bool any, u16 port)
{
	struct sockaddr_in6 *sin6;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr.s_addr = htonl(any ? INADDR_ANY : INADDR_LOOPBACK);
		return sizeof(*sin);
	}
	sin6 = (struct sockaddr_in6 *)ss;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	sin6->sin6_addr = any ? in6addr_any : in6addr_loopback;
	return sizeof(*sin6);
}

size_t wt_tail_touched(const struct sockaddr_storage *ss, int family)
{
	size_t len = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	const u8 *p = (const u8 *)ss;
	size_t i, touched = 0;

	for (i = len; i < sizeof(*ss); i++)
		touched += p[i] != WT_POISON;
	return touched;
}

u16 wt_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return 0;
}

struct wsk_socket *wt_listener(struct kunit *test, int family, bool any, u32 backlog,
			       u16 *port)
{
	return wt_listener_ctx(test, family, any, backlog, NULL, NULL, port);
}

struct wsk_socket *wt_listener_ctx(struct kunit *test, int family, bool any, u32 backlog,
				   void *context, const struct wsk_client_listen_dispatch *dispatch,
				   u16 *port)
{
	struct sockaddr_storage ss;
	struct wsk_socket *s;
	int len;

	KUNIT_ASSERT_EQ(test, wt_socket_ctx(test, family, WSK_FLAG_LISTEN_SOCKET, context,
					    dispatch, &s), 0);
	if (backlog)
		KUNIT_ASSERT_EQ(test, wt_set_u32(test, s, SOL_SOCKET, WSK_SO_LISTEN_BACKLOG,
						 backlog), 0);
	len = wt_addr(&ss, family, any, 0);
	KUNIT_ASSERT_EQ(test, wt_bind(test, s, (struct sockaddr *)&ss, len), 0);
	KUNIT_ASSERT_EQ(test, wt_local_address(test, s, &ss), 0);
	KUNIT_ASSERT_EQ(test, (int)ss.ss_family, family);
	*port = wt_port(&ss);
	KUNIT_ASSERT_NE(test, *port, 0);
	return s;
}

int wt_events(struct wsk_socket *s, u32 mask, struct wsk_req *req)
{
	struct wsk_event_callback_control ctl = { .event_mask = mask };

	return wsk_control(s, WSK_SET_OPTION, WSK_SO_EVENT_CALLBACK, SOL_SOCKET, sizeof(ctl),
			   &ctl, 0, NULL, NULL, req);
}

int wt_connect(struct kunit *test, int family, u16 port, u16 *client_port,
	       struct socket **sockp)
{
	struct sockaddr_storage ss;
	struct socket *sock;
	int len, err;

	*sockp = NULL;
	err = sock_create_kern(&init_net, family, SOCK_STREAM, IPPROTO_TCP, &sock);
	if (err)
		return err;
	len = wt_addr(&ss, family, false, port);
	err = kernel_connect(sock, (struct sockaddr *)&ss, len, 0);
	if (!err) {
		len = kernel_getsockname(sock, (struct sockaddr *)&ss);
		err = len < 0 ? len : 0;
	}
	if (err) {
		sock_release(sock);
		return err;
	}
	if (client_port)
		*client_port = wt_port(&ss);
	err = wt_own(test, sock);
	if (!err)
		*sockp = sock;
	return err;
}

int wt_connect_early(struct kunit *test, int family, u16 port, u16 *client_port,
		     struct socket **sockp)
{
	struct sockaddr_storage ss;
	struct socket *sock;
	int len, err;

	*sockp = NULL;
	err = sock_create_kern(&init_net, family, SOCK_STREAM, IPPROTO_TCP, &sock);
	if (err)
		return err;
	len = wt_addr(&ss, family, false, 0);
	err = kernel_bind(sock, (struct sockaddr *)&ss, len);
	if (!err) {
		len = kernel_getsockname(sock, (struct sockaddr *)&ss);
		err = len < 0 ? len : 0;
	}
	if (!err) {
		if (client_port)
			*client_port = wt_port(&ss);
		len = wt_addr(&ss, family, false, port);
		err = kernel_connect(sock, (struct sockaddr *)&ss, len, 0);
	}
	if (err && err != -ECONNRESET) {
		sock_release(sock);
		return err;
	}
	if (wt_own(test, sock))
		return -ENOMEM;
	*sockp = sock;
	return err;
}

bool wt_reset_seen(struct socket *sock, int connect_ret)
{
	char byte;

	return connect_ret == -ECONNRESET || wt_recv_once(sock, &byte, 1) == -ECONNRESET;
}

KUNIT_DEFINE_ACTION_WRAPPER(wt_sock_release, sock_release, struct socket *);

int wt_own(struct kunit *test, struct socket *sock)
{
	return kunit_add_action_or_reset(test, wt_sock_release, sock);
}

void wt_release(struct kunit *test, struct socket *sock)
{
	kunit_release_action(test, wt_sock_release, sock);
}

void wt_reset(struct kunit *test, struct socket *sock)
{
	sock_no_linger(sock->sk);
	wt_release(test, sock);
}

int wt_send(struct socket *sock, const void *buf, size_t len)
{
	size_t done = 0;
	int n = 0;

	WRITE_ONCE(sock->sk->sk_sndtimeo, WT_TIMEOUT);
	while (done < len) {
		struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };
		struct kvec iov = {
			.iov_base = (void *)buf + done,
			.iov_len = len - done,
		};

		n = kernel_sendmsg(sock, &msg, &iov, 1, iov.iov_len);
		if (n <= 0)
			break;
		done += n;
	}
	return done ? done : n;
}

int wt_recv_once(struct socket *sock, void *buf, size_t len)
{
	struct msghdr msg = {};
	struct kvec iov = { .iov_base = buf, .iov_len = len };

	WRITE_ONCE(sock->sk->sk_rcvtimeo, WT_TIMEOUT);
	return kernel_recvmsg(sock, &msg, &iov, 1, len, 0);
}

int wt_recv(struct socket *sock, void *buf, size_t len)
{
	size_t done = 0;
	int n = 0;

	while (done < len) {
		n = wt_recv_once(sock, buf + done, len - done);
		if (n <= 0)
			break;
		done += n;
	}
	return done ? done : n;
}

long wt_stat(const char *name)
{
	size_t nlen = strlen(name);
	long val = LONG_MIN;
	char *buf, *rest, *line;
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	buf = kzalloc(4096, GFP_KERNEL);
	if (!buf)
		return LONG_MIN;
	f = filp_open("/sys/kernel/debug/wsk/stats", O_RDONLY, 0);
	if (IS_ERR(f))
		goto out;
	n = kernel_read(f, buf, 4095, &pos);
	filp_close(f, NULL);
	if (n <= 0)
		goto out;
	buf[n] = '\0';
	rest = buf;
	while ((line = strsep(&rest, "\n"))) {
		if (!strncmp(line, name, nlen) && line[nlen] == ' ') {
			if (kstrtol(line + nlen + 1, 10, &val))
				val = LONG_MIN;
			break;
		}
	}
out:
	kfree(buf);
	return val;
}

long wt_stat_wait(const char *name, long val)
{
	unsigned long end = jiffies + WT_TIMEOUT;
	long now;

	while ((now = wt_stat(name)) != val && time_before(jiffies, end))
		usleep_range(1000, 2000);
	return now;
}

bool wt_poll(bool (*cond)(void *arg), void *arg)
{
	unsigned long end = jiffies + WT_TIMEOUT;

	while (!cond(arg)) {
		if (time_after(jiffies, end))
			return false;
		usleep_range(1000, 2000);
	}
	return true;
}

bool wt_lock_waited(void *arg)
{
	struct sock *sk = arg;

	/* Polled, no wake-up to order against: a waiter is queued or not yet. */
	return waitqueue_active(&sk->sk_lock.wq);
}
