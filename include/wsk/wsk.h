/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wsk: the Windows Winsock Kernel (WSK) programming model for Linux kernel
 * modules. This is the one public header; a client module includes it as
 * <wsk/wsk.h> and writes MODULE_IMPORT_NS(WSK).
 *
 * The contract (names and semantics) is Documentation/accept.rst and the
 * project's design/api.md. In short:
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

/* ------------------------------------------------------------------------ */
/* Requests: the IRP analog                                                  */

typedef void (*wsk_complete_t)(struct wsk_req *req);

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

	/* private: provider state, protected as documented in wsk/internal.h */
	struct {
		atomic_t state;
		u8 kind;
		u64 sock_id;
		struct list_head node;
		struct wsk_socket *sock;
		union {
			struct {
				void *context;
				const struct wsk_client_connection_dispatch *dispatch;
				struct sockaddr_storage *local;
				struct sockaddr_storage *remote;
			} accept;
			struct {
				const struct sockaddr *addr;
				int addrlen;
			} bind;
			struct {
				int level;
				u32 code;
				int value;
				size_t *out_returned;
			} setopt;
		} args;
	} priv;
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
 * @req: the request
 *
 * Cancellable requests are those still waiting in a queue: pending accepts
 * and socket operations (bind, option changes) that have not started yet.
 * A cancelled request completes with -ECANCELED and @req->result zeroed; the
 * completion routine runs in the caller's context before this returns.
 *
 * Cancel races completion: the owner must still wait for the completion
 * routine, which carries whichever result won.
 *
 * Context: any; does not sleep. May be called from completion routines.
 * Return: true if the request was waiting and has been completed with
 * -ECANCELED by this call; false if it was not pending (a harmless no-op) or
 * is past the point of cancelling (socket creation, close, an operation
 * already running), in which case it completes with its own result.
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
 * request was refused (-EBUSY, -EINVAL with nothing completed), returns @ret.
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
 * and its completion awaited. Requests that cannot be cancelled (creation,
 * close, a running operation) are still waited for until they complete,
 * which they do in bounded time.
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
 * @net: the namespace the socket lives in; held until the socket is freed
 * @family: AF_INET or AF_INET6 (an AF_INET6 listener is dual-stack unless
 *	IPV6_V6ONLY is set)
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
 *   or @flags (completed)
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
 * * -EINVAL - NULL @req (not completed); NULL @s or @addr, short @addrlen,
 *   wrong address family, non-zero @flags (completed)
 * * -EBUSY - @req is still pending (not completed)
 * * -ESHUTDOWN - the socket's close has started (completed)
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
 * socket is closed abortively (RST) unless already disconnected both ways.
 * After the close's completion routine returns, @s is freed and the client's
 * socket count drops (letting wsk_deregister() return).
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
 * returns the effective backlog); pass-through of SO_REUSEADDR, SO_REUSEPORT,
 * SO_KEEPALIVE (SOL_SOCKET), TCP_NODELAY (SOL_TCP) and IPV6_V6ONLY (SOL_IPV6,
 * AF_INET6 sockets, before bind). WSK_SO_EVENT_CALLBACK and
 * WSK_SO_CONDITIONAL_ACCEPT are not implemented yet (-EOPNOTSUPP);
 * WSK_SO_EVENT_CALLBACK alone accepts a NULL @req.
 *
 * Context: any; does not sleep. GET and WSK_SO_LISTEN_BACKLOG complete
 * inline; pass-through SET runs on wsk's workqueue in order with the socket's
 * other queued operations.
 * Return:
 * * 0 - done (completed)
 * * -EINPROGRESS - a pass-through SET completes later: 0, the kernel's error
 *   (for example -EINVAL for IPV6_V6ONLY after bind), or -ECANCELED
 * * -EINVAL - NULL @req (not completed); NULL @s, bad sizes or buffers,
 *   WSK_SO_LISTEN_BACKLOG after bind or above INT_MAX (completed)
 * * -EBUSY - @req is still pending (not completed)
 * * -EOPNOTSUPP - unsupported @type, @level or @code, or an option not
 *   valid for this socket (completed; not completed if @req is NULL)
 * * -ESHUTDOWN - the socket's close has started (completed)
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
 * connection to exactly one request. Connections are taken from the kernel's
 * accept queue only while an accept is pending. A connection the peer reset
 * before it was accepted is still delivered (status 0): it is a valid accept
 * whose socket is already dead; its addresses are reported. @local, @remote
 * and @req must stay valid until completion.
 *
 * Context: any; does not sleep. A pending accept completes from wsk's
 * workqueue (process context: delivery, or the listener's close), or in the
 * context of the wsk_req_cancel() call that cancels it. A connection that
 * cannot be given a socket (no memory) is reset and the request stays
 * pending for the next one.
 * Return:
 * * 0 - a connection accepted earlier was ready (completed inline)
 * * -EINPROGRESS - completes later: 0 with a socket, or -ECANCELED
 *   (cancelled, or the listener closed)
 * * -EINVAL - NULL @req (not completed); NULL @listen, non-zero @flags, or
 *   @listen not bound (completed)
 * * -EBUSY - @req is still pending (not completed)
 * * -EOPNOTSUPP - @listen is a connection socket (completed)
 * * -ESHUTDOWN - the listener's close has started (completed)
 */
int wsk_accept(struct wsk_socket *listen, unsigned int flags, void *accept_socket_context,
	       const struct wsk_client_connection_dispatch *accept_socket_dispatch,
	       struct sockaddr_storage *local, struct sockaddr_storage *remote,
	       struct wsk_req *req);

/* ------------------------------------------------------------------------ */
/* Conditional accept, event callbacks, data path: types                     */

enum wsk_cf {
	WSK_CF_ACCEPT = 0,
	WSK_CF_REJECT = 1,
	WSK_CF_DEFER = 2,
};

typedef enum wsk_cf (*wsk_condition_t)(const struct sockaddr *caller,
				       const struct sockaddr *callee,
				       unsigned long callback_data);

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
 * @accept_event: a connection for the client (WskAcceptEvent)
 * @inspect_event: conditional accept verdict (WskInspectEvent)
 * @abort_event: an inspected connection died before delivery (WskAbortEvent)
 *
 * Event callbacks are not implemented yet: they are never called.
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
 * @receive_event: data arrived (WskReceiveEvent)
 * @disconnect_event: the peer disconnected (WskDisconnectEvent)
 * @send_backlog_event: the ideal send backlog changed (WskSendBacklogEvent)
 *
 * Event callbacks are not implemented yet: they are never called.
 */
struct wsk_client_connection_dispatch {
	int (*receive_event)(void *socket_context, unsigned int flags,
			     struct wsk_data_indication *indication,
			     size_t bytes_indicated, size_t *bytes_accepted);
	int (*disconnect_event)(void *socket_context, unsigned int flags);
	int (*send_backlog_event)(void *socket_context, size_t ideal_backlog_size);
};

/* ------------------------------------------------------------------------ */
/* Not implemented yet: these obey the request rules and fail                */

/**
 * wsk_connect - connect a connection socket (WskConnect); not implemented yet
 * @s: the socket
 * @remote: the peer's address
 * @addrlen: size of @remote
 * @flags: must be 0
 * @req: the request
 *
 * Context: any; does not sleep.
 * Return: -EINVAL for a NULL @req, -EBUSY for a pending @req (neither
 * completed); otherwise the request is completed with and this returns
 * -EINVAL (NULL @s), -ESHUTDOWN (close started) or -EOPNOTSUPP.
 */
int wsk_connect(struct wsk_socket *s, const struct sockaddr *remote, int addrlen,
		unsigned int flags, struct wsk_req *req);

/**
 * wsk_send - send data (WskSend); not implemented yet
 * @s: the socket
 * @buf: the data
 * @flags: send flags
 * @req: the request
 *
 * Context: any; does not sleep.
 * Return: as wsk_connect().
 */
int wsk_send(struct wsk_socket *s, const struct wsk_buf *buf, unsigned int flags,
	     struct wsk_req *req);

/**
 * wsk_receive - receive data (WskReceive); not implemented yet
 * @s: the socket
 * @buf: the buffer
 * @flags: receive flags (WSK_FLAG_WAITALL)
 * @req: the request
 *
 * Context: any; does not sleep.
 * Return: as wsk_connect().
 */
int wsk_receive(struct wsk_socket *s, const struct wsk_buf *buf, unsigned int flags,
		struct wsk_req *req);

/**
 * wsk_disconnect - disconnect (WskDisconnect); not implemented yet
 * @s: the socket
 * @buf: optional final data
 * @flags: WSK_FLAG_ABORTIVE for a reset
 * @req: the request
 *
 * Context: any; does not sleep.
 * Return: as wsk_connect().
 */
int wsk_disconnect(struct wsk_socket *s, const struct wsk_buf *buf, unsigned int flags,
		   struct wsk_req *req);

/**
 * wsk_release - return a retained indication chain (WskRelease); not
 * implemented yet
 * @s: the socket
 * @chain: the chain kept by a receive event
 *
 * Context: any; does not sleep.
 * Return: -EINVAL for NULL @s or @chain, else -EOPNOTSUPP.
 */
int wsk_release(struct wsk_socket *s, struct wsk_data_indication *chain);

/**
 * wsk_inspect_complete - verdict for a pended connection (WskInspectComplete);
 * not implemented yet
 * @listen: the listen socket
 * @id: the inspected connection
 * @action: WSK_INSPECT_ACCEPT or WSK_INSPECT_REJECT
 * @req: the request
 *
 * Context: any; does not sleep.
 * Return: as wsk_connect().
 */
int wsk_inspect_complete(struct wsk_socket *listen, const struct wsk_inspect_id *id,
			 enum wsk_inspect_action action, struct wsk_req *req);

/* ------------------------------------------------------------------------ */
/* Provider dispatch tables: call through s->dispatch                        */

/**
 * struct wsk_provider_basic_dispatch - members common to every category
 * @control: wsk_control()
 * @close: wsk_close()
 */
struct wsk_provider_basic_dispatch {
	int (*control)(struct wsk_socket *s, enum wsk_control_type type, u32 code, int level,
		       size_t in_size, const void *in, size_t out_size, void *out,
		       size_t *out_returned, struct wsk_req *req);
	int (*close)(struct wsk_socket *s, struct wsk_req *req);
};

/**
 * struct wsk_provider_listen_dispatch - a listen socket's provider table
 * @basic: control and close
 * @bind: wsk_bind()
 * @accept: wsk_accept()
 * @inspect_complete: wsk_inspect_complete()
 * @get_local_address: wsk_get_local_address()
 */
struct wsk_provider_listen_dispatch {
	struct wsk_provider_basic_dispatch basic;
	int (*bind)(struct wsk_socket *s, const struct sockaddr *addr, int addrlen,
		    unsigned int flags, struct wsk_req *req);
	int (*accept)(struct wsk_socket *listen, unsigned int flags, void *accept_socket_context,
		      const struct wsk_client_connection_dispatch *accept_socket_dispatch,
		      struct sockaddr_storage *local, struct sockaddr_storage *remote,
		      struct wsk_req *req);
	int (*inspect_complete)(struct wsk_socket *listen, const struct wsk_inspect_id *id,
				enum wsk_inspect_action action, struct wsk_req *req);
	int (*get_local_address)(struct wsk_socket *s, struct sockaddr_storage *addr,
				 struct wsk_req *req);
};

/**
 * struct wsk_provider_connection_dispatch - a connection socket's provider table
 * @basic: control and close
 * @bind: wsk_bind()
 * @connect: wsk_connect()
 * @get_local_address: wsk_get_local_address()
 * @get_remote_address: wsk_get_remote_address()
 * @send: wsk_send()
 * @receive: wsk_receive()
 * @disconnect: wsk_disconnect()
 * @release: wsk_release()
 */
struct wsk_provider_connection_dispatch {
	struct wsk_provider_basic_dispatch basic;
	int (*bind)(struct wsk_socket *s, const struct sockaddr *addr, int addrlen,
		    unsigned int flags, struct wsk_req *req);
	int (*connect)(struct wsk_socket *s, const struct sockaddr *remote, int addrlen,
		       unsigned int flags, struct wsk_req *req);
	int (*get_local_address)(struct wsk_socket *s, struct sockaddr_storage *addr,
				 struct wsk_req *req);
	int (*get_remote_address)(struct wsk_socket *s, struct sockaddr_storage *addr,
				  struct wsk_req *req);
	int (*send)(struct wsk_socket *s, const struct wsk_buf *buf, unsigned int flags,
		    struct wsk_req *req);
	int (*receive)(struct wsk_socket *s, const struct wsk_buf *buf, unsigned int flags,
		       struct wsk_req *req);
	int (*disconnect)(struct wsk_socket *s, const struct wsk_buf *buf, unsigned int flags,
			  struct wsk_req *req);
	int (*release)(struct wsk_socket *s, struct wsk_data_indication *chain);
};

#endif /* _WSK_WSK_H */
