/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wsk: every difference between the supported kernels (Debian 6.1 and 6.12)
 * lives here and nowhere else. The rest of wsk.ko calls these wrappers.
 *
 * Checked against the 6.1.0 and 6.12.117 headers. Several wrappers are the
 * same on both today; they are here because they touch interfaces that have
 * changed before (sk_user_data flag helpers, listener callbacks, getname).
 */
#ifndef _WSK_COMPAT_H
#define _WSK_COMPAT_H

#include <linux/net.h>
#include <net/net_namespace.h>
#include <net/sock.h>

/*
 * The sk_data_ready tracepoint that in-tree hooks fire (6.12 has it, 6.1
 * does not). wsk/Kbuild probes the tree's header for it.
 */
#ifdef WSK_HAVE_TRACE_SK_DATA_READY
#include <trace/events/sock.h>
static inline void wsk_trace_sk_data_ready(struct sock *sk)
{
	trace_sk_data_ready(sk);
}
#else
static inline void wsk_trace_sk_data_ready(struct sock *sk)
{
}
#endif

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

#endif /* _WSK_COMPAT_H */
