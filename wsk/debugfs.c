// SPDX-License-Identifier: GPL-2.0
/*
 * wsk: introspection. /sys/kernel/debug/wsk/ (root only, no kernel
 * pointers), the global counters it shows, and the definitions of the
 * tracepoints of trace.h. Documentation/introspection.rst describes every
 * file, counter and event.
 *
 * stats: one "name value" pair per line, read from atomic counters.
 * sockets: one line per socket object alive, "key=value" fields. The file
 * is built in one pass at read time: the socket list is walked under
 * rcu_read_lock() and each socket's fields are copied under its own lock
 * (a few hundred bytes, so the data path waits at most that long), then
 * formatted outside it. Each line is a consistent snapshot of one socket;
 * sockets created or freed during the walk may or may not appear.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/seq_file.h>
#include <net/sock.h>

#include "internal.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

struct wsk_stats wsk_stats;

static struct dentry *wsk_debugfs_dir;

const char *wsk_req_kind_name(enum wsk_req_kind kind)
{
	static const char * const names[] = {
		WSK_REQ_KINDS(WSK_NAME_ENTRY, WSK_NAME_ENTRY)
	};

	if (kind < ARRAY_SIZE(names) && names[kind])
		return names[kind];
	return "?";
}

static const struct {
	int err;
	const char *name;
} wsk_err_kinds[WSK_ERR_NR_KINDS] = {
	WSK_ERR_KINDS(WSK_ERR_NAME_ENTRY)
	[WSK_ERR_OTHER] = { 0, "other" },
};

/**
 * wsk_stat_error - count a request completed with an error
 * @status: the negative errno (not -ECANCELED, counted on its own)
 *
 * Context: any.
 */
void wsk_stat_error(int status)
{
	unsigned int i;

	for (i = 0; i < WSK_ERR_OTHER; i++)
		if (-status == wsk_err_kinds[i].err)
			break;
	wsk_stat_inc(&wsk_stats.errors[i]);
}

/* ------------------------------------------------------------------------ */
/* stats                                                                     */

static void wsk_stat_show(struct seq_file *m, const char *prefix, const char *name,
			  atomic_long_t *counter)
{
	seq_printf(m, "%s%s %ld\n", prefix, name, atomic_long_read(counter));
}

/* One "name value" pair per line, in the order of introspection.rst. */
static int wsk_stats_show(struct seq_file *m, void *v)
{
	unsigned int i;

#define WSK_STAT(name) wsk_stat_show(m, "", #name, &wsk_stats.name)
	WSK_STAT(clients);
	WSK_STAT(sockets);
	wsk_stat_show(m, "", "sockets_listen", &wsk_stats.sockets_by_category[0]);
	wsk_stat_show(m, "", "sockets_connection", &wsk_stats.sockets_by_category[1]);
	WSK_STAT(requests_pending);
	for (i = WSK_REQ_SOCKET; i < WSK_REQ_NR_KINDS; i++)
		wsk_stat_show(m, "requests_pending_", wsk_req_kind_name(i),
			      &wsk_stats.requests_pending_by_kind[i]);
	WSK_STAT(requests_completed);
	WSK_STAT(requests_cancelled);
	WSK_STAT(requests_refused);
	WSK_STAT(accepts_completed);
	WSK_STAT(accepts_dead);
	WSK_STAT(accepts_parked);
	WSK_STAT(accepts_event);
	WSK_STAT(connections_held);
	WSK_STAT(connections_deferred);
	WSK_STAT(connections_pended);
	WSK_STAT(connections_rejected);
	WSK_STAT(connections_aborted);
	WSK_STAT(inspect_accepted);
	WSK_STAT(inspect_rejected);
	WSK_STAT(inspect_pended);
	WSK_STAT(accept_errors);
	WSK_STAT(sockets_net_killed);
	WSK_STAT(netns_exits);
	WSK_STAT(indications_retained);
	WSK_STAT(indications_freed_at_close);
	WSK_STAT(events_delivered);
	WSK_STAT(bytes_sent);
	WSK_STAT(bytes_received);
	WSK_STAT(bytes_indicated);
	for (i = 0; i < WSK_ERR_NR_KINDS; i++)
		wsk_stat_show(m, "errors_", wsk_err_kinds[i].name, &wsk_stats.errors[i]);
#undef WSK_STAT
	return 0;
}

static int wsk_stats_open(struct inode *inode, struct file *file)
{
	return single_open(file, wsk_stats_show, inode->i_private);
}

/*
 * read_iter, so that kernel_read() works too (the KUnit suites read the
 * files that way). The debugfs full proxy has no read_iter, hence the
 * _unsafe creation: safe here, as the show functions read only global
 * state that lives as long as the module, and an open file pins the module
 * (.owner).
 */
static const struct file_operations wsk_stats_fops = {
	.owner = THIS_MODULE,
	.open = wsk_stats_open,
	.read_iter = seq_read_iter,
	.llseek = seq_lseek,
	.release = single_release,
};

/* ------------------------------------------------------------------------ */
/* sockets                                                                   */

/* What one line of the sockets file shows, copied under the socket's lock. */
struct wsk_sock_snap {
	u64 id;
	u64 client;
	u64 accepted;
	char module[MODULE_NAME_LEN];
	unsigned int category;
	int family;
	enum wsk_sock_state state;
	bool closing;
	unsigned int pending[WSK_REQ_NR_KINDS];
	unsigned int held;
	unsigned int pended;
	unsigned int retained;
	u32 events;
	unsigned int kqueue;
	unsigned int backlog;
	union wsk_addr local;
	union wsk_addr remote;
};

/* Count the requests waiting on @queue by kind: read off the queue, not kept. */
static void wsk_snap_count(struct wsk_sock_snap *snap, const struct list_head *queue)
{
	const struct wsk_req_priv *rp;

	list_for_each_entry(rp, queue, node)
		snap->pending[rp->kind]++;
}

/* A listener's part of its snapshot; its lock held. */
static void wsk_snap_listener(struct wsk_sock_snap *snap, struct wsk_listener *ls)
{
	wsk_snap_count(snap, &ls->accept_q);
	snap->held = ls->nr_ready;
	snap->pended = ls->nr_held;
	snap->events |= ls->inherit;
	snap->accepted = ls->accepted;
	snap->retained = 0;
	memset(&snap->remote, 0, sizeof(snap->remote));
}

/* A connection's part; its lock held. */
static void wsk_snap_conn(struct wsk_sock_snap *snap, struct wsk_conn *c)
{
	wsk_snap_count(snap, &c->tx_q);
	wsk_snap_count(snap, &c->rx_q);
	/* The send being handed to TCP and an abortive disconnect, off queue. */
	if (c->tx_cur)
		snap->pending[wsk_rp(c->tx_cur)->kind]++;
	/* ... or the connect waiting for the handshake, in the same slot. */
	if (c->abort_req)
		snap->pending[wsk_rp(c->abort_req)->kind]++;
	snap->held = 0;
	snap->pended = 0;
	snap->accepted = 0;
	snap->retained = wsk_conn_nr_retained(c);
	memcpy(&snap->remote, &c->remote, sizeof(snap->remote));
}

/* Context: under rcu_read_lock(), which keeps @ws and its client alive. */
static void wsk_sock_snapshot(struct wsk_sock *ws, struct wsk_sock_snap *snap)
{
	struct wsk_client *client = ws->client;
	unsigned long flags;
	struct sock *sk;

	snap->id = ws->id;
	snap->client = client->id;
	memcpy(snap->module, client->name, sizeof(snap->module));
	snap->category = ws->category;
	snap->family = ws->family;

	spin_lock_irqsave(&ws->lock, flags);
	snap->state = ws->state;
	snap->closing = ws->closing;
	memset(snap->pending, 0, sizeof(snap->pending));
	wsk_snap_count(snap, &ws->op_q);
	wsk_snap_count(snap, &ws->evwait_q);
	/* Creation and close are pending without being queued. */
	if (ws->create_req)	/* a wsk_socket() or wsk_socket_connect() */
		snap->pending[wsk_rp(ws->create_req)->kind]++;
	snap->pending[WSK_REQ_CLOSE] += !!ws->close_req;
	snap->events = ws->events;
	if (wsk_sock_is_listener(ws))
		wsk_snap_listener(snap, wsk_listener(ws));
	else
		wsk_snap_conn(snap, wsk_conn(ws));
	snap->kqueue = 0;
	snap->backlog = 0;
	/* A listener's kernel socket lives until its teardown, after closing. */
	if (ws->state == WSK_SOCK_LISTENING && !ws->closing) {
		sk = ws->sock->sk;
		snap->kqueue = READ_ONCE(sk->sk_ack_backlog);
		snap->backlog = READ_ONCE(sk->sk_max_ack_backlog);
	}
	memcpy(&snap->local, &ws->local, sizeof(snap->local));
	spin_unlock_irqrestore(&ws->lock, flags);
}

static void wsk_show_addr(struct seq_file *m, const char *key, const union wsk_addr *addr)
{
	if (wsk_addr_len(addr))
		seq_printf(m, " %s=%pISpc", key, &addr->sa);
	else
		seq_printf(m, " %s=-", key);
}

static void wsk_sock_show_one(struct seq_file *m, const struct wsk_sock_snap *snap)
{
	unsigned int i;

	seq_printf(m, "id=%llu client=%llu module=%s category=%s state=%s family=%s",
		   snap->id, snap->client, snap->module,
		   snap->category == WSK_FLAG_LISTEN_SOCKET ? "listen" : "connection",
		   snap->closing ? "closing" : wsk_sock_state_name(snap->state),
		   snap->family == AF_INET ? "inet" : "inet6");
	wsk_show_addr(m, "local", &snap->local);
	wsk_show_addr(m, "remote", &snap->remote);
	for (i = WSK_REQ_SOCKET; i < WSK_REQ_INLINE; i++)
		seq_printf(m, " pending_%s=%u", wsk_req_kind_name(i), snap->pending[i]);
	seq_printf(m, " accepted=%llu held=%u kqueue=%u backlog=%u",
		   snap->accepted, snap->held, snap->kqueue, snap->backlog);
	for (i = WSK_REQ_INLINE + 1; i < WSK_REQ_NR_KINDS; i++)
		seq_printf(m, " pending_%s=%u", wsk_req_kind_name(i), snap->pending[i]);
	seq_printf(m, " pended=%u retained=%u events=%#x\n",
		   snap->pended, snap->retained, snap->events);
}

static int wsk_sockets_show(struct seq_file *m, void *v)
{
	struct wsk_sock_snap snap;
	struct wsk_sock *ws;

	rcu_read_lock();
	list_for_each_entry_rcu(ws, &wsk_sock_list, list) {
		wsk_sock_snapshot(ws, &snap);
		wsk_sock_show_one(m, &snap);
		/* seq_file retries the whole pass with a larger buffer. */
		if (seq_has_overflowed(m))
			break;
	}
	rcu_read_unlock();
	return 0;
}

/* Room for every socket at the first pass, most of the time. */
#define WSK_SOCKETS_LINE	256

static int wsk_sockets_open(struct inode *inode, struct file *file)
{
	long n = atomic_long_read(&wsk_stats.sockets);

	return single_open_size(file, wsk_sockets_show, inode->i_private,
				clamp(n + 16, 16L, 65536L) * WSK_SOCKETS_LINE);
}

/* As wsk_stats_fops: the socket list outlives every open file. */
static const struct file_operations wsk_sockets_fops = {
	.owner = THIS_MODULE,
	.open = wsk_sockets_open,
	.read_iter = seq_read_iter,
	.llseek = seq_lseek,
	.release = single_release,
};

int wsk_debugfs_init(void)
{
	wsk_debugfs_dir = debugfs_create_dir("wsk", NULL);
	debugfs_create_file_unsafe("stats", 0400, wsk_debugfs_dir, NULL, &wsk_stats_fops);
	debugfs_create_file_unsafe("sockets", 0400, wsk_debugfs_dir, NULL, &wsk_sockets_fops);
	return 0;
}

void wsk_debugfs_exit(void)
{
	debugfs_remove_recursive(wsk_debugfs_dir);
}
