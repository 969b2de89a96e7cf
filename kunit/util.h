/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the wsk KUnit suites: a counting request, a per-test
 * fixture that owns a client and closes whatever a test leaves open (so a
 * failed assertion never leaks or hangs wsk_deregister()), loopback client
 * sockets, and the debugfs counters.
 */
#ifndef _WSK_KUNIT_UTIL_H
#define _WSK_KUNIT_UTIL_H

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>
#include <wsk/wsk.h>

/* After <kunit/test.h>: the KUnit differences between 6.1 and 6.12. */
#include "compat.h"

/* Every wait in the suites is bounded by this. */
#define WT_TIMEOUT	(10 * HZ)

/*
 * Wait on @wq, which the test's callbacks wake, for @cond; on timeout the
 * assertion (or expectation) fails naming the condition.
 */
#define WT_ASSERT_WAIT(test, wq, cond) do {					\
	bool __ok = wait_event_timeout(wq, (cond), WT_TIMEOUT);			\
	KUNIT_ASSERT_TRUE_MSG(test, __ok, "timed out waiting for %s", #cond);	\
} while (0)
#define WT_EXPECT_WAIT(test, wq, cond) do {					\
	bool __ok = wait_event_timeout(wq, (cond), WT_TIMEOUT);			\
	KUNIT_EXPECT_TRUE_MSG(test, __ok, "timed out waiting for %s", #cond);	\
} while (0)

/**
 * struct wt_req - a request that records its completions
 * @req: the wsk request
 * @done: completed at each completion
 * @count: completions so far
 * @status: @req.status at the last completion
 * @socket: @req.result.socket at the last completion
 * @seq: value of the owner's sequence counter at the last completion
 * @seq_src: optional sequence counter, incremented at each completion
 * @checked: completions a test has accounted for
 * @owner: a test's own pointer, for the completion routines it sets itself
 * @local: accept's local buffer
 * @remote: accept's remote buffer
 */
struct wt_req {
	struct wsk_req req;
	struct completion done;
	atomic_t count;
	int status;
	struct wsk_socket *socket;
	int seq;
	atomic_t *seq_src;
	int checked;
	void *owner;
	struct sockaddr_storage local;
	struct sockaddr_storage remote;
};

void wt_req_init(struct wt_req *r);
/*
 * A test-managed request: freed only after the fixture's exit has closed
 * every socket, so a failed assertion never leaves a pending request on a
 * dead stack.
 */
struct wt_req *wt_req_new(struct kunit *test);
/* Wait for the next completion; false (and a failed expectation) on timeout. */
bool wt_wait(struct kunit *test, struct wt_req *r);

/**
 * struct wt_fixture - the per-test fixture (test->priv), set up by wt_init()
 * @test: the test
 * @client: a registered client, deregistered at exit
 * @wsk: the wsk sockets to close at exit unless closed by wt_close(),
 *	indexed by an id of no meaning; event callbacks track the sockets they
 *	are given, so it is filled from any context (its own lock, taken with
 *	interrupts off, and GFP_ATOMIC)
 * @data: a suite's own per-test state
 *
 * Client-side kernel sockets are not here: wt_own() gives each to KUnit, as
 * an action that releases it when the test ends.
 */
struct wt_fixture {
	struct kunit *test;
	struct wsk_client *client;
	struct xarray wsk;
	void *data;
};

/* Suite .init / .exit */
int wt_init(struct kunit *test);
void wt_exit(struct kunit *test);

static inline struct wt_fixture *wt(struct kunit *test)
{
	return test->priv;
}

/* Any context (event callbacks included): the socket is closed at exit. */
void wt_track(struct kunit *test, struct wsk_socket *s);
void wt_untrack(struct kunit *test, struct wsk_socket *s);
/* Synchronous wsk operations for the fixture's client; they track sockets. */
int wt_socket(struct kunit *test, int family, unsigned int flags, struct wsk_socket **s);
/* wt_socket() with a socket_context and a client dispatch table */
int wt_socket_ctx(struct kunit *test, int family, unsigned int flags, void *context,
		  const void *dispatch, struct wsk_socket **s);
int wt_bind(struct kunit *test, struct wsk_socket *s, const struct sockaddr *addr, int len);
int wt_close(struct kunit *test, struct wsk_socket *s);
int wt_set_u32(struct kunit *test, struct wsk_socket *s, int level, u32 code, u32 val);
int wt_get_int(struct kunit *test, struct wsk_socket *s, int level, u32 code, int *val);
int wt_local_address(struct kunit *test, struct wsk_socket *s, struct sockaddr_storage *ss);
int wt_remote_address(struct kunit *test, struct wsk_socket *s, struct sockaddr_storage *ss);

/* What a test fills an address out-parameter with before the call. */
#define WT_POISON	0xa5
/*
 * Bytes of @ss past the length of @family's address that are no longer
 * WT_POISON: wsk writes an address out-parameter only to the family's
 * length, so a ported sockaddr_in behind a sockaddr_storage cast is not
 * overrun.
 */
size_t wt_tail_touched(const struct sockaddr_storage *ss, int family);

/* Loopback (or any) address of @family with @port (host order). */
int wt_addr(struct sockaddr_storage *ss, int family, bool any, u16 port);
u16 wt_port(const struct sockaddr_storage *ss);

/* A bound listener on loopback (any: the wildcard), port 0. Asserts. */
struct wsk_socket *wt_listener(struct kunit *test, int family, bool any, u32 backlog,
			       u16 *port);
/* wt_listener() with a socket_context and a client listen dispatch table */
struct wsk_socket *wt_listener_ctx(struct kunit *test, int family, bool any, u32 backlog,
				   void *context, const struct wsk_client_listen_dispatch *dispatch,
				   u16 *port);

/*
 * WSK_SO_EVENT_CALLBACK with @mask on @s; @req may be NULL. Returns what
 * wsk_control() returned.
 */
int wt_events(struct wsk_socket *s, u32 mask, struct wsk_req *req);

/*
 * A client kernel socket of @family connected to @family's loopback address
 * and @port (blocking connect), tracked; @client_port gets its local port.
 */
int wt_connect(struct kunit *test, int family, u16 port, u16 *client_port,
	       struct socket **sock);
/*
 * wt_connect() for a server that may reset the connection as soon as it is
 * established: the client port is bound before the connect, and a connect
 * that sees the reset returns -ECONNRESET with @sock kept (tracked).
 */
int wt_connect_early(struct kunit *test, int family, u16 port, u16 *client_port,
		     struct socket **sock);
/*
 * The connection of @sock is reset: @connect_ret is what wt_connect_early()
 * returned (-ECONNRESET: seen already), else a bounded recv must see it.
 */
bool wt_reset_seen(struct socket *sock, int connect_ret);
/*
 * Process context: @sock is released when the test ends (a KUnit action).
 * Returns 0, or -ENOMEM having released it already.
 */
int wt_own(struct kunit *test, struct socket *sock);
/* Release @sock, tracked by wt_own(), now. */
void wt_release(struct kunit *test, struct socket *sock);
/* Release @sock with SO_LINGER 0: the peer sees a reset. */
void wt_reset(struct kunit *test, struct socket *sock);

/*
 * Client socket I/O, blocking but bounded by WT_TIMEOUT per call. Return the
 * bytes moved (all of @len unless an error or the timeout came first) or a
 * negative errno if none moved; wt_recv() returns 0 at end of stream.
 */
int wt_send(struct socket *sock, const void *buf, size_t len);
int wt_recv(struct socket *sock, void *buf, size_t len);
/* One recvmsg of up to @len bytes (bounded): bytes, 0 at EOF, or -errno. */
int wt_recv_once(struct socket *sock, void *buf, size_t len);

/* A counter of /sys/kernel/debug/wsk/stats, or LONG_MIN if unreadable. */
long wt_stat(const char *name);
/* Poll (WT_TIMEOUT) until counter @name reads @val; returns the last value read. */
long wt_stat_wait(const char *name, long val);

/* Poll @cond(@arg) every 1-2 ms until true (true) or WT_TIMEOUT (false). Sleeps. */
bool wt_poll(bool (*cond)(void *arg), void *arg);

/* For wt_poll(): a task waits for the lock of the struct sock @arg. */
bool wt_lock_waited(void *arg);

#endif /* _WSK_KUNIT_UTIL_H */
