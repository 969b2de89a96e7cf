// SPDX-License-Identifier: GPL-2.0
/*
 * wsk_echo: a sample wsk client, a TCP echo server driven by event callbacks
 * only, the way a Windows WSK driver uses WskAcceptEvent and WskReceiveEvent.
 *
 * It listens on @port of the wildcard address (0.0.0.0, or [::] dual-stack
 * as net.ipv6.bindv6only allows), in the initial network namespace or in
 * that of the process @netns_pid, with WSK_EVENT_ACCEPT enabled, and
 * WSK_EVENT_RECEIVE and WSK_EVENT_DISCONNECT enabled on the listener too, so
 * that every connection its accept_event takes inherits them. Each receive
 * indication is copied (wsk_data_indication_copy()) into sends of at most
 * ECHO_SEND_ALLOC bytes each, one kmalloc'ed request and buffer per send,
 * freed by the send's completion.
 *
 * Flow control: a connection with ECHO_MAX_INFLIGHT bytes of echo not yet
 * handed to TCP takes no more data: its receive_event takes what fits and
 * pauses indications (a partial take, or -EAGAIN). The send completion that
 * brings the connection down to ECHO_RESUME_BELOW resumes them with a
 * zero-length wsk_receive(). A send that cannot be allocated pauses the same
 * way; if no send is in flight to resume it, a retry work does it later.
 *
 * A graceful disconnect by the peer is answered with wsk_disconnect(), which
 * wsk queues behind the echoes still being sent, and the socket is closed
 * once that FIN is out (a graceful close, as both directions are then shut).
 * A reset (the abortive disconnect event), a NULL indication (the connection
 * died, e.g. with its namespace) or module unload closes the socket at once
 * (abortive close). A NULL accept_socket in the accept event (the listener
 * was killed from outside, by ss -K for example, or its namespace was
 * dismantled) closes the listener: the module then serves no new
 * connection until it is reloaded.
 *
 * The listener does not keep its namespace alive (a wsk socket holds no
 * reference on it): the reference get_net_ns_by_pid() takes is dropped as
 * soon as the listener exists.
 *
 * Parameters (/sys/module/wsk_echo/parameters/):
 *   port, family (4 or 6), backlog, netns_pid    set at load time
 *   connections    connections accepted
 *   active         connections not yet freed
 *   bytes_echoed   bytes whose echo was handed to TCP
 *   errors         failures not caused by a close, a peer's reset or the
 *                  listener's death
 *   alloc_failures, throttled, inflight_peak    flow control at work
 *   connections_reset    abortive disconnect events (the peer reset)
 *   null_indications     NULL indications (a dead connection)
 *   listener_dead        NULL accept events (the listener was killed)
 *   fail_every     N > 0: every Nth send allocation fails (testing)
 *
 * Contexts (see include/wsk/wsk.h): module init and exit run in process
 * context and may sleep. accept_event runs on wsk's workqueue and
 * receive_event and disconnect_event on wsk's per-connection work, all in
 * process context but forbidden to sleep. Completion routines run in any
 * context, softirq included, possibly inline from the wsk call that
 * submitted their request. The retry work runs on the module's workqueue.
 * Nothing here but init and exit sleeps: allocations are GFP_ATOMIC, locks
 * are spinlocks taken with bottom halves off.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/completion.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include <wsk/wsk.h>

/* Per connection: echo bytes not yet handed to TCP above which it pauses. */
#define ECHO_MAX_INFLIGHT	(1024 * 1024)
#define ECHO_RESUME_BELOW	(ECHO_MAX_INFLIGHT / 2)
/* One send's allocation, request and data (order 3), and the fallback. */
#define ECHO_SEND_ALLOC		(32 * 1024)
#define ECHO_SEND_SMALL		PAGE_SIZE
/* Resume after an allocation failure with nothing in flight. */
#define ECHO_RETRY_DELAY	(HZ / 50)

static ushort port = 7777;
module_param(port, ushort, 0444);
MODULE_PARM_DESC(port, "TCP port to listen on (default 7777)");

static uint family = 4;
module_param(family, uint, 0444);
MODULE_PARM_DESC(family, "4: IPv4 on 0.0.0.0 (default), 6: IPv6 on [::]");

static uint backlog;
module_param(backlog, uint, 0444);
MODULE_PARM_DESC(backlog, "listen backlog (default 0: net.core.somaxconn)");

static int netns_pid;
module_param(netns_pid, int, 0444);
MODULE_PARM_DESC(netns_pid, "listen in the network namespace of this pid (default 0: init_net)");

static uint fail_every;
module_param(fail_every, uint, 0644);
MODULE_PARM_DESC(fail_every, "N > 0: every Nth send allocation fails (testing)");

/*
 * One accepted connection. Freed when the last reference goes: one for the
 * open socket (dropped by its close completion) and one for each request in
 * flight (sends, the disconnect) and for a queued retry work. The resume
 * request needs none: it completes inline, and a request still pending
 * would be cancelled by the close before the socket reference goes.
 */
struct echo_conn {
	struct wsk_socket *sock;
	struct kref ref;
	struct list_head node;		/* in echo.conns, under echo.lock */
	struct list_head exit_node;	/* module exit's own list */
	spinlock_t lock;		/* protects the five fields below */
	bool closing;			/* the close is decided */
	bool paused;			/* indications paused by this module */
	bool resuming;			/* echo_resume() is calling wsk_receive() */
	bool resume_again;		/* ... and should do so once more */
	size_t inflight;		/* bytes in sends not yet completed */
	struct wsk_req close_req;
	struct wsk_req disconnect_req;
	struct wsk_req resume_req;
	struct delayed_work retry;
};

/* One echo send: its request, buffer description and data. */
struct echo_send {
	struct wsk_req req;
	struct echo_conn *conn;
	struct kvec kvec;
	struct wsk_buf buf;
	u8 data[];
};

static struct {
	struct wsk_client *client;
	struct wsk_socket *listener;
	unsigned long listener_closing;	/* bit 0: its wsk_close() was called */
	struct wsk_req listener_close_req;
	struct completion listener_closed;
	struct workqueue_struct *retry_wq;
	bool stopping;			/* module exit has begun */
	spinlock_t lock;		/* protects conns */
	struct list_head conns;
	wait_queue_head_t wq;		/* woken when active drops to 0 */

	atomic_t connections;
	atomic_t active;
	atomic64_t bytes_echoed;
	atomic_t errors;
	atomic_t alloc_failures;
	atomic_t allocs;		/* send allocations, for fail_every */
	atomic_t throttled;
	atomic_long_t inflight_peak;
	atomic_t connections_reset;
	atomic_t null_indications;
	atomic_t listener_dead;
} echo;

/* Counters as read-only parameters: a get op over an atomic_t. */
static int echo_counter_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%d\n", atomic_read((atomic_t *)kp->arg));
}

static int echo_counter64_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%lld\n", (long long)atomic64_read(kp->arg));
}

static int echo_counter_long_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%ld\n", atomic_long_read(kp->arg));
}

static int echo_counter_set(const char *val, const struct kernel_param *kp)
{
	return -EPERM;
}

static const struct kernel_param_ops echo_counter_ops = {
	.set = echo_counter_set,
	.get = echo_counter_get,
};

static const struct kernel_param_ops echo_counter64_ops = {
	.set = echo_counter_set,
	.get = echo_counter64_get,
};

static const struct kernel_param_ops echo_counter_long_ops = {
	.set = echo_counter_set,
	.get = echo_counter_long_get,
};

module_param_cb(connections, &echo_counter_ops, &echo.connections, 0444);
MODULE_PARM_DESC(connections, "connections accepted");
module_param_cb(active, &echo_counter_ops, &echo.active, 0444);
MODULE_PARM_DESC(active, "connections not yet closed and freed");
module_param_cb(bytes_echoed, &echo_counter64_ops, &echo.bytes_echoed, 0444);
MODULE_PARM_DESC(bytes_echoed, "bytes echoed (sends completed)");
module_param_cb(errors, &echo_counter_ops, &echo.errors, 0444);
MODULE_PARM_DESC(errors, "failures other than those caused by a close or a peer reset");
module_param_cb(alloc_failures, &echo_counter_ops, &echo.alloc_failures, 0444);
MODULE_PARM_DESC(alloc_failures, "connection or send allocations that failed");
module_param_cb(throttled, &echo_counter_ops, &echo.throttled, 0444);
MODULE_PARM_DESC(throttled, "times a connection paused with too much echo in flight");
module_param_cb(inflight_peak, &echo_counter_long_ops, &echo.inflight_peak, 0444);
MODULE_PARM_DESC(inflight_peak, "most echo bytes in flight on one connection");
module_param_cb(connections_reset, &echo_counter_ops, &echo.connections_reset, 0444);
MODULE_PARM_DESC(connections_reset, "abortive disconnect events: the peer reset a connection");
module_param_cb(null_indications, &echo_counter_ops, &echo.null_indications, 0444);
MODULE_PARM_DESC(null_indications, "NULL receive indications: a connection died");
module_param_cb(listener_dead, &echo_counter_ops, &echo.listener_dead, 0444);
MODULE_PARM_DESC(listener_dead, "NULL accept events: the listener was killed from outside");

/*
 * Statuses that a connection going away explains: its close cancelled the
 * request or it had started, or the peer reset the connection.
 */
static bool echo_status_benign(int status)
{
	switch (status) {
	case -ECANCELED:
	case -ESHUTDOWN:
	case -ECONNRESET:
	case -ECONNABORTED:
	case -EPIPE:
		return true;
	}
	return false;
}

/* Any context. The last reference: unlink and free the connection. */
static void echo_conn_release(struct kref *ref)
{
	struct echo_conn *conn = container_of(ref, struct echo_conn, ref);

	spin_lock_bh(&echo.lock);
	list_del(&conn->node);
	spin_unlock_bh(&echo.lock);
	kfree(conn);
	if (atomic_dec_and_test(&echo.active))
		wake_up(&echo.wq);
}

static void echo_conn_put(struct echo_conn *conn)
{
	kref_put(&conn->ref, echo_conn_release);
}

/* Any context: the connection's close completed; the socket is gone. */
static void echo_close_done(struct wsk_req *req)
{
	struct echo_conn *conn = req->context;

	rcu_read_lock();
	if (req->status)
		atomic_inc(&echo.errors);
	echo_conn_put(conn);	/* the open socket's reference */
	rcu_read_unlock();
}

/* Any context, no lock held: close the socket (exactly once). */
static void echo_conn_wsk_close(struct echo_conn *conn)
{
	wsk_req_init(&conn->close_req, echo_close_done, conn);
	/* Always completes (status 0), now or later: echo_close_done(). */
	wsk_close(conn->sock, &conn->close_req);
}

/*
 * Any context, no lock held; the caller holds a reference. Decides the
 * close of the connection, once. The socket is closed at once unless
 * echo_resume() is using it from outside an event callback, in which case
 * that closes it when done: wsk frees a socket once its close completes,
 * and only event callbacks are sure to be waited for.
 */
static void echo_conn_close(struct echo_conn *conn)
{
	bool now;

	spin_lock_bh(&conn->lock);
	if (conn->closing) {
		spin_unlock_bh(&conn->lock);
		return;
	}
	conn->closing = true;
	now = !conn->resuming;
	spin_unlock_bh(&conn->lock);
	if (now)
		echo_conn_wsk_close(conn);
}

/* Any context (inline from echo_resume()): a zero-length receive completed. */
static void echo_resume_done(struct wsk_req *req)
{
	rcu_read_lock();
	if (req->status && !echo_status_benign(req->status))
		atomic_inc(&echo.errors);
	rcu_read_unlock();
}

/*
 * Any context, no lock held; the caller holds a reference. If indications
 * are paused (and @inflight is at most @limit), end the pause with a
 * zero-length wsk_receive(), which completes inline. One caller at a time
 * calls it (@resuming): another one that finds the connection paused again
 * meanwhile asks it for one more round (@resume_again).
 */
static void echo_resume(struct echo_conn *conn, size_t limit)
{
	static const struct kvec no_kvec;
	static const struct wsk_buf no_data = { .kvec = &no_kvec, .nr_segs = 1 };
	bool close_now, broken = false;
	int ret;

	spin_lock_bh(&conn->lock);
	if (!conn->paused || conn->inflight > limit || conn->closing) {
		spin_unlock_bh(&conn->lock);
		return;
	}
	if (conn->resuming) {
		conn->resume_again = true;
		spin_unlock_bh(&conn->lock);
		return;
	}
	conn->resuming = true;
	do {
		conn->paused = false;
		conn->resume_again = false;
		spin_unlock_bh(&conn->lock);

		wsk_req_init(&conn->resume_req, echo_resume_done, NULL);
		ret = wsk_receive(conn->sock, &no_data, 0, &conn->resume_req);

		spin_lock_bh(&conn->lock);
		if (ret == -EINPROGRESS) {
			/* Not as documented: give up the connection, its close cancels it. */
			pr_err_once("a zero-length receive did not complete inline\n");
			atomic_inc(&echo.errors);
			broken = true;
			break;
		}
	} while (conn->resume_again && conn->paused && !conn->closing);
	conn->resuming = false;
	if (broken)
		conn->closing = true;
	close_now = conn->closing;
	spin_unlock_bh(&conn->lock);
	if (close_now)
		echo_conn_wsk_close(conn);
}

/* Module workqueue (process context): resume after an allocation failure. */
static void echo_retry_work(struct work_struct *work)
{
	struct echo_conn *conn = container_of(to_delayed_work(work), struct echo_conn, retry);

	echo_resume(conn, SIZE_MAX);
	echo_conn_put(conn);	/* the work's reference */
}

/* Any context; the caller holds a reference. */
static void echo_retry_later(struct echo_conn *conn)
{
	kref_get(&conn->ref);
	if (!queue_delayed_work(echo.retry_wq, &conn->retry, ECHO_RETRY_DELAY))
		echo_conn_put(conn);	/* already queued: that one will do */
}

/* Any context: an echo send completed. Free it, maybe resume the indications. */
static void echo_send_done(struct wsk_req *req)
{
	struct echo_send *snd = container_of(req, struct echo_send, req);
	struct echo_conn *conn = snd->conn;
	size_t len = snd->buf.length;

	rcu_read_lock();
	if (!req->status && req->result.bytes == len)
		atomic64_add(len, &echo.bytes_echoed);
	else if (!req->status || !echo_status_benign(req->status))
		atomic_inc(&echo.errors);
	kfree(snd);

	spin_lock_bh(&conn->lock);
	conn->inflight -= len;
	spin_unlock_bh(&conn->lock);
	echo_resume(conn, ECHO_RESUME_BELOW);
	echo_conn_put(conn);	/* the send's reference */
	rcu_read_unlock();
}

static void echo_peak(size_t inflight)
{
	long peak = atomic_long_read(&echo.inflight_peak);

	while ((long)inflight > peak &&
	       !atomic_long_try_cmpxchg(&echo.inflight_peak, &peak, inflight))
		;
}

/*
 * From receive_event (wsk's per-connection work): copy *@len bytes, @offset
 * bytes into @ind, into a new send and submit it. *@len shrinks if only a
 * smaller buffer could be had. Returns 0, or -ENOMEM with nothing sent.
 */
static int echo_send_chunk(struct echo_conn *conn, const struct wsk_data_indication *ind,
			   size_t offset, size_t *len)
{
	unsigned int every = READ_ONCE(fail_every);
	struct echo_send *snd;
	size_t n = *len;

	if (every && !(atomic_inc_return(&echo.allocs) % every)) {
		atomic_inc(&echo.alloc_failures);	/* injected */
		return -ENOMEM;
	}
	snd = kmalloc(struct_size(snd, data, n), GFP_ATOMIC | __GFP_NOWARN);
	if (!snd && struct_size(snd, data, n) > ECHO_SEND_SMALL) {
		n = ECHO_SEND_SMALL - sizeof(*snd);
		snd = kmalloc(ECHO_SEND_SMALL, GFP_ATOMIC | __GFP_NOWARN);
	}
	if (!snd) {
		atomic_inc(&echo.alloc_failures);
		return -ENOMEM;
	}
	if (wsk_data_indication_copy(ind, offset, snd->data, n) != n) {
		/* Fewer bytes than indicated: a provider bug. */
		pr_err_once("short indication: fewer than %zu bytes at offset %zu\n",
			    n, offset);
		kfree(snd);
		return -EIO;
	}
	snd->conn = conn;
	snd->kvec.iov_base = snd->data;
	snd->kvec.iov_len = n;
	snd->buf.kvec = &snd->kvec;
	snd->buf.nr_segs = 1;
	snd->buf.offset = 0;
	snd->buf.length = n;

	kref_get(&conn->ref);
	spin_lock_bh(&conn->lock);
	conn->inflight += n;
	echo_peak(conn->inflight);
	spin_unlock_bh(&conn->lock);

	wsk_req_init(&snd->req, echo_send_done, snd);
	/* Completes exactly once, inline or later: echo_send_done() frees it. */
	wsk_send(conn->sock, &snd->buf, 0, &snd->req);
	*len = n;
	return 0;
}

/*
 * wsk's per-connection work: process context with the TCP socket lock
 * owned; must not sleep. Calls are serialized per socket.
 */
static int echo_receive_event(void *socket_context, unsigned int flags,
			      struct wsk_data_indication *indication,
			      size_t bytes_indicated, size_t *bytes_accepted)
{
	struct echo_conn *conn = socket_context;
	size_t room, taken = 0, n;
	bool retry;
	int ret = 0;

	if (!indication) {
		/* The connection is dead (reset, or its namespace went): close it. */
		atomic_inc(&echo.null_indications);
		echo_conn_close(conn);
		return 0;
	}

	spin_lock_bh(&conn->lock);
	if (conn->closing) {
		spin_unlock_bh(&conn->lock);
		return 0;	/* going away: drop the data */
	}
	room = conn->inflight < ECHO_MAX_INFLIGHT ? ECHO_MAX_INFLIGHT - conn->inflight : 0;
	spin_unlock_bh(&conn->lock);

	while (taken < bytes_indicated && taken < room) {
		n = min3(bytes_indicated - taken, room - taken,
			 (size_t)ECHO_SEND_ALLOC - sizeof(struct echo_send));
		ret = echo_send_chunk(conn, indication, taken, &n);
		if (ret)
			break;
		taken += n;
	}
	if (taken == bytes_indicated)
		return 0;
	if (ret == -EIO) {
		atomic_inc(&echo.errors);
		echo_conn_close(conn);
		return 0;
	}

	/*
	 * Pause: the rest stays queued in the socket until a send completion
	 * (or, with nothing in flight, the retry work) resumes indications.
	 */
	spin_lock_bh(&conn->lock);
	conn->paused = true;
	retry = !conn->inflight;
	spin_unlock_bh(&conn->lock);
	if (!ret)
		atomic_inc(&echo.throttled);
	if (retry)
		echo_retry_later(conn);
	if (!taken)
		return -EAGAIN;
	*bytes_accepted = taken;
	return 0;
}

/* Any context: the graceful disconnect (our FIN) completed; now close. */
static void echo_disconnect_done(struct wsk_req *req)
{
	struct echo_conn *conn = req->context;

	rcu_read_lock();
	if (req->status && !echo_status_benign(req->status))
		atomic_inc(&echo.errors);
	echo_conn_close(conn);
	echo_conn_put(conn);	/* the disconnect's reference */
	rcu_read_unlock();
}

/* wsk's per-connection work: process context; must not sleep. */
static int echo_disconnect_event(void *socket_context, unsigned int flags)
{
	struct echo_conn *conn = socket_context;

	if (flags & WSK_FLAG_ABORTIVE) {
		/* The peer reset the connection: close it at once. */
		atomic_inc(&echo.connections_reset);
		echo_conn_close(conn);
		return 0;
	}
	/*
	 * The peer's FIN, after all its data was taken: answer with ours,
	 * which wsk sends after the echoes queued before it, then close. In an
	 * event callback the socket stays valid even if a close has started
	 * (the call then fails with -ESHUTDOWN, and the completion does no
	 * harm).
	 */
	kref_get(&conn->ref);
	wsk_req_init(&conn->disconnect_req, echo_disconnect_done, conn);
	wsk_disconnect(conn->sock, NULL, 0, &conn->disconnect_req);
	return 0;
}

static const struct wsk_client_connection_dispatch echo_conn_dispatch = {
	.receive_event = echo_receive_event,
	.disconnect_event = echo_disconnect_event,
};

/* Any context: the listener's close completed. */
static void echo_listener_close_done(struct wsk_req *req)
{
	rcu_read_lock();
	complete(&echo.listener_closed);
	rcu_read_unlock();
}

/* Any context: close the listener, once; module exit waits for it. */
static void echo_listener_close(void)
{
	if (test_and_set_bit(0, &echo.listener_closing))
		return;
	wsk_req_init(&echo.listener_close_req, echo_listener_close_done, NULL);
	wsk_close(echo.listener, &echo.listener_close_req);
}

/*
 * wsk's workqueue: process context; must not sleep. Takes every connection
 * it is offered (unless out of memory or unloading); the new socket's
 * receive and disconnect events are those enabled on the listener.
 */
static int echo_accept_event(void *socket_context, unsigned int flags,
			     const struct sockaddr *local, const struct sockaddr *remote,
			     struct wsk_socket *accept_socket, void **accept_socket_context,
			     const struct wsk_client_connection_dispatch **accept_socket_dispatch)
{
	struct echo_conn *conn;

	if (!accept_socket) {
		/*
		 * The listener is dead (killed from outside, or its namespace
		 * dismantled): close it. New connections are refused by the
		 * kernel from now on; those already accepted carry on.
		 */
		pr_info("listener died: no new connections until reloaded\n");
		atomic_inc(&echo.listener_dead);
		echo_listener_close();
		return 0;
	}
	if (READ_ONCE(echo.stopping))
		return -ECONNREFUSED;
	conn = kzalloc(sizeof(*conn), GFP_ATOMIC | __GFP_NOWARN);
	if (!conn) {
		atomic_inc(&echo.alloc_failures);
		return -ECONNREFUSED;	/* wsk resets the connection */
	}
	conn->sock = accept_socket;
	kref_init(&conn->ref);
	spin_lock_init(&conn->lock);
	INIT_DELAYED_WORK(&conn->retry, echo_retry_work);
	atomic_inc(&echo.active);
	atomic_inc(&echo.connections);
	spin_lock_bh(&echo.lock);
	list_add_tail(&conn->node, &echo.conns);
	spin_unlock_bh(&echo.lock);

	*accept_socket_context = conn;
	*accept_socket_dispatch = &echo_conn_dispatch;
	return 0;
}

static const struct wsk_client_listen_dispatch echo_listen_dispatch = {
	.accept_event = echo_accept_event,
};

/*
 * Process context: listen in the namespace of @netns_pid (0: the initial
 * one), with all three events enabled in one call (a connection that
 * arrives as soon as accepting is on already inherits the connection
 * events). The reference on that namespace goes once the listener exists:
 * it does not keep its namespace alive.
 */
static int echo_listen(void)
{
	struct wsk_listen_params params = {
		.dispatch = &echo_listen_dispatch,
		.backlog = backlog,
		.reuseaddr = true,
		.events = WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT,
	};
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
	struct net *net = &init_net;
	int ret;

	if (netns_pid) {
		net = get_net_ns_by_pid(netns_pid);
		if (IS_ERR(net)) {
			pr_err("no network namespace for pid %d: %ld\n", netns_pid, PTR_ERR(net));
			return PTR_ERR(net);
		}
	}
	if (family == 4)
		ret = wsk_listen_sync(echo.client, net, (struct sockaddr *)&sin, sizeof(sin),
				      &params, &echo.listener);
	else
		ret = wsk_listen_sync(echo.client, net, (struct sockaddr *)&sin6, sizeof(sin6),
				      &params, &echo.listener);
	if (netns_pid)
		put_net(net);
	if (ret)
		pr_err("listening on port %u: %d\n", port, ret);
	return ret;
}

/* Process context. */
static int __init echo_init(void)
{
	int ret;

	if (family != 4 && family != 6)
		return -EINVAL;
	spin_lock_init(&echo.lock);
	INIT_LIST_HEAD(&echo.conns);
	init_waitqueue_head(&echo.wq);
	init_completion(&echo.listener_closed);

	echo.retry_wq = alloc_workqueue("wsk_echo", 0, 0);
	if (!echo.retry_wq)
		return -ENOMEM;
	echo.client = wsk_register(THIS_MODULE);
	if (IS_ERR(echo.client)) {
		ret = PTR_ERR(echo.client);
		goto fail_wq;
	}
	ret = echo_listen();
	if (ret)
		goto fail_client;

	pr_info("echoing on %s port %u%s\n", family == 4 ? "0.0.0.0" : "[::]", port,
		netns_pid ? " (in another network namespace)" : "");
	return 0;

fail_client:
	wsk_deregister(echo.client);
fail_wq:
	destroy_workqueue(echo.retry_wq);
	return ret;
}

/*
 * Process context. Safe with connections open and data flowing: once the
 * listener's close has completed no accept_event runs, so the list of
 * connections is complete; each is closed (abortively: its pending sends
 * complete with -ECANCELED), and every reference must go before the client
 * deregisters.
 */
static void __exit echo_exit(void)
{
	struct echo_conn *conn, *tmp;
	LIST_HEAD(doomed);

	WRITE_ONCE(echo.stopping, true);
	echo_listener_close();
	wait_for_completion(&echo.listener_closed);

	spin_lock_bh(&echo.lock);
	list_for_each_entry(conn, &echo.conns, node) {
		/* Skip one whose last reference is going right now. */
		if (kref_get_unless_zero(&conn->ref))
			list_add_tail(&conn->exit_node, &doomed);
	}
	spin_unlock_bh(&echo.lock);
	list_for_each_entry_safe(conn, tmp, &doomed, exit_node) {
		echo_conn_close(conn);
		echo_conn_put(conn);
	}

	wait_event(echo.wq, !atomic_read(&echo.active));
	/* The retry works have all run (each held a reference); let them return. */
	destroy_workqueue(echo.retry_wq);
	/* Completion routines run under rcu_read_lock(): let the last ones return. */
	synchronize_rcu();
	wsk_deregister(echo.client);

	pr_info("unloaded: %d connections, %lld bytes echoed, %d errors, %d resets\n",
		atomic_read(&echo.connections), (long long)atomic64_read(&echo.bytes_echoed),
		atomic_read(&echo.errors), atomic_read(&echo.connections_reset));
}

module_init(echo_init);
module_exit(echo_exit);

MODULE_DESCRIPTION("wsk sample: echo server on accept and receive events");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(WSK);
