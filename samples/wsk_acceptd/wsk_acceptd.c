// SPDX-License-Identifier: GPL-2.0
/*
 * wsk_acceptd: a sample wsk client, and the server side of the accept storm
 * test. It listens on one TCP port and keeps @nreqs accept requests pending,
 * each resubmitted from its own completion routine, the way a Windows WSK
 * driver recycles its accept IRPs. Every accepted connection is counted, its
 * peer port recorded in a bitmap (a port seen twice is a duplicate delivery)
 * and then closed (abortive close, so neither side lingers in TIME_WAIT).
 *
 * Parameters (/sys/module/wsk_acceptd/parameters/):
 *   port, family (4 or 6), backlog, nreqs    set at load time
 *   accepted, duplicates, errors, alloc_failures    read-only counters
 *   reset    write anything: clear the counters and the port bitmap
 *   fail_every    N > 0: treat every Nth close allocation as failed (testing)
 *
 * Contexts: module init and exit run in process context and may sleep. Every
 * completion routine (the accept, connection close and sync ones) may run in
 * any context, softirq included, possibly inline from the wsk call that
 * submitted its request: they never sleep, take no lock, allocate with
 * GFP_ATOMIC only, and call only wsk functions, which never sleep.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/wait.h>
#include <net/net_namespace.h>

#include <wsk/wsk.h>

#define ACCEPTD_MAX_REQS	256
/* An accept slot that fails this many times in a row stops resubmitting. */
#define ACCEPTD_MAX_ERRORS	16

static ushort port = 7000;
module_param(port, ushort, 0444);
MODULE_PARM_DESC(port, "TCP port to listen on (default 7000)");

static uint family = 6;
module_param(family, uint, 0444);
MODULE_PARM_DESC(family, "6: dual-stack listener on :: (default), 4: IPv4 on 127.0.0.1");

static uint backlog = 1024;
module_param(backlog, uint, 0444);
MODULE_PARM_DESC(backlog, "WSK_SO_LISTEN_BACKLOG of the listener (default 1024)");

static uint nreqs = 16;
module_param(nreqs, uint, 0444);
MODULE_PARM_DESC(nreqs, "accept requests kept pending, 1.." __stringify(ACCEPTD_MAX_REQS)
		 " (default 16)");

static uint fail_every;
module_param(fail_every, uint, 0644);
MODULE_PARM_DESC(fail_every, "N > 0: every Nth close request allocation fails (testing)");

/*
 * One accept request and the buffers that go with it. A slot is "live" from
 * its first submission until a completion decides not to resubmit it; while
 * live, its request is either pending in wsk, or being completed, or being
 * resubmitted by acceptd_kick().
 */
struct acceptd_slot {
	struct wsk_req req;
	struct sockaddr_storage local;
	struct sockaddr_storage remote;
	/* resubmissions owed; the caller that raises it from 0 runs the submit loop */
	atomic_t kicks;
	unsigned int consecutive_errors;	/* only touched by the slot's completion */
};

/* The close request of one accepted connection, freed by its completion. */
struct acceptd_close {
	struct wsk_req req;
};

/* A request and a completion, for the process-context setup and teardown. */
struct acceptd_sync {
	struct wsk_req req;
	struct completion done;
};

static struct {
	struct wsk_client *client;
	struct wsk_socket *listener;
	bool stopping;			/* set once by module exit: no more submissions */
	atomic_t submitting;		/* acceptd_submit() calls in progress */
	atomic_t live_slots;
	atomic_t closes_in_flight;	/* connection closes not yet completed */
	wait_queue_head_t wq;		/* woken when any of the three above drops to 0 */

	atomic_t accepted;
	atomic_t duplicates;
	atomic_t errors;
	atomic_t alloc_failures;
	atomic_t allocs;		/* close allocations, for fail_every */
	DECLARE_BITMAP(ports, 65536);	/* peer ports seen since load or reset */
} acceptd;

static struct acceptd_slot acceptd_slots[ACCEPTD_MAX_REQS];

/* Counters as read-only parameters: a get op over an atomic_t. */
static int acceptd_counter_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%d\n", atomic_read((atomic_t *)kp->arg));
}

static int acceptd_counter_set(const char *val, const struct kernel_param *kp)
{
	return -EPERM;
}

static const struct kernel_param_ops acceptd_counter_ops = {
	.set = acceptd_counter_set,
	.get = acceptd_counter_get,
};

module_param_cb(accepted, &acceptd_counter_ops, &acceptd.accepted, 0444);
MODULE_PARM_DESC(accepted, "connections accepted");
module_param_cb(duplicates, &acceptd_counter_ops, &acceptd.duplicates, 0444);
MODULE_PARM_DESC(duplicates, "connections whose peer port was already seen");
module_param_cb(errors, &acceptd_counter_ops, &acceptd.errors, 0444);
MODULE_PARM_DESC(errors,
		 "completions with a status other than 0, -ECANCELED, -ESHUTDOWN; bad addresses");
module_param_cb(alloc_failures, &acceptd_counter_ops, &acceptd.alloc_failures, 0444);
MODULE_PARM_DESC(alloc_failures, "close requests that could not be allocated");

/* Process context (sysfs write). Meant for a quiet moment between runs. */
static int acceptd_reset_set(const char *val, const struct kernel_param *kp)
{
	bitmap_zero(acceptd.ports, 65536);
	atomic_set(&acceptd.accepted, 0);
	atomic_set(&acceptd.duplicates, 0);
	atomic_set(&acceptd.errors, 0);
	atomic_set(&acceptd.alloc_failures, 0);
	return 0;
}

static const struct kernel_param_ops acceptd_reset_ops = {
	.set = acceptd_reset_set,
};

module_param_cb(reset, &acceptd_reset_ops, NULL, 0200);
MODULE_PARM_DESC(reset, "write to clear the counters and the port bitmap");

static void acceptd_kick(struct acceptd_slot *slot);

/* Any context. The slot's request is done for good. */
static void acceptd_retire(struct acceptd_slot *slot)
{
	if (atomic_dec_and_test(&acceptd.live_slots))
		wake_up(&acceptd.wq);
}

/*
 * Any context: a connection close completed. The socket is gone; free the
 * request.
 */
static void acceptd_close_done(struct wsk_req *req)
{
	struct acceptd_close *cl = container_of(req, struct acceptd_close, req);

	rcu_read_lock();
	if (req->status)
		atomic_inc(&acceptd.errors);
	kfree(cl);
	if (atomic_dec_and_test(&acceptd.closes_in_flight))
		wake_up(&acceptd.wq);
	rcu_read_unlock();
}

/*
 * Any context: a connection closed through the slot's own request, because no
 * close request could be allocated. The slot goes back to accepting.
 */
static void acceptd_slot_close_done(struct wsk_req *req)
{
	struct acceptd_slot *slot = req->context;

	rcu_read_lock();
	if (req->status)
		atomic_inc(&acceptd.errors);
	acceptd_kick(slot);
	rcu_read_unlock();
}

/* Any context: the peer port of an accepted connection, -1 if none. */
static int acceptd_peer_port(const struct sockaddr_storage *ss)
{
	switch (ss->ss_family) {
	case AF_INET:
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	case AF_INET6:
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	}
	return -1;
}

/* Any context: a close request, or NULL (real or injected failure). */
static struct acceptd_close *acceptd_close_alloc(void)
{
	unsigned int every = READ_ONCE(fail_every);

	if (every && !(atomic_inc_return(&acceptd.allocs) % every))
		return NULL;
	return kmalloc(sizeof(struct acceptd_close), GFP_ATOMIC);
}

/*
 * Any context: an accept request completed. Count and close the connection,
 * then resubmit the request, unless the listener is going away.
 */
static void acceptd_accept_done(struct wsk_req *req)
{
	struct acceptd_slot *slot = req->context;
	struct wsk_socket *s = req->result.socket;
	struct acceptd_close *cl;
	int peer;

	rcu_read_lock();
	if (req->status == -ECANCELED || req->status == -ESHUTDOWN) {
		/* The listener is closing (module exit): do not resubmit. */
		acceptd_retire(slot);
		goto out;
	}
	if (req->status || !s) {
		atomic_inc(&acceptd.errors);
		pr_warn_ratelimited("accept completed with status %d, socket %s\n",
				    req->status, s ? "set" : "NULL");
		if (++slot->consecutive_errors >= ACCEPTD_MAX_ERRORS) {
			pr_warn("accept request %td failed %d times in a row, retired\n",
				slot - acceptd_slots, ACCEPTD_MAX_ERRORS);
			acceptd_retire(slot);
			goto out;
		}
		acceptd_kick(slot);
		goto out;
	}
	slot->consecutive_errors = 0;

	/* wsk_accept() fills both addresses before completing: check them. */
	peer = acceptd_peer_port(&slot->remote);
	if (peer < 0 || acceptd_peer_port(&slot->local) != port) {
		atomic_inc(&acceptd.errors);
		pr_warn_ratelimited("accepted connection with bad addresses (families %u, %u)\n",
				    slot->local.ss_family, slot->remote.ss_family);
	}
	if (peer >= 0 && test_and_set_bit(peer, acceptd.ports))
		atomic_inc(&acceptd.duplicates);
	atomic_inc(&acceptd.accepted);

	cl = acceptd_close_alloc();
	if (unlikely(!cl)) {
		/*
		 * Close with the slot's own request instead; its completion
		 * resubmits the accept.
		 */
		atomic_inc(&acceptd.alloc_failures);
		wsk_req_init(&slot->req, acceptd_slot_close_done, slot);
		wsk_close(s, &slot->req);
		goto out;
	}
	atomic_inc(&acceptd.closes_in_flight);
	wsk_req_init(&cl->req, acceptd_close_done, cl);
	/* Completes exactly once, inline or later: acceptd_close_done() frees it. */
	wsk_close(s, &cl->req);
	acceptd_kick(slot);
out:
	rcu_read_unlock();
}

/*
 * Any context: submit the slot's accept request once. Module exit sets
 * @stopping and then waits for @submitting to drain before it closes the
 * listener, so no submission can reach a listener that is being freed.
 */
static void acceptd_submit(struct acceptd_slot *slot)
{
	atomic_inc(&acceptd.submitting);
	smp_mb__after_atomic();	/* pairs with smp_mb() in acceptd_exit() */
	if (READ_ONCE(acceptd.stopping)) {
		acceptd_retire(slot);
	} else {
		wsk_req_init(&slot->req, acceptd_accept_done, slot);
		/*
		 * Every outcome, pending, inline success or inline failure,
		 * reaches acceptd_accept_done(): the return value adds nothing.
		 */
		wsk_accept(acceptd.listener, 0, slot, NULL, &slot->local, &slot->remote,
			   &slot->req);
	}
	if (atomic_dec_and_test(&acceptd.submitting))
		wake_up(&acceptd.wq);
}

/*
 * Any context: the slot's request has completed and must be resubmitted.
 * wsk_accept() may complete inline, calling acceptd_accept_done() and so
 * acceptd_kick() again from inside acceptd_submit(); instead of recursing
 * once per queued connection, the nested call only records the debt and the
 * outermost call loops. The same holds when the request completes on another
 * CPU before acceptd_submit() has returned.
 */
static void acceptd_kick(struct acceptd_slot *slot)
{
	if (atomic_inc_return(&slot->kicks) != 1)
		return;
	do {
		acceptd_submit(slot);
	} while (!atomic_dec_and_test(&slot->kicks));
}

/* Any context: a setup or teardown request completed; wake its waiter. */
static void acceptd_sync_done(struct wsk_req *req)
{
	struct acceptd_sync *sync = container_of(req, struct acceptd_sync, req);

	complete(&sync->done);
}

static void acceptd_sync_init(struct acceptd_sync *sync)
{
	init_completion(&sync->done);
	wsk_req_init(&sync->req, acceptd_sync_done, sync);
}

/* Process context: wait for a request submitted with @ret as return value. */
static int acceptd_sync_wait(struct acceptd_sync *sync, int ret)
{
	if (ret != -EINPROGRESS)
		return ret;
	wait_for_completion(&sync->done);
	return sync->req.status;
}

/* Process context: close @s and wait for the close to complete. */
static int acceptd_close_sync(struct wsk_socket *s)
{
	struct acceptd_sync sync;

	acceptd_sync_init(&sync);
	return acceptd_sync_wait(&sync, wsk_close(s, &sync.req));
}

/* Process context: create, configure and bind the listener. */
static int acceptd_listen(void)
{
	struct sockaddr_storage ss = {};
	struct acceptd_sync sync;
	u32 value = backlog;
	int one = 1, len, ret;

	if (family == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin->sin_port = htons(port);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_any;
		sin6->sin6_port = htons(port);
		len = sizeof(*sin6);
	}

	acceptd_sync_init(&sync);
	ret = wsk_socket(acceptd.client, &init_net, ss.ss_family, WSK_FLAG_LISTEN_SOCKET,
			 NULL, NULL, &sync.req);
	ret = acceptd_sync_wait(&sync, ret);
	if (ret) {
		pr_err("wsk_socket: %d\n", ret);
		return ret;
	}
	acceptd.listener = sync.req.result.socket;

	acceptd_sync_init(&sync);
	ret = wsk_control(acceptd.listener, WSK_SET_OPTION, WSK_SO_LISTEN_BACKLOG, SOL_SOCKET,
			  sizeof(value), &value, 0, NULL, NULL, &sync.req);
	ret = acceptd_sync_wait(&sync, ret);
	if (ret) {
		pr_err("WSK_SO_LISTEN_BACKLOG %u: %d\n", value, ret);
		goto fail;
	}

	acceptd_sync_init(&sync);
	ret = wsk_control(acceptd.listener, WSK_SET_OPTION, SO_REUSEADDR, SOL_SOCKET,
			  sizeof(one), &one, 0, NULL, NULL, &sync.req);
	ret = acceptd_sync_wait(&sync, ret);
	if (ret) {
		pr_err("SO_REUSEADDR: %d\n", ret);
		goto fail;
	}

	if (family == 6) {
		/* Dual-stack whatever net.ipv6.bindv6only says. */
		int zero = 0;

		acceptd_sync_init(&sync);
		ret = wsk_control(acceptd.listener, WSK_SET_OPTION, IPV6_V6ONLY, SOL_IPV6,
				  sizeof(zero), &zero, 0, NULL, NULL, &sync.req);
		ret = acceptd_sync_wait(&sync, ret);
		if (ret) {
			pr_err("IPV6_V6ONLY 0: %d\n", ret);
			goto fail;
		}
	}

	acceptd_sync_init(&sync);
	ret = wsk_bind(acceptd.listener, (struct sockaddr *)&ss, len, 0, &sync.req);
	ret = acceptd_sync_wait(&sync, ret);
	if (ret) {
		pr_err("bind to port %u: %d\n", port, ret);
		goto fail;
	}
	return 0;

fail:
	acceptd_close_sync(acceptd.listener);
	acceptd.listener = NULL;
	return ret;
}

/* Process context. */
static int __init acceptd_init(void)
{
	unsigned int i;
	int ret;

	if (family != 4 && family != 6)
		return -EINVAL;
	if (!nreqs || nreqs > ACCEPTD_MAX_REQS)
		return -EINVAL;
	init_waitqueue_head(&acceptd.wq);

	acceptd.client = wsk_register(THIS_MODULE);
	if (IS_ERR(acceptd.client))
		return PTR_ERR(acceptd.client);

	ret = acceptd_listen();
	if (ret) {
		wsk_deregister(acceptd.client);
		return ret;
	}

	atomic_set(&acceptd.live_slots, nreqs);
	for (i = 0; i < nreqs; i++)
		acceptd_kick(&acceptd_slots[i]);

	pr_info("listening on %s port %u, backlog %u, %u accept requests\n",
		family == 4 ? "127.0.0.1" : "[::]", port, backlog, nreqs);
	return 0;
}

/*
 * Process context. Safe while connections are still arriving: after the gate
 * below no accept is submitted any more; closing the listener completes the
 * pending accepts with -ECANCELED (they retire); then every connection close
 * must complete before the client deregisters.
 */
static void __exit acceptd_exit(void)
{
	int ret;

	WRITE_ONCE(acceptd.stopping, true);
	smp_mb();	/* pairs with smp_mb__after_atomic() in acceptd_submit() */
	wait_event(acceptd.wq, !atomic_read(&acceptd.submitting));

	ret = acceptd_close_sync(acceptd.listener);
	if (ret)
		pr_warn("closing the listener: %d\n", ret);

	wait_event(acceptd.wq, !atomic_read(&acceptd.live_slots) &&
		   !atomic_read(&acceptd.closes_in_flight));
	/* Completion routines run under rcu_read_lock(): let the last ones return. */
	synchronize_rcu();
	wsk_deregister(acceptd.client);

	pr_info("unloaded: %d accepted, %d duplicates, %d errors, %d allocation failures\n",
		atomic_read(&acceptd.accepted), atomic_read(&acceptd.duplicates),
		atomic_read(&acceptd.errors), atomic_read(&acceptd.alloc_failures));
}

module_init(acceptd_init);
module_exit(acceptd_exit);

MODULE_DESCRIPTION("wsk sample: accept server with resubmitted accept requests");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(WSK);
