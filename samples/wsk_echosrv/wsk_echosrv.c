// SPDX-License-Identifier: GPL-2.0
/*
 * wsk_echosrv: a request-driven echo server with the shape of a WSK echo
 * server driver, for porters to read next to their Windows code.
 *
 * It calls wsk through the provider dispatch tables, as ported code does:
 * the client-level table from wsk_provider() (WskCaptureProviderNPI's
 * Dispatch), and each socket's own table (s->dispatch). In order:
 *
 * - init registers, sets WSK_EVENT_ACCEPT as a static event callback of
 *   the client (WSK_SET_STATIC_EVENT_CALLBACKS), creates a listen socket
 *   on [::]:@port (dual-stack: IPV6_V6ONLY off; @family=4 listens on
 *   0.0.0.0 instead), sets SO_REUSEADDR and binds it: a wsk listen socket
 *   listens once bound, and the static accept event is on from then on;
 * - the accept event takes each connection and starts ECHOSRV_OPS (2)
 *   receives on it, each with its own request and 4 KiB buffer (an
 *   "operation");
 * - an operation's receive that completes with data sends the same buffer
 *   back; the send's completion receives into it again;
 * - a receive that completes with 0 bytes (the peer's FIN) disconnects
 *   gracefully, once per connection: wsk queues the FIN after the sends
 *   submitted before it;
 * - any error (the peer reset the connection, a send failed) cancels the
 *   connection's other operations; once no operation has a request in
 *   flight the connection is closed and, when the close completes, freed;
 * - exit closes the listener, cancels every connection's operations (so
 *   that a peer which never reads nor closes cannot hold the unload up)
 *   and waits for the last connection to be freed before deregistering.
 *
 * The Windows drivers of this shape queue each completion to a worker
 * thread, because an IRP completion routine runs at DISPATCH_LEVEL where
 * not every WSK call may be made. Every wsk call that takes a request may
 * be made from a completion routine, so here the routine issues the next
 * request itself. A connection's receives complete one at a time and in
 * order (wsk's per-connection work completes them), so the sends that
 * their routines submit, and the disconnect, are queued in stream order.
 *
 * A socket must not be used once its close has completed, and another
 * operation's routine may be between its completion and its next
 * submission at any time: so the connection is closed only by the routine
 * of its last operation to go idle, never from the side. Errors and exit
 * instead cancel requests, which is safe at any time (a cancel of a request
 * that is not pending is a no-op); an operation that submits after the
 * connection was told to stop cancels its own request.
 *
 * With tls_key, each connection gets kernel TLS first: the accept event
 * submits TCP_ULP "tls", TLS_TX and TLS_RX and then its receives, without
 * waiting (wsk runs a connection's I/O only after the option SETs queued
 * before it). A SET that fails stops the connection.
 *
 * Counters, read-only parameters: connections (accepted), active (not yet
 * freed), bytes_echoed (bytes of completed sends), errors (failures not
 * caused by a cancel or a peer reset), refused (connections refused for
 * want of memory).
 *
 * Contexts: init and exit run in process context and sleep; the accept
 * event and the completion routines run in any context wsk gives them and
 * never sleep (GFP_ATOMIC, no lock held across a wsk call).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/kernel.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/tcp.h>
#include <linux/tls.h>
#include <linux/wait.h>
#include <net/net_namespace.h>
#include <wsk/wsk.h>

#define ECHOSRV_OPS	2
#define ECHOSRV_BUF	4096

static ushort port = 40007;
module_param(port, ushort, 0444);
MODULE_PARM_DESC(port, "TCP port to listen on (default 40007)");

static int family = 6;
module_param(family, int, 0444);
MODULE_PARM_DESC(family, "6: [::], dual-stack (default); 4: 0.0.0.0");

/*
 * Kernel TLS on every connection, for a demonstration and the tests: the
 * same AES-GCM-128 key, salt and IV for both directions, as the kernel's
 * tls selftest sets them up. A real server gets its keys from a TLS
 * handshake (its own, or tlshd's through net/handshake) instead.
 */
static char *tls_key;
module_param(tls_key, charp, 0444);
MODULE_PARM_DESC(tls_key, "kernel TLS (TLS 1.2, AES-GCM-128) with these secrets, 56 hex digits: key (16 bytes), salt (4), IV (8); default: none");

/* TCP_ULP "tls", then TLS_TX and TLS_RX with it: read by wsk until completion. */
static struct tls12_crypto_info_aes_gcm_128 echosrv_tls;
#define ECHOSRV_TLS_OPTS	3

/* What an operation's request is doing. */
enum echosrv_stage {
	ECHOSRV_RECEIVE,
	ECHOSRV_SEND,
	ECHOSRV_DISCONNECT,
};

struct echosrv_conn;

/* One operation: a request and the buffer it receives into and sends from. */
struct echosrv_op {
	struct wsk_req req;
	struct echosrv_conn *conn;
	enum echosrv_stage stage;
	struct kvec kvec;
	struct wsk_buf buf;
	void *data;
};

/* conn->flags */
#define ECHOSRV_DISCONNECTING	0	/* the graceful disconnect is submitted */
#define ECHOSRV_STOP		1	/* error or exit: no new submissions */

/*
 * One accepted connection. Freed when the last reference goes: one for the
 * open socket (dropped by its close completion), one for each request in
 * flight (the option SETs of tls_key's included), one while module exit
 * holds it.
 */
struct echosrv_conn {
	struct wsk_socket *sock;
	const struct wsk_provider_connection_dispatch *dispatch;
	struct kref ref;
	atomic_t busy;			/* operations with a request in flight */
	unsigned long flags;		/* ECHOSRV_* bits */
	struct list_head node;		/* in echosrv.conns, under echosrv.lock */
	struct list_head exit_node;	/* module exit's own list */
	struct wsk_req close_req;
	struct wsk_req tls_req[ECHOSRV_TLS_OPTS];
	struct echosrv_op ops[ECHOSRV_OPS];
};

static struct {
	struct wsk_client *client;
	struct wsk_socket *listener;
	unsigned long listener_closing;	/* bit 0: its close was submitted */
	struct wsk_sync listener_close;
	bool stopping;			/* module exit has begun */
	/*
	 * Protects conns. Taken with bottom halves off, in process context
	 * (accept event, exit) and in completion routines (the last put).
	 * Those never run with hard interrupts off here: wsk completes from
	 * its work or softirq, and every cancel comes from this module's own
	 * routines or exit.
	 */
	spinlock_t lock;
	struct list_head conns;
	wait_queue_head_t wq;		/* woken when active drops to 0 */
	atomic_t connections;
	atomic_t active;
	atomic64_t bytes_echoed;
	atomic_t errors;
	atomic_t refused;
} echosrv;

static int echosrv_counter_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%d\n", atomic_read((atomic_t *)kp->arg));
}

static int echosrv_counter64_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%lld\n", (long long)atomic64_read(kp->arg));
}

static int echosrv_counter_set(const char *val, const struct kernel_param *kp)
{
	return -EPERM;
}

static const struct kernel_param_ops echosrv_counter_ops = {
	.set = echosrv_counter_set,
	.get = echosrv_counter_get,
};

static const struct kernel_param_ops echosrv_counter64_ops = {
	.set = echosrv_counter_set,
	.get = echosrv_counter64_get,
};

module_param_cb(connections, &echosrv_counter_ops, &echosrv.connections, 0444);
MODULE_PARM_DESC(connections, "connections accepted");
module_param_cb(active, &echosrv_counter_ops, &echosrv.active, 0444);
MODULE_PARM_DESC(active, "connections not yet closed and freed");
module_param_cb(bytes_echoed, &echosrv_counter64_ops, &echosrv.bytes_echoed, 0444);
MODULE_PARM_DESC(bytes_echoed, "bytes of completed sends");
module_param_cb(errors, &echosrv_counter_ops, &echosrv.errors, 0444);
MODULE_PARM_DESC(errors, "failures not caused by a cancel or a peer reset");
module_param_cb(refused, &echosrv_counter_ops, &echosrv.refused, 0444);
MODULE_PARM_DESC(refused, "connections refused for want of memory");

static void echosrv_conn_free(struct kref *ref)
{
	struct echosrv_conn *conn = container_of(ref, struct echosrv_conn, ref);
	int i;

	spin_lock_bh(&echosrv.lock);
	list_del(&conn->node);
	spin_unlock_bh(&echosrv.lock);
	for (i = 0; i < ECHOSRV_OPS; i++)
		kfree(conn->ops[i].data);
	kfree(conn);
	if (atomic_dec_and_test(&echosrv.active))
		wake_up(&echosrv.wq);
}

static void echosrv_conn_put(struct echosrv_conn *conn)
{
	kref_put(&conn->ref, echosrv_conn_free);
}

/* Any context: the socket's close completed; the socket is gone. */
static void echosrv_closed(struct wsk_req *req)
{
	echosrv_conn_put(req->context);
}

/*
 * Any context; the caller holds a reference. Cancels every request of the
 * connection; the operations go idle as their requests complete.
 */
static void echosrv_conn_stop(struct echosrv_conn *conn)
{
	int i;

	set_bit(ECHOSRV_STOP, &conn->flags);
	for (i = 0; i < ECHOSRV_OPS; i++)
		wsk_req_cancel(&conn->ops[i].req);
}

/*
 * Any context; the caller holds a reference. The operation has nothing in
 * flight any more; the last one to go idle closes the socket. A close
 * without a disconnect before it resets the connection.
 */
static void echosrv_op_idle(struct echosrv_op *op)
{
	struct echosrv_conn *conn = op->conn;

	if (atomic_dec_and_test(&conn->busy))
		conn->dispatch->basic.close(conn->sock, &conn->close_req);
}

static void echosrv_op_done(struct wsk_req *req);

/*
 * Any context: an option SET of tls_key's completed. If it failed, the
 * connection cannot be served: its requests are cancelled, and it closes.
 */
static void echosrv_tls_done(struct wsk_req *req)
{
	struct echosrv_conn *conn = req->context;

	if (req->status) {
		atomic_inc(&echosrv.errors);
		echosrv_conn_stop(conn);
	}
	echosrv_conn_put(conn);
}

/* Kernel TLS on @conn: ordered before the receives submitted after it. */
static void echosrv_tls_start(struct echosrv_conn *conn)
{
	static const struct { int level; u32 code; size_t len; const void *in; } opt[] = {
		{ SOL_TCP, TCP_ULP, 4, "tls" },
		{ SOL_TLS, TLS_TX, sizeof(echosrv_tls), &echosrv_tls },
		{ SOL_TLS, TLS_RX, sizeof(echosrv_tls), &echosrv_tls },
	};
	int i;

	for (i = 0; i < ECHOSRV_TLS_OPTS; i++) {
		wsk_req_init(&conn->tls_req[i], echosrv_tls_done, conn);
		kref_get(&conn->ref);
		conn->dispatch->basic.control(conn->sock, WSK_SET_OPTION, opt[i].code,
					      opt[i].level, opt[i].len, opt[i].in, 0, NULL, NULL,
					      &conn->tls_req[i]);
	}
}

/*
 * Any context; the caller holds a reference. Starts the operation's next
 * request. One that fails at once has run echosrv_op_done() already.
 */
static void echosrv_op_submit(struct echosrv_op *op, enum echosrv_stage stage, size_t len)
{
	struct echosrv_conn *conn = op->conn;
	const struct wsk_provider_connection_dispatch *d = conn->dispatch;

	kref_get(&conn->ref);		/* the request's, dropped by its completion */
	op->stage = stage;
	switch (stage) {
	case ECHOSRV_RECEIVE:
		op->buf.length = ECHOSRV_BUF;
		d->receive(conn->sock, &op->buf, 0, &op->req);
		break;
	case ECHOSRV_SEND:
		op->buf.length = len;
		d->send(conn->sock, &op->buf, 0, &op->req);
		break;
	case ECHOSRV_DISCONNECT:
		d->disconnect(conn->sock, NULL, 0, &op->req);
		break;
	}
	/* Told to stop while this was being submitted: the cancel may have missed it. */
	if (test_bit(ECHOSRV_STOP, &conn->flags))
		wsk_req_cancel(&op->req);
}

/* An error of @op's request: counted unless a cancel or the peer explains it. */
static void echosrv_op_failed(struct echosrv_op *op, int status)
{
	if (status != -ECANCELED && status != -ECONNRESET && status != -ECONNABORTED &&
	    status != -EPIPE && status != -ESHUTDOWN) {
		atomic_inc(&echosrv.errors);
		pr_warn_ratelimited("stage %d failed: %d\n", op->stage, status);
	}
	echosrv_conn_stop(op->conn);
	echosrv_op_idle(op);
}

/*
 * Any context (wsk's workqueue, softirq, or the canceller's context):
 * the completion routine of every operation's request.
 */
static void echosrv_op_done(struct wsk_req *req)
{
	struct echosrv_op *op = req->context;
	struct echosrv_conn *conn = op->conn;
	bool stop = test_bit(ECHOSRV_STOP, &conn->flags);

	if (req->status) {
		echosrv_op_failed(op, req->status);
	} else if (op->stage == ECHOSRV_RECEIVE && req->result.bytes) {
		if (stop)
			echosrv_op_idle(op);
		else
			echosrv_op_submit(op, ECHOSRV_SEND, req->result.bytes);
	} else if (op->stage == ECHOSRV_RECEIVE) {
		/* End of stream: one operation disconnects, the others are done. */
		if (stop || test_and_set_bit(ECHOSRV_DISCONNECTING, &conn->flags))
			echosrv_op_idle(op);
		else
			echosrv_op_submit(op, ECHOSRV_DISCONNECT, 0);
	} else if (op->stage == ECHOSRV_SEND) {
		atomic64_add(op->buf.length, &echosrv.bytes_echoed);
		if (stop)
			echosrv_op_idle(op);
		else
			echosrv_op_submit(op, ECHOSRV_RECEIVE, 0);
	} else {
		echosrv_op_idle(op);	/* the disconnect completed */
	}
	echosrv_conn_put(conn);		/* the completed request's reference */
}

static struct echosrv_conn *echosrv_conn_alloc(struct wsk_socket *sock)
{
	struct echosrv_conn *conn;
	int i;

	conn = kzalloc(sizeof(*conn), GFP_ATOMIC);
	if (!conn)
		return NULL;
	for (i = 0; i < ECHOSRV_OPS; i++) {
		struct echosrv_op *op = &conn->ops[i];

		op->data = kmalloc(ECHOSRV_BUF, GFP_ATOMIC);
		if (!op->data)
			goto fail;
		op->conn = conn;
		op->kvec.iov_base = op->data;
		op->kvec.iov_len = ECHOSRV_BUF;
		op->buf.kvec = &op->kvec;
		op->buf.nr_segs = 1;
		wsk_req_init(&op->req, echosrv_op_done, op);
	}
	conn->sock = sock;
	conn->dispatch = sock->dispatch;
	kref_init(&conn->ref);		/* the open socket's */
	atomic_set(&conn->busy, ECHOSRV_OPS);
	wsk_req_init(&conn->close_req, echosrv_closed, conn);
	return conn;

fail:
	while (i--)
		kfree(conn->ops[i].data);
	kfree(conn);
	return NULL;
}

static void echosrv_listener_close(void)
{
	const struct wsk_provider_listen_dispatch *d = echosrv.listener->dispatch;

	if (!test_and_set_bit(0, &echosrv.listener_closing))
		d->basic.close(echosrv.listener, &echosrv.listener_close.req);
}

/*
 * The listener's accept event (static: WSK_EVENT_ACCEPT for the whole
 * client). wsk's workqueue, process context; must not sleep. Returning
 * -ECONNREFUSED makes wsk reset and free the connection.
 */
static int echosrv_accept_event(void *socket_context, unsigned int flags,
				const struct sockaddr *local, const struct sockaddr *remote,
				struct wsk_socket *accept_socket, void **accept_socket_context,
				const struct wsk_client_connection_dispatch **dispatch)
{
	struct echosrv_conn *conn;
	int i;

	if (!accept_socket) {	/* the listener is dead (its namespace went away) */
		echosrv_listener_close();
		return 0;
	}
	if (READ_ONCE(echosrv.stopping))
		return -ECONNREFUSED;
	conn = echosrv_conn_alloc(accept_socket);
	if (!conn) {
		atomic_inc(&echosrv.refused);
		return -ECONNREFUSED;
	}
	atomic_inc(&echosrv.connections);
	atomic_inc(&echosrv.active);
	spin_lock_bh(&echosrv.lock);
	list_add_tail(&conn->node, &echosrv.conns);
	spin_unlock_bh(&echosrv.lock);
	*accept_socket_context = conn;
	*dispatch = NULL;		/* no connection events: requests only */

	kref_get(&conn->ref);		/* held across the submissions */
	if (tls_key)
		echosrv_tls_start(conn);
	for (i = 0; i < ECHOSRV_OPS; i++)
		echosrv_op_submit(&conn->ops[i], ECHOSRV_RECEIVE, 0);
	echosrv_conn_put(conn);
	return 0;
}

static const struct wsk_client_listen_dispatch echosrv_listen_dispatch = {
	.accept_event = echosrv_accept_event,
};

/* Process context: a listener option, an int. */
static int echosrv_set_int(int level, int option, int value)
{
	const struct wsk_provider_listen_dispatch *d = echosrv.listener->dispatch;
	struct wsk_sync sync;

	wsk_sync_init(&sync);
	return wsk_sync_wait(&sync, d->basic.control(echosrv.listener, WSK_SET_OPTION, option,
						      level, sizeof(value), &value, 0, NULL, NULL,
						      &sync.req));
}

/* Process context: the listener, bound and listening. */
static int echosrv_listen(const struct wsk_provider_dispatch *provider)
{
	struct wsk_event_callback_control events = { .event_mask = WSK_EVENT_ACCEPT };
	struct sockaddr_in6 sin6 = {
		.sin6_family = AF_INET6,
		.sin6_addr = in6addr_any,
		.sin6_port = htons(port),
	};
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_ANY),
		.sin_port = htons(port),
	};
	const struct wsk_provider_listen_dispatch *d;
	struct sockaddr *addr = (struct sockaddr *)&sin6;
	int addrlen = sizeof(sin6), ret;
	struct wsk_sync sync;

	if (family == 4) {
		addr = (struct sockaddr *)&sin;
		addrlen = sizeof(sin);
	}
	ret = provider->control_client(echosrv.client, WSK_SET_STATIC_EVENT_CALLBACKS,
				       sizeof(events), &events, 0, NULL, NULL);
	if (ret)
		return ret;
	wsk_sync_init(&sync);
	ret = wsk_sync_wait(&sync, provider->socket(echosrv.client, &init_net, addr->sa_family,
						    WSK_FLAG_LISTEN_SOCKET, NULL,
						    &echosrv_listen_dispatch, &sync.req));
	if (ret)
		return ret;
	echosrv.listener = sync.req.result.socket;
	d = echosrv.listener->dispatch;

	ret = echosrv_set_int(SOL_SOCKET, SO_REUSEADDR, 1);
	if (!ret && family != 4)
		ret = echosrv_set_int(SOL_IPV6, IPV6_V6ONLY, 0);
	if (!ret) {
		wsk_sync_init(&sync);
		ret = wsk_sync_wait(&sync, d->bind(echosrv.listener, addr, addrlen, 0, &sync.req));
	}
	if (ret) {
		echosrv_listener_close();
		wait_for_completion(&echosrv.listener_close.done);
	}
	return ret;
}

/* Process context. */
static int __init echosrv_init(void)
{
	int ret;

	if (family != 4 && family != 6)
		return -EINVAL;
	if (tls_key) {
		u8 secret[28];

		if (strlen(tls_key) != 2 * sizeof(secret) ||
		    hex2bin(secret, tls_key, sizeof(secret)))
			return -EINVAL;
		echosrv_tls.info.version = TLS_1_2_VERSION;
		echosrv_tls.info.cipher_type = TLS_CIPHER_AES_GCM_128;
		memcpy(echosrv_tls.key, secret, 16);
		memcpy(echosrv_tls.salt, secret + 16, 4);
		memcpy(echosrv_tls.iv, secret + 20, 8);
	}
	spin_lock_init(&echosrv.lock);
	INIT_LIST_HEAD(&echosrv.conns);
	init_waitqueue_head(&echosrv.wq);
	wsk_sync_init(&echosrv.listener_close);

	echosrv.client = wsk_register(THIS_MODULE);
	if (IS_ERR(echosrv.client))
		return PTR_ERR(echosrv.client);
	ret = echosrv_listen(wsk_provider(echosrv.client));
	if (ret) {
		pr_err("listening on port %u: %d\n", port, ret);
		wsk_deregister(echosrv.client);
		return ret;
	}
	pr_info("echoing on %s port %u\n", family == 4 ? "0.0.0.0" : "[::]", port);
	return 0;
}

/*
 * Process context. Once the listener's close has completed no accept event
 * runs, so the list of connections is complete. Each is stopped: its
 * pending requests complete -ECANCELED, its last operation closes it.
 */
static void __exit echosrv_exit(void)
{
	struct echosrv_conn *conn, *tmp;
	LIST_HEAD(doomed);

	WRITE_ONCE(echosrv.stopping, true);
	echosrv_listener_close();
	wait_for_completion(&echosrv.listener_close.done);

	spin_lock_bh(&echosrv.lock);
	list_for_each_entry(conn, &echosrv.conns, node) {
		/* Skip one whose last reference is going right now. */
		if (kref_get_unless_zero(&conn->ref))
			list_add_tail(&conn->exit_node, &doomed);
	}
	spin_unlock_bh(&echosrv.lock);
	list_for_each_entry_safe(conn, tmp, &doomed, exit_node) {
		echosrv_conn_stop(conn);
		echosrv_conn_put(conn);
	}
	wait_event(echosrv.wq, !atomic_read(&echosrv.active));
	/* Waits for the last completion routine to return. */
	wsk_deregister(echosrv.client);
	pr_info("unloaded: %d connections, %lld bytes echoed, %d errors\n",
		atomic_read(&echosrv.connections),
		(long long)atomic64_read(&echosrv.bytes_echoed), atomic_read(&echosrv.errors));
}

module_init(echosrv_init);
module_exit(echosrv_exit);

MODULE_DESCRIPTION("wsk sample: a request-driven echo server (WSK echo server shape)");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(WSK);
