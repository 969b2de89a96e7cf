// SPDX-License-Identifier: GPL-2.0
/*
 * bench_wsk: the wsk servers of the benchmarks, one per value of the mode
 * parameter (read at each "listen", so one loaded module serves them all):
 *
 * - request (b): NREQ wsk_accept() requests pending on the listener, each
 *   resubmitted from its own completion routine (the way a Windows WSK
 *   driver recycles its accept IRPs);
 * - event (c): the listener's accept_event (WskAcceptEvent);
 * - inspect (d): WSK_SO_CONDITIONAL_ACCEPT on, an inspect_event answering
 *   WSK_INSPECT_ACCEPT, and the connections then taken through the
 *   accept_event as in (c);
 * - condition (e): NREQ wsk_accept_conditional() requests with a condition
 *   answering WSK_CF_ACCEPT, resubmitted as in (b).
 *
 * Every accepted connection is recorded and closed with wsk_close()
 * (abortive: an RST), through a request allocated per close; the accept
 * event closes it from inside the callback and takes it (returns 0).
 *
 * Controlled through /sys/kernel/debug/bench_wsk/ (bench_srv.h): "listen"
 * creates and binds the listener (wsk listen sockets listen once bound) but
 * submits no accept and enables no event; "start" submits the NREQ requests
 * or enables WSK_EVENT_ACCEPT, so the connections queued meanwhile measure
 * a drain. A conditional listener (inspect) is different: wsk takes its
 * connections from the kernel and inspects them as they arrive, from
 * "listen" on (bounded by the backlog); "start" only lets the accept event
 * have them.
 *
 * Completion routines may run in any context, and the listener callbacks
 * and the condition run on wsk's workqueue: none of them sleeps here. They
 * allocate with GFP_ATOMIC and call only wsk functions.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/in.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/moduleparam.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/string.h>
#include <linux/wait.h>
#include <net/net_namespace.h>

#include <wsk/wsk.h>

#include "../common/bench_srv.h"

#define BW_MAX_REQS	BIT(20)

enum bw_mode {
	BW_REQUEST,	/* (b) */
	BW_EVENT,	/* (c) */
	BW_INSPECT,	/* (d) */
	BW_CONDITION,	/* (e) */
};

static const char * const bw_mode_names[] = {
	[BW_REQUEST] = "request",
	[BW_EVENT] = "event",
	[BW_INSPECT] = "inspect",
	[BW_CONDITION] = "condition",
};

static int bw_mode_param = BW_REQUEST;

static int bw_mode_set(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(bw_mode_names, val);

	if (i < 0)
		return i;
	WRITE_ONCE(*(int *)kp->arg, i);
	return 0;
}

static int bw_mode_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%s\n", bw_mode_names[READ_ONCE(*(int *)kp->arg)]);
}

static const struct kernel_param_ops bw_mode_ops = {
	.set = bw_mode_set,
	.get = bw_mode_get,
};
module_param_cb(mode, &bw_mode_ops, &bw_mode_param, 0644);
MODULE_PARM_DESC(mode,
		 "request (b), event (c), inspect (d) or condition (e); read at each listen");

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
	enum bw_mode mode;	/* of the current listener */
	struct bw_slot *slots;
	u32 nslots;
	bool stopping;
	atomic64_t inspected;
	atomic64_t aborted;
	atomic64_t conditions;
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

static u16 bw_port(const struct sockaddr *sa)
{
	if (sa && sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
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
	bench_srv_accepted(bw_port((struct sockaddr *)&slot->remote));

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

/* wsk's workqueue: (e)'s condition function. */
static enum wsk_cf bw_condition(const struct sockaddr *caller, const struct sockaddr *callee,
				unsigned long callback_data)
{
	atomic64_inc(&bw.conditions);
	return WSK_CF_ACCEPT;
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
		if (bw.mode == BW_CONDITION)
			wsk_accept_conditional(bw.listener, bw_condition, 0, NULL, NULL, NULL,
					       &slot->remote, &slot->req);
		else
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

/*
 * wsk's workqueue, must not sleep: (c) and (d)'s accept event. The socket is
 * ours during the call: close it from here and take it (return 0). Without
 * memory for the close request, refuse it: wsk then resets and frees it,
 * which closes it as well.
 */
static int bw_accept_event(void *socket_context, unsigned int flags,
			   const struct sockaddr *local, const struct sockaddr *remote,
			   struct wsk_socket *accept_socket, void **accept_socket_context,
			   const struct wsk_client_connection_dispatch **accept_socket_dispatch)
{
	struct bw_close *cl;

	if (!accept_socket) {
		/* The listener is dead; bw_stop() closes it. */
		bench_srv_error();
		return 0;
	}
	bench_srv_accepted(bw_port(remote));
	cl = kmalloc(sizeof(*cl), GFP_ATOMIC);
	if (unlikely(!cl)) {
		bench_srv_error();
		bench_srv_closed();
		return -ECONNREFUSED;
	}
	atomic_inc(&bw.closes_in_flight);
	wsk_req_init(&cl->req, bw_close_done, cl);
	wsk_close(accept_socket, &cl->req);
	*accept_socket_context = NULL;
	*accept_socket_dispatch = NULL;
	return 0;
}

/* wsk's workqueue: (d)'s verdict on each connection as it arrives. */
static enum wsk_inspect_action bw_inspect_event(void *socket_context,
						const struct sockaddr *local,
						const struct sockaddr *remote,
						const struct wsk_inspect_id *inspect_id)
{
	atomic64_inc(&bw.inspected);
	return WSK_INSPECT_ACCEPT;
}

/* wsk's workqueue: an inspected connection died before its delivery. */
static void bw_abort_event(void *socket_context, const struct wsk_inspect_id *inspect_id)
{
	atomic64_inc(&bw.aborted);
}

static const struct wsk_client_listen_dispatch bw_listen_dispatch = {
	.accept_event = bw_accept_event,
	.inspect_event = bw_inspect_event,
	.abort_event = bw_abort_event,
};

static bool bw_has_requests(void)
{
	return bw.mode == BW_REQUEST || bw.mode == BW_CONDITION;
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
	const struct wsk_client_listen_dispatch *ld = NULL;
	struct wsk_sync sync;
	int one = 1, err;
	u32 on = 1;

	bw.mode = READ_ONCE(bw_mode_param);
	atomic64_set(&bw.inspected, 0);
	atomic64_set(&bw.aborted, 0);
	atomic64_set(&bw.conditions, 0);
	atomic_set(&bw.live_slots, 0);
	bw.nslots = 0;
	if (bw_has_requests()) {
		if (!nreq || nreq > BW_MAX_REQS)
			return -EINVAL;
		bw.slots = kvcalloc(nreq, sizeof(*bw.slots), GFP_KERNEL);
		if (!bw.slots)
			return -ENOMEM;
		bw.nslots = nreq;
	} else {
		ld = &bw_listen_dispatch;
	}

	wsk_sync_init(&sync);
	err = wsk_sync_wait(&sync, wsk_socket(bw.client, &init_net, AF_INET,
					      WSK_FLAG_LISTEN_SOCKET, NULL, ld, &sync.req));
	if (err)
		goto fail_free;
	bw.listener = sync.req.result.socket;

	if (bw.mode == BW_INSPECT) {
		/* Before bind; it needs the inspect_event of the dispatch. */
		wsk_sync_init(&sync);
		err = wsk_sync_wait(&sync, wsk_control(bw.listener, WSK_SET_OPTION,
						       WSK_SO_CONDITIONAL_ACCEPT, SOL_SOCKET,
						       sizeof(on), &on, 0, NULL, NULL,
						       &sync.req));
		if (err)
			goto fail_close;
	}

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
	struct wsk_event_callback_control ctl = { .event_mask = WSK_EVENT_ACCEPT };
	struct wsk_sync sync;
	int err;
	u32 i;

	if (!bw_has_requests()) {
		/* Only once bound; connections queued meanwhile go to it now. */
		wsk_sync_init(&sync);
		err = wsk_sync_wait(&sync, wsk_control(bw.listener, WSK_SET_OPTION,
						       WSK_SO_EVENT_CALLBACK, SOL_SOCKET,
						       sizeof(ctl), &ctl, 0, NULL, NULL,
						       &sync.req));
		if (!err)
			bench_srv_ready();
		return err;
	}
	atomic_set(&bw.live_slots, bw.nslots);
	for (i = 0; i < bw.nslots; i++)
		bw_kick(&bw.slots[i]);
	bench_srv_ready();
	return 0;
}

/*
 * Stop submitting, close the listener (pending accepts complete with
 * -ECANCELED and retire; no listener callback runs once the close has
 * completed), then wait for every connection close.
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

/*
 * The mode of the current (or last) listener, the callback counts, and the
 * caller-owned memory of one pending accept, for the memory figures.
 */
static void bw_show(struct seq_file *m)
{
	seq_printf(m, "mode %s\n", bw_mode_names[bw.mode]);
	seq_printf(m, "inspected %lld\n", atomic64_read(&bw.inspected));
	seq_printf(m, "aborted %lld\n", atomic64_read(&bw.aborted));
	seq_printf(m, "conditions %lld\n", atomic64_read(&bw.conditions));
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

MODULE_DESCRIPTION("wsk benchmark servers (b)-(e): accept requests, accept event, inspect, condition");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(WSK);
