// SPDX-License-Identifier: GPL-2.0
/*
 * bench_raw: server (a) of the wsk benchmarks, the baseline. The in-kernel
 * accept pattern of drivers/nvme/target/tcp.c written plainly, with no wsk:
 *
 * - the listener's sk_data_ready is replaced before listen(), under
 *   write_lock_bh(&sk->sk_callback_lock), with sk_user_data tagged
 *   SK_USER_DATA_NOCOPY so that children start without it;
 * - the hook (softirq, lockless listener) checks TCP_LISTEN and, under
 *   read_lock_bh(&sk->sk_callback_lock), queues the accept work;
 * - the work drains kernel_accept(O_NONBLOCK) until -EAGAIN, with a budget
 *   per pass (requeued when spent), gives each child back the original
 *   sk_data_ready it inherited from the hooked listener, records it, and
 *   closes it abortively (sock_no_linger() + sock_release(): an RST, so no
 *   TIME_WAIT on either side).
 *
 * Variants for finding where the time goes: async_close=1 closes from a
 * second work item (so closes overlap accepts on another CPU, as wsk's
 * asynchronous close does); profile=1 times kernel_accept() and the close
 * apart; the ctl command "inode N" times sock_create_lite() + sock_release().
 *
 * Controlled through /sys/kernel/debug/bench_raw/ (bench_srv.h): "listen"
 * hooks and listens without accepting, "start" begins accepting, so the
 * connections queued meanwhile measure a drain.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fcntl.h>
#include <linux/in.h>
#include <linux/llist.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <net/inet_sock.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "../common/bench_srv.h"

static uint budget = 64;
module_param(budget, uint, 0644);
MODULE_PARM_DESC(budget, "connections accepted per pass of the work (default 64, as wsk)");

static bool bound_wq;
module_param(bound_wq, bool, 0444);
MODULE_PARM_DESC(bound_wq, "per-CPU workqueue (nvmet-tcp) instead of unbound (wsk); default 0");

static bool async_close;
module_param(async_close, bool, 0644);
MODULE_PARM_DESC(async_close,
		 "close accepted sockets from a second work item, as wsk does (default 0)");

static bool profile;
module_param(profile, bool, 0644);
MODULE_PARM_DESC(profile, "time kernel_accept() and the close of each connection (default 0)");

static struct {
	/* with @profile: ns spent in the two halves of the work, and their count */
	atomic64_t ns_accept;
	atomic64_t ns_close;
	atomic64_t nr_profiled;
	/* the "inode N" command: ns per sock_create_lite() + sock_release() */
	u64 ns_inode;
	struct workqueue_struct *wq;
	struct work_struct work;
	/* with @async_close: accepted sockets waiting for close_work */
	struct llist_head to_close;
	struct work_struct close_work;
	struct socket *lsock;
	void (*orig_data_ready)(struct sock *sk);
	bool accepting;
} raw;

/* The listener's sk_data_ready. Softirq, no listener lock, any CPU. */
static void raw_listen_data_ready(struct sock *sk)
{
	if (sk->sk_state != TCP_LISTEN)
		return;	/* a child in the accept queue that inherited the hook */

	read_lock_bh(&sk->sk_callback_lock);
	if (__locked_read_sk_user_data_with_flags(sk, SK_USER_DATA_NOCOPY) &&
	    READ_ONCE(raw.accepting))
		queue_work(raw.wq, &raw.work);
	read_unlock_bh(&sk->sk_callback_lock);
}

static void raw_close(struct socket *sock)
{
	sock_no_linger(sock->sk);
	sock_release(sock);
	bench_srv_closed();
}

/*
 * With @async_close, each accepted socket goes to close_work in a small
 * allocation (wsk's clients allocate a close request per connection too).
 */
struct raw_closing {
	struct llist_node node;
	struct socket *sock;
};

static void raw_close_work(struct work_struct *work)
{
	struct raw_closing *c, *tmp;

	llist_for_each_entry_safe(c, tmp, llist_del_all(&raw.to_close), node) {
		raw_close(c->sock);
		kfree(c);
		cond_resched();
	}
}

static void raw_accept_work(struct work_struct *work)
{
	unsigned int left = max(READ_ONCE(budget), 1U);
	struct socket *newsock;
	struct sock *sk;
	int err;

	bool prof = READ_ONCE(profile);
	u64 t0 = 0, t1 = 0;

	while (READ_ONCE(raw.accepting)) {
		if (!left--) {
			queue_work(raw.wq, &raw.work);
			return;
		}
		if (prof)
			t0 = ktime_get_ns();
		err = kernel_accept(raw.lsock, &newsock, O_NONBLOCK);
		if (err) {
			if (err != -EAGAIN)
				bench_srv_error();
			return;
		}
		sk = newsock->sk;
		write_lock_bh(&sk->sk_callback_lock);
		WRITE_ONCE(sk->sk_data_ready, raw.orig_data_ready);
		write_unlock_bh(&sk->sk_callback_lock);

		bench_srv_accepted(ntohs(READ_ONCE(inet_sk(sk)->inet_dport)));
		if (prof)
			t1 = ktime_get_ns();
		if (READ_ONCE(async_close)) {
			struct raw_closing *c = kmalloc(sizeof(*c), GFP_KERNEL);

			if (c) {
				c->sock = newsock;
				llist_add(&c->node, &raw.to_close);
				queue_work(raw.wq, &raw.close_work);
			} else {
				raw_close(newsock);
			}
		} else {
			raw_close(newsock);
		}
		if (prof) {
			u64 t2 = ktime_get_ns();

			atomic64_add(t1 - t0, &raw.ns_accept);
			atomic64_add(t2 - t1, &raw.ns_close);
			atomic64_inc(&raw.nr_profiled);
		}
		cond_resched();
	}
}

static void raw_unhook(void)
{
	struct sock *sk = raw.lsock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	rcu_assign_sk_user_data(sk, NULL);
	WRITE_ONCE(sk->sk_data_ready, raw.orig_data_ready);
	write_unlock_bh(&sk->sk_callback_lock);
}

static int raw_listen(u16 port, u32 backlog, u32 nreq)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
		.sin_port = htons(port),
	};
	struct sock *sk;
	int err;

	err = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP, &raw.lsock);
	if (err)
		return err;
	sk = raw.lsock->sk;
	sock_set_reuseaddr(sk);
	err = kernel_bind(raw.lsock, (struct sockaddr *)&sin, sizeof(sin));
	if (err)
		goto fail;

	write_lock_bh(&sk->sk_callback_lock);
	raw.orig_data_ready = sk->sk_data_ready;
	__rcu_assign_sk_user_data_with_flags(sk, &raw, SK_USER_DATA_NOCOPY);
	WRITE_ONCE(sk->sk_data_ready, raw_listen_data_ready);
	write_unlock_bh(&sk->sk_callback_lock);

	err = kernel_listen(raw.lsock, backlog);
	if (err) {
		raw_unhook();
		goto fail;
	}
	return 0;

fail:
	sock_release(raw.lsock);
	raw.lsock = NULL;
	return err;
}

static int raw_start(void)
{
	WRITE_ONCE(raw.accepting, true);
	/* Connections queued before the start raised no wake-up of their own. */
	queue_work(raw.wq, &raw.work);
	return 0;
}

static void raw_stop(void)
{
	WRITE_ONCE(raw.accepting, false);
	raw_unhook();
	cancel_work_sync(&raw.work);
	flush_work(&raw.close_work);
	raw_close_work(&raw.close_work);
	/* Resets the connections still queued. */
	sock_release(raw.lsock);
	raw.lsock = NULL;
	/* Hooks already running on queued children have returned. */
	synchronize_rcu();
}

/*
 * "inode N": the cost of the per-connection struct socket and sockfs inode
 * that kernel_accept() creates (sock_create_lite(), then sock_release()),
 * timed N times in a row. "profile-reset" clears the profile counters.
 */
static int raw_cmd(const char *cmd)
{
	struct socket *sock;
	unsigned int i, n;
	u64 t0;
	int err;

	if (!strcmp(cmd, "profile-reset")) {
		atomic64_set(&raw.ns_accept, 0);
		atomic64_set(&raw.ns_close, 0);
		atomic64_set(&raw.nr_profiled, 0);
		return 0;
	}
	if (sscanf(cmd, "inode %u", &n) != 1 || !n || n > 10000000)
		return -EINVAL;
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		err = sock_create_lite(AF_INET, SOCK_STREAM, IPPROTO_TCP, &sock);
		if (err)
			return err;
		sock_release(sock);
		cond_resched();
	}
	raw.ns_inode = div_u64(ktime_get_ns() - t0, n);
	return 0;
}

static void raw_show(struct seq_file *m)
{
	u64 n = atomic64_read(&raw.nr_profiled);

	seq_printf(m, "profiled %llu\n", n);
	if (n) {
		seq_printf(m, "ns_accept %llu\n", div64_u64(atomic64_read(&raw.ns_accept), n));
		seq_printf(m, "ns_close %llu\n", div64_u64(atomic64_read(&raw.ns_close), n));
	}
	seq_printf(m, "ns_inode %llu\n", raw.ns_inode);
}

static const struct bench_srv_ops raw_ops = {
	.listen = raw_listen,
	.start = raw_start,
	.stop = raw_stop,
	.cmd = raw_cmd,
	.show = raw_show,
};

static int __init raw_init(void)
{
	int err;

	raw.wq = alloc_workqueue("bench_raw", bound_wq ? WQ_HIGHPRI : WQ_UNBOUND, 0);
	if (!raw.wq)
		return -ENOMEM;
	INIT_WORK(&raw.work, raw_accept_work);
	INIT_WORK(&raw.close_work, raw_close_work);
	init_llist_head(&raw.to_close);
	err = bench_srv_init("bench_raw", &raw_ops);
	if (err)
		destroy_workqueue(raw.wq);
	return err;
}

static void __exit raw_exit(void)
{
	bench_srv_exit();
	destroy_workqueue(raw.wq);
}

module_init(raw_init);
module_exit(raw_exit);

MODULE_DESCRIPTION("wsk benchmark server (a): raw sk_data_ready + kernel_accept() loop");
MODULE_LICENSE("GPL");
