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
#include <wsk/wsk.h>

/* Every wait in the suites is bounded by this. */
#define WT_TIMEOUT	(10 * HZ)

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

#define WT_MAX_TRACKED	128

/**
 * struct wt - the per-test fixture (test->priv), set up by wt_init()
 * @test: the test
 * @client: a registered client, deregistered at exit
 * @wsk: wsk sockets closed at exit unless closed by wt_close()
 * @nr_wsk: entries in @wsk
 * @kern: client-side kernel sockets released at exit
 * @nr_kern: entries in @kern
 */
struct wt {
	struct kunit *test;
	struct wsk_client *client;
	struct wsk_socket *wsk[WT_MAX_TRACKED];
	int nr_wsk;
	struct socket *kern[WT_MAX_TRACKED];
	int nr_kern;
};

/* Suite .init / .exit */
int wt_init(struct kunit *test);
void wt_exit(struct kunit *test);

static inline struct wt *wt(struct kunit *test)
{
	return test->priv;
}

void wt_track(struct kunit *test, struct wsk_socket *s);
void wt_untrack(struct kunit *test, struct wsk_socket *s);
/* Synchronous wsk operations for the fixture's client; they track sockets. */
int wt_socket(struct kunit *test, int family, unsigned int flags, struct wsk_socket **s);
int wt_bind(struct kunit *test, struct wsk_socket *s, const struct sockaddr *addr, int len);
int wt_close(struct kunit *test, struct wsk_socket *s);
int wt_set_u32(struct kunit *test, struct wsk_socket *s, int level, u32 code, u32 val);
int wt_get_int(struct kunit *test, struct wsk_socket *s, int level, u32 code, int *val);
int wt_local_address(struct kunit *test, struct wsk_socket *s, struct sockaddr_storage *ss);
int wt_remote_address(struct kunit *test, struct wsk_socket *s, struct sockaddr_storage *ss);

/* Loopback (or any) address of @family with @port (host order). */
int wt_addr(struct sockaddr_storage *ss, int family, bool any, u16 port);
u16 wt_port(const struct sockaddr_storage *ss);

/* A bound listener on loopback (any: the wildcard), port 0. Asserts. */
struct wsk_socket *wt_listener(struct kunit *test, int family, bool any, u32 backlog,
			       u16 *port);

/*
 * A client kernel socket of @family connected to @family's loopback address
 * and @port (blocking connect), tracked; @client_port gets its local port.
 */
int wt_connect(struct kunit *test, int family, u16 port, u16 *client_port,
	       struct socket **sock);
void wt_release(struct kunit *test, struct socket *sock);

/* A counter of /sys/kernel/debug/wsk/stats, or LONG_MIN if unreadable. */
long wt_stat(const char *name);

/* Poll @cond(@arg) every 1-2 ms until true (true) or WT_TIMEOUT (false). Sleeps. */
bool wt_poll(bool (*cond)(void *arg), void *arg);

/* For wt_poll(): a task waits for the lock of the struct sock @arg. */
bool wt_lock_waited(void *arg);

#endif /* _WSK_KUNIT_UTIL_H */
