// SPDX-License-Identifier: GPL-2.0
/*
 * wsk: listen sockets and asynchronous accept (WskAccept).
 *
 * The listener pattern of drivers/nvme/target/tcp.c, with a consumer check:
 *
 * - At bind, before listen(), wsk's sk_data_ready replaces the listener's
 *   under sk_callback_lock, with sk_user_data pointing at the wsk socket and
 *   tagged SK_USER_DATA_NOCOPY so that children start with NULL.
 * - The hook (softirq, lockless listener, several CPUs at once) queues the
 *   listener's accept work only while an accept request is pending:
 *   connections without a consumer stay in the kernel's accept queue,
 *   bounded by the backlog and reset by the kernel when the listener closes.
 * - The accept work drains kernel_accept(O_NONBLOCK) while a request is
 *   pending, 64 connections per pass before requeueing itself. Each child
 *   gets back the listener's original sk_data_ready (it inherited wsk's),
 *   its addresses are cached, and it goes to the oldest pending request; if
 *   that was cancelled meanwhile, the connection is parked in the listener's
 *   ready FIFO and the next wsk_accept() takes it inline.
 * - wsk_accept() enqueues first, then kicks the work, so no wake-up is lost;
 *   so does the bind, which kicks the work once the listener is marked
 *   listening, for connections that completed their handshake before.
 * - Each pass does at most WSK_ACCEPT_BUDGET things (connections taken,
 *   verdicts, deliveries) before it requeues itself, so neither a flood nor
 *   a completion routine that resubmits keeps the work for ever. A
 *   kernel_accept() failure other than an empty queue (no memory) is
 *   retried after WSK_ACCEPT_RETRY: the connection waits in the kernel's
 *   queue meanwhile.
 * - A second hook, sk_state_change, notices a listener the kernel closed
 *   under wsk (tcp_abort(): ss -K, BPF's sock_destroy): the work then marks
 *   it dead, completes its pending accepts with -ESHUTDOWN and gives the
 *   accept event its NULL socket, once.
 *
 * Every connection taken from the kernel goes through the listener's ready
 * FIFO, whose head the accept work hands, in this order of precedence, to
 * the oldest pending accept request (running its condition function first
 * for wsk_accept_conditional()) or to the accept event; with neither it
 * stays parked there for the next wsk_accept(). The accept work runs every
 * listener callback (accept, inspect, abort) and condition function, so
 * they run one at a time, in process context, and the close, which cancels
 * the work synchronously, completes only once they have returned.
 *
 * Conditional accept (WSK_SO_CONDITIONAL_ACCEPT): the work takes every
 * connection as it arrives and calls inspect_event. ACCEPT puts it on the
 * ready FIFO, PEND on the held list until wsk_inspect_complete(), REJECT
 * resets it. Held plus ready connections are bounded by the backlog; the
 * excess is reset unseen. A held or ready connection's state change hook
 * (conn.c) asks the work to look for connections the peer reset or closed:
 * each gets an abort_event and is reset. Linux has completed the handshake
 * before any of this: a rejected peer sees a reset, not a refusal.
 *
 * The members of an undelivered connection that place it on its listener's
 * lists (stage, stage_node, inspect_serial) are under the listener's lock, and
 * its stage changes only by wsk_conn_move(), which keeps the lists and
 * their counters in step.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/export.h>
#include <linux/fcntl.h>
#include <linux/net.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "compat.h"
#include "internal.h"
#include "trace.h"

/* What one pass of the accept work does at most before it requeues. */
#define WSK_ACCEPT_BUDGET	64
/* When kernel_accept() fails for want of memory, it is tried again after this. */
#define WSK_ACCEPT_RETRY	(HZ / 50)

/**
 * wsk_listen_queue - queue the accept work
 * @ls: a listen socket
 * @delay: in jiffies; 0 runs it as soon as possible, unless a retry is
 *	already scheduled (it then runs then)
 *
 * Context: any.
 */
void wsk_listen_queue(struct wsk_listener *ls, unsigned long delay)
{
	queue_delayed_work(wsk_wq, &ls->accept_work, delay);
}

/* The listener wants connections from the kernel. Lock held. */
static bool wsk_listen_wants(struct wsk_listener *ls)
{
	lockdep_assert_held(&ls->ws.lock);
	if (ls->ws.state != WSK_SOCK_LISTENING || ls->ws.closing)
		return false;
	return !list_empty(&ls->accept_q) || (ls->ws.events & WSK_EVENT_ACCEPT) || ls->cond_accept;
}

/**
 * wsk_listen_kick - queue the accept work if it has something to do
 * @ls: a listen socket
 *
 * Context: any; the caller holds @ls->ws.lock.
 */
void wsk_listen_kick(struct wsk_listener *ls)
{
	lockdep_assert_held(&ls->ws.lock);
	if (wsk_listen_wants(ls) || (!ls->ws.closing && !list_empty(&ls->doomed)))
		wsk_listen_queue(ls, 0);
}

/*
 * The listener's sk_data_ready. Context: softirq (or BH disabled), without
 * the listener's socket lock, possibly on several CPUs at once. Children
 * waiting in the accept queue inherited it: they are not TCP_LISTEN and their
 * sk_user_data is NULL, so they are ignored.
 */
static void wsk_listen_data_ready(struct sock *sk)
{
	struct wsk_listener *ls;
	unsigned long flags;

	wsk_trace_sk_data_ready(sk);

	if (sk->sk_state != TCP_LISTEN)
		return;

	read_lock_bh(&sk->sk_callback_lock);
	ls = wsk_sk_user_data_locked(sk);
	if (ls) {
		spin_lock_irqsave(&ls->ws.lock, flags);
		if (wsk_listen_wants(ls))
			wsk_listen_queue(ls, 0);
		spin_unlock_irqrestore(&ls->ws.lock, flags);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

/*
 * The listener's sk_state_change: the kernel closed it (tcp_abort()), and
 * the accept work is to find it dead. Context: any, the kernel socket's
 * lock held. Children waiting in the accept queue inherited it too: their
 * sk_user_data is NULL and nothing waits on them yet (no wait queue before
 * the accept grafts one), so their own callback, the default wake-up, has
 * nothing to do.
 */
static void wsk_listen_state_change(struct sock *sk)
{
	void (*orig)(struct sock *sk) = NULL;
	struct wsk_listener *ls;
	unsigned long flags;

	read_lock_bh(&sk->sk_callback_lock);
	ls = wsk_sk_user_data_locked(sk);
	if (ls) {
		orig = ls->ws.orig_state_change;
		spin_lock_irqsave(&ls->ws.lock, flags);
		if (ls->ws.state == WSK_SOCK_LISTENING && !ls->ws.closing)
			wsk_listen_queue(ls, 0);
		spin_unlock_irqrestore(&ls->ws.lock, flags);
	}
	read_unlock_bh(&sk->sk_callback_lock);
	if (orig)
		orig(sk);
}

static void wsk_listen_unhook(struct wsk_listener *ls)
{
	struct sock *sk = ls->ws.sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	wsk_sk_user_data_clear(sk);
	WRITE_ONCE(sk->sk_data_ready, ls->ws.orig_data_ready);
	WRITE_ONCE(sk->sk_state_change, ls->ws.orig_state_change);
	write_unlock_bh(&sk->sk_callback_lock);
}

/**
 * wsk_listen_start - install the hooks and listen
 * @ls: a bound listen socket
 *
 * Context: the socket's op work (process context).
 * Return: 0 or kernel_listen()'s error (the hooks are then removed again).
 */
int wsk_listen_start(struct wsk_listener *ls)
{
	struct sock *sk = ls->ws.sock->sk;
	unsigned long flags;
	int backlog, err;

	write_lock_bh(&sk->sk_callback_lock);
	ls->ws.orig_data_ready = sk->sk_data_ready;
	ls->ws.orig_state_change = sk->sk_state_change;
	wsk_sk_user_data_set(sk, ls);
	WRITE_ONCE(sk->sk_data_ready, wsk_listen_data_ready);
	WRITE_ONCE(sk->sk_state_change, wsk_listen_state_change);
	write_unlock_bh(&sk->sk_callback_lock);

	spin_lock_irqsave(&ls->ws.lock, flags);
	backlog = ls->backlog_set ? ls->backlog : wsk_net_somaxconn(ls->ws.net);
	/* A conditional listener holds at most this many connections. */
	ls->backlog_eff = max(backlog, 1);
	spin_unlock_irqrestore(&ls->ws.lock, flags);

	/* kernel_listen() does not clamp to somaxconn: the value is used as is. */
	err = kernel_listen(ls->ws.sock, backlog);
	if (err) {
		wsk_listen_unhook(ls);
		ls->ws.orig_data_ready = NULL;
	}
	return err;
}

/*
 * Reset a connection that is not (or no longer) the client's: refused by
 * accept_event, rejected, aborted, over the bound, or its listener closing.
 * @rejected: count it in connections_rejected. Context: process context.
 */
static void wsk_conn_reset(struct wsk_conn *conn, bool rejected)
{
	wsk_sock_reset(&conn->ws, rejected);
}

/* Ready or deferred: on the ready FIFO. */
static bool wsk_stage_ready(enum wsk_conn_stage stage)
{
	return stage == WSK_CONN_READY || stage == WSK_CONN_DEFERRED;
}

/* @conn leaves the list of @stage, with the counts kept for it. */
static void wsk_stage_leave(struct wsk_listener *ls, struct wsk_conn *conn,
			    enum wsk_conn_stage stage)
{
	switch (stage) {
	case WSK_CONN_READY:
	case WSK_CONN_DEFERRED:
		list_del_init(&conn->stage_node);
		ls->nr_ready--;
		wsk_stat_dec(&wsk_stats.connections_held);
		break;
	case WSK_CONN_HELD:
		list_del_init(&conn->stage_node);
		ls->nr_held--;
		wsk_stat_dec(&wsk_stats.connections_held);
		wsk_stat_dec(&wsk_stats.connections_pended);
		break;
	case WSK_CONN_DOOMED:
		list_del_init(&conn->stage_node);
		break;
	case WSK_CONN_TAKEN:
		break;
	}
}

/* @conn enters the list of @stage (not DEFERRED: that is READY's head). */
static void wsk_stage_enter(struct wsk_listener *ls, struct wsk_conn *conn,
			    enum wsk_conn_stage stage)
{
	switch (stage) {
	case WSK_CONN_READY:
		list_add_tail(&conn->stage_node, &ls->ready);
		ls->nr_ready++;
		wsk_stat_inc(&wsk_stats.connections_held);
		if (list_empty(&ls->accept_q) && !(ls->ws.events & WSK_EVENT_ACCEPT)) {
			/* No consumer right now: it waits for the next one. */
			wsk_stat_inc(&wsk_stats.accepts_parked);
			trace_wsk_accept_parked(ls->ws.id, conn);
		}
		break;
	case WSK_CONN_HELD:
		list_add_tail(&conn->stage_node, &ls->held);
		ls->nr_held++;
		wsk_stat_inc(&wsk_stats.connections_held);
		wsk_stat_inc(&wsk_stats.connections_pended);
		break;
	case WSK_CONN_DOOMED:
		list_add_tail(&conn->stage_node, &ls->doomed);
		break;
	case WSK_CONN_DEFERRED:
		WARN_ON_ONCE(1);	/* only the ready head is deferred */
		break;
	case WSK_CONN_TAKEN:
		break;
	}
}

/*
 * The one way an undelivered connection changes stage: it leaves its list
 * and enters the new stage's, and the counters of both follow (the
 * connections_* gauges, the listener's nr_ready and nr_held) and the
 * wsk_conn_stage tracepoint fires. Deferring the ready head, or taking the
 * defer back, leaves it where it is. Lock held.
 */
static void wsk_conn_move(struct wsk_listener *ls, struct wsk_conn *conn,
			  enum wsk_conn_stage to)
{
	enum wsk_conn_stage from = conn->stage;

	lockdep_assert_held(&ls->ws.lock);
	trace_wsk_conn_stage(ls->ws.id, conn->ws.id, from, to);
	conn->stage = to;
	if (from == WSK_CONN_DEFERRED)
		wsk_stat_dec(&wsk_stats.connections_deferred);
	if (to == WSK_CONN_DEFERRED)
		wsk_stat_inc(&wsk_stats.connections_deferred);
	if (wsk_stage_ready(from) && wsk_stage_ready(to))
		return;
	wsk_stage_leave(ls, conn, from);
	wsk_stage_enter(ls, conn, to);
}

/* Every connection on @list (one of @ls's) to stage TAKEN, onto @taken. */
static void wsk_conn_take_all(struct wsk_listener *ls, struct list_head *list,
			      struct list_head *taken)
{
	struct wsk_conn *conn;

	while ((conn = list_first_entry_or_null(list, struct wsk_conn, stage_node))) {
		wsk_conn_move(ls, conn, WSK_CONN_TAKEN);
		list_add_tail(&conn->stage_node, taken);
	}
}

/* @conn no longer asks @ls for anything (its hooks read this). */
static void wsk_conn_detach(struct wsk_conn *conn)
{
	unsigned long flags;

	spin_lock_irqsave(&conn->ws.lock, flags);
	conn->listener = NULL;
	spin_unlock_irqrestore(&conn->ws.lock, flags);
}

/**
 * wsk_listen_stop - the listener part of the close
 * @ls: a listen socket whose close has started (@ls->ws.closing is set), or
 *	whose namespace is going (@ls->ws.net_gone is set)
 *
 * Removes the hook, waits for the accept work (and so for every listener
 * callback and condition function), and resets the connections taken from
 * the kernel but never delivered (ready, deferred, held, doomed), with no
 * abort events. The caller then completes the pending requests and releases
 * the socket (which resets the kernel's queue).
 *
 * Context: the socket's op work (process context).
 */
void wsk_listen_stop(struct wsk_listener *ls)
{
	struct wsk_conn *conn;
	unsigned long flags;
	LIST_HEAD(undelivered);

	if (ls->ws.orig_data_ready)
		wsk_listen_unhook(ls);
	/* @closing is set: no call queues it again; only held hooks might. */
	cancel_delayed_work_sync(&ls->accept_work);

	spin_lock_irqsave(&ls->ws.lock, flags);
	wsk_conn_take_all(ls, &ls->ready, &undelivered);
	wsk_conn_take_all(ls, &ls->held, &undelivered);
	wsk_conn_take_all(ls, &ls->doomed, &undelivered);
	spin_unlock_irqrestore(&ls->ws.lock, flags);

	/* Their state change hooks stop queueing our work; then wait for it. */
	list_for_each_entry(conn, &undelivered, stage_node)
		wsk_conn_detach(conn);
	cancel_delayed_work_sync(&ls->accept_work);
	ls->ws.orig_data_ready = NULL;

	while ((conn = list_first_entry_or_null(&undelivered, struct wsk_conn, stage_node))) {
		list_del_init(&conn->stage_node);
		wsk_conn_reset(conn, true);
	}
}

/*
 * Reset a child wsk could make no connection of (no memory). It inherited
 * wsk's listener hooks while it waited in the queue: they go first.
 * Context: the accept work.
 */
static void wsk_child_reset(struct wsk_listener *ls, struct socket *newsock)
{
	struct sock *sk = newsock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	WRITE_ONCE(sk->sk_data_ready, ls->ws.orig_data_ready);
	WRITE_ONCE(sk->sk_state_change, ls->ws.orig_state_change);
	write_unlock_bh(&sk->sk_callback_lock);
	sock_no_linger(sk);
	sock_release(newsock);
	wsk_stat_inc(&wsk_stats.connections_rejected);
}

/*
 * Turn an accepted child into a wsk connection socket of @ls's client, not
 * delivered yet. Context: the accept work. Return: the socket, or NULL if it
 * could not be allocated (the child has then been reset).
 */
static struct wsk_conn *wsk_conn_create(struct wsk_listener *ls, struct socket *newsock)
{
	struct sockaddr_storage local, remote;
	int local_len, remote_len, tcp_state;
	struct sock *sk = newsock->sk;
	struct wsk_conn *conn;
	struct wsk_sock *ws;
	unsigned long flags;
	bool net_gone;

	ws = wsk_sock_alloc(ls->ws.client, ls->ws.net, ls->ws.family, WSK_FLAG_CONNECTION_SOCKET,
			    GFP_KERNEL);
	if (!ws) {
		wsk_child_reset(ls, newsock);
		return NULL;
	}
	conn = wsk_conn(ws);
	wsk_sock_attach_kern(&conn->ws, newsock);
	conn->listener = ls;
	conn->ws.orig_data_ready = ls->ws.orig_data_ready;
	conn->ws.orig_state_change = ls->ws.orig_state_change;
	/* Replaces the inherited listener hooks; data may already be queued. */
	wsk_conn_hook(conn);
	/* On the socket list already: a namespace exit that missed it marked @ls. */
	spin_lock_irqsave(&ls->ws.lock, flags);
	net_gone = ls->ws.net_gone;
	spin_unlock_irqrestore(&ls->ws.lock, flags);

	/*
	 * Cache both addresses (both calls sleep). The peer is read the way
	 * accept(2) does, so a child the peer already reset still reports it.
	 */
	local_len = max(kernel_getsockname(newsock, (struct sockaddr *)&local), 0);
	remote_len = max(wsk_getpeername_accepted(newsock, (struct sockaddr *)&remote), 0);

	/*
	 * The peer may have reset (CLOSE) before the accept: still a valid
	 * accept, delivered, but recorded as dead. CLOSE_WAIT (the peer sent
	 * FIN) is a connection with data still readable.
	 */
	tcp_state = READ_ONCE(sk->sk_state);

	/* Under the lock: the socket is already on the debugfs list. */
	spin_lock_irqsave(&conn->ws.lock, flags);
	wsk_addr_set(&conn->ws.local, &local, local_len);
	wsk_addr_set(&conn->remote, &remote, remote_len);
	/* A reset the hook saw already stays recorded. */
	if (tcp_state == TCP_CLOSE)
		conn->peer_reset = true;
	wsk_sock_set_state(&conn->ws, conn->peer_reset ? WSK_SOCK_DEAD : WSK_SOCK_CONNECTED);
	conn->ws.net_gone |= net_gone;
	spin_unlock_irqrestore(&conn->ws.lock, flags);
	return conn;
}

static void wsk_fill_addr(struct sockaddr_storage *to, const union wsk_addr *from, int family)
{
	if (to)
		wsk_addr_copy_out(to, from, family);
}

/*
 * Complete @req with @conn, which the caller took off its listener's lists
 * (and @req off the accept queue).
 */
static void wsk_accept_deliver(struct wsk_listener *ls, struct wsk_conn *conn, struct wsk_req *req)
{
	unsigned long flags;

	wsk_fill_addr(wsk_rp(req)->args.accept.local, &conn->ws.local, conn->ws.family);
	wsk_fill_addr(wsk_rp(req)->args.accept.remote, &conn->remote, conn->ws.family);
	spin_lock_irqsave(&conn->ws.lock, flags);
	conn->ws.context = wsk_rp(req)->args.accept.context;
	conn->ws.client_dispatch = wsk_rp(req)->args.accept.dispatch;
	conn->listener = NULL;
	wsk_event_static(&conn->ws);
	/* Data, or the peer's FIN or reset, may have come already. */
	if (conn->ws.events)
		wsk_conn_kick(conn);
	/* Its namespace is going: the exit left it to this delivery. */
	if (conn->ws.net_gone)
		wsk_sock_kick_ops(&conn->ws);
	spin_unlock_irqrestore(&conn->ws.lock, flags);
	wsk_stat_inc(&wsk_stats.accepts_completed);
	if (conn->ws.state == WSK_SOCK_DEAD)
		wsk_stat_inc(&wsk_stats.accepts_dead);
	req->result.socket = &conn->ws.pub;
	trace_wsk_accept_delivered(ls->ws.id, conn);
	wsk_req_complete(req, 0);
}

/*
 * Offer @conn (taken off the ready FIFO) to the accept event, which
 * wsk_cb_begin_locked() let run. The socket is the client's during the
 * call already: it may queue sends on it, or close it (the close then runs
 * once the call has returned, as the socket is still written to here). If
 * the event refuses it (and did not close it), it is reset and freed.
 */
static void wsk_accept_event_call(struct wsk_listener *ls, struct wsk_conn *conn)
{
	const struct wsk_client_listen_dispatch *ld = ls->ws.client_dispatch;
	const struct wsk_client_connection_dispatch *cd = NULL;
	void *ctx = NULL;
	unsigned long flags;
	bool closed;
	u32 inherit;
	int ret;

	spin_lock_irqsave(&conn->ws.lock, flags);
	conn->listener = NULL;
	conn->in_accept_event = true;
	spin_unlock_irqrestore(&conn->ws.lock, flags);
	ret = ld->accept_event(ls->ws.context, 0, (struct sockaddr *)&conn->ws.local,
			       (struct sockaddr *)&conn->remote, &conn->ws.pub, &ctx, &cd);
	wsk_cb_end(&ls->ws, WSK_EVENT_ACCEPT, ret);

	spin_lock_irqsave(&ls->ws.lock, flags);
	inherit = ls->inherit;
	spin_unlock_irqrestore(&ls->ws.lock, flags);

	/* Counted and traced first: once the lock drops, a close may free it. */
	if (!ret) {
		wsk_stat_inc(&wsk_stats.accepts_event);
		if (conn->ws.state == WSK_SOCK_DEAD)
			wsk_stat_inc(&wsk_stats.accepts_dead);
		trace_wsk_accept_delivered(ls->ws.id, conn);
	}

	spin_lock_irqsave(&conn->ws.lock, flags);
	conn->in_accept_event = false;
	closed = conn->ws.closing;
	if (!ret) {
		conn->ws.context = ctx;
		conn->ws.client_dispatch = cd;
		conn->ws.events |= wsk_conn_events_available(cd, inherit);
		if (conn->ws.events & WSK_EVENT_SEND_BACKLOG)
			conn->backlog_due = true;
		wsk_event_static(&conn->ws);
		/* Data, or the peer's FIN or reset, may have come already. */
		wsk_conn_kick(conn);
	}
	/*
	 * Closed by the client during the call, or its namespace is going: the
	 * op work waited for the call to return, now it may tear it down.
	 */
	if (closed || conn->ws.net_gone)
		wsk_sock_kick_ops(&conn->ws);
	spin_unlock_irqrestore(&conn->ws.lock, flags);
	if (ret && !closed)
		wsk_conn_reset(conn, true);
}

/*
 * Run a conditional request's condition on @conn, the head of the ready
 * FIFO, which @ls->head_busy keeps there. @req is off the queue (owned).
 */
static void wsk_accept_decide(struct wsk_listener *ls, struct wsk_conn *conn, struct wsk_req *req)
{
	struct wsk_req_accept_args *args = &wsk_rp(req)->args.accept;
	unsigned long flags;
	int verdict;

	/* Filled whatever the verdict. */
	wsk_fill_addr(args->local, &conn->ws.local, conn->ws.family);
	wsk_fill_addr(args->remote, &conn->remote, conn->ws.family);
	verdict = args->condition((struct sockaddr *)&conn->remote,
				  (struct sockaddr *)&conn->ws.local, args->callback_data);
	trace_wsk_verdict(ls->ws.id, conn, WSK_VERDICT_CONDITION, verdict);

	spin_lock_irqsave(&ls->ws.lock, flags);
	ls->head_busy = false;
	switch (verdict) {
	case WSK_CF_ACCEPT:
		wsk_conn_move(ls, conn, WSK_CONN_TAKEN);
		ls->accepted++;
		break;
	case WSK_CF_REJECT:
		wsk_conn_move(ls, conn, WSK_CONN_TAKEN);
		break;
	case WSK_CF_DEFER:
		wsk_conn_move(ls, conn, WSK_CONN_DEFERRED);
		break;
	}
	spin_unlock_irqrestore(&ls->ws.lock, flags);

	switch (verdict) {
	case WSK_CF_ACCEPT:
		wsk_accept_deliver(ls, conn, req);
		break;
	case WSK_CF_REJECT:
		wsk_conn_reset(conn, true);
		wsk_req_complete(req, -ECONNREFUSED);
		break;
	case WSK_CF_DEFER:
		wsk_req_complete(req, -EAGAIN);
		break;
	default:
		wsk_req_complete(req, -EINVAL);
		break;
	}
}

static bool wsk_conn_peer_gone(const struct wsk_conn *conn)
{
	return (1 << READ_ONCE(conn->ws.sock->sk->sk_state)) & (TCPF_CLOSE | TCPF_CLOSE_WAIT);
}

/* Ask a new connection of a conditional listener for its verdict. */
static void wsk_inspect(struct wsk_listener *ls, struct wsk_conn *conn)
{
	const struct wsk_client_listen_dispatch *ld = ls->ws.client_dispatch;
	struct wsk_inspect_id id;
	unsigned long flags;
	bool run = false;
	int verdict;

	spin_lock_irqsave(&ls->ws.lock, flags);
	/* Bounded by the backlog: the excess is reset unseen. */
	if (ls->nr_held + ls->nr_ready < ls->backlog_eff) {
		conn->inspect_serial = ++ls->inspect_serial;
		id = wsk_conn_inspect_id(conn);
		run = wsk_cb_begin_locked(&ls->ws, WSK_EV_INSPECT);
		/* A wsk_inspect_complete() may come before the event returns. */
		if (run) {
			ls->inspecting = conn;
			ls->inspect_early = -1;
		}
	}
	spin_unlock_irqrestore(&ls->ws.lock, flags);
	if (!run) {
		wsk_conn_reset(conn, true);
		return;
	}

	verdict = ld->inspect_event(ls->ws.context, (struct sockaddr *)&conn->ws.local,
				    (struct sockaddr *)&conn->remote, &id);
	wsk_cb_end(&ls->ws, WSK_EV_INSPECT, verdict);
	trace_wsk_verdict(ls->ws.id, conn, WSK_VERDICT_INSPECT, verdict);

	spin_lock_irqsave(&ls->ws.lock, flags);
	ls->inspecting = NULL;
	if (verdict == WSK_INSPECT_PEND && ls->inspect_early >= 0) {
		/* Pended and decided at once: as if held, then completed. */
		wsk_stat_inc(&wsk_stats.inspect_pended);
		verdict = ls->inspect_early;	/* counted below */
	}
	if (verdict == WSK_INSPECT_ACCEPT) {
		wsk_conn_move(ls, conn, WSK_CONN_READY);
		wsk_stat_inc(&wsk_stats.inspect_accepted);
	} else if (verdict == WSK_INSPECT_PEND) {
		wsk_conn_move(ls, conn, WSK_CONN_HELD);
		wsk_stat_inc(&wsk_stats.inspect_pended);
	}
	/* It may have died before its hook could tell us. */
	if (verdict != WSK_INSPECT_REJECT && wsk_conn_peer_gone(conn))
		set_bit(WSK_LISTEN_ABORT_CHECK, &ls->flags);
	spin_unlock_irqrestore(&ls->ws.lock, flags);

	if (verdict != WSK_INSPECT_ACCEPT && verdict != WSK_INSPECT_PEND) {
		wsk_stat_inc(&wsk_stats.inspect_rejected);
		wsk_conn_reset(conn, true);
	}
}

/*
 * Reset what wsk_inspect_complete() rejected, and (conditional listeners)
 * report and reset the held or ready connections whose peer went away.
 */
static void wsk_listen_reap(struct wsk_listener *ls)
{
	const struct wsk_client_listen_dispatch *ld = ls->ws.client_dispatch;
	struct wsk_conn *conn, *tmp;
	unsigned long flags;
	LIST_HEAD(aborted);
	LIST_HEAD(doomed);

	spin_lock_irqsave(&ls->ws.lock, flags);
	wsk_conn_take_all(ls, &ls->doomed, &doomed);
	if (ls->cond_accept) {
		list_for_each_entry_safe(conn, tmp, &ls->held, stage_node) {
			if (wsk_conn_peer_gone(conn)) {
				wsk_conn_move(ls, conn, WSK_CONN_TAKEN);
				list_add_tail(&conn->stage_node, &aborted);
			}
		}
		list_for_each_entry_safe(conn, tmp, &ls->ready, stage_node) {
			if (wsk_conn_peer_gone(conn)) {
				wsk_conn_move(ls, conn, WSK_CONN_TAKEN);
				list_add_tail(&conn->stage_node, &aborted);
			}
		}
	}
	spin_unlock_irqrestore(&ls->ws.lock, flags);

	list_for_each_entry_safe(conn, tmp, &aborted, stage_node) {
		list_del_init(&conn->stage_node);
		if (ld->abort_event && wsk_cb_begin(&ls->ws, WSK_EV_ABORT)) {
			struct wsk_inspect_id id = wsk_conn_inspect_id(conn);

			ld->abort_event(ls->ws.context, &id);
			wsk_cb_end(&ls->ws, WSK_EV_ABORT, 0);
			wsk_stat_inc(&wsk_stats.connections_aborted);
		}
		wsk_conn_reset(conn, false);
	}
	list_for_each_entry_safe(conn, tmp, &doomed, stage_node) {
		list_del_init(&conn->stage_node);
		wsk_conn_reset(conn, true);
	}
}

/* The listener is unusable: tell the accept event once (NULL socket). */
static void wsk_listen_dead(struct wsk_listener *ls)
{
	const struct wsk_client_listen_dispatch *ld = ls->ws.client_dispatch;
	const struct wsk_client_connection_dispatch *cd = NULL;
	unsigned long flags;
	void *ctx = NULL;
	bool run = false;
	int ret;

	spin_lock_irqsave(&ls->ws.lock, flags);
	if (!ls->ws.dead_reported) {
		run = wsk_cb_begin_locked(&ls->ws, WSK_EVENT_ACCEPT);
		ls->ws.dead_reported = run;
	}
	spin_unlock_irqrestore(&ls->ws.lock, flags);
	if (!run)
		return;
	ret = ld->accept_event(ls->ws.context, 0, NULL, NULL, NULL, &ctx, &cd);
	wsk_cb_end(&ls->ws, WSK_EVENT_ACCEPT, ret);
}

/**
 * wsk_listen_die - the listener can accept no more
 * @ls: a listen socket the kernel closed under wsk, or whose namespace is
 *	going
 *
 * Marks it dead (every later accept and verdict is -ESHUTDOWN) and completes
 * its pending accepts with -ESHUTDOWN. The accept work then gives the accept
 * event its NULL socket. Connections it holds undelivered stay until the
 * close resets them.
 *
 * Context: process context (the accept work or the op work).
 */
void wsk_listen_die(struct wsk_listener *ls)
{
	unsigned long flags;
	LIST_HEAD(failed);

	spin_lock_irqsave(&ls->ws.lock, flags);
	wsk_sock_set_state(&ls->ws, WSK_SOCK_DEAD);
	wsk_req_dequeue_all(&ls->accept_q, &failed);
	spin_unlock_irqrestore(&ls->ws.lock, flags);
	wsk_req_complete_list(&failed, -ESHUTDOWN);
}

/* What the accept work does with the head of the ready FIFO. */
enum wsk_offer {
	WSK_OFFER_NONE,		/* nothing (no head, or nobody to take it) */
	WSK_OFFER_DECIDE,	/* run the oldest request's condition on it */
	WSK_OFFER_DELIVER,	/* complete the oldest request with it */
	WSK_OFFER_EVENT,	/* offer it to the accept event */
};

/*
 * The head of the ready FIFO (if any) goes to the oldest request (its
 * condition first), else to the accept event: pick, with the lock held;
 * wsk_accept_act() then does it without. Return: what to do.
 */
static enum wsk_offer wsk_accept_pick(struct wsk_listener *ls, struct wsk_conn **conn,
				      struct wsk_req **req)
{
	lockdep_assert_held(&ls->ws.lock);
	*conn = list_first_entry_or_null(&ls->ready, struct wsk_conn, stage_node);
	if (!*conn)
		return WSK_OFFER_NONE;
	*req = wsk_req_dequeue(&ls->accept_q);
	if (*req && wsk_rp((*req))->args.accept.condition) {
		ls->head_busy = true;
		return WSK_OFFER_DECIDE;
	}
	if (*req) {
		wsk_conn_move(ls, *conn, WSK_CONN_TAKEN);
		ls->accepted++;
		return WSK_OFFER_DELIVER;
	}
	if (wsk_cb_begin_locked(&ls->ws, WSK_EVENT_ACCEPT)) {
		wsk_conn_move(ls, *conn, WSK_CONN_TAKEN);
		return WSK_OFFER_EVENT;
	}
	return WSK_OFFER_NONE;
}

/* Do what wsk_accept_pick() chose. Context: the accept work, no lock held. */
static void wsk_accept_act(struct wsk_listener *ls, enum wsk_offer offer, struct wsk_conn *conn,
			   struct wsk_req *req)
{
	switch (offer) {
	case WSK_OFFER_DECIDE:
		wsk_accept_decide(ls, conn, req);
		break;
	case WSK_OFFER_DELIVER:
		wsk_accept_deliver(ls, conn, req);
		break;
	case WSK_OFFER_EVENT:
		wsk_accept_event_call(ls, conn);
		break;
	case WSK_OFFER_NONE:
		break;
	}
}

/* Take one connection from the kernel's queue. Return: false when done. */
static bool wsk_accept_one(struct wsk_listener *ls)
{
	struct socket *newsock;
	struct wsk_conn *conn;
	unsigned long flags;
	int err = 0;

	wsk_test_point(WSK_TP_KERNEL_ACCEPT, &ls->ws, &err);
	/* Never sock->ops->accept(): its signature changed in 6.10. */
	if (!err)
		err = kernel_accept(ls->ws.sock, &newsock, O_NONBLOCK);
	if (err == -EAGAIN)
		return false;	/* the next connection's sk_data_ready queues us */
	if (err == -EINVAL) {
		wsk_listen_die(ls);	/* no longer listening */
		return true;
	}
	if (err) {
		/* No memory (-ENOMEM, -ENFILE): the connection waits in the queue. */
		wsk_stat_inc(&wsk_stats.accept_errors);
		pr_warn_ratelimited("kernel_accept failed: %d, retrying\n", err);
		wsk_listen_queue(ls, WSK_ACCEPT_RETRY);
		return false;
	}

	conn = wsk_conn_create(ls, newsock);
	if (!conn)
		return true;
	wsk_test_point(WSK_TP_ACCEPTED, &ls->ws, conn);
	if (ls->cond_accept) {
		wsk_inspect(ls, conn);
	} else {
		spin_lock_irqsave(&ls->ws.lock, flags);
		wsk_conn_move(ls, conn, WSK_CONN_READY);
		spin_unlock_irqrestore(&ls->ws.lock, flags);
	}
	return true;
}

static void wsk_accept_work(struct work_struct *work)
{
	struct wsk_listener *ls = container_of(to_delayed_work(work), struct wsk_listener,
					       accept_work);
	unsigned int budget = WSK_ACCEPT_BUDGET;
	struct wsk_conn *conn;
	enum wsk_offer offer;
	struct wsk_req *req;
	unsigned long flags;

	wsk_test_point(WSK_TP_ACCEPT_PASS, &ls->ws, NULL);
	for (;; cond_resched()) {
		spin_lock_irqsave(&ls->ws.lock, flags);
		if (ls->ws.closing)
			break;
		if (ls->ws.state == WSK_SOCK_DEAD) {
			spin_unlock_irqrestore(&ls->ws.lock, flags);
			wsk_listen_dead(ls);
			return;
		}
		/* Not listening yet, or its namespace is going (the op work kills it). */
		if (ls->ws.state != WSK_SOCK_LISTENING || ls->ws.net_gone)
			break;
		if (!budget--) {
			/* Let other listeners run; continue in a new pass. */
			wsk_listen_queue(ls, 0);
			break;
		}
		if (READ_ONCE(ls->ws.sock->sk->sk_state) != TCP_LISTEN) {
			/* The kernel closed it under us (tcp_abort()). */
			spin_unlock_irqrestore(&ls->ws.lock, flags);
			wsk_listen_die(ls);
			continue;
		}
		if (!list_empty(&ls->doomed) ||
		    test_and_clear_bit(WSK_LISTEN_ABORT_CHECK, &ls->flags)) {
			spin_unlock_irqrestore(&ls->ws.lock, flags);
			wsk_listen_reap(ls);
			continue;
		}
		offer = wsk_accept_pick(ls, &conn, &req);
		if (offer != WSK_OFFER_NONE) {
			spin_unlock_irqrestore(&ls->ws.lock, flags);
			wsk_accept_act(ls, offer, conn, req);
			continue;
		}
		/* A connection parked for the next accept; a conditional listener inspects on. */
		if (!list_empty(&ls->ready) && !ls->cond_accept)
			break;
		if (!wsk_listen_wants(ls))
			break;
		spin_unlock_irqrestore(&ls->ws.lock, flags);
		if (!wsk_accept_one(ls))
			return;
	}
	spin_unlock_irqrestore(&ls->ws.lock, flags);
}

/* Context: any. */
void wsk_listen_init(struct wsk_listener *ls)
{
	INIT_DELAYED_WORK(&ls->accept_work, wsk_accept_work);
	INIT_LIST_HEAD(&ls->accept_q);
	INIT_LIST_HEAD(&ls->ready);
	INIT_LIST_HEAD(&ls->held);
	INIT_LIST_HEAD(&ls->doomed);
}

/*
 * The first checks of a call on a listener, in the contract's order: closed
 * (-ESHUTDOWN), not a listener (-EOPNOTSUPP), dead (-ESHUTDOWN). Lock held.
 */
static int wsk_listen_check(struct wsk_sock *ws)
{
	lockdep_assert_held(&ws->lock);
	if (ws->closing)
		return -ESHUTDOWN;
	if (!wsk_sock_is_listener(ws))
		return -EOPNOTSUPP;
	if (ws->state == WSK_SOCK_DEAD || ws->net_gone)
		return -ESHUTDOWN;
	return 0;
}

static int wsk_accept_submit(struct wsk_socket *listen, unsigned int flags,
			     wsk_condition_t condition, unsigned long callback_data,
			     void *accept_socket_context,
			     const struct wsk_client_connection_dispatch *accept_socket_dispatch,
			     struct sockaddr_storage *local, struct sockaddr_storage *remote,
			     struct wsk_req *req)
{
	struct wsk_conn *conn = NULL;
	struct wsk_listener *ls;
	unsigned long irqflags;
	struct wsk_sock *ws;
	int err;

	err = wsk_req_enter(req, WSK_REQ_ACCEPT, listen, true, &ws);
	if (err)
		return err;
	ls = wsk_listener(ws);	/* used once wsk_listen_check() says it is one */

	wsk_rp(req)->args.accept.context = accept_socket_context;
	wsk_rp(req)->args.accept.dispatch = accept_socket_dispatch;
	wsk_rp(req)->args.accept.local = local;
	wsk_rp(req)->args.accept.remote = remote;
	wsk_rp(req)->args.accept.condition = condition;
	wsk_rp(req)->args.accept.callback_data = callback_data;

	spin_lock_irqsave(&ws->lock, irqflags);
	err = wsk_listen_check(ws);
	if (err) {
		/* closed, dead or not a listener */
	} else if (flags || ls->ws.state != WSK_SOCK_LISTENING) {
		err = -EINVAL;
	} else {
		/*
		 * A connection waiting in the ready FIFO goes inline to a plain
		 * accept that is first in line; conditions run on the work.
		 */
		if (!condition && list_empty(&ls->accept_q) && !ls->head_busy)
			conn = list_first_entry_or_null(&ls->ready, struct wsk_conn, stage_node);
		if (conn) {
			wsk_conn_move(ls, conn, WSK_CONN_TAKEN);
			ls->accepted++;
		} else {
			wsk_req_enqueue(listen, &ls->accept_q, req);
			/* Connections may already wait in the kernel's queue. */
			wsk_listen_queue(ls, 0);
			err = -EINPROGRESS;
		}
	}
	spin_unlock_irqrestore(&ws->lock, irqflags);

	if (err)
		return wsk_req_leave(req, err);
	wsk_accept_deliver(ls, conn, req);
	return 0;
}

/**
 * wsk_accept - accept a connection on a listen socket (WskAccept)
 * @listen: a bound listen socket
 * @flags: must be 0
 * @accept_socket_context: the new socket's socket_context
 * @accept_socket_dispatch: the new socket's client dispatch table (may be
 *	NULL); its events start disabled
 * @local: optional; filled with the connection's local address
 * @remote: optional; filled with the peer's address
 * @req: completes with @req->result.socket, a connection socket of the
 *	listener's client
 *
 * Pending accepts on one listener are served in submission order, each
 * connection to exactly one request, before the accept event gets any.
 * Connections are taken from the kernel's accept queue only while there is
 * a consumer (a pending accept, the accept event, or conditional accept).
 * A connection the peer reset before it was accepted is still delivered
 * (status 0): it is a valid accept whose socket is already dead; its
 * addresses are reported. @local, @remote
 * and @req must stay valid until completion. @local and @remote are written
 * to the length of the listener's address family only (a sockaddr_in, 16
 * bytes, or a sockaddr_in6, 28): a buffer of that family's size is enough,
 * whatever the pointer's type.
 *
 * Context: any; does not sleep. A pending accept completes from wsk's
 * workqueue (process context: delivery, the listener's close or death), or
 * in the context of the wsk_req_cancel() call that cancels it. A connection
 * that cannot be given a socket (no memory) is reset and the request stays
 * pending for the next one; when the kernel cannot accept a queued
 * connection for want of memory, wsk tries again shortly (the connection
 * waits in the kernel's queue meanwhile).
 * Return:
 * * 0 - a connection accepted earlier was ready (completed inline)
 * * -EINPROGRESS - completes later: 0 with a socket; -ECANCELED (cancelled,
 *   or the listener closed); -ESHUTDOWN (the listener died: the kernel
 *   closed it, as ss -K or BPF's sock_destroy do, or its namespace went
 *   away)
 * * -EINVAL - NULL @req (not completed); NULL @listen, non-zero @flags, or
 *   @listen not bound (completed)
 * * -EBUSY - @req is still pending (not completed)
 * * -EOPNOTSUPP - @listen is a connection socket (completed)
 * * -ESHUTDOWN - the listener's close has started, or it is dead (completed)
 */
int wsk_accept(struct wsk_socket *listen, unsigned int flags, void *accept_socket_context,
	       const struct wsk_client_connection_dispatch *accept_socket_dispatch,
	       struct sockaddr_storage *local, struct sockaddr_storage *remote,
	       struct wsk_req *req)
{
	return wsk_accept_submit(listen, flags, NULL, 0, accept_socket_context,
				 accept_socket_dispatch, local, remote, req);
}
EXPORT_SYMBOL_NS_GPL(wsk_accept, WSK);

/**
 * wsk_accept_conditional - accept with a condition function (WSAAccept)
 * @listen: a bound listen socket
 * @condition: called with the waiting connection's peer (caller) and local
 *	(callee) address and @callback_data; NULL makes this a plain
 *	wsk_accept(). It runs on wsk's workqueue (process context) and must
 *	not sleep.
 * @callback_data: passed to @condition unchanged
 * @accept_socket_context: the new socket's socket_context
 * @accept_socket_dispatch: the new socket's client dispatch (may be NULL)
 * @local: optional; filled with the connection's local address, whatever
 *	the verdict
 * @remote: optional; filled with the peer's address, whatever the verdict
 *	(both written only to the length of the listener's family, as by
 *	wsk_accept())
 * @req: completes with @req->result.socket on WSK_CF_ACCEPT
 *
 * Takes the first waiting connection (pending until there is one), in FIFO
 * order with the listener's other accept requests, and asks @condition:
 *
 * * WSK_CF_ACCEPT - @req completes 0 with the socket.
 * * WSK_CF_REJECT - the connection is reset (Linux has already completed
 *   the handshake: the peer sees a reset, not a refusal); @req completes
 *   -ECONNREFUSED.
 * * WSK_CF_DEFER - the connection stays at the head of the listener's
 *   queue and @req completes -EAGAIN. The next accept call of either kind
 *   is offered that same connection first (and calls its own condition
 *   again); no later connection is delivered while it is deferred.
 * * any other value - @req completes -EINVAL; the connection stays queued.
 *
 * Context: any; does not sleep. With a @condition the request always
 * completes from wsk's workqueue.
 * Return: as wsk_accept(); with a @condition never 0.
 */
int wsk_accept_conditional(struct wsk_socket *listen, wsk_condition_t condition,
			   unsigned long callback_data, void *accept_socket_context,
			   const struct wsk_client_connection_dispatch *accept_socket_dispatch,
			   struct sockaddr_storage *local, struct sockaddr_storage *remote,
			   struct wsk_req *req)
{
	return wsk_accept_submit(listen, 0, condition, callback_data, accept_socket_context,
				 accept_socket_dispatch, local, remote, req);
}
EXPORT_SYMBOL_NS_GPL(wsk_accept_conditional, WSK);

/**
 * wsk_inspect_complete - the verdict on a pended connection (WskInspectComplete)
 * @listen: the listen socket, with WSK_SO_CONDITIONAL_ACCEPT on
 * @id: the id its inspect_event was given (compared by value; a copy is fine)
 * @action: WSK_INSPECT_ACCEPT (deliver it to a pending accept request or the
 *	accept event, in the listener's FIFO order) or WSK_INSPECT_REJECT
 *	(reset it)
 * @req: the request
 *
 * Context: any; does not sleep. Completes inline; the delivery or reset
 * itself runs on wsk's workqueue.
 * Return:
 * * 0 - the verdict was taken (completed)
 * * -ENOENT - no connection with that id is held: unknown, already decided,
 *   or aborted (completed; nothing is set up)
 * * -EINVAL - NULL @req (not completed); NULL @listen or @id, @action not
 *   ACCEPT or REJECT, or conditional accept not on (completed)
 * * -EBUSY - @req is still pending (not completed)
 * * -EOPNOTSUPP - @listen is a connection socket (completed)
 * * -ESHUTDOWN - the listener's close has started, or it is dead (the
 *   kernel closed it, or its namespace went away) (completed)
 */
int wsk_inspect_complete(struct wsk_socket *listen, const struct wsk_inspect_id *id,
			 enum wsk_inspect_action action, struct wsk_req *req)
{
	struct wsk_conn *conn, *found = NULL;
	struct wsk_listener *ls;
	unsigned long flags;
	struct wsk_sock *ws;
	int err;

	err = wsk_req_enter(req, WSK_REQ_INLINE, listen, id, &ws);
	if (err)
		return err;
	ls = wsk_listener(ws);	/* used once wsk_listen_check() says it is one */

	spin_lock_irqsave(&ws->lock, flags);
	err = wsk_listen_check(ws);
	if (err) {
		/* closed, dead or not a listener */
	} else if (!ls->cond_accept ||
		   (action != WSK_INSPECT_ACCEPT && action != WSK_INSPECT_REJECT)) {
		err = -EINVAL;
	} else {
		list_for_each_entry(conn, &ls->held, stage_node) {
			if (conn->ws.id == id->key && conn->inspect_serial == id->serial) {
				found = conn;
				break;
			}
		}
		if (!found && ls->inspecting && ls->inspect_early < 0 &&
		    ls->inspecting->ws.id == id->key &&
		    ls->inspecting->inspect_serial == id->serial) {
			/* Its inspect_event has not returned yet: applied if it pends. */
			ls->inspect_early = action;
			trace_wsk_verdict(ls->ws.id, ls->inspecting, WSK_VERDICT_COMPLETE, action);
		} else if (!found) {
			err = -ENOENT;
		} else {
			if (action == WSK_INSPECT_ACCEPT) {
				wsk_conn_move(ls, found, WSK_CONN_READY);
				wsk_stat_inc(&wsk_stats.inspect_accepted);
			} else {
				wsk_conn_move(ls, found, WSK_CONN_DOOMED);
				wsk_stat_inc(&wsk_stats.inspect_rejected);
			}
			trace_wsk_verdict(ls->ws.id, found, WSK_VERDICT_COMPLETE, action);
			wsk_listen_kick(ls);
		}
	}
	spin_unlock_irqrestore(&ls->ws.lock, flags);

	return wsk_req_leave(req, err);
}
EXPORT_SYMBOL_NS_GPL(wsk_inspect_complete, WSK);
