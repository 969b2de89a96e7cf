/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wsk: every difference between the supported kernels (Debian 6.1 and 6.12)
 * lives here and nowhere else. The rest of wsk.ko calls these wrappers.
 *
 * Checked against the 6.1.0 and 6.12.117 headers. Helpers that are the same
 * on both kernels live with their users (internal.h), not here.
 */
#ifndef _WSK_COMPAT_H
#define _WSK_COMPAT_H

#include <linux/net.h>
#include <net/inet_sock.h>
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
 * Make a kernel socket hold its namespace as a user socket does, so that
 * tcp_close() leaves its retransmit timers running (both kernels stop them
 * for kernel sockets, sk_net_refcnt 0). 6.12 has sk_net_refcnt_upgrade()
 * (kernel sockets there hold a passive reference, which it drops); 6.1 does
 * not, and its kernel sockets hold nothing: take what sk_alloc() takes for
 * a user socket. The caller holds a reference on the namespace (so it is
 * alive).
 */
#ifdef WSK_HAVE_SK_NET_REFCNT_UPGRADE
static inline void wsk_sk_net_refcnt_upgrade(struct sock *sk)
{
	sk_net_refcnt_upgrade(sk);
}
#else
static inline void wsk_sk_net_refcnt_upgrade(struct sock *sk)
{
	struct net *net = sock_net(sk);

	sk->sk_net_refcnt = 1;
	get_net_track(net, &sk->ns_tracker, GFP_KERNEL);
	sock_inuse_add(net, 1);
}
#endif

/*
 * Whether the bytes of @skb are in host memory. 6.12's device memory TCP
 * (devmem) queues skbs whose frags are not; 6.1 has none.
 */
#ifdef WSK_HAVE_SKB_FRAGS_READABLE
static inline bool wsk_skb_readable(const struct sk_buff *skb)
{
	return skb_frags_readable(skb);
}
#else
static inline bool wsk_skb_readable(const struct sk_buff *skb)
{
	return true;
}
#endif

/*
 * For the KUnit suites (kunit/), when included after <kunit/test.h>: 6.1's
 * KUnit has neither deferred actions (6.5) nor slow cases (6.6). An action
 * becomes a KUnit resource there, freed in the same (reverse) order.
 */
#ifdef _KUNIT_TEST_H
#include <linux/slab.h>
#include <kunit/resource.h>

#ifndef KUNIT_CASE_SLOW
#define KUNIT_CASE_SLOW(test_name) KUNIT_CASE(test_name)
#endif
/* A slow parameterised case: no attributes in 6.1, where it is just a case. */
#ifdef KUNIT_CASE_PARAM_ATTR
#define WSK_KUNIT_CASE_PARAM_SLOW(test_name, gen_params) \
	KUNIT_CASE_PARAM_ATTR(test_name, gen_params, { .speed = KUNIT_SPEED_SLOW })
#else
#define WSK_KUNIT_CASE_PARAM_SLOW(test_name, gen_params) KUNIT_CASE_PARAM(test_name, gen_params)
#endif

#ifndef WSK_HAVE_KUNIT_ACTIONS
typedef void (kunit_action_t)(void *);

#define KUNIT_DEFINE_ACTION_WRAPPER(wrapper, orig, arg_type)	\
	static void wrapper(void *in)				\
	{							\
		orig((arg_type)in);				\
	}

struct wsk_kunit_action {
	kunit_action_t *fn;
	void *ctx;
};

static inline int wsk_kunit_action_init(struct kunit_resource *res, void *context)
{
	res->data = context;
	return 0;
}

static inline void wsk_kunit_action_free(struct kunit_resource *res)
{
	struct wsk_kunit_action *a = res->data;

	a->fn(a->ctx);
	kfree(a);
}

static inline int kunit_add_action_or_reset(struct kunit *test, kunit_action_t *fn, void *ctx)
{
	struct wsk_kunit_action *a = kmalloc(sizeof(*a), GFP_KERNEL);

	if (a) {
		a->fn = fn;
		a->ctx = ctx;
		if (kunit_alloc_resource(test, wsk_kunit_action_init, wsk_kunit_action_free,
					 GFP_KERNEL, a))
			return 0;
		kfree(a);
	}
	fn(ctx);
	return -ENOMEM;
}

static inline bool wsk_kunit_action_match(struct kunit *test, struct kunit_resource *res,
					  void *match)
{
	const struct wsk_kunit_action *a = res->data, *m = match;

	return res->free == wsk_kunit_action_free && a->fn == m->fn && a->ctx == m->ctx;
}

/* Runs the action added for @fn and @ctx now, and forgets it (a no-op if none). */
static inline void kunit_release_action(struct kunit *test, kunit_action_t *fn, void *ctx)
{
	struct wsk_kunit_action m = { .fn = fn, .ctx = ctx };

	kunit_destroy_resource(test, wsk_kunit_action_match, &m);
}
#endif /* !WSK_HAVE_KUNIT_ACTIONS */
#endif /* _KUNIT_TEST_H */

/*
 * IP_FREEBIND (and IPV6_FREEBIND, the same flag): a bit of inet_flags on
 * 6.12, a bitfield of inet_sock on 6.1.
 */
#ifdef WSK_HAVE_INET_FLAGS_FREEBIND
static inline bool wsk_inet_freebind(const struct sock *sk)
{
	return inet_test_bit(FREEBIND, sk);
}
#else
static inline bool wsk_inet_freebind(const struct sock *sk)
{
	return inet_sk(sk)->freebind;
}
#endif

/*
 * A send of pages that TCP references instead of copying: MSG_SPLICE_PAGES
 * on 6.12. 6.1 defines the flag but its TCP ignores it (only sendpage()
 * splices there), so its sendmsg() copies them (0: no such flag).
 * wsk/Kbuild probes for skb_splice_from_iter(), which came with TCP's use.
 */
#ifdef WSK_HAVE_TCP_SPLICE_PAGES
#define WSK_MSG_SPLICE_PAGES	MSG_SPLICE_PAGES
#else
#define WSK_MSG_SPLICE_PAGES	0
#endif

#endif /* _WSK_COMPAT_H */
