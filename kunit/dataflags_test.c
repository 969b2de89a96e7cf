// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "wsk_dataflags": the data-path flags. WSK_FLAG_NODELAY on a
 * send pushes what Nagle holds back and leaves the socket's own setting as
 * it was; WSK_FLAG_DRAIN on a receive discards every byte until the end of
 * the connection (graceful: 0, reset: -ECONNRESET) or a cancel, and counts
 * them; TCP urgent bytes are not among them, and the mark is passed once.
 * Page buffers (WSK_FLAG_PAGES) are sent without a copy where the kernel
 * can, and received into.
 *
 * Nagle is made to hold a segment deterministically: the peer's socket lock
 * is held, so its ACKs wait in its backlog, and a second small segment
 * waits behind the first, unacknowledged, one (Minshall's check).
 */
#include <kunit/test.h>
#include <linux/bvec.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "internal.h"
#include "util.h"

/* An accepted connection (tracked) and its peer, IPv4 loopback. */
static struct wsk_socket *wd_pair(struct kunit *test, struct socket **peer)
{
	struct wt_req *r = wt_req_new(test);
	struct wsk_socket *ls;
	u16 port;

	ls = wt_listener(test, AF_INET, false, 0, &port);
	KUNIT_ASSERT_EQ(test, wsk_accept(ls, 0, NULL, NULL, NULL, NULL, &r->req), -EINPROGRESS);
	KUNIT_ASSERT_EQ(test, wt_connect(test, AF_INET, port, NULL, peer), 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_ASSERT_EQ(test, r->status, 0);
	wt_track(test, r->socket);
	return r->socket;
}

static int wd_send(struct wsk_socket *s, const void *data, size_t len, unsigned int flags)
{
	struct kvec kv = { .iov_base = (void *)data, .iov_len = len };
	struct wsk_buf b = { .kvec = &kv, .nr_segs = 1, .length = len };
	struct wsk_sync sync;

	wsk_sync_init(&sync);
	return wsk_sync_wait_timeout(&sync, wsk_send(s, &b, flags, &sync.req), WT_TIMEOUT);
}

/*
 * Bytes of @s's stream queued in TCP and not yet sent. Read without the
 * socket lock: the test holds its peer's, of the same lock class, and @s's
 * work is done with the send that completed.
 */
static u32 wd_unsent(struct wsk_socket *s)
{
	const struct tcp_sock *tp = tcp_sk(wsk_sock(s)->sock->sk);

	return READ_ONCE(tp->write_seq) - READ_ONCE(tp->snd_nxt);
}

struct wd_seq {
	struct sock *sk;
	u32 from;
	u32 bytes;
};

static bool wd_consumed(void *arg)
{
	struct wd_seq *q = arg;

	return READ_ONCE(tcp_sk(q->sk)->copied_seq) - q->from >= q->bytes;
}

static bool wd_nagle_off(struct wsk_socket *s)
{
	return tcp_sk(wsk_sock(s)->sock->sk)->nonagle & TCP_NAGLE_OFF;
}

/* Nagle holds a small send; a NODELAY send pushes it and its own bytes. */
static void wsk_dataflags_nodelay(struct kunit *test)
{
	struct socket *peer;
	struct wsk_socket *s = wd_pair(test, &peer);
	char buf[16] = {};

	KUNIT_ASSERT_FALSE(test, wd_nagle_off(s));
	/* The peer acknowledges nothing while its lock is held. */
	lock_sock(peer->sk);
	KUNIT_EXPECT_EQ(test, wd_send(s, "a", 1, 0), 0);
	KUNIT_EXPECT_EQ(test, wd_unsent(s), 0);		/* nothing in flight: sent */
	KUNIT_EXPECT_EQ(test, wd_send(s, "b", 1, 0), 0);
	KUNIT_EXPECT_EQ(test, wd_unsent(s), 1);		/* held behind "a" */
	KUNIT_EXPECT_EQ(test, wd_send(s, "c", 1, WSK_FLAG_NODELAY), 0);
	KUNIT_EXPECT_EQ(test, wd_unsent(s), 0);		/* "b" and "c" pushed */
	/* The socket keeps Nagle for the sends after it. */
	KUNIT_EXPECT_FALSE(test, wd_nagle_off(s));
	release_sock(peer->sk);
	KUNIT_EXPECT_EQ(test, wt_recv(peer, buf, 3), 3);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "abc", 3), 0);

	/* With TCP_NODELAY set by the client, a NODELAY send leaves it set. */
	KUNIT_ASSERT_EQ(test, wt_set_u32(test, s, SOL_TCP, TCP_NODELAY, 1), 0);
	KUNIT_EXPECT_EQ(test, wd_send(s, "d", 1, WSK_FLAG_NODELAY), 0);
	KUNIT_EXPECT_TRUE(test, wd_nagle_off(s));
	KUNIT_EXPECT_EQ(test, wt_recv(peer, buf, 1), 1);
	KUNIT_EXPECT_EQ(test, buf[0], 'd');
}

static int wd_drain(struct wsk_socket *s, struct wt_req *r)
{
	static const struct wsk_buf empty = {};

	return wsk_receive(s, &empty, WSK_FLAG_DRAIN, &r->req);
}

/* A drain discards everything, completes at the peer's FIN with the count. */
static void wsk_dataflags_drain_graceful(struct kunit *test)
{
	const size_t total = 256 * 1024;
	struct wt_req *r = wt_req_new(test), *after = wt_req_new(test);
	char *data = kunit_kzalloc(test, 64 * 1024, GFP_KERNEL);
	struct socket *peer;
	struct wsk_socket *s = wd_pair(test, &peer);
	size_t sent;
	char buf[4];
	struct kvec kv = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct wsk_buf b = { .kvec = &kv, .nr_segs = 1, .length = sizeof(buf) };

	KUNIT_ASSERT_NOT_NULL(test, data);
	KUNIT_ASSERT_EQ(test, wd_drain(s, r), -EINPROGRESS);
	/* A receive behind it gets nothing: the drain takes every byte. */
	KUNIT_ASSERT_EQ(test, wsk_receive(s, &b, 0, &after->req), -EINPROGRESS);
	/* More than the receive buffer: the peer's sends only finish if it is drained. */
	for (sent = 0; sent < total; sent += 64 * 1024)
		KUNIT_ASSERT_EQ(test, wt_send(peer, data, 64 * 1024), 64 * 1024);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 0);
	KUNIT_ASSERT_EQ(test, kernel_sock_shutdown(peer, SHUT_WR), 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_EXPECT_EQ(test, r->status, 0);
	KUNIT_EXPECT_EQ(test, r->req.result.bytes, total);
	/* The receive behind it sees the end of the stream. */
	KUNIT_ASSERT_TRUE(test, wt_wait(test, after));
	KUNIT_EXPECT_EQ(test, after->status, 0);
	KUNIT_EXPECT_EQ(test, after->req.result.bytes, 0);
}

/* One send of the peer with @flags (MSG_OOB: its last byte is urgent). */
static int wd_peer_send(struct socket *sock, const char *data, int flags)
{
	struct msghdr msg = { .msg_flags = flags | MSG_NOSIGNAL };
	struct kvec iov = { .iov_base = (void *)data, .iov_len = strlen(data) };

	return kernel_sendmsg(sock, &msg, &iov, 1, iov.iov_len);
}

/*
 * Urgent data under a drain: the drain counts the bytes recv(2) without
 * MSG_OOB reads (the urgent byte is not one of them), passes the urgent
 * mark once and completes once at the FIN. An urgent byte the drain stopped
 * at and read over and over would never let it complete with this count.
 */
static void wsk_dataflags_drain_urgent(struct kunit *test)
{
	struct wt_req *r = wt_req_new(test), *after = wt_req_new(test);
	char buf[4];
	struct kvec kv = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct wsk_buf b = { .kvec = &kv, .nr_segs = 1, .length = sizeof(buf) };
	struct socket *peer;
	struct wsk_socket *s = wd_pair(test, &peer);
	struct wd_seq q;

	q.sk = wsk_sock(s)->sock->sk;
	q.from = READ_ONCE(tcp_sk(q.sk)->copied_seq);
	q.bytes = 4;	/* the sequence space of U and abc */
	KUNIT_ASSERT_EQ(test, wd_drain(s, r), -EINPROGRESS);
	KUNIT_ASSERT_EQ(test, wsk_receive(s, &b, 0, &after->req), -EINPROGRESS);
	/* The urgent byte alone first: the stream before it is empty. */
	KUNIT_ASSERT_EQ(test, wd_peer_send(peer, "U", MSG_OOB), 1);
	KUNIT_ASSERT_EQ(test, wd_peer_send(peer, "abc", 0), 3);
	/* Up to the mark and past it before the next urgent byte replaces it. */
	KUNIT_ASSERT_TRUE_MSG(test, wt_poll(wd_consumed, &q), "the drain stopped at the mark");
	KUNIT_ASSERT_EQ(test, wd_peer_send(peer, "defV", MSG_OOB), 4);
	KUNIT_ASSERT_EQ(test, wd_peer_send(peer, "gh", 0), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 0);
	KUNIT_ASSERT_EQ(test, kernel_sock_shutdown(peer, SHUT_WR), 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_EXPECT_EQ(test, r->status, 0);
	KUNIT_EXPECT_EQ(test, r->req.result.bytes, 3 + 3 + 2);	/* abc, def, gh */
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 1);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, after));
	KUNIT_EXPECT_EQ(test, after->status, 0);
	KUNIT_EXPECT_EQ(test, after->req.result.bytes, 0);
}

/* A reset ends a drain with -ECONNRESET; a cancel with -ECANCELED, at once. */
static void wsk_dataflags_drain_reset_cancel(struct kunit *test)
{
	struct wt_req *r = wt_req_new(test);
	struct wd_seq q;
	struct socket *peer;
	struct wsk_socket *s = wd_pair(test, &peer);

	KUNIT_ASSERT_EQ(test, wd_drain(s, r), -EINPROGRESS);
	KUNIT_ASSERT_EQ(test, wt_send(peer, "xyz", 3), 3);
	wt_reset(test, peer);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_EXPECT_EQ(test, r->status, -ECONNRESET);
	KUNIT_EXPECT_EQ(test, r->req.result.bytes, 0);	/* zeroed with the error */

	s = wd_pair(test, &peer);
	q.sk = wsk_sock(s)->sock->sk;
	q.from = READ_ONCE(tcp_sk(q.sk)->copied_seq);
	q.bytes = 3;
	wt_req_init(r);
	KUNIT_ASSERT_EQ(test, wd_drain(s, r), -EINPROGRESS);
	KUNIT_ASSERT_EQ(test, wt_send(peer, "abc", 3), 3);
	KUNIT_ASSERT_TRUE_MSG(test, wt_poll(wd_consumed, &q), "the drain did not take the bytes");
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 0);
	KUNIT_EXPECT_TRUE(test, wsk_req_cancel(&r->req));
	KUNIT_ASSERT_TRUE(test, wt_wait(test, r));
	KUNIT_EXPECT_EQ(test, r->status, -ECANCELED);
	/* The connection goes on: a receive gets what comes next, and only that. */
	KUNIT_ASSERT_EQ(test, wt_send(peer, "next", 4), 4);
	{
		char buf[4] = {};
		struct kvec kv = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct wsk_buf b = { .kvec = &kv, .nr_segs = 1, .length = sizeof(buf) };
		struct wsk_sync sync;
		int ret;

		wsk_sync_init(&sync);
		ret = wsk_receive(s, &b, WSK_FLAG_WAITALL, &sync.req);
		KUNIT_EXPECT_EQ(test, wsk_sync_wait_timeout(&sync, ret, WT_TIMEOUT), 0);
		KUNIT_EXPECT_EQ(test, memcmp(buf, "next", 4), 0);
	}
}

KUNIT_DEFINE_ACTION_WRAPPER(wd_free_page, __free_page, struct page *);

/* A page of a page-buffer case, freed when the test ends. */
static struct page *wd_page(struct kunit *test)
{
	struct page *page = alloc_page(GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, wd_free_page, page), 0);
	return page;
}

static int wd_buf_send(struct wsk_socket *s, const struct wsk_buf *b)
{
	struct wsk_sync sync;

	wsk_sync_init(&sync);
	return wsk_sync_wait_timeout(&sync, wsk_send(s, b, WSK_FLAG_PAGES, &sync.req),
				     WT_TIMEOUT);
}

/*
 * WSK_FLAG_PAGES: a send from three pages at offsets (the buffer's own offset
 * into the first) reaches the peer byte for byte; where the kernel splices
 * pages (6.12) TCP holds references on them instead of a copy after the
 * send completed; 6.1 copies. A receive fills pages; slab memory in a bvec
 * is sent (copied: it cannot be spliced); a graceful disconnect sends its
 * final data from a page before the FIN.
 */
static void wsk_dataflags_pages(struct kunit *test)
{
	struct page *pages[3] = { wd_page(test), wd_page(test), wd_page(test) };
	struct bio_vec bv[3] = {
		{ .bv_page = pages[0], .bv_offset = 50, .bv_len = 100 },
		{ .bv_page = pages[1], .bv_offset = 0, .bv_len = PAGE_SIZE },
		{ .bv_page = pages[2], .bv_offset = 10, .bv_len = 500 },
	};
	const size_t total = 100 + PAGE_SIZE + 500, off = 20, len = total - off - 30;
	struct wsk_buf b = { .bvec = bv, .nr_segs = 3, .offset = off, .length = len };
	u8 *want = kunit_kzalloc(test, total, GFP_KERNEL);
	u8 *got = kunit_kzalloc(test, total, GFP_KERNEL);
	u8 *slab = kunit_kzalloc(test, 300, GFP_KERNEL);
	struct socket *peer;
	struct wsk_socket *s = wd_pair(test, &peer);
	struct wsk_sync sync;
	size_t i, at = 0;
	int ret, refs;

	KUNIT_ASSERT_NOT_NULL(test, want);
	KUNIT_ASSERT_NOT_NULL(test, got);
	KUNIT_ASSERT_NOT_NULL(test, slab);
	for (i = 0; i < 3; i++) {
		u8 *p = page_address(pages[i]) + bv[i].bv_offset;
		size_t j;

		for (j = 0; j < bv[i].bv_len; j++, at++) {
			p[j] = (u8)(at * 31 + 7);
			want[at] = p[j];
		}
	}
	KUNIT_ASSERT_EQ(test, wd_buf_send(s, &b), 0);
	/* The peer has not read: a spliced page is still referenced by TCP. */
	refs = page_count(pages[1]);
	if (WSK_MSG_SPLICE_PAGES)
		KUNIT_EXPECT_GT_MSG(test, refs, 1, "the pages were copied, not spliced");
	else
		KUNIT_EXPECT_EQ_MSG(test, refs, 1, "6.1 copies the pages");
	KUNIT_ASSERT_EQ(test, wt_recv(peer, got, len), (int)len);
	KUNIT_EXPECT_EQ(test, memcmp(got, want + off, len), 0);

	/* Slab memory in a bvec: copied, never handed to TCP by reference. */
	memset(slab, 'k', 300);
	bv[0] = (struct bio_vec){ .bv_page = virt_to_page(slab), .bv_offset = offset_in_page(slab),
				  .bv_len = 300 };
	b = (struct wsk_buf){ .bvec = bv, .nr_segs = 1, .length = 300 };
	if (offset_in_page(slab) + 300 <= PAGE_SIZE) {
		KUNIT_ASSERT_EQ(test, wd_buf_send(s, &b), 0);
		KUNIT_ASSERT_EQ(test, wt_recv(peer, got, 300), 300);
		KUNIT_EXPECT_TRUE(test, !memchr_inv(got, 'k', 300));
	}

	/* A receive into two pages, WAITALL, at an offset. */
	bv[0] = (struct bio_vec){ .bv_page = pages[0], .bv_offset = 0, .bv_len = PAGE_SIZE };
	bv[1] = (struct bio_vec){ .bv_page = pages[1], .bv_offset = 0, .bv_len = PAGE_SIZE };
	memset(page_address(pages[0]), 0, PAGE_SIZE);
	memset(page_address(pages[1]), 0, PAGE_SIZE);
	b = (struct wsk_buf){ .bvec = bv, .nr_segs = 2, .offset = 7, .length = PAGE_SIZE + 100 };
	for (i = 0; i < PAGE_SIZE + 100; i++)
		want[i] = (u8)(i * 13 + 1);
	wsk_sync_init(&sync);
	ret = wsk_receive(s, &b, WSK_FLAG_WAITALL | WSK_FLAG_PAGES, &sync.req);
	KUNIT_ASSERT_EQ(test, wt_send(peer, want, PAGE_SIZE + 100), (int)PAGE_SIZE + 100);
	KUNIT_ASSERT_EQ(test, wsk_sync_wait_timeout(&sync, ret, WT_TIMEOUT), 0);
	KUNIT_EXPECT_EQ(test, sync.req.result.bytes, PAGE_SIZE + 100);
	KUNIT_EXPECT_EQ(test, memcmp(page_address(pages[0]) + 7, want, PAGE_SIZE - 7), 0);
	KUNIT_EXPECT_EQ(test, memcmp(page_address(pages[1]), want + PAGE_SIZE - 7, 107), 0);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(page_address(pages[0]), 0, 7));

	/* A graceful disconnect's final data from a page, then the FIN. */
	memset(page_address(pages[2]), 'f', 64);
	bv[0] = (struct bio_vec){ .bv_page = pages[2], .bv_offset = 0, .bv_len = 64 };
	b = (struct wsk_buf){ .bvec = bv, .nr_segs = 1, .length = 64 };
	wsk_sync_init(&sync);
	ret = wsk_disconnect(s, &b, WSK_FLAG_PAGES, &sync.req);
	KUNIT_ASSERT_EQ(test, wsk_sync_wait_timeout(&sync, ret, WT_TIMEOUT), 0);
	KUNIT_EXPECT_EQ(test, sync.req.result.bytes, 64);
	KUNIT_ASSERT_EQ(test, wt_recv(peer, got, 64), 64);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(got, 'f', 64));
	KUNIT_EXPECT_EQ(test, wt_recv(peer, got, 1), 0);	/* the FIN */
}

/*
 * Page buffers that lie, and WSK_FLAG_PAGES where it means nothing (an
 * abortive disconnect): -EINVAL inline.
 */
static void wsk_dataflags_pages_errors(struct kunit *test)
{
	struct page *page = wd_page(test);
	struct bio_vec bv = { .bv_page = page, .bv_offset = 0, .bv_len = 64 };
	struct wt_req *r = wt_req_new(test);
	struct socket *peer;
	struct wsk_socket *s = wd_pair(test, &peer);
	struct wsk_buf b = { .bvec = &bv, .nr_segs = 1, .length = 65 };

	KUNIT_EXPECT_EQ(test, wsk_send(s, &b, WSK_FLAG_PAGES, &r->req), -EINVAL);
	wt_req_init(r);
	b.length = 60;
	b.offset = 5;
	KUNIT_EXPECT_EQ(test, wsk_receive(s, &b, WSK_FLAG_PAGES, &r->req), -EINVAL);
	wt_req_init(r);
	b.offset = 2;
	b.length = SIZE_MAX;
	KUNIT_EXPECT_EQ(test, wsk_send(s, &b, WSK_FLAG_PAGES | WSK_FLAG_NODELAY, &r->req),
			-EINVAL);
	wt_req_init(r);
	b.offset = 0;
	b.length = 64;
	KUNIT_EXPECT_EQ(test, wsk_disconnect(s, &b, WSK_FLAG_PAGES | WSK_FLAG_ABORTIVE, &r->req),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->count), 1);	/* completed, once */
}

/*
 * A buffer filled member by member in memory that is not zeroed (as
 * kmalloc() gives it): whatever its padding holds, a send and a receive of
 * kvec segments work.
 */
static void wsk_dataflags_buf_unzeroed(struct kunit *test)
{
	struct wsk_buf *b = kunit_kmalloc(test, sizeof(*b), GFP_KERNEL);
	char out[5] = "abcde", in[5] = {};
	struct kvec kv = { .iov_base = out, .iov_len = sizeof(out) };
	struct socket *peer;
	struct wsk_socket *s = wd_pair(test, &peer);
	struct wsk_sync sync;

	KUNIT_ASSERT_NOT_NULL(test, b);
	memset(b, 0xa5, sizeof(*b));
	b->kvec = &kv;
	b->nr_segs = 1;
	b->offset = 0;
	b->length = sizeof(out);
	wsk_sync_init(&sync);
	KUNIT_ASSERT_EQ(test, wsk_sync_wait_timeout(&sync, wsk_send(s, b, 0, &sync.req),
						    WT_TIMEOUT), 0);
	KUNIT_ASSERT_EQ(test, wt_recv(peer, in, sizeof(in)), (int)sizeof(in));
	KUNIT_EXPECT_EQ(test, memcmp(in, out, sizeof(in)), 0);
	kv.iov_base = in;
	memset(in, 0, sizeof(in));
	wsk_sync_init(&sync);
	KUNIT_ASSERT_EQ(test, wt_send(peer, "vwxyz", 5), 5);
	KUNIT_ASSERT_EQ(test, wsk_sync_wait_timeout(&sync,
						    wsk_receive(s, b, WSK_FLAG_WAITALL, &sync.req),
						    WT_TIMEOUT), 0);
	KUNIT_EXPECT_EQ(test, memcmp(in, "vwxyz", 5), 0);
}

/* The flag errors, each completed inline with -EINVAL. */
static void wsk_dataflags_errors(struct kunit *test)
{
	static const struct wsk_buf empty = {};
	struct wt_req *r = wt_req_new(test);
	struct socket *peer;
	struct wsk_socket *s = wd_pair(test, &peer);
	char buf[4];
	struct kvec kv = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct wsk_buf b = { .kvec = &kv, .nr_segs = 1, .length = sizeof(buf) };

	KUNIT_EXPECT_EQ(test, wsk_receive(s, &b, WSK_FLAG_DRAIN, &r->req), -EINVAL);
	wt_req_init(r);
	KUNIT_EXPECT_EQ(test, wsk_receive(s, &empty, WSK_FLAG_DRAIN | WSK_FLAG_WAITALL, &r->req),
			-EINVAL);
	wt_req_init(r);
	KUNIT_EXPECT_EQ(test, wsk_receive(s, &empty, WSK_FLAG_DRAIN | 0x10, &r->req), -EINVAL);
	wt_req_init(r);
	KUNIT_EXPECT_EQ(test, wsk_send(s, &b, WSK_FLAG_DRAIN, &r->req), -EINVAL);
	wt_req_init(r);
	KUNIT_EXPECT_EQ(test, wsk_send(s, &b, WSK_FLAG_NODELAY | WSK_FLAG_ABORTIVE, &r->req),
			-EINVAL);
	wt_req_init(r);
	KUNIT_EXPECT_EQ(test, wsk_disconnect(s, NULL, WSK_FLAG_NODELAY, &r->req), -EINVAL);
	/* A zero-length receive without DRAIN still completes inline. */
	wt_req_init(r);
	KUNIT_EXPECT_EQ(test, wsk_receive(s, &empty, 0, &r->req), 0);
}

static struct kunit_case wsk_dataflags_cases[] = {
	KUNIT_CASE(wsk_dataflags_nodelay),
	KUNIT_CASE(wsk_dataflags_drain_graceful),
	KUNIT_CASE(wsk_dataflags_drain_urgent),
	KUNIT_CASE(wsk_dataflags_drain_reset_cancel),
	KUNIT_CASE(wsk_dataflags_errors),
	KUNIT_CASE(wsk_dataflags_pages),
	KUNIT_CASE(wsk_dataflags_pages_errors),
	KUNIT_CASE(wsk_dataflags_buf_unzeroed),
	{}
};

static struct kunit_suite wsk_dataflags_suite = {
	.name = "wsk_dataflags",
	.init = wt_init,
	.exit = wt_exit,
	.test_cases = wsk_dataflags_cases,
};

kunit_test_suite(wsk_dataflags_suite);
