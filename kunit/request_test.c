// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "wsk_request": the seven request rules of the contract,
 * each checked on real loopback sockets. Exactly once, refused requests
 * (-EINVAL for NULL, -EBUSY for pending), the return value equal to the
 * status of synchronous completions, submission from atomic context and
 * from completion routines, resubmission from the completion routine,
 * cancel (pending, idle, and racing completion from a second thread), and
 * the synchronous helper.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <net/net_namespace.h>

#include "util.h"

static int wt_accept(struct wsk_socket *ls, struct wt_req *r)
{
	return wsk_accept(ls, 0, r, NULL, &r->local, &r->remote, &r->req);
}

/* Rule 3: a NULL request gives -EINVAL and starts nothing. */
static void wsk_request_null_req(struct kunit *test)
{
	long pending = wt_stat("requests_pending");
	struct sockaddr_storage ss;
	struct wsk_socket *ls;
	int len, val = 0;
	u16 port;

	KUNIT_ASSERT_NE(test, pending, LONG_MIN);
	ls = wt_listener(test, AF_INET, false, 0, &port);
	len = wt_addr(&ss, AF_INET, false, 0);

	KUNIT_EXPECT_EQ(test, wsk_socket(wt(test)->client, &init_net, AF_INET,
					 WSK_FLAG_LISTEN_SOCKET, NULL, NULL, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, wsk_bind(ls, (struct sockaddr *)&ss, len, 0, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, wsk_accept(ls, 0, NULL, NULL, NULL, NULL, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, wsk_get_local_address(ls, &ss, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, wsk_get_remote_address(ls, &ss, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, wsk_control(ls, WSK_GET_OPTION, SO_REUSEADDR, SOL_SOCKET, 0, NULL,
					  sizeof(val), &val, NULL, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, wsk_connect(ls, (struct sockaddr *)&ss, len, 0, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, wsk_send(ls, NULL, 0, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, wsk_receive(ls, NULL, 0, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, wsk_disconnect(ls, NULL, 0, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, wsk_inspect_complete(ls, NULL, WSK_INSPECT_ACCEPT, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, wsk_close(ls, NULL), -EINVAL);
	KUNIT_EXPECT_FALSE(test, wsk_req_cancel(NULL));
	KUNIT_EXPECT_EQ(test, wt_stat("requests_pending"), pending);

	/* Nothing was started: in particular the NULL close did not close it. */
	KUNIT_EXPECT_EQ(test, wt_local_address(test, ls, &ss), 0);
	KUNIT_EXPECT_EQ(test, wt_port(&ss), port);
	KUNIT_EXPECT_EQ(test, wt_close(test, ls), 0);
}

/* Rule 3: a request still pending gives -EBUSY, and nothing is completed. */
static void wsk_request_busy(struct kunit *test)
{
	struct wt_req *r = wt_req_new(test);
	struct sockaddr_storage ss;
	struct socket *csock;
	struct wsk_socket *ls;
	u16 port, cport;
	int len;

	ls = wt_listener(test, AF_INET, false, 0, &port);
	len = wt_addr(&ss, AF_INET, false, 0);

	KUNIT_ASSERT_EQ(test, wt_accept(ls, r), -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, wt_accept(ls, r), -EBUSY);
	KUNIT_EXPECT_EQ(test, wsk_bind(ls, (struct sockaddr *)&ss, len, 0, &r->req), -EBUSY);
	KUNIT_EXPECT_EQ(test, wsk_get_local_address(ls, &ss, &r->req), -EBUSY);
	KUNIT_EXPECT_EQ(test, wsk_socket(wt(test)->client, &init_net, AF_INET,
					 WSK_FLAG_LISTEN_SOCKET, NULL, NULL, &r->req), -EBUSY);
	KUNIT_EXPECT_EQ(test, wsk_send(ls, NULL, 0, &r->req), -EBUSY);
	KUNIT_EXPECT_EQ(test, wsk_close(ls, &r->req), -EBUSY);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 0);

	/* The original submission is untouched: it takes the next connection. */
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, port, &cport, &csock), 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_EXPECT_EQ(test, r->status, 0);
	KUNIT_ASSERT_NOT_NULL(test, r->socket);
	wt_track(test, r->socket);
	KUNIT_EXPECT_EQ(test, wt_port(&r->remote), cport);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 1);
}

/* Complete-then-return: the return value is the status, already completed. */
static void wt_expect_sync(struct kunit *test, struct wt_req *r, int expected, int ret,
			   int line)
{
	KUNIT_EXPECT_EQ_MSG(test, ret, expected, "line %d", line);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&r->count), ++r->checked, "line %d", line);
	KUNIT_EXPECT_EQ_MSG(test, r->status, ret, "line %d", line);
	KUNIT_EXPECT_EQ_MSG(test, r->req.status, ret, "line %d", line);
}

#define WT_EXPECT_SYNC(test, r, expected, call) \
	wt_expect_sync(test, r, expected, call, __LINE__)

/* Rule 2: any return but -EINPROGRESS means completed with that status. */
static void wsk_request_sync_status(struct kunit *test)
{
	struct wt_req *r = wt_req_new(test);
	struct wsk_client *c = wt(test)->client;
	struct sockaddr_storage ss, ss6;
	struct wsk_socket *ls, *unbound;
	int len, len6, val = 0;
	u16 port;

	ls = wt_listener(test, AF_INET, false, 0, &port);
	KUNIT_ASSERT_EQ(test, wt_socket(test, AF_INET, WSK_FLAG_LISTEN_SOCKET, &unbound), 0);
	len = wt_addr(&ss, AF_INET, false, 0);
	len6 = wt_addr(&ss6, AF_INET6, false, 0);

	WT_EXPECT_SYNC(test, r, -EINVAL, wsk_socket(c, &init_net, AF_UNIX,
						    WSK_FLAG_LISTEN_SOCKET, NULL, NULL, &r->req));
	WT_EXPECT_SYNC(test, r, -EINVAL, wsk_socket(c, &init_net, AF_INET, 3, NULL, NULL,
						    &r->req));
	WT_EXPECT_SYNC(test, r, -EINVAL, wsk_socket(c, NULL, AF_INET,
						    WSK_FLAG_LISTEN_SOCKET, NULL, NULL, &r->req));
	WT_EXPECT_SYNC(test, r, -EINVAL, wsk_bind(unbound, (struct sockaddr *)&ss6, len6, 0,
						  &r->req));
	WT_EXPECT_SYNC(test, r, -EINVAL, wsk_bind(unbound, (struct sockaddr *)&ss, len, 1,
						  &r->req));
	WT_EXPECT_SYNC(test, r, -EINVAL, wsk_bind(unbound, (struct sockaddr *)&ss, len - 1, 0,
						  &r->req));
	WT_EXPECT_SYNC(test, r, -EINVAL, wsk_bind(NULL, (struct sockaddr *)&ss, len, 0,
						  &r->req));
	WT_EXPECT_SYNC(test, r, -EINVAL, wt_accept(unbound, r));
	WT_EXPECT_SYNC(test, r, -EINVAL, wsk_accept(ls, 1, NULL, NULL, NULL, NULL, &r->req));
	WT_EXPECT_SYNC(test, r, -EINVAL, wsk_get_local_address(unbound, &ss, &r->req));
	WT_EXPECT_SYNC(test, r, -EOPNOTSUPP, wsk_get_remote_address(ls, &ss, &r->req));
	WT_EXPECT_SYNC(test, r, -EOPNOTSUPP, wsk_control(ls, WSK_IOCTL, 0, 0, 0, NULL, 0, NULL,
							 NULL, &r->req));
	WT_EXPECT_SYNC(test, r, -EOPNOTSUPP, wsk_control(ls, WSK_SET_OPTION, SO_OOBINLINE,
							 SOL_SOCKET, sizeof(val), &val, 0,
							 NULL, NULL, &r->req));
	WT_EXPECT_SYNC(test, r, -EINVAL, wsk_control(ls, WSK_GET_OPTION, SO_REUSEADDR,
						     SOL_SOCKET, 0, NULL, 1, &val, NULL,
						     &r->req));
	WT_EXPECT_SYNC(test, r, -EOPNOTSUPP, wsk_send(ls, NULL, 0, &r->req));
	WT_EXPECT_SYNC(test, r, -EOPNOTSUPP, wsk_connect(ls, (struct sockaddr *)&ss, len, 0,
							 &r->req));
	WT_EXPECT_SYNC(test, r, -EINVAL, wsk_inspect_complete(ls, NULL, WSK_INSPECT_ACCEPT,
							      &r->req));
	WT_EXPECT_SYNC(test, r, -EINVAL, wsk_close(NULL, &r->req));

	/* Synchronous success is a completion too. */
	WT_EXPECT_SYNC(test, r, 0, wsk_get_local_address(ls, &ss, &r->req));
	KUNIT_EXPECT_EQ(test, r->req.result.bytes, sizeof(struct sockaddr_in));
	KUNIT_EXPECT_EQ(test, wt_port(&ss), port);
	WT_EXPECT_SYNC(test, r, 0, wsk_control(ls, WSK_GET_OPTION, SO_KEEPALIVE, SOL_SOCKET,
					       0, NULL, sizeof(val), &val, NULL, &r->req));
	KUNIT_EXPECT_EQ(test, r->req.result.bytes, sizeof(val));
}

/* Rule 1: one completion per submission, whatever path completes it. */
static void wsk_request_exactly_once(struct kunit *test)
{
	struct wt_req *create = wt_req_new(test), *bind = wt_req_new(test);
	struct wt_req *setopt = wt_req_new(test), *acc = wt_req_new(test);
	struct wt_req *cancelled = wt_req_new(test), *addr = wt_req_new(test);
	struct wt_req *closed = wt_req_new(test), *close = wt_req_new(test);
	struct wt_req *close_conn = wt_req_new(test);
	struct sockaddr_storage ss;
	struct socket *csock;
	struct wsk_socket *ls;
	int len, one = 1;
	u16 cport;

	KUNIT_ASSERT_EQ(test, wsk_socket(wt(test)->client, &init_net, AF_INET6,
					 WSK_FLAG_LISTEN_SOCKET, NULL, NULL, &create->req),
			-EINPROGRESS);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, create));
	KUNIT_ASSERT_EQ(test, create->status, 0);
	ls = create->socket;
	wt_track(test, ls);

	KUNIT_EXPECT_EQ(test, wsk_control(ls, WSK_SET_OPTION, SO_REUSEADDR, SOL_SOCKET,
					  sizeof(one), &one, 0, NULL, NULL, &setopt->req),
			-EINPROGRESS);
	len = wt_addr(&ss, AF_INET6, false, 0);
	KUNIT_ASSERT_EQ(test, wsk_bind(ls, (struct sockaddr *)&ss, len, 0, &bind->req),
			-EINPROGRESS);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, bind));
	KUNIT_ASSERT_TRUE(test, wt_wait(test, setopt));
	KUNIT_EXPECT_EQ(test, setopt->status, 0);
	KUNIT_ASSERT_EQ(test, bind->status, 0);
	KUNIT_ASSERT_EQ(test, wsk_get_local_address(ls, &ss, &addr->req), 0);

	KUNIT_ASSERT_EQ(test, wt_accept(ls, cancelled), -EINPROGRESS);
	KUNIT_EXPECT_TRUE(test, wsk_req_cancel(&cancelled->req));
	KUNIT_ASSERT_EQ(test, wt_accept(ls, acc), -EINPROGRESS);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET6, wt_port(&ss), &cport, &csock), 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, acc));
	KUNIT_ASSERT_EQ(test, acc->status, 0);
	KUNIT_ASSERT_EQ(test, wt_accept(ls, closed), -EINPROGRESS);

	KUNIT_EXPECT_EQ(test, wsk_close(acc->socket, &close_conn->req), -EINPROGRESS);
	wt_untrack(test, ls);
	KUNIT_EXPECT_EQ(test, wsk_close(ls, &close->req), -EINPROGRESS);
	KUNIT_EXPECT_TRUE(test, wt_wait(test, close));
	KUNIT_EXPECT_TRUE(test, wt_wait(test, close_conn));
	KUNIT_EXPECT_TRUE(test, wt_wait(test, closed));
	KUNIT_EXPECT_EQ(test, closed->status, -ECANCELED);

	/* Give a stray second completion every chance to show up. */
	msleep(100);
	KUNIT_EXPECT_EQ(test, atomic_read(&create->count), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&setopt->count), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&bind->count), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&addr->count), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&cancelled->count), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&acc->count), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&closed->count), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&close_conn->count), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&close->count), 1);
}

/*
 * A completion routine that submits another request: used inline under a
 * spinlock with interrupts off, so the nested call runs in atomic context.
 */
struct wt_chain {
	struct wt_req r;
	struct wsk_socket *ls;
	struct wt_req *next;
	int next_ret;
};

static void wt_chain_complete(struct wsk_req *req)
{
	struct wt_chain *chain = container_of(req, struct wt_chain, r.req);

	chain->next_ret = wt_accept(chain->ls, chain->next);
	atomic_inc(&chain->r.count);
	complete(&chain->r.done);
}

/* Softirq context: a timer that submits and cancels. */
struct wt_timer {
	struct timer_list timer;
	struct wsk_socket *ls;
	struct wt_req *r;
	int ret;
	bool cancelled;
	bool in_softirq;
	struct completion done;
};

static void wt_timer_fn(struct timer_list *timer)
{
	struct wt_timer *t = from_timer(t, timer, timer);

	t->in_softirq = in_softirq();
	t->ret = wt_accept(t->ls, t->r);
	t->cancelled = wsk_req_cancel(&t->r->req);
	complete(&t->done);
}

static DEFINE_SPINLOCK(wt_atomic_lock);

/*
 * Rules 4 and 5: request functions called with a spinlock held and
 * interrupts off, from a timer (softirq), and from completion routines
 * running there. CONFIG_DEBUG_ATOMIC_SLEEP with panic_on_warn turns any sleep
 * into a failure.
 */
static void wsk_request_atomic_context(struct kunit *test)
{
	struct wt_req *a = wt_req_new(test), *b = wt_req_new(test), *c = wt_req_new(test);
	struct wt_req *d = wt_req_new(test), *e = wt_req_new(test), *f = wt_req_new(test);
	struct wt_req *next = wt_req_new(test);
	struct wt_chain *chain;
	struct wt_timer *tm;
	struct sockaddr_storage ss;
	struct socket *csock;
	struct wsk_socket *ls;
	int ret[8], val = 0, one = 1;
	unsigned long flags;
	bool cancelled;
	u16 port, cport;

	chain = kunit_kzalloc(test, sizeof(*chain), GFP_KERNEL);
	tm = kunit_kzalloc(test, sizeof(*tm), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, chain);
	KUNIT_ASSERT_NOT_NULL(test, tm);
	ls = wt_listener(test, AF_INET, false, 0, &port);

	wsk_req_init(&chain->r.req, wt_chain_complete, chain);
	init_completion(&chain->r.done);
	chain->ls = ls;
	chain->next = next;

	spin_lock_irqsave(&wt_atomic_lock, flags);
	ret[0] = wt_accept(ls, a);
	cancelled = wsk_req_cancel(&a->req);
	ret[1] = wsk_get_local_address(ls, &ss, &b->req);
	ret[2] = wsk_control(ls, WSK_GET_OPTION, SO_REUSEADDR, SOL_SOCKET, 0, NULL,
			     sizeof(val), &val, NULL, &c->req);
	ret[3] = wsk_control(ls, WSK_SET_OPTION, SO_KEEPALIVE, SOL_SOCKET, sizeof(one), &one,
			     0, NULL, NULL, &d->req);
	ret[4] = wsk_socket(wt(test)->client, &init_net, AF_INET, WSK_FLAG_CONNECTION_SOCKET,
			    NULL, NULL, &e->req);
	/* Completes inline; its routine submits an accept, still in atomic context. */
	ret[5] = wsk_get_local_address(ls, &ss, &chain->r.req);
	spin_unlock_irqrestore(&wt_atomic_lock, flags);

	KUNIT_EXPECT_EQ(test, ret[0], -EINPROGRESS);
	KUNIT_EXPECT_TRUE(test, cancelled);
	KUNIT_EXPECT_EQ(test, a->status, -ECANCELED);
	KUNIT_EXPECT_EQ(test, ret[1], 0);
	KUNIT_EXPECT_EQ(test, ret[2], 0);
	KUNIT_EXPECT_EQ(test, ret[3], -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, ret[4], -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, ret[5], 0);
	KUNIT_EXPECT_EQ(test, chain->next_ret, -EINPROGRESS);
	KUNIT_EXPECT_TRUE(test, wt_wait(test, d));
	KUNIT_EXPECT_EQ(test, d->status, 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, e));
	KUNIT_ASSERT_EQ(test, e->status, 0);

	/* The accept submitted from the completion routine is served. */
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, port, &cport, &csock), 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, next));
	KUNIT_ASSERT_EQ(test, next->status, 0);
	wt_track(test, next->socket);
	KUNIT_EXPECT_EQ(test, wt_port(&next->remote), cport);

	/* From softirq: submit and cancel in a timer callback. */
	init_completion(&tm->done);
	tm->ls = ls;
	tm->r = wt_req_new(test);
	timer_setup(&tm->timer, wt_timer_fn, 0);
	mod_timer(&tm->timer, jiffies + 1);
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&tm->done, WT_TIMEOUT));
	timer_delete_sync(&tm->timer);
	KUNIT_EXPECT_TRUE(test, tm->in_softirq);
	KUNIT_EXPECT_EQ(test, tm->ret, -EINPROGRESS);
	KUNIT_EXPECT_TRUE(test, tm->cancelled);
	KUNIT_EXPECT_EQ(test, tm->r->status, -ECANCELED);
	KUNIT_EXPECT_EQ(test, atomic_read(&tm->r->count), 1);

	/* Close both sockets in atomic context. */
	wt_untrack(test, ls);
	wt_req_init(a);
	spin_lock_irqsave(&wt_atomic_lock, flags);
	ret[6] = wsk_close(e->socket, &f->req);
	ret[7] = wsk_close(ls, &a->req);
	spin_unlock_irqrestore(&wt_atomic_lock, flags);
	KUNIT_EXPECT_EQ(test, ret[6], -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, ret[7], -EINPROGRESS);
	KUNIT_EXPECT_TRUE(test, wt_wait(test, f));
	KUNIT_EXPECT_TRUE(test, wt_wait(test, a));
	KUNIT_EXPECT_EQ(test, f->status, 0);
	KUNIT_EXPECT_EQ(test, a->status, 0);
}

/* A request that resubmits itself from its completion routine. */
#define WT_RESUBMIT	8

struct wt_resubmit {
	struct wsk_req req;
	struct wsk_socket *ls;
	struct sockaddr_storage remote;
	struct wsk_socket *got[WT_RESUBMIT];
	u16 ports[WT_RESUBMIT];
	int n;
	int bad;
	struct completion done;
};

static void wt_resubmit_complete(struct wsk_req *req)
{
	struct wt_resubmit *rs = container_of(req, struct wt_resubmit, req);
	int ret;

	if (req->status || !req->result.socket || rs->n >= WT_RESUBMIT) {
		rs->bad++;
		complete(&rs->done);
		return;
	}
	rs->ports[rs->n] = wt_port(&rs->remote);
	rs->got[rs->n++] = req->result.socket;
	if (rs->n == WT_RESUBMIT) {
		complete(&rs->done);
		return;
	}
	ret = wsk_accept(rs->ls, 0, NULL, NULL, NULL, &rs->remote, req);
	if (ret != -EINPROGRESS && ret != 0)
		rs->bad++;
}

/* Rule 5: a completion routine may resubmit its own request. */
static void wsk_request_resubmit(struct kunit *test)
{
	struct wt_resubmit *rs = kunit_kzalloc(test, sizeof(*rs), GFP_KERNEL);
	u16 port, cports[WT_RESUBMIT];
	struct socket *csock;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, rs);
	rs->ls = wt_listener(test, AF_INET, false, 0, &port);
	init_completion(&rs->done);
	wsk_req_init(&rs->req, wt_resubmit_complete, rs);
	KUNIT_ASSERT_EQ(test, wsk_accept(rs->ls, 0, NULL, NULL, NULL, &rs->remote, &rs->req),
			-EINPROGRESS);
	for (i = 0; i < WT_RESUBMIT; i++)
		KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, port, &cports[i], &csock), 0);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&rs->done, WT_TIMEOUT));
	KUNIT_EXPECT_EQ(test, rs->bad, 0);
	KUNIT_EXPECT_EQ(test, rs->n, WT_RESUBMIT);
	for (i = 0; i < rs->n; i++) {
		wt_track(test, rs->got[i]);
		KUNIT_EXPECT_EQ(test, rs->ports[i], cports[i]);
	}
}

/* Rule 6: cancel of a pending request completes it -ECANCELED, result zero. */
static void wsk_request_cancel_pending(struct kunit *test)
{
	struct wt_req *r = wt_req_new(test), *r2 = wt_req_new(test);
	struct socket *csock;
	struct wsk_socket *ls;
	u16 port, cport;
	int ret;

	ls = wt_listener(test, AF_INET, false, 0, &port);
	KUNIT_ASSERT_EQ(test, wt_accept(ls, r), -EINPROGRESS);
	KUNIT_EXPECT_TRUE(test, wsk_req_cancel(&r->req));
	/* Completed inside the cancel call. */
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 1);
	KUNIT_EXPECT_EQ(test, r->status, -ECANCELED);
	KUNIT_EXPECT_NULL(test, r->socket);
	KUNIT_EXPECT_NULL(test, r->req.result.socket);
	/* Now idle: a second cancel is a no-op. */
	KUNIT_EXPECT_FALSE(test, wsk_req_cancel(&r->req));
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 1);

	/* The cancelled request did not eat the next connection. */
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, port, &cport, &csock), 0);
	ret = wt_accept(ls, r2);
	KUNIT_EXPECT_TRUE(test, ret == 0 || ret == -EINPROGRESS);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r2));
	KUNIT_ASSERT_EQ(test, r2->status, 0);
	wt_track(test, r2->socket);
	KUNIT_EXPECT_EQ(test, wt_port(&r2->remote), cport);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 1);
}

/* Rule 6: cancel of a request that is not pending is a no-op returning false. */
static void wsk_request_cancel_idle(struct kunit *test)
{
	struct wt_req *r = wt_req_new(test);
	struct wsk_req *zeroed = kunit_kzalloc(test, sizeof(*zeroed), GFP_KERNEL);
	struct sockaddr_storage ss;
	struct wsk_socket *ls;
	u16 port;

	KUNIT_ASSERT_NOT_NULL(test, zeroed);
	KUNIT_EXPECT_FALSE(test, wsk_req_cancel(&r->req));	/* never submitted */
	KUNIT_EXPECT_FALSE(test, wsk_req_cancel(zeroed));	/* zero-filled */
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 0);

	ls = wt_listener(test, AF_INET, false, 0, &port);
	KUNIT_ASSERT_EQ(test, wsk_get_local_address(ls, &ss, &r->req), 0);
	KUNIT_EXPECT_FALSE(test, wsk_req_cancel(&r->req));	/* completed */
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 1);
	KUNIT_EXPECT_EQ(test, r->status, 0);
}

/* The second thread of the race tests: cancels its target when told to. */
struct wt_racer {
	struct task_struct *task;
	struct wsk_req *target;
	struct completion go;
	struct completion done;
	unsigned int max_delay_us;
	bool result;
};

static int wt_racer_fn(void *data)
{
	struct wt_racer *racer = data;

	while (!kthread_should_stop()) {
		if (!wait_for_completion_timeout(&racer->go, HZ / 10))
			continue;
		if (racer->max_delay_us)
			udelay(get_random_u32_below(racer->max_delay_us));
		racer->result = wsk_req_cancel(racer->target);
		complete(&racer->done);
	}
	return 0;
}

static void wt_racer_stop(void *data)
{
	struct wt_racer *racer = data;

	if (racer->task) {
		kthread_stop(racer->task);
		racer->task = NULL;
	}
}

/* The racer is stopped by wt_racer_stop(), or at the latest when the test ends. */
static struct wt_racer *wt_racer_start(struct kunit *test, unsigned int max_delay_us)
{
	struct wt_racer *racer = kunit_kzalloc(test, sizeof(*racer), GFP_KERNEL);
	struct task_struct *task;

	KUNIT_ASSERT_NOT_NULL(test, racer);
	init_completion(&racer->go);
	init_completion(&racer->done);
	racer->max_delay_us = max_delay_us;
	task = kthread_run(wt_racer_fn, racer, "wsk_racer");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	racer->task = task;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, wt_racer_stop, racer), 0);
	return racer;
}

#define WT_RACE_OP_ITERATIONS	10000
/* ... and up to this many more while one of the outcomes has not occurred. */
#define WT_RACE_OP_MAX		50000

/*
 * Rule 6 and rule 1 under a race: a queued option change completed by the
 * socket's work races wsk_req_cancel() from a kthread, 10,000 times. Every
 * iteration: exactly one completion; -ECANCELED exactly when the cancel
 * reported true; 0 otherwise.
 */
static void wsk_request_cancel_race_op(struct kunit *test)
{
	struct wt_req *r = wt_req_new(test);
	unsigned int won_cancel = 0, won_op = 0, bad = 0, i;
	struct wt_racer *racer;
	struct wsk_socket *ls;
	unsigned long t0 = jiffies;
	u16 port;
	int val;

	ls = wt_listener(test, AF_INET, false, 0, &port);
	racer = wt_racer_start(test, 100);
	racer->target = &r->req;

	for (i = 0; !bad && (i < WT_RACE_OP_ITERATIONS ||
			     ((!won_cancel || !won_op) && i < WT_RACE_OP_MAX)); i++) {
		val = i & 1;
		wt_req_init(r);
		if (wsk_control(ls, WSK_SET_OPTION, SO_KEEPALIVE, SOL_SOCKET, sizeof(val), &val,
				0, NULL, NULL, &r->req) != -EINPROGRESS) {
			bad++;
			break;
		}
		complete(&racer->go);
		if (!wait_for_completion_timeout(&r->done, WT_TIMEOUT) ||
		    !wait_for_completion_timeout(&racer->done, WT_TIMEOUT)) {
			KUNIT_FAIL(test, "iteration %u: no completion", i);
			bad++;
			break;
		}
		if (atomic_read(&r->count) != 1) {
			KUNIT_FAIL(test, "iteration %u: %d completions", i, atomic_read(&r->count));
			bad++;
		} else if (racer->result) {
			if (r->status != -ECANCELED) {
				KUNIT_FAIL(test, "iteration %u: cancel won, status %d", i,
					   r->status);
				bad++;
			}
			won_cancel++;
		} else {
			if (r->status != 0) {
				KUNIT_FAIL(test, "iteration %u: op won, status %d", i, r->status);
				bad++;
			}
			won_op++;
		}
	}
	wt_racer_stop(racer);
	/* No late second completion of the last iteration. */
	msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 1);
	KUNIT_EXPECT_EQ(test, bad, 0);
	KUNIT_EXPECT_EQ(test, won_cancel + won_op, i);
	/* Both outcomes must occur, or the test did not race anything. */
	KUNIT_EXPECT_GT(test, won_cancel, 0);
	KUNIT_EXPECT_GT(test, won_op, 0);
	kunit_info(test, "%u iterations in %u ms: cancel won %u, completion won %u\n",
		   i, jiffies_to_msecs(jiffies - t0), won_cancel, won_op);
}

#define WT_RACE_ACCEPT_ITERATIONS	250

/*
 * Accept against cancel: each iteration submits an accept, then connects a
 * client while a kthread cancels the accept. Whichever wins, the request
 * completes once; a connection whose request was cancelled after the
 * worker took it is parked and served (inline) to a later accept; at the
 * end every connection has been delivered exactly once (counted per client
 * port, which the kernel may reuse after a connection is gone).
 */
static void wsk_request_cancel_race_accept(struct kunit *test)
{
	unsigned int won_cancel = 0, won_accept = 0, inline_acc = 0, delivered = 0, bad = 0;
	struct wt_req *r = wt_req_new(test), *c = wt_req_new(test);
	unsigned long t0 = jiffies;
	struct wt_racer *racer;
	struct wsk_socket *ls;
	struct socket *csock;
	u16 port, cport;
	u8 *conns, *accs;
	unsigned int i;
	int ret;

	conns = kunit_kzalloc(test, 65536, GFP_KERNEL);
	accs = kunit_kzalloc(test, 65536, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, conns);
	KUNIT_ASSERT_NOT_NULL(test, accs);
	ls = wt_listener(test, AF_INET, false, 0, &port);
	racer = wt_racer_start(test, 200);
	racer->target = &r->req;

	for (i = 0; i < WT_RACE_ACCEPT_ITERATIONS && !bad; i++) {
		wt_req_init(r);
		ret = wt_accept(ls, r);
		if (ret == -EINPROGRESS)
			complete(&racer->go);
		else if (ret)
			bad++;
		if (wt_connect(test, AF_INET, port, &cport, &csock)) {
			bad++;
			break;
		}
		conns[cport]++;
		wt_release(test, csock);
		if (!wait_for_completion_timeout(&r->done, WT_TIMEOUT) ||
		    (ret == -EINPROGRESS &&
		     !wait_for_completion_timeout(&racer->done, WT_TIMEOUT))) {
			KUNIT_FAIL(test, "iteration %u: no completion", i);
			bad++;
			break;
		}
		if (atomic_read(&r->count) != 1) {
			KUNIT_FAIL(test, "iteration %u: %d completions", i, atomic_read(&r->count));
			bad++;
			break;
		}
		if (ret == -EINPROGRESS && racer->result) {
			won_cancel++;
			if (r->status != -ECANCELED || r->socket)
				bad++;
			continue;
		}
		if (r->status || !r->socket) {
			KUNIT_FAIL(test, "iteration %u: status %d", i, r->status);
			bad++;
			break;
		}
		if (ret == 0)
			inline_acc++;
		else
			won_accept++;
		accs[wt_port(&r->remote)]++;
		delivered++;
		wt_close(test, r->socket);
	}
	wt_racer_stop(racer);

	/* Collect the connections whose accepts were cancelled. */
	while (!bad && delivered < i) {
		wt_req_init(c);
		ret = wt_accept(ls, c);
		if ((ret && ret != -EINPROGRESS) || !wt_wait(test, c) || c->status) {
			bad++;
			break;
		}
		accs[wt_port(&c->remote)]++;
		delivered++;
		wt_close(test, c->socket);
	}
	KUNIT_EXPECT_EQ(test, bad, 0);
	KUNIT_EXPECT_EQ(test, delivered, i);
	KUNIT_EXPECT_EQ(test, memcmp(conns, accs, 65536), 0);
	KUNIT_EXPECT_GT(test, won_cancel, 0);
	KUNIT_EXPECT_GT(test, won_accept + inline_acc, 0);
	kunit_info(test, "%u iterations in %u ms: cancel won %u, accept won %u, inline %u\n",
		   i, jiffies_to_msecs(jiffies - t0), won_cancel, won_accept, inline_acc);
}

#define WT_RACE_CLOSE_ITERATIONS	400

/*
 * Cancel against close: the listener's close cancels a pending accept while
 * a kthread cancels it too, and the socket is freed right after. Exactly one
 * of them completes the request (-ECANCELED either way); a cancel that comes
 * late finds nothing, and never touches the freed socket (KASAN).
 */
static void wsk_request_cancel_race_close(struct kunit *test)
{
	struct wt_req *r = wt_req_new(test), *c = wt_req_new(test);
	unsigned int won_cancel = 0, won_close = 0, bad = 0, i;
	unsigned long t0 = jiffies;
	struct wt_racer *racer;
	struct wsk_socket *ls;
	u16 port;

	racer = wt_racer_start(test, 50);
	racer->target = &r->req;
	for (i = 0; i < WT_RACE_CLOSE_ITERATIONS && !bad; i++) {
		ls = wt_listener(test, AF_INET, false, 0, &port);
		wt_untrack(test, ls);
		wt_req_init(r);
		wt_req_init(c);
		if (wt_accept(ls, r) != -EINPROGRESS) {
			bad++;
			wt_close(test, ls);
			break;
		}
		complete(&racer->go);
		if (wsk_close(ls, &c->req) != -EINPROGRESS)
			bad++;
		if (!wait_for_completion_timeout(&c->done, WT_TIMEOUT) ||
		    !wait_for_completion_timeout(&r->done, WT_TIMEOUT) ||
		    !wait_for_completion_timeout(&racer->done, WT_TIMEOUT)) {
			KUNIT_FAIL(test, "iteration %u: no completion", i);
			bad++;
			break;
		}
		if (atomic_read(&r->count) != 1 || r->status != -ECANCELED || r->socket ||
		    c->status) {
			KUNIT_FAIL(test, "iteration %u: %d completions, status %d, close %d", i,
				   atomic_read(&r->count), r->status, c->status);
			bad++;
		}
		if (racer->result)
			won_cancel++;
		else
			won_close++;
	}
	wt_racer_stop(racer);
	KUNIT_EXPECT_EQ(test, bad, 0);
	KUNIT_EXPECT_EQ(test, won_cancel + won_close, WT_RACE_CLOSE_ITERATIONS);
	kunit_info(test, "%u iterations in %u ms: cancel won %u, close won %u\n", i,
		   jiffies_to_msecs(jiffies - t0), won_cancel, won_close);
}

/* The synchronous helper: inline, pending, refused and timed out. */
static void wsk_request_sync_helper(struct kunit *test)
{
	struct sockaddr_storage ss;
	struct wsk_sync sync;
	struct wsk_socket *ls;
	u16 port;
	int ret;

	ls = wt_listener(test, AF_INET, false, 0, &port);

	wsk_sync_init(&sync);
	KUNIT_EXPECT_EQ(test, wsk_sync_wait(&sync, wsk_get_local_address(ls, &ss, &sync.req)),
			0);
	KUNIT_EXPECT_EQ(test, wt_port(&ss), port);

	wsk_sync_init(&sync);
	KUNIT_EXPECT_EQ(test, wsk_sync_wait(&sync, wsk_accept(ls, 1, NULL, NULL, NULL, NULL,
							      &sync.req)), -EINVAL);

	/* A refused submission is returned as is, without waiting. */
	wsk_sync_init(&sync);
	ret = wsk_accept(ls, 0, NULL, NULL, NULL, NULL, &sync.req);
	KUNIT_ASSERT_EQ(test, ret, -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, wsk_sync_wait(&sync, wsk_accept(ls, 0, NULL, NULL, NULL, NULL,
							      &sync.req)), -EBUSY);
	KUNIT_EXPECT_TRUE(test, wsk_req_cancel(&sync.req));
	KUNIT_EXPECT_EQ(test, wsk_sync_wait(&sync, ret), -ECANCELED);

	/* An accept with nobody connecting is cancelled at the timeout. */
	wsk_sync_init(&sync);
	KUNIT_EXPECT_EQ(test, wsk_sync_wait_timeout(&sync, wsk_accept(ls, 0, NULL, NULL, NULL,
								      NULL, &sync.req),
						    HZ / 10), -ECANCELED);
	KUNIT_EXPECT_NULL(test, sync.req.result.socket);
}

static struct kunit_case wsk_request_cases[] = {
	KUNIT_CASE(wsk_request_null_req),
	KUNIT_CASE(wsk_request_busy),
	KUNIT_CASE(wsk_request_sync_status),
	KUNIT_CASE(wsk_request_exactly_once),
	KUNIT_CASE(wsk_request_atomic_context),
	KUNIT_CASE(wsk_request_resubmit),
	KUNIT_CASE(wsk_request_cancel_pending),
	KUNIT_CASE(wsk_request_cancel_idle),
	KUNIT_CASE_SLOW(wsk_request_cancel_race_op),
	KUNIT_CASE_SLOW(wsk_request_cancel_race_accept),
	KUNIT_CASE_SLOW(wsk_request_cancel_race_close),
	KUNIT_CASE(wsk_request_sync_helper),
	{}
};

static struct kunit_suite wsk_request_suite = {
	.name = "wsk_request",
	.init = wt_init,
	.exit = wt_exit,
	.test_cases = wsk_request_cases,
};

kunit_test_suite(wsk_request_suite);
