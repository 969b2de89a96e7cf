// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "wsk_tls": kernel TLS on a wsk connection. The client puts
 * TCP_ULP "tls" and its keys (SOL_TLS TLS_TX, TLS_RX) on the connection
 * with wsk_control(); the peer is a kernel socket with the same keys, as
 * the kernel's own tls selftest sets them up on both ends. Only the peer's
 * TLS decrypts what wsk sent, and only wsk's what the peer sent, so a byte
 * that crossed in clear would fail the test.
 *
 * Then what a hostile peer does to it: a record that does not decrypt, a
 * record that is not data (an alert), a reset; and a careless caller: a ULP
 * other than TLS, keys before the ULP, on a listener, of a bad size, twice.
 * Each read error completes the receive with it and resets the connection.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/string.h>
#include <linux/tls.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "internal.h"
#include "util.h"

/* The keys of one direction; @key_byte changes the key (a wrong key). */
static void wl_keys(struct tls12_crypto_info_aes_gcm_128 *ci, u8 key_byte)
{
	memset(ci, 0, sizeof(*ci));
	ci->info.version = TLS_1_2_VERSION;
	ci->info.cipher_type = TLS_CIPHER_AES_GCM_128;
	memset(ci->key, key_byte, sizeof(ci->key));
	memset(ci->iv, 0x11, sizeof(ci->iv));
	memset(ci->salt, 0x22, sizeof(ci->salt));
}

/* Kernel TLS on the peer's socket, both directions, with @ci. */
static int wl_peer_tls(struct socket *peer, struct tls12_crypto_info_aes_gcm_128 *ci)
{
	int err;

	err = peer->ops->setsockopt(peer, SOL_TCP, TCP_ULP, KERNEL_SOCKPTR("tls"), 3);
	if (!err)
		err = peer->ops->setsockopt(peer, SOL_TLS, TLS_TX, KERNEL_SOCKPTR(ci),
					    sizeof(*ci));
	if (!err)
		err = peer->ops->setsockopt(peer, SOL_TLS, TLS_RX, KERNEL_SOCKPTR(ci),
					    sizeof(*ci));
	return err;
}

static int wl_set(struct wsk_socket *s, int level, u32 code, const void *in, size_t len)
{
	struct wsk_sync sync;

	wsk_sync_init(&sync);
	return wsk_sync_wait_timeout(&sync, wsk_control(s, WSK_SET_OPTION, code, level, len,
							 in, 0, NULL, NULL, &sync.req),
				     WT_TIMEOUT);
}

static int wl_get(struct wsk_socket *s, int level, u32 code, void *out, size_t len, size_t *n)
{
	struct wsk_sync sync;

	wsk_sync_init(&sync);
	return wsk_sync_wait_timeout(&sync, wsk_control(s, WSK_GET_OPTION, code, level, 0, NULL,
							 len, out, n, &sync.req),
				     WT_TIMEOUT);
}

/* Kernel TLS on a wsk connection, both directions, with @ci. */
static int wl_wsk_tls(struct wsk_socket *s, const struct tls12_crypto_info_aes_gcm_128 *ci)
{
	int err;

	err = wl_set(s, SOL_TCP, TCP_ULP, "tls", 4);
	if (!err)
		err = wl_set(s, SOL_TLS, TLS_TX, ci, sizeof(*ci));
	if (!err)
		err = wl_set(s, SOL_TLS, TLS_RX, ci, sizeof(*ci));
	return err;
}

/* What the connection's receive_event does and got. */
struct wl_conn {
	int verdict;				/* 0: take all; -EINPROGRESS: keep */
	atomic_t bytes;				/* bytes indicated and taken */
	atomic_t calls;
	struct wsk_data_indication *kept;	/* the last chain kept */
	char data[64 * 1024];
};

/* Context: the connection's io work (process context, must not sleep). */
static int wl_receive_event(void *ctx, unsigned int flags, struct wsk_data_indication *ind,
			    size_t total, size_t *accepted)
{
	struct wl_conn *w = ctx;
	size_t have = atomic_read(&w->bytes);

	atomic_inc(&w->calls);
	if (!ind)
		return 0;
	if (have + total <= sizeof(w->data))
		wsk_data_indication_copy(ind, 0, w->data + have, total);
	*accepted = total;
	if (w->verdict == -EINPROGRESS)
		w->kept = ind;
	atomic_add(total, &w->bytes);
	return w->verdict;
}

struct wl_wait {
	atomic_t *v;
	int want;
};

static bool wl_reached(void *arg)
{
	struct wl_wait *q = arg;

	return atomic_read(q->v) >= q->want;
}

/* Poll until @v reaches @want (true) or WT_TIMEOUT (false). Sleeps. */
static bool wl_poll(atomic_t *v, int want)
{
	struct wl_wait q = { .v = v, .want = want };

	return wt_poll(wl_reached, &q);
}

static const struct wsk_client_connection_dispatch wl_dispatch = {
	.receive_event = wl_receive_event,
};

/*
 * An accepted IPv4 connection (tracked) with @w as its context and
 * receive_event in its dispatch (not enabled), and its peer; *@ls gets
 * the listener if @ls.
 */
static struct wsk_socket *wl_accept(struct kunit *test, struct wl_conn *w, struct socket **peer,
				    struct wsk_socket **ls)
{
	struct wt_req *r = wt_req_new(test);
	struct wsk_socket *l;
	u16 port;

	l = wt_listener(test, AF_INET, false, 0, &port);
	if (ls)
		*ls = l;
	KUNIT_ASSERT_EQ(test, wsk_accept(l, 0, w, &wl_dispatch, NULL, NULL, &r->req),
			-EINPROGRESS);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, port, NULL, peer), 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_ASSERT_EQ(test, r->status, 0);
	wt_track(test, r->socket);
	return r->socket;
}

/* wl_accept() with TLS on both ends, the peer's key from @peer_key. */
static struct wsk_socket *wl_pair_keys(struct kunit *test, struct wl_conn *w,
				       struct socket **peer, u8 peer_key)
{
	struct tls12_crypto_info_aes_gcm_128 ci, pci;
	struct wsk_socket *s = wl_accept(test, w, peer, NULL);

	wl_keys(&ci, 0x33);
	wl_keys(&pci, peer_key);
	KUNIT_ASSERT_EQ(test, wl_peer_tls(*peer, &pci), 0);
	KUNIT_ASSERT_EQ(test, wl_wsk_tls(s, &ci), 0);
	return s;
}

/* wl_accept() with TLS on both ends, the same keys. */
static struct wsk_socket *wl_pair(struct kunit *test, struct wl_conn *w, struct socket **peer)
{
	return wl_pair_keys(test, w, peer, 0x33);
}

static int wl_send(struct wsk_socket *s, const void *data, size_t len, unsigned int flags)
{
	struct kvec kv = { .iov_base = (void *)data, .iov_len = len };
	struct wsk_buf b = { .kvec = &kv, .nr_segs = 1, .length = len };
	struct wsk_sync sync;

	wsk_sync_init(&sync);
	return wsk_sync_wait_timeout(&sync, wsk_send(s, &b, flags, &sync.req), WT_TIMEOUT);
}

/* A receive into @buf; its status, *@got its bytes. */
static int wl_recv(struct wsk_socket *s, void *buf, size_t len, unsigned int flags, size_t *got)
{
	struct kvec kv = { .iov_base = buf, .iov_len = len };
	struct wsk_buf b = { .kvec = &kv, .nr_segs = 1, .length = len };
	struct wsk_sync sync;
	int ret;

	wsk_sync_init(&sync);
	ret = wsk_sync_wait_timeout(&sync, wsk_receive(s, &b, flags, &sync.req), WT_TIMEOUT);
	*got = sync.req.result.bytes;
	return ret;
}

static void wl_fill(char *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (char)(i * 7 + seed);
}

/* Data both ways in records, kvecs and pages, and the options read back. */
static void wsk_tls_roundtrip(struct kunit *test)
{
	const size_t big = 40000;	/* three records */
	struct wl_conn *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	char *out = kunit_kzalloc(test, big, GFP_KERNEL);
	char *in = kunit_kzalloc(test, big, GFP_KERNEL);
	struct page *page = alloc_page(GFP_KERNEL);
	char name[WSK_OPT_NAME_MAX] = {}, ci[64];
	struct socket *peer;
	struct wsk_socket *s;
	size_t got = 0, n;

	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_NOT_NULL(test, out);
	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_ASSERT_NOT_NULL(test, page);
	s = wl_pair(test, w, &peer);

	KUNIT_EXPECT_EQ(test, wl_get(s, SOL_TCP, TCP_ULP, name, sizeof(name), &n), 0);
	KUNIT_EXPECT_EQ(test, n, 4);
	KUNIT_EXPECT_STREQ(test, name, "tls");
	/* SOL_TLS's getsockopt copies to user memory only: no GET. */
	KUNIT_EXPECT_EQ(test, wl_get(s, SOL_TLS, TLS_TX, ci, sizeof(ci), &n), -EOPNOTSUPP);

	/* wsk to the peer: a kvec, then a page. */
	wl_fill(out, big, 1);
	KUNIT_EXPECT_EQ(test, wl_send(s, out, big, 0), 0);
	KUNIT_EXPECT_EQ(test, wt_recv(peer, in, big), big);
	KUNIT_EXPECT_EQ(test, memcmp(in, out, big), 0);
	{
		struct bio_vec bv;
		struct wsk_buf b = { .bvec = &bv, .nr_segs = 1, .length = PAGE_SIZE };
		struct wsk_sync sync;

		wl_fill(page_address(page), PAGE_SIZE, 2);
		bvec_set_page(&bv, page, PAGE_SIZE, 0);
		wsk_sync_init(&sync);
		KUNIT_EXPECT_EQ(test, wsk_sync_wait_timeout(&sync, wsk_send(s, &b, WSK_FLAG_PAGES,
									    &sync.req),
							     WT_TIMEOUT), 0);
		KUNIT_EXPECT_EQ(test, wt_recv(peer, in, PAGE_SIZE), PAGE_SIZE);
		KUNIT_EXPECT_EQ(test, memcmp(in, page_address(page), PAGE_SIZE), 0);
	}

	/* The peer to wsk: one receive of three records, all of them. */
	wl_fill(out, big, 3);
	KUNIT_EXPECT_EQ(test, wt_send(peer, out, big), big);
	memset(in, 0, big);
	KUNIT_EXPECT_EQ(test, wl_recv(s, in, big, WSK_FLAG_WAITALL, &got), 0);
	KUNIT_EXPECT_EQ(test, got, big);
	KUNIT_EXPECT_EQ(test, memcmp(in, out, big), 0);

	/* Into a page. */
	KUNIT_EXPECT_EQ(test, wt_send(peer, out, 100), 100);
	{
		struct bio_vec bv;
		struct wsk_buf b = { .bvec = &bv, .nr_segs = 1, .length = PAGE_SIZE };
		struct wsk_sync sync;

		memset(page_address(page), 0, PAGE_SIZE);
		bvec_set_page(&bv, page, PAGE_SIZE, 0);
		wsk_sync_init(&sync);
		KUNIT_EXPECT_EQ(test, wsk_sync_wait_timeout(&sync, wsk_receive(s, &b,
									       WSK_FLAG_PAGES,
									       &sync.req),
							     WT_TIMEOUT), 0);
		KUNIT_EXPECT_EQ(test, sync.req.result.bytes, 100);
		KUNIT_EXPECT_EQ(test, memcmp(page_address(page), out, 100), 0);
	}
	__free_page(page);

	/* The peer's graceful close: a receive completes with 0 bytes. */
	KUNIT_EXPECT_EQ(test, kernel_sock_shutdown(peer, SHUT_WR), 0);
	KUNIT_EXPECT_EQ(test, wl_recv(s, in, 16, 0, &got), 0);
	KUNIT_EXPECT_EQ(test, got, 0);
}

/* What the io-pass test point submits, once, on the connection @ws. */
static struct {
	struct wsk_sock *ws;
	struct wsk_socket *s;
	atomic_t hits;
	struct tls12_crypto_info_aes_gcm_128 ci;
	struct wt_req *o[3], *snd, *rcv;
	struct wsk_buf sb, rb;
	struct kvec skv, rkv;
	char in[8];
} wl_tp;

/*
 * WSK_TP_IO_PASS: the op pass is over and the io pass begins. The keys are
 * submitted now, and a send and a receive right after them: the io pass
 * must leave both to a pass after the SETs (io work, must not sleep).
 */
static void wl_tp_submit(enum wsk_test_point point, struct wsk_sock *ws, void *arg)
{
	if (point != WSK_TP_IO_PASS || ws != READ_ONCE(wl_tp.ws) ||
	    atomic_inc_return(&wl_tp.hits) != 1)
		return;
	wsk_control(wl_tp.s, WSK_SET_OPTION, TCP_ULP, SOL_TCP, 4, "tls", 0, NULL, NULL,
		    &wl_tp.o[0]->req);
	wsk_control(wl_tp.s, WSK_SET_OPTION, TLS_TX, SOL_TLS, sizeof(wl_tp.ci), &wl_tp.ci, 0,
		    NULL, NULL, &wl_tp.o[1]->req);
	wsk_control(wl_tp.s, WSK_SET_OPTION, TLS_RX, SOL_TLS, sizeof(wl_tp.ci), &wl_tp.ci, 0,
		    NULL, NULL, &wl_tp.o[2]->req);
	wsk_send(wl_tp.s, &wl_tp.sb, 0, &wl_tp.snd->req);
	wsk_receive(wl_tp.s, &wl_tp.rb, WSK_FLAG_WAITALL, &wl_tp.rcv->req);
}

/*
 * Options first: a send and a receive submitted right after the keys,
 * while the io pass that will look at them has already begun (a test
 * point), are encrypted and decrypted; the peer's record was queued in
 * TCP before wsk had its keys.
 */
static void wsk_tls_ordering(struct kunit *test)
{
	struct wl_conn *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	struct socket *peer;
	char in[8] = {};
	int i, one = 1;

	KUNIT_ASSERT_NOT_NULL(test, w);
	memset(&wl_tp, 0, sizeof(wl_tp));
	for (i = 0; i < 3; i++)
		wl_tp.o[i] = wt_req_new(test);
	wl_tp.snd = wt_req_new(test);
	wl_tp.rcv = wt_req_new(test);
	wl_tp.skv = (struct kvec){ .iov_base = "request", .iov_len = 7 };
	wl_tp.rkv = (struct kvec){ .iov_base = wl_tp.in, .iov_len = 7 };
	wl_tp.sb = (struct wsk_buf){ .kvec = &wl_tp.skv, .nr_segs = 1, .length = 7 };
	wl_tp.rb = (struct wsk_buf){ .kvec = &wl_tp.rkv, .nr_segs = 1, .length = 7 };
	wl_keys(&wl_tp.ci, 0x55);
	wl_tp.s = wl_accept(test, w, &peer, NULL);
	KUNIT_ASSERT_EQ(test, wl_peer_tls(peer, &wl_tp.ci), 0);
	KUNIT_ASSERT_EQ(test, wt_send(peer, "reply!!", 7), 7);

	/* Any op makes a pass: the test point submits at its io pass. */
	WRITE_ONCE(wl_tp.ws, wsk_sock(wl_tp.s));
	WRITE_ONCE(wsk_test_hook, wl_tp_submit);
	KUNIT_EXPECT_EQ(test, wl_set(wl_tp.s, SOL_TCP, TCP_NODELAY, &one, sizeof(one)), 0);
	KUNIT_EXPECT_TRUE(test, wt_wait(test, wl_tp.rcv));
	WRITE_ONCE(wsk_test_hook, NULL);
	KUNIT_ASSERT_GE(test, atomic_read(&wl_tp.hits), 1);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, wl_tp.o[i]->status, 0);
	KUNIT_EXPECT_EQ(test, wl_tp.rcv->status, 0);
	KUNIT_EXPECT_EQ(test, wl_tp.rcv->req.result.bytes, 7);
	KUNIT_EXPECT_EQ(test, memcmp(wl_tp.in, "reply!!", 7), 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, wl_tp.snd));
	KUNIT_EXPECT_EQ(test, wl_tp.snd->status, 0);
	KUNIT_EXPECT_EQ(test, wt_recv(peer, in, 7), 7);
	KUNIT_EXPECT_EQ(test, memcmp(in, "request", 7), 0);
}

/* Indications through TLS: copies, taken or kept, in order and complete. */
static void wsk_tls_indications(struct kunit *test)
{
	const size_t big = 50000;
	struct wl_conn *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	char *out = kunit_kzalloc(test, big, GFP_KERNEL);
	long retained = wt_stat("indications_retained");
	struct socket *peer;
	struct wsk_socket *s;

	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_NOT_NULL(test, out);
	s = wl_pair(test, w, &peer);
	KUNIT_ASSERT_EQ(test, wt_events(s, WSK_EVENT_RECEIVE, NULL), 0);

	wl_fill(out, big, 5);
	KUNIT_EXPECT_EQ(test, wt_send(peer, out, big), big);
	KUNIT_EXPECT_TRUE(test, wl_poll(&w->bytes, big));
	KUNIT_EXPECT_EQ(test, memcmp(w->data, out, big), 0);
	/* A record is 16 KiB at most: at least four indications. */
	KUNIT_EXPECT_GE(test, atomic_read(&w->calls), 4);

	/* A kept chain stays valid until released. */
	WRITE_ONCE(w->verdict, -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, wt_send(peer, "kept", 4), 4);
	KUNIT_EXPECT_TRUE(test, wl_poll(&w->bytes, big + 4));
	/* Counted once the event has returned, after w->kept was set. */
	KUNIT_EXPECT_EQ(test, wt_stat_wait("indications_retained", retained + 1), retained + 1);
	KUNIT_ASSERT_NOT_NULL(test, READ_ONCE(w->kept));
	{
		char buf[4];

		KUNIT_EXPECT_EQ(test, wsk_data_indication_copy(w->kept, 0, buf, 4), 4);
		KUNIT_EXPECT_EQ(test, memcmp(buf, "kept", 4), 0);
	}
	KUNIT_EXPECT_EQ(test, wsk_release(s, w->kept), 0);
	KUNIT_EXPECT_EQ(test, wt_stat("indications_retained"), retained);
	/* One more kept: closed with it, freed by the close (kmemleak checks). */
	KUNIT_EXPECT_EQ(test, wt_send(peer, "more", 4), 4);
	KUNIT_EXPECT_TRUE(test, wl_poll(&w->bytes, big + 8));
	KUNIT_EXPECT_EQ(test, wt_close(test, s), 0);
	KUNIT_EXPECT_EQ(test, wt_stat("indications_retained"), retained);
}

/* A drain through TLS counts plaintext bytes and ends at the FIN. */
static void wsk_tls_drain(struct kunit *test)
{
	const size_t big = 100000;
	struct wl_conn *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	char *out = kunit_kzalloc(test, big, GFP_KERNEL);
	static const struct wsk_buf empty = {};
	struct wt_req *r = wt_req_new(test);
	struct socket *peer;
	struct wsk_socket *s;

	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_NOT_NULL(test, out);
	s = wl_pair(test, w, &peer);
	KUNIT_ASSERT_EQ(test, wsk_receive(s, &empty, WSK_FLAG_DRAIN, &r->req), -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, wt_send(peer, out, big), big);
	KUNIT_EXPECT_EQ(test, kernel_sock_shutdown(peer, SHUT_WR), 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_EXPECT_EQ(test, r->status, 0);
	KUNIT_EXPECT_EQ(test, r->req.result.bytes, big);
}

/*
 * A graceful disconnect queued behind 1 MiB of records that TCP takes in
 * pieces, as the late peer reads: the FIN comes after every byte. (Loopback
 * TCP takes a whole record into one skb, so the record that TLS keeps back
 * in part, which the disconnect also waits for, does not occur here.)
 */
static void wsk_tls_disconnect(struct kunit *test)
{
	const size_t big = 1024 * 1024, chunk = 64 * 1024;
	struct wl_conn *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	char *out = kunit_kzalloc(test, big, GFP_KERNEL);
	char *in = kunit_kzalloc(test, chunk, GFP_KERNEL);
	struct kvec kv = { .iov_base = out, .iov_len = big };
	struct wsk_buf b = { .kvec = &kv, .nr_segs = 1, .length = big };
	struct wt_req *send = wt_req_new(test), *disc = wt_req_new(test);
	static const struct wsk_buf empty = {};
	struct socket *peer;
	struct wsk_socket *s;
	size_t got = 0;
	int n, small = 4096;

	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_NOT_NULL(test, out);
	KUNIT_ASSERT_NOT_NULL(test, in);
	s = wl_pair(test, w, &peer);
	/* Small buffers both ends: the send waits for the peer's reads. */
	KUNIT_ASSERT_EQ(test, wl_set(s, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
	KUNIT_ASSERT_EQ(test, sock_setsockopt(peer, SOL_SOCKET, SO_RCVBUF,
					      KERNEL_SOCKPTR(&small), sizeof(small)), 0);
	wl_fill(out, big, 9);
	KUNIT_ASSERT_EQ(test, wsk_send(s, &b, 0, &send->req), -EINPROGRESS);
	KUNIT_ASSERT_EQ(test, wsk_disconnect(s, &empty, 0, &disc->req), -EINPROGRESS);
	/* The peer reads late: TCP's send buffer is full meanwhile. */
	msleep(200);
	while ((n = wt_recv_once(peer, in, chunk)) > 0) {
		if (memcmp(in, out + got, n))
			break;
		got += n;
	}
	KUNIT_EXPECT_EQ(test, n, 0);	/* the end of the stream, after all of it */
	KUNIT_EXPECT_EQ(test, got, big);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, send));
	KUNIT_EXPECT_EQ(test, send->status, 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, disc));
	KUNIT_EXPECT_EQ(test, disc->status, 0);
}

/*
 * A receive meets TLS's read error @err: it completes with it and no byte,
 * the peer sees a reset, and the next receive completes at once.
 */
static void wl_expect_fatal(struct kunit *test, struct wsk_socket *s, struct socket *peer,
			    int err)
{
	char buf[64];
	size_t got = 1;

	KUNIT_EXPECT_EQ(test, wl_recv(s, buf, sizeof(buf), 0, &got), err);
	KUNIT_EXPECT_EQ(test, got, 0);
	KUNIT_EXPECT_TRUE(test, wt_reset_seen(peer, 0));
	KUNIT_EXPECT_EQ(test, wl_recv(s, buf, sizeof(buf), 0, &got), -ECONNRESET);
}

/*
 * The peer's record is not data (an alert): the receive completes with
 * TLS's -EIO, the connection is reset, and the next receive completes at
 * once.
 */
static void wsk_tls_alert(struct kunit *test)
{
	struct wl_conn *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	char cbuf[CMSG_SPACE(sizeof(u8))] = {};
	struct cmsghdr *cmsg = (struct cmsghdr *)cbuf;
	struct kvec kv = { .iov_base = "\x02\x28", .iov_len = 2 };
	struct msghdr msg = { .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct socket *peer;
	struct wsk_socket *s;

	KUNIT_ASSERT_NOT_NULL(test, w);
	s = wl_pair(test, w, &peer);
	cmsg->cmsg_level = SOL_TLS;
	cmsg->cmsg_type = TLS_SET_RECORD_TYPE;
	cmsg->cmsg_len = CMSG_LEN(sizeof(u8));
	*(u8 *)CMSG_DATA(cmsg) = 21;	/* an alert: fatal, handshake failure */
	KUNIT_ASSERT_EQ(test, kernel_sendmsg(peer, &msg, &kv, 1, 2), 2);
	wl_expect_fatal(test, s, peer, -EIO);
}

/* The peer's records use another key: -EBADMSG, and a reset. */
static void wsk_tls_bad_key(struct kunit *test)
{
	struct wl_conn *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	struct wsk_socket *s;
	struct socket *peer;

	KUNIT_ASSERT_NOT_NULL(test, w);
	s = wl_pair_keys(test, w, &peer, 0x44);
	KUNIT_ASSERT_EQ(test, wt_send(peer, "secret", 6), 6);
	wl_expect_fatal(test, s, peer, -EBADMSG);
}

/* A reset while a receive waits for a record: -ECONNRESET. */
static void wsk_tls_reset(struct kunit *test)
{
	struct wl_conn *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	struct socket *peer;
	struct wsk_socket *s;
	char buf[64];
	size_t got = 1;

	KUNIT_ASSERT_NOT_NULL(test, w);
	s = wl_pair(test, w, &peer);
	wt_reset(test, peer);
	KUNIT_EXPECT_EQ(test, wl_recv(s, buf, sizeof(buf), 0, &got), -ECONNRESET);
	KUNIT_EXPECT_EQ(test, got, 0);
}

/* What a careless caller gets: Linux's errors, or wsk's -EOPNOTSUPP/-EINVAL. */
static void wsk_tls_errors(struct kunit *test)
{
	struct wl_conn *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	struct tls12_crypto_info_aes_gcm_128 ci;
	char big[WSK_OPT_RAW_MAX + 1] = {};
	struct wsk_socket *ls, *s;
	struct socket *peer;

	KUNIT_ASSERT_NOT_NULL(test, w);
	wl_keys(&ci, 0x33);
	s = wl_accept(test, w, &peer, &ls);
	/* Not on a listener: TLS needs an established connection. */
	KUNIT_EXPECT_EQ(test, wl_set(ls, SOL_TCP, TCP_ULP, "tls", 4), -ENOTCONN);

	/* Another ULP, or none named: refused before anything is queued. */
	KUNIT_EXPECT_EQ(test, wl_set(s, SOL_TCP, TCP_ULP, "smc", 4), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, wl_set(s, SOL_TCP, TCP_ULP, "tlsx", 5), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, wl_set(s, SOL_TCP, TCP_ULP, NULL, 0), -EOPNOTSUPP);
	/* Keys before the ULP: TCP does not know SOL_TLS. */
	KUNIT_EXPECT_EQ(test, wl_set(s, SOL_TLS, TLS_TX, &ci, sizeof(ci)), -ENOPROTOOPT);
	KUNIT_EXPECT_EQ(test, wl_set(s, SOL_TCP, TCP_ULP, "tls", 4), 0);
	KUNIT_EXPECT_EQ(test, wl_set(s, SOL_TCP, TCP_ULP, "tls", 4), -EEXIST);
	/* Sizes: none, more than wsk takes, and one TLS refuses. */
	KUNIT_EXPECT_EQ(test, wl_set(s, SOL_TLS, TLS_TX, &ci, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, wl_set(s, SOL_TLS, TLS_TX, NULL, sizeof(ci)), -EINVAL);
	KUNIT_EXPECT_EQ(test, wl_set(s, SOL_TLS, TLS_TX, big, sizeof(big)), -EINVAL);
	KUNIT_EXPECT_EQ(test, wl_set(s, SOL_TLS, TLS_TX, &ci, sizeof(ci) - 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, wl_set(s, SOL_TLS, TLS_TX, &ci, sizeof(ci)), 0);
	/* Keys once per direction. */
	KUNIT_EXPECT_EQ(test, wl_set(s, SOL_TLS, TLS_TX, &ci, sizeof(ci)), -EBUSY);
	KUNIT_EXPECT_EQ(test, wl_set(s, SOL_TLS, TLS_RX, &ci, sizeof(ci)), 0);
	KUNIT_EXPECT_EQ(test, wl_set(s, SOL_TLS, TLS_RX, &ci, sizeof(ci)), -EBUSY);
	/* Still a working connection, closed with TLS on it. */
	KUNIT_EXPECT_EQ(test, wl_peer_tls(peer, &ci), 0);
	KUNIT_EXPECT_EQ(test, wl_send(s, "ok", 2, 0), 0);
	{
		char buf[2];

		KUNIT_EXPECT_EQ(test, wt_recv(peer, buf, 2), 2);
		KUNIT_EXPECT_EQ(test, memcmp(buf, "ok", 2), 0);
	}
	KUNIT_EXPECT_EQ(test, wt_close(test, s), 0);
}

static struct kunit_case wsk_tls_cases[] = {
	KUNIT_CASE(wsk_tls_roundtrip),
	KUNIT_CASE(wsk_tls_ordering),
	KUNIT_CASE(wsk_tls_indications),
	KUNIT_CASE(wsk_tls_drain),
	KUNIT_CASE(wsk_tls_disconnect),
	KUNIT_CASE(wsk_tls_alert),
	KUNIT_CASE(wsk_tls_bad_key),
	KUNIT_CASE(wsk_tls_reset),
	KUNIT_CASE(wsk_tls_errors),
	{}
};

static struct kunit_suite wsk_tls_suite = {
	.name = "wsk_tls",
	.init = wt_init,
	.exit = wt_exit,
	.test_cases = wsk_tls_cases,
};

kunit_test_suite(wsk_tls_suite);
