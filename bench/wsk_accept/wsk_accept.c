// SPDX-License-Identifier: GPL-2.0
/*
 * bench_wsk: server (b) of the wsk benchmarks. A wsk client that keeps NREQ
 * accept requests pending on one listener, each resubmitted from its own
 * completion routine (the way a Windows WSK driver recycles its accept
 * IRPs). Every accepted connection is recorded and closed with wsk_close()
 * (abortive: an RST), through a request allocated per close.
 *
 * Controlled through /sys/kernel/debug/bench_wsk/ (bench_srv.h): "listen"
 * creates and binds the listener (wsk listen sockets listen once bound) but
 * submits no accept; "start" submits the NREQ requests, so the connections
 * queued meanwhile measure a drain.
 *
 * Completion routines may run in any context and never sleep here: they
 * allocate with GFP_ATOMIC and call only wsk functions.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/in.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/wait.h>
#include <net/net_namespace.h>

#include <wsk/wsk.h>

#include "../common/bench_srv.h"

#define BW_MAX_REQS	BIT(20)

struct bw_slot {
	struct wsk_req req;
	struct sockaddr_storage remote;
	atomic_t kicks;		/* resubmissions owed; see bw_kick() */
};

struct bw_close {
	struct wsk_req req;
};

static struct {
	struct wsk_client *client;
	struct wsk_socket *listener;
	struct bw_slot *slots;
	u32 nslots;
	bool stopping;
	atomic_t submitting;
	atomic_t live_slots;
	atomic_t closes_in_flight;
	wait_queue_head_t wq;
} bw;

static void bw_kick(struct bw_slot *slot);

static void bw_retire(void)
{
	if (atomic_dec_and_test(&bw.live_slots))
		wake_up(&bw.wq);
}

/* Any context: a connection's close completed. */
static void bw_close_done(struct wsk_req *req)
{
	rcu_read_lock();
	if (req->status)
		bench_srv_error();
	else
		bench_srv_closed();
	kfree(container_of(req, struct bw_close, req));
	if (atomic_dec_and_test(&bw.closes_in_flight))
		wake_up(&bw.wq);
	rcu_read_unlock();
}

/* Any context: the slot's request closed a connection (no memory for one). */
static void bw_slot_close_done(struct wsk_req *req)
{
	rcu_read_lock();
	if (req->status)
		bench_srv_error();
	else
		bench_srv_closed();
	bw_kick(req->context);
	rcu_read_unlock();
}

static u16 bw_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return 0;
}

/* Any context: an accept completed. Record, close, resubmit. */
static void bw_accept_done(struct wsk_req *req)
{
	struct bw_slot *slot = req->context;
	struct wsk_socket *s = req->result.socket;
	struct bw_close *cl;

	rcu_read_lock();
	if (req->status == -ECANCELED || req->status == -ESHUTDOWN) {
		bw_retire();
		goto out;
	}
	if (req->status || !s) {
		bench_srv_error();
		bw_retire();
		goto out;
	}
	bench_srv_accepted(bw_port(&slot->remote));

	cl = kmalloc(sizeof(*cl), GFP_ATOMIC);
	if (unlikely(!cl)) {
		bench_srv_error();
		wsk_req_init(&slot->req, bw_slot_close_done, slot);
		wsk_close(s, &slot->req);
		goto out;
	}
	atomic_inc(&bw.closes_in_flight);
	wsk_req_init(&cl->req, bw_close_done, cl);
	wsk_close(s, &cl->req);
	bw_kick(slot);
out:
	rcu_read_unlock();
}

static void bw_submit(struct bw_slot *slot)
{
	atomic_inc(&bw.submitting);
	smp_mb__after_atomic();	/* pairs with smp_mb() in bw_stop() */
	if (READ_ONCE(bw.stopping)) {
		bw_retire();
	} else {
		wsk_req_init(&slot->req, bw_accept_done, slot);
		/* Every outcome reaches bw_accept_done(). */
		wsk_accept(bw.listener, 0, NULL, NULL, NULL, &slot->remote, &slot->req);
	}
	if (atomic_dec_and_test(&bw.submitting))
		wake_up(&bw.wq);
}

/*
 * Any context: resubmit the slot's request. An inline completion calls this
 * again from inside bw_submit(); the nested call only records the debt and
 * the outermost one loops, so the stack does not grow per connection.
 */
static void bw_kick(struct bw_slot *slot)
{
	if (atomic_inc_return(&slot->kicks) != 1)
		return;
	do {
		bw_submit(slot);
	} while (!atomic_dec_and_test(&slot->kicks));
}

static int bw_close_sync(struct wsk_socket *s)
{
	struct wsk_sync sync;

	wsk_sync_init(&sync);
	return wsk_sync_wait(&sync, wsk_close(s, &sync.req));
}

static int bw_listen(u16 port, u32 backlog, u32 nreq)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
		.sin_port = htons(port),
	};
	struct wsk_sync sync;
	int one = 1, err;

	if (!nreq || nreq > BW_MAX_REQS)
		return -EINVAL;
	bw.slots = kvcalloc(nreq, sizeof(*bw.slots), GFP_KERNEL);
	if (!bw.slots)
		return -ENOMEM;
	bw.nslots = nreq;

	wsk_sync_init(&sync);
	err = wsk_sync_wait(&sync, wsk_socket(bw.client, &init_net, AF_INET,
					      WSK_FLAG_LISTEN_SOCKET, NULL, NULL, &sync.req));
	if (err)
		goto fail_free;
	bw.listener = sync.req.result.socket;

	wsk_sync_init(&sync);
	err = wsk_sync_wait(&sync, wsk_control(bw.listener, WSK_SET_OPTION,
					       WSK_SO_LISTEN_BACKLOG, SOL_SOCKET,
					       sizeof(backlog), &backlog, 0, NULL, NULL,
					       &sync.req));
	if (err)
		goto fail_close;
	wsk_sync_init(&sync);
	err = wsk_sync_wait(&sync, wsk_control(bw.listener, WSK_SET_OPTION, SO_REUSEADDR,
					       SOL_SOCKET, sizeof(one), &one, 0, NULL, NULL,
					       &sync.req));
	if (err)
		goto fail_close;
	wsk_sync_init(&sync);
	err = wsk_sync_wait(&sync, wsk_bind(bw.listener, (struct sockaddr *)&sin, sizeof(sin),
					    0, &sync.req));
	if (err)
		goto fail_close;
	WRITE_ONCE(bw.stopping, false);
	return 0;

fail_close:
	bw_close_sync(bw.listener);
	bw.listener = NULL;
fail_free:
	kvfree(bw.slots);
	bw.slots = NULL;
	return err;
}

static int bw_start(void)
{
	u32 i;

	atomic_set(&bw.live_slots, bw.nslots);
	for (i = 0; i < bw.nslots; i++)
		bw_kick(&bw.slots[i]);
	bench_srv_ready();
	return 0;
}

/*
 * Stop submitting, close the listener (pending accepts complete with
 * -ECANCELED and retire), then wait for every connection close.
 */
static void bw_stop(void)
{
	WRITE_ONCE(bw.stopping, true);
	smp_mb();	/* pairs with smp_mb__after_atomic() in bw_submit() */
	wait_event(bw.wq, !atomic_read(&bw.submitting));
	bw_close_sync(bw.listener);
	bw.listener = NULL;
	wait_event(bw.wq, !atomic_read(&bw.live_slots) && !atomic_read(&bw.closes_in_flight));
	/* Completion routines run under rcu_read_lock(): let the last ones return. */
	synchronize_rcu();
	kvfree(bw.slots);
	bw.slots = NULL;
}

/* The caller-owned memory of one pending accept, for the memory figures. */
static void bw_show(struct seq_file *m)
{
	seq_printf(m, "sizeof_wsk_req %zu\n", sizeof(struct wsk_req));
	seq_printf(m, "sizeof_slot %zu\n", sizeof(struct bw_slot));
}

static const struct bench_srv_ops bw_ops = {
	.listen = bw_listen,
	.start = bw_start,
	.stop = bw_stop,
	.show = bw_show,
};

static int __init bw_init(void)
{
	int err;

	init_waitqueue_head(&bw.wq);
	bw.client = wsk_register(THIS_MODULE);
	if (IS_ERR(bw.client))
		return PTR_ERR(bw.client);
	err = bench_srv_init("bench_wsk", &bw_ops);
	if (err)
		wsk_deregister(bw.client);
	return err;
}

static void __exit bw_exit(void)
{
	bench_srv_exit();
	wsk_deregister(bw.client);
}

module_init(bw_init);
module_exit(bw_exit);

MODULE_DESCRIPTION("wsk benchmark server (b): resubmitted wsk_accept() requests");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(WSK);
