// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "wsk_storm": 1,000 loopback connections, opened and closed in
 * a loop by in-kernel client sockets, against 16 accept requests that
 * resubmit themselves from their completion routines and close each
 * accepted socket there (abortively, from completion context). Every
 * connection must be accepted exactly once (counted per client port, as the
 * kernel may reuse a port once its connection is gone), and the counters
 * must come back once everything is closed.
 *
 * Under TCG with KASAN and lockdep one loopback connection costs about
 * 30 ms, so this storm is sized to keep the debug kernel's run short; the
 * 5,000-connection in-kernel storm runs on the stock kernels
 * (samples/wsk_kclient driven by tools/tests/30-accept-storm.sh), where the
 * same accept path is fast. Batches stay below the hung-task timeout (60 s)
 * that the task waiting for one KUnit case would trip. It is one storm (one
 * listener, the same 16 requests throughout, set up by the suite's init), run
 * as a parameterised case: one batch of 1,000 connections, then the close
 * and the verdict.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "util.h"

#define WT_STORM_BATCHES	1
#define WT_STORM_BATCH		1000
#define WT_STORM_CONNS		(WT_STORM_BATCHES * WT_STORM_BATCH)
#define WT_STORM_REQS		16

struct wt_storm;

struct wt_storm_slot {
	struct wsk_req req;
	struct sockaddr_storage remote;
	struct wt_storm *storm;
};

struct wt_storm_close {
	struct wsk_req req;
	struct wt_storm *storm;
	bool dynamic;
};

struct wt_storm {
	struct wsk_client *client;
	struct wsk_socket *ls;
	u16 port;
	bool closed;
	long base_sockets;
	long base_pending;
	unsigned long t0;
	unsigned int connected;		/* by the client loop */
	u16 conns[65536];		/* per client port, by the client loop */
	struct wt_storm_slot slots[WT_STORM_REQS];
	struct wt_storm_close closes[WT_STORM_CONNS];
	spinlock_t lock;		/* @accepted, @total */
	u16 accepted[65536];		/* per client port */
	unsigned int total;
	atomic_t closes_in_flight;
	atomic_t live;
	atomic_t errors;
	atomic_t inline_accepts;
	struct completion slots_done;
};

/* The suite's one storm, from suite_init to suite_exit. */
static struct wt_storm *wt_storm;

static void wt_storm_close_complete(struct wsk_req *req)
{
	struct wt_storm_close *c = container_of(req, struct wt_storm_close, req);
	struct wt_storm *storm = c->storm;

	if (req->status)
		atomic_inc(&storm->errors);
	if (c->dynamic)
		kfree(c);
	atomic_dec(&storm->closes_in_flight);
}

/* Any context: from wsk's accept work, or inline from wsk_accept(). */
static void wt_storm_accept_complete(struct wsk_req *req)
{
	struct wt_storm_slot *slot = container_of(req, struct wt_storm_slot, req);
	struct wt_storm *storm = slot->storm;
	struct wsk_socket *s = req->result.socket;
	struct wt_storm_close *c;
	unsigned long flags;
	unsigned int n;

	if (req->status) {
		if (req->status != -ECANCELED)
			atomic_inc(&storm->errors);
		if (atomic_dec_and_test(&storm->live))
			complete(&storm->slots_done);
		return;
	}

	spin_lock_irqsave(&storm->lock, flags);
	storm->accepted[wt_port(&slot->remote)]++;
	n = ++storm->total;
	spin_unlock_irqrestore(&storm->lock, flags);

	if (n <= WT_STORM_CONNS) {
		c = &storm->closes[n - 1];
	} else {
		atomic_inc(&storm->errors);	/* more accepts than connections */
		c = kzalloc(sizeof(*c), GFP_ATOMIC);
		if (WARN_ON(!c))
			return;
		c->dynamic = true;
	}
	c->storm = storm;
	wsk_req_init(&c->req, wt_storm_close_complete, c);
	atomic_inc(&storm->closes_in_flight);
	if (wsk_close(s, &c->req) != -EINPROGRESS)
		atomic_inc(&storm->errors);

	/* Any return but 0 and -EINPROGRESS has retired the slot already. */
	if (!wsk_accept(storm->ls, 0, NULL, NULL, NULL, &slot->remote, req))
		atomic_inc(&storm->inline_accepts);
}

static bool wt_storm_wait(bool (*cond)(struct wt_storm *storm), struct wt_storm *storm)
{
	unsigned long end = jiffies + WT_TIMEOUT;

	while (!cond(storm)) {
		if (time_after(jiffies, end))
			return false;
		msleep(20);
	}
	return true;
}

static bool wt_storm_caught_up(struct wt_storm *storm)
{
	return READ_ONCE(storm->total) >= storm->connected;
}

static bool wt_storm_quiet(struct wt_storm *storm)
{
	return !atomic_read(&storm->closes_in_flight);
}

static bool wt_storm_counters_back(struct wt_storm *storm)
{
	return wt_stat("sockets") == storm->base_sockets &&
	       wt_stat("requests_pending") == storm->base_pending;
}

/* Close the listener, wait for every request and close to complete. */
static int wt_storm_stop(struct wt_storm *storm)
{
	struct wsk_sync sync;
	int err;

	if (storm->closed)
		return 0;
	storm->closed = true;
	wsk_sync_init(&sync);
	err = wsk_sync_wait_timeout(&sync, wsk_close(storm->ls, &sync.req), WT_TIMEOUT);
	if (!wait_for_completion_timeout(&storm->slots_done, WT_TIMEOUT))
		err = err ?: -ETIMEDOUT;
	if (!wt_storm_wait(wt_storm_quiet, storm))
		err = err ?: -ETIMEDOUT;
	return err;
}

static int wt_storm_suite_init(struct kunit_suite *suite)
{
	struct sockaddr_storage ss;
	struct wt_storm *storm;
	struct wsk_sync sync;
	int i, len, err;

	storm = vzalloc(sizeof(*storm));
	if (!storm)
		return -ENOMEM;
	spin_lock_init(&storm->lock);
	init_completion(&storm->slots_done);
	storm->base_sockets = wt_stat("sockets");
	storm->base_pending = wt_stat("requests_pending");
	storm->client = wsk_register(THIS_MODULE);
	if (IS_ERR(storm->client)) {
		err = PTR_ERR(storm->client);
		goto err_free;
	}

	wsk_sync_init(&sync);
	err = wsk_socket(storm->client, &init_net, AF_INET, WSK_FLAG_LISTEN_SOCKET, NULL, NULL,
			 &sync.req);
	err = wsk_sync_wait_timeout(&sync, err, WT_TIMEOUT);
	if (err)
		goto err_client;
	storm->ls = sync.req.result.socket;
	len = wt_addr(&ss, AF_INET, false, 0);
	wsk_sync_init(&sync);
	err = wsk_bind(storm->ls, (struct sockaddr *)&ss, len, 0, &sync.req);
	err = wsk_sync_wait_timeout(&sync, err, WT_TIMEOUT);
	if (!err) {
		wsk_sync_init(&sync);
		err = wsk_sync_wait(&sync, wsk_get_local_address(storm->ls, &ss, &sync.req));
	}
	storm->port = wt_port(&ss);

	atomic_set(&storm->live, WT_STORM_REQS);
	for (i = 0; i < WT_STORM_REQS; i++) {
		struct wt_storm_slot *slot = &storm->slots[i];

		slot->storm = storm;
		wsk_req_init(&slot->req, wt_storm_accept_complete, slot);
		if (err || wsk_accept(storm->ls, 0, NULL, NULL, NULL, &slot->remote,
				      &slot->req) != -EINPROGRESS) {
			err = err ?: -EIO;
			atomic_dec(&storm->live);
		}
	}
	if (!atomic_read(&storm->live))
		complete(&storm->slots_done);
	wt_storm = storm;
	storm->t0 = jiffies;
	if (err)
		wt_storm_stop(storm);
	return err;

err_client:
	wsk_deregister(storm->client);
err_free:
	vfree(storm);
	return err;
}

static void wt_storm_suite_exit(struct kunit_suite *suite)
{
	struct wt_storm *storm = wt_storm;

	if (!storm)
		return;
	wt_storm_stop(storm);
	wsk_deregister(storm->client);
	wt_storm = NULL;
	vfree(storm);
}

static const int wt_storm_steps[WT_STORM_BATCHES + 1] = { 0, 1 };

static void wt_storm_step_desc(const int *step, char *desc)
{
	if (*step < WT_STORM_BATCHES)
		snprintf(desc, KUNIT_PARAM_DESC_SIZE, "connections %d-%d",
			 *step * WT_STORM_BATCH + 1, (*step + 1) * WT_STORM_BATCH);
	else
		snprintf(desc, KUNIT_PARAM_DESC_SIZE, "close and verify");
}

KUNIT_ARRAY_PARAM(wt_storm_step, wt_storm_steps, wt_storm_step_desc);

/* One batch: 1,000 client connections, each accepted before the batch ends. */
static void wt_storm_batch(struct kunit *test, struct wt_storm *storm)
{
	struct sockaddr_storage any, dst, ss;
	unsigned int i;
	unsigned long t0 = jiffies;
	struct socket *sock;
	int anylen, dstlen, err = 0;
	u16 cport = 0;

	anylen = wt_addr(&any, AF_INET, false, 0);
	dstlen = wt_addr(&dst, AF_INET, false, storm->port);
	for (i = 0; i < WT_STORM_BATCH; i++) {
		err = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP, &sock);
		if (err)
			break;
		/*
		 * Bind first to know the port even if the server's abortive
		 * close resets the connection before connect() returns (it
		 * then returns -ECONNRESET: established, accepted and reset).
		 */
		err = kernel_bind(sock, (struct sockaddr *)&any, anylen);
		if (!err) {
			err = kernel_getsockname(sock, (struct sockaddr *)&ss);
			err = err < 0 ? err : 0;
			cport = wt_port(&ss);
		}
		if (!err) {
			err = kernel_connect(sock, (struct sockaddr *)&dst, dstlen, 0);
			if (err == -ECONNRESET)
				err = 0;
		}
		sock_release(sock);
		if (err)
			break;
		storm->conns[cport]++;
		storm->connected++;
	}
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, i, WT_STORM_BATCH);
	KUNIT_EXPECT_TRUE_MSG(test, wt_storm_wait(wt_storm_caught_up, storm),
			      "%u connections, %u accepted", storm->connected,
			      READ_ONCE(storm->total));
	kunit_info(test, "%u connections in %u ms (%u in all, %d accepted inline)\n", i,
		   jiffies_to_msecs(jiffies - t0), storm->connected,
		   atomic_read(&storm->inline_accepts));
}

static void wt_storm_verify(struct kunit *test, struct wt_storm *storm)
{
	unsigned int port, mismatches = 0;

	KUNIT_EXPECT_EQ(test, wt_storm_stop(storm), 0);
	kunit_info(test, "storm: %u connections, %u accepted, %d inline, %u ms\n",
		   storm->connected, storm->total, atomic_read(&storm->inline_accepts),
		   jiffies_to_msecs(jiffies - storm->t0));
	KUNIT_EXPECT_EQ(test, atomic_read(&storm->errors), 0);
	KUNIT_EXPECT_EQ(test, storm->connected, WT_STORM_CONNS);
	KUNIT_EXPECT_EQ(test, storm->total, storm->connected);
	for (port = 0; port < 65536; port++) {
		if (storm->conns[port] == storm->accepted[port])
			continue;
		KUNIT_FAIL(test, "port %u: %u connections, %u accepts", port,
			   storm->conns[port], storm->accepted[port]);
		if (++mismatches == 8)
			break;
	}
	/* Every socket closed: the counters are back (the frees trail the closes). */
	KUNIT_EXPECT_TRUE_MSG(test, wt_storm_wait(wt_storm_counters_back, storm),
			      "sockets %ld (was %ld), requests_pending %ld (was %ld)",
			      wt_stat("sockets"), storm->base_sockets,
			      wt_stat("requests_pending"), storm->base_pending);
}

static void wsk_storm_accept(struct kunit *test)
{
	const int *step = test->param_value;
	struct wt_storm *storm = wt_storm;

	KUNIT_ASSERT_NOT_NULL(test, storm);
	KUNIT_ASSERT_FALSE_MSG(test, storm->closed, "the storm was stopped");
	if (*step < WT_STORM_BATCHES)
		wt_storm_batch(test, storm);
	else
		wt_storm_verify(test, storm);
}

static struct kunit_case wsk_storm_cases[] = {
	WSK_KUNIT_CASE_PARAM_SLOW(wsk_storm_accept, wt_storm_step_gen_params),
	{}
};

static struct kunit_suite wsk_storm_suite = {
	.name = "wsk_storm",
	.suite_init = wt_storm_suite_init,
	.suite_exit = wt_storm_suite_exit,
	.test_cases = wsk_storm_cases,
};

kunit_test_suite(wsk_storm_suite);
