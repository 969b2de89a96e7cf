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
#include <linux/list.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/socket.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <wsk/wsk.h>

struct module;
struct net;
struct sock;
struct socket;

/* ------------------------------------------------------------------------ */
/* Requests (request.c)                                                      */

/*
 * wsk_req.priv.state: IDLE -> PENDING by atomic cmpxchg at submission (a
 * second submission of a pending request gets -EBUSY); PENDING -> IDLE with
 * release ordering by wsk_req_complete() just before the completion routine
 * is called, so the routine may resubmit.
 *
 * wsk_req.priv.sock and wsk_req.priv.node: a pending request waiting in one
 * of a socket's queues (op_q, accept_q) has priv.sock == that socket and
 * sits on that queue. Both are set and cleared together, only under that
 * socket's lock. Whoever takes a request off its queue (the workqueue,
 * wsk_req_cancel(), close) owns it and completes it exactly once, outside
 * the lock. A pending request that is not queued (creation, close, an
 * operation being executed) has priv.sock == NULL: it cannot be cancelled.
 * wsk_req_cancel() reads priv.sock under rcu_read_lock(): sockets are freed
 * after an RCU grace period, and only once no request points at them.
 *
 * wsk_req.priv.kind and wsk_req.priv.sock_id: what the request is for and
 * the id of the socket it was submitted on (0: none), set by
 * wsk_req_claim() for the counters and tracepoints. Only the owner of a
 * pending request changes them: wsk_req_set_kind() before queueing it,
 * wsk_socket() to the new socket's id before queueing its creation.
 */
enum wsk_req_state {
	WSK_REQ_IDLE = 0,
	WSK_REQ_PENDING = 1,
};

enum wsk_req_kind {
	WSK_REQ_NONE,
	WSK_REQ_SOCKET,
	WSK_REQ_BIND,
	WSK_REQ_SETOPT,
	WSK_REQ_CLOSE,
	WSK_REQ_ACCEPT,
	WSK_REQ_INLINE,		/* completes inside the submitting call */
	WSK_REQ_NR_KINDS
};

int wsk_req_claim(struct wsk_req *req, enum wsk_req_kind kind, struct wsk_socket *s);
void wsk_req_set_kind(struct wsk_req *req, enum wsk_req_kind kind);
void wsk_req_complete(struct wsk_req *req, int status);
int wsk_req_fail(struct wsk_req *req, int status);
void wsk_req_enqueue(struct wsk_socket *s, struct list_head *queue, struct wsk_req *req);
struct wsk_req *wsk_req_dequeue(struct list_head *queue);

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
 */
struct wsk_client {
	struct module *owner;
	atomic_t nr_sockets;
	bool dying;
	u64 id;
	char name[MODULE_NAME_LEN];
	struct rcu_head rcu;
};

void wsk_client_get_socket(struct wsk_client *client);
void wsk_client_put_socket(struct wsk_client *client);

/* ------------------------------------------------------------------------ */
/* Sockets (socket.c, listen.c)                                              */

enum wsk_sock_state {
	WSK_SOCK_CREATING,	/* kernel socket being created */
	WSK_SOCK_OPEN,		/* created, not bound */
	WSK_SOCK_BOUND,		/* connection socket bound */
	WSK_SOCK_LISTENING,	/* listen socket bound and listening */
	WSK_SOCK_CONNECTED,	/* accepted connection */
	WSK_SOCK_DEAD,		/* accepted already reset or closed by the peer */
};

/**
 * struct wsk_sock - wsk's socket object, one slab object from wsk_sock_cache
 * @pub: the public part; @pub.dispatch is the provider table
 * @client: owner; holds one count of @client->nr_sockets (immutable)
 * @net: the namespace, held with get_net() until freed (immutable)
 * @family: AF_INET or AF_INET6 (immutable)
 * @category: WSK_FLAG_LISTEN_SOCKET or WSK_FLAG_CONNECTION_SOCKET (immutable)
 * @id: unique, for debugfs and tracing; increasing in allocation order
 *	(immutable)
 * @list: entry in wsk_sock_list, from allocation until wsk_sock_free()
 * @sock: the kernel socket; set before the socket is handed to the client,
 *	released by the close work (after @closing is set)
 * @context: the client's socket_context (set before handing out)
 * @client_dispatch: the client's event table (set before handing out)
 * @lock: protects the members below it, the queues and the priv.sock/node of
 *	the requests on them. Taken with spin_lock_irqsave() in any context,
 *	including the listener's sk_data_ready (softirq, under
 *	sk_callback_lock). A leaf lock.
 * @state: &enum wsk_sock_state
 * @closing: close started: every call returns -ESHUTDOWN; no more work is
 *	queued
 * @op_active: @op_work is queued or running; set when queued, cleared by
 *	the work when it finds nothing to do, never cleared once the close is
 *	taken (so the socket can be freed from the work)
 * @backlog_set: WSK_SO_LISTEN_BACKLOG was set
 * @backlog: its value
 * @local_len: length of @local, 0 until bound or accepted
 * @remote_len: length of @remote, 0 unless an accepted connection
 * @local: cached local address (kernel_getsockname() sleeps)
 * @remote: cached peer address
 * @op_q: queued operations (bind, option SET), FIFO, run by @op_work
 * @create_req: the wsk_socket() request until the socket is created
 * @close_req: the wsk_close() request once the close has started
 * @accept_q: pending accept requests, FIFO (listener)
 * @ready: accepted connections not yet delivered, FIFO (listener). Non-empty
 *	only while @accept_q is empty.
 * @ready_node: a connection's entry in its listener's @ready
 * @queued: requests waiting in @op_q and @accept_q, by &enum wsk_req_kind
 *	(kept by wsk_req_enqueue(), wsk_req_dequeue() and wsk_req_cancel())
 * @nr_ready: entries in @ready (listener)
 * @accepted: connections this listener delivered to accept requests
 * @op_work: runs creation, @op_q and the close, one at a time
 * @accept_work: the listener's accept worker (listen.c)
 * @orig_data_ready: the listener's own sk_data_ready, saved at bind before
 *	wsk's hook is installed; restored on the listener at close and on each
 *	accepted child (which inherited wsk's hook)
 * @rcu: the socket is freed after a grace period (wsk_req_cancel())
 */
struct wsk_sock {
	struct wsk_socket pub;
	struct wsk_client *client;
	struct net *net;
	int family;
	unsigned int category;
	u64 id;
	struct list_head list;
	struct socket *sock;
	void *context;
	const void *client_dispatch;

	spinlock_t lock;	/* see the kernel-doc above */
	enum wsk_sock_state state;
	bool closing;
	bool op_active;
	bool backlog_set;
	u32 backlog;
	int local_len;
	int remote_len;
	struct sockaddr_storage local;
	struct sockaddr_storage remote;
	struct list_head op_q;
	struct wsk_req *create_req;
	struct wsk_req *close_req;
	struct list_head accept_q;
	struct list_head ready;
	struct list_head ready_node;
	unsigned int queued[WSK_REQ_NR_KINDS];
	unsigned int nr_ready;
	u64 accepted;

	struct work_struct op_work;
	struct work_struct accept_work;
	void (*orig_data_ready)(struct sock *sk);
	struct rcu_head rcu;
};

static inline struct wsk_sock *wsk_sock(struct wsk_socket *s)
{
	return container_of(s, struct wsk_sock, pub);
}

static inline bool wsk_sock_is_listener(const struct wsk_sock *s)
{
	return s->category == WSK_FLAG_LISTEN_SOCKET;
}

/* main.c: the module's unbound workqueue and the socket slab cache */
extern struct workqueue_struct *wsk_wq;
extern struct kmem_cache *wsk_sock_cache;

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
void wsk_sock_free(struct wsk_sock *s);
const char *wsk_sock_state_name(enum wsk_sock_state state);

/* listen.c: called from the op work (process context) */
int wsk_listen_start(struct wsk_sock *ls);
void wsk_listen_stop(struct wsk_sock *ls);
void wsk_listen_init(struct wsk_sock *s);

/* ------------------------------------------------------------------------ */
/* Counters (debugfs.c)                                                      */

/*
 * The error statuses counted by kind in wsk_stats.errors: those of the
 * contract's status mapping. Anything else counts as WSK_ERR_OTHER.
 */
enum wsk_err_kind {
	WSK_ERR_EINVAL,
	WSK_ERR_ENOTCONN,
	WSK_ERR_EOPNOTSUPP,
	WSK_ERR_ESHUTDOWN,
	WSK_ERR_ENOMEM,
	WSK_ERR_EADDRINUSE,
	WSK_ERR_ECONNREFUSED,
	WSK_ERR_EAGAIN,
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
 *	delivered (today: parked ones), now
 * @connections_deferred: connections kept at the head of a listener's
 *	queue by a WSK_CF_DEFER verdict, now (conditional accept, not built
 *	yet: stays 0)
 * @connections_rejected: connections reset by wsk (allocation failure,
 *	listener closed before delivery)
 * @accept_errors: kernel_accept() failures other than -EAGAIN
 * @indications_retained: receive indications a client keeps (receive
 *	path, not built yet: stays 0)
 * @events_delivered: event callbacks called (event callbacks, not built
 *	yet: stays 0)
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
	atomic_long_t indications_retained;
	atomic_long_t events_delivered;
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

/* debugfs.c: /sys/kernel/debug/wsk/. Created by module init, removed by exit. */
int wsk_debugfs_init(void);
void wsk_debugfs_exit(void);

#endif /* _WSK_INTERNAL_H */
