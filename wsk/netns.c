// SPDX-License-Identifier: GPL-2.0
/*
 * wsk: network namespaces.
 *
 * Neither a wsk socket nor its kernel socket keeps its namespace alive, so
 * a namespace with wsk sockets in it is dismantled like any other once its
 * last user goes (a container stops, ip netns delete). wsk then has to let
 * go of it: its pernet exit (registered as a device operation, so that it
 * runs before the namespace's devices and protocols are taken down, as RDS
 * does for its kernel sockets) marks every wsk socket of the namespace
 * net_gone and kicks its op work, which kills it (socket.c): its kernel
 * socket is released and its client told through its events. The exit
 * returns only once no wsk socket of the namespace holds a kernel socket.
 *
 * Connections not delivered yet are not kicked: their listener's kill
 * resets them. One delivered after the exit marked it is kicked by its
 * delivery (listen.c); one created after the exit went past its place in
 * the socket list copies net_gone from its listener, which the exit marked
 * before (the list is in creation order).
 */
#include <linux/atomic.h>
#include <linux/rculist.h>
#include <linux/wait_bit.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "internal.h"

/**
 * struct wsk_net - wsk's part of a network namespace
 * @nr_kern: wsk sockets of the namespace that hold a kernel socket
 *	(wsk_sock_attach_kern() to wsk_sock_release_kern()); waited on by the
 *	exit with wait_var_event(). Atomic, any context.
 */
struct wsk_net {
	atomic_t nr_kern;
};

static unsigned int wsk_net_id;

static struct wsk_net *wsk_net(const struct net *net)
{
	return net_generic(net, wsk_net_id);
}

/**
 * wsk_net_hold_kern - a wsk socket of @net got its kernel socket
 * @net: the namespace, alive (the caller holds a reference or a kernel
 *	socket in it)
 *
 * Context: any.
 */
void wsk_net_hold_kern(struct net *net)
{
	atomic_inc(&wsk_net(net)->nr_kern);
}

/**
 * wsk_net_put_kern - a wsk socket of @net released its kernel socket
 * @net: the namespace
 *
 * The last one lets a pending exit of @net return (and @net go): nothing
 * may touch @net afterwards. wake_up_var() only hashes the address.
 *
 * Context: any.
 */
void wsk_net_put_kern(struct net *net)
{
	struct wsk_net *wn = wsk_net(net);

	if (atomic_dec_and_test(&wn->nr_kern))
		wake_up_var(&wn->nr_kern);
}

/* Context: the namespace cleanup work, or unregistration (process context). */
static void __net_exit wsk_net_exit(struct net *net)
{
	struct wsk_net *wn = wsk_net(net);
	unsigned long flags;
	struct wsk_sock *ws;

	rcu_read_lock();
	list_for_each_entry_rcu(ws, &wsk_sock_list, list) {
		spin_lock_irqsave(&ws->lock, flags);
		if (ws->net == net && !ws->net_gone) {
			ws->net_gone = true;
			/* An undelivered connection: its delivery kicks it. */
			if (wsk_sock_is_listener(ws) || !wsk_conn(ws)->listener)
				wsk_sock_kick_ops(ws);
		}
		spin_unlock_irqrestore(&ws->lock, flags);
	}
	rcu_read_unlock();

	wait_var_event(&wn->nr_kern, !atomic_read(&wn->nr_kern));
	wsk_stat_inc(&wsk_stats.netns_exits);
}

static struct pernet_operations wsk_net_ops = {
	.exit = wsk_net_exit,
	.id = &wsk_net_id,
	.size = sizeof(struct wsk_net),
};

/* Context: module init (process context). */
int wsk_net_init(void)
{
	return register_pernet_device(&wsk_net_ops);
}

/*
 * Context: module exit (process context). No socket is left by then; the
 * exit runs once more for every namespace.
 */
void wsk_net_exit_module(void)
{
	unregister_pernet_device(&wsk_net_ops);
}
