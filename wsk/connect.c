// SPDX-License-Identifier: GPL-2.0
/*
 * wsk: opening connections. wsk_connect() (WskConnect) connects a bound
 * connection socket; wsk_socket_connect() (WskSocketConnect) creates, binds
 * and connects one in a single request.
 *
 * A connect is an operation of the socket's op queue (socket.c), so it runs
 * in order after a bind submitted before it. Its op (wsk_connect_run(), on
 * the connection's work, process context) installs the connection hooks of
 * conn.c on the kernel socket, moves the socket to CONNECTING and starts
 * the handshake with a non-blocking kernel_connect(); the request then
 * waits on the connection (&wsk_conn.connect_req, taken: wsk_req_cancel()
 * marks it and kicks the work). The state change hook queues the work when
 * TCP leaves SYN_SENT, and the io pass's first step, wsk_connect_step(),
 * completes the request: 0 once TCP is established (CONNECTED: the socket
 * is then a connection like an accepted one), else TCP's error (DEAD). A
 * marked cancel aborts the attempt (tcp_abort()) and completes -ECANCELED.
 * A close or a namespace's death completes it from the teardown or the kill
 * (-ECANCELED, -ESHUTDOWN), through wsk_conn_quiesce().
 *
 * The socket of a wsk_socket_connect() is wsk's until its request completes
 * with it (@wsk_sock.unowned): a failed, cancelled or killed attempt resets
 * and frees it, and the request completes with a NULL socket.
 */
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <net/sock.h>
#include <net/tcp_states.h>
#include <net/tcp.h>

#include "internal.h"

/* The checks both calls make of @remote (and @local) for a socket of @family. */
static int wsk_connect_addr_check(int family, const struct sockaddr *addr, int addrlen)
{
	int need = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);

	if (addr->sa_family != family)
		return -EINVAL;
	if (addrlen < need || addrlen > sizeof(struct sockaddr_storage))
		return -EINVAL;
	return 0;
}

/* Keep the first @addrlen bytes of @addr (checked) as @to: its family's length. */
static void wsk_connect_addr_keep(union wsk_addr *to, const struct sockaddr *addr, int addrlen)
{
	struct sockaddr_storage ss = {};

	memcpy(&ss, addr, min_t(int, addrlen, sizeof(ss)));
	wsk_addr_set(to, &ss, addrlen);
}

/* ------------------------------------------------------------------------ */
/* The op and the io pass's step (the connection's work, process context)   */

/**
 * wsk_connect_disown - a wsk_socket_connect() socket's attempt has failed
 * @c: an unowned socket (@c->ws.unowned): its request never gives it to
 *	the client now
 *
 * Marks it closing and reset, so that the op pass tears it down
 * (abortively) and frees it, and queues that pass if none is due.
 *
 * Context: any; the caller holds @c->ws.lock.
 * Return: the request waiting for the handshake, if there is one, detached:
 * the caller completes it (with -ECANCELED if a cancel marked it).
 */
struct wsk_req *wsk_connect_disown(struct wsk_conn *c)
{
	struct wsk_req *req = NULL;

	lockdep_assert_held(&c->ws.lock);
	if (c->ws.state == WSK_SOCK_CONNECTING && c->connect_req) {
		req = c->connect_req;
		c->connect_req = NULL;
		wsk_req_detach(req);
	}
	c->ws.unowned = false;
	c->ws.closing = true;
	c->ws.reset = true;
	wsk_sock_kick_ops(&c->ws);
	return req;
}

/* Bind a socket_connect()'s new socket to the address kept in @ws->local. */
static int wsk_connect_bind(struct wsk_sock *ws)
{
	struct sockaddr_storage addr = {}, local = {};
	unsigned long flags;
	int len, err;

	len = wsk_addr_len(&ws->local);
	memcpy(&addr, &ws->local, len);
	err = kernel_bind(ws->sock, (struct sockaddr *)&addr, len);
	if (err)
		return err;
	len = kernel_getsockname(ws->sock, (struct sockaddr *)&local);
	if (len < 0)
		return len;
	spin_lock_irqsave(&ws->lock, flags);
	wsk_addr_set(&ws->local, &local, len);
	wsk_sock_set_state(ws, WSK_SOCK_BOUND);
	spin_unlock_irqrestore(&ws->lock, flags);
	return 0;
}

/**
 * wsk_connect_run - the connect operation
 * @ws: a connection socket
 * @req: its wsk_connect() request, or the wsk_socket_connect() request of a
 *	socket just created (@ws->unowned, state OPEN: bound here first)
 *
 * Checks the socket's state (in op order: a bind queued before the connect
 * has run), installs the connection hooks, and starts the handshake.
 *
 * Context: the socket's op pass (process context, may sleep).
 * Return: -EINPROGRESS if @req now waits for the handshake (it is the
 * connection's, and the io pass's first step completes it); otherwise the
 * status to complete it with: -ESHUTDOWN (no kernel socket: the namespace
 * went), -EINVAL (not bound, or dead), -EISCONN (connecting or connected),
 * or the error of kernel_bind() or kernel_connect(), after which an owned
 * socket is dead and an unowned one is being torn down.
 */
int wsk_connect_run(struct wsk_sock *ws, struct wsk_req *req)
{
	struct wsk_conn *c = wsk_conn(ws);
	struct sockaddr_storage addr = {};
	enum wsk_sock_state state;
	unsigned long flags;
	bool unowned;
	int err;

	spin_lock_irqsave(&ws->lock, flags);
	state = ws->state;
	unowned = ws->unowned;
	spin_unlock_irqrestore(&ws->lock, flags);
	/* Its namespace went away (unowned: torn down all the same, below). */
	if (!ws->sock) {
		err = -ESHUTDOWN;
		goto failed;
	}
	if (unowned) {
		err = wsk_connect_bind(ws);
		if (err)
			goto failed;
	} else if (state == WSK_SOCK_CONNECTING || state == WSK_SOCK_CONNECTED) {
		return -EISCONN;
	} else if (state != WSK_SOCK_BOUND) {
		return -EINVAL;	/* not bound (OPEN), or dead */
	}

	wsk_conn_hook_own(c);
	spin_lock_irqsave(&ws->lock, flags);
	wsk_sock_set_state(ws, WSK_SOCK_CONNECTING);
	spin_unlock_irqrestore(&ws->lock, flags);

	/* kernel_connect() wants a writable address; the request keeps a copy. */
	memcpy(&addr, &wsk_rp(req)->args.connect.remote, wsk_rp(req)->args.connect.addrlen);
	err = kernel_connect(ws->sock, (struct sockaddr *)&addr,
			     wsk_rp(req)->args.connect.addrlen, O_NONBLOCK);
	if (err && err != -EINPROGRESS)
		goto failed;

	/* Waits for the handshake: cancellable from here on (taken). */
	spin_lock_irqsave(&ws->lock, flags);
	c->connect_req = req;
	WRITE_ONCE(wsk_rp(req)->sock, &ws->pub);
	spin_unlock_irqrestore(&ws->lock, flags);
	return -EINPROGRESS;

failed:
	spin_lock_irqsave(&ws->lock, flags);
	if (ws->unowned)
		wsk_connect_disown(c);
	else
		wsk_sock_set_state(ws, WSK_SOCK_DEAD);
	spin_unlock_irqrestore(&ws->lock, flags);
	return err;
}

/* What @c's handshake came to: 0, TCP's error, or -ECANCELED (aborted now). */
static int wsk_connect_result(struct sock *sk, int tcp_state, bool cancel)
{
	if (cancel) {
		if (tcp_state != TCP_CLOSE)
			tcp_abort(sk, ECONNABORTED);
		return -ECANCELED;
	}
	/* Refused (RST), timed out, unreachable (ICMP): TCP's error. */
	if (tcp_state == TCP_CLOSE)
		return sock_error(sk) ?: -ECONNREFUSED;
	return 0;
}

/*
 * Complete @req, the connect @c no longer holds, with @err: @c is then
 * connected (its addresses cached), dead, or, unowned, being torn down.
 */
static void wsk_connect_finish(struct wsk_conn *c, struct wsk_req *req, int err)
{
	struct sockaddr_storage local = {}, remote = {};
	int local_len = 0, remote_len = 0;
	unsigned long flags;
	bool unowned;

	if (!err) {
		local_len = kernel_getsockname(c->ws.sock, (struct sockaddr *)&local);
		/* A peer that reset at once is still reported, as for an accept. */
		remote_len = wsk_getpeername_accepted(c->ws.sock, (struct sockaddr *)&remote);
	}
	spin_lock_irqsave(&c->ws.lock, flags);
	unowned = c->ws.unowned;
	if (!err) {
		wsk_addr_set(&c->ws.local, &local, local_len);
		wsk_addr_set(&c->remote, &remote, remote_len);
		wsk_sock_set_state(&c->ws, c->peer_reset ? WSK_SOCK_DEAD : WSK_SOCK_CONNECTED);
		c->ws.unowned = false;
		wsk_event_static(&c->ws);	/* the io pass goes on next */
	} else if (unowned) {
		wsk_connect_disown(c);	/* its slot is empty: returns NULL */
	} else {
		wsk_sock_set_state(&c->ws, WSK_SOCK_DEAD);
	}
	spin_unlock_irqrestore(&c->ws.lock, flags);

	if (!err && unowned)
		req->result.socket = &c->ws.pub;
	wsk_req_complete(req, err);
}

/**
 * wsk_connect_step - complete a connect whose handshake has ended
 * @c: a connection socket
 *
 * Context: the connection's io pass, first (process context, may sleep).
 * Return: true if the io pass goes on: @c is not connecting (any more) and
 * its connect, if it had one just now, succeeded; false if it is still
 * connecting, or its connect has just failed.
 */
bool wsk_connect_step(struct wsk_conn *c)
{
	unsigned long flags;
	struct wsk_req *req;
	int tcp_state, err;
	struct sock *sk;
	bool cancel;

	spin_lock_irqsave(&c->ws.lock, flags);
	if (c->ws.state != WSK_SOCK_CONNECTING) {
		spin_unlock_irqrestore(&c->ws.lock, flags);
		return true;
	}
	req = c->connect_req;
	/* The op pass runs first on this work: a connecting socket has one. */
	if (WARN_ON_ONCE(!req) || !c->ws.sock) {
		spin_unlock_irqrestore(&c->ws.lock, flags);
		return false;
	}
	sk = c->ws.sock->sk;
	tcp_state = READ_ONCE(sk->sk_state);
	cancel = wsk_rp(req)->cancel;
	if (!cancel && ((1 << tcp_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV))) {
		spin_unlock_irqrestore(&c->ws.lock, flags);
		return false;	/* the state change hook queues us again */
	}
	c->connect_req = NULL;
	wsk_req_detach(req);
	/* Our own reset: the hook must not record it as the peer's. */
	if (cancel)
		c->local_abort = true;
	spin_unlock_irqrestore(&c->ws.lock, flags);

	err = wsk_connect_result(sk, tcp_state, cancel);
	wsk_connect_finish(c, req, err);
	return !err;
}

/* ------------------------------------------------------------------------ */
/* Exported operations                                                       */

/**
 * wsk_connect - connect a bound connection socket (WskConnect)
 * @s: a connection socket from wsk_socket(), bound with wsk_bind() (port 0
 *	lets the kernel pick one); the bind may still be queued
 * @remote: the peer's address, of the socket's family (an AF_INET6 socket
 *	may name a v4-mapped address); copied, need not stay valid
 * @addrlen: size of @remote: at least the family's address, at most a
 *	sockaddr_storage
 * @flags: must be 0
 * @req: the request; completes with status 0 once connected
 *
 * The connect runs in order with the socket's other queued operations (a
 * bind submitted just before it runs first). Once it completes with 0 the
 * socket is a connection like an accepted one: wsk_send(), wsk_receive(),
 * wsk_disconnect(), events (all off until enabled), addresses. A connect
 * that fails once started (refused, timed out, unreachable, cancelled)
 * leaves the socket dead: only wsk_close() is left to do with it. A pending
 * connect is cancellable (the attempt is aborted); wsk_close() during it
 * completes it with -ECANCELED before the close completes.
 *
 * Context: any; does not sleep. The handshake is started on wsk's
 * workqueue and the request completes from there.
 * Return:
 * * -EINPROGRESS - completes later: 0; -EINVAL (not bound, or dead);
 *   -EISCONN (connecting or connected already); -ECONNREFUSED; -ETIMEDOUT;
 *   -ENETUNREACH, -EHOSTUNREACH; -EADDRINUSE, -EADDRNOTAVAIL (no local
 *   port for that peer); another kernel_connect() error; -ECANCELED
 *   (cancelled, or the socket closed); -ESHUTDOWN (its namespace went away)
 * * -EINVAL - NULL @req (not completed); NULL @s or @remote, non-zero
 *   @flags, @remote of another family, @addrlen short of the family's
 *   address, negative or beyond sockaddr_storage (completed)
 * * -EBUSY - @req is still pending (not completed)
 * * -EOPNOTSUPP - @s is a listen socket (completed)
 * * -ESHUTDOWN - the socket's close has started, or its namespace went away
 *   (completed)
 */
int wsk_connect(struct wsk_socket *s, const struct sockaddr *remote, int addrlen,
		unsigned int flags, struct wsk_req *req)
{
	struct wsk_sock *ws;
	int err;

	err = wsk_req_enter(req, WSK_REQ_CONNECT, s, remote, &ws);
	if (err)
		return err;
	if (wsk_sock_is_listener(ws))
		err = -EOPNOTSUPP;	/* the category first: it has no connect */
	else if (flags)
		err = -EINVAL;
	else
		err = wsk_connect_addr_check(ws->family, remote, addrlen);
	if (!err) {
		wsk_connect_addr_keep(&wsk_rp(req)->args.connect.remote, remote, addrlen);
		wsk_rp(req)->args.connect.addrlen = wsk_addr_len(&wsk_rp(req)->args.connect.remote);
	}
	return wsk_sock_submit_op(ws, req, err);
}
EXPORT_SYMBOL_NS_GPL(wsk_connect, WSK);

/**
 * wsk_socket_connect - create, bind and connect a connection socket (WskSocketConnect)
 * @client: the owning client
 * @net: the namespace, alive; not held once the kernel socket exists (as
 *	for wsk_socket())
 * @family: AF_INET or AF_INET6
 * @local: the local address to bind, of @family; NULL: the wildcard
 *	address, port 0. Copied.
 * @remote: the peer's address, of @family. Copied.
 * @addrlen: size of @remote, and of @local if given: checked as
 *	wsk_connect()'s
 * @flags: must be 0
 * @socket_context: the new socket's socket_context
 * @client_dispatch: its &struct wsk_client_connection_dispatch (may be NULL)
 * @req: completes with @req->result.socket, the connected socket
 *
 * On failure nothing is left open: the socket wsk made is reset and freed,
 * and @req->result.socket is NULL. Until the request completes, the socket
 * is wsk's alone; the request can be cancelled once the handshake has
 * started (not during the socket's creation and bind).
 *
 * Context: any; does not sleep (the socket object is allocated with
 * GFP_ATOMIC; the rest runs on wsk's workqueue, which completes @req).
 * Return:
 * * -EINPROGRESS - completes later: 0 with the socket, or an error of
 *   sock_create_kern(), kernel_bind() (-EADDRINUSE, -EADDRNOTAVAIL, ...)
 *   or the connect (as wsk_connect()'s), -ECANCELED, -ESHUTDOWN
 * * -EINVAL - NULL @req (not completed); NULL @client, @net or @remote, bad
 *   @family or @flags, addresses of another family or a bad @addrlen, @net
 *   being dismantled (completed)
 * * -EBUSY - @req is still pending (not completed)
 * * -ESHUTDOWN - @client is being deregistered (completed)
 * * -ENOMEM - no memory (completed)
 */
int wsk_socket_connect(struct wsk_client *client, struct net *net, int family,
		       const struct sockaddr *local, const struct sockaddr *remote, int addrlen,
		       unsigned int flags, void *socket_context,
		       const struct wsk_client_connection_dispatch *client_dispatch,
		       struct wsk_req *req)
{
	struct sockaddr_storage any = { .ss_family = family };
	struct wsk_sock *ws;
	int err;

	err = wsk_req_claim(req, WSK_REQ_CONNECT, NULL);
	if (err)
		return err;
	if (!remote || (family != AF_INET && family != AF_INET6) || flags)
		return wsk_req_leave(req, -EINVAL);
	err = wsk_connect_addr_check(family, remote, addrlen);
	if (!err && local)
		err = wsk_connect_addr_check(family, local, addrlen);
	if (err)
		return wsk_req_leave(req, err);
	wsk_connect_addr_keep(&wsk_rp(req)->args.connect.remote, remote, addrlen);
	wsk_rp(req)->args.connect.addrlen = wsk_addr_len(&wsk_rp(req)->args.connect.remote);

	ws = wsk_sock_new(client, net, family, WSK_FLAG_CONNECTION_SOCKET, socket_context,
			  client_dispatch, req, &err);
	if (!ws)
		return wsk_req_leave(req, err);
	/* Bound to this by the op pass once created. */
	if (local)
		wsk_connect_addr_keep(&ws->local, local, addrlen);
	else
		wsk_connect_addr_keep(&ws->local, (struct sockaddr *)&any, sizeof(any));
	ws->unowned = true;
	wsk_sock_create_start(ws, req);
	return -EINPROGRESS;
}
EXPORT_SYMBOL_NS_GPL(wsk_socket_connect, WSK);
