/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wsk: definitions shared by the files of wsk.ko and nothing else.
 *
 * Contexts. "Any" means process, softirq or hardirq context, with or
 * without locks held, interrupts possibly disabled: every function that
 * takes a request may be called from there and never sleeps. Work that
 * sleeps (creating, binding, listening, accepting, setting options,
 * closing) runs on the module's workqueue wsk_wq.
 *
 * Lock order (outer first):
 *   sk->sk_callback_lock (read, listener hook)  ->  wsk_sock.lock
 *   wsk_sock_list_lock  ->  nothing (writers of the socket list only)
 * wsk_sock.lock is a leaf: nothing else is taken under it except
 * queue_work(). wsk_sock_list_lock is never taken with a wsk_sock.lock held
 * and nothing is taken under it. Readers of the socket list (debugfs) walk
 * it under rcu_read_lock() and take each socket's lock in turn. Completion
 * routines never run under any wsk lock.
 */
#ifndef _WSK_INTERNAL_H
#define _WSK_INTERNAL_H

#include <linux/atomic.h>
#include <linux/dcache.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/rcupdate.h>
#include <linux/socket.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <wsk/wsk.h>

#include "names.h"

struct wsk_sock;

/* ------------------------------------------------------------------------ */
/* Addresses                                                                 */

/**
 * union wsk_addr - a socket address wsk caches
 * @sa: the family, for the callbacks' struct sockaddr pointers
 * @v4: an AF_INET address
 * @v6: an AF_INET6 one (a v4-mapped peer of a dual-stack listener too)
 *
 * What kernel_getsockname() and getpeername give the sockets wsk has: 28
 * bytes at most, where a sockaddr_storage takes 128. wsk_addr_set() caches
 * one; its family gives its length (wsk_addr_len()), an empty one has none.
 */
union wsk_addr {
	struct sockaddr sa;
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
};

/* The length of the address @a caches: 0 if it has none. */
static inline int wsk_addr_len(const union wsk_addr *a)
{
	switch (a->sa.sa_family) {
	case AF_INET:
		return sizeof(a->v4);
	case AF_INET6:
		return sizeof(a->v6);
	default:
		return 0;
	}
}

/*
 * Write @from to a client's address out-parameter @to, whose buffer holds an
 * address of the socket's @family: exactly that family's length (16 bytes
 * for AF_INET, 28 for AF_INET6), zeros if @from is empty. Never more, so a
 * sockaddr_in behind a sockaddr_storage pointer is not overrun.
 */
static inline int wsk_addr_copy_out(struct sockaddr_storage *to, const union wsk_addr *from,
				    int family)
{
	int len = family == AF_INET6 ? sizeof(from->v6) : sizeof(from->v4);

	if (wsk_addr_len(from) == len) {
		memcpy(to, from, len);
		return len;
	}
	memset(to, 0, len);
	return 0;
}

/*
 * Cache @len bytes of @from (a kernel_getsockname() result; negative: none)
 * in @to: a whole AF_INET or AF_INET6 address, or none.
 */
static inline void wsk_addr_set(union wsk_addr *to, const struct sockaddr_storage *from, int len)
{
	memset(to, 0, sizeof(*to));
	memcpy(to, from, clamp_t(int, len, 0, sizeof(*to)));
	if (len < wsk_addr_len(to) || !wsk_addr_len(to))
		memset(to, 0, sizeof(*to));
}

/* ------------------------------------------------------------------------ */
/* Pass-through options (options.c)                                          */

/* How a pass-through option's value is passed (struct wsk_opt). */
enum wsk_opt_type {
	WSK_OPT_INT,		/* an int */
	WSK_OPT_LINGER,		/* a struct linger */
	WSK_OPT_NAME,		/* a device or congestion control name */
	WSK_OPT_KEEPALIVE,	/* WSK_SIO_KEEPALIVE_VALS's struct wsk_keepalive_vals */
	WSK_OPT_RAW,		/* bytes the caller keeps until completion (SOL_TLS) */
};

/* A name option's buffer: IFNAMSIZ and TCP_CA_NAME_MAX, with the NUL. */
#define WSK_OPT_NAME_MAX	16

/* An option's value, kept in a SET request or read by a GET. */
union wsk_opt_val {
	int value;
	struct linger linger;
	char name[WSK_OPT_NAME_MAX];
	struct wsk_keepalive_vals keepalive;
	const void *raw;
};

/* The largest WSK_OPT_RAW value (a kernel TLS crypto info is at most 56 bytes). */
#define WSK_OPT_RAW_MAX		U8_MAX

/* ------------------------------------------------------------------------ */
/* Requests (request.c)                                                      */

/*
 * wsk_req_priv.state: IDLE -> PENDING by atomic cmpxchg at submission (a
 * second submission of a pending request gets -EBUSY); PENDING -> IDLE with
 * release ordering by wsk_req_complete() just before the completion routine
 * is called, so the routine may resubmit.
 *
 * wsk_req_priv.sock, .node and .cancel, under the lock of the socket
 * .sock points to. A pending request is in one of three places:
 * - queued: on one of a socket's queues (node linked), sock that
 *   socket. wsk_req_cancel() takes it off and completes it -ECANCELED.
 * - taken: off the queue but still attached (node empty, sock
 *   set): the socket's work is handing it to TCP or filling it (a send,
 *   graceful disconnect or receive of conn.c, wsk_req_take()).
 *   wsk_req_cancel() sets cancel and kicks that work, which completes
 *   it -ECANCELED at its next step (wsk_req_requeue_head(),
 *   wsk_req_detach()): a cancel is never lost, even while a send waits for
 *   a window that never opens.
 * - owned: detached (sock NULL): whoever detached it completes it
 *   exactly once, outside the lock, in bounded time (creation, close, an
 *   operation running on the op work, a verdict being applied).
 *   wsk_req_cancel() returns false and the request completes with its
 *   own result.
 * wsk_req_cancel() reads sock under rcu_read_lock(): sockets are freed
 * after an RCU grace period, and only once no request points at them.
 *
 * wsk_req_priv.kind and .sock_id: what the request is for and
 * the id of the socket it was submitted on (0: none), set by
 * wsk_req_claim() for the counters and tracepoints. Only the owner of a
 * pending request changes them: wsk_req_set_kind() before queueing it,
 * wsk_socket() to the new socket's id before queueing its creation.
 */
enum wsk_req_state {
	WSK_REQ_IDLE = 0,
	WSK_REQ_PENDING = 1,
};

/* What a request is for: WSK_REQ_KINDS (names.h). */
enum wsk_req_kind {
	WSK_REQ_KINDS(WSK_ENUM_ENTRY, WSK_ENUM_ENTRY)
	WSK_REQ_NR_KINDS
};

/*
 * wsk's part of a request, in the opaque wsk_req.priv (wsk_rp()); its
 * members are described, with their locking, above.
 */
struct wsk_req_priv {
	atomic_t state;
	u8 kind;
	bool cancel;
	u64 sock_id;
	struct list_head node;
	struct wsk_socket *sock;
	union {
		struct wsk_req_accept_args {
			void *context;
			const struct wsk_client_connection_dispatch *dispatch;
			struct sockaddr_storage *local;
			struct sockaddr_storage *remote;
			wsk_condition_t condition;
			unsigned long callback_data;
		} accept;
		struct {
			struct wsk_buf buf;
			size_t done;
			unsigned int flags;
		} data;
		struct {
			u32 mask;
		} event;
		struct {
			const struct sockaddr *addr;
			int addrlen;
		} bind;
		struct {
			union wsk_addr remote;
			int addrlen;
		} connect;
		struct wsk_req_setopt_args {
			int level;
			u32 code;
			u8 type;
			u8 len;
			union wsk_opt_val v;
			size_t *out_returned;
		} setopt;
	} args;
};

static_assert(sizeof(struct wsk_req_priv) <= sizeof(struct wsk_req_private));
static_assert(__alignof__(struct wsk_req_priv) <= __alignof__(struct wsk_req_private));

/* wsk's part of @req. */
static inline struct wsk_req_priv *wsk_rp(struct wsk_req *req)
{
	return (struct wsk_req_priv *)&req->priv;
}

static inline const struct wsk_req_priv *wsk_crp(const struct wsk_req *req)
{
	return (const struct wsk_req_priv *)&req->priv;
}

/* The request whose private part @rp is. */
static inline struct wsk_req *wsk_req_of(struct wsk_req_priv *rp)
{
	return container_of((struct wsk_req_private *)rp, struct wsk_req, priv);
}

/* The oldest request on @queue (a list of wsk_req_priv.node), or NULL. */
static inline struct wsk_req *wsk_req_first(struct list_head *queue)
{
	struct wsk_req_priv *rp = list_first_entry_or_null(queue, struct wsk_req_priv, node);

	return rp ? wsk_req_of(rp) : NULL;
}

int wsk_req_claim(struct wsk_req *req, enum wsk_req_kind kind, struct wsk_socket *s);
void wsk_req_set_kind(struct wsk_req *req, enum wsk_req_kind kind);
void wsk_req_complete(struct wsk_req *req, int status);
unsigned int wsk_req_complete_list(struct list_head *list, int status);
int wsk_req_enter(struct wsk_req *req, enum wsk_req_kind kind, struct wsk_socket *s,
		  bool args_ok, struct wsk_sock **ws);
int wsk_req_leave(struct wsk_req *req, int status);
void wsk_req_enqueue(struct wsk_socket *s, struct list_head *queue, struct wsk_req *req);
struct wsk_req *wsk_req_dequeue(struct list_head *queue);
void wsk_req_dequeue_all(struct list_head *queue, struct list_head *list);
struct wsk_req *wsk_req_take(struct list_head *queue);
bool wsk_req_requeue_head(struct list_head *queue, struct wsk_req *req);
bool wsk_req_detach(struct wsk_req *req);
void wsk_req_unqueue(struct wsk_req *req);

/* ------------------------------------------------------------------------ */
/* Clients (client.c)                                                        */

/**
 * struct wsk_client - a registered client
 * @owner: the client's module (NULL if built in)
 * @nr_sockets: sockets not yet freed; waited on by wsk_deregister() with
 *	wait_var_event(). Dropped only after a socket's last completion
 *	routine has returned.
 * @dying: set by wsk_deregister(); wsk_socket() then refuses
 * @id: for debugfs and tracing (immutable)
 * @name: the owner's module name, "kernel" if built in, copied at
 *	registration so that debugfs never follows @owner (immutable)
 * @rcu: freed after a grace period: the debugfs socket listing reads
 *	@id and @name through a socket's @client under rcu_read_lock()
 *
 * @lock: protects @made_socket, and @static_events until @made_socket is
 * set; taken with spin_lock_irqsave() (wsk_socket() may be called in any
 * context), nothing is taken under it.
 * @made_socket: the client has asked for a socket (wsk_sock_new()):
 *	WSK_SET_STATIC_EVENT_CALLBACKS is refused from then on
 * @static_events: WSK_SET_STATIC_EVENT_CALLBACKS's events, immutable once
 *	@made_socket is set (read without the lock from then on): enabled on
 *	each socket as soon as it can have them, never disabled
 */
struct wsk_client {
	struct module *owner;
	atomic_t nr_sockets;
	bool dying;
	spinlock_t lock;	/* see the kernel-doc above */
	bool made_socket;
	u32 static_events;
	u64 id;
	char name[MODULE_NAME_LEN];
	struct rcu_head rcu;
};

void wsk_client_get_socket(struct wsk_client *client);
void wsk_client_put_socket(struct wsk_client *client);
void wsk_client_made_socket(struct wsk_client *client);

/* ------------------------------------------------------------------------ */
/* Sockets (socket.c, listen.c)                                              */

/*
 * A socket's states: WSK_SOCK_STATES (names.h). Two lifecycles share them;
 * only wsk_sock_set_state() (socket.c) moves a socket between them, under
 * its lock, and only along these edges (anything else is a WARN):
 * - a listener: CREATING -> OPEN (created) -> BOUND (bound) -> LISTENING;
 *   DEAD from OPEN, BOUND or LISTENING (its namespace went away);
 * - a connection: CREATING -> CONNECTED (accepted) or DEAD (accepted after
 *   the peer's reset); CREATING -> OPEN -> BOUND (made by wsk_socket());
 *   DEAD from any of those (reset, killed).
 * DEAD is final; setting it again changes nothing.
 */
enum wsk_sock_state {
	WSK_SOCK_STATES(WSK_ENUM_ENTRY, WSK_ENUM_ENTRY)
	WSK_SOCK_NR_STATES
};

/**
 * struct wsk_sock - what listeners and connections have in common
 * @pub: the public part; @pub.dispatch is the provider table
 * @client: owner; holds one count of @client->nr_sockets (immutable)
 * @net: the namespace (immutable). Not held: valid while @sock is, and
 *	compared, never followed, once @net_gone (netns.c)
 * @family: AF_INET or AF_INET6 (immutable)
 * @category: WSK_FLAG_LISTEN_SOCKET or WSK_FLAG_CONNECTION_SOCKET
 *	(immutable): which of &struct wsk_listener and &struct wsk_conn
 *	embeds this one
 * @cancelling: requests wsk_req_cancel() took off this socket's queues and
 *	is still completing in its caller's context (atomic, no lock); the
 *	teardown waits for 0 before the close completes and the socket goes
 * @id: unique, for debugfs and tracing; increasing in allocation order
 *	(immutable)
 * @list: entry in wsk_sock_list, from allocation until wsk_sock_free()
 *	(under wsk_sock_list_lock)
 * @context: the client's socket_context (set before handing out, then
 *	immutable)
 * @client_dispatch: the client's event table (likewise)
 *
 * @lock: protects everything below it, in this structure and in the one that
 * embeds it unless that says otherwise, and the sock and node (wsk_req_priv) of
 * the requests queued on the socket. Taken with spin_lock_irqsave() in any
 * context, including the kernel socket's callbacks (softirq, under
 * sk_callback_lock). Nothing is taken under it but queue_work(),
 * mod_delayed_work() and the retry list's lock (conn.c), which is a leaf;
 * a connection's lock is never held with its listener's.
 *
 * @sock: the kernel socket; set before the socket is handed to the client
 *	(wsk_sock_attach_kern()), released by the op work's teardown or kill,
 *	which set it to NULL
 * @state: &enum wsk_sock_state
 * @closing: close (or reset) started: every call returns -ESHUTDOWN; no
 *	more work is queued
 * @reset: the teardown is a reset by wsk, not the client's close: abortive
 * @rejected: that reset counts in connections_rejected
 * @net_gone: the namespace is being dismantled (set by netns.c): the op
 *	work kills the socket; calls that need the kernel socket return
 *	-ESHUTDOWN
 * @op_active: operations are due: the socket's work (wsk_sock_work()) is
 *	queued or running for them; set when queued, cleared by the op pass
 *	when it finds nothing to do (or leaves a teardown to the end of the
 *	connection's accept_event), never cleared once the teardown is taken
 * @torn_down: the teardown is taken (by an op pass, or inline by
 *	wsk_sock_reset()): no op pass does anything more
 * @dead_reported: its death was told: a listener's NULL accept event, a
 *	connection's NULL receive indication
 * @unowned: made by wsk_socket_connect() and not handed to the client yet:
 *	if its connect fails, is cancelled or its namespace goes, wsk resets
 *	and frees it (connect.c)
 * @local: cached local address (kernel_getsockname() sleeps); none until
 *	bound or accepted (a wsk_socket_connect() socket keeps the address to
 *	bind here until it is bound)
 * @op_q: queued operations (bind, option SET), FIFO, run by the op pass
 * @create_req: the wsk_socket() request until the socket is created
 * @close_req: the wsk_close() request once the close has started
 * @events: WSK_EVENT_* enabled (listener: ACCEPT; connection: RECEIVE,
 *	DISCONNECT, SEND_BACKLOG)
 * @cb_running: events whose callback is running now. All callbacks of a
 *	socket run on one work item (a listener's accept work, a connection's
 *	io work), so at most one at a time.
 * @evwait_q: WSK_REQ_EVENT requests: disables waiting for @cb_running
 * @orig_data_ready: the listener's own sk_data_ready, saved at bind before
 *	wsk's hook is installed; restored on the listener at close and on each
 *	accepted child (which inherited wsk's hook) when it is released; on a
 *	connection, its own (a connected socket's) or kernel TLS's once a ULP
 *	change installed it (wsk_conn_ulp_end(), in the op pass)
 * @orig_state_change: the listener's own sk_state_change, likewise (a
 *	child's is its listener's, as it inherited wsk's listener hook)
 * @rcu: from wsk_sock_free() on, in place of the two: the socket is freed
 *	after a grace period (wsk_req_cancel() and the debugfs listing may
 *	still look at it, never at the hooks, which are off by then)
 */
struct wsk_sock {
	struct wsk_socket pub;
	struct wsk_client *client;
	struct net *net;
	u16 family;
	u16 category;
	atomic_t cancelling;
	u64 id;
	struct list_head list;
	void *context;
	const void *client_dispatch;

	spinlock_t lock;	/* see the kernel-doc above */
	enum wsk_sock_state state;
	struct socket *sock;
	bool closing;
	bool reset;
	bool rejected;
	bool net_gone;
	bool op_active;
	bool torn_down;
	bool dead_reported;
	bool unowned;
	union wsk_addr local;
	u16 events;
	u16 cb_running;
	struct list_head op_q;
	struct wsk_req *create_req;
	struct wsk_req *close_req;
	struct list_head evwait_q;
	union {
		struct {
			void (*orig_data_ready)(struct sock *sk);
			void (*orig_state_change)(struct sock *sk);
		};
		struct rcu_head rcu;
	};
};

struct wsk_conn;

/* wsk_listener.flags bits */
#define WSK_LISTEN_ABORT_CHECK	0

/**
 * struct wsk_listener - a listen socket (listen.c)
 * @ws: the common part; @ws.lock protects the members below
 * @backlog_set: WSK_SO_LISTEN_BACKLOG was set
 * @backlog: its value
 * @cond_accept: WSK_SO_CONDITIONAL_ACCEPT (set before bind, then fixed:
 *	the connections' hooks read it without the lock)
 * @backlog_eff: the backlog the listener listens with (set at bind)
 * @inherit: connection events given to sockets that its accept_event
 *	takes
 * @accept_q: pending accept requests, FIFO
 * @ready: accepted connections not yet delivered, FIFO (entry: their
 *	&wsk_conn.stage_node). Non-empty only while @accept_q is empty.
 * @nr_ready: entries in @ready
 * @accepted: connections this listener delivered to accept requests
 * @head_busy: the accept work is running a condition function on the head
 *	of @ready; nothing else may take it meanwhile
 * @inspect_serial: the last inspect id serial handed out
 * @inspecting: the connection whose inspect_event is running, if any
 * @inspect_early: the action of a wsk_inspect_complete() that came for
 *	@inspecting before its inspect_event returned, or -1; applied if the
 *	event returns PEND
 * @held: connections an inspect_event pended (entry: &wsk_conn.stage_node)
 * @nr_held: entries in @held
 * @doomed: connections wsk_inspect_complete() rejected, for the accept work
 *	to reset
 * @flags: atomic bits, no lock: WSK_LISTEN_ABORT_CHECK, set by a pended
 *	connection's state change hook: the accept work looks for dead
 *	connections
 * @accept_work: the accept worker; delayed only to retry a
 *	kernel_accept() that failed for want of memory
 * @op_work: runs the listener's op passes (wsk_sock_op_pass())
 */
struct wsk_listener {
	struct wsk_sock ws;
	bool backlog_set;
	bool cond_accept;
	bool head_busy;
	u32 backlog;
	u32 backlog_eff;
	u32 inherit;
	unsigned int nr_ready;
	unsigned int nr_held;
	u32 inspect_serial;
	int inspect_early;
	struct list_head accept_q;
	struct list_head ready;
	u64 accepted;
	struct wsk_conn *inspecting;
	struct list_head held;
	struct list_head doomed;
	unsigned long flags;
	struct delayed_work accept_work;
	struct work_struct op_work;
};

/*
 * Where an undelivered connection is, among its listener's lists; it moves
 * only by wsk_conn_move() (listen.c), under the listener's lock, which fires
 * the wsk_conn_stage tracepoint. The names: WSK_CONN_STAGES (names.h).
 * @WSK_CONN_TAKEN: on none of them: the accept work has it in hand (it is
 *	being made, inspected, decided on, offered, delivered or reset), or it
 *	is delivered. The initial stage.
 * @WSK_CONN_READY: on the ready FIFO, for the next consumer
 * @WSK_CONN_DEFERRED: at the head of the ready FIFO, kept there by a
 *	WSK_CF_DEFER verdict
 * @WSK_CONN_HELD: pended by an inspect_event, on the held list until
 *	wsk_inspect_complete() or its peer's abort
 * @WSK_CONN_DOOMED: rejected by wsk_inspect_complete(), on the doomed list
 *	for the accept work to reset
 */
enum wsk_conn_stage {
	WSK_CONN_STAGES(WSK_ENUM_ENTRY, WSK_ENUM_ENTRY)
};

/**
 * struct wsk_conn - a connection socket (conn.c)
 * @ws: the common part
 *
 * Until delivered, under its listener's lock (not its own):
 * @stage: &enum wsk_conn_stage
 * @stage_node: its entry in the listener's list that @stage names (or, in
 *	stage TAKEN, in a list private to the accept work or the close)
 * @inspect_serial: the serial of its inspect id (the id's key is its
 *	socket id: wsk_conn_inspect_id())
 *
 * Under @ws.lock:
 * @listener: while undelivered, its listener (the state change hook asks
 *	it to look for aborts); NULL once delivered
 * @in_accept_event: the accept_event that offers it is running; a close
 *	started meanwhile waits for it to return before it runs
 * @remote: cached peer address
 * @tx_q: queued sends and graceful disconnects, FIFO (cancellable)
 * @tx_cur: the send or disconnect being handed to TCP (taken: see the
 *	request rules above)
 * @rx_q: queued receives, FIFO
 * @connect_req: in state CONNECTING, the wsk_connect() (or
 *	wsk_socket_connect()) request waiting for TCP's handshake (taken:
 *	see the request rules above); the io pass completes it
 * @abort_req: in states CONNECTED and DEAD, a pending abortive disconnect,
 *	run first by a @work pass. The two share their slot: a connection
 *	takes data requests only once its connect has completed
 * @retained: indication blocks a receive_event kept (-EINPROGRESS)
 * @rx_resume: bumped by every wsk_receive(): a receive_event that called
 *	it does not pause indications
 * @rx_paused: indications stop until the next wsk_receive()
 * @backlog_due: the send space opened up (write-space hook), or the send
 *	backlog event was just enabled: the next @work pass reports the
 *	ideal send backlog
 * @peer_reset: the peer reset the connection (seen by a hook, or at accept)
 * @local_abort: wsk_disconnect(WSK_FLAG_ABORTIVE) reset it
 * @disc_reported: the disconnect event was delivered
 * @orig_write_space: the child's sk_write_space before wsk's hook; changed
 *	only by a ULP change (wsk_conn_ulp_end(), in the op pass, under the
 *	write side of sk_callback_lock)
 * @work: the connection's one work item, in process context, one pass at
 *	a time: an op pass (wsk_sock_op_pass(): creation, @ws.op_q, the kill,
 *	the teardown), then, once delivered and not closing, its data path:
 *	sends, receives, indications and the connection's event callbacks
 * @retry_node: its entry in the retry timer's list (conn.c) while a pass
 *	is due to try a failed allocation again; empty otherwise (under that
 *	list's lock)
 */
struct wsk_conn {
	struct wsk_sock ws;
	enum wsk_conn_stage stage;
	u32 inspect_serial;
	struct list_head stage_node;

	struct wsk_listener *listener;
	union wsk_addr remote;
	u32 rx_resume;
	struct list_head tx_q;
	struct wsk_req *tx_cur;
	struct list_head rx_q;
	union {
		struct wsk_req *connect_req;
		struct wsk_req *abort_req;
	};
	struct list_head retained;
	bool in_accept_event;
	bool rx_paused;
	bool backlog_due;
	bool peer_reset;
	bool local_abort;
	bool disc_reported;
	void (*orig_write_space)(struct sock *sk);
	struct work_struct work;
	struct list_head retry_node;
};

static inline struct wsk_sock *wsk_sock(struct wsk_socket *s)
{
	return container_of(s, struct wsk_sock, pub);
}

static inline bool wsk_sock_is_listener(const struct wsk_sock *ws)
{
	return ws->category == WSK_FLAG_LISTEN_SOCKET;
}

/* The listener a common part belongs to; @ws must be a listen socket. */
static inline struct wsk_listener *wsk_listener(struct wsk_sock *ws)
{
	return container_of(ws, struct wsk_listener, ws);
}

/* The connection a common part belongs to; @ws must be a connection socket. */
static inline struct wsk_conn *wsk_conn(struct wsk_sock *ws)
{
	return container_of(ws, struct wsk_conn, ws);
}

/* The work item that runs @ws's op passes. */
static inline struct work_struct *wsk_sock_work(struct wsk_sock *ws)
{
	return wsk_sock_is_listener(ws) ? &wsk_listener(ws)->op_work : &wsk_conn(ws)->work;
}

/* The id an inspect_event, an abort_event and wsk_inspect_complete() know @c by. */
static inline struct wsk_inspect_id wsk_conn_inspect_id(const struct wsk_conn *c)
{
	return (struct wsk_inspect_id){ .key = c->ws.id, .serial = c->inspect_serial };
}

/* Whether @ws is a connection its accept_event is being offered. Lock held. */
static inline bool wsk_sock_in_accept_event(struct wsk_sock *ws)
{
	return !wsk_sock_is_listener(ws) && wsk_conn(ws)->in_accept_event;
}

/* main.c: the module's unbound workqueue and the sockets' slab caches */
extern struct workqueue_struct *wsk_wq;
extern struct kmem_cache *wsk_listener_cache;
extern struct kmem_cache *wsk_conn_cache;

/*
 * Every socket object alive, in allocation (id) order: the debugfs sockets
 * listing. wsk_sock_list_lock serialises the writers, wsk_sock_alloc() and
 * wsk_sock_free(), which may run in any context, so it is taken with
 * spin_lock_irqsave(); it is held only for the list_add/list_del, never with
 * a wsk_sock.lock held, and nothing is taken under it. Readers walk the
 * list under rcu_read_lock(): sockets are freed after a grace period that
 * follows their removal, and their clients after one more.
 */
extern struct list_head wsk_sock_list;
extern spinlock_t wsk_sock_list_lock;

extern const struct wsk_provider_listen_dispatch wsk_listen_dispatch;
extern const struct wsk_provider_connection_dispatch wsk_connection_dispatch;

struct wsk_sock *wsk_sock_alloc(struct wsk_client *client, struct net *net, int family,
				unsigned int category, gfp_t gfp);
struct wsk_sock *wsk_sock_new(struct wsk_client *client, struct net *net, int family,
			      unsigned int flags, void *socket_context,
			      const void *client_dispatch, struct wsk_req *req, int *err);
void wsk_sock_create_start(struct wsk_sock *ws, struct wsk_req *req);
void wsk_sock_attach_kern(struct wsk_sock *ws, struct socket *sock);
void wsk_sock_reset(struct wsk_sock *ws, bool rejected);
void wsk_sock_kick_ops(struct wsk_sock *ws);
int wsk_sock_submit_op(struct wsk_sock *ws, struct wsk_req *req, int err);
bool wsk_sock_op_pass(struct wsk_sock *ws);
void wsk_sock_free(struct wsk_sock *ws);
const char *wsk_sock_state_name(enum wsk_sock_state state);
void wsk_sock_set_state(struct wsk_sock *ws, enum wsk_sock_state state);

/* listen.c: called from the op work (process context) */
int wsk_listen_start(struct wsk_listener *ls);
void wsk_listen_stop(struct wsk_listener *ls);
void wsk_listen_die(struct wsk_listener *ls);
void wsk_listen_init(struct wsk_listener *ls);
void wsk_listen_kick(struct wsk_listener *ls);
void wsk_listen_queue(struct wsk_listener *ls, unsigned long delay);

/* conn.c: connection sockets */
void wsk_conn_init(struct wsk_conn *c);
void wsk_conn_hook(struct wsk_conn *c);
void wsk_conn_hook_own(struct wsk_conn *c);
void wsk_conn_unhook(struct wsk_conn *c);
void wsk_conn_ulp_begin(struct wsk_conn *c);
void wsk_conn_ulp_end(struct wsk_conn *c);
void wsk_conn_kick(struct wsk_conn *c);
void wsk_conn_quiesce(struct wsk_conn *c, struct list_head *pending);
void wsk_conn_retry_forget(struct wsk_conn *c);
unsigned int wsk_conn_nr_retained(struct wsk_conn *c);
void wsk_conn_exit_module(void);
size_t wsk_ideal_backlog(struct sock *sk);
void wsk_conn_stop(struct wsk_conn *c, struct list_head *cancelled);

/* options.c: the pass-through options */
int wsk_opt_type(const struct wsk_sock *ws, int level, u32 code);
size_t wsk_opt_size(int type);
void wsk_opt_keep(struct wsk_req *req, int type, const void *in, size_t in_size);
int wsk_opt_set_run(struct wsk_sock *ws, struct wsk_req *req);
int wsk_opt_get(struct sock *sk, int level, u32 code, int type, union wsk_opt_val *val);

/* connect.c: opening connections (the connection's work, process context) */
int wsk_connect_run(struct wsk_sock *ws, struct wsk_req *req);
bool wsk_connect_step(struct wsk_conn *c);
struct wsk_req *wsk_connect_disown(struct wsk_conn *c);

/* netns.c: namespaces going away */
int wsk_net_init(void);
void wsk_net_exit_module(void);
void wsk_net_hold_kern(struct net *net);
void wsk_net_put_kern(struct net *net);

/* event.c: callbacks and WSK_SO_EVENT_CALLBACK */
#define WSK_CONN_EVENTS	(WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT | WSK_EVENT_SEND_BACKLOG)
/* Internal "events" of a listener, never enabled or disabled by a client. */
#define WSK_EV_INSPECT	0x1000
#define WSK_EV_ABORT	0x2000
/* Every event bit that wsk_sock.events and .cb_running hold fits their u16. */
static_assert((WSK_CONN_EVENTS | WSK_EVENT_ACCEPT | WSK_EV_INSPECT | WSK_EV_ABORT) <= U16_MAX);

bool wsk_cb_begin_locked(struct wsk_sock *ws, u32 event);
bool wsk_cb_begin(struct wsk_sock *ws, u32 event);
void wsk_cb_end(struct wsk_sock *ws, u32 event, int ret);
u32 wsk_conn_events_available(const struct wsk_client_connection_dispatch *d, u32 mask);
void wsk_event_static(struct wsk_sock *ws);
int wsk_event_control(struct wsk_sock *ws, size_t in_size, const void *in,
		      struct wsk_req *req);

/* ------------------------------------------------------------------------ */
/* Kernel socket helpers                                                     */

/*
 * sk_user_data of a listener, tagged SK_USER_DATA_NOCOPY so that children
 * cloned from it start with NULL. Set and cleared under
 * write_lock_bh(&sk->sk_callback_lock); read under the read side.
 */
static inline void wsk_sk_user_data_set(struct sock *sk, void *ptr)
{
	__rcu_assign_sk_user_data_with_flags(sk, ptr, SK_USER_DATA_NOCOPY);
}

static inline void wsk_sk_user_data_clear(struct sock *sk)
{
	rcu_assign_sk_user_data(sk, NULL);
}

static inline void *wsk_sk_user_data_locked(const struct sock *sk)
{
	return __locked_read_sk_user_data_with_flags(sk, SK_USER_DATA_NOCOPY);
}

/*
 * The peer of an accepted socket even if it is already closed (peer reset
 * before the accept): what accept(2) itself asks for (getname with peer 2),
 * where kernel_getpeername() (peer 1) says -ENOTCONN. Returns the length.
 */
static inline int wsk_getpeername_accepted(struct socket *sock, struct sockaddr *addr)
{
	return sock->ops->getname(sock, addr, 2);
}

/* The namespace's net.core.somaxconn: the default listen backlog. */
static inline int wsk_net_somaxconn(const struct net *net)
{
	return READ_ONCE(net->core.sysctl_somaxconn);
}

/* ------------------------------------------------------------------------ */
/* Test points (testpoint.c)                                                 */

/*
 * Places where a KUnit suite may stop wsk to make a race happen every time:
 * the suite sets wsk_test_hook and the hook runs there, in the context of the
 * code around it (process context for all of them; it may sleep). Without
 * KUnit in the kernel (the stock kernels) they compile to nothing.
 *
 * @WSK_TP_LISTENED: a listener's kernel_listen() has returned, before wsk
 *	marks it listening (arg: NULL)
 * @WSK_TP_ACCEPTED: the accept work made a connection socket of a child
 *	kernel_accept() returned, before it is queued or inspected (arg: the
 *	connection)
 * @WSK_TP_RX_FILL: the io work took a receive off the queue to fill it
 *	(arg: the request)
 * @WSK_TP_IO_PASS: a pass of a connection's io work begins (arg: NULL)
 * @WSK_TP_ACCEPT_PASS: a pass of a listener's accept work begins (arg: NULL)
 * @WSK_TP_OP_PASS: a pass of a socket's op work begins, past its creation
 *	(arg: NULL)
 * @WSK_TP_IND_ALLOC: the io work is about to allocate a receive_event
 *	chain (arg: a bool *, which the hook sets to make the allocation fail)
 * @WSK_TP_KERNEL_ACCEPT: the accept work is about to call kernel_accept()
 *	(arg: an int *, 0; a negative errno the hook puts there is taken as
 *	kernel_accept()'s result, and it is not called)
 * @WSK_TP_CANCELLED: wsk_req_cancel() took a queued request off its
 *	socket and is about to complete it (arg: the request); the caller's
 *	context, which for this point must be process context
 */
enum wsk_test_point {
	WSK_TP_LISTENED,
	WSK_TP_ACCEPTED,
	WSK_TP_RX_FILL,
	WSK_TP_IO_PASS,
	WSK_TP_ACCEPT_PASS,
	WSK_TP_OP_PASS,
	WSK_TP_IND_ALLOC,
	WSK_TP_KERNEL_ACCEPT,
	WSK_TP_CANCELLED,
};

typedef void (*wsk_test_hook_t)(enum wsk_test_point point, struct wsk_sock *ws, void *arg);

#if IS_ENABLED(CONFIG_KUNIT)
extern wsk_test_hook_t wsk_test_hook;

static inline void wsk_test_point(enum wsk_test_point point, struct wsk_sock *ws, void *arg)
{
	wsk_test_hook_t hook = READ_ONCE(wsk_test_hook);

	if (unlikely(hook))
		hook(point, ws, arg);
}
#else
static inline void wsk_test_point(enum wsk_test_point point, struct wsk_sock *ws, void *arg)
{
}
#endif

/* ------------------------------------------------------------------------ */
/* Counters (debugfs.c)                                                      */

/* The error statuses counted by kind in wsk_stats.errors: WSK_ERR_KINDS. */
enum wsk_err_kind {
	WSK_ERR_KINDS(WSK_ERR_ENUM_ENTRY)
	WSK_ERR_OTHER,
	WSK_ERR_NR_KINDS
};

/**
 * struct wsk_stats - global counters, shown in /sys/kernel/debug/wsk/stats
 * @clients: registered clients
 * @sockets: wsk socket objects alive (including undelivered connections)
 * @sockets_by_category: of those, [0] listen sockets, [1] connection sockets
 * @requests_pending: requests claimed and not yet completed
 * @requests_pending_by_kind: of those, by &enum wsk_req_kind
 * @requests_completed: completions (every completion, any status)
 * @requests_cancelled: requests completed -ECANCELED (cancel or close)
 * @requests_refused: submissions refused without a completion (NULL or
 *	still-pending request)
 * @accepts_completed: connections delivered to accept requests
 * @accepts_dead: of those, already reset or closed by the peer
 * @accepts_parked: connections accepted for a request cancelled meanwhile,
 *	kept for the next accept
 * @connections_held: connections wsk has taken from the kernel but not yet
 *	delivered (parked, accepted by an inspection, pended, deferred), now
 * @connections_deferred: of those, kept at the head of a listener's queue
 *	by a WSK_CF_DEFER verdict, now
 * @connections_pended: of those, pended by an inspect_event, now
 * @connections_rejected: connections reset by wsk before delivery (no
 *	memory, refused by accept_event, rejected by an inspection or a
 *	condition, over a conditional listener's backlog, listener closed)
 * @connections_aborted: abort_event calls
 * @accept_errors: kernel_accept() failures other than -EAGAIN (retried)
 * @sockets_net_killed: sockets killed because their namespace was
 *	dismantled
 * @netns_exits: namespace exits wsk ran (each dismantled namespace, and
 *	every namespace once more at unload)
 * @indications_retained: indication chains clients keep (-EINPROGRESS from
 *	receive_event) and have not released, now
 * @indications_freed_at_close: chains still kept when their socket closed
 *	(freed by the close)
 * @events_delivered: event callbacks called
 * @accepts_event: connections taken by an accept_event
 * @inspect_accepted: inspect_event and wsk_inspect_complete() ACCEPT verdicts
 * @inspect_rejected: their REJECT verdicts
 * @inspect_pended: inspect_event PEND verdicts
 * @bytes_sent: bytes handed to TCP by wsk_send() and wsk_disconnect()
 * @bytes_received: bytes copied by wsk_receive()
 * @bytes_indicated: bytes taken by receive events (kept chains included)
 * @errors: requests completed with an error other than -ECANCELED, by
 *	&enum wsk_err_kind
 *
 * All are updated with atomic operations, without locks, in any context.
 */
struct wsk_stats {
	atomic_long_t clients;
	atomic_long_t sockets;
	atomic_long_t sockets_by_category[2];
	atomic_long_t requests_pending;
	atomic_long_t requests_pending_by_kind[WSK_REQ_NR_KINDS];
	atomic_long_t requests_completed;
	atomic_long_t requests_cancelled;
	atomic_long_t requests_refused;
	atomic_long_t accepts_completed;
	atomic_long_t accepts_dead;
	atomic_long_t accepts_parked;
	atomic_long_t connections_held;
	atomic_long_t connections_deferred;
	atomic_long_t connections_rejected;
	atomic_long_t accept_errors;
	atomic_long_t sockets_net_killed;
	atomic_long_t netns_exits;
	atomic_long_t indications_retained;
	atomic_long_t indications_freed_at_close;
	atomic_long_t events_delivered;
	atomic_long_t accepts_event;
	atomic_long_t connections_pended;
	atomic_long_t connections_aborted;
	atomic_long_t inspect_accepted;
	atomic_long_t inspect_rejected;
	atomic_long_t inspect_pended;
	atomic_long_t bytes_sent;
	atomic_long_t bytes_received;
	atomic_long_t bytes_indicated;
	atomic_long_t errors[WSK_ERR_NR_KINDS];
};

extern struct wsk_stats wsk_stats;

/* Index of wsk_stats.sockets_by_category for a socket category. */
static inline unsigned int wsk_category_index(unsigned int category)
{
	return category == WSK_FLAG_LISTEN_SOCKET ? 0 : 1;
}

void wsk_stat_error(int status);
const char *wsk_req_kind_name(enum wsk_req_kind kind);

static inline void wsk_stat_inc(atomic_long_t *counter)
{
	atomic_long_inc(counter);
}

static inline void wsk_stat_dec(atomic_long_t *counter)
{
	atomic_long_dec(counter);
}

static inline void wsk_stat_add(atomic_long_t *counter, long n)
{
	atomic_long_add(n, counter);
}

/* debugfs.c: /sys/kernel/debug/wsk/. Created by module init, removed by exit. */
int wsk_debugfs_init(void);
void wsk_debugfs_exit(void);

#endif /* _WSK_INTERNAL_H */
