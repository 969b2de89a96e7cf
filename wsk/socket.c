// SPDX-License-Identifier: GPL-2.0
/*
 * wsk: sockets. Creation, bind, close, addresses, options, the provider
 * dispatch tables, and the per-socket operation work that runs everything
 * that sleeps.
 *
 * Every socket runs its sleeping operations one at a time in submission
 * order, in op passes (wsk_sock_op_pass()) on its work item: a listener's
 * op_work, a connection's one work (whose passes then run its data path).
 * Creation first, then the queued operations (bind, option SET), and
 * finally the teardown: the close, or the reset of a connection wsk does
 * not deliver (or whose accept_event refused it). It is the one place that
 * releases a socket's kernel socket and frees the socket, so nothing else
 * it runs can be left behind: a teardown waits for the socket's
 * accept_event to return, and for the socket's work to be neither queued
 * nor running anywhere but here. op_active (under the socket lock) says
 * operations are due; it is never cleared once the teardown is taken
 * (torn_down), and nothing queues a closing socket's work, so the teardown
 * can free the socket.
 *
 * A wsk socket does not hold its network namespace (neither do kernel
 * sockets). When a namespace is dismantled, netns.c marks its sockets
 * net_gone and the op work kills them (wsk_sock_kill()): their kernel
 * sockets are released, their pending requests complete -ESHUTDOWN and
 * their events report them dead; the client still closes them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/export.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/sockptr.h>
#include <linux/tcp.h>
#include <linux/wait_bit.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "compat.h"
#include "internal.h"
#include "trace.h"

/* The socket list and its lock: see internal.h. */
LIST_HEAD(wsk_sock_list);
DEFINE_SPINLOCK(wsk_sock_list_lock);
/* The last socket id handed out; under wsk_sock_list_lock. */
static u64 wsk_sock_last_id;

const char *wsk_sock_state_name(enum wsk_sock_state state)
{
	static const char * const names[] = {
		WSK_SOCK_STATES(WSK_NAME_ENTRY, WSK_NAME_ENTRY)
	};

	if (state < ARRAY_SIZE(names) && names[state])
		return names[state];
	return "?";
}

/*
 * The edges of the two lifecycles (enum wsk_sock_state in internal.h): the
 * states each state may go to, by wsk_category_index().
 */
#define WSK_TO(state)	BIT(WSK_SOCK_##state)
static const u8 wsk_sock_next[2][WSK_SOCK_NR_STATES] = {
	[0] = {
		[WSK_SOCK_CREATING] = WSK_TO(OPEN),
		[WSK_SOCK_OPEN] = WSK_TO(BOUND) | WSK_TO(DEAD),
		[WSK_SOCK_BOUND] = WSK_TO(LISTENING) | WSK_TO(DEAD),
		[WSK_SOCK_LISTENING] = WSK_TO(DEAD),
		[WSK_SOCK_DEAD] = WSK_TO(DEAD),
	},
	[1] = {
		[WSK_SOCK_CREATING] = WSK_TO(OPEN) | WSK_TO(CONNECTED) | WSK_TO(DEAD),
		[WSK_SOCK_OPEN] = WSK_TO(BOUND) | WSK_TO(DEAD),
		[WSK_SOCK_BOUND] = WSK_TO(CONNECTING) | WSK_TO(DEAD),
		[WSK_SOCK_CONNECTING] = WSK_TO(CONNECTED) | WSK_TO(DEAD),
		[WSK_SOCK_CONNECTED] = WSK_TO(DEAD),
		[WSK_SOCK_DEAD] = WSK_TO(DEAD),
	},
};

/**
 * wsk_sock_set_state - move a socket along its lifecycle
 * @ws: the socket
 * @state: its new state; an edge its category does not have is a bug: it
 *	warns and leaves the state as it is
 *
 * Fires the wsk_sock_state tracepoint when the state changes.
 *
 * Context: any; the caller holds @ws->lock.
 */
void wsk_sock_set_state(struct wsk_sock *ws, enum wsk_sock_state state)
{
	enum wsk_sock_state from = ws->state;

	lockdep_assert_held(&ws->lock);
	if (WARN_ONCE(state >= WSK_SOCK_NR_STATES ||
		      !(wsk_sock_next[wsk_category_index(ws->category)][from] & BIT(state)),
		      "wsk: socket %llu: no edge %s -> %s\n", ws->id, wsk_sock_state_name(from),
		      wsk_sock_state_name(state)))
		return;
	ws->state = state;
	if (from != state)
		trace_wsk_sock_state(ws->id, wsk_sock_is_listener(ws), from, state);
}

static void wsk_listen_op_work(struct work_struct *work);

/**
 * wsk_sock_alloc - allocate and initialise a socket object
 * @client: the owner; takes one of its socket counts
 * @net: the namespace, alive (the caller holds a reference or a live
 *	kernel socket in it); the socket does not hold it
 * @family: AF_INET or AF_INET6
 * @category: WSK_FLAG_LISTEN_SOCKET or WSK_FLAG_CONNECTION_SOCKET
 * @gfp: allocation flags
 *
 * Context: any (with GFP_ATOMIC).
 * Return: the object, state CREATING, or NULL.
 */
struct wsk_sock *wsk_sock_alloc(struct wsk_client *client, struct net *net, int family,
				unsigned int category, gfp_t gfp)
{
	unsigned long flags;
	struct wsk_sock *ws;

	if (category == WSK_FLAG_LISTEN_SOCKET) {
		struct wsk_listener *ls = kmem_cache_zalloc(wsk_listener_cache, gfp);

		if (!ls)
			return NULL;
		wsk_listen_init(ls);
		INIT_WORK(&ls->op_work, wsk_listen_op_work);
		ws = &ls->ws;
	} else {
		struct wsk_conn *c = kmem_cache_zalloc(wsk_conn_cache, gfp);

		if (!c)
			return NULL;
		wsk_conn_init(c);
		ws = &c->ws;
	}
	ws->client = client;
	ws->net = net;
	ws->family = family;
	ws->category = category;
	ws->pub.dispatch = category == WSK_FLAG_LISTEN_SOCKET ?
		(const void *)&wsk_listen_dispatch : (const void *)&wsk_connection_dispatch;
	spin_lock_init(&ws->lock);
	ws->state = WSK_SOCK_CREATING;
	INIT_LIST_HEAD(&ws->op_q);
	INIT_LIST_HEAD(&ws->evwait_q);
	wsk_client_get_socket(client);
	wsk_stat_inc(&wsk_stats.sockets);
	wsk_stat_inc(&wsk_stats.sockets_by_category[wsk_category_index(category)]);

	/* Published initialised; the id is taken under the lock: list in id order. */
	spin_lock_irqsave(&wsk_sock_list_lock, flags);
	ws->id = ++wsk_sock_last_id;
	list_add_tail_rcu(&ws->list, &wsk_sock_list);
	spin_unlock_irqrestore(&wsk_sock_list_lock, flags);
	return ws;
}

static void wsk_sock_free_rcu(struct rcu_head *head)
{
	struct wsk_sock *ws = container_of(head, struct wsk_sock, rcu);

	if (wsk_sock_is_listener(ws))
		kmem_cache_free(wsk_listener_cache, wsk_listener(ws));
	else
		kmem_cache_free(wsk_conn_cache, wsk_conn(ws));
}

/**
 * wsk_sock_free - drop a socket object whose last completion has run
 * @ws: the socket; its kernel socket is gone
 *
 * The memory is freed after an RCU grace period (wsk_req_cancel() and the
 * debugfs listing may still be looking at it), then the client's count
 * drops: that must be last, as it may let wsk_deregister() free the client
 * and its module go.
 *
 * Context: any.
 */
void wsk_sock_free(struct wsk_sock *ws)
{
	struct wsk_client *client = ws->client;
	unsigned long flags;

	spin_lock_irqsave(&wsk_sock_list_lock, flags);
	list_del_rcu(&ws->list);
	spin_unlock_irqrestore(&wsk_sock_list_lock, flags);
	wsk_stat_dec(&wsk_stats.sockets_by_category[wsk_category_index(ws->category)]);
	wsk_stat_dec(&wsk_stats.sockets);
	call_rcu(&ws->rcu, wsk_sock_free_rcu);
	wsk_client_put_socket(client);
}

/**
 * wsk_sock_kick_ops - have an op pass run, unless one is due already
 * @ws: the socket
 *
 * Context: any; the caller holds @ws->lock.
 */
void wsk_sock_kick_ops(struct wsk_sock *ws)
{
	lockdep_assert_held(&ws->lock);
	if (!ws->op_active) {
		ws->op_active = true;
		queue_work(wsk_wq, wsk_sock_work(ws));
	}
}

/* ------------------------------------------------------------------------ */
/* The operation work (process context, may sleep)                          */

static bool wsk_sock_do_create(struct wsk_sock *ws)
{
	struct wsk_req *req = ws->create_req;
	struct socket *sock;
	unsigned long flags;
	int err;

	err = sock_create_kern(ws->net, ws->family, SOCK_STREAM, IPPROTO_TCP, &sock);
	if (!err)
		wsk_sock_attach_kern(ws, sock);
	/* wsk_socket()'s reference: from here on the namespace may go. */
	put_net(ws->net);
	if (err) {
		wsk_req_complete(req, err);
		wsk_sock_free(ws);
		return false;
	}
	spin_lock_irqsave(&ws->lock, flags);
	wsk_sock_set_state(ws, WSK_SOCK_OPEN);
	ws->create_req = NULL;
	spin_unlock_irqrestore(&ws->lock, flags);

	/* wsk_socket_connect(): bind and connect next (connect.c). */
	if (wsk_rp(req)->kind == WSK_REQ_CONNECT) {
		err = wsk_connect_run(ws, req);
		if (err != -EINPROGRESS)
			wsk_req_complete(req, err);	/* and the op pass frees it */
		return true;
	}
	req->result.socket = &ws->pub;
	wsk_req_complete(req, 0);
	return true;
}

static int wsk_sock_do_bind(struct wsk_sock *ws, struct wsk_req *req)
{
	struct sockaddr_storage addr;
	struct sockaddr_storage local;
	enum wsk_sock_state state;
	unsigned long flags;
	int addrlen = wsk_rp(req)->args.bind.addrlen;
	int len, err;

	spin_lock_irqsave(&ws->lock, flags);
	state = ws->state;
	spin_unlock_irqrestore(&ws->lock, flags);
	if (!ws->sock)
		return -ESHUTDOWN;	/* its namespace went away */
	if (state != WSK_SOCK_OPEN)
		return -EINVAL;

	/* The caller's buffer stays valid until completion; kernel_bind() wants it writable. */
	memcpy(&addr, wsk_rp(req)->args.bind.addr, addrlen);
	err = kernel_bind(ws->sock, (struct sockaddr *)&addr, addrlen);
	if (err)
		return err;

	/* Cache the address now: kernel_getsockname() sleeps, callers may not. */
	memset(&local, 0, sizeof(local));
	len = kernel_getsockname(ws->sock, (struct sockaddr *)&local);
	if (len < 0)
		return len;

	spin_lock_irqsave(&ws->lock, flags);
	wsk_addr_set(&ws->local, &local, len);
	wsk_sock_set_state(ws, WSK_SOCK_BOUND);
	spin_unlock_irqrestore(&ws->lock, flags);

	if (!wsk_sock_is_listener(ws))
		return 0;

	err = wsk_listen_start(wsk_listener(ws));
	if (err)
		return err;
	wsk_test_point(WSK_TP_LISTENED, ws, NULL);
	spin_lock_irqsave(&ws->lock, flags);
	wsk_sock_set_state(ws, WSK_SOCK_LISTENING);
	wsk_event_static(ws);
	/* Connections that came before this: their wake-up found it not listening. */
	wsk_listen_kick(wsk_listener(ws));
	spin_unlock_irqrestore(&ws->lock, flags);
	return 0;
}

static void wsk_sock_run_op(struct wsk_sock *ws, struct wsk_req *req)
{
	size_t *out_returned;
	int err;

	switch (wsk_rp(req)->kind) {
	case WSK_REQ_BIND:
		err = wsk_sock_do_bind(ws, req);
		break;
	case WSK_REQ_SETOPT:
		out_returned = wsk_rp(req)->args.setopt.out_returned;
		err = wsk_opt_set_run(ws, req);
		if (out_returned)
			*out_returned = 0;
		break;
	case WSK_REQ_CONNECT:
		err = wsk_connect_run(ws, req);
		if (err == -EINPROGRESS)
			return;	/* waits for the handshake */
		break;
	default:
		WARN_ONCE(1, "wsk: unexpected queued request kind %u\n", wsk_rp(req)->kind);
		err = -EINVAL;
		break;
	}
	wsk_req_complete(req, err);
}

/**
 * wsk_sock_attach_kern - give a socket its kernel socket
 * @ws: the socket, not yet handed to the client
 * @sock: the kernel socket, in @ws->net
 *
 * Counted in @ws->net until wsk_sock_release_kern(): a namespace exit waits
 * for that count to drop to zero.
 *
 * Context: process context (the op work or the listener's accept work).
 */
void wsk_sock_attach_kern(struct wsk_sock *ws, struct socket *sock)
{
	wsk_net_hold_kern(ws->net);
	ws->sock = sock;
}

/*
 * Release a connection's kernel socket: abortive (RST) unless @graceful and
 * it is disconnected both ways. Where its FIN may still need retransmitting
 * (LAST_ACK, CLOSING) it first holds its namespace as a user socket does:
 * tcp_close() stops the retransmit timers of a kernel socket, and an orphan
 * whose FIN was lost would stay in LAST_ACK for ever. If the namespace is
 * being dismantled already, the release is abortive.
 */
static void wsk_conn_release_sock(struct socket *sock, bool graceful)
{
	struct sock *sk = sock->sk;
	int state = 1 << READ_ONCE(sk->sk_state);
	struct net *net = sock_net(sk);

	if (!graceful || !(state & (TCPF_CLOSE | TCPF_TIME_WAIT | TCPF_LAST_ACK | TCPF_CLOSING))) {
		sock_no_linger(sk);
	} else if (state & (TCPF_LAST_ACK | TCPF_CLOSING)) {
		if (maybe_get_net(net)) {
			wsk_sk_net_refcnt_upgrade(sk);
			put_net(net);
		} else {
			sock_no_linger(sk);
		}
	}
	sock_release(sock);
}

/* Release the kernel socket @sock that @ws had. Context: process context. */
static void wsk_sock_release_kern(struct wsk_sock *ws, struct socket *sock, bool graceful)
{
	struct net *net = ws->net;

	if (!sock)
		return;
	if (wsk_sock_is_listener(ws))
		sock_release(sock);	/* resets the children still queued */
	else
		wsk_conn_release_sock(sock, graceful);
	wsk_net_put_kern(net);
}

/*
 * The teardown: runs last on the op work, with @closing set (no call queues
 * anything any more), or inline from wsk_sock_reset(). The order is the
 * one that works for listeners: hooks off, accept work cancelled, pending
 * requests completed, undelivered connections reset, socket released; then
 * the close (if any) completes and the socket is dropped.
 */
static void wsk_sock_teardown(struct wsk_sock *ws)
{
	struct wsk_req *close_req;
	unsigned int nr_cancelled;
	bool reset, rejected;
	struct socket *sock;
	unsigned long flags;
	LIST_HEAD(cancelled);

	if (ws->close_req)
		trace_wsk_sock_close_start(ws);
	/* Both wait for the socket's callbacks and stop them for good. */
	if (wsk_sock_is_listener(ws))
		wsk_listen_stop(wsk_listener(ws));
	else
		wsk_conn_stop(wsk_conn(ws), &cancelled);

	spin_lock_irqsave(&ws->lock, flags);
	wsk_req_dequeue_all(&ws->op_q, &cancelled);
	if (wsk_sock_is_listener(ws))
		wsk_req_dequeue_all(&wsk_listener(ws)->accept_q, &cancelled);
	wsk_req_dequeue_all(&ws->evwait_q, &cancelled);
	sock = ws->sock;
	ws->sock = NULL;
	close_req = ws->close_req;
	reset = ws->reset;
	rejected = ws->rejected;
	spin_unlock_irqrestore(&ws->lock, flags);

	nr_cancelled = wsk_req_complete_list(&cancelled, -ECANCELED);
	wsk_sock_release_kern(ws, sock, !reset);
	if (rejected)
		wsk_stat_inc(&wsk_stats.connections_rejected);

	/*
	 * A wsk_req_cancel() that took a request off a queue before we emptied
	 * them completes it in its own context: the close completes after it,
	 * and the socket stays until its canceller no longer touches it.
	 */
	wait_var_event(&ws->cancelling, !atomic_read(&ws->cancelling));
	if (close_req) {
		trace_wsk_sock_close_end(ws, nr_cancelled);
		wsk_req_complete(close_req, 0);
	}
	wsk_sock_free(ws);
}

/**
 * wsk_sock_reset - tear down a socket the client does not hold (any more)
 * @ws: an undelivered connection, or one its accept_event refused
 * @rejected: count it in connections_rejected
 *
 * Marks it closing and resets it: at once, or, if its op work is queued or
 * running (the accept_event queued work on it), from the op work, next.
 * Either way only once every request queued on it has completed.
 *
 * Context: process context (the accept work, or the listener's teardown).
 */
void wsk_sock_reset(struct wsk_sock *ws, bool rejected)
{
	unsigned long flags;
	bool now;

	spin_lock_irqsave(&ws->lock, flags);
	ws->closing = true;
	ws->reset = true;
	ws->rejected = rejected;
	now = !ws->op_active;
	/* Taken here, or by the op pass that is due: no op pass runs again. */
	ws->op_active = true;
	ws->torn_down |= now;
	spin_unlock_irqrestore(&ws->lock, flags);
	if (now)
		wsk_sock_teardown(ws);
}

/*
 * The namespace of @ws is being dismantled: release its kernel socket now
 * (abortively), complete what is pending on it with -ESHUTDOWN, and let its
 * events tell the client (the accept event's NULL socket; the NULL
 * indication and the abortive disconnect event). It stays the client's
 * until closed. Context: the op work.
 */
static void wsk_sock_kill(struct wsk_sock *ws)
{
	struct socket *sock;
	unsigned long flags;
	LIST_HEAD(failed);

	if (wsk_sock_is_listener(ws)) {
		wsk_listen_stop(wsk_listener(ws));
		wsk_listen_die(wsk_listener(ws));
	} else {
		wsk_conn_quiesce(wsk_conn(ws), &failed);
	}
	spin_lock_irqsave(&ws->lock, flags);
	sock = ws->sock;
	ws->sock = NULL;
	wsk_sock_set_state(ws, WSK_SOCK_DEAD);
	spin_unlock_irqrestore(&ws->lock, flags);

	wsk_sock_release_kern(ws, sock, false);
	wsk_stat_inc(&wsk_stats.sockets_net_killed);
	wsk_req_complete_list(&failed, -ESHUTDOWN);

	spin_lock_irqsave(&ws->lock, flags);
	if (wsk_sock_is_listener(ws))
		wsk_listen_queue(wsk_listener(ws), 0);
	else
		wsk_conn_kick(wsk_conn(ws));
	spin_unlock_irqrestore(&ws->lock, flags);
}

/* Operations one op pass runs at most before it requeues. */
#define WSK_OP_BUDGET	64

/*
 * Whether the op pass may take @ws's teardown now: the work it runs on must
 * not run again once the socket is freed. A connection comes off the retry
 * list first; then nothing queues its work any more (every queueing checks
 * @closing or @op_active under the lock, and the retry list is empty of it),
 * and if it is queued already, its next pass takes the teardown. Lock held.
 */
static bool wsk_sock_teardown_now(struct wsk_sock *ws)
{
	lockdep_assert_held(&ws->lock);
	if (!wsk_sock_is_listener(ws))
		wsk_conn_retry_forget(wsk_conn(ws));
	if (work_pending(wsk_sock_work(ws)))
		return false;
	ws->torn_down = true;	/* op_active stays set */
	return true;
}

/**
 * wsk_sock_op_pass - run a socket's due operations
 * @ws: the socket
 *
 * Creation, then the queued operations in order, a namespace's kill, and
 * the teardown, at most WSK_OP_BUDGET operations (then the work is queued
 * again).
 *
 * Context: the socket's work (wsk_sock_work()), process context; may sleep.
 * Return: true if @ws has nothing more due now (a connection's pass goes on
 * to its data path); false if @ws is freed, or this pass ends here (the
 * teardown is someone else's or the next pass's, the accept_event it waits
 * for is running, or the budget is spent).
 */
bool wsk_sock_op_pass(struct wsk_sock *ws)
{
	unsigned int budget = WSK_OP_BUDGET;
	struct wsk_req *req;
	unsigned long flags;
	bool kill, now;

	/* create_req is set before the first queueing and only cleared here. */
	if (ws->create_req && !wsk_sock_do_create(ws))
		return false;

	if (READ_ONCE(ws->op_active))
		wsk_test_point(WSK_TP_OP_PASS, ws, NULL);
	for (;; cond_resched()) {
		spin_lock_irqsave(&ws->lock, flags);
		if (ws->torn_down) {
			spin_unlock_irqrestore(&ws->lock, flags);
			return false;
		}
		kill = ws->net_gone && ws->sock;
		if ((ws->closing || kill) && wsk_sock_in_accept_event(ws)) {
			/* Not while its accept_event runs: that kicks us once it returns. */
			ws->op_active = false;
			spin_unlock_irqrestore(&ws->lock, flags);
			return false;
		}
		/* A socket wsk_socket_connect() has not handed out: freed, not killed. */
		if (kill && ws->unowned) {
			req = wsk_connect_disown(wsk_conn(ws));
			spin_unlock_irqrestore(&ws->lock, flags);
			if (req)
				wsk_req_complete(req, wsk_rp(req)->cancel ? -ECANCELED :
						 -ESHUTDOWN);
			continue;
		}
		if (ws->closing) {
			now = wsk_sock_teardown_now(ws);
			spin_unlock_irqrestore(&ws->lock, flags);
			if (now)
				wsk_sock_teardown(ws);
			return false;
		}
		if (!budget--) {
			queue_work(wsk_wq, wsk_sock_work(ws));	/* op_active stays set */
			spin_unlock_irqrestore(&ws->lock, flags);
			return false;
		}
		req = kill ? NULL : wsk_req_dequeue(&ws->op_q);
		if (!req && !kill)
			ws->op_active = false;
		spin_unlock_irqrestore(&ws->lock, flags);
		if (kill)
			wsk_sock_kill(ws);
		else if (req)
			wsk_sock_run_op(ws, req);
		else
			return true;
	}
}

static void wsk_listen_op_work(struct work_struct *work)
{
	wsk_sock_op_pass(&container_of(work, struct wsk_listener, op_work)->ws);
}

/**
 * wsk_sock_submit_op - the end of a call that queues an operation
 * @ws: the socket
 * @req: the claimed request, its arguments set
 * @err: the call's own argument error, or 0
 *
 * The error order every such call follows: -ESHUTDOWN once the close has
 * started or the namespace is going, then @err; else @req is queued on the
 * op queue and the op pass kicked.
 *
 * Context: any; @ws->lock not held.
 * Return: -EINPROGRESS (@req may be completing elsewhere already), or the
 * error @req was completed with.
 */
int wsk_sock_submit_op(struct wsk_sock *ws, struct wsk_req *req, int err)
{
	unsigned long flags;

	spin_lock_irqsave(&ws->lock, flags);
	if (ws->closing || ws->net_gone) {
		err = -ESHUTDOWN;
	} else if (!err) {
		wsk_req_enqueue(&ws->pub, &ws->op_q, req);
		wsk_sock_kick_ops(ws);
		err = -EINPROGRESS;
	}
	spin_unlock_irqrestore(&ws->lock, flags);
	return wsk_req_leave(req, err);
}

/* ------------------------------------------------------------------------ */
/* Exported operations                                                       */

/* Whether a close (or reset) of @ws has started. Context: any, lock not held. */
static bool wsk_sock_closing(struct wsk_sock *ws)
{
	unsigned long flags;
	bool closing;

	spin_lock_irqsave(&ws->lock, flags);
	closing = ws->closing;
	spin_unlock_irqrestore(&ws->lock, flags);
	return closing;
}

/**
 * wsk_sock_new - the checks and the allocation of a socket a request creates
 * @client: the owning client
 * @net: the namespace; held from here until the kernel socket exists
 * @family: AF_INET or AF_INET6
 * @flags: WSK_FLAG_LISTEN_SOCKET or WSK_FLAG_CONNECTION_SOCKET
 * @socket_context: the socket's socket_context
 * @client_dispatch: its client dispatch table (may be NULL)
 * @req: the claimed request that creates it (wsk_socket(),
 *	wsk_socket_connect()): the completion reports the new socket
 * @err: on failure, what to complete @req with
 *
 * Context: any; does not sleep.
 * Return: the socket object (state CREATING), for wsk_sock_create_start();
 * NULL with *@err -EINVAL (a NULL @client or @net, bad @family or @flags,
 * @net being dismantled), -ESHUTDOWN (@client is being deregistered) or
 * -ENOMEM.
 */
struct wsk_sock *wsk_sock_new(struct wsk_client *client, struct net *net, int family,
			      unsigned int flags, void *socket_context,
			      const void *client_dispatch, struct wsk_req *req, int *err)
{
	struct wsk_sock *ws;

	*err = -EINVAL;
	if (!client || !net)
		return NULL;
	if (family != AF_INET && family != AF_INET6)
		return NULL;
	if (flags != WSK_FLAG_LISTEN_SOCKET && flags != WSK_FLAG_CONNECTION_SOCKET)
		return NULL;
	*err = -ESHUTDOWN;
	if (READ_ONCE(client->dying))
		return NULL;
	wsk_client_made_socket(client);	/* its static events are fixed now */
	/* Held until the kernel socket exists (wsk_sock_do_create()), not after. */
	*err = -EINVAL;
	if (!maybe_get_net(net))
		return NULL;

	ws = wsk_sock_alloc(client, net, family, flags, GFP_ATOMIC);
	if (!ws) {
		put_net(net);
		*err = -ENOMEM;
		return NULL;
	}
	ws->context = socket_context;
	ws->client_dispatch = client_dispatch;
	wsk_rp(req)->sock_id = ws->id;	/* its completion reports the new socket */
	return ws;
}

/**
 * wsk_sock_create_start - queue the creation of a socket's kernel socket
 * @ws: from wsk_sock_new(), not yet published to the client
 * @req: the request that creates it: from here on its op pass's
 *
 * Context: any; does not sleep.
 */
void wsk_sock_create_start(struct wsk_sock *ws, struct wsk_req *req)
{
	ws->create_req = req;
	ws->op_active = true;
	queue_work(wsk_wq, wsk_sock_work(ws));
}

/**
 * wsk_socket - create a socket (WskSocket)
 * @client: the owning client
 * @net: the namespace the socket lives in, alive; not held: when it is
 *	dismantled, the socket dies (its requests complete -ESHUTDOWN, its
 *	events report it dead) and the client only closes it
 * @family: AF_INET or AF_INET6 (an AF_INET6 listener is dual-stack unless
 *	IPV6_V6ONLY is set, or net.ipv6.bindv6only is 1 in @net and the option
 *	is not set to 0)
 * @flags: exactly one of WSK_FLAG_LISTEN_SOCKET, WSK_FLAG_CONNECTION_SOCKET
 * @socket_context: passed to the socket's event callbacks
 * @client_dispatch: a &struct wsk_client_listen_dispatch for a listen
 *	socket, a &struct wsk_client_connection_dispatch for a connection
 *	socket; may be NULL
 * @req: completes with @req->result.socket
 *
 * Context: any; does not sleep. The socket object is allocated with
 * GFP_ATOMIC; the kernel socket is created on wsk's workqueue, from which
 * the request completes.
 * Return:
 * * -EINPROGRESS - the request completes later: status 0 with the new socket,
 *   or the error of sock_create_kern()
 * * -EINVAL - NULL @req (not completed); or NULL @client or @net, bad @family
 *   or @flags, @net being dismantled (completed)
 * * -EBUSY - @req is still pending (not completed)
 * * -ESHUTDOWN - @client is being deregistered (completed)
 * * -ENOMEM - no memory (completed)
 */
int wsk_socket(struct wsk_client *client, struct net *net, int family, unsigned int flags,
	       void *socket_context, const void *client_dispatch, struct wsk_req *req)
{
	struct wsk_sock *ws;
	int err;

	err = wsk_req_claim(req, WSK_REQ_SOCKET, NULL);
	if (err)
		return err;
	ws = wsk_sock_new(client, net, family, flags, socket_context, client_dispatch, req, &err);
	if (!ws)
		return wsk_req_leave(req, err);
	wsk_sock_create_start(ws, req);
	return -EINPROGRESS;
}
EXPORT_SYMBOL_NS_GPL(wsk_socket, WSK);

/**
 * wsk_bind - bind a socket; a listen socket also starts listening (WskBind)
 * @s: the socket
 * @addr: the local address, of the socket's family; port 0 picks a free port
 * @addrlen: size of @addr
 * @flags: must be 0
 * @req: the request
 *
 * A listen socket listens once bound, with the backlog set by
 * WSK_SO_LISTEN_BACKLOG or else its namespace's net.core.somaxconn. A
 * connection socket is only bound. @addr must stay valid until completion.
 *
 * Context: any; does not sleep. The bind runs on wsk's workqueue, in order
 * with the socket's other queued operations, and completes from there.
 * Return:
 * * -EINPROGRESS - completes later: 0, -EADDRINUSE, -EADDRNOTAVAIL, -EINVAL
 *   (already bound), -EACCES, other kernel_bind()/kernel_listen() errors, or
 *   -ECANCELED (cancelled, or the socket closed before the bind ran)
 * * -EINVAL - NULL @req (not completed); NULL @s or @addr, @addrlen short
 *   of the family's address, negative or beyond sockaddr_storage, wrong
 *   address family, non-zero @flags (completed)
 * * -EBUSY - @req is still pending (not completed)
 * * -ESHUTDOWN - the socket's close has started, or its namespace went away
 *   (completed; also as the later result of a queued bind)
 */
int wsk_bind(struct wsk_socket *s, const struct sockaddr *addr, int addrlen,
	     unsigned int flags, struct wsk_req *req)
{
	struct wsk_sock *ws;
	int err;

	err = wsk_req_enter(req, WSK_REQ_BIND, s, addr, &ws);
	if (err)
		return err;

	wsk_rp(req)->args.bind.addr = addr;
	wsk_rp(req)->args.bind.addrlen = addrlen;
	if (flags || addr->sa_family != ws->family)
		err = -EINVAL;
	else if (addrlen < (ws->family == AF_INET ? sizeof(struct sockaddr_in) :
			    sizeof(struct sockaddr_in6)) ||
		 addrlen > sizeof(struct sockaddr_storage))
		err = -EINVAL;
	return wsk_sock_submit_op(ws, req, err);
}
EXPORT_SYMBOL_NS_GPL(wsk_bind, WSK);

/**
 * wsk_close - close a socket (WskCloseSocket)
 * @s: the socket
 * @req: the request
 *
 * Every later call on @s returns -ESHUTDOWN. Requests pending on @s complete
 * with -ECANCELED (result zeroed), in submission order, before the close
 * completes. A listen socket resets every connection it has not delivered,
 * with no abort events; sockets already accepted stay open. A connection
 * socket is closed abortively (RST) unless already disconnected both ways;
 * then, if its FIN may still need retransmitting, the kernel socket holds
 * its namespace until TCP is done with it, as a user socket would. A
 * socket whose namespace went away has no kernel socket left: its close
 * completes at once. After the close's completion routine returns, @s is
 * freed and the client's socket count drops (letting wsk_deregister()
 * return).
 *
 * Context: any; does not sleep. The teardown runs on wsk's workqueue; the
 * close cannot be cancelled.
 * Return:
 * * -EINPROGRESS - the close completes later, always with status 0
 * * -EINVAL - NULL @req (not completed); NULL @s (completed)
 * * -EBUSY - @req is still pending (not completed)
 * * -ESHUTDOWN - the close of @s has already started (completed)
 */
int wsk_close(struct wsk_socket *s, struct wsk_req *req)
{
	struct wsk_sock *ws;
	unsigned long flags;
	int err;

	err = wsk_req_enter(req, WSK_REQ_CLOSE, s, true, &ws);
	if (err)
		return err;

	spin_lock_irqsave(&ws->lock, flags);
	if (ws->closing) {
		err = -ESHUTDOWN;
	} else {
		ws->closing = true;
		ws->close_req = req;
		/* From its own accept_event: it runs once that has returned. */
		if (!wsk_sock_in_accept_event(ws))
			wsk_sock_kick_ops(ws);
		err = -EINPROGRESS;
	}
	spin_unlock_irqrestore(&ws->lock, flags);

	return wsk_req_leave(req, err);
}
EXPORT_SYMBOL_NS_GPL(wsk_close, WSK);

static int wsk_get_address(struct wsk_socket *s, struct sockaddr_storage *addr,
			   struct wsk_req *req, bool remote)
{
	struct wsk_sock *ws;
	unsigned long flags;
	int err, len = 0;

	err = wsk_req_enter(req, WSK_REQ_INLINE, s, addr, &ws);
	if (err)
		return err;

	spin_lock_irqsave(&ws->lock, flags);
	if (ws->closing) {
		err = -ESHUTDOWN;
	} else if (!remote) {
		if (wsk_addr_len(&ws->local))
			len = wsk_addr_copy_out(addr, &ws->local, ws->family);
		else
			err = -EINVAL;	/* not bound */
	} else if (wsk_sock_is_listener(ws)) {
		err = -EOPNOTSUPP;
	} else {
		if (wsk_addr_len(&wsk_conn(ws)->remote))
			len = wsk_addr_copy_out(addr, &wsk_conn(ws)->remote, ws->family);
		else
			err = -ENOTCONN;
	}
	spin_unlock_irqrestore(&ws->lock, flags);

	req->result.bytes = len;
	return wsk_req_leave(req, err);
}

/**
 * wsk_get_local_address - the socket's local address (WskGetLocalAddress)
 * @s: a bound socket
 * @addr: filled with a sockaddr_in or sockaddr_in6
 * @req: completes with @req->result.bytes = the address length
 *
 * The address is cached when the socket is bound or accepted, so this
 * completes inline. Only the length of the socket's family is written to
 * @addr (16 bytes for AF_INET, 28 for AF_INET6): a buffer of that family's
 * size is enough, whatever the pointer's type.
 *
 * Context: any; does not sleep.
 * Return:
 * * 0 - @addr filled (completed)
 * * -EINVAL - NULL @req (not completed); NULL @s or @addr, or @s not bound
 *   (completed)
 * * -EBUSY - @req is still pending (not completed)
 * * -ESHUTDOWN - the socket's close has started (completed)
 */
int wsk_get_local_address(struct wsk_socket *s, struct sockaddr_storage *addr,
			  struct wsk_req *req)
{
	return wsk_get_address(s, addr, req, false);
}
EXPORT_SYMBOL_NS_GPL(wsk_get_local_address, WSK);

/**
 * wsk_get_remote_address - a connection socket's peer (WskGetRemoteAddress)
 * @s: a connection socket
 * @addr: filled with a sockaddr_in or sockaddr_in6 (v4-mapped for an IPv4
 *	peer of a dual-stack listener)
 * @req: completes with @req->result.bytes = the address length
 *
 * The address is cached when the connection is accepted: it is reported
 * even if the peer has since reset the connection (also if it did so before
 * the accept). Only the length of the socket's family is written to @addr,
 * as by wsk_get_local_address().
 *
 * Context: any; does not sleep.
 * Return:
 * * 0 - @addr filled (completed)
 * * -EINVAL - NULL @req (not completed); NULL @s or @addr (completed)
 * * -EBUSY - @req is still pending (not completed)
 * * -EOPNOTSUPP - @s is a listen socket (completed)
 * * -ENOTCONN - @s is not connected (completed)
 * * -ESHUTDOWN - the socket's close has started (completed)
 */
int wsk_get_remote_address(struct wsk_socket *s, struct sockaddr_storage *addr,
			   struct wsk_req *req)
{
	return wsk_get_address(s, addr, req, true);
}
EXPORT_SYMBOL_NS_GPL(wsk_get_remote_address, WSK);

/* ------------------------------------------------------------------------ */
/* Options                                                                   */

/* Pass-through options: 0 if wsk passes @level/@code through for @ws. */
/*
 * wsk's own listener options, u32, set before bind: WSK_SO_LISTEN_BACKLOG
 * (at most INT_MAX) and WSK_SO_CONDITIONAL_ACCEPT (0 or 1; 1 needs an
 * inspect_event in the listener's client dispatch).
 */
static int wsk_control_listen_opt(struct wsk_sock *ws, u32 code, size_t in_size,
				  const void *in, struct wsk_req *req)
{
	const struct wsk_client_listen_dispatch *ld = ws->client_dispatch;
	struct wsk_listener *ls = wsk_listener(ws);
	unsigned long flags;
	bool bad;
	u32 v;
	int err;

	if (!wsk_sock_is_listener(ws))
		return wsk_req_leave(req, -EOPNOTSUPP);
	if (!in || in_size < sizeof(v))
		return wsk_req_leave(req, -EINVAL);
	memcpy(&v, in, sizeof(v));
	if (code == WSK_SO_LISTEN_BACKLOG)
		bad = v > INT_MAX;
	else
		bad = v > 1 || (v && (!ld || !ld->inspect_event));
	if (bad)
		return wsk_req_leave(req, -EINVAL);

	spin_lock_irqsave(&ws->lock, flags);
	if (ws->closing) {
		err = -ESHUTDOWN;
	} else if (ws->state != WSK_SOCK_OPEN) {
		err = -EINVAL;	/* set before bind */
	} else if (code == WSK_SO_LISTEN_BACKLOG) {
		ls->backlog = v;
		ls->backlog_set = true;
		err = 0;
	} else {
		ls->cond_accept = v;
		err = 0;
	}
	spin_unlock_irqrestore(&ws->lock, flags);
	return wsk_req_leave(req, err);
}

/*
 * WSK_SO_EXCLUSIVEADDRUSE, u32 1 before bind: a Linux TCP bind is exclusive
 * already, unless the socket set SO_REUSEADDR or SO_REUSEPORT (refused).
 */
static int wsk_control_exclusive(struct wsk_sock *ws, size_t in_size, const void *in,
				 struct wsk_req *req)
{
	unsigned long flags;
	struct sock *sk;
	int err = 0;
	u32 v;

	if (!in || in_size < sizeof(v))
		return wsk_req_leave(req, -EINVAL);
	memcpy(&v, in, sizeof(v));
	if (v != 1)
		return wsk_req_leave(req, -EINVAL);
	spin_lock_irqsave(&ws->lock, flags);
	if (ws->closing || ws->net_gone || !ws->sock) {
		err = -ESHUTDOWN;
	} else if (ws->state != WSK_SOCK_OPEN) {
		err = -EINVAL;	/* set before bind */
	} else {
		sk = ws->sock->sk;
		if (sk->sk_reuse != SK_NO_REUSE || sk->sk_reuseport)
			err = -EINVAL;
	}
	spin_unlock_irqrestore(&ws->lock, flags);
	return wsk_req_leave(req, err);
}

/* Queue a pass-through SET (or WSK_SIO_KEEPALIVE_VALS) of @type for the op pass. */
static int wsk_control_queue(struct wsk_sock *ws, int level, u32 code, int type,
			     size_t in_size, const void *in, size_t *out_returned,
			     struct wsk_req *req)
{
	wsk_req_set_kind(req, WSK_REQ_SETOPT);
	wsk_rp(req)->args.setopt.level = level;
	wsk_rp(req)->args.setopt.code = code;
	wsk_rp(req)->args.setopt.out_returned = out_returned;
	wsk_opt_keep(req, type, in, in_size);
	return wsk_sock_submit_op(ws, req, 0);
}

static int wsk_control_set(struct wsk_sock *ws, u32 code, int level, size_t in_size,
			   const void *in, size_t *out_returned, struct wsk_req *req)
{
	int type;

	if (level == SOL_SOCKET &&
	    (code == WSK_SO_LISTEN_BACKLOG || code == WSK_SO_CONDITIONAL_ACCEPT))
		return wsk_control_listen_opt(ws, code, in_size, in, req);
	if (level == SOL_SOCKET && code == WSK_SO_EXCLUSIVEADDRUSE)
		return wsk_control_exclusive(ws, in_size, in, req);

	type = wsk_opt_type(ws, level, code);
	if (type < 0)
		return wsk_req_leave(req, type);
	/* Kernel TLS only: another ULP ("smc") replaces the socket under wsk. */
	if (level == SOL_TCP && code == TCP_ULP &&
	    (!in || strnlen(in, in_size) != 3 || memcmp(in, "tls", 3)))
		return wsk_req_leave(req, -EOPNOTSUPP);
	/* A name may be empty (SO_BINDTODEVICE: unbind): no buffer then. */
	if ((!in && in_size) || in_size < wsk_opt_size(type) || (!in && type != WSK_OPT_NAME) ||
	    (type == WSK_OPT_RAW && in_size > WSK_OPT_RAW_MAX))
		return wsk_req_leave(req, -EINVAL);
	return wsk_control_queue(ws, level, code, type, in_size, in, out_returned, req);
}

/* Hand a GET or WSK_IOCTL result of @len bytes to the caller; completes @req. */
static int wsk_control_out(struct wsk_req *req, void *out, const void *val, size_t len,
			   size_t *out_returned)
{
	memcpy(out, val, len);
	if (out_returned)
		*out_returned = len;
	req->result.bytes = len;
	wsk_req_complete(req, 0);
	return 0;
}

/* The bytes a GET of an option of @type writes at most. */
static size_t wsk_control_get_size(int type)
{
	return type == WSK_OPT_NAME ? WSK_OPT_NAME_MAX : wsk_opt_size(type);
}

/* wsk's own options' values (and a listener's backlog). Lock held. */
static int wsk_control_own(struct wsk_sock *ws, u32 code)
{
	struct sock *sk = ws->sock->sk;

	if (code == WSK_SO_EXCLUSIVEADDRUSE)
		return sk->sk_reuse == SK_NO_REUSE && !sk->sk_reuseport;
	if (code == WSK_SO_CONDITIONAL_ACCEPT)
		return wsk_listener(ws)->cond_accept;
	if (ws->state == WSK_SOCK_LISTENING)	/* WSK_SO_LISTEN_BACKLOG */
		return READ_ONCE(sk->sk_max_ack_backlog);
	if (wsk_listener(ws)->backlog_set)
		return wsk_listener(ws)->backlog;
	return wsk_net_somaxconn(ws->net);
}

static int wsk_control_get(struct wsk_sock *ws, u32 code, int level, size_t out_size,
			   void *out, size_t *out_returned, struct wsk_req *req)
{
	bool own = level == SOL_SOCKET && (code == WSK_SO_LISTEN_BACKLOG ||
					   code == WSK_SO_CONDITIONAL_ACCEPT ||
					   code == WSK_SO_EXCLUSIVEADDRUSE);
	union wsk_opt_val val;
	unsigned long flags;
	int type, len = 0, err = 0;

	if (own) {
		type = WSK_OPT_INT;
		if (code != WSK_SO_EXCLUSIVEADDRUSE && !wsk_sock_is_listener(ws))
			err = -EOPNOTSUPP;
	} else {
		type = wsk_opt_type(ws, level, code);
		err = min(type, 0);
		/* SOL_TLS's getsockopt copies to user memory only. */
		if (type == WSK_OPT_RAW)
			err = -EOPNOTSUPP;
	}
	if (err)
		return wsk_req_leave(req, err);
	if (!out || out_size < wsk_control_get_size(type))
		return wsk_req_leave(req, -EINVAL);

	spin_lock_irqsave(&ws->lock, flags);
	if (ws->closing || ws->net_gone || !ws->sock) {
		err = -ESHUTDOWN;	/* its namespace went away, or it is closing */
	} else if (own) {
		val.value = wsk_control_own(ws, code);
		len = sizeof(val.value);
	} else {
		len = wsk_opt_get(ws->sock->sk, level, code, type, &val);
	}
	spin_unlock_irqrestore(&ws->lock, flags);
	if (err)
		return wsk_req_leave(req, err);

	return wsk_control_out(req, out, &val, len, out_returned);
}

/* WSK_SIO_QUERY_IDEAL_SEND_BACKLOG and WSK_SIO_QUERY_INSPECT_ID: a connection's. */
static int wsk_control_query(struct wsk_sock *ws, u32 code, size_t out_size, void *out,
			     size_t *out_returned, struct wsk_req *req)
{
	bool backlog = code == WSK_SIO_QUERY_IDEAL_SEND_BACKLOG;
	size_t len = backlog ? sizeof(size_t) : sizeof(struct wsk_inspect_id);
	union {
		size_t backlog;
		struct wsk_inspect_id id;
	} val = {};
	unsigned long flags;
	int err = 0;

	if (wsk_sock_is_listener(ws))
		return wsk_req_leave(req, -EOPNOTSUPP);
	if (!out || out_size < len)
		return wsk_req_leave(req, -EINVAL);

	spin_lock_irqsave(&ws->lock, flags);
	if (ws->closing || ws->net_gone || !ws->sock)
		err = -ESHUTDOWN;
	else if (backlog && ws->state != WSK_SOCK_CONNECTED)
		err = -ENOTCONN;	/* not accepted or connected yet, or dead */
	else if (backlog)
		val.backlog = wsk_ideal_backlog(ws->sock->sk);
	else if (!wsk_conn(ws)->inspect_serial || wsk_conn(ws)->listener)
		err = -EINVAL;	/* no inspection, or not delivered yet */
	else
		val.id = wsk_conn_inspect_id(wsk_conn(ws));
	spin_unlock_irqrestore(&ws->lock, flags);
	if (err)
		return wsk_req_leave(req, err);

	return wsk_control_out(req, out, &val, len, out_returned);
}

/* WSK_IOCTL: the two queries, and WSK_SIO_KEEPALIVE_VALS (an op, as a SET). */
static int wsk_control_ioctl(struct wsk_sock *ws, u32 code, size_t in_size, const void *in,
			     size_t out_size, void *out, size_t *out_returned,
			     struct wsk_req *req)
{
	switch (code) {
	case WSK_SIO_QUERY_IDEAL_SEND_BACKLOG:
	case WSK_SIO_QUERY_INSPECT_ID:
		return wsk_control_query(ws, code, out_size, out, out_returned, req);
	case WSK_SIO_KEEPALIVE_VALS:
		if (!in || in_size < sizeof(struct wsk_keepalive_vals))
			return wsk_req_leave(req, -EINVAL);
		return wsk_control_queue(ws, 0, code, WSK_OPT_KEEPALIVE, in_size, in,
					 out_returned, req);
	default:
		return wsk_req_leave(req, -EOPNOTSUPP);
	}
}

/**
 * wsk_control - set or get a socket option (WskControlSocket)
 * @s: the socket
 * @type: WSK_SET_OPTION, WSK_GET_OPTION or WSK_IOCTL
 * @code: the option, or the WSK_IOCTL code
 * @level: SOL_SOCKET, SOL_TCP or SOL_IPV6 (ignored for WSK_IOCTL)
 * @in_size: size of @in (SET: at least sizeof(int))
 * @in: SET: the value, an int (u32 for WSK_SO_LISTEN_BACKLOG), read before
 *	this returns
 * @out_size: size of @out (GET: at least sizeof(int); WSK_IOCTL: the code's
 *	output size)
 * @out: GET: receives the value
 * @out_returned: optional; set to the bytes written to @out before completion
 * @req: completes with @req->result.bytes = the bytes written to @out
 *
 * Supported: WSK_SO_LISTEN_BACKLOG (listen sockets, SET before bind; GET
 * returns the effective backlog); WSK_SO_CONDITIONAL_ACCEPT (listen sockets,
 * u32 0 or 1, SET before bind, needs an inspect_event in the listener's
 * client dispatch); WSK_SO_EXCLUSIVEADDRUSE (u32 1, SET before bind);
 * WSK_SO_EVENT_CALLBACK (SET only, see below); and pass-through of the
 * options of wsk/options.c: SOL_SOCKET SO_REUSEADDR, SO_REUSEPORT,
 * SO_KEEPALIVE, SO_RCVBUF, SO_SNDBUF, SO_LINGER (struct linger),
 * SO_PRIORITY, SO_BINDTODEVICE (a name), SO_MARK; SOL_TCP TCP_NODELAY,
 * TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT, TCP_USER_TIMEOUT, TCP_MAXSEG,
 * TCP_CONGESTION (a name); SOL_IP IP_TOS, IP_TTL, IP_FREEBIND; SOL_IPV6
 * (AF_INET6 sockets) IPV6_V6ONLY, IPV6_TCLASS, IPV6_FREEBIND. A GET's @out
 * holds an int, a struct linger, or 16 bytes for a name (written with its
 * NUL, @req->result.bytes its length plus one, 0 if empty).
 *
 * WSK_SO_EVENT_CALLBACK takes a &struct wsk_event_callback_control and
 * accepts a NULL @req. Enabling takes any combination of the events valid
 * for the socket: a listener (once bound) WSK_EVENT_ACCEPT, plus
 * WSK_EVENT_RECEIVE, WSK_EVENT_DISCONNECT and WSK_EVENT_SEND_BACKLOG to be
 * inherited by the sockets its accept_event takes; an accepted connection
 * socket the last three. Each enabled callback must be set in the socket's
 * client dispatch. Disabling takes one event ORed with WSK_EVENT_DISABLE:
 * no call of it starts afterwards; if one is running, this returns
 * -EINPROGRESS and @req (if any) completes with 0 once it has returned.
 * Enabling WSK_EVENT_SEND_BACKLOG reports the ideal backlog once at once.
 *
 * WSK_IOCTL supports WSK_SIO_QUERY_IDEAL_SEND_BACKLOG on a connected
 * connection socket: @out receives a size_t, the ideal send backlog
 * (completed inline); -ENOTCONN on a socket not connected (not accepted, or
 * dead). WSK_SIO_QUERY_INSPECT_ID on a connection accepted on a conditional
 * listener: @out receives its &struct wsk_inspect_id (inline; -EINVAL if no
 * inspection saw it). WSK_SIO_KEEPALIVE_VALS on any socket: @in is a
 * &struct wsk_keepalive_vals, applied as a pass-through SET. Other codes,
 * and the queries on listen sockets, are -EOPNOTSUPP.
 *
 * Context: any; does not sleep. GET, the WSK_IOCTL queries and wsk's own
 * options complete inline; a pass-through SET and WSK_SIO_KEEPALIVE_VALS run
 * on wsk's workqueue in order with the socket's other queued operations.
 * Return:
 * * 0 - done (completed)
 * * -EINPROGRESS - a pass-through SET completes later: 0, the kernel's error
 *   (for example -EINVAL for IPV6_V6ONLY after bind), or -ECANCELED; or an
 *   event being disabled is running (completes 0 once it returned)
 * * -EINVAL - NULL @req (not completed, except for WSK_SO_EVENT_CALLBACK);
 *   NULL @s, bad sizes or buffers, WSK_SO_LISTEN_BACKLOG or
 *   WSK_SO_CONDITIONAL_ACCEPT after bind, WSK_SO_CONDITIONAL_ACCEPT other
 *   than 0 or 1 (or 1 without an inspect_event), a backlog above INT_MAX,
 *   unknown or unavailable events, events before bind (listener) or on a
 *   socket not accepted or connected, WSK_SO_EXCLUSIVEADDRUSE other than 1,
 *   after bind or with SO_REUSEADDR or SO_REUSEPORT set,
 *   WSK_SIO_QUERY_INSPECT_ID on a socket no inspection saw (completed)
 * * -EBUSY - @req is still pending (not completed)
 * * -ENOTCONN - WSK_SIO_QUERY_IDEAL_SEND_BACKLOG on a connection socket not
 *   connected (completed)
 * * -EOPNOTSUPP - unsupported @type, @level or @code, or an option or
 *   WSK_IOCTL code not valid for this socket (completed)
 * * -ESHUTDOWN - the socket's close has started; or (except disabling an
 *   event) the socket is dead: its namespace went away, or, for enabling
 *   events, a listener the kernel closed (completed)
 */
int wsk_control(struct wsk_socket *s, enum wsk_control_type type, u32 code, int level,
		size_t in_size, const void *in, size_t out_size, void *out,
		size_t *out_returned, struct wsk_req *req)
{
	struct wsk_sock *ws;
	int err;

	if (type == WSK_SET_OPTION && level == SOL_SOCKET && code == WSK_SO_EVENT_CALLBACK) {
		/* The one option that takes no request (NULL allowed). */
		if (req) {
			err = wsk_req_claim(req, WSK_REQ_INLINE, s);
			if (err)
				return err;
		}
		if (out_returned)
			*out_returned = 0;
		err = s ? wsk_event_control(wsk_sock(s), in_size, in, req) : -EINVAL;
		if (req && err != -EINPROGRESS)
			wsk_req_complete(req, err);
		/* -EINPROGRESS: @req waits for the running callback (if given). */
		return err;
	}

	err = wsk_req_enter(req, WSK_REQ_INLINE, s, true, &ws);
	if (err)
		return err;
	if (out_returned)
		*out_returned = 0;

	if (wsk_sock_closing(ws))
		return wsk_req_leave(req, -ESHUTDOWN);

	switch (type) {
	case WSK_SET_OPTION:
		return wsk_control_set(ws, code, level, in_size, in, out_returned, req);
	case WSK_GET_OPTION:
		return wsk_control_get(ws, code, level, out_size, out, out_returned, req);
	case WSK_IOCTL:
		return wsk_control_ioctl(ws, code, in_size, in, out_size, out, out_returned, req);
	default:
		return wsk_req_leave(req, -EOPNOTSUPP);
	}
}
EXPORT_SYMBOL_NS_GPL(wsk_control, WSK);

/* ------------------------------------------------------------------------ */
/* Provider dispatch tables                                                  */

const struct wsk_provider_listen_dispatch wsk_listen_dispatch = {
	.basic = {
		.control = wsk_control,
		.close = wsk_close,
	},
	.bind = wsk_bind,
	.accept = wsk_accept,
	.inspect_complete = wsk_inspect_complete,
	.get_local_address = wsk_get_local_address,
};

const struct wsk_provider_connection_dispatch wsk_connection_dispatch = {
	.basic = {
		.control = wsk_control,
		.close = wsk_close,
	},
	.bind = wsk_bind,
	.connect = wsk_connect,
	.get_local_address = wsk_get_local_address,
	.get_remote_address = wsk_get_remote_address,
	.send = wsk_send,
	.receive = wsk_receive,
	.disconnect = wsk_disconnect,
	.release = wsk_release,
};
