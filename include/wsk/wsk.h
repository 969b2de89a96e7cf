/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wsk: the Windows Winsock Kernel (WSK) programming model for Linux kernel
 * modules. This is the one public header; a client module includes it as
 * <wsk/wsk.h> and writes MODULE_IMPORT_NS(WSK).
 *
 * The contract (names and semantics) is the kernel-doc of the types here and
 * of each function at its definition (the wsk/ .c files), and the pages of
 * Documentation/ (accept.rst, events.rst, conditional-accept.rst,
 * robustness.rst), which pull that kernel-doc in. In short:
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
 *   and must not sleep. Only wsk_register(), wsk_deregister(),
 *   wsk_control_client() and the wsk_sync_wait*() helpers sleep.
 */
#ifndef _WSK_WSK_H
#define _WSK_WSK_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/list.h>
#include <linux/socket.h>
#include <linux/types.h>
#include <linux/uio.h>

struct bio_vec;
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
#define WSK_FLAG_NODELAY		0x2	/* send: push it at once, no Nagle delay */
#define WSK_FLAG_DRAIN			0x4	/* receive: discard until the end */
#define WSK_FLAG_AT_DISPATCH_LEVEL	0x8	/* callback runs in atomic context */
/*
 * wsk's own (no WSK value): on wsk_send(), wsk_receive() and a graceful
 * wsk_disconnect(), the buffer's segments are &struct bio_vec pages
 * (&wsk_buf.bvec). A send hands them to TCP without a copy where the kernel
 * can (MSG_SPLICE_PAGES on 6.12, when every page passes sendpage_ok(): slab
 * memory does not, and is copied), so TCP may still read the pages after
 * the send completed, until the peer has acknowledged the bytes; 6.1
 * copies them. Receives copy into them.
 */
#define WSK_FLAG_PAGES			0x10000

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
 * WSK_SO_EXCLUSIVEADDRUSE: Winsock's SO_EXCLUSIVEADDRUSE; u32 1, set before
 *	bind. A Linux TCP bind is exclusive already unless both sockets set
 *	SO_REUSEADDR or SO_REUSEPORT, so it changes nothing; it is refused on
 *	a socket that set either. GET: 1 while the socket's bind is exclusive.
 */
#define WSK_SO_EVENT_CALLBACK		0x4002
#define WSK_SO_CONDITIONAL_ACCEPT	0x3002
#define WSK_SO_LISTEN_BACKLOG		0x4100
#define WSK_SO_EXCLUSIVEADDRUSE		0x4101

/*
 * wsk_control() WSK_IOCTL codes (the values of Windows' SIO_ codes).
 *
 * WSK_SIO_QUERY_IDEAL_SEND_BACKLOG: SIO_WSK_QUERY_IDEAL_SEND_BACKLOG; on a
 *	connected connection socket, out a size_t: the bytes of unsent data
 *	that keep the connection busy (the value the send-backlog event gets).
 * WSK_SIO_QUERY_INSPECT_ID: SIO_WSK_QUERY_INSPECT_ID; on a connection socket
 *	accepted on a conditional listener (WSK_SO_CONDITIONAL_ACCEPT), out a
 *	&struct wsk_inspect_id: the id its inspect_event had.
 * WSK_SIO_KEEPALIVE_VALS: SIO_KEEPALIVE_VALS; in a &struct
 *	wsk_keepalive_vals, on any socket (connections accepted later inherit
 *	it from a listener).
 */
#define WSK_SIO_QUERY_IDEAL_SEND_BACKLOG 0x4f000003
#define WSK_SIO_QUERY_INSPECT_ID	0x4f000005
#define WSK_SIO_KEEPALIVE_VALS		0x98000004

/**
 * struct wsk_keepalive_vals - input of WSK_SIO_KEEPALIVE_VALS (struct tcp_keepalive)
 * @onoff: 0: keepalive off; otherwise on, with the two values below
 * @time_ms: idle time before the first probe, in ms (TCP_KEEPIDLE, rounded
 *	up to whole seconds, at least 1)
 * @interval_ms: time between probes, in ms (TCP_KEEPINTVL, likewise); the
 *	probe count is 10, as on Windows (TCP_KEEPCNT)
 */
struct wsk_keepalive_vals {
	u32 onoff;
	u32 time_ms;
	u32 interval_ms;
};

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
 * @kvec: the segments: kernel virtual memory
 * @bvec: the segments when the call's flags include WSK_FLAG_PAGES: pages
 *	(see that flag)
 * @nr_segs: number of segments
 * @offset: into the first segment
 * @length: total bytes
 */
struct wsk_buf {
	union {
		const struct kvec *kvec;
		const struct bio_vec *bvec;
	};
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

void wsk_req_init(struct wsk_req *req, wsk_complete_t complete, void *context);

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

void wsk_sync_init(struct wsk_sync *sync);

int wsk_sync_wait(struct wsk_sync *sync, int ret);

int wsk_sync_wait_timeout(struct wsk_sync *sync, int ret, unsigned long timeout);

/* ------------------------------------------------------------------------ */
/* Clients                                                                   */

struct wsk_client *wsk_register(struct module *owner);

void wsk_deregister(struct wsk_client *client);

/*
 * WSK_SET_STATIC_EVENT_CALLBACKS: WSK's client control code of the same
 * name; input &struct wsk_event_callback_control, before the client's first
 * socket (wsk_control_client()).
 */
#define WSK_SET_STATIC_EVENT_CALLBACKS	7

int wsk_control_client(struct wsk_client *client, u32 code, size_t in_size, const void *in,
		       size_t out_size, void *out, size_t *out_returned);

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

int wsk_socket(struct wsk_client *client, struct net *net, int family, unsigned int flags,
	       void *socket_context, const void *client_dispatch, struct wsk_req *req);

int wsk_bind(struct wsk_socket *s, const struct sockaddr *addr, int addrlen,
	     unsigned int flags, struct wsk_req *req);

int wsk_close(struct wsk_socket *s, struct wsk_req *req);

int wsk_get_local_address(struct wsk_socket *s, struct sockaddr_storage *addr,
			  struct wsk_req *req);

int wsk_get_remote_address(struct wsk_socket *s, struct sockaddr_storage *addr,
			   struct wsk_req *req);

/* ------------------------------------------------------------------------ */
/* Control                                                                   */

enum wsk_control_type {
	WSK_SET_OPTION,
	WSK_GET_OPTION,
	WSK_IOCTL,
};

int wsk_control(struct wsk_socket *s, enum wsk_control_type type, u32 code, int level,
		size_t in_size, const void *in, size_t out_size, void *out,
		size_t *out_returned, struct wsk_req *req);

/* ------------------------------------------------------------------------ */
/* Accept                                                                    */

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

int wsk_accept_conditional(struct wsk_socket *listen, wsk_condition_t condition,
			   unsigned long callback_data, void *accept_socket_context,
			   const struct wsk_client_connection_dispatch *accept_socket_dispatch,
			   struct sockaddr_storage *local, struct sockaddr_storage *remote,
			   struct wsk_req *req);

int wsk_inspect_complete(struct wsk_socket *listen, const struct wsk_inspect_id *id,
			 enum wsk_inspect_action action, struct wsk_req *req);

/* ------------------------------------------------------------------------ */
/* Data path                                                                 */

int wsk_connect(struct wsk_socket *s, const struct sockaddr *remote, int addrlen,
		unsigned int flags, struct wsk_req *req);

int wsk_socket_connect(struct wsk_client *client, struct net *net, int family,
		       const struct sockaddr *local, const struct sockaddr *remote, int addrlen,
		       unsigned int flags, void *socket_context,
		       const struct wsk_client_connection_dispatch *client_dispatch,
		       struct wsk_req *req);

int wsk_send(struct wsk_socket *s, const struct wsk_buf *buf, unsigned int flags,
	     struct wsk_req *req);

int wsk_receive(struct wsk_socket *s, const struct wsk_buf *buf, unsigned int flags,
		struct wsk_req *req);

int wsk_disconnect(struct wsk_socket *s, const struct wsk_buf *buf, unsigned int flags,
		   struct wsk_req *req);

int wsk_release(struct wsk_socket *s, struct wsk_data_indication *chain);

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

int wsk_listen_sync(struct wsk_client *client, struct net *net, const struct sockaddr *addr,
		    int addrlen, const struct wsk_listen_params *params,
		    struct wsk_socket **listener);

/* The provider dispatch tables, WSK's way of calling the functions above. */
#include <wsk/dispatch.h>

#endif /* _WSK_WSK_H */
