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
 * - wsk_accept() enqueues first, then kicks the work, so no wake-up is lost.
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

/* Connections accepted per pass of the accept work before it requeues. */
#define WSK_ACCEPT_BUDGET	64

/* A pending request exists and the listener is usable. Lock held. */
static bool wsk_listen_wants(struct wsk_sock *ls)
{
	lockdep_assert_held(&ls->lock);
	return ls->state == WSK_SOCK_LISTENING && !ls->closing && !list_empty(&ls->accept_q);
}

/*
 * The listener's sk_data_ready. Context: softirq (or BH disabled), without
 * the listener's socket lock, possibly on several CPUs at once. Children
 * waiting in the accept queue inherited it: they are not TCP_LISTEN and their
 * sk_user_data is NULL, so they are ignored.
 */
static void wsk_listen_data_ready(struct sock *sk)
{
	struct wsk_sock *ls;
	unsigned long flags;

	wsk_trace_sk_data_ready(sk);

	if (sk->sk_state != TCP_LISTEN)
		return;

	read_lock_bh(&sk->sk_callback_lock);
	ls = wsk_sk_user_data_locked(sk);
	if (ls) {
		spin_lock_irqsave(&ls->lock, flags);
		if (wsk_listen_wants(ls))
			queue_work(wsk_wq, &ls->accept_work);
		spin_unlock_irqrestore(&ls->lock, flags);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

static void wsk_listen_unhook(struct wsk_sock *ls)
{
	struct sock *sk = ls->sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	wsk_sk_user_data_clear(sk);
	WRITE_ONCE(sk->sk_data_ready, ls->orig_data_ready);
	write_unlock_bh(&sk->sk_callback_lock);
}

/**
 * wsk_listen_start - install the hook and listen
 * @ls: a bound listen socket
 *
 * Context: the socket's op work (process context).
 * Return: 0 or kernel_listen()'s error (the hook is then removed again).
 */
int wsk_listen_start(struct wsk_sock *ls)
{
	struct sock *sk = ls->sock->sk;
	unsigned long flags;
	int backlog, err;

	write_lock_bh(&sk->sk_callback_lock);
	ls->orig_data_ready = sk->sk_data_ready;
	wsk_sk_user_data_set(sk, ls);
	WRITE_ONCE(sk->sk_data_ready, wsk_listen_data_ready);
	write_unlock_bh(&sk->sk_callback_lock);

	spin_lock_irqsave(&ls->lock, flags);
	backlog = ls->backlog_set ? ls->backlog : wsk_net_somaxconn(ls->net);
	spin_unlock_irqrestore(&ls->lock, flags);

	/* kernel_listen() does not clamp to somaxconn: the value is used as is. */
	err = kernel_listen(ls->sock, backlog);
	if (err) {
		wsk_listen_unhook(ls);
		ls->orig_data_ready = NULL;
	}
	return err;
}

/* Reset a connection that is never delivered. Process context. */
static void wsk_conn_reset(struct wsk_sock *conn)
{
	sock_no_linger(conn->sock->sk);
	sock_release(conn->sock);
	conn->sock = NULL;
	put_net(conn->net);
	wsk_stat_inc(&wsk_stats.connections_rejected);
	wsk_sock_free(conn);
}

/**
 * wsk_listen_stop - the listener part of the close
 * @ls: a listen socket whose close has started (@ls->closing is set)
 *
 * Removes the hook, waits for the accept work, and resets the connections
 * accepted but never delivered. The caller then completes the pending
 * requests and releases the socket (which resets the kernel's queue).
 *
 * Context: the socket's op work (process context).
 */
void wsk_listen_stop(struct wsk_sock *ls)
{
	struct wsk_sock *conn;
	unsigned long flags;
	LIST_HEAD(parked);

	if (ls->orig_data_ready)
		wsk_listen_unhook(ls);
	/* @closing is set: neither the hook nor wsk_accept() queues it again. */
	cancel_work_sync(&ls->accept_work);
	ls->orig_data_ready = NULL;

	spin_lock_irqsave(&ls->lock, flags);
	list_splice_init(&ls->ready, &parked);
	ls->nr_ready = 0;
	spin_unlock_irqrestore(&ls->lock, flags);

	while ((conn = list_first_entry_or_null(&parked, struct wsk_sock, ready_node))) {
		list_del_init(&conn->ready_node);
		wsk_stat_dec(&wsk_stats.connections_held);
		wsk_conn_reset(conn);
	}
}

/*
 * Turn an accepted child into a wsk connection socket of @ls's client.
 * Context: the accept work. Return: the socket, or NULL if it could not be
 * allocated (the child has then been reset).
 */
static struct wsk_sock *wsk_conn_create(struct wsk_sock *ls, struct socket *newsock)
{
	struct sockaddr_storage local = {}, remote = {};
	int local_len, remote_len, state;
	struct sock *sk = newsock->sk;
	struct wsk_sock *conn;
	unsigned long flags;

	/* It inherited wsk's listener hook while it waited in the queue. */
	write_lock_bh(&sk->sk_callback_lock);
	WRITE_ONCE(sk->sk_data_ready, ls->orig_data_ready);
	write_unlock_bh(&sk->sk_callback_lock);

	conn = wsk_sock_alloc(ls->client, get_net(ls->net), ls->family,
			      WSK_FLAG_CONNECTION_SOCKET, GFP_KERNEL);
	if (!conn) {
		put_net(ls->net);
		sock_no_linger(sk);
		sock_release(newsock);
		wsk_stat_inc(&wsk_stats.connections_rejected);
		return NULL;
	}
	conn->sock = newsock;

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
	state = READ_ONCE(sk->sk_state) == TCP_CLOSE ? WSK_SOCK_DEAD : WSK_SOCK_CONNECTED;

	/* Under the lock: the socket is already on the debugfs list. */
	spin_lock_irqsave(&conn->lock, flags);
	memcpy(&conn->local, &local, sizeof(local));
	conn->local_len = local_len;
	memcpy(&conn->remote, &remote, sizeof(remote));
	conn->remote_len = remote_len;
	conn->state = state;
	spin_unlock_irqrestore(&conn->lock, flags);
	return conn;
}

/* Complete @req with @conn. The caller owns @req (off the queue). */
static void wsk_accept_deliver(struct wsk_sock *conn, struct wsk_req *req)
{
	struct sockaddr_storage *local = req->priv.args.accept.local;
	struct sockaddr_storage *remote = req->priv.args.accept.remote;

	conn->context = req->priv.args.accept.context;
	conn->client_dispatch = req->priv.args.accept.dispatch;
	if (local) {
		memset(local, 0, sizeof(*local));
		memcpy(local, &conn->local, conn->local_len);
	}
	if (remote) {
		memset(remote, 0, sizeof(*remote));
		memcpy(remote, &conn->remote, conn->remote_len);
	}
	wsk_stat_inc(&wsk_stats.accepts_completed);
	if (conn->state == WSK_SOCK_DEAD)
		wsk_stat_inc(&wsk_stats.accepts_dead);
	req->result.socket = &conn->pub;
	trace_wsk_accept_delivered(req->priv.sock_id, conn);
	wsk_req_complete(req, 0);
}

static void wsk_accept_work(struct work_struct *work)
{
	struct wsk_sock *ls = container_of(work, struct wsk_sock, accept_work);
	unsigned int budget = WSK_ACCEPT_BUDGET;
	struct socket *newsock;
	struct wsk_sock *conn;
	struct wsk_req *req;
	unsigned long flags;
	int err;

	for (;;) {
		spin_lock_irqsave(&ls->lock, flags);
		if (!wsk_listen_wants(ls)) {
			spin_unlock_irqrestore(&ls->lock, flags);
			return;
		}
		if (!budget--) {
			/* Let other listeners run; continue in a new pass. */
			queue_work(wsk_wq, &ls->accept_work);
			spin_unlock_irqrestore(&ls->lock, flags);
			return;
		}
		spin_unlock_irqrestore(&ls->lock, flags);

		/* Never sock->ops->accept(): its signature changed in 6.10. */
		err = kernel_accept(ls->sock, &newsock, O_NONBLOCK);
		if (err) {
			/*
			 * -EAGAIN: the queue is empty; the next connection's
			 * sk_data_ready queues this work again. Anything else
			 * (-ENOMEM) also waits for the next wake-up.
			 */
			if (err != -EAGAIN) {
				wsk_stat_inc(&wsk_stats.accept_errors);
				pr_warn_ratelimited("kernel_accept failed: %d\n", err);
			}
			return;
		}

		conn = wsk_conn_create(ls, newsock);
		if (!conn)
			continue;

		spin_lock_irqsave(&ls->lock, flags);
		req = ls->closing ? NULL : wsk_req_dequeue(&ls->accept_q);
		if (!req) {
			/* Cancelled meanwhile (or closing: the close resets it). */
			list_add_tail(&conn->ready_node, &ls->ready);
			ls->nr_ready++;
			wsk_stat_inc(&wsk_stats.accepts_parked);
			wsk_stat_inc(&wsk_stats.connections_held);
			/* Under the lock: once parked, @conn is the next accept's. */
			trace_wsk_accept_parked(ls->id, conn);
		} else {
			ls->accepted++;
		}
		spin_unlock_irqrestore(&ls->lock, flags);

		if (req)
			wsk_accept_deliver(conn, req);
		cond_resched();
	}
}

/* Context: any. */
void wsk_listen_init(struct wsk_sock *s)
{
	INIT_WORK(&s->accept_work, wsk_accept_work);
}

int wsk_accept(struct wsk_socket *listen, unsigned int flags, void *accept_socket_context,
	       const struct wsk_client_connection_dispatch *accept_socket_dispatch,
	       struct sockaddr_storage *local, struct sockaddr_storage *remote,
	       struct wsk_req *req)
{
	struct wsk_sock *ls, *conn = NULL;
	unsigned long irqflags;
	int err;

	err = wsk_req_claim(req, WSK_REQ_ACCEPT, listen);
	if (err)
		return err;
	if (!listen)
		return wsk_req_fail(req, -EINVAL);
	ls = wsk_sock(listen);

	req->priv.args.accept.context = accept_socket_context;
	req->priv.args.accept.dispatch = accept_socket_dispatch;
	req->priv.args.accept.local = local;
	req->priv.args.accept.remote = remote;

	spin_lock_irqsave(&ls->lock, irqflags);
	if (ls->closing) {
		err = -ESHUTDOWN;
	} else if (!wsk_sock_is_listener(ls)) {
		err = -EOPNOTSUPP;
	} else if (flags || ls->state != WSK_SOCK_LISTENING) {
		err = -EINVAL;
	} else {
		/* Parked connections exist only while no request is pending. */
		conn = list_first_entry_or_null(&ls->ready, struct wsk_sock, ready_node);
		if (conn) {
			list_del_init(&conn->ready_node);
			ls->nr_ready--;
			ls->accepted++;
			wsk_stat_dec(&wsk_stats.connections_held);
		} else {
			wsk_req_enqueue(listen, &ls->accept_q, req);
			/* Connections may already wait in the kernel's queue. */
			queue_work(wsk_wq, &ls->accept_work);
			err = -EINPROGRESS;
		}
	}
	spin_unlock_irqrestore(&ls->lock, irqflags);

	if (err == -EINPROGRESS)
		return err;	/* @req may be completing elsewhere already */
	if (err)
		return wsk_req_fail(req, err);
	wsk_accept_deliver(conn, req);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(wsk_accept, WSK);
