// SPDX-License-Identifier: GPL-2.0
/*
 * wsk: connection sockets. The data path (wsk_send(), wsk_receive(),
 * wsk_disconnect(), receive indications and wsk_release()) and the
 * connection's event callbacks.
 *
 * Every accepted connection gets three hooks on its kernel socket, installed
 * under write_lock_bh(&sk->sk_callback_lock) as soon as it is accepted
 * (it inherited the listener's, and data may already be queued):
 * sk_data_ready, sk_state_change and sk_write_space. They run in softirq
 * (or in process context from release_sock()), read the wsk socket from
 * sk_user_data under read_lock_bh(&sk->sk_callback_lock), record a reset,
 * and only queue the connection's work. While the connection is not
 * delivered yet, the state change hook instead asks a conditional-accept
 * listener to look for aborts (a reset is recorded all the same: the
 * connection is delivered dead).
 *
 * A connection has one work item, @work (process context, wsk's workqueue,
 * one pass at a time). Each pass runs the socket's operations first (its
 * op pass, socket.c: options, a namespace's kill, the teardown), then, once
 * the connection is delivered and while it is not closing, its io pass,
 * which does everything else, in this order:
 * 1. a pending abortive disconnect (tcp_abort()), failing queued requests;
 * 2. sends: the head of the send queue is handed to TCP with MSG_DONTWAIT;
 *    when the send buffer is full it stops, and the write-space hook queues
 *    the next pass. A graceful disconnect in the queue sends its data, then
 *    shuts down the sending side;
 * 3. the send backlog event, when enabled and the send space opened up;
 * 4. under lock_sock(): pending receives are filled by copying with
 *    tcp_read_sock(); then, if the receive event is on and not paused, the
 *    queued bytes are indicated in place: a chain of one indication per skb
 *    whose kvecs point into the skbs (linear part and page frags). What the
 *    client takes is consumed with tcp_read_sock(), which does TCP's
 *    accounting (copied_seq, window updates). A chain the client keeps
 *    (-EINPROGRESS) holds clones of its skbs: the data stays in place;
 * 5. after release_sock(): the NULL receive indication of a reset
 *    connection, and the disconnect event.
 *
 * The stream is what recv(2) without MSG_OOB returns. tcp_read_sock() stops
 * at TCP's urgent mark and never passes it; tcp_recvmsg() steps over the
 * urgent byte (a socket without SO_OOBINLINE, as every wsk socket is), and
 * so does wsk (wsk_rx_skip_urg()) before each read, and no chain reaches
 * past the mark. Each pass handles at most WSK_IO_BUDGET requests and
 * indications, then queues the next pass: no peer and no completion routine
 * that resubmits can keep the work (and the socket lock) for ever.
 *
 * An allocation that fails on the data path (a receive_event chain, or the
 * skbs of a send: the send returns -EAGAIN with room left in the send
 * buffer) is tried again WSK_IO_RETRY later, as TCP's own blocking senders
 * do: no wake-up may ever come from the peer, which may be waiting for us.
 * One timer serves every connection: a connection whose allocation failed
 * goes on wsk_io_retry_list, and when the timer fires each connection on
 * it gets a pass of its io work. Its teardown takes it off the list first.
 *
 * A connection with kernel TLS (a ULP, set through wsk_control()) is read
 * through the TLS layer instead (sock_recvmsg(), never waiting, without
 * lock_sock(): TLS takes it), and its indications are copies; wsk's
 * sk_data_ready, in softirq, calls TLS's before it wakes the work. The
 * io pass takes no send or receive while an option SET is queued, so I/O
 * submitted after TLS_TX/TLS_RX is encrypted/decrypted.
 *
 * So receive_event runs with the TCP socket lock owned (process context,
 * preemptible, must not sleep; on a TLS connection without it), and a
 * callback that calls wsk_send() or wsk_receive() just queues work for the
 * next pass.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/export.h>
#include <linux/net.h>
#include <linux/overflow.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/tls.h>

#include "compat.h"
#include "internal.h"
#include "trace.h"

/* At most this many skbs (indications) in one receive_event chain. */
#define WSK_IND_MAX_SKBS	32
/* At most this many bytes in an indication read through a ULP: a TLS record. */
#define WSK_ULP_IND_MAX		16384
/* Requests and indications one pass of the io work handles at most. */
#define WSK_IO_BUDGET		64
/* After an allocation failed on the data path, the io work runs again in: */
#define WSK_IO_RETRY		(HZ / 50)

/*
 * The connections waiting for the retry timer (entry: &wsk_conn.retry_node),
 * and its lock. Taken with spin_lock_irqsave(), in any context, under a
 * connection's lock or alone; nothing is taken under it but queue_work().
 */
static LIST_HEAD(wsk_io_retry_list);
static DEFINE_SPINLOCK(wsk_io_retry_lock);

static void wsk_io_retry_fire(struct work_struct *work);
/* The retry timer, on wsk_wq (it must run under memory pressure). */
static DECLARE_DELAYED_WORK(wsk_io_retry_work, wsk_io_retry_fire);

/**
 * struct wsk_ind_block - one receive_event's chain and what backs it
 * @node: entry in the socket's @retained list, from just before the
 *	receive_event call (so that the client may release it from anywhere
 *	as soon as it has it) until it is released; off it again if the event
 *	does not keep it
 * @in_call: the receive_event that got it has not returned yet: it is not
 *	freed by wsk_release(), only marked @released (under the socket lock)
 * @released: wsk_release() came during the call (under the socket lock)
 * @nr: indications in @ind, one per skb
 * @skbs: the skbs; clones of them once the client keeps the chain (NULL
 *	for a copy read through a ULP)
 * @data: the copy, read through a ULP (kernel TLS); NULL for skbs
 * @vec: the kvecs the indications point to
 * @ind: the chain
 */
struct wsk_ind_block {
	struct list_head node;
	bool in_call;
	bool released;
	unsigned int nr;
	struct sk_buff **skbs;
	void *data;
	struct kvec *vec;
	struct wsk_data_indication ind[];
};

enum wsk_wake {
	WSK_WAKE_DATA,
	WSK_WAKE_STATE,
	WSK_WAKE_WRITE,
};

/* ------------------------------------------------------------------------ */
/* Socket hooks (softirq, or process context from release_sock())           */

static void wsk_conn_wake(struct sock *sk, enum wsk_wake why)
{
	struct wsk_listener *ls;
	unsigned long flags;
	struct wsk_conn *c;

	read_lock_bh(&sk->sk_callback_lock);
	c = wsk_sk_user_data_locked(sk);
	if (!c)
		goto out;
	spin_lock_irqsave(&c->ws.lock, flags);
	/*
	 * A reset or a fatal error (sk_err is set before tcp_done()), recorded
	 * whether or not the connection is delivered yet: it is delivered dead.
	 */
	if (why == WSK_WAKE_STATE && !c->local_abort && READ_ONCE(sk->sk_err) &&
	    READ_ONCE(sk->sk_state) == TCP_CLOSE) {
		c->peer_reset = true;
		if (c->ws.state == WSK_SOCK_CONNECTED)
			wsk_sock_set_state(&c->ws, WSK_SOCK_DEAD);
	}
	ls = c->listener;
	if (ls) {
		/* Not delivered: only a conditional listener cares (aborts). */
		if (why == WSK_WAKE_STATE && ls->cond_accept) {
			set_bit(WSK_LISTEN_ABORT_CHECK, &ls->flags);
			wsk_listen_queue(ls, 0);
		}
	} else if (!c->ws.closing) {
		if (why == WSK_WAKE_WRITE && (c->ws.events & WSK_EVENT_SEND_BACKLOG))
			c->backlog_due = true;
		queue_work(wsk_wq, &c->work);
	}
	spin_unlock_irqrestore(&c->ws.lock, flags);
out:
	read_unlock_bh(&sk->sk_callback_lock);
}

/* A kernel socket callback. */
typedef void (*wsk_sk_cb_t)(struct sock *sk);

/* The callback wsk's hook for @why took the place of. */
static wsk_sk_cb_t wsk_conn_orig(struct sock *sk, enum wsk_wake why)
{
	wsk_sk_cb_t orig = NULL;
	struct wsk_conn *c;

	read_lock_bh(&sk->sk_callback_lock);
	c = wsk_sk_user_data_locked(sk);
	if (c && why == WSK_WAKE_DATA)
		orig = c->ws.orig_data_ready;
	else if (c)
		orig = why == WSK_WAKE_STATE ? c->ws.orig_state_change : c->orig_write_space;
	read_unlock_bh(&sk->sk_callback_lock);
	return orig;
}

/* The socket has an upper layer protocol (kernel TLS). Any context. */
static bool wsk_conn_ulp(const struct sock *sk)
{
	return !!READ_ONCE(inet_csk(sk)->icsk_ulp_ops);
}

static void wsk_conn_data_ready(struct sock *sk)
{
	wsk_sk_cb_t orig;

	wsk_trace_sk_data_ready(sk);
	/* Kernel TLS parses its records in its own sk_data_ready, under ours. */
	if (wsk_conn_ulp(sk)) {
		orig = wsk_conn_orig(sk, WSK_WAKE_DATA);
		if (orig)
			orig(sk);
	}
	wsk_conn_wake(sk, WSK_WAKE_DATA);
}

static void wsk_conn_state_change(struct sock *sk)
{
	wsk_sk_cb_t orig;

	orig = wsk_conn_orig(sk, WSK_WAKE_STATE);
	if (orig)
		orig(sk);
	wsk_conn_wake(sk, WSK_WAKE_STATE);
}

static void wsk_conn_write_space(struct sock *sk)
{
	wsk_sk_cb_t orig;

	orig = wsk_conn_orig(sk, WSK_WAKE_WRITE);
	/* sk_stream_write_space() clears SOCK_NOSPACE once writeable. */
	if (orig)
		orig(sk);
	if (sk_stream_is_writeable(sk))
		wsk_conn_wake(sk, WSK_WAKE_WRITE);
}

/**
 * wsk_conn_hook - install wsk's hooks on an accepted connection
 * @c: the connection; @c->ws.sock is set, and @c->ws.orig_data_ready and
 *	@c->ws.orig_state_change are the listener's own callbacks (the child
 *	inherited wsk's listener hooks)
 *
 * Context: the listener's accept work (process context).
 */
void wsk_conn_hook(struct wsk_conn *c)
{
	struct sock *sk = c->ws.sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	c->orig_write_space = sk->sk_write_space;
	wsk_sk_user_data_set(sk, c);
	WRITE_ONCE(sk->sk_data_ready, wsk_conn_data_ready);
	WRITE_ONCE(sk->sk_state_change, wsk_conn_state_change);
	WRITE_ONCE(sk->sk_write_space, wsk_conn_write_space);
	write_unlock_bh(&sk->sk_callback_lock);
}

/**
 * wsk_conn_hook_own - install wsk's hooks on a socket wsk_socket() made
 * @c: a connection socket about to connect; @c->ws.sock is set and was
 *	never hooked
 *
 * Saves the kernel socket's own sk_data_ready and sk_state_change (an
 * accepted child's are its listener's instead), then wsk_conn_hook().
 *
 * Context: the connection's op pass (process context).
 */
void wsk_conn_hook_own(struct wsk_conn *c)
{
	struct sock *sk = c->ws.sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	c->ws.orig_data_ready = sk->sk_data_ready;
	c->ws.orig_state_change = sk->sk_state_change;
	write_unlock_bh(&sk->sk_callback_lock);
	wsk_conn_hook(c);
}

/**
 * wsk_conn_unhook - give the kernel socket its own callbacks back
 * @c: a connection socket (nothing to do if it was never hooked)
 *
 * After this no hook looks at @c any more (they run under the read side of
 * sk_callback_lock). Called before the kernel socket is released.
 *
 * Context: process context.
 */
void wsk_conn_unhook(struct wsk_conn *c)
{
	struct sock *sk;

	if (!c->ws.sock || !c->orig_write_space)
		return;	/* no kernel socket, or never hooked */
	sk = c->ws.sock->sk;
	write_lock_bh(&sk->sk_callback_lock);
	wsk_sk_user_data_clear(sk);
	WRITE_ONCE(sk->sk_data_ready, c->ws.orig_data_ready);
	WRITE_ONCE(sk->sk_state_change, c->ws.orig_state_change);
	WRITE_ONCE(sk->sk_write_space, c->orig_write_space);
	write_unlock_bh(&sk->sk_callback_lock);
}

/**
 * wsk_conn_ulp_begin - give the kernel socket its callbacks before a ULP change
 * @c: a connection socket (nothing to do if it was never hooked)
 *
 * TCP_ULP "tls" saves sk_write_space, and TLS_RX sk_data_ready, and puts
 * their own in their place: they must save the kernel socket's, not wsk's
 * hooks, which would be called from there after wsk_conn_unhook() and after
 * wsk is gone. sk_user_data stays: nothing else changes. A wake-up missed
 * meanwhile is made up for by wsk_conn_ulp_end().
 *
 * Context: the connection's op pass (process context).
 */
void wsk_conn_ulp_begin(struct wsk_conn *c)
{
	struct sock *sk = c->ws.sock->sk;

	if (!c->orig_write_space)
		return;
	write_lock_bh(&sk->sk_callback_lock);
	WRITE_ONCE(sk->sk_data_ready, c->ws.orig_data_ready);
	WRITE_ONCE(sk->sk_write_space, c->orig_write_space);
	write_unlock_bh(&sk->sk_callback_lock);
}

/**
 * wsk_conn_ulp_end - hook wsk on top of what a ULP change installed
 * @c: a connection socket, after wsk_conn_ulp_begin() and the setsockopt
 *	(successful or not)
 *
 * The callbacks in place now (TLS's, or the kernel socket's own) become the
 * ones wsk's hooks stand for: wsk_conn_unhook() puts them back, and wsk's
 * sk_data_ready calls TLS's before it wakes the io work. Then a pass of the
 * io work, for what came in meanwhile.
 *
 * Context: the connection's op pass (process context).
 */
void wsk_conn_ulp_end(struct wsk_conn *c)
{
	struct sock *sk = c->ws.sock->sk;
	unsigned long flags;

	if (!c->orig_write_space)
		return;
	write_lock_bh(&sk->sk_callback_lock);
	c->ws.orig_data_ready = sk->sk_data_ready;
	c->orig_write_space = sk->sk_write_space;
	WRITE_ONCE(sk->sk_data_ready, wsk_conn_data_ready);
	WRITE_ONCE(sk->sk_write_space, wsk_conn_write_space);
	write_unlock_bh(&sk->sk_callback_lock);
	spin_lock_irqsave(&c->ws.lock, flags);
	wsk_conn_kick(c);
	spin_unlock_irqrestore(&c->ws.lock, flags);
}

/**
 * wsk_conn_kick - queue a pass of the io work
 * @c: a connection socket
 *
 * Context: any; the caller holds @c->ws.lock.
 */
void wsk_conn_kick(struct wsk_conn *c)
{
	lockdep_assert_held(&c->ws.lock);
	/* Not while a kill releases the kernel socket: it kicks us after. */
	if (!c->ws.closing && !c->listener && !(c->ws.net_gone && c->ws.sock))
		queue_work(wsk_wq, &c->work);
}

/*
 * An allocation failed on @c's data path: run the io work again when the
 * retry timer fires, within WSK_IO_RETRY (or sooner, if something kicks
 * it). Context: any; the caller holds @c->ws.lock.
 */
static void wsk_conn_retry(struct wsk_conn *c)
{
	lockdep_assert_held(&c->ws.lock);
	if (c->ws.closing || c->listener || (c->ws.net_gone && c->ws.sock))
		return;
	spin_lock(&wsk_io_retry_lock);
	if (list_empty(&c->retry_node))
		list_add_tail(&c->retry_node, &wsk_io_retry_list);
	spin_unlock(&wsk_io_retry_lock);
	/* Armed unless it is already: the first failure sets the time. */
	queue_delayed_work(wsk_wq, &wsk_io_retry_work, WSK_IO_RETRY);
}

/**
 * wsk_conn_nr_retained - count the indication chains a connection's client keeps
 * @c: the connection
 *
 * Read off @c->retained (not counted as they come and go): the chains whose
 * receive_event returned -EINPROGRESS and that are not released yet.
 *
 * Context: any; the caller holds @c->ws.lock.
 * Return: their number.
 */
unsigned int wsk_conn_nr_retained(struct wsk_conn *c)
{
	const struct wsk_ind_block *blk;
	unsigned int n = 0;

	lockdep_assert_held(&c->ws.lock);
	list_for_each_entry(blk, &c->retained, node)
		n += !blk->in_call;
	return n;
}

/**
 * wsk_conn_retry_forget - take a connection off the retry list
 * @c: the connection; nothing if it is not on the list
 *
 * Context: any (its lock may be held).
 */
void wsk_conn_retry_forget(struct wsk_conn *c)
{
	unsigned long flags;

	spin_lock_irqsave(&wsk_io_retry_lock, flags);
	list_del_init(&c->retry_node);
	spin_unlock_irqrestore(&wsk_io_retry_lock, flags);
}

/* The retry timer: a pass for every connection on the list. Context: wsk_wq. */
static void wsk_io_retry_fire(struct work_struct *work)
{
	struct wsk_conn *c, *tmp;
	unsigned long flags;

	spin_lock_irqsave(&wsk_io_retry_lock, flags);
	list_for_each_entry_safe(c, tmp, &wsk_io_retry_list, retry_node) {
		list_del_init(&c->retry_node);
		queue_work(wsk_wq, &c->work);
	}
	spin_unlock_irqrestore(&wsk_io_retry_lock, flags);
}

/**
 * wsk_conn_exit_module - stop the retry timer
 *
 * Context: module exit, with no socket left (process context).
 */
void wsk_conn_exit_module(void)
{
	cancel_delayed_work_sync(&wsk_io_retry_work);
}

/* ------------------------------------------------------------------------ */
/* Reading the stream (io work, lock_sock() held)                            */

/*
 * Step over the urgent byte at the read position, as tcp_recvmsg() does
 * without MSG_OOB (wsk never sets SO_OOBINLINE): tcp_read_sock() stops at
 * the urgent mark and never passes it. Only once the byte is queued
 * (before rcv_nxt); the skb it ends is freed if nothing else is left in it.
 */
static void wsk_rx_skip_urg(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	u32 seq = tp->copied_seq, off;

	if (likely(!tp->urg_data) || tp->urg_seq != seq || !before(seq, tp->rcv_nxt))
		return;
	WRITE_ONCE(tp->copied_seq, seq + 1);
	/* Past the mark: what tcp_recvmsg() does then. */
	WRITE_ONCE(tp->urg_data, 0);
	tcp_fast_path_check(sk);
	tcp_recv_skb(sk, seq + 1, &off);
}

/* Bytes readable from @seq before the urgent mark (all if none). */
static u32 wsk_rx_limit(const struct sock *sk, u32 seq)
{
	const struct tcp_sock *tp = tcp_sk(sk);

	if (likely(!tp->urg_data) || before(tp->urg_seq, seq))
		return U32_MAX;
	return tp->urg_seq - seq;
}

/* The skb at the read position holds bytes wsk cannot read (device memory). */
static bool wsk_rx_head_unreadable(struct sock *sk)
{
	struct sk_buff *skb;
	u32 off;

	skb = tcp_recv_skb(sk, tcp_sk(sk)->copied_seq, &off);
	return skb && off < skb->len && !wsk_skb_readable(skb);
}

/*
 * tcp_read_sock() across urgent marks, until @desc->count bytes are read or
 * nothing readable is left. Return: the bytes read, or tcp_read_sock()'s
 * first result if none (0, or negative).
 */
static int wsk_rx_read(struct sock *sk, read_descriptor_t *desc, sk_read_actor_t actor)
{
	int n, done = 0;

	do {
		wsk_rx_skip_urg(sk);
		n = tcp_read_sock(sk, desc, actor);
		if (n > 0)
			done += n;
	} while (n > 0 && desc->count && !desc->error);
	return done ? done : n;
}

static int wsk_consume_actor(read_descriptor_t *desc, struct sk_buff *skb,
			     unsigned int offset, size_t len)
{
	size_t n = min(len, desc->count);

	desc->count -= n;
	return n;
}

/* Take @bytes of the queued data: TCP's own accounting. Return: bytes taken. */
static size_t wsk_rx_consume(struct sock *sk, size_t bytes)
{
	read_descriptor_t desc = { .count = bytes };
	int n = wsk_rx_read(sk, &desc, wsk_consume_actor);

	return n > 0 ? n : 0;
}

static int wsk_copy_actor(read_descriptor_t *desc, struct sk_buff *skb,
			  unsigned int offset, size_t len)
{
	size_t n = min(len, desc->count);

	if (!n)
		return 0;
	if (!wsk_skb_readable(skb) || skb_copy_datagram_iter(skb, offset, desc->arg.data, n)) {
		desc->error = -EFAULT;
		return 0;
	}
	desc->count -= n;
	return n;
}

/* ------------------------------------------------------------------------ */
/* Indications                                                               */

/* Entry @i of a wsk_skb_map() vector, if there is a vector (not when counting). */
static void wsk_kvec_set(struct kvec *vec, int i, void *base, int len)
{
	if (vec) {
		vec[i].iov_base = base;
		vec[i].iov_len = len;
	}
}

/*
 * Map @len bytes of @skb from @offset to kvecs (if @vec) and return how many
 * there are: the linear part, each page frag (x86-64 has no highmem: frag
 * pages are always mapped), and the frag_list skbs, in order. @skb is
 * readable (wsk_skb_readable()).
 */
static int wsk_skb_map(const struct sk_buff *skb, int offset, int len, struct kvec *vec)
{
	int start = skb_headlen(skb), n = 0, i, copy;
	struct sk_buff *frag;

	copy = min(start - offset, len);
	if (copy > 0) {
		wsk_kvec_set(vec, n++, skb->data + offset, copy);
		len -= copy;
		offset += copy;
		if (!len)
			return n;
	}
	for (i = 0; i < skb_shinfo(skb)->nr_frags; i++) {
		const skb_frag_t *f = &skb_shinfo(skb)->frags[i];
		int end = start + skb_frag_size(f);

		copy = min(end - offset, len);
		if (copy > 0) {
			wsk_kvec_set(vec, n++, skb_frag_address(f) + offset - start, copy);
			len -= copy;
			offset += copy;
			if (!len)
				return n;
		}
		start = end;
	}
	skb_walk_frags(skb, frag) {
		int end = start + frag->len;

		copy = end - offset;
		if (copy > 0) {
			copy = min(copy, len);
			n += wsk_skb_map(frag, offset - start, copy, vec ? vec + n : NULL);
			len -= copy;
			offset += copy;
			if (!len)
				return n;
		}
		start = end;
	}
	return n;
}

/*
 * The part of @skb to indicate from @seq, at most @limit bytes: its offset
 * (-1 if it has no unread byte) and, in *@len, its length.
 */
static int wsk_skb_unread(const struct sk_buff *skb, u32 seq, u32 limit, int *len)
{
	u32 off = seq - TCP_SKB_CB(skb)->seq;

	if (TCP_SKB_CB(skb)->tcp_flags & TCPHDR_SYN)
		off--;
	if (off >= skb->len)
		return -1;
	*len = min_t(u32, skb->len - off, limit);
	return off;
}

/*
 * Count what wsk_ind_build() will chain: skbs (the return value) and kvecs
 * (*@nsegs). The same walk as wsk_ind_fill(), which must find the same.
 */
static unsigned int wsk_ind_count(struct sock *sk, int *nsegs)
{
	u32 seq = READ_ONCE(tcp_sk(sk)->copied_seq), limit = wsk_rx_limit(sk, seq);
	struct sk_buff *skb;
	unsigned int nr = 0;
	int off, len;

	*nsegs = 0;
	skb_queue_walk(&sk->sk_receive_queue, skb) {
		if (!limit || nr == WSK_IND_MAX_SKBS || !wsk_skb_readable(skb))
			break;
		off = wsk_skb_unread(skb, seq, limit, &len);
		if (off >= 0) {
			*nsegs += wsk_skb_map(skb, off, len, NULL);
			seq += len;
			limit -= len;
			nr++;
		}
		if (TCP_SKB_CB(skb)->tcp_flags & TCPHDR_FIN)
			break;
	}
	return nr;
}

/* Fill the @blk->nr indications of @blk from @sk's queue; returns the bytes. */
static size_t wsk_ind_fill(struct wsk_ind_block *blk, struct sock *sk)
{
	u32 seq = READ_ONCE(tcp_sk(sk)->copied_seq), limit = wsk_rx_limit(sk, seq);
	struct kvec *vec = blk->vec;
	unsigned int i = 0;
	struct sk_buff *skb;
	size_t total = 0;
	int off, len;

	skb_queue_walk(&sk->sk_receive_queue, skb) {
		struct wsk_data_indication *ind = &blk->ind[i];
		int n;

		if (i == blk->nr)
			break;
		off = wsk_skb_unread(skb, seq, limit, &len);
		if (off < 0)
			continue;
		n = wsk_skb_map(skb, off, len, vec);
		ind->next = i + 1 < blk->nr ? &blk->ind[i + 1] : NULL;
		ind->buffer.kvec = vec;
		ind->buffer.nr_segs = n;
		ind->buffer.offset = 0;
		ind->buffer.length = len;
		blk->skbs[i] = skb;
		total += len;
		seq += len;
		limit -= len;
		vec += n;
		i++;
	}
	return total;
}

/*
 * Build a chain of the unread bytes queued on @sk, in place, without taking
 * them: up to the urgent mark, the FIN, the first skb wsk cannot read, or
 * WSK_IND_MAX_SKBS skbs. Context: io work, lock_sock() held (the receive
 * queue does not change: softirq puts packets on the backlog while the
 * socket is owned). Returns the chain, NULL if there is nothing to
 * indicate, or ERR_PTR(-ENOMEM).
 */
static struct wsk_ind_block *wsk_ind_build(struct wsk_conn *c, struct sock *sk, size_t *total)
{
	struct wsk_ind_block *blk;
	bool fail = false;
	unsigned int nr;
	size_t size;
	int nsegs;

	nr = wsk_ind_count(sk, &nsegs);
	if (!nr)
		return NULL;

	size = struct_size(blk, ind, nr) + nr * sizeof(struct sk_buff *) +
	       nsegs * sizeof(struct kvec);
	wsk_test_point(WSK_TP_IND_ALLOC, &c->ws, &fail);
	blk = fail ? NULL : kmalloc(size, GFP_KERNEL);
	if (!blk)
		return ERR_PTR(-ENOMEM);
	blk->nr = nr;
	blk->data = NULL;
	blk->skbs = (struct sk_buff **)&blk->ind[nr];
	blk->vec = (struct kvec *)&blk->skbs[nr];
	*total = wsk_ind_fill(blk, sk);
	return blk;
}

/* Free a chain that was not kept (it holds no skb). Context: any. */
static void wsk_ind_drop(struct wsk_ind_block *blk)
{
	kfree(blk->data);
	kfree(blk);
}

/* Free a kept chain. Context: any. */
static void wsk_ind_free(struct wsk_ind_block *blk)
{
	unsigned int i;

	for (i = 0; blk->skbs && i < blk->nr; i++)
		dev_consume_skb_any(blk->skbs[i]);
	wsk_ind_drop(blk);
}

/* The client keeps the chain: hold clones, the data stays where it is. */
static void wsk_ind_keep(struct wsk_ind_block *blk)
{
	unsigned int i;

	if (!blk->skbs)
		return;	/* a copy: it is the chain's already */

	/* Small and in process context: a clone is only an skb head. */
	for (i = 0; i < blk->nr; i++)
		blk->skbs[i] = skb_clone(blk->skbs[i], GFP_KERNEL | __GFP_NOFAIL);
}

/**
 * wsk_data_indication_copy - copy bytes out of an indication chain
 * @chain: the chain (may be NULL: nothing to copy)
 * @offset: bytes to skip from the start of the chain
 * @to: destination
 * @len: at most this many bytes
 *
 * Context: any, while the chain is valid (during the receive event, or
 * until wsk_release()).
 * Return: the bytes copied, less than @len only at the end of the chain.
 */
size_t wsk_data_indication_copy(const struct wsk_data_indication *chain, size_t offset,
				void *to, size_t len)
{
	size_t copied = 0;

	for (; chain && copied < len; chain = chain->next) {
		const struct wsk_buf *b = &chain->buffer;
		size_t skip = b->offset, left = b->length;
		unsigned int i;

		for (i = 0; i < b->nr_segs && left && copied < len; i++) {
			size_t seg = b->kvec[i].iov_len, n;
			const char *p = b->kvec[i].iov_base;

			if (skip >= seg) {
				skip -= seg;
				continue;
			}
			p += skip;
			seg = min(seg - skip, left);
			skip = 0;
			left -= seg;
			if (offset >= seg) {
				offset -= seg;
				continue;
			}
			p += offset;
			seg -= offset;
			offset = 0;
			n = min(seg, len - copied);
			memcpy(to + copied, p, n);
			copied += n;
		}
	}
	return copied;
}
EXPORT_SYMBOL_NS_GPL(wsk_data_indication_copy, WSK);

/* ------------------------------------------------------------------------ */
/* The io work                                                               */

/* What the receive pass saw, for the disconnect events. */
struct wsk_rx_state {
	bool fin;		/* the peer's FIN arrived */
	bool drained;		/* no unread byte left */
	bool unreadable;	/* the next bytes cannot be read: reset the connection */
	int err;		/* with this errno (0: EIO) */
};

/*
 * Move every data request pending on @c (the send being handed to TCP,
 * queued sends, disconnects and receives) to @list, detached. Lock held.
 * The send being handed to TCP may carry a cancel that returned true:
 * complete the list with wsk_req_complete_list(), which honours it.
 */
static void wsk_conn_collect(struct wsk_conn *c, struct list_head *list)
{
	lockdep_assert_held(&c->ws.lock);
	if (c->tx_cur) {
		wsk_req_detach(c->tx_cur);
		list_add_tail(&wsk_rp(c->tx_cur)->node, list);
		c->tx_cur = NULL;
	}
	wsk_req_dequeue_all(&c->tx_q, list);
	wsk_req_dequeue_all(&c->rx_q, list);
}

/* An abortive disconnect: fail the queued requests, reset, complete. */
static void wsk_conn_do_abort(struct wsk_conn *c, struct sock *sk)
{
	struct wsk_req *abort;
	unsigned long flags;
	LIST_HEAD(failed);

	spin_lock_irqsave(&c->ws.lock, flags);
	abort = c->abort_req;
	c->abort_req = NULL;
	if (abort) {
		c->local_abort = true;
		wsk_conn_collect(c, &failed);
	}
	spin_unlock_irqrestore(&c->ws.lock, flags);
	if (!abort)
		return;

	if (READ_ONCE(sk->sk_state) != TCP_CLOSE)
		tcp_abort(sk, ECONNABORTED);
	wsk_req_complete_list(&failed, -ECONNABORTED);
	wsk_req_complete(abort, 0);
}

/*
 * The send or disconnect to hand to TCP next: the current one, else the
 * oldest queued. NULL when there is none, the socket is closing, or the
 * budget is spent (the work is queued again). A current one that a cancel
 * marked is detached, in *@cancelled: the caller completes it -ECANCELED.
 */
static struct wsk_req *wsk_conn_tx_next(struct wsk_conn *c, unsigned int *budget,
					bool *cancelled)
{
	struct wsk_req *req = NULL;
	unsigned long flags;

	*cancelled = false;
	spin_lock_irqsave(&c->ws.lock, flags);
	if (c->ws.closing) {
		/* the teardown completes what is left */
	} else if (!(*budget)-- || !list_empty(&c->ws.op_q)) {
		/* Options first: a send after TLS_TX is encrypted. */
		wsk_conn_kick(c);
	} else {
		if (!c->tx_cur)
			c->tx_cur = wsk_req_take(&c->tx_q);
		req = c->tx_cur;
		if (req && wsk_rp(req)->cancel) {
			c->tx_cur = NULL;
			*cancelled = wsk_req_detach(req);
		}
	}
	spin_unlock_irqrestore(&c->ws.lock, flags);
	return req;
}

/*
 * Pages that TCP may take a reference on instead of copying them: none of
 * them slab memory (sendpage_ok()), all of every segment's span.
 */
static bool wsk_buf_spliceable(const struct wsk_buf *b)
{
	unsigned int i, p, n;

	for (i = 0; i < b->nr_segs; i++) {
		const struct bio_vec *bv = &b->bvec[i];

		n = DIV_ROUND_UP(bv->bv_offset + bv->bv_len, PAGE_SIZE);
		for (p = 0; p < n; p++)
			if (!sendpage_ok(bv->bv_page + p))
				return false;
	}
	return true;
}

/* @b's bytes (pages with WSK_FLAG_PAGES in @flags) as an iterator, @skip bytes in. */
static void wsk_buf_iter(struct iov_iter *it, unsigned int direction,
			 const struct wsk_buf *b, unsigned int flags, size_t skip)
{
	if (flags & WSK_FLAG_PAGES)
		iov_iter_bvec(it, direction, b->bvec, b->nr_segs, b->offset + b->length);
	else
		iov_iter_kvec(it, direction, b->kvec, b->nr_segs, b->offset + b->length);
	iov_iter_advance(it, b->offset + skip);
}

/* Hand what is left of @req's buffer to TCP: the last sock_sendmsg() result. */
static int wsk_conn_push(struct wsk_conn *c, struct wsk_req *req)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	struct wsk_buf *b = &wsk_rp(req)->args.data.buf;
	unsigned int flags = wsk_rp(req)->args.data.flags;
	int ret = 0;

	if ((flags & WSK_FLAG_PAGES) && WSK_MSG_SPLICE_PAGES && wsk_buf_spliceable(b))
		msg.msg_flags |= WSK_MSG_SPLICE_PAGES;
	while (wsk_rp(req)->args.data.done < b->length) {
		wsk_buf_iter(&msg.msg_iter, ITER_SOURCE, b, flags, wsk_rp(req)->args.data.done);
		ret = sock_sendmsg(c->ws.sock, &msg);
		if (ret <= 0)
			break;
		wsk_rp(req)->args.data.done += ret;
		wsk_stat_add(&wsk_stats.bytes_sent, ret);
	}
	return ret;
}

/*
 * WSK_FLAG_NODELAY: send what TCP holds back now. TCP_NODELAY on pushes the
 * queued data past Nagle (TCP_NAGLE_PUSH), and off again leaves the socket
 * as it was for the next sends; a socket with TCP_NODELAY set has nothing
 * held back. Only this work changes the option (the op pass runs on it).
 */
static void wsk_conn_push_now(struct socket *sock)
{
	int on = 1, off = 0;

	if (tcp_sk(sock->sk)->nonagle & TCP_NAGLE_OFF)
		return;
	sock->ops->setsockopt(sock, SOL_TCP, TCP_NODELAY, KERNEL_SOCKPTR(&on), sizeof(on));
	sock->ops->setsockopt(sock, SOL_TCP, TCP_NODELAY, KERNEL_SOCKPTR(&off), sizeof(off));
}

/*
 * Kernel TLS (the only ULP wsk_control() installs) still holds records it
 * could not hand to TCP when the send buffer was full: a FIN now would cut
 * them off. Its write-space work sends them later, without waking anyone
 * when it is done. Context: io work, without lock_sock().
 */
static bool wsk_ulp_tx_pending(struct sock *sk)
{
	struct tls_context *ctx;
	bool pending = false;

	if (!wsk_conn_ulp(sk))
		return false;
	lock_sock(sk);
	ctx = tls_get_ctx(sk);
	if (ctx && ctx->tx_conf == TLS_SW)
		pending = ctx->partially_sent_record ||
			  !list_empty(&tls_sw_ctx_tx(ctx)->tx_list);
	release_sock(sk);
	return pending;
}

/*
 * Hand queued sends to TCP until done, the send buffer is full, or the
 * budget is spent (then the next pass goes on). The send being handed over
 * stays attached (taken): a cancel ends it at the next step, even while it
 * waits for a window that never opens.
 */
static void wsk_conn_tx(struct wsk_conn *c)
{
	unsigned int budget = WSK_IO_BUDGET;
	struct wsk_req *req;
	unsigned long flags;
	bool cancelled;
	int ret, status;

	while ((req = wsk_conn_tx_next(c, &budget, &cancelled))) {
		if (cancelled) {
			wsk_req_complete(req, -ECANCELED);
			continue;
		}
		ret = wsk_conn_push(c, req);
		/*
		 * The send buffer is full: the write-space hook (or a cancel)
		 * wakes us. With room left in it, an allocation failed: no
		 * write-space wake-up may come, so try again later.
		 */
		if (ret == -EAGAIN) {
			if (sk_stream_memory_free(c->ws.sock->sk)) {
				spin_lock_irqsave(&c->ws.lock, flags);
				wsk_conn_retry(c);
				spin_unlock_irqrestore(&c->ws.lock, flags);
			}
			return;
		}
		/* A FIN waits for what kernel TLS has not sent yet: poll. */
		if (wsk_rp(req)->kind == WSK_REQ_DISCONNECT &&
		    wsk_rp(req)->args.data.done == wsk_rp(req)->args.data.buf.length &&
		    wsk_ulp_tx_pending(c->ws.sock->sk)) {
			spin_lock_irqsave(&c->ws.lock, flags);
			wsk_conn_retry(c);
			spin_unlock_irqrestore(&c->ws.lock, flags);
			return;
		}

		status = 0;
		if (wsk_rp(req)->args.data.done < wsk_rp(req)->args.data.buf.length)
			status = ret ? ret : -EPIPE;
		else if (wsk_rp(req)->kind == WSK_REQ_DISCONNECT)
			status = kernel_sock_shutdown(c->ws.sock, SHUT_WR);
		else if (wsk_rp(req)->args.data.flags & WSK_FLAG_NODELAY)
			wsk_conn_push_now(c->ws.sock);
		spin_lock_irqsave(&c->ws.lock, flags);
		c->tx_cur = NULL;
		if (wsk_req_detach(req))
			status = -ECANCELED;
		spin_unlock_irqrestore(&c->ws.lock, flags);
		req->result.bytes = wsk_rp(req)->args.data.done;
		wsk_req_complete(req, status);
	}
}

/*
 * The ideal send backlog: enough unsent data to keep two congestion windows
 * queued, at least two segments, at most the send buffer. Lockless reads of
 * @sk; any context.
 */
size_t wsk_ideal_backlog(struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	size_t mss = max_t(u32, READ_ONCE(tp->mss_cache), 1);
	size_t want = max_t(size_t, 2 * (size_t)tcp_snd_cwnd(tp) * mss, 2 * mss);

	return min_t(size_t, want, READ_ONCE(sk->sk_sndbuf));
}

static void wsk_conn_backlog_event(struct wsk_conn *c, struct sock *sk)
{
	const struct wsk_client_connection_dispatch *d;
	unsigned long flags;
	bool run = false;
	int ret;

	spin_lock_irqsave(&c->ws.lock, flags);
	if (c->backlog_due) {
		c->backlog_due = false;
		run = wsk_cb_begin_locked(&c->ws, WSK_EVENT_SEND_BACKLOG);
	}
	d = c->ws.client_dispatch;
	spin_unlock_irqrestore(&c->ws.lock, flags);
	if (!run)
		return;
	ret = d->send_backlog_event(c->ws.context, wsk_ideal_backlog(sk));
	wsk_cb_end(&c->ws, WSK_EVENT_SEND_BACKLOG, ret);
}

/*
 * The end of a drain's pass: back to the head of the queue to wait for
 * more unless @end, else (or if cancelled) completed with the bytes
 * discarded; @err is its status unless the connection was reset. Return:
 * as wsk_conn_fill().
 */
static bool wsk_conn_drain_end(struct wsk_conn *c, struct wsk_req *req, bool end, int err)
{
	unsigned long flags;
	int status;

	spin_lock_irqsave(&c->ws.lock, flags);
	if (!end && wsk_req_requeue_head(&c->rx_q, req)) {
		spin_unlock_irqrestore(&c->ws.lock, flags);
		return false;	/* the next data or the end wakes us */
	}
	if (c->local_abort)
		status = -ECONNABORTED;
	else if (c->peer_reset)
		status = -ECONNRESET;
	else
		status = err;
	if (!end || wsk_req_detach(req))
		status = -ECANCELED;
	spin_unlock_irqrestore(&c->ws.lock, flags);
	req->result.bytes = wsk_rp(req)->args.data.done;
	wsk_req_complete(req, status);
	return true;
}

/*
 * A WSK_FLAG_DRAIN receive (taken): consume whatever is queued, and
 * complete only at the end of the stream or a reset, with the bytes
 * discarded. Return: as wsk_conn_fill(). lock_sock() held.
 */
static bool wsk_conn_drain(struct wsk_conn *c, struct sock *sk, struct wsk_req *req)
{
	size_t n = wsk_rx_consume(sk, SIZE_MAX);

	wsk_rp(req)->args.data.done += n;
	wsk_stat_add(&wsk_stats.bytes_received, n);
	return wsk_conn_drain_end(c, req, (READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN) ||
				  READ_ONCE(sk->sk_state) == TCP_CLOSE, 0);
}

/*
 * The end of a receive's fill with @done bytes: complete it (@finish) or put
 * it back at the head of the queue to wait for more. @err: a read error,
 * its status if it got no byte. Return: as wsk_conn_fill().
 */
static bool wsk_conn_fill_end(struct wsk_conn *c, struct wsk_req *req, size_t done,
			      bool finish, int err)
{
	unsigned long flags;
	int status = 0;

	wsk_rp(req)->args.data.done = done;
	spin_lock_irqsave(&c->ws.lock, flags);
	if (!finish && wsk_req_requeue_head(&c->rx_q, req)) {
		spin_unlock_irqrestore(&c->ws.lock, flags);
		return false;
	}
	if (finish && !done && c->local_abort)
		status = -ECONNABORTED;
	else if (finish && !done && c->peer_reset)
		status = -ECONNRESET;
	else if (finish && !done)
		status = err;
	/* Cancelled while it was filled: the bytes it got are dropped with it. */
	if (!finish || wsk_req_detach(req))
		status = -ECANCELED;
	spin_unlock_irqrestore(&c->ws.lock, flags);
	req->result.bytes = done;
	wsk_req_complete(req, status);
	return true;
}

/*
 * Fill a receive request from the queued data. It is taken (off the queue,
 * still attached). Return: true if it completed, false if it went back to
 * the head of the queue to wait for more. lock_sock() held.
 */
static bool wsk_conn_fill(struct wsk_conn *c, struct sock *sk, struct wsk_req *req,
			  struct wsk_rx_state *st)
{
	struct wsk_buf *b = &wsk_rp(req)->args.data.buf;
	size_t done = wsk_rp(req)->args.data.done;
	read_descriptor_t desc = {};
	struct iov_iter it;
	bool finish = false;
	int n;

	wsk_test_point(WSK_TP_RX_FILL, &c->ws, req);
	if (wsk_rp(req)->args.data.flags & WSK_FLAG_DRAIN)
		return wsk_conn_drain(c, sk, req);
	wsk_buf_iter(&it, ITER_DEST, b, wsk_rp(req)->args.data.flags, done);
	desc.arg.data = &it;
	desc.count = b->length - done;
	n = wsk_rx_read(sk, &desc, wsk_copy_actor);
	if (n > 0) {
		done += n;
		wsk_stat_add(&wsk_stats.bytes_received, n);
	}
	wsk_rp(req)->args.data.done = done;
	if (desc.error)
		st->unreadable = true;	/* the connection is reset after this pass */

	if (done == b->length || (done && !(wsk_rp(req)->args.data.flags & WSK_FLAG_WAITALL))) {
		finish = true;
	} else if ((!tcp_inq(sk) || st->unreadable) &&
		   ((READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN) ||
		    READ_ONCE(sk->sk_state) == TCP_CLOSE)) {
		/* The end of the stream, or a reset: nothing more will come. */
		finish = true;
	}
	return wsk_conn_fill_end(c, req, done, finish, 0);
}

/*
 * Begin the receive_event of @blk: the client's dispatch, or NULL (and
 * @blk freed) if indications are paused or the event is not enabled.
 * From here on wsk_release() can find @blk. Context: io work.
 */
static const struct wsk_client_connection_dispatch *
wsk_ind_begin(struct wsk_conn *c, struct wsk_ind_block *blk)
{
	const struct wsk_client_connection_dispatch *d;
	unsigned long flags;

	spin_lock_irqsave(&c->ws.lock, flags);
	d = c->ws.client_dispatch;
	if (c->rx_paused || !wsk_cb_begin_locked(&c->ws, WSK_EVENT_RECEIVE)) {
		d = NULL;
	} else {
		blk->in_call = true;
		blk->released = false;
		list_add_tail(&blk->node, &c->retained);
	}
	spin_unlock_irqrestore(&c->ws.lock, flags);
	if (!d)
		wsk_ind_drop(blk);
	return d;
}

/*
 * The receive_event of @blk returned @ret: the chain is kept (-EINPROGRESS,
 * unless the client released it during the call) or freed, and indications
 * pause if the client took less than all (@short_take), unless a
 * wsk_receive() since @resume resumed them. Context: io work.
 */
static void wsk_ind_end(struct wsk_conn *c, struct wsk_ind_block *blk, int ret,
			bool short_take, u32 resume)
{
	bool kept = ret == -EINPROGRESS, drop;
	unsigned long flags;

	spin_lock_irqsave(&c->ws.lock, flags);
	if (short_take && c->rx_resume == resume)
		c->rx_paused = true;
	blk->in_call = false;
	drop = !kept || blk->released;
	if (drop)
		list_del(&blk->node);
	else
		wsk_stat_inc(&wsk_stats.indications_retained);
	spin_unlock_irqrestore(&c->ws.lock, flags);
	wsk_cb_end(&c->ws, WSK_EVENT_RECEIVE, ret);

	if (drop && kept)
		wsk_ind_free(blk);	/* released during the call: its clones too */
	else if (drop)
		wsk_ind_drop(blk);
}

/*
 * Call receive_event with @blk's chain of @total bytes: *@ret gets its
 * verdict. Return: the bytes to consume (all if kept, none for -EAGAIN or
 * anything else).
 */
static size_t wsk_ind_call(struct wsk_conn *c, const struct wsk_client_connection_dispatch *d,
			   struct wsk_ind_block *blk, size_t total, int *ret)
{
	size_t accepted = total;

	*ret = d->receive_event(c->ws.context, 0, &blk->ind[0], total, &accepted);
	if (*ret == -EINPROGRESS)
		return total;
	return *ret ? 0 : min(accepted, total);
}

/*
 * Indicate the queued bytes to receive_event. Return: true if everything
 * indicated was taken (look for more). lock_sock() held.
 */
static bool wsk_conn_indicate(struct wsk_conn *c, struct sock *sk, u32 resume)
{
	const struct wsk_client_connection_dispatch *d;
	size_t total = 0, take;
	struct wsk_ind_block *blk;
	unsigned long flags;
	int ret;

	blk = wsk_ind_build(c, sk, &total);
	if (IS_ERR(blk)) {
		spin_lock_irqsave(&c->ws.lock, flags);
		wsk_conn_retry(c);
		spin_unlock_irqrestore(&c->ws.lock, flags);
		return false;
	}
	if (!blk)
		return false;
	d = wsk_ind_begin(c, blk);
	if (!d)
		return false;

	take = wsk_ind_call(c, d, blk, total, &ret);
	/* Before the data is consumed; @in_call keeps wsk_release() off it. */
	if (ret == -EINPROGRESS)
		wsk_ind_keep(blk);
	if (take) {
		/* The chain ends before the urgent mark: all of it is readable. */
		take = wsk_rx_consume(sk, take);
		wsk_stat_add(&wsk_stats.bytes_indicated, take);
	}
	wsk_ind_end(c, blk, ret, take < total, resume);
	return take == total;
}

/* ------------------------------------------------------------------------ */
/* Reading through an upper layer protocol (kernel TLS), io work, unlocked  */

/*
 * Read through the socket's ULP into @it, never waiting (@flags: MSG_PEEK
 * or 0): until @it is full, or after the first read that got bytes unless
 * @all. Return: the bytes read; *@end is 0 (more may come), 1 (the end of
 * the stream) or a read error (kernel TLS: -EIO for a record that is not
 * data, -EBADMSG for one that does not decrypt; any reset).
 */
static size_t wsk_ulp_read(struct socket *sock, struct iov_iter *it, int flags, bool all,
			   int *end)
{
	struct msghdr msg = { .msg_iter = *it };
	size_t done = 0;
	int n;

	*end = 0;
	while (iov_iter_count(&msg.msg_iter)) {
		n = sock_recvmsg(sock, &msg, MSG_DONTWAIT | flags);
		if (n == -EAGAIN)
			break;
		if (n <= 0) {
			*end = n ? n : 1;
			break;
		}
		done += n;
		if (!all)
			break;
	}
	return done;
}

/* A read error @end of wsk_ulp_read(): reset the connection after the pass. */
static void wsk_ulp_fatal(struct wsk_rx_state *st, int end)
{
	if (end < 0 && !st->unreadable) {
		st->unreadable = true;
		st->err = -end;
	}
}

/*
 * A WSK_FLAG_DRAIN receive through the ULP, as wsk_conn_drain(): what is
 * readable is read into a scratch buffer and discarded.
 */
static bool wsk_conn_drain_ulp(struct wsk_conn *c, struct socket *sock, struct wsk_req *req,
			       struct wsk_rx_state *st)
{
	char scratch[256];
	struct kvec kv = { .iov_base = scratch, .iov_len = sizeof(scratch) };
	size_t n, total = 0;
	struct iov_iter it;
	int end = 0;

	/* After a read error nothing is read: the reset ends the drain. */
	do {
		if (st->unreadable)
			break;
		iov_iter_kvec(&it, ITER_DEST, &kv, 1, sizeof(scratch));
		n = wsk_ulp_read(sock, &it, 0, true, &end);
		total += n;
	} while (n == sizeof(scratch) && !end);
	wsk_ulp_fatal(st, end);
	wsk_rp(req)->args.data.done += total;
	wsk_stat_add(&wsk_stats.bytes_received, total);
	return wsk_conn_drain_end(c, req, end, min(end, 0));
}

/* wsk_conn_fill() through the ULP (kernel TLS). Not under lock_sock(). */
static bool wsk_conn_fill_ulp(struct wsk_conn *c, struct socket *sock, struct wsk_req *req,
			      struct wsk_rx_state *st)
{
	struct wsk_buf *b = &wsk_rp(req)->args.data.buf;
	unsigned int flags = wsk_rp(req)->args.data.flags;
	size_t done = wsk_rp(req)->args.data.done, n;
	struct iov_iter it;
	int end = 0;

	wsk_test_point(WSK_TP_RX_FILL, &c->ws, req);
	if (flags & WSK_FLAG_DRAIN)
		return wsk_conn_drain_ulp(c, sock, req, st);
	if (!st->unreadable) {
		wsk_buf_iter(&it, ITER_DEST, b, flags, done);
		n = wsk_ulp_read(sock, &it, 0, flags & WSK_FLAG_WAITALL, &end);
		done += n;
		wsk_stat_add(&wsk_stats.bytes_received, n);
		wsk_ulp_fatal(st, end);
	}
	return wsk_conn_fill_end(c, req, done, done == b->length ||
				 (done && !(flags & WSK_FLAG_WAITALL)) || end ||
				 READ_ONCE(sock->sk->sk_state) == TCP_CLOSE, min(end, 0));
}

/*
 * Indicate what the ULP has: a copy, peeked (MSG_PEEK) into a buffer of
 * wsk's and indicated as one segment. What the client takes is then read
 * for good into a discarding iterator: kernel TLS serves it from the
 * records the peek decrypted (its rx_list), copying, never decrypting in
 * place. Return: as wsk_conn_indicate().
 */
static bool wsk_conn_indicate_ulp(struct wsk_conn *c, struct socket *sock, u32 resume,
				  struct wsk_rx_state *st)
{
	const struct wsk_client_connection_dispatch *d;
	size_t total, take;
	struct wsk_ind_block *blk;
	struct iov_iter it;
	unsigned long flags;
	bool fail = false;
	int end, ret;

	wsk_test_point(WSK_TP_IND_ALLOC, &c->ws, &fail);
	blk = fail ? NULL : kmalloc(struct_size(blk, ind, 1) + sizeof(struct kvec), GFP_KERNEL);
	if (blk)
		blk->data = kmalloc(WSK_ULP_IND_MAX, GFP_KERNEL);
	if (!blk || !blk->data) {
		kfree(blk);
		spin_lock_irqsave(&c->ws.lock, flags);
		wsk_conn_retry(c);
		spin_unlock_irqrestore(&c->ws.lock, flags);
		return false;
	}
	blk->nr = 1;
	blk->skbs = NULL;
	blk->vec = (struct kvec *)&blk->ind[1];
	blk->vec->iov_base = blk->data;
	blk->vec->iov_len = WSK_ULP_IND_MAX;
	iov_iter_kvec(&it, ITER_DEST, blk->vec, 1, WSK_ULP_IND_MAX);
	total = wsk_ulp_read(sock, &it, MSG_PEEK, false, &end);
	wsk_ulp_fatal(st, end);
	if (!total) {
		wsk_ind_drop(blk);
		return false;
	}
	blk->vec->iov_len = total;
	blk->ind[0].next = NULL;
	blk->ind[0].buffer.kvec = blk->vec;
	blk->ind[0].buffer.nr_segs = 1;
	blk->ind[0].buffer.offset = 0;
	blk->ind[0].buffer.length = total;
	d = wsk_ind_begin(c, blk);
	if (!d)
		return false;

	take = wsk_ind_call(c, d, blk, total, &ret);
	if (take) {
		iov_iter_discard(&it, ITER_DEST, take);
		take = wsk_ulp_read(sock, &it, 0, true, &end);
		wsk_ulp_fatal(st, end);
		wsk_stat_add(&wsk_stats.bytes_indicated, take);
	}
	wsk_ind_end(c, blk, ret, take < total, resume);
	return take == total;
}

/*
 * The stream through the ULP has ended: a peek finds its end (not only the
 * FIN: a record may still be readable). Only worth asking after the FIN.
 */
static bool wsk_ulp_drained(struct socket *sock, struct wsk_rx_state *st)
{
	char byte;
	struct kvec kv = { .iov_base = &byte, .iov_len = 1 };
	struct iov_iter it;
	int end;

	if (!(READ_ONCE(sock->sk->sk_shutdown) & RCV_SHUTDOWN) || st->unreadable)
		return false;
	iov_iter_kvec(&it, ITER_DEST, &kv, 1, 1);
	return !wsk_ulp_read(sock, &it, MSG_PEEK, false, &end) && end == 1;
}

/* One receive filled, from TCP's queue or through the ULP (@ulp). */
static bool wsk_conn_rx_fill(struct wsk_conn *c, struct sock *sk, bool ulp, struct wsk_req *req,
			     struct wsk_rx_state *st)
{
	if (ulp)
		return wsk_conn_fill_ulp(c, c->ws.sock, req, st);
	return wsk_conn_fill(c, sk, req, st);
}

/* One indication, in place from TCP's queue or a copy through the ULP (@ulp). */
static bool wsk_conn_rx_indicate(struct wsk_conn *c, struct sock *sk, bool ulp, u32 resume,
				 struct wsk_rx_state *st)
{
	if (ulp)
		return wsk_conn_indicate_ulp(c, c->ws.sock, resume, st);
	return wsk_conn_indicate(c, sk, resume);
}

/*
 * Receives first, then indications, at most WSK_IO_BUDGET of them (then the
 * next pass goes on). lock_sock() held, unless the socket has a ULP (@ulp:
 * it is read through it, which takes the lock itself).
 */
static void wsk_conn_rx(struct wsk_conn *c, struct sock *sk, bool ulp, struct wsk_rx_state *st)
{
	unsigned int budget = WSK_IO_BUDGET;
	unsigned long flags;
	struct wsk_req *req;
	bool indicate;
	u32 resume;

	for (;;) {
		/* An urgent byte at the head of the stream is not part of it. */
		if (!ulp)
			wsk_rx_skip_urg(sk);
		if (!ulp && !st->unreadable && wsk_rx_head_unreadable(sk))
			st->unreadable = true;
		spin_lock_irqsave(&c->ws.lock, flags);
		/* Options first: a receive after TLS_RX is decrypted. */
		if (!budget-- || (!list_empty(&c->ws.op_q) && !c->ws.closing)) {
			wsk_conn_kick(c);
			spin_unlock_irqrestore(&c->ws.lock, flags);
			break;
		}
		req = c->ws.closing ? NULL : wsk_req_take(&c->rx_q);
		indicate = !req && !c->ws.closing && !c->rx_paused &&
			   (c->ws.events & WSK_EVENT_RECEIVE) && !st->unreadable;
		resume = c->rx_resume;
		spin_unlock_irqrestore(&c->ws.lock, flags);

		if (req) {
			if (!wsk_conn_rx_fill(c, sk, ulp, req, st))
				break;
			continue;
		}
		if (!indicate || !wsk_conn_rx_indicate(c, sk, ulp, resume, st))
			break;
	}
	st->fin = READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN;
	st->drained = ulp ? wsk_ulp_drained(c->ws.sock, st) : !tcp_inq(sk);
}

/* The NULL indication of a dead connection, then the disconnect event. */
static void wsk_conn_disc_events(struct wsk_conn *c, const struct wsk_rx_state *st)
{
	const struct wsk_client_connection_dispatch *d;
	bool reset, run = false;
	size_t none = 0;
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&c->ws.lock, flags);
	reset = (c->peer_reset || c->ws.net_gone) && !c->local_abort;
	if (reset && !c->ws.dead_reported) {
		run = wsk_cb_begin_locked(&c->ws, WSK_EVENT_RECEIVE);
		c->ws.dead_reported = run;
	}
	d = c->ws.client_dispatch;
	spin_unlock_irqrestore(&c->ws.lock, flags);
	if (run) {
		ret = d->receive_event(c->ws.context, 0, NULL, 0, &none);
		wsk_cb_end(&c->ws, WSK_EVENT_RECEIVE, ret);
	}

	run = false;
	spin_lock_irqsave(&c->ws.lock, flags);
	if (!c->disc_reported && !c->local_abort && (reset || (st->fin && st->drained))) {
		run = wsk_cb_begin_locked(&c->ws, WSK_EVENT_DISCONNECT);
		c->disc_reported = run;
	}
	spin_unlock_irqrestore(&c->ws.lock, flags);
	if (run) {
		ret = d->disconnect_event(c->ws.context, reset ? WSK_FLAG_ABORTIVE : 0);
		wsk_cb_end(&c->ws, WSK_EVENT_DISCONNECT, ret);
	}
}

/* A pass of the data path: sends, receives, indications and events. */
static void wsk_conn_io_pass(struct wsk_conn *c)
{
	struct wsk_rx_state st = {};
	struct sock *sk;
	bool ulp;

	wsk_test_point(WSK_TP_IO_PASS, &c->ws, NULL);
	/* A connect first: nothing else runs until it has succeeded. */
	if (!wsk_connect_step(c))
		return;
	/*
	 * Only the op pass changes @c->ws.sock, on this same work (or, for an
	 * inline reset, after cancelling it). A connection whose namespace went
	 * away has none: only its events are left to deliver.
	 */
	if (c->ws.sock) {
		sk = c->ws.sock->sk;
		wsk_conn_do_abort(c, sk);
		wsk_conn_tx(c);
		wsk_conn_backlog_event(c, sk);

		ulp = wsk_conn_ulp(sk);
		if (!ulp)
			lock_sock(sk);
		wsk_conn_rx(c, sk, ulp, &st);
		if (!ulp)
			release_sock(sk);	/* backlog packets may wake us again: fine */
		/*
		 * Bytes wsk cannot read (device memory), or a ULP's read error
		 * (a TLS record that is not data or does not decrypt): fatal.
		 */
		if (st.unreadable && READ_ONCE(sk->sk_state) != TCP_CLOSE)
			tcp_abort(sk, st.err ? st.err : EIO);
	}
	wsk_conn_disc_events(c, &st);
}

/*
 * The connection's work: its operations first, then, once it is delivered
 * and while it is not closing, its data path. Context: wsk_wq.
 */
static void wsk_conn_work(struct work_struct *work)
{
	struct wsk_conn *c = container_of(work, struct wsk_conn, work);
	unsigned long flags;
	bool io;

	if (!wsk_sock_op_pass(&c->ws))
		return;	/* freed, or this pass ends here */
	spin_lock_irqsave(&c->ws.lock, flags);
	io = !c->listener && !c->ws.closing;
	spin_unlock_irqrestore(&c->ws.lock, flags);
	if (io)
		wsk_conn_io_pass(c);
}

/**
 * wsk_conn_init - initialise the connection part of a socket object
 * @c: the socket object (any category: the members are just unused)
 *
 * Context: any.
 */
void wsk_conn_init(struct wsk_conn *c)
{
	INIT_WORK(&c->work, wsk_conn_work);
	INIT_LIST_HEAD(&c->retry_node);
	INIT_LIST_HEAD(&c->stage_node);
	INIT_LIST_HEAD(&c->tx_q);
	INIT_LIST_HEAD(&c->rx_q);
	INIT_LIST_HEAD(&c->retained);
}

/**
 * wsk_conn_quiesce - stop everything that runs on a connection
 * @c: a connection whose close has started or whose namespace is going
 * @pending: receives the requests still pending on @c, detached, to be
 *	completed by the caller
 *
 * Unhooks the kernel socket, takes @c off the retry list and, unless it is
 * called from that work, waits for the connection's work (and so for any
 * callback running). Nothing queues the io pass again afterwards unless
 * the caller kicks it.
 *
 * Context: the connection's op pass, or an inline reset (wsk_sock_reset()),
 * in process context.
 */
void wsk_conn_quiesce(struct wsk_conn *c, struct list_head *pending)
{
	unsigned long flags;

	wsk_conn_unhook(c);
	wsk_conn_retry_forget(c);
	/* From the connection's own op pass, nothing else runs on it. */
	if (current_work() != &c->work)
		cancel_work_sync(&c->work);

	spin_lock_irqsave(&c->ws.lock, flags);
	/* The slot holds the connect waiting for the handshake (taken), or an abort. */
	if (c->ws.state == WSK_SOCK_CONNECTING && c->connect_req) {
		wsk_req_detach(c->connect_req);
		list_add_tail(&wsk_rp(c->connect_req)->node, pending);
	} else if (c->abort_req) {
		list_add_tail(&wsk_rp(c->abort_req)->node, pending);
	}
	c->abort_req = NULL;
	wsk_conn_collect(c, pending);
	spin_unlock_irqrestore(&c->ws.lock, flags);
}

/**
 * wsk_conn_stop - the connection part of the close
 * @c: a connection whose close has started (@c->ws.closing is set)
 * @cancelled: receives the requests still pending on @c, to be completed
 *	with -ECANCELED by the caller
 *
 * wsk_conn_quiesce(), then frees the indications the client kept.
 *
 * Context: the socket's op work (process context).
 */
void wsk_conn_stop(struct wsk_conn *c, struct list_head *cancelled)
{
	struct wsk_ind_block *blk, *tmp;
	unsigned long flags;
	LIST_HEAD(kept);

	wsk_conn_quiesce(c, cancelled);
	spin_lock_irqsave(&c->ws.lock, flags);
	list_splice_init(&c->retained, &kept);
	spin_unlock_irqrestore(&c->ws.lock, flags);

	list_for_each_entry_safe(blk, tmp, &kept, node) {
		list_del(&blk->node);
		wsk_ind_free(blk);
		wsk_stat_dec(&wsk_stats.indications_retained);
		wsk_stat_inc(&wsk_stats.indications_freed_at_close);
	}
}

/* ------------------------------------------------------------------------ */
/* Exported operations                                                       */

/*
 * @b describes its bytes truthfully: @b->offset + @b->length neither
 * overflows nor runs past the end of its segments (only as many segments
 * are read as it takes to know).
 */
static bool wsk_buf_valid(const struct wsk_buf *b, bool pages)
{
	size_t end, seg, sum = 0;
	unsigned int i;

	if (check_add_overflow(b->offset, b->length, &end))
		return false;
	if (!b->kvec)		/* either member: the union's pointer */
		return !end;
	for (i = 0; i < b->nr_segs && sum < end; i++) {
		seg = pages ? b->bvec[i].bv_len : b->kvec[i].iov_len;
		if (check_add_overflow(sum, seg, &sum))
			return true;	/* more than any size_t end */
	}
	return sum >= end;
}

/* The argument errors of a send, receive or disconnect. */
static int wsk_data_check(enum wsk_req_kind kind, const struct wsk_buf *buf, unsigned int flags)
{
	switch (kind) {
	case WSK_REQ_SEND:
		if (!buf || (flags & ~(WSK_FLAG_NODELAY | WSK_FLAG_PAGES)))
			return -EINVAL;
		break;
	case WSK_REQ_RECEIVE:
		if (!buf || (flags & ~(WSK_FLAG_WAITALL | WSK_FLAG_DRAIN | WSK_FLAG_PAGES)))
			return -EINVAL;
		/* A drain takes no bytes: a zero-length buffer, never WAITALL. */
		if ((flags & WSK_FLAG_DRAIN) && ((flags & WSK_FLAG_WAITALL) || buf->length))
			return -EINVAL;
		break;
	default:
		/* An abortive disconnect sends nothing: no pages either. */
		if ((flags & ~(WSK_FLAG_ABORTIVE | WSK_FLAG_PAGES)) ||
		    (flags & (WSK_FLAG_ABORTIVE | WSK_FLAG_PAGES)) ==
		    (WSK_FLAG_ABORTIVE | WSK_FLAG_PAGES))
			return -EINVAL;
		break;
	}
	if (buf && !wsk_buf_valid(buf, flags & WSK_FLAG_PAGES))
		return -EINVAL;
	return 0;
}

/* Claim @req for a send, receive or disconnect, check it, and queue it. */
static int wsk_data_submit(struct wsk_socket *s, enum wsk_req_kind kind,
			   const struct wsk_buf *buf, unsigned int flags, struct wsk_req *req)
{
	unsigned long irqflags;
	struct wsk_sock *ws;
	struct wsk_conn *c;
	int err, bad;

	err = wsk_req_enter(req, kind, s, true, &ws);
	if (err)
		return err;
	c = wsk_conn(ws);	/* used once it is known not to be a listener */
	bad = wsk_data_check(kind, buf, flags);
	if (buf && !(flags & WSK_FLAG_ABORTIVE))
		wsk_rp(req)->args.data.buf = *buf;
	else
		memset(&wsk_rp(req)->args.data.buf, 0, sizeof(wsk_rp(req)->args.data.buf));
	wsk_rp(req)->args.data.done = 0;
	wsk_rp(req)->args.data.flags = flags;

	spin_lock_irqsave(&ws->lock, irqflags);
	if (ws->closing || ws->net_gone) {
		err = -ESHUTDOWN;
	} else if (wsk_sock_is_listener(ws)) {
		err = -EOPNOTSUPP;
	} else if (bad) {
		err = bad;
	} else if ((c->ws.state != WSK_SOCK_CONNECTED && c->ws.state != WSK_SOCK_DEAD) ||
		   c->listener) {
		err = -ENOTCONN;
	} else if (kind == WSK_REQ_RECEIVE) {
		/* Any receive resumes paused indications. */
		c->rx_resume++;
		c->rx_paused = false;
		err = 0;	/* a zero-length receive completes inline */
		if (wsk_rp(req)->args.data.buf.length || (flags & WSK_FLAG_DRAIN)) {
			wsk_req_enqueue(s, &c->rx_q, req);
			err = -EINPROGRESS;
		}
		wsk_conn_kick(c);
	} else if (kind == WSK_REQ_SEND && !wsk_rp(req)->args.data.buf.length) {
		err = 0;
	} else if (flags & WSK_FLAG_ABORTIVE) {
		if (c->abort_req || c->local_abort) {
			err = -EALREADY;
		} else {
			c->abort_req = req;
			wsk_conn_kick(c);
			err = -EINPROGRESS;
		}
	} else {
		wsk_req_enqueue(s, &c->tx_q, req);
		wsk_conn_kick(c);
		err = -EINPROGRESS;
	}
	spin_unlock_irqrestore(&c->ws.lock, irqflags);

	return wsk_req_leave(req, err);
}

/**
 * wsk_send - send data (WskSend)
 * @s: an accepted connection socket
 * @buf: the data; the segments and the memory they describe stay the
 *	owner's and must stay valid until completion. @buf->offset +
 *	@buf->length must not overflow nor exceed the sum of the segments'
 *	lengths (-EINVAL)
 * @flags: 0, or WSK_FLAG_NODELAY: once its last byte is handed to TCP,
 *	what TCP holds back (Nagle) is sent at once, this send's tail with it;
 *	ORed with WSK_FLAG_PAGES: @buf's segments are pages, sent without a
 *	copy where the kernel can (see WSK_FLAG_PAGES in <wsk/wsk.h>)
 * @req: completes with @req->result.bytes == @buf->length
 *
 * Never blocks: the data is handed to TCP from wsk's per-connection work as
 * send space allows (continuing from the socket's write-space wake-up).
 * Sends, and graceful disconnects, run in submission order.
 *
 * Context: any; does not sleep.
 * Return:
 * * 0 - a zero-length send (completed)
 * * -EINPROGRESS - completes later: 0 once every byte is handed to TCP; the
 *   kernel's error (-EPIPE, -ECONNRESET) if the connection failed first;
 *   -ECONNABORTED after an abortive wsk_disconnect(); -ECANCELED
 *   (cancelled, also while being handed to TCP, or the socket closed);
 *   -ESHUTDOWN (its namespace went away)
 * * -EINVAL - NULL @req (not completed); NULL @s or @buf, a flag other
 *   than WSK_FLAG_NODELAY and WSK_FLAG_PAGES, a @buf that lies about its
 *   segments (completed)
 * * -EBUSY - @req is still pending (not completed)
 * * -EOPNOTSUPP - @s is a listen socket (completed)
 * * -ENOTCONN - @s is not an accepted connection (completed)
 * * -ESHUTDOWN - the socket's close has started, or its namespace went away
 *   (completed)
 */
int wsk_send(struct wsk_socket *s, const struct wsk_buf *buf, unsigned int flags,
	     struct wsk_req *req)
{
	return wsk_data_submit(s, WSK_REQ_SEND, buf, flags, req);
}
EXPORT_SYMBOL_NS_GPL(wsk_send, WSK);

/**
 * wsk_receive - receive data into a buffer (WskReceive)
 * @s: an accepted connection socket
 * @buf: the buffer, valid until completion; checked as wsk_send()'s
 * @flags: 0, WSK_FLAG_WAITALL, or WSK_FLAG_DRAIN: complete only at the end
 *	of the connection (0 at a graceful end, -ECONNRESET or -ECONNABORTED
 *	at a reset), or at a cancel, discarding every byte received meanwhile
 *	(@buf must have length 0); any of them ORed with WSK_FLAG_PAGES:
 *	@buf's segments are pages, copied into
 * @req: completes with @req->result.bytes, the bytes copied (discarded, for
 *	a drain)
 *
 * Completes once at least one byte has arrived (all of @buf->length with
 * WSK_FLAG_WAITALL, unless the stream ends first), or with 0 bytes at a
 * graceful end of stream. The bytes are those recv(2) without MSG_OOB
 * reads: TCP urgent data is stepped over. Pending receives are served
 * before receive indications. Any call resumes indications paused by a
 * partial take or -EAGAIN; a zero-length receive does only that.
 *
 * Context: any; does not sleep.
 * Return:
 * * 0 - a zero-length receive (completed, 0 bytes)
 * * -EINPROGRESS - completes later: 0 with the bytes; -ECONNRESET if the
 *   peer reset the connection (also before it was delivered) and no byte is
 *   left; -ECONNABORTED if an abortive wsk_disconnect() came first;
 *   -ECANCELED; -ESHUTDOWN (its namespace went away)
 * * -EINVAL - NULL @req (not completed); NULL @s or @buf, bad @flags
 *   (WAITALL with DRAIN, a drain with a non-empty @buf, any other flag),
 *   a @buf that lies about its segments (completed)
 * * -EBUSY, -EOPNOTSUPP, -ENOTCONN, -ESHUTDOWN - as wsk_send()
 */
int wsk_receive(struct wsk_socket *s, const struct wsk_buf *buf, unsigned int flags,
		struct wsk_req *req)
{
	return wsk_data_submit(s, WSK_REQ_RECEIVE, buf, flags, req);
}
EXPORT_SYMBOL_NS_GPL(wsk_receive, WSK);

/**
 * wsk_disconnect - disconnect a connection (WskDisconnect)
 * @s: an accepted connection socket
 * @buf: optional final data (graceful only), sent before the FIN; checked
 *	as wsk_send()'s whenever given
 * @flags: 0 (graceful: FIN after the sends queued before it) or
 *	WSK_FLAG_ABORTIVE (reset now); a graceful one may add WSK_FLAG_PAGES
 *	(@buf's segments are pages, as for wsk_send())
 * @req: the request; completes with @req->result.bytes, the final data sent
 *
 * A graceful disconnect shuts down the sending side only: receives and
 * receive indications go on until the peer closes too. An abortive one
 * resets the connection at once and completes every queued send and
 * receive with -ECONNABORTED. Either way the socket must still be closed.
 *
 * Context: any; does not sleep.
 * Return:
 * * -EINPROGRESS - completes later: 0, the kernel's error, -ECANCELED, or
 *   -ESHUTDOWN (its namespace went away)
 * * -EINVAL - NULL @req (not completed); NULL @s, bad @flags, a @buf that
 *   lies about its segments (completed)
 * * -EALREADY - an abortive disconnect was already requested (completed)
 * * -EBUSY, -EOPNOTSUPP, -ENOTCONN, -ESHUTDOWN - as wsk_send()
 */
int wsk_disconnect(struct wsk_socket *s, const struct wsk_buf *buf, unsigned int flags,
		   struct wsk_req *req)
{
	return wsk_data_submit(s, WSK_REQ_DISCONNECT, buf, flags, req);
}
EXPORT_SYMBOL_NS_GPL(wsk_disconnect, WSK);

/**
 * wsk_release - give back an indication chain kept by a receive event (WskRelease)
 * @s: the connection socket whose receive_event returned -EINPROGRESS
 * @chain: the chain as it was indicated (its first indication)
 *
 * Frees the data the chain points to. A chain not yet released when @s is
 * closed is freed by the close (and counted in debugfs).
 *
 * Context: any; does not sleep.
 * Return: 0; -EINVAL for NULL @s or @chain or a chain @s does not hold;
 * -ESHUTDOWN once the socket's close has started (the close frees it).
 */
int wsk_release(struct wsk_socket *s, struct wsk_data_indication *chain)
{
	struct wsk_ind_block *blk, *found = NULL;
	unsigned long flags;
	struct wsk_sock *ws;
	struct wsk_conn *c;
	int err = -EINVAL;

	if (!s || !chain)
		return -EINVAL;
	ws = wsk_sock(s);
	c = wsk_conn(ws);	/* used once it is known not to be a listener */
	spin_lock_irqsave(&ws->lock, flags);
	if (ws->closing) {
		err = -ESHUTDOWN;
	} else if (!wsk_sock_is_listener(ws)) {	/* a listener has no chain: -EINVAL */
		list_for_each_entry(blk, &c->retained, node) {
			if (&blk->ind[0] == chain && !blk->released) {
				found = blk;
				break;
			}
		}
		if (found && found->in_call) {
			/* Its receive_event has not returned: it frees it. */
			found->released = true;
			err = 0;
			found = NULL;
		} else if (found) {
			list_del(&found->node);
		}
	}
	spin_unlock_irqrestore(&c->ws.lock, flags);
	if (!found)
		return err;
	wsk_ind_free(found);
	wsk_stat_dec(&wsk_stats.indications_retained);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(wsk_release, WSK);
