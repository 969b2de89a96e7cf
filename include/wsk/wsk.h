/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wsk: the Windows Winsock Kernel (WSK) programming model for Linux kernel
 * modules. This is the one public header; a client module includes it as
 * <wsk/wsk.h> and writes MODULE_IMPORT_NS(WSK).
 *
 * The contract (names and semantics) is this header's kernel-doc and the
 * pages of Documentation/ (accept.rst, events.rst, conditional-accept.rst,
 * robustness.rst). In short:
 *
 * - Every operation takes a caller-owned &struct wsk_req (the IRP analog)
 *   and completes it exactly once. A return value of -EINPROGRESS means the
 *   request completes later; any other value means it has already been
 *   completed with that value in @req->status. Only a NULL request (-EINVAL)
 *   and a request that is still pending (-EBUSY) are refused without a
 *   completion.
 * - No function that takes a request sleeps: they may be called from any
 *   context, including atomic context, completion routines and event
 *   callbacks. Completion routines may run in any context, softirq included,
 *   and must not sleep. Only wsk_register(), wsk_deregister() and the
 *   wsk_sync_wait*() helpers sleep.
 */
#ifndef _WSK_WSK_H
#define _WSK_WSK_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/list.h>
#include <linux/socket.h>
#include <linux/types.h>
#include <linux/uio.h>

struct module;
struct net;
struct sockaddr;
struct wsk_client;
struct wsk_req;
struct wsk_socket;
struct wsk_client_connection_dispatch;

/* ------------------------------------------------------------------------ */
/* Flags and option codes                                                    */

/* wsk_socket() categories */
#define WSK_FLAG_LISTEN_SOCKET		0x1
#define WSK_FLAG_CONNECTION_SOCKET	0x2

/* Data path and callback flags (values as WSK) */
#define WSK_FLAG_ABORTIVE		0x1	/* disconnect: reset; event: peer reset */
#define WSK_FLAG_WAITALL		0x2	/* receive: complete only when full */
#define WSK_FLAG_AT_DISPATCH_LEVEL	0x8	/* callback runs in atomic context */

/* Event masks for WSK_SO_EVENT_CALLBACK (values as WSK) */
#define WSK_EVENT_SEND_BACKLOG		0x10
#define WSK_EVENT_RECEIVE		0x40
#define WSK_EVENT_DISCONNECT		0x80
#define WSK_EVENT_ACCEPT		0x200
#define WSK_EVENT_DISABLE		0x80000000

/*
 * wsk_control() option codes at level SOL_SOCKET. They are chosen above every
 * Linux SOL_SOCKET option number so that they never collide with a
 * pass-through option.
 *
 * WSK_SO_EVENT_CALLBACK: the value of Windows' SO_WSK_EVENT_CALLBACK
 *	(WSK_SO_BASE + 2); input &struct wsk_event_callback_control.
 * WSK_SO_CONDITIONAL_ACCEPT: Winsock's SO_CONDITIONAL_ACCEPT; u32 0 or 1,
 *	set before bind.
 * WSK_SO_LISTEN_BACKLOG: wsk's own (Windows has no equivalent option); u32,
 *	the listen backlog, set before bind. Without it a listen socket uses
 *	its namespace's net.core.somaxconn.
 */
#define WSK_SO_EVENT_CALLBACK		0x4002
#define WSK_SO_CONDITIONAL_ACCEPT	0x3002
#define WSK_SO_LISTEN_BACKLOG		0x4100

/**
 * struct wsk_event_callback_control - input of WSK_SO_EVENT_CALLBACK
 * @event_mask: WSK_EVENT_* bits to enable, or one event ORed with
 *	WSK_EVENT_DISABLE to disable it
 */
struct wsk_event_callback_control {
	u32 event_mask;
};

/**
 * enum wsk_cf - a condition function's verdict (WSAAccept's CF_*)
 * @WSK_CF_ACCEPT: deliver the connection
 * @WSK_CF_REJECT: reset it; the request completes -ECONNREFUSED
 * @WSK_CF_DEFER: keep it at the head of the queue; the request completes
 *	-EAGAIN
 */
enum wsk_cf {
	WSK_CF_ACCEPT = 0,
	WSK_CF_REJECT = 1,
	WSK_CF_DEFER = 2,
};

/*
 * The condition function of wsk_accept_conditional(): @caller is the peer's
 * address, @callee the local one. It must not sleep.
 */
typedef enum wsk_cf (*wsk_condition_t)(const struct sockaddr *caller,
				       const struct sockaddr *callee,
				       unsigned long callback_data);

/**
 * struct wsk_buf - kernel memory for send and receive (the MDL analog)
 * @kvec: the segments
 * @nr_segs: number of segments
 * @offset: into the first segment
 * @length: total bytes
 */
struct wsk_buf {
	const struct kvec *kvec;
	unsigned int nr_segs;
	size_t offset;
	size_t length;
};

/* ------------------------------------------------------------------------ */
/* Requests: the IRP analog                                                  */

typedef void (*wsk_complete_t)(struct wsk_req *req);

/*
 * wsk's part of a request: opaque to its owner, set up by wsk_req_init()
 * and then touched only by wsk (its layout is wsk's own business).
 */
struct wsk_req_private {
	unsigned long opaque[11];
};

/**
 * struct wsk_req - an asynchronous request, owned by the caller
 * @complete: the owner's completion routine, called exactly once per
 *	accepted submission (see the rules in the file comment). May be NULL
 *	if the owner learns of completion otherwise.
 * @context: the owner's, never touched by wsk
 * @status: 0 or a negative errno, set before @complete runs
 * @result: the operation's information, set before @complete runs and zeroed
 *	on failure
 * @result.socket: wsk_socket() and wsk_accept(): the new socket
 * @result.bytes: data, control and address operations: a byte count
 *
 * The private members that follow are the provider's; owners never touch
 * them (wsk_req_init() sets them up).
 *
 * The request, and every buffer submitted with it, must stay valid until
 * its completion routine has run. A request may be reused (resubmitted)
 * from its own completion routine.
 */
struct wsk_req {
	wsk_complete_t complete;
	void *context;
	int status;
	union {
		struct wsk_socket *socket;
		size_t bytes;
	} result;

	/* private: */
	struct wsk_req_private priv;
};

/**
 * wsk_req_init - prepare a request for its first submission
 * @req: the request
 * @complete: completion routine (may be NULL)
 * @context: stored in @req->context
 *
 * Context: any. Must not be called on a pending request.
 */
void wsk_req_init(struct wsk_req *req, wsk_complete_t complete, void *context);

/**
 * wsk_req_cancel - ask for a pending request to be completed early (IoCancelIrp)
 * @req: the request; valid during this call even if it completes meanwhile
 *
 * Cancellable requests are pending accepts, receives (also one being filled
 * right now), sends and graceful disconnects (also the one being handed to
 * TCP, which may wait for ever for a window that never opens), event
 * disables waiting for their callback, and socket operations (bind, option
 * changes) that have not started yet. A cancelled request completes with
 * -ECANCELED and @req->result zeroed: if it was waiting in a queue, in the
 * caller's context before this returns; if wsk was working on it, from
 * wsk's workqueue soon after. A send or receive cancelled while in progress
 * may have moved some of its bytes already (to the peer, or out of the
 * stream into its buffer): they are lost to the client with the request,
 * and the stream should be treated as broken.
 *
 * Cancel races completion: the owner must still wait for the completion
 * routine. A cancel is never lost: either this returns true and the
 * request completes -ECANCELED, or it returns false and the request
 * completes with its own result in bounded time.
 *
 * Context: any; does not sleep. May be called from completion routines.
 * Return: true if the request was pending and the cancel was delivered;
 * false for a NULL @req, if it was not pending (a harmless no-op), or if it
 * is past the point of cancelling (socket creation, close, an abortive
 * disconnect, an operation already running on the workqueue, an accept
 * being delivered), all of which complete with their own result in bounded
 * time.
 */
bool wsk_req_cancel(struct wsk_req *req);

/**
 * struct wsk_sync - a request plus a completion, for process-context callers
 * @req: pass &sync->req to the operation
 * @done: completed by the request's completion routine
 *
 * Usage::
 *
 *	struct wsk_sync sync;
 *
 *	wsk_sync_init(&sync);
 *	err = wsk_sync_wait(&sync, wsk_bind(s, addr, len, 0, &sync.req));
 *
 * It may live on the stack: wsk_sync_wait() returns only after the
 * completion routine has finished with it.
 */
struct wsk_sync {
	struct wsk_req req;
	struct completion done;
};

/**
 * wsk_sync_init - prepare a &struct wsk_sync for one operation
 * @sync: the helper; re-initialise it before each operation
 *
 * Context: any.
 */
void wsk_sync_init(struct wsk_sync *sync);

/**
 * wsk_sync_wait - wait for the operation submitted with @sync->req
 * @sync: the helper
 * @ret: the value the submitting call returned
 *
 * If @ret is -EINPROGRESS, waits (uninterruptibly, without limit: an accept
 * may wait forever; see wsk_sync_wait_timeout()) for the completion. If the
 * request was refused (-EBUSY, -EINVAL with nothing completed), returns @ret;
 * -EBUSY only while the earlier submission of @sync->req is still pending
 * (once that one has completed, this returns its status).
 *
 * Context: process context; sleeps.
 * Return: @sync->req.status once the request has completed, else @ret.
 */
int wsk_sync_wait(struct wsk_sync *sync, int ret);

/**
 * wsk_sync_wait_timeout - wsk_sync_wait() with a limit
 * @sync: the helper
 * @ret: the value the submitting call returned
 * @timeout: in jiffies
 *
 * As wsk_sync_wait(), but when @timeout expires the request is cancelled
 * and its completion awaited, which comes in bounded time whether or not
 * the request could be cancelled (see wsk_req_cancel()).
 *
 * Context: process context; sleeps.
 * Return: @sync->req.status (-ECANCELED if the cancel won), or @ret if the
 * request was refused.
 */
int wsk_sync_wait_timeout(struct wsk_sync *sync, int ret, unsigned long timeout);

/* ------------------------------------------------------------------------ */
/* Clients                                                                   */

/**
 * wsk_register - register a client (WskRegister)
 * @owner: the client's module, THIS_MODULE (NULL for built-in code)
 *
 * Every socket belongs to a client. While a client is registered, wsk.ko
 * cannot be unloaded.
 *
 * Context: process context; may sleep.
 * Return: the client, or ERR_PTR(-ENOMEM).
 */
struct wsk_client *wsk_register(struct module *owner);

/**
 * wsk_deregister - unregister a client (WskDeregister)
 * @client: from wsk_register(); NULL is a no-op
 *
 * Waits until every socket of @client has been closed and every completion
 * routine and callback into it has returned, then frees @client. A client
 * module can call it from its module_exit and is never called afterwards.
 * The caller must close its sockets (or have their closes pending) or this
 * waits forever, and must not create sockets once it has called this
 * (wsk_socket() says -ESHUTDOWN while it can still tell).
 *
 * Context: process context; sleeps. Not from a completion routine.
 */
void wsk_deregister(struct wsk_client *client);

/* ------------------------------------------------------------------------ */
/* Sockets                                                                   */

/**
 * struct wsk_socket - a wsk socket
 * @dispatch: the provider dispatch table of the socket's category:
 *	&struct wsk_provider_listen_dispatch or
 *	&struct wsk_provider_connection_dispatch
 *
 * Provider-private members follow in wsk's own allocation.
 */
struct wsk_socket {
	const void *dispatch;
};

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
	       void *socket_context, const void *client_dispatch, struct wsk_req *req);

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
	     unsigned int flags, struct wsk_req *req);

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
int wsk_close(struct wsk_socket *s, struct wsk_req *req);

/**
 * wsk_get_local_address - the socket's local address (WskGetLocalAddress)
 * @s: a bound socket
 * @addr: filled with a sockaddr_in or sockaddr_in6
 * @req: completes with @req->result.bytes = the address length
 *
 * The address is cached when the socket is bound or accepted, so this
 * completes inline.
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
			  struct wsk_req *req);

/**
 * wsk_get_remote_address - a connection socket's peer (WskGetRemoteAddress)
 * @s: a connection socket
 * @addr: filled with a sockaddr_in or sockaddr_in6 (v4-mapped for an IPv4
 *	peer of a dual-stack listener)
 * @req: completes with @req->result.bytes = the address length
 *
 * The address is cached when the connection is accepted: it is reported
 * even if the peer has since reset the connection (also if it did so before
 * the accept).
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
			   struct wsk_req *req);

/* ------------------------------------------------------------------------ */
/* Control                                                                   */

enum wsk_control_type {
	WSK_SET_OPTION,
	WSK_GET_OPTION,
	WSK_IOCTL,
};

/**
 * wsk_control - set or get a socket option (WskControlSocket)
 * @s: the socket
 * @type: WSK_SET_OPTION or WSK_GET_OPTION (WSK_IOCTL: -EOPNOTSUPP)
 * @code: the option
 * @level: SOL_SOCKET, SOL_TCP or SOL_IPV6
 * @in_size: size of @in (SET: at least sizeof(int))
 * @in: SET: the value, an int (u32 for WSK_SO_LISTEN_BACKLOG), read before
 *	this returns
 * @out_size: size of @out (GET: at least sizeof(int))
 * @out: GET: receives the value
 * @out_returned: optional; set to the bytes written to @out before completion
 * @req: completes with @req->result.bytes = the bytes written to @out
 *
 * Supported: WSK_SO_LISTEN_BACKLOG (listen sockets, SET before bind; GET
 * returns the effective backlog); WSK_SO_CONDITIONAL_ACCEPT (listen sockets,
 * u32 0 or 1, SET before bind, needs an inspect_event in the listener's
 * client dispatch); WSK_SO_EVENT_CALLBACK (SET only, see below);
 * pass-through of SO_REUSEADDR, SO_REUSEPORT, SO_KEEPALIVE (SOL_SOCKET),
 * TCP_NODELAY (SOL_TCP) and IPV6_V6ONLY (SOL_IPV6, AF_INET6 sockets, before
 * bind).
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
 * Context: any; does not sleep. GET and WSK_SO_LISTEN_BACKLOG complete
 * inline; pass-through SET runs on wsk's workqueue in order with the socket's
 * other queued operations.
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
 *   socket not accepted (completed)
 * * -EBUSY - @req is still pending (not completed)
 * * -EOPNOTSUPP - unsupported @type, @level or @code, or an option not
 *   valid for this socket (completed)
 * * -ESHUTDOWN - the socket's close has started; or (except disabling an
 *   event) the socket is dead: its namespace went away, or, for enabling
 *   events, a listener the kernel closed (completed)
 */
int wsk_control(struct wsk_socket *s, enum wsk_control_type type, u32 code, int level,
		size_t in_size, const void *in, size_t out_size, void *out,
		size_t *out_returned, struct wsk_req *req);

/* ------------------------------------------------------------------------ */
/* Accept                                                                    */

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
 * and @req must stay valid until completion.
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
	       struct wsk_req *req);

/* ------------------------------------------------------------------------ */
/* Conditional accept, event callbacks, data path: types                     */

/**
 * struct wsk_inspect_id - identifies an inspected connection; compared by value
 * @key: provider-chosen key
 * @serial: provider-chosen serial
 */
struct wsk_inspect_id {
	unsigned long key;
	u32 serial;
};

enum wsk_inspect_action {
	WSK_INSPECT_REJECT = 0,
	WSK_INSPECT_ACCEPT = 1,
	WSK_INSPECT_PEND = 2,
};

/**
 * struct wsk_data_indication - received data indicated in place
 * @next: the next indication of the chain, or NULL
 * @buffer: this indication's data
 */
struct wsk_data_indication {
	struct wsk_data_indication *next;
	struct wsk_buf buffer;
};

/**
 * struct wsk_client_listen_dispatch - a listen socket's event callbacks
 * @accept_event: a connection for the client (WskAcceptEvent). Return 0 to
 *	take @accept_socket (setting its context and dispatch through the two
 *	out-pointers; its connection events are those enabled on the listener)
 *	or a negative value (conventionally -ECONNREFUSED) to refuse it: wsk
 *	then resets and frees it, once whatever the call queued on it has
 *	completed. The socket is the client's from the call on: it may queue
 *	requests on it and even close it there. A socket whose peer has reset
 *	it already is offered too (its events then report it dead). @local and
 *	@remote are valid during the call only. A NULL @accept_socket means the
 *	listener is dead (the kernel closed it, or its namespace went away) and
 *	must be closed (delivered once). Called only while no accept request
 *	is pending on the listener.
 * @inspect_event: the verdict on a new connection of a listener with
 *	WSK_SO_CONDITIONAL_ACCEPT (WskInspectEvent): WSK_INSPECT_ACCEPT,
 *	_REJECT (reset) or _PEND (hold until wsk_inspect_complete()). Copy
 *	*@inspect_id to keep it.
 * @abort_event: a pended, or accepted but not yet delivered, connection of
 *	a conditional-accept listener was reset or closed by its peer
 *	(WskAbortEvent); its id is no longer valid.
 *
 * Context: all three run on wsk's workqueue, in process context, one at a
 * time per listener, never after the listener's close has completed. They
 * must not sleep. @flags is 0 (WSK_FLAG_AT_DISPATCH_LEVEL is never set).
 */
struct wsk_client_listen_dispatch {
	int (*accept_event)(void *socket_context, unsigned int flags,
			    const struct sockaddr *local, const struct sockaddr *remote,
			    struct wsk_socket *accept_socket, void **accept_socket_context,
			    const struct wsk_client_connection_dispatch **accept_socket_dispatch);
	enum wsk_inspect_action (*inspect_event)(void *socket_context,
						 const struct sockaddr *local,
						 const struct sockaddr *remote,
						 const struct wsk_inspect_id *inspect_id);
	void (*abort_event)(void *socket_context, const struct wsk_inspect_id *inspect_id);
};

/**
 * struct wsk_client_connection_dispatch - a connection socket's event callbacks
 * @receive_event: data arrived (WskReceiveEvent). @indication is a chain of
 *	the received bytes in place, @bytes_indicated their total, and
 *	*@bytes_accepted is preset to it. Return 0 having taken
 *	*@bytes_accepted bytes (a partial take pauses indications until the
 *	next wsk_receive()); -EINPROGRESS to keep the whole chain until
 *	wsk_release(); -EAGAIN to take nothing (pauses indications too). The
 *	bytes are the stream recv(2) without MSG_OOB reads: TCP urgent data is
 *	not part of it, and no byte is indicated twice. A NULL @indication
 *	means the socket is dead and must be closed (delivered once): the peer
 *	reset it (also before it was delivered), or its namespace went away.
 * @disconnect_event: the peer disconnected (WskDisconnectEvent), once:
 *	@flags is WSK_FLAG_ABORTIVE for a reset (or a namespace that went
 *	away), 0 for a graceful close (after the data before it has been
 *	taken). Return 0.
 * @send_backlog_event: the ideal amount of unsent data to keep queued
 *	(WskSendBacklogEvent): reported when the event is enabled and whenever
 *	the send buffer drains after filling up. It is
 *	min(sk_sndbuf, max(2 * cwnd * mss, 2 * mss)) bytes. Return 0.
 *
 * Context: all three run on wsk's per-connection work, in process context,
 * one at a time per socket (receive_event with the TCP socket lock owned),
 * never after the socket's close has completed. They must not sleep; they
 * may call any wsk function that takes a request (wsk_send() included).
 * @flags is 0 (WSK_FLAG_AT_DISPATCH_LEVEL is never set).
 */
struct wsk_client_connection_dispatch {
	int (*receive_event)(void *socket_context, unsigned int flags,
			     struct wsk_data_indication *indication,
			     size_t bytes_indicated, size_t *bytes_accepted);
	int (*disconnect_event)(void *socket_context, unsigned int flags);
	int (*send_backlog_event)(void *socket_context, size_t ideal_backlog_size);
};

/* ------------------------------------------------------------------------ */
/* Conditional accept                                                        */

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
			   struct wsk_req *req);

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
			 enum wsk_inspect_action action, struct wsk_req *req);

/* ------------------------------------------------------------------------ */
/* Data path                                                                 */

/**
 * wsk_connect - connect a connection socket (WskConnect); not implemented
 * @s: the socket
 * @remote: the peer's address
 * @addrlen: size of @remote
 * @flags: must be 0
 * @req: the request
 *
 * wsk accepts connections; it does not open them yet.
 *
 * Context: any; does not sleep.
 * Return: -EINVAL for a NULL @req, -EBUSY for a pending @req (neither
 * completed); otherwise the request is completed with and this returns
 * -EINVAL (NULL @s), -ESHUTDOWN (close started) or -EOPNOTSUPP.
 */
int wsk_connect(struct wsk_socket *s, const struct sockaddr *remote, int addrlen,
		unsigned int flags, struct wsk_req *req);

/**
 * wsk_send - send data (WskSend)
 * @s: an accepted connection socket
 * @buf: the data; the segments and the memory they describe stay the
 *	owner's and must stay valid until completion. @buf->offset +
 *	@buf->length must not overflow nor exceed the sum of the segments'
 *	lengths (-EINVAL)
 * @flags: must be 0
 * @req: completes with @req->result.bytes == @buf->length
 *
 * Never blocks: the data is handed to TCP from wsk's per-connection work as
 * send space allows (continuing from the socket's write-space wake-up).
 * Sends, and graceful disconnects, run in submission order.
 *
 * Context: any; does not sleep.
 * Return:
 * * 0 - a zero-length send (completed)
 * * -EINPROGRESS - completes later: 0 once every byte is handed to TCP; the
 *   kernel's error (-EPIPE, -ECONNRESET) if the connection failed first;
 *   -ECONNABORTED after an abortive wsk_disconnect(); -ECANCELED
 *   (cancelled, also while being handed to TCP, or the socket closed);
 *   -ESHUTDOWN (its namespace went away)
 * * -EINVAL - NULL @req (not completed); NULL @s or @buf, non-zero @flags,
 *   a @buf that lies about its segments (completed)
 * * -EBUSY - @req is still pending (not completed)
 * * -EOPNOTSUPP - @s is a listen socket (completed)
 * * -ENOTCONN - @s is not an accepted connection (completed)
 * * -ESHUTDOWN - the socket's close has started, or its namespace went away
 *   (completed)
 */
int wsk_send(struct wsk_socket *s, const struct wsk_buf *buf, unsigned int flags,
	     struct wsk_req *req);

/**
 * wsk_receive - receive data into a buffer (WskReceive)
 * @s: an accepted connection socket
 * @buf: the buffer, valid until completion; checked as wsk_send()'s
 * @flags: 0 or WSK_FLAG_WAITALL
 * @req: completes with @req->result.bytes, the bytes copied
 *
 * Completes once at least one byte has arrived (all of @buf->length with
 * WSK_FLAG_WAITALL, unless the stream ends first), or with 0 bytes at a
 * graceful end of stream. The bytes are those recv(2) without MSG_OOB
 * reads: TCP urgent data is stepped over. Pending receives are served
 * before receive indications. Any call resumes indications paused by a
 * partial take or -EAGAIN; a zero-length receive does only that.
 *
 * Context: any; does not sleep.
 * Return:
 * * 0 - a zero-length receive (completed, 0 bytes)
 * * -EINPROGRESS - completes later: 0 with the bytes; -ECONNRESET if the
 *   peer reset the connection (also before it was delivered) and no byte is
 *   left; -ECONNABORTED if an abortive wsk_disconnect() came first;
 *   -ECANCELED; -ESHUTDOWN (its namespace went away)
 * * -EINVAL - NULL @req (not completed); NULL @s or @buf, bad @flags, a @buf
 *   that lies about its segments (completed)
 * * -EBUSY, -EOPNOTSUPP, -ENOTCONN, -ESHUTDOWN - as wsk_send()
 */
int wsk_receive(struct wsk_socket *s, const struct wsk_buf *buf, unsigned int flags,
		struct wsk_req *req);

/**
 * wsk_disconnect - disconnect a connection (WskDisconnect)
 * @s: an accepted connection socket
 * @buf: optional final data (graceful only), sent before the FIN; checked
 *	as wsk_send()'s whenever given
 * @flags: 0 (graceful: FIN after the sends queued before it) or
 *	WSK_FLAG_ABORTIVE (reset now)
 * @req: the request; completes with @req->result.bytes, the final data sent
 *
 * A graceful disconnect shuts down the sending side only: receives and
 * receive indications go on until the peer closes too. An abortive one
 * resets the connection at once and completes every queued send and
 * receive with -ECONNABORTED. Either way the socket must still be closed.
 *
 * Context: any; does not sleep.
 * Return:
 * * -EINPROGRESS - completes later: 0, the kernel's error, -ECANCELED, or
 *   -ESHUTDOWN (its namespace went away)
 * * -EINVAL - NULL @req (not completed); NULL @s, bad @flags, a @buf that
 *   lies about its segments (completed)
 * * -EALREADY - an abortive disconnect was already requested (completed)
 * * -EBUSY, -EOPNOTSUPP, -ENOTCONN, -ESHUTDOWN - as wsk_send()
 */
int wsk_disconnect(struct wsk_socket *s, const struct wsk_buf *buf, unsigned int flags,
		   struct wsk_req *req);

/**
 * wsk_release - give back an indication chain kept by a receive event (WskRelease)
 * @s: the connection socket whose receive_event returned -EINPROGRESS
 * @chain: the chain as it was indicated (its first indication)
 *
 * Frees the data the chain points to. A chain not yet released when @s is
 * closed is freed by the close (and counted in debugfs).
 *
 * Context: any; does not sleep.
 * Return: 0; -EINVAL for NULL @s or @chain or a chain @s does not hold;
 * -ESHUTDOWN once the socket's close has started (the close frees it).
 */
int wsk_release(struct wsk_socket *s, struct wsk_data_indication *chain);

/**
 * wsk_data_indication_copy - copy bytes out of an indication chain
 * @chain: the chain (may be NULL: nothing to copy)
 * @offset: bytes to skip from the start of the chain
 * @to: destination
 * @len: at most this many bytes
 *
 * Context: any, while the chain is valid (during the receive event, or
 * until wsk_release()).
 * Return: the bytes copied, less than @len only at the end of the chain.
 */
size_t wsk_data_indication_copy(const struct wsk_data_indication *chain, size_t offset,
				void *to, size_t len);

/* ------------------------------------------------------------------------ */
/* A listener in one call, for process-context callers                       */

/**
 * struct wsk_listen_params - what wsk_listen_sync() sets up
 * @socket_context: the listener's socket_context, as for wsk_socket()
 * @dispatch: the listener's &struct wsk_client_listen_dispatch (may be NULL)
 * @backlog: WSK_SO_LISTEN_BACKLOG, or 0 for the namespace's
 *	net.core.somaxconn
 * @reuseaddr: set SO_REUSEADDR before binding
 * @conditional: set WSK_SO_CONDITIONAL_ACCEPT (needs @dispatch->inspect_event)
 * @events: the WSK_SO_EVENT_CALLBACK mask to enable once bound (0: none),
 *	e.g. WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE so that every connection
 *	inherits its receive event
 */
struct wsk_listen_params {
	void *socket_context;
	const struct wsk_client_listen_dispatch *dispatch;
	u32 backlog;
	bool reuseaddr;
	bool conditional;
	u32 events;
};

/**
 * wsk_listen_sync - create, configure, bind and start a listener, and wait
 * @client: the registered client
 * @net: the namespace, as for wsk_socket()
 * @addr: the local address; its family is the listener's (AF_INET or
 *	AF_INET6)
 * @addrlen: its length
 * @params: the options and events (see &struct wsk_listen_params)
 * @listener: set to the socket as soon as it exists (the callbacks that
 *	@params->events enables may run before this returns, and may use it),
 *	to NULL again if a step fails; NULL at once for an invalid argument
 *
 * The calls a listener takes, made and waited for in order: wsk_socket(),
 * the options of @params, wsk_bind(), then the events. The listener is
 * listening, and its events enabled, when this returns 0; close it with
 * wsk_close() as any other. If a step fails, the socket is closed (and the
 * close waited for) before this returns that step's error.
 *
 * Context: process context; sleeps.
 * Return: 0; -EINVAL for a NULL argument, a too short @addrlen or what the
 * steps reject as invalid; else the first error of wsk_socket(),
 * wsk_control() or wsk_bind() (-EADDRINUSE, -ENOMEM, -ESHUTDOWN, ...).
 */
int wsk_listen_sync(struct wsk_client *client, struct net *net, const struct sockaddr *addr,
		    int addrlen, const struct wsk_listen_params *params,
		    struct wsk_socket **listener);

/* The provider dispatch tables, WSK's way of calling the functions above. */
#include <wsk/dispatch.h>

#endif /* _WSK_WSK_H */
