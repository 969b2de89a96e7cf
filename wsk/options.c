// SPDX-License-Identifier: GPL-2.0
/*
 * wsk: the socket options wsk_control() passes through to the kernel
 * socket, and the option-like IOCTL WSK_SIO_KEEPALIVE_VALS.
 *
 * One table says which options pass and what their value is (an int, a
 * struct linger, a name, or raw bytes). A SET is an op of the socket's
 * queue: the value is copied into the request at submission (raw bytes, a
 * kernel TLS crypto info, are not: the caller's buffer is read by the op,
 * and stays the caller's until completion) and the op (process context)
 * hands it to sock_setsockopt() or the protocol's setsockopt, so Linux's
 * own rules apply (before bind where Linux needs it, capabilities, ranges,
 * a crypto info's size) and its error completes the request. A GET
 * completes inside the call, so it cannot take the socket lock: it reads
 * the fields the kernel's getsockopt reads, without the lock, as the
 * kernel's own lockless readers (and ss) do. SOL_TLS has no GET: its
 * getsockopt copies to user memory only.
 *
 * TCP_ULP and SOL_TLS change the socket's callbacks: kernel TLS saves
 * sk_data_ready and sk_write_space and puts its own in their place. Around
 * them the connection gives TLS the kernel's own callbacks and then hooks
 * itself on top of TLS's (wsk_conn_ulp_begin(), wsk_conn_ulp_end()), so
 * that wsk_conn_unhook() leaves TLS's in place and TLS's own teardown
 * finds what it expects.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/tcp.h>
#include <net/inet_connection_sock.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <uapi/linux/tls.h>

#include "compat.h"
#include "internal.h"

/**
 * struct wsk_opt - an option wsk_control() passes through
 * @level: SOL_SOCKET, SOL_TCP, SOL_IP, SOL_IPV6 or SOL_TLS
 * @code: the option
 * @type: how its value is passed: &enum wsk_opt_type
 */
struct wsk_opt {
	int level;
	u32 code;
	u8 type;
};

static const struct wsk_opt wsk_opts[] = {
	{ SOL_SOCKET, SO_REUSEADDR, WSK_OPT_INT },
	{ SOL_SOCKET, SO_REUSEPORT, WSK_OPT_INT },
	{ SOL_SOCKET, SO_KEEPALIVE, WSK_OPT_INT },
	{ SOL_SOCKET, SO_RCVBUF, WSK_OPT_INT },
	{ SOL_SOCKET, SO_SNDBUF, WSK_OPT_INT },
	{ SOL_SOCKET, SO_LINGER, WSK_OPT_LINGER },
	{ SOL_SOCKET, SO_PRIORITY, WSK_OPT_INT },
	{ SOL_SOCKET, SO_BINDTODEVICE, WSK_OPT_NAME },
	{ SOL_SOCKET, SO_MARK, WSK_OPT_INT },
	{ SOL_TCP, TCP_NODELAY, WSK_OPT_INT },
	{ SOL_TCP, TCP_KEEPIDLE, WSK_OPT_INT },
	{ SOL_TCP, TCP_KEEPINTVL, WSK_OPT_INT },
	{ SOL_TCP, TCP_KEEPCNT, WSK_OPT_INT },
	{ SOL_TCP, TCP_USER_TIMEOUT, WSK_OPT_INT },
	{ SOL_TCP, TCP_MAXSEG, WSK_OPT_INT },
	{ SOL_TCP, TCP_CONGESTION, WSK_OPT_NAME },
	{ SOL_TCP, TCP_ULP, WSK_OPT_NAME },
	{ SOL_IP, IP_TOS, WSK_OPT_INT },
	{ SOL_IP, IP_TTL, WSK_OPT_INT },
	{ SOL_IP, IP_FREEBIND, WSK_OPT_INT },
	{ SOL_IPV6, IPV6_V6ONLY, WSK_OPT_INT },
	{ SOL_IPV6, IPV6_TCLASS, WSK_OPT_INT },
	{ SOL_IPV6, IPV6_FREEBIND, WSK_OPT_INT },
	{ SOL_TLS, TLS_TX, WSK_OPT_RAW },
	{ SOL_TLS, TLS_RX, WSK_OPT_RAW },
};

/**
 * wsk_opt_type - the value type of a pass-through option
 * @ws: the socket
 * @level: the option's level
 * @code: the option
 *
 * Context: any.
 * Return: its &enum wsk_opt_type, or -EOPNOTSUPP: not passed through, or
 * SOL_IPV6 on an AF_INET socket.
 */
int wsk_opt_type(const struct wsk_sock *ws, int level, u32 code)
{
	unsigned int i;

	if (level == SOL_IPV6 && ws->family != AF_INET6)
		return -EOPNOTSUPP;
	for (i = 0; i < ARRAY_SIZE(wsk_opts); i++)
		if (wsk_opts[i].level == level && wsk_opts[i].code == code)
			return wsk_opts[i].type;
	return -EOPNOTSUPP;
}

/**
 * wsk_opt_size - the input a SET of an option of @type needs
 * @type: &enum wsk_opt_type
 *
 * Context: any.
 * Return: the least @in_size (a name may be shorter than its buffer: 0).
 */
size_t wsk_opt_size(int type)
{
	switch (type) {
	case WSK_OPT_LINGER:
		return sizeof(struct linger);
	case WSK_OPT_NAME:
		return 0;
	case WSK_OPT_RAW:
		return 1;
	default:
		return sizeof(int);
	}
}

/**
 * wsk_opt_keep - copy a SET's value into the request
 * @req: the request (WSK_REQ_SETOPT), claimed
 * @type: the option's &enum wsk_opt_type
 * @in: the value, at least wsk_opt_size(@type) bytes (raw bytes: the
 *	caller's, kept by reference until completion)
 * @in_size: its size; a name is cut to WSK_OPT_NAME_MAX - 1 bytes, raw
 *	bytes are at most WSK_OPT_RAW_MAX
 *
 * Context: any.
 */
void wsk_opt_keep(struct wsk_req *req, int type, const void *in, size_t in_size)
{
	struct wsk_req_setopt_args *a = &wsk_rp(req)->args.setopt;

	memset(&a->v, 0, sizeof(a->v));
	a->type = type;
	switch (type) {
	case WSK_OPT_LINGER:
		memcpy(&a->v.linger, in, sizeof(a->v.linger));
		a->len = sizeof(a->v.linger);
		break;
	case WSK_OPT_NAME:
		a->len = min_t(size_t, in_size, sizeof(a->v.name) - 1);
		if (a->len)
			memcpy(a->v.name, in, a->len);
		a->len = strnlen(a->v.name, a->len);
		break;
	case WSK_OPT_KEEPALIVE:
		memcpy(&a->v.keepalive, in, sizeof(a->v.keepalive));
		a->len = sizeof(a->v.keepalive);
		break;
	case WSK_OPT_RAW:
		a->v.raw = in;
		a->len = in_size;
		break;
	default:
		memcpy(&a->v.value, in, sizeof(a->v.value));
		a->len = sizeof(a->v.value);
		break;
	}
}

static int wsk_opt_setsockopt(struct socket *sock, int level, int code, void *val,
			      unsigned int len)
{
	if (level == SOL_SOCKET)
		return sock_setsockopt(sock, level, code, KERNEL_SOCKPTR(val), len);
	return sock->ops->setsockopt(sock, level, code, KERNEL_SOCKPTR(val), len);
}

/*
 * WSK_SIO_KEEPALIVE_VALS, as Windows does it: keepalive on or off, and when
 * on, the idle time and the interval in milliseconds, rounded up to TCP's
 * seconds (at least 1), and 10 probes (Windows' fixed count).
 */
static int wsk_opt_keepalive(struct socket *sock, const struct wsk_keepalive_vals *kv)
{
	int on = !!kv->onoff, idle, intvl, probes = 10, err;

	err = wsk_opt_setsockopt(sock, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
	if (err || !on)
		return err;
	idle = max_t(u32, DIV_ROUND_UP(kv->time_ms, MSEC_PER_SEC), 1);
	intvl = max_t(u32, DIV_ROUND_UP(kv->interval_ms, MSEC_PER_SEC), 1);
	err = wsk_opt_setsockopt(sock, SOL_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	if (!err)
		err = wsk_opt_setsockopt(sock, SOL_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	if (!err)
		err = wsk_opt_setsockopt(sock, SOL_TCP, TCP_KEEPCNT, &probes, sizeof(probes));
	return err;
}

/**
 * wsk_opt_set_run - the op of a pass-through SET (or WSK_SIO_KEEPALIVE_VALS)
 * @ws: the socket
 * @req: its WSK_REQ_SETOPT request, value kept by wsk_opt_keep()
 *
 * Context: the socket's op pass (process context, may sleep).
 * Return: the status to complete @req with: Linux's, or -ESHUTDOWN (no
 * kernel socket: its namespace went away).
 */
int wsk_opt_set_run(struct wsk_sock *ws, struct wsk_req *req)
{
	struct wsk_req_setopt_args *a = &wsk_rp(req)->args.setopt;
	bool ulp = a->level == SOL_TLS || (a->level == SOL_TCP && a->code == TCP_ULP);
	void *val = a->type == WSK_OPT_RAW ? (void *)a->v.raw : &a->v;
	int err;

	if (!ws->sock)
		return -ESHUTDOWN;	/* its namespace went away */
	if (a->type == WSK_OPT_KEEPALIVE)
		return wsk_opt_keepalive(ws->sock, &a->v.keepalive);
	ulp = ulp && !wsk_sock_is_listener(ws);
	if (ulp)
		wsk_conn_ulp_begin(wsk_conn(ws));
	err = wsk_opt_setsockopt(ws->sock, a->level, a->code, val, a->len);
	if (ulp)
		wsk_conn_ulp_end(wsk_conn(ws));
	return err;
}

/* The name of the device @sk is bound to, in @name (WSK_OPT_NAME_MAX): its length. */
static int wsk_opt_read_dev(struct sock *sk, char *name)
{
	int ifindex = READ_ONCE(sk->sk_bound_dev_if);
	struct net_device *dev;

	if (!ifindex)
		return 0;
	rcu_read_lock();
	dev = dev_get_by_index_rcu(sock_net(sk), ifindex);
	if (dev)
		strscpy(name, dev->name, WSK_OPT_NAME_MAX);
	rcu_read_unlock();
	return strlen(name) ? strlen(name) + 1 : 0;
}

/*
 * The upper layer's name, none (0) if there is none, as tcp_getsockopt():
 * set once under the socket lock, and its module is pinned while it is on.
 */
static int wsk_opt_read_ulp(struct sock *sk, char *name)
{
	const struct tcp_ulp_ops *ulp = READ_ONCE(inet_csk(sk)->icsk_ulp_ops);

	if (!ulp)
		return 0;
	strscpy(name, ulp->name, WSK_OPT_NAME_MAX);
	return strlen(name) + 1;
}

/* The congestion control's name: unloaded only after a grace period. */
static int wsk_opt_read_ca(struct sock *sk, char *name)
{
	const struct tcp_congestion_ops *ca;

	rcu_read_lock();
	ca = READ_ONCE(inet_csk(sk)->icsk_ca_ops);
	if (ca)
		strscpy(name, ca->name, WSK_OPT_NAME_MAX);
	rcu_read_unlock();
	return strlen(name) + 1;
}

static int wsk_opt_read_tcp(struct sock *sk, u32 code)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	int mss;

	switch (code) {
	case TCP_NODELAY:
		return !!(tp->nonagle & TCP_NAGLE_OFF);
	case TCP_KEEPIDLE:
		return keepalive_time_when(tp) / HZ;
	case TCP_KEEPINTVL:
		return keepalive_intvl_when(tp) / HZ;
	case TCP_KEEPCNT:
		return keepalive_probes(tp);
	case TCP_USER_TIMEOUT:
		return READ_ONCE(inet_csk(sk)->icsk_user_timeout);
	default:	/* TCP_MAXSEG: as tcp_getsockopt() */
		mss = READ_ONCE(tp->mss_cache);
		if (tp->rx_opt.user_mss &&
		    ((1 << READ_ONCE(sk->sk_state)) & (TCPF_CLOSE | TCPF_LISTEN)))
			mss = tp->rx_opt.user_mss;
		return mss;
	}
}

static int wsk_opt_read_int(struct sock *sk, int level, u32 code)
{
	int ttl;

	switch (level) {
	case SOL_SOCKET:
		switch (code) {
		case SO_REUSEADDR:
			return sk->sk_reuse != SK_NO_REUSE;
		case SO_REUSEPORT:
			return sk->sk_reuseport;
		case SO_KEEPALIVE:
			return sock_flag(sk, SOCK_KEEPOPEN);
		case SO_RCVBUF:
			return READ_ONCE(sk->sk_rcvbuf);
		case SO_SNDBUF:
			return READ_ONCE(sk->sk_sndbuf);
		case SO_PRIORITY:
			return READ_ONCE(sk->sk_priority);
		default:	/* SO_MARK */
			return READ_ONCE(sk->sk_mark);
		}
	case SOL_TCP:
		return wsk_opt_read_tcp(sk, code);
	case SOL_IP:
		if (code == IP_TOS)
			return READ_ONCE(inet_sk(sk)->tos);
		if (code == IP_FREEBIND)
			return wsk_inet_freebind(sk);
		ttl = READ_ONCE(inet_sk(sk)->uc_ttl);	/* IP_TTL: -1 is the default */
		return ttl < 0 ? READ_ONCE(sock_net(sk)->ipv4.sysctl_ip_default_ttl) : ttl;
	default:
		if (code == IPV6_V6ONLY)
			return sk->sk_ipv6only;
		if (code == IPV6_TCLASS)
			return READ_ONCE(inet6_sk(sk)->tclass);
		return wsk_inet_freebind(sk);	/* IPV6_FREEBIND shares the flag */
	}
}

/**
 * wsk_opt_get - read a pass-through option's value, without the socket lock
 * @sk: the kernel socket
 * @level: the option's level
 * @code: the option, of type @type
 * @type: its &enum wsk_opt_type
 * @val: receives the value (an int, a struct linger, or a NUL-terminated
 *	name of at most WSK_OPT_NAME_MAX bytes)
 *
 * Context: any; the caller holds the wsk socket's lock (@sk stays).
 * Return: the bytes of @val that hold the value (0: an unbound device).
 */
int wsk_opt_get(struct sock *sk, int level, u32 code, int type, union wsk_opt_val *val)
{
	memset(val, 0, sizeof(*val));
	switch (type) {
	case WSK_OPT_LINGER:
		val->linger.l_onoff = sock_flag(sk, SOCK_LINGER);
		val->linger.l_linger = READ_ONCE(sk->sk_lingertime) / HZ;
		return sizeof(val->linger);
	case WSK_OPT_NAME:
		if (level == SOL_SOCKET)
			return wsk_opt_read_dev(sk, val->name);
		if (code == TCP_ULP)
			return wsk_opt_read_ulp(sk, val->name);
		return wsk_opt_read_ca(sk, val->name);
	default:
		val->value = wsk_opt_read_int(sk, level, code);
		return sizeof(val->value);
	}
}
