// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "wsk_misuse": every bad input that the kernel-doc of wsk's
 * exported functions (at their definitions in the wsk/ .c files) and of
 * include/wsk/wsk.h, and the Documentation/ pages they point to, document,
 * one table row each, on real loopback sockets.
 *
 * 248 rows for the 150 bad inputs documented (the clauses of the "Return:"
 * lists, and the rules of the pages they point to; wsk_listen_sync()'s are
 * covered by wsk_accept_listen_sync_fails), 137 of which
 * can be expressed here. Each row names the function (or the provider dispatch
 * table member, or the function wrapped in wsk_sync_wait*()), a subject (the
 * sockets it needs: a listener bound or not, an accepted connection, a
 * conditional listener holding a connection, ...), modifiers (the
 * subject's close started, its kernel socket killed, the request NULL,
 * pending, zero-filled or completed already) and the arguments; and what
 * the call returns, and for -EINPROGRESS the status it completes with.
 * What each row asserts follows from the contract, for every row alike:
 *
 * - the return value;
 * - a NULL or still-pending request (-EINVAL, -EBUSY) is completed by
 *   nothing; any other request exactly once, inside the call unless it
 *   returned -EINPROGRESS, with req->status equal to what it returned (or
 *   the row's status), and on failure with its result zeroed;
 * - once the row's sockets are closed, the "sockets" and "requests_pending"
 *   counters of debugfs are back to what they were before the row.
 *
 * Adding a case is adding an entry to wm_cases[], nothing else.
 *
 * Documented cases this suite cannot express:
 * - wsk_req_init() on a pending request: forbidden, with no documented
 *   result to check;
 * - wsk_register() and wsk_socket() -ENOMEM: an allocation cannot be made
 *   to fail from here (the kernel's fault injection is the tool for that);
 * - wsk_bind() -EACCES: the bind runs on wsk's workqueue, whose kworker may
 *   bind privileged ports;
 * - a namespace that went away (-ESHUTDOWN from wsk_bind(), wsk_control(),
 *   wsk_accept(), wsk_accept_conditional(), wsk_inspect_complete(),
 *   wsk_send(), wsk_receive(), wsk_disconnect(); -EINVAL from wsk_socket()):
 *   a module cannot make a namespace (copy_net_ns() is not exported);
 * - WSK_SO_EVENT_CALLBACK on a connection socket not yet delivered, from
 *   inside the accept_event that offers it: a row's call is made by the
 *   test, never from a callback (only the case of a socket made by
 *   wsk_socket() is a row).
 *
 * Callbacks never call KUnit (they may run in softirq): they record, and
 * the test reads what they recorded. Nothing is called with KUnit while
 * rcu_read_lock() keeps a closing socket valid.
 *
 * A closing subject's close is held pending (its op work stopped at a test
 * point, wsk_test_hook) until the row's call has been made, so that the
 * call sees a close that has started and not completed, every time.
 *
 * White-box (wsk/internal.h) only for that, to kill a listener's kernel
 * socket with tcp_abort() (as ss -K does) and see wsk notice it, and to see
 * a client's deregistration start.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include <linux/tcp.h>
#include <linux/timer.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "internal.h"
#include "util.h"

/* What a request's result holds before the call: failures must zero it. */
#define WM_POISON	0x5a5a5a5aUL
/* Sockets one row creates at most. */
#define WM_SOCKS	8
/* Not a family, for rows: AF_UNSPEC (0 in a row means the subject's family). */
#define WM_AF_UNSPEC	-1
/* Returned for a dispatch table call the table has no member for: no errno. */
#define WM_NO_MEMBER	(-MAX_ERRNO)

/* The function a row calls. */
enum wm_op {
	WM_SOCKET,
	WM_BIND,
	WM_CLOSE,
	WM_LOCAL,		/* wsk_get_local_address() */
	WM_REMOTE,		/* wsk_get_remote_address() */
	WM_CONTROL,
	WM_ACCEPT,
	WM_ACCEPT_COND,		/* wsk_accept_conditional() */
	WM_INSPECT,		/* wsk_inspect_complete() */
	WM_CONNECT,
	WM_SEND,
	WM_RECEIVE,
	WM_DISCONNECT,
	WM_RELEASE,
	WM_COPY,		/* wsk_data_indication_copy() */
	WM_CANCEL,		/* wsk_req_cancel() of the row's request */
	WM_DEREGISTER,		/* wsk_deregister(NULL) */
};

/* How it is called. */
enum wm_via {
	WM_DIRECT,		/* the exported function */
	WM_TABLE,		/* through the subject's s->dispatch */
	WM_SYNC,		/* with a wsk_sync, through wsk_sync_wait() */
	WM_SYNC_TO,		/* ... through wsk_sync_wait_timeout() */
};

/* The sockets a row needs; the subject is the one passed as @s or @listen. */
enum wm_subj {
	WM_NONE,		/* no socket */
	WM_LSN_NEW,		/* listen socket, not bound, no client dispatch */
	WM_LSN,			/* bound listener, no client dispatch */
	WM_LSN_EV,		/* bound listener with the suite's listen dispatch */
	WM_LSN_QUEUED,		/* WM_LSN with a connection in the kernel's queue */
	WM_LSN_COND,		/* bound listener, conditional accept on */
	WM_LSN_PENDED,		/* WM_LSN_COND holding a pended connection */
	WM_LSN_DECIDED,		/* ... on which wsk_inspect_complete() was called */
	WM_LSN_ABORTED,		/* ... whose peer reset it (abort_event seen) */
	WM_CONN_NEW,		/* connection socket from wsk_socket(), not bound */
	WM_CONN_BOUND,		/* ... bound */
	WM_CONN,		/* accepted connection, no client dispatch */
	WM_CONN_EV,		/* accepted connection with the suite's dispatch */
	WM_CONN_ABORTED,	/* WM_CONN after an abortive wsk_disconnect() */
	WM_CONN_KEPT,		/* WM_CONN_EV holding a chain its receive_event kept */
	WM_CONN_RELEASED,	/* WM_CONN_KEPT after wsk_release() of that chain */
	WM_CLIENT_DYING,	/* a second client whose wsk_deregister() waits */
};

/* The row's request. */
enum wm_rq {
	WM_RQ_IDLE,		/* initialised, never submitted */
	WM_RQ_NULL,		/* NULL */
	WM_RQ_PENDING,		/* pending: an accept waits with it */
	WM_RQ_CLOSE,		/* the subject's close, pending (started by the row) */
	WM_RQ_DONE,		/* completed once already */
	WM_RQ_ZERO,		/* zero-filled instead of wsk_req_init() */
};

/* Arguments passed NULL. */
#define WM_N_S		BIT(0)	/* the socket */
#define WM_N_ADDR	BIT(1)	/* bind/connect address, or address out buffer */
#define WM_N_BUF	BIT(2)
#define WM_N_IN		BIT(3)
#define WM_N_OUT	BIT(4)
#define WM_N_ID		BIT(5)
#define WM_N_CHAIN	BIT(6)
#define WM_N_CLIENT	BIT(7)
#define WM_N_NET	BIT(8)

/* The buffer of send, receive and disconnect: two segments of 4 bytes. */
enum wm_buf {
	WM_BUF_OK,		/* offset 0, length 8 */
	WM_BUF_LONG,		/* offset 2, length 7: one byte too long */
	WM_BUF_OFF_PAST,	/* offset 9 */
	WM_BUF_OFF_OVF,		/* offset SIZE_MAX: offset + length overflows */
	WM_BUF_LEN_OVF,		/* length SIZE_MAX */
	WM_BUF_NO_SEGS,		/* length 1, no segment */
	WM_BUF_NO_KVEC,		/* length 1, one segment, NULL kvec */
};

/* The address of bind and connect. */
enum wm_addr {
	WM_AD_LOOP,		/* loopback, port 0 */
	WM_AD_INUSE,		/* loopback, the port of another bound listener */
	WM_AD_FOREIGN,		/* 192.0.2.1 (TEST-NET-1): not a local address */
};

/* The id of wsk_inspect_complete(). */
enum wm_id {
	WM_ID_UNKNOWN,		/* one wsk never handed out */
	WM_ID_HELD,		/* the one the subject's inspect_event was given */
};

/* The condition of wsk_accept_conditional(). */
enum wm_cond {
	WM_CF_NONE,		/* NULL: a plain accept */
	WM_CF_ACCEPT,		/* returns WSK_CF_ACCEPT */
	WM_CF_BAD,		/* returns 7, not a verdict */
};

/* The chain of wsk_release() and wsk_data_indication_copy(). */
enum wm_chain {
	WM_CH_FAKE,		/* the suite's: "abcd" then "efgh", not wsk's */
	WM_CH_KEPT,		/* the one the subject's receive_event kept */
};

/**
 * struct wm_ctl - the arguments of wsk_control()
 * @type: &enum wsk_control_type (or not one)
 * @code: the option
 * @level: its level
 * @in_size: size of the input, a u32 holding @val
 * @out_size: size of the output, an int
 * @val: the input value (the event mask for WSK_SO_EVENT_CALLBACK)
 */
struct wm_ctl {
	u8 type;
	u32 code;
	int level;
	u8 in_size;
	u8 out_size;
	u32 val;
};

#define WM_SET(c, l, v)	.ctl = { WSK_SET_OPTION, c, l, 4, 0, v }
#define WM_GET(c, l)	.ctl = { WSK_GET_OPTION, c, l, 0, 4, 0 }
#define WM_EV(mask)	WM_SET(WSK_SO_EVENT_CALLBACK, SOL_SOCKET, mask)

/**
 * struct wm_case - one row: a bad input and what the contract says of it
 * @name: the row's description
 * @op: &enum wm_op
 * @subj: &enum wm_subj
 * @via: &enum wm_via
 * @req: &enum wm_rq
 * @v6: the subject is AF_INET6 (else AF_INET)
 * @closing: the subject's close is started just before the call
 * @killed: the subject listener's kernel socket is killed (tcp_abort())
 * @nulls: WM_N_* bits: arguments passed NULL
 * @family: wsk_socket()'s family, or the bind/connect address's; 0: the
 *	subject's; WM_AF_UNSPEC: AF_UNSPEC
 * @alen: added to the bind/connect address length
 * @flags: the call's flags (wsk_socket(): the category)
 * @buf: &enum wm_buf
 * @addr: &enum wm_addr
 * @ctl: wsk_control()'s arguments
 * @id: &enum wm_id
 * @action: wsk_inspect_complete()'s action
 * @cond: &enum wm_cond
 * @chain: &enum wm_chain
 * @off: wsk_data_indication_copy()'s offset
 * @len: wsk_data_indication_copy()'s length
 * @ret: what the call returns (wsk_req_cancel(): 1 for true; the copy: bytes)
 * @status: with @ret -EINPROGRESS, the status the request completes with
 */
struct wm_case {
	const char *name;
	u8 op;
	u8 subj;
	u8 via;
	u8 req;
	bool v6;
	bool closing;
	bool killed;
	u16 nulls;
	int family;
	int alen;
	unsigned int flags;
	u8 buf;
	u8 addr;
	struct wm_ctl ctl;
	u8 id;
	int action;
	u8 cond;
	u8 chain;
	size_t off;
	size_t len;
	int ret;
	int status;
};

#define LS		WSK_FLAG_LISTEN_SOCKET
#define CS		WSK_FLAG_CONNECTION_SOCKET
#define EV_ACC		WSK_EVENT_ACCEPT
#define EV_RCV		WSK_EVENT_RECEIVE
#define EV_DIS		WSK_EVENT_DISCONNECT
#define EV_OFF		WSK_EVENT_DISABLE
#define SOCK		SOL_SOCKET
#define BACKLOG		WSK_SO_LISTEN_BACKLOG
#define COND		WSK_SO_CONDITIONAL_ACCEPT

static const struct wm_case wm_cases[] = {
	/* wsk_req_cancel(): false, completing nothing, for a request not waiting */
	{ "cancel: NULL", WM_CANCEL, WM_NONE, .req = WM_RQ_NULL, .ret = 0 },
	{ "cancel: never submitted", WM_CANCEL, WM_NONE, .ret = 0 },
	{ "cancel: zero-filled", WM_CANCEL, WM_NONE, .req = WM_RQ_ZERO, .ret = 0 },
	{ "cancel: completed already", WM_CANCEL, WM_NONE, .req = WM_RQ_DONE, .ret = 0 },
	{ "cancel: a close (past cancelling)", WM_CANCEL, WM_LSN, .req = WM_RQ_CLOSE, .ret = 0 },

	/* wsk_sync_wait*(): @ret if refused, else the status */
	{ "sync: NULL req", WM_BIND, WM_LSN_NEW, WM_SYNC, WM_RQ_NULL, .ret = -EINVAL },
	{ "sync: pending req", WM_BIND, WM_LSN_NEW, WM_SYNC, WM_RQ_PENDING, .ret = -EBUSY },
	{ "sync: failed inline", WM_BIND, WM_LSN_NEW, WM_SYNC, .flags = 1, .ret = -EINVAL },
	{ "sync: failed later", WM_BIND, WM_LSN, WM_SYNC, .ret = -EINVAL },
	{ "sync: socket, bad flags", WM_SOCKET, WM_NONE, WM_SYNC, .flags = 0, .ret = -EINVAL },
	{ "sync_timeout: NULL req", WM_BIND, WM_LSN_NEW, WM_SYNC_TO, WM_RQ_NULL, .ret = -EINVAL },
	{ "sync_timeout: pending req", WM_BIND, WM_LSN_NEW, WM_SYNC_TO, WM_RQ_PENDING,
	  .ret = -EBUSY },
	{ "sync_timeout: failed later", WM_BIND, WM_LSN_NEW, WM_SYNC_TO, .addr = WM_AD_INUSE,
	  .ret = -EADDRINUSE },

	/* wsk_deregister() */
	{ "deregister: NULL", WM_DEREGISTER, WM_NONE, .ret = 0 },

	/* wsk_socket() */
	{ "socket: NULL req", WM_SOCKET, WM_NONE, .req = WM_RQ_NULL, .flags = LS, .ret = -EINVAL },
	{ "socket: pending req", WM_SOCKET, WM_NONE, .req = WM_RQ_PENDING, .flags = LS,
	  .ret = -EBUSY },
	{ "socket: NULL client", WM_SOCKET, WM_NONE, .nulls = WM_N_CLIENT, .flags = LS,
	  .ret = -EINVAL },
	{ "socket: NULL net", WM_SOCKET, WM_NONE, .nulls = WM_N_NET, .flags = CS, .ret = -EINVAL },
	{ "socket: AF_UNIX", WM_SOCKET, WM_NONE, .family = AF_UNIX, .flags = LS, .ret = -EINVAL },
	{ "socket: AF_UNSPEC", WM_SOCKET, WM_NONE, .family = WM_AF_UNSPEC, .flags = CS,
	  .ret = -EINVAL },
	{ "socket: no category", WM_SOCKET, WM_NONE, .flags = 0, .ret = -EINVAL },
	{ "socket: both categories", WM_SOCKET, WM_NONE, .flags = LS | CS, .ret = -EINVAL },
	{ "socket: unknown flag", WM_SOCKET, WM_NONE, .flags = 0x4, .ret = -EINVAL },
	{ "socket: client deregistering", WM_SOCKET, WM_CLIENT_DYING, .flags = LS,
	  .ret = -ESHUTDOWN },

	/* wsk_bind() */
	{ "bind: NULL req", WM_BIND, WM_LSN_NEW, .req = WM_RQ_NULL, .ret = -EINVAL },
	{ "bind: pending req", WM_BIND, WM_LSN_NEW, .req = WM_RQ_PENDING, .ret = -EBUSY },
	{ "bind: NULL s", WM_BIND, WM_LSN_NEW, .nulls = WM_N_S, .ret = -EINVAL },
	{ "bind: NULL addr", WM_BIND, WM_LSN_NEW, .nulls = WM_N_ADDR, .ret = -EINVAL },
	{ "bind: addrlen short by 1", WM_BIND, WM_LSN_NEW, .alen = -1, .ret = -EINVAL },
	{ "bind: addrlen -1", WM_BIND, WM_CONN_NEW, .alen = -17, .ret = -EINVAL },
	{ "bind: v6 short by 1", WM_BIND, WM_LSN_NEW, .v6 = true, .alen = -1, .ret = -EINVAL },
	{ "bind: v6 addr, v4 socket", WM_BIND, WM_LSN_NEW, .family = AF_INET6, .ret = -EINVAL },
	{ "bind: v4 addr, v6 socket", WM_BIND, WM_LSN_NEW, .v6 = true, .family = AF_INET,
	  .ret = -EINVAL },
	{ "bind: AF_UNSPEC addr", WM_BIND, WM_CONN_NEW, .family = WM_AF_UNSPEC, .ret = -EINVAL },
	{ "bind: AF_UNIX addr", WM_BIND, WM_LSN_NEW, .family = AF_UNIX, .ret = -EINVAL },
	{ "bind: flags 1", WM_BIND, WM_LSN_NEW, .flags = 1, .ret = -EINVAL },
	{ "bind: flags 0x80000000", WM_BIND, WM_CONN_NEW, .flags = 0x80000000, .ret = -EINVAL },
	{ "bind: closing", WM_BIND, WM_LSN_NEW, .closing = true, .ret = -ESHUTDOWN },
	{ "bind: listener bound", WM_BIND, WM_LSN, .ret = -EINPROGRESS, .status = -EINVAL },
	{ "bind: connection bound", WM_BIND, WM_CONN_BOUND, .ret = -EINPROGRESS,
	  .status = -EINVAL },
	{ "bind: accepted", WM_BIND, WM_CONN, .ret = -EINPROGRESS, .status = -EINVAL },
	{ "bind: in use", WM_BIND, WM_LSN_NEW, .addr = WM_AD_INUSE, .ret = -EINPROGRESS,
	  .status = -EADDRINUSE },
	{ "bind: not local", WM_BIND, WM_LSN_NEW, .addr = WM_AD_FOREIGN, .ret = -EINPROGRESS,
	  .status = -EADDRNOTAVAIL },
	{ "table bind: listen, flags 1", WM_BIND, WM_LSN_NEW, WM_TABLE, .flags = 1,
	  .ret = -EINVAL },
	{ "table bind: conn, v6 addr", WM_BIND, WM_CONN_NEW, WM_TABLE, .family = AF_INET6,
	  .ret = -EINVAL },

	/* wsk_close() */
	{ "close: NULL req", WM_CLOSE, WM_LSN, .req = WM_RQ_NULL, .ret = -EINVAL },
	{ "close: pending req", WM_CLOSE, WM_LSN, .req = WM_RQ_PENDING, .ret = -EBUSY },
	{ "close: pending close req", WM_CLOSE, WM_CONN_NEW, .req = WM_RQ_CLOSE, .ret = -EBUSY },
	{ "close: NULL s", WM_CLOSE, WM_NONE, .nulls = WM_N_S, .ret = -EINVAL },
	{ "close: closing", WM_CLOSE, WM_LSN, .closing = true, .ret = -ESHUTDOWN },
	{ "close: closing connection", WM_CLOSE, WM_CONN, .closing = true, .ret = -ESHUTDOWN },
	{ "table close: listen, closing", WM_CLOSE, WM_LSN, WM_TABLE, .closing = true,
	  .ret = -ESHUTDOWN },
	{ "table close: conn, pending req", WM_CLOSE, WM_CONN, WM_TABLE, WM_RQ_PENDING,
	  .ret = -EBUSY },

	/* wsk_get_local_address() */
	{ "local: NULL req", WM_LOCAL, WM_LSN, .req = WM_RQ_NULL, .ret = -EINVAL },
	{ "local: pending req", WM_LOCAL, WM_LSN, .req = WM_RQ_PENDING, .ret = -EBUSY },
	{ "local: NULL s", WM_LOCAL, WM_NONE, .nulls = WM_N_S, .ret = -EINVAL },
	{ "local: NULL addr", WM_LOCAL, WM_LSN, .nulls = WM_N_ADDR, .ret = -EINVAL },
	{ "local: listener not bound", WM_LOCAL, WM_LSN_NEW, .ret = -EINVAL },
	{ "local: connection not bound", WM_LOCAL, WM_CONN_NEW, .ret = -EINVAL },
	{ "local: closing", WM_LOCAL, WM_LSN, .closing = true, .ret = -ESHUTDOWN },
	{ "table local: listen, NULL addr", WM_LOCAL, WM_LSN, WM_TABLE, .nulls = WM_N_ADDR,
	  .ret = -EINVAL },
	{ "table local: conn not bound", WM_LOCAL, WM_CONN_NEW, WM_TABLE, .ret = -EINVAL },

	/* wsk_get_remote_address() */
	{ "remote: NULL req", WM_REMOTE, WM_CONN, .req = WM_RQ_NULL, .ret = -EINVAL },
	{ "remote: pending req", WM_REMOTE, WM_CONN, .req = WM_RQ_PENDING, .ret = -EBUSY },
	{ "remote: NULL s", WM_REMOTE, WM_NONE, .nulls = WM_N_S, .ret = -EINVAL },
	{ "remote: NULL addr", WM_REMOTE, WM_CONN, .nulls = WM_N_ADDR, .ret = -EINVAL },
	{ "remote: listener", WM_REMOTE, WM_LSN, .ret = -EOPNOTSUPP },
	{ "remote: not connected", WM_REMOTE, WM_CONN_NEW, .ret = -ENOTCONN },
	{ "remote: bound, not connected", WM_REMOTE, WM_CONN_BOUND, .ret = -ENOTCONN },
	{ "remote: closing", WM_REMOTE, WM_CONN, .closing = true, .ret = -ESHUTDOWN },
	{ "table remote: not connected", WM_REMOTE, WM_CONN_NEW, WM_TABLE, .ret = -ENOTCONN },

	/* wsk_control(): requests, sockets, types, levels, codes */
	{ "control: NULL req", WM_CONTROL, WM_LSN, .req = WM_RQ_NULL,
	  WM_GET(SO_KEEPALIVE, SOCK), .ret = -EINVAL },
	{ "control: GET event option, NULL req", WM_CONTROL, WM_LSN_EV, .req = WM_RQ_NULL,
	  WM_GET(WSK_SO_EVENT_CALLBACK, SOCK), .ret = -EINVAL },
	{ "control: pending req", WM_CONTROL, WM_LSN, .req = WM_RQ_PENDING,
	  WM_SET(SO_KEEPALIVE, SOCK, 1), .ret = -EBUSY },
	{ "control: NULL s", WM_CONTROL, WM_NONE, .nulls = WM_N_S, WM_SET(SO_KEEPALIVE, SOCK, 1),
	  .ret = -EINVAL },
	{ "control: SET, closing", WM_CONTROL, WM_LSN, .closing = true,
	  WM_SET(SO_KEEPALIVE, SOCK, 1), .ret = -ESHUTDOWN },
	{ "control: GET, closing", WM_CONTROL, WM_CONN, .closing = true,
	  WM_GET(TCP_NODELAY, SOL_TCP), .ret = -ESHUTDOWN },
	{ "control: WSK_IOCTL", WM_CONTROL, WM_LSN, .ctl = { WSK_IOCTL, 1, SOCK, 4, 4, 0 },
	  .ret = -EOPNOTSUPP },
	{ "control: type 7", WM_CONTROL, WM_CONN, .ctl = { 7, SO_KEEPALIVE, SOCK, 4, 4, 1 },
	  .ret = -EOPNOTSUPP },
	{ "control: SOL_IP, not passed", WM_CONTROL, WM_LSN, WM_SET(IP_TRANSPARENT, SOL_IP, 1),
	  .ret = -EOPNOTSUPP },
	{ "control: level 999", WM_CONTROL, WM_LSN, WM_GET(SO_KEEPALIVE, 999),
	  .ret = -EOPNOTSUPP },
	/* SO_OOBINLINE would put urgent bytes into the stream: never passed */
	{ "control: SO_OOBINLINE", WM_CONTROL, WM_LSN, WM_SET(SO_OOBINLINE, SOCK, 1),
	  .ret = -EOPNOTSUPP },
	{ "control: GET SO_OOBINLINE", WM_CONTROL, WM_CONN, WM_GET(SO_OOBINLINE, SOCK),
	  .ret = -EOPNOTSUPP },
	{ "control: TCP_CORK", WM_CONTROL, WM_CONN, WM_GET(TCP_CORK, SOL_TCP),
	  .ret = -EOPNOTSUPP },
	{ "control: IPV6_UNICAST_HOPS", WM_CONTROL, WM_LSN_NEW, .v6 = true,
	  WM_SET(IPV6_UNICAST_HOPS, SOL_IPV6, 1), .ret = -EOPNOTSUPP },
	{ "control: IPV6_TCLASS on AF_INET", WM_CONTROL, WM_LSN_NEW,
	  WM_SET(IPV6_TCLASS, SOL_IPV6, 1), .ret = -EOPNOTSUPP },
	{ "control: SO_LINGER, 4 bytes", WM_CONTROL, WM_CONN, WM_SET(SO_LINGER, SOCK, 1),
	  .ret = -EINVAL },
	{ "control: GET SO_BINDTODEVICE, 4 bytes", WM_CONTROL, WM_CONN,
	  WM_GET(SO_BINDTODEVICE, SOCK), .ret = -EINVAL },
	{ "control: EXCLUSIVEADDRUSE 0", WM_CONTROL, WM_LSN_NEW,
	  WM_SET(WSK_SO_EXCLUSIVEADDRUSE, SOCK, 0), .ret = -EINVAL },
	{ "control: EXCLUSIVEADDRUSE after bind", WM_CONTROL, WM_LSN,
	  WM_SET(WSK_SO_EXCLUSIVEADDRUSE, SOCK, 1), .ret = -EINVAL },
	{ "control: KEEPALIVE_VALS, 4 bytes", WM_CONTROL, WM_CONN,
	  .ctl = { WSK_IOCTL, WSK_SIO_KEEPALIVE_VALS, SOCK, 4, 0, 1 }, .ret = -EINVAL },
	{ "control: INSPECT_ID, listener", WM_CONTROL, WM_LSN_COND,
	  .ctl = { WSK_IOCTL, WSK_SIO_QUERY_INSPECT_ID, SOCK, 0, 4, 0 }, .ret = -EOPNOTSUPP },
	{ "control: INSPECT_ID, short out", WM_CONTROL, WM_CONN,
	  .ctl = { WSK_IOCTL, WSK_SIO_QUERY_INSPECT_ID, SOCK, 0, 4, 0 }, .ret = -EINVAL },
	{ "control: IPV6_V6ONLY on AF_INET", WM_CONTROL, WM_LSN_NEW,
	  WM_SET(IPV6_V6ONLY, SOL_IPV6, 1), .ret = -EOPNOTSUPP },
	{ "control: GET event option", WM_CONTROL, WM_LSN_EV, WM_GET(WSK_SO_EVENT_CALLBACK, SOCK),
	  .ret = -EOPNOTSUPP },
	{ "control: event option, SOL_TCP", WM_CONTROL, WM_LSN_EV,
	  WM_SET(WSK_SO_EVENT_CALLBACK, SOL_TCP, EV_ACC), .ret = -EOPNOTSUPP },
	{ "control: SET backlog, connection", WM_CONTROL, WM_CONN_NEW, WM_SET(BACKLOG, SOCK, 8),
	  .ret = -EOPNOTSUPP },
	{ "control: GET backlog, connection", WM_CONTROL, WM_CONN, WM_GET(BACKLOG, SOCK),
	  .ret = -EOPNOTSUPP },
	{ "control: SET cond accept, connection", WM_CONTROL, WM_CONN_NEW, WM_SET(COND, SOCK, 1),
	  .ret = -EOPNOTSUPP },

	/* wsk_control(): sizes, buffers, values, and options before bind */
	{ "control: SET, NULL in", WM_CONTROL, WM_LSN, .nulls = WM_N_IN,
	  WM_SET(SO_REUSEADDR, SOCK, 1), .ret = -EINVAL },
	{ "control: SET, in_size 3", WM_CONTROL, WM_CONN,
	  .ctl = { WSK_SET_OPTION, TCP_NODELAY, SOL_TCP, 3, 0, 1 }, .ret = -EINVAL },
	{ "control: SET, in_size 0", WM_CONTROL, WM_LSN,
	  .ctl = { WSK_SET_OPTION, SO_REUSEPORT, SOCK, 0, 0, 1 }, .ret = -EINVAL },
	{ "control: GET, NULL out", WM_CONTROL, WM_LSN, .nulls = WM_N_OUT,
	  WM_GET(SO_REUSEADDR, SOCK), .ret = -EINVAL },
	{ "control: GET, out_size 3", WM_CONTROL, WM_CONN,
	  .ctl = { WSK_GET_OPTION, SO_KEEPALIVE, SOCK, 0, 3, 0 }, .ret = -EINVAL },
	{ "control: GET backlog, NULL out", WM_CONTROL, WM_LSN, .nulls = WM_N_OUT,
	  WM_GET(BACKLOG, SOCK), .ret = -EINVAL },
	{ "control: backlog, NULL in", WM_CONTROL, WM_LSN_NEW, .nulls = WM_N_IN,
	  WM_SET(BACKLOG, SOCK, 8), .ret = -EINVAL },
	{ "control: backlog, in_size 2", WM_CONTROL, WM_LSN_NEW,
	  .ctl = { WSK_SET_OPTION, BACKLOG, SOCK, 2, 0, 8 }, .ret = -EINVAL },
	{ "control: backlog after bind", WM_CONTROL, WM_LSN, WM_SET(BACKLOG, SOCK, 8),
	  .ret = -EINVAL },
	{ "control: backlog INT_MAX + 1", WM_CONTROL, WM_LSN_NEW,
	  WM_SET(BACKLOG, SOCK, (u32)INT_MAX + 1), .ret = -EINVAL },
	{ "control: backlog U32_MAX", WM_CONTROL, WM_LSN_NEW, WM_SET(BACKLOG, SOCK, U32_MAX),
	  .ret = -EINVAL },
	{ "control: cond accept after bind", WM_CONTROL, WM_LSN_EV, WM_SET(COND, SOCK, 1),
	  .ret = -EINVAL },
	{ "control: cond accept 0 after bind", WM_CONTROL, WM_LSN_COND, WM_SET(COND, SOCK, 0),
	  .ret = -EINVAL },
	{ "control: cond accept 2", WM_CONTROL, WM_LSN_NEW, WM_SET(COND, SOCK, 2),
	  .ret = -EINVAL },
	{ "control: cond accept, no inspect_event", WM_CONTROL, WM_LSN_NEW, WM_SET(COND, SOCK, 1),
	  .ret = -EINVAL },
	{ "control: cond accept, in_size 1", WM_CONTROL, WM_LSN_NEW,
	  .ctl = { WSK_SET_OPTION, COND, SOCK, 1, 0, 0 }, .ret = -EINVAL },
	{ "control: IPV6_V6ONLY after bind", WM_CONTROL, WM_LSN, .v6 = true,
	  WM_SET(IPV6_V6ONLY, SOL_IPV6, 1), .ret = -EINPROGRESS, .status = -EINVAL },
	{ "table control: listen, WSK_IOCTL", WM_CONTROL, WM_LSN, WM_TABLE,
	  .ctl = { WSK_IOCTL, 1, SOCK, 4, 4, 0 }, .ret = -EOPNOTSUPP },
	{ "table control: conn, in_size 3", WM_CONTROL, WM_CONN, WM_TABLE,
	  .ctl = { WSK_SET_OPTION, SO_KEEPALIVE, SOCK, 3, 0, 1 }, .ret = -EINVAL },

	/* wsk_control(WSK_SO_EVENT_CALLBACK): requests, sizes, masks, sockets */
	{ "events: pending req", WM_CONTROL, WM_LSN_EV, .req = WM_RQ_PENDING, WM_EV(EV_ACC),
	  .ret = -EBUSY },
	{ "events: NULL s", WM_CONTROL, WM_NONE, .nulls = WM_N_S, WM_EV(EV_ACC), .ret = -EINVAL },
	{ "events: NULL s, NULL req", WM_CONTROL, WM_NONE, .req = WM_RQ_NULL, .nulls = WM_N_S,
	  WM_EV(EV_ACC), .ret = -EINVAL },
	{ "events: NULL in", WM_CONTROL, WM_LSN_EV, .nulls = WM_N_IN, WM_EV(EV_ACC),
	  .ret = -EINVAL },
	{ "events: in_size 3", WM_CONTROL, WM_LSN_EV,
	  .ctl = { WSK_SET_OPTION, WSK_SO_EVENT_CALLBACK, SOCK, 3, 0, EV_ACC }, .ret = -EINVAL },
	{ "events: mask 0", WM_CONTROL, WM_LSN_EV, WM_EV(0), .ret = -EINVAL },
	{ "events: mask 0, NULL req", WM_CONTROL, WM_CONN_EV, .req = WM_RQ_NULL, WM_EV(0),
	  .ret = -EINVAL },
	{ "events: unknown bit 0x1", WM_CONTROL, WM_CONN_EV, WM_EV(0x1), .ret = -EINVAL },
	{ "events: unknown bit 0x100", WM_CONTROL, WM_LSN_EV, WM_EV(EV_ACC | 0x100),
	  .ret = -EINVAL },
	{ "events: DISABLE alone", WM_CONTROL, WM_CONN_EV, WM_EV(EV_OFF), .ret = -EINVAL },
	{ "events: DISABLE two events", WM_CONTROL, WM_CONN_EV, WM_EV(EV_OFF | EV_RCV | EV_DIS),
	  .ret = -EINVAL },
	{ "events: DISABLE two, NULL req", WM_CONTROL, WM_LSN_EV, .req = WM_RQ_NULL,
	  WM_EV(EV_OFF | EV_ACC | EV_RCV), .ret = -EINVAL },
	{ "events: listener not bound", WM_CONTROL, WM_LSN_NEW, WM_EV(EV_RCV), .ret = -EINVAL },
	{ "events: disable, not bound", WM_CONTROL, WM_LSN_NEW, WM_EV(EV_OFF | EV_ACC),
	  .ret = -EINVAL },
	{ "events: no accept_event", WM_CONTROL, WM_LSN, WM_EV(EV_ACC), .ret = -EINVAL },
	{ "events: ACCEPT on a connection", WM_CONTROL, WM_CONN_EV, WM_EV(EV_ACC | EV_RCV),
	  .ret = -EINVAL },
	{ "events: no receive_event", WM_CONTROL, WM_CONN, WM_EV(EV_RCV), .ret = -EINVAL },
	{ "events: no disconnect_event", WM_CONTROL, WM_CONN, WM_EV(EV_DIS), .ret = -EINVAL },
	{ "events: no send_backlog_event", WM_CONTROL, WM_CONN, WM_EV(WSK_EVENT_SEND_BACKLOG),
	  .ret = -EINVAL },
	{ "events: connection not accepted", WM_CONTROL, WM_CONN_NEW, WM_EV(EV_RCV),
	  .ret = -EINVAL },
	{ "events: connection bound only", WM_CONTROL, WM_CONN_BOUND, WM_EV(EV_DIS),
	  .ret = -EINVAL },
	{ "events: not accepted, NULL req", WM_CONTROL, WM_CONN_NEW, .req = WM_RQ_NULL,
	  WM_EV(EV_RCV), .ret = -EINVAL },
	{ "events: closing", WM_CONTROL, WM_LSN_EV, .closing = true, WM_EV(EV_ACC),
	  .ret = -ESHUTDOWN },
	{ "events: closing, NULL req", WM_CONTROL, WM_CONN_EV, .closing = true,
	  .req = WM_RQ_NULL, WM_EV(EV_RCV), .ret = -ESHUTDOWN },
	{ "events: disable, closing", WM_CONTROL, WM_CONN_EV, .closing = true,
	  WM_EV(EV_OFF | EV_RCV), .ret = -ESHUTDOWN },
	{ "events: listener killed", WM_CONTROL, WM_LSN_EV, .killed = true, WM_EV(EV_ACC),
	  .ret = -ESHUTDOWN },
	{ "events: inherited, listener killed", WM_CONTROL, WM_LSN_EV, .killed = true,
	  .req = WM_RQ_NULL, WM_EV(EV_RCV), .ret = -ESHUTDOWN },
	/* Not an error: "except disabling an event" */
	{ "events: disable, listener killed", WM_CONTROL, WM_LSN_EV, .killed = true,
	  WM_EV(EV_OFF | EV_ACC), .ret = 0 },
	{ "table events: conn, mask 0", WM_CONTROL, WM_CONN_EV, WM_TABLE, WM_EV(0),
	  .ret = -EINVAL },

	/* wsk_accept() */
	{ "accept: NULL req", WM_ACCEPT, WM_LSN, .req = WM_RQ_NULL, .ret = -EINVAL },
	{ "accept: pending req", WM_ACCEPT, WM_LSN, .req = WM_RQ_PENDING, .ret = -EBUSY },
	{ "accept: NULL listen", WM_ACCEPT, WM_NONE, .nulls = WM_N_S, .ret = -EINVAL },
	{ "accept: flags 1", WM_ACCEPT, WM_LSN, .flags = 1, .ret = -EINVAL },
	{ "accept: flags 0x80000000", WM_ACCEPT, WM_LSN_QUEUED, .flags = 0x80000000,
	  .ret = -EINVAL },
	{ "accept: not bound", WM_ACCEPT, WM_LSN_NEW, .ret = -EINVAL },
	{ "accept: accepted connection", WM_ACCEPT, WM_CONN, .ret = -EOPNOTSUPP },
	{ "accept: connection socket", WM_ACCEPT, WM_CONN_NEW, .ret = -EOPNOTSUPP },
	{ "accept: closing", WM_ACCEPT, WM_LSN, .closing = true, .ret = -ESHUTDOWN },
	{ "accept: closing, connection waiting", WM_ACCEPT, WM_LSN_QUEUED, .closing = true,
	  .ret = -ESHUTDOWN },
	{ "accept: listener killed", WM_ACCEPT, WM_LSN, .killed = true, .ret = -ESHUTDOWN },
	{ "table accept: flags 1", WM_ACCEPT, WM_LSN, WM_TABLE, .flags = 1, .ret = -EINVAL },
	{ "table accept: not bound", WM_ACCEPT, WM_LSN_NEW, WM_TABLE, .ret = -EINVAL },

	/* wsk_accept_conditional() */
	{ "accept_cond: NULL req", WM_ACCEPT_COND, WM_LSN, .req = WM_RQ_NULL,
	  .cond = WM_CF_ACCEPT, .ret = -EINVAL },
	{ "accept_cond: pending req", WM_ACCEPT_COND, WM_LSN, .req = WM_RQ_PENDING,
	  .cond = WM_CF_ACCEPT, .ret = -EBUSY },
	{ "accept_cond: NULL listen", WM_ACCEPT_COND, WM_NONE, .nulls = WM_N_S,
	  .cond = WM_CF_ACCEPT, .ret = -EINVAL },
	{ "accept_cond: not bound", WM_ACCEPT_COND, WM_LSN_NEW, .cond = WM_CF_ACCEPT,
	  .ret = -EINVAL },
	{ "accept_cond: not bound, no condition", WM_ACCEPT_COND, WM_LSN_NEW, .ret = -EINVAL },
	{ "accept_cond: connection", WM_ACCEPT_COND, WM_CONN, .cond = WM_CF_ACCEPT,
	  .ret = -EOPNOTSUPP },
	{ "accept_cond: closing", WM_ACCEPT_COND, WM_LSN, .closing = true, .cond = WM_CF_ACCEPT,
	  .ret = -ESHUTDOWN },
	{ "accept_cond: listener killed", WM_ACCEPT_COND, WM_LSN, .killed = true,
	  .cond = WM_CF_ACCEPT, .ret = -ESHUTDOWN },
	{ "accept_cond: verdict 7", WM_ACCEPT_COND, WM_LSN_QUEUED, .cond = WM_CF_BAD,
	  .ret = -EINPROGRESS, .status = -EINVAL },

	/* wsk_inspect_complete() */
	{ "inspect: NULL req", WM_INSPECT, WM_LSN_COND, .req = WM_RQ_NULL,
	  .action = WSK_INSPECT_ACCEPT, .ret = -EINVAL },
	{ "inspect: pending req", WM_INSPECT, WM_LSN_PENDED, .req = WM_RQ_PENDING,
	  .id = WM_ID_HELD, .action = WSK_INSPECT_ACCEPT, .ret = -EBUSY },
	{ "inspect: NULL listen", WM_INSPECT, WM_NONE, .nulls = WM_N_S,
	  .action = WSK_INSPECT_ACCEPT, .ret = -EINVAL },
	{ "inspect: NULL id", WM_INSPECT, WM_LSN_PENDED, .nulls = WM_N_ID,
	  .action = WSK_INSPECT_ACCEPT, .ret = -EINVAL },
	{ "inspect: action PEND", WM_INSPECT, WM_LSN_PENDED, .id = WM_ID_HELD,
	  .action = WSK_INSPECT_PEND, .ret = -EINVAL },
	{ "inspect: action 7", WM_INSPECT, WM_LSN_PENDED, .id = WM_ID_HELD, .action = 7,
	  .ret = -EINVAL },
	{ "inspect: action -1", WM_INSPECT, WM_LSN_COND, .action = -1, .ret = -EINVAL },
	{ "inspect: cond accept off", WM_INSPECT, WM_LSN, .action = WSK_INSPECT_ACCEPT,
	  .ret = -EINVAL },
	{ "inspect: cond accept off, not bound", WM_INSPECT, WM_LSN_NEW,
	  .action = WSK_INSPECT_REJECT, .ret = -EINVAL },
	{ "inspect: connection", WM_INSPECT, WM_CONN, .action = WSK_INSPECT_ACCEPT,
	  .ret = -EOPNOTSUPP },
	{ "inspect: closing", WM_INSPECT, WM_LSN_PENDED, .closing = true, .id = WM_ID_HELD,
	  .action = WSK_INSPECT_ACCEPT, .ret = -ESHUTDOWN },
	{ "inspect: listener killed", WM_INSPECT, WM_LSN_PENDED, .killed = true,
	  .id = WM_ID_HELD, .action = WSK_INSPECT_ACCEPT, .ret = -ESHUTDOWN },
	{ "inspect: unknown id", WM_INSPECT, WM_LSN_COND, .action = WSK_INSPECT_ACCEPT,
	  .ret = -ENOENT },
	{ "inspect: unknown id, one held", WM_INSPECT, WM_LSN_PENDED,
	  .action = WSK_INSPECT_REJECT, .ret = -ENOENT },
	{ "inspect: already decided", WM_INSPECT, WM_LSN_DECIDED, .id = WM_ID_HELD,
	  .action = WSK_INSPECT_ACCEPT, .ret = -ENOENT },
	{ "inspect: aborted", WM_INSPECT, WM_LSN_ABORTED, .id = WM_ID_HELD,
	  .action = WSK_INSPECT_ACCEPT, .ret = -ENOENT },
	{ "table inspect: unknown id", WM_INSPECT, WM_LSN_COND, WM_TABLE,
	  .action = WSK_INSPECT_REJECT, .ret = -ENOENT },

	/* wsk_connect(): argument errors inline; the socket's state in op order */
	{ "connect: NULL req", WM_CONNECT, WM_CONN_NEW, .req = WM_RQ_NULL, .ret = -EINVAL },
	{ "connect: pending req", WM_CONNECT, WM_CONN_NEW, .req = WM_RQ_PENDING, .ret = -EBUSY },
	{ "connect: NULL s", WM_CONNECT, WM_NONE, .nulls = WM_N_S, .ret = -EINVAL },
	{ "connect: closing", WM_CONNECT, WM_CONN_NEW, .closing = true, .ret = -ESHUTDOWN },
	{ "connect: flags 1", WM_CONNECT, WM_CONN_BOUND, .flags = 1, .ret = -EINVAL },
	{ "connect: NULL remote", WM_CONNECT, WM_CONN_BOUND, .nulls = WM_N_ADDR, .ret = -EINVAL },
	{ "connect: AF_UNSPEC remote", WM_CONNECT, WM_CONN_BOUND, .family = WM_AF_UNSPEC,
	  .ret = -EINVAL },
	{ "connect: v6 remote, v4 socket", WM_CONNECT, WM_CONN_BOUND, .family = AF_INET6,
	  .ret = -EINVAL },
	{ "connect: length one short", WM_CONNECT, WM_CONN_BOUND, .alen = -1, .ret = -EINVAL },
	{ "connect: v6, length one short", WM_CONNECT, WM_CONN_BOUND, .v6 = true, .alen = -1,
	  .ret = -EINVAL },
	{ "connect: length past sockaddr_storage", WM_CONNECT, WM_CONN_BOUND,
	  .alen = sizeof(struct sockaddr_storage), .ret = -EINVAL },
	{ "connect: listener", WM_CONNECT, WM_LSN, .ret = -EOPNOTSUPP },
	{ "connect: closing listener", WM_CONNECT, WM_LSN, .closing = true, .ret = -ESHUTDOWN },
	{ "connect: not bound", WM_CONNECT, WM_CONN_NEW, .ret = -EINPROGRESS, .status = -EINVAL },
	{ "connect: accepted connection", WM_CONNECT, WM_CONN, .ret = -EINPROGRESS,
	  .status = -EISCONN },
	{ "table connect: v6 addr", WM_CONNECT, WM_CONN_BOUND, WM_TABLE, .family = AF_INET6,
	  .ret = -EINVAL },
	{ "table connect: not bound", WM_CONNECT, WM_CONN_NEW, WM_TABLE, .ret = -EINPROGRESS,
	  .status = -EINVAL },
	{ "sync connect: accepted connection", WM_CONNECT, WM_CONN, WM_SYNC, .ret = -EISCONN },

	/* wsk_send() */
	{ "send: NULL req", WM_SEND, WM_CONN, .req = WM_RQ_NULL, .ret = -EINVAL },
	{ "send: pending req", WM_SEND, WM_CONN, .req = WM_RQ_PENDING, .ret = -EBUSY },
	{ "send: NULL s", WM_SEND, WM_NONE, .nulls = WM_N_S, .ret = -EINVAL },
	{ "send: NULL buf", WM_SEND, WM_CONN, .nulls = WM_N_BUF, .ret = -EINVAL },
	{ "send: flags 1", WM_SEND, WM_CONN, .flags = 1, .ret = -EINVAL },
	{ "send: flags NODELAY | 1", WM_SEND, WM_CONN, .flags = WSK_FLAG_NODELAY | 1,
	  .ret = -EINVAL },
	{ "send: flags DRAIN", WM_SEND, WM_CONN, .flags = WSK_FLAG_DRAIN, .ret = -EINVAL },
	{ "send: flags NODELAY, bad buffer", WM_SEND, WM_CONN, .flags = WSK_FLAG_NODELAY,
	  .buf = WM_BUF_LONG, .ret = -EINVAL },
	{ "send: listener", WM_SEND, WM_LSN, .ret = -EOPNOTSUPP },
	{ "send: not connected", WM_SEND, WM_CONN_NEW, .ret = -ENOTCONN },
	{ "send: bound, not connected", WM_SEND, WM_CONN_BOUND, .ret = -ENOTCONN },
	{ "send: closing", WM_SEND, WM_CONN, .closing = true, .ret = -ESHUTDOWN },
	{ "send: one byte too long", WM_SEND, WM_CONN, .buf = WM_BUF_LONG, .ret = -EINVAL },
	{ "send: offset past segments", WM_SEND, WM_CONN, .buf = WM_BUF_OFF_PAST,
	  .ret = -EINVAL },
	{ "send: offset overflows", WM_SEND, WM_CONN, .buf = WM_BUF_OFF_OVF, .ret = -EINVAL },
	{ "send: length overflows", WM_SEND, WM_CONN, .buf = WM_BUF_LEN_OVF, .ret = -EINVAL },
	{ "send: no segments", WM_SEND, WM_CONN, .buf = WM_BUF_NO_SEGS, .ret = -EINVAL },
	{ "send: NULL kvec", WM_SEND, WM_CONN, .buf = WM_BUF_NO_KVEC, .ret = -EINVAL },
	{ "table send: flags 1", WM_SEND, WM_CONN, WM_TABLE, .flags = 1, .ret = -EINVAL },
	{ "table send: closing", WM_SEND, WM_CONN, WM_TABLE, .closing = true,
	  .ret = -ESHUTDOWN },

	/* wsk_receive() */
	{ "receive: NULL req", WM_RECEIVE, WM_CONN, .req = WM_RQ_NULL, .ret = -EINVAL },
	{ "receive: pending req", WM_RECEIVE, WM_CONN, .req = WM_RQ_PENDING, .ret = -EBUSY },
	{ "receive: NULL s", WM_RECEIVE, WM_NONE, .nulls = WM_N_S, .ret = -EINVAL },
	{ "receive: NULL buf", WM_RECEIVE, WM_CONN, .nulls = WM_N_BUF, .ret = -EINVAL },
	{ "receive: flags ABORTIVE", WM_RECEIVE, WM_CONN, .flags = WSK_FLAG_ABORTIVE,
	  .ret = -EINVAL },
	{ "receive: DRAIN with a buffer", WM_RECEIVE, WM_CONN, .flags = WSK_FLAG_DRAIN,
	  .ret = -EINVAL },
	{ "receive: flags 0x8", WM_RECEIVE, WM_CONN, .flags = 0x8, .ret = -EINVAL },
	{ "receive: flags WAITALL | 0x4", WM_RECEIVE, WM_CONN, .flags = WSK_FLAG_WAITALL | 0x4,
	  .ret = -EINVAL },
	{ "receive: listener", WM_RECEIVE, WM_LSN, .ret = -EOPNOTSUPP },
	{ "receive: not connected", WM_RECEIVE, WM_CONN_NEW, .ret = -ENOTCONN },
	{ "receive: closing", WM_RECEIVE, WM_CONN, .closing = true, .ret = -ESHUTDOWN },
	{ "receive: one byte too long", WM_RECEIVE, WM_CONN, .buf = WM_BUF_LONG, .ret = -EINVAL },
	{ "receive: offset past segments", WM_RECEIVE, WM_CONN, .buf = WM_BUF_OFF_PAST,
	  .ret = -EINVAL },
	{ "receive: offset overflows", WM_RECEIVE, WM_CONN, .buf = WM_BUF_OFF_OVF,
	  .ret = -EINVAL },
	{ "receive: length overflows", WM_RECEIVE, WM_CONN, .buf = WM_BUF_LEN_OVF,
	  .ret = -EINVAL },
	{ "receive: no segments", WM_RECEIVE, WM_CONN, .buf = WM_BUF_NO_SEGS, .ret = -EINVAL },
	{ "receive: NULL kvec", WM_RECEIVE, WM_CONN, .buf = WM_BUF_NO_KVEC, .ret = -EINVAL },
	{ "table receive: NULL buf", WM_RECEIVE, WM_CONN, WM_TABLE, .nulls = WM_N_BUF,
	  .ret = -EINVAL },

	/* wsk_disconnect() */
	{ "disconnect: NULL req", WM_DISCONNECT, WM_CONN, .req = WM_RQ_NULL, .ret = -EINVAL },
	{ "disconnect: pending req", WM_DISCONNECT, WM_CONN, .req = WM_RQ_PENDING,
	  .ret = -EBUSY },
	{ "disconnect: NULL s", WM_DISCONNECT, WM_NONE, .nulls = WM_N_S, .ret = -EINVAL },
	{ "disconnect: flags WAITALL", WM_DISCONNECT, WM_CONN, .flags = WSK_FLAG_WAITALL,
	  .ret = -EINVAL },
	{ "disconnect: flags 0x10000000", WM_DISCONNECT, WM_CONN, .nulls = WM_N_BUF,
	  .flags = 0x10000000, .ret = -EINVAL },
	{ "disconnect: listener", WM_DISCONNECT, WM_LSN, .nulls = WM_N_BUF, .ret = -EOPNOTSUPP },
	{ "disconnect: not connected", WM_DISCONNECT, WM_CONN_NEW, .ret = -ENOTCONN },
	{ "disconnect: closing", WM_DISCONNECT, WM_CONN, .closing = true,
	  .flags = WSK_FLAG_ABORTIVE, .ret = -ESHUTDOWN },
	{ "disconnect: abortive twice", WM_DISCONNECT, WM_CONN_ABORTED, .nulls = WM_N_BUF,
	  .flags = WSK_FLAG_ABORTIVE, .ret = -EALREADY },
	{ "disconnect: one byte too long", WM_DISCONNECT, WM_CONN, .buf = WM_BUF_LONG,
	  .ret = -EINVAL },
	{ "disconnect: offset overflows", WM_DISCONNECT, WM_CONN, .buf = WM_BUF_OFF_OVF,
	  .ret = -EINVAL },
	{ "disconnect: length overflows", WM_DISCONNECT, WM_CONN, .buf = WM_BUF_LEN_OVF,
	  .ret = -EINVAL },
	{ "disconnect: NULL kvec", WM_DISCONNECT, WM_CONN, .buf = WM_BUF_NO_KVEC,
	  .ret = -EINVAL },
	{ "disconnect: abortive, lying buf", WM_DISCONNECT, WM_CONN, .buf = WM_BUF_LONG,
	  .flags = WSK_FLAG_ABORTIVE, .ret = -EINVAL },
	{ "table disconnect: flags WAITALL", WM_DISCONNECT, WM_CONN, WM_TABLE,
	  .flags = WSK_FLAG_WAITALL, .ret = -EINVAL },

	/* wsk_release() */
	{ "release: NULL s", WM_RELEASE, WM_NONE, .nulls = WM_N_S, .ret = -EINVAL },
	{ "release: NULL chain", WM_RELEASE, WM_CONN_KEPT, .nulls = WM_N_CHAIN, .ret = -EINVAL },
	{ "release: chain not wsk's", WM_RELEASE, WM_CONN, .ret = -EINVAL },
	{ "release: chain held elsewhere", WM_RELEASE, WM_CONN_KEPT, .ret = -EINVAL },
	{ "release: listener", WM_RELEASE, WM_LSN, .ret = -EINVAL },
	{ "release: released already", WM_RELEASE, WM_CONN_RELEASED, .chain = WM_CH_KEPT,
	  .ret = -EINVAL },
	{ "release: closing", WM_RELEASE, WM_CONN_KEPT, .closing = true, .chain = WM_CH_KEPT,
	  .ret = -ESHUTDOWN },
	{ "table release: NULL chain", WM_RELEASE, WM_CONN, WM_TABLE, .nulls = WM_N_CHAIN,
	  .ret = -EINVAL },

	/* wsk_data_indication_copy(): the bytes copied, fewer only at the chain's end */
	{ "copy: NULL chain", WM_COPY, WM_NONE, .nulls = WM_N_CHAIN, .len = 8, .ret = 0 },
	{ "copy: offset at the end", WM_COPY, WM_NONE, .off = 8, .len = 4, .ret = 0 },
	{ "copy: offset past the end", WM_COPY, WM_NONE, .off = 100, .len = 4, .ret = 0 },
	{ "copy: offset SIZE_MAX", WM_COPY, WM_NONE, .off = SIZE_MAX, .len = 4, .ret = 0 },
	{ "copy: len past the end", WM_COPY, WM_NONE, .len = 100, .ret = 8 },
	{ "copy: offset and len past the end", WM_COPY, WM_NONE, .off = 6, .len = SIZE_MAX,
	  .ret = 2 },
};

static void wm_desc(const struct wm_case *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(wm, wm_cases, wm_desc);

/**
 * struct wm_ops - the functions a row calls, exported or from a table
 * @control: wsk_control()
 * @close: wsk_close()
 * @bind: wsk_bind()
 * @accept: wsk_accept()
 * @inspect: wsk_inspect_complete()
 * @connect: wsk_connect()
 * @local: wsk_get_local_address()
 * @remote: wsk_get_remote_address()
 * @send: wsk_send()
 * @receive: wsk_receive()
 * @disconnect: wsk_disconnect()
 * @release: wsk_release()
 */
struct wm_ops {
	int (*control)(struct wsk_socket *s, enum wsk_control_type type, u32 code, int level,
		       size_t in_size, const void *in, size_t out_size, void *out,
		       size_t *out_returned, struct wsk_req *req);
	int (*close)(struct wsk_socket *s, struct wsk_req *req);
	int (*bind)(struct wsk_socket *s, const struct sockaddr *addr, int addrlen,
		    unsigned int flags, struct wsk_req *req);
	int (*accept)(struct wsk_socket *listen, unsigned int flags, void *accept_socket_context,
		      const struct wsk_client_connection_dispatch *accept_socket_dispatch,
		      struct sockaddr_storage *local, struct sockaddr_storage *remote,
		      struct wsk_req *req);
	int (*inspect)(struct wsk_socket *listen, const struct wsk_inspect_id *id,
		       enum wsk_inspect_action action, struct wsk_req *req);
	int (*connect)(struct wsk_socket *s, const struct sockaddr *remote, int addrlen,
		       unsigned int flags, struct wsk_req *req);
	int (*local)(struct wsk_socket *s, struct sockaddr_storage *addr, struct wsk_req *req);
	int (*remote)(struct wsk_socket *s, struct sockaddr_storage *addr, struct wsk_req *req);
	int (*send)(struct wsk_socket *s, const struct wsk_buf *buf, unsigned int flags,
		    struct wsk_req *req);
	int (*receive)(struct wsk_socket *s, const struct wsk_buf *buf, unsigned int flags,
		       struct wsk_req *req);
	int (*disconnect)(struct wsk_socket *s, const struct wsk_buf *buf, unsigned int flags,
			  struct wsk_req *req);
	int (*release)(struct wsk_socket *s, struct wsk_data_indication *chain);
};

static const struct wm_ops wm_exported = {
	.control = wsk_control,
	.close = wsk_close,
	.bind = wsk_bind,
	.accept = wsk_accept,
	.inspect = wsk_inspect_complete,
	.connect = wsk_connect,
	.local = wsk_get_local_address,
	.remote = wsk_get_remote_address,
	.send = wsk_send,
	.receive = wsk_receive,
	.disconnect = wsk_disconnect,
	.release = wsk_release,
};

/**
 * struct wm_fixture - one row's state (wt(test)->data)
 * @test: the test
 * @wq: woken by the callbacks
 * @family: the subject's family
 * @s: the subject (NULL for WM_NONE)
 * @socks: every socket the row made, closed before its leak check
 * @nr_socks: entries in @socks
 * @csock: the loopback client of the subject's connection, if any
 * @port: the subject listener's port
 * @r: counts the completions of the row's request
 * @req: the row's request: &@r->req, or &@sync.req (WM_SYNC*), or NULL
 * @base: completions of @req before the call (WM_RQ_DONE)
 * @sync: the wsk_sync of WM_SYNC and WM_SYNC_TO rows
 * @close: the request of the subject's close (@closing rows)
 * @watchdog: cancels a pending @req that wsk_sync_wait() should not wait for
 * @keep: receive_event keeps the first chain
 * @kept: that chain
 * @inspects: inspect_event calls (the first one's id is visible once counted)
 * @aborts: abort_event calls
 * @held: the id of the first inspect_event
 * @client2: WM_CLIENT_DYING's client
 * @dereg: deregisters @client2 (it waits for its socket)
 * @dereg_queued: @dereg was queued
 * @addr: bind and connect's address
 * @addrlen: its length
 * @out_addr: the address functions' output
 * @data: the bytes the buffer's two segments point into
 * @kvec: its segments
 * @buf: the buffer
 * @in: wsk_control()'s input
 * @out: its output
 * @returned: its *out_returned
 * @id: wsk_inspect_complete()'s id
 * @fake: a chain of two indications that wsk did not make
 * @fake_kvec: its segments
 * @to: wsk_data_indication_copy()'s destination
 */
struct wm_fixture {
	struct kunit *test;
	wait_queue_head_t wq;
	int family;
	struct wsk_socket *s;
	struct wsk_socket *socks[WM_SOCKS];
	int nr_socks;
	struct socket *csock;
	u16 port;
	struct wt_req *r;
	struct wsk_req *req;
	int base;
	struct wsk_sync sync;
	struct wt_req *close;
	struct timer_list watchdog;
	bool keep;
	struct wsk_data_indication *kept;
	atomic_t inspects;
	atomic_t aborts;
	struct wsk_inspect_id held;
	struct wsk_client *client2;
	struct work_struct dereg;
	bool dereg_queued;
	struct sockaddr_storage addr;
	int addrlen;
	struct sockaddr_storage out_addr;
	u8 data[128];
	struct kvec kvec[2];
	struct wsk_buf buf;
	u32 in;
	int out;
	size_t returned;
	struct wsk_inspect_id id;
	struct wsk_data_indication fake[2];
	struct kvec fake_kvec[2];
	u8 to[16];
};

/* ------------------------------------------------------------------------ */
/* Callbacks: they only record (no KUnit)                                    */

static int wm_accept_event(void *context, unsigned int flags, const struct sockaddr *local,
			   const struct sockaddr *remote, struct wsk_socket *accept_socket,
			   void **accept_socket_context,
			   const struct wsk_client_connection_dispatch **accept_socket_dispatch)
{
	/* No row enables it successfully; a socket offered anyway is refused. */
	return -ECONNREFUSED;
}

static enum wsk_inspect_action wm_inspect_event(void *context, const struct sockaddr *local,
						const struct sockaddr *remote,
						const struct wsk_inspect_id *id)
{
	struct wm_fixture *m = context;

	if (!id)
		return WSK_INSPECT_REJECT;	/* the listener is dead */
	if (!atomic_read(&m->inspects))
		m->held = *id;
	/* The id is visible once the call is counted. */
	smp_mb__before_atomic();
	atomic_inc(&m->inspects);
	wake_up(&m->wq);
	return WSK_INSPECT_PEND;
}

static void wm_abort_event(void *context, const struct wsk_inspect_id *id)
{
	struct wm_fixture *m = context;

	atomic_inc(&m->aborts);
	wake_up(&m->wq);
}

static const struct wsk_client_listen_dispatch wm_listen_dispatch = {
	.accept_event = wm_accept_event,
	.inspect_event = wm_inspect_event,
	.abort_event = wm_abort_event,
};

static int wm_receive_event(void *context, unsigned int flags,
			    struct wsk_data_indication *indication, size_t bytes_indicated,
			    size_t *bytes_accepted)
{
	struct wm_fixture *m = context;

	/* The test only passes the chain back to wsk: no ordering needed. */
	if (!indication || !READ_ONCE(m->keep) || m->kept)
		return 0;
	WRITE_ONCE(m->kept, indication);
	wake_up(&m->wq);
	return -EINPROGRESS;
}

static int wm_disconnect_event(void *context, unsigned int flags)
{
	return 0;
}

static int wm_send_backlog_event(void *context, size_t ideal_backlog_size)
{
	return 0;
}

static const struct wsk_client_connection_dispatch wm_conn_dispatch = {
	.receive_event = wm_receive_event,
	.disconnect_event = wm_disconnect_event,
	.send_backlog_event = wm_send_backlog_event,
};

static enum wsk_cf wm_cond_accept(const struct sockaddr *caller, const struct sockaddr *callee,
				  unsigned long callback_data)
{
	return WSK_CF_ACCEPT;
}

static enum wsk_cf wm_cond_bad(const struct sockaddr *caller, const struct sockaddr *callee,
			       unsigned long callback_data)
{
	return (enum wsk_cf)7;
}

/* The completion routine of a WM_SYNC* row's wsk_sync: counts, then wakes both waiters. */
static void wm_sync_complete(struct wsk_req *req)
{
	struct wsk_sync *sync = container_of(req, struct wsk_sync, req);
	struct wt_req *r = req->context;

	r->status = req->status;
	r->socket = req->result.socket;
	atomic_inc(&r->count);
	complete(&r->done);
	complete(&sync->done);
}

static void wm_watchdog(struct timer_list *timer)
{
	struct wm_fixture *m = from_timer(m, timer, watchdog);

	wsk_req_cancel(m->req);
}

static void wm_dereg_work(struct work_struct *work)
{
	struct wm_fixture *m = container_of(work, struct wm_fixture, dereg);

	wsk_deregister(m->client2);
}

/*
 * The socket whose op work wm_hold_ops() holds, and the end of the hold.
 * File-scope: the hook has no context, and must not touch a row's memory.
 */
static struct wsk_sock *wm_held;
static bool wm_released;

/* WSK_TP_OP_PASS of the held socket: wait for the release (bounded). */
static void wm_hold_ops(enum wsk_test_point point, struct wsk_sock *s, void *arg)
{
	unsigned long end = jiffies + WT_TIMEOUT;

	if (point != WSK_TP_OP_PASS || s != READ_ONCE(wm_held))
		return;
	while (!READ_ONCE(wm_released) && time_before(jiffies, end))
		usleep_range(1000, 2000);
}

static void wm_release_ops(void)
{
	WRITE_ONCE(wm_released, true);
	WRITE_ONCE(wsk_test_hook, NULL);
	WRITE_ONCE(wm_held, NULL);
}

/* ------------------------------------------------------------------------ */
/* Fixture                                                                   */

static int wm_init(struct kunit *test)
{
	struct wm_fixture *m;
	int err;

	err = wt_init(test);
	if (err)
		return err;
	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	m->test = test;
	init_waitqueue_head(&m->wq);
	atomic_set(&m->inspects, 0);
	atomic_set(&m->aborts, 0);
	timer_setup(&m->watchdog, wm_watchdog, 0);
	INIT_WORK(&m->dereg, wm_dereg_work);
	wt(test)->data = m;
	return 0;
}

static void wm_exit(struct kunit *test)
{
	struct wm_fixture *m = wt(test) ? wt(test)->data : NULL;

	if (m)
		timer_delete_sync(&m->watchdog);
	wm_release_ops();
	/* Closes every socket left, the second client's too. */
	wt_exit(test);
	if (!m || !m->client2)
		return;
	if (m->dereg_queued)
		flush_work(&m->dereg);
	else
		wsk_deregister(m->client2);
}

static struct wm_fixture *wm_get(struct kunit *test)
{
	return wt(test)->data;
}

/* Close @s with the others of the row; returns @s. */
static struct wsk_socket *wm_keep(struct kunit *test, struct wm_fixture *m, struct wsk_socket *s)
{
	KUNIT_ASSERT_LT(test, m->nr_socks, WM_SOCKS);
	m->socks[m->nr_socks++] = s;
	return s;
}

/* @s is no longer the row's to close (its close has started). */
static void wm_forget(struct kunit *test, struct wm_fixture *m, struct wsk_socket *s)
{
	int i;

	wt_untrack(test, s);
	for (i = 0; i < m->nr_socks; i++) {
		if (m->socks[i] == s) {
			m->socks[i] = m->socks[--m->nr_socks];
			break;
		}
	}
}

static bool wm_is_listener(u8 subj)
{
	return subj >= WM_LSN_NEW && subj <= WM_LSN_ABORTED;
}

/* ------------------------------------------------------------------------ */
/* Subjects                                                                  */

static struct wsk_socket *wm_socket(struct kunit *test, struct wm_fixture *m, unsigned int flags,
				    const void *dispatch)
{
	struct wsk_socket *s;

	KUNIT_ASSERT_EQ(test, wt_socket_ctx(test, m->family, flags, m, dispatch, &s), 0);
	return wm_keep(test, m, s);
}

static void wm_bind_loopback(struct kunit *test, struct wm_fixture *m, struct wsk_socket *s)
{
	struct sockaddr_storage ss;
	int len = wt_addr(&ss, m->family, false, 0);

	KUNIT_ASSERT_EQ(test, wt_bind(test, s, (struct sockaddr *)&ss, len), 0);
	KUNIT_ASSERT_EQ(test, wt_local_address(test, s, &ss), 0);
	m->port = wt_port(&ss);
}

/* A connection accepted with wsk_accept(), whose context is @m; @m->csock its client. */
static struct wsk_socket *wm_accepted(struct kunit *test, struct wm_fixture *m,
				      const void *dispatch)
{
	struct wt_req *a = wt_req_new(test);
	struct wsk_socket *ls;
	u16 port;

	ls = wm_keep(test, m, wt_listener(test, m->family, false, 0, &port));
	KUNIT_ASSERT_EQ(test, wsk_accept(ls, 0, m, dispatch, NULL, NULL, &a->req), -EINPROGRESS);
	KUNIT_ASSERT_EQ(test, wt_connect(test, m->family, port, NULL, &m->csock), 0);
	KUNIT_ASSERT_TRUE(test, wt_wait(test, a));
	KUNIT_ASSERT_EQ(test, a->status, 0);
	KUNIT_ASSERT_NOT_NULL(test, a->socket);
	wt_track(test, a->socket);
	return wm_keep(test, m, a->socket);
}

/* A bound listener with conditional accept on, holding @held pended connections. */
static struct wsk_socket *wm_cond_listener(struct kunit *test, struct wm_fixture *m, int held)
{
	struct wsk_socket *ls = wm_socket(test, m, WSK_FLAG_LISTEN_SOCKET, &wm_listen_dispatch);
	struct socket *csock;

	KUNIT_ASSERT_EQ(test, wt_set_u32(test, ls, SOL_SOCKET, WSK_SO_CONDITIONAL_ACCEPT, 1), 0);
	wm_bind_loopback(test, m, ls);
	if (!held)
		return ls;
	KUNIT_ASSERT_EQ(test, wt_connect(test, m->family, m->port, NULL, &csock), 0);
	m->csock = csock;
	WT_ASSERT_WAIT(test, m->wq, atomic_read(&m->inspects) == 1);
	return ls;
}

static bool wm_client_dying(void *arg)
{
	struct wsk_client *client = arg;

	return READ_ONCE(client->dying);
}

/* A second client with one socket open, whose wsk_deregister() has started. */
static void wm_dying_client(struct kunit *test, struct wm_fixture *m)
{
	struct wsk_client *client = wsk_register(THIS_MODULE);
	struct wsk_sync sync;
	int err;

	KUNIT_ASSERT_FALSE(test, IS_ERR(client));
	m->client2 = client;
	wsk_sync_init(&sync);
	err = wsk_socket(client, &init_net, AF_INET, WSK_FLAG_CONNECTION_SOCKET, NULL, NULL,
			 &sync.req);
	KUNIT_ASSERT_EQ(test, wsk_sync_wait_timeout(&sync, err, WT_TIMEOUT), 0);
	wt_track(test, sync.req.result.socket);
	wm_keep(test, m, sync.req.result.socket);
	m->dereg_queued = true;
	queue_work(system_unbound_wq, &m->dereg);
	KUNIT_ASSERT_TRUE(test, wt_poll(wm_client_dying, client));
}

static void wm_subject(struct kunit *test, struct wm_fixture *m, const struct wm_case *p)
{
	struct wt_req *x = wt_req_new(test);
	struct wsk_socket *s = NULL;

	switch (p->subj) {
	case WM_NONE:
		break;
	case WM_LSN_NEW:
		s = wm_socket(test, m, WSK_FLAG_LISTEN_SOCKET, NULL);
		break;
	case WM_LSN:
	case WM_LSN_QUEUED:
		s = wm_keep(test, m, wt_listener(test, m->family, false, 0, &m->port));
		if (p->subj == WM_LSN_QUEUED)
			KUNIT_ASSERT_EQ(test, wt_connect(test, m->family, m->port, NULL,
							 &m->csock), 0);
		break;
	case WM_LSN_EV:
		s = wm_keep(test, m, wt_listener_ctx(test, m->family, false, 0, m,
						     &wm_listen_dispatch, &m->port));
		break;
	case WM_LSN_COND:
		s = wm_cond_listener(test, m, 0);
		break;
	case WM_LSN_PENDED:
	case WM_LSN_DECIDED:
	case WM_LSN_ABORTED:
		s = wm_cond_listener(test, m, 1);
		if (p->subj == WM_LSN_DECIDED)
			KUNIT_ASSERT_EQ(test, wsk_inspect_complete(s, &m->held, WSK_INSPECT_REJECT,
								   &x->req), 0);
		if (p->subj != WM_LSN_ABORTED)
			break;
		wt_reset(test, m->csock);
		WT_ASSERT_WAIT(test, m->wq, atomic_read(&m->aborts) == 1);
		break;
	case WM_CONN_NEW:
	case WM_CONN_BOUND:
		s = wm_socket(test, m, WSK_FLAG_CONNECTION_SOCKET, &wm_conn_dispatch);
		if (p->subj == WM_CONN_BOUND)
			wm_bind_loopback(test, m, s);
		break;
	case WM_CONN:
	case WM_CONN_ABORTED:
		s = wm_accepted(test, m, NULL);
		if (p->subj != WM_CONN_ABORTED)
			break;
		KUNIT_ASSERT_EQ(test, wsk_disconnect(s, NULL, WSK_FLAG_ABORTIVE, &x->req),
				-EINPROGRESS);
		KUNIT_ASSERT_TRUE(test, wt_wait(test, x));
		KUNIT_ASSERT_EQ(test, x->status, 0);
		break;
	case WM_CONN_EV:
		s = wm_accepted(test, m, &wm_conn_dispatch);
		break;
	case WM_CONN_KEPT:
	case WM_CONN_RELEASED:
		WRITE_ONCE(m->keep, true);
		s = wm_accepted(test, m, &wm_conn_dispatch);
		KUNIT_ASSERT_EQ(test, wt_events(s, WSK_EVENT_RECEIVE, NULL), 0);
		KUNIT_ASSERT_EQ(test, wt_send(m->csock, "hello", 5), 5);
		WT_ASSERT_WAIT(test, m->wq, READ_ONCE(m->kept));
		if (p->subj == WM_CONN_RELEASED)
			KUNIT_ASSERT_EQ(test, wsk_release(s, m->kept), 0);
		break;
	case WM_CLIENT_DYING:
		wm_dying_client(test, m);
		break;
	default:
		KUNIT_ASSERT_TRUE_MSG(test, false, "unknown subject %u", p->subj);
	}
	m->s = s;
}

static bool wm_listener_dead(void *arg)
{
	struct wsk_socket *s = arg;
	struct wsk_sock *ls = wsk_sock(s);
	unsigned long flags;
	bool dead;

	spin_lock_irqsave(&ls->lock, flags);
	dead = ls->state == WSK_SOCK_DEAD;
	spin_unlock_irqrestore(&ls->lock, flags);
	return dead;
}

/* The kernel closes the listener under wsk (what ss -K does); wsk notices. */
static void wm_kill(struct kunit *test, struct wm_fixture *m)
{
	KUNIT_ASSERT_NOT_NULL(test, m->s);
	KUNIT_ASSERT_EQ(test, tcp_abort(wsk_sock(m->s)->sock->sk, ECONNABORTED), 0);
	KUNIT_ASSERT_TRUE(test, wt_poll(wm_listener_dead, m->s));
}

static bool wm_ops_idle(void *arg)
{
	struct wsk_sock *s = arg;
	unsigned long flags;
	bool idle;

	spin_lock_irqsave(&s->lock, flags);
	idle = !s->op_active;
	spin_unlock_irqrestore(&s->lock, flags);
	return idle;
}

/*
 * Hold the subject's next op work pass, and so the teardown of its close,
 * until wm_release_ops(). Its op work is idle first: the close must start a
 * new pass, which the hook holds at its beginning.
 */
static void wm_hold(struct kunit *test, struct wm_fixture *m)
{
	struct wsk_sock *s;

	KUNIT_ASSERT_NOT_NULL(test, m->s);
	s = wsk_sock(m->s);
	KUNIT_ASSERT_TRUE(test, wt_poll(wm_ops_idle, s));
	WRITE_ONCE(wm_released, false);
	WRITE_ONCE(wm_held, s);
	WRITE_ONCE(wsk_test_hook, wm_hold_ops);
}

/* ------------------------------------------------------------------------ */
/* Arguments and the request                                                 */

/**
 * struct wm_shape - a buffer of two segments of 4 bytes
 * @nr_segs: segments described
 * @offset: into the first
 * @length: bytes
 * @no_kvec: kvec NULL
 */
struct wm_shape {
	unsigned int nr_segs;
	size_t offset;
	size_t length;
	bool no_kvec;
};

static const struct wm_shape wm_shapes[] = {
	[WM_BUF_OK] = { 2, 0, 8 },
	[WM_BUF_LONG] = { 2, 2, 7 },
	[WM_BUF_OFF_PAST] = { 2, 9, 1 },
	[WM_BUF_OFF_OVF] = { 2, SIZE_MAX, 2 },
	[WM_BUF_LEN_OVF] = { 2, 1, SIZE_MAX },
	[WM_BUF_NO_SEGS] = { 0, 0, 1 },
	[WM_BUF_NO_KVEC] = { 1, 0, 1, true },
};

static int wm_family(const struct wm_fixture *m, const struct wm_case *p)
{
	if (p->family == WM_AF_UNSPEC)
		return AF_UNSPEC;
	return p->family ? p->family : m->family;
}

static void wm_args(struct kunit *test, struct wm_fixture *m, const struct wm_case *p)
{
	const struct wm_shape *b = &wm_shapes[p->buf];
	int family = wm_family(m, p), len;
	u16 port = 0;

	if (p->addr == WM_AD_INUSE)
		wm_keep(test, m, wt_listener(test, family, false, 0, &port));
	if (family == AF_INET || family == AF_INET6) {
		len = wt_addr(&m->addr, family, false, port);
		if (p->addr == WM_AD_FOREIGN && family == AF_INET)
			((struct sockaddr_in *)&m->addr)->sin_addr.s_addr = htonl(0xc0000201);
	} else {
		memset(&m->addr, 0, sizeof(m->addr));
		m->addr.ss_family = family;
		len = sizeof(struct sockaddr_in6);
	}
	m->addrlen = len + p->alen;

	memcpy(m->data, "abcd", 4);
	memcpy(m->data + 64, "efgh", 4);
	m->kvec[0].iov_base = m->data;
	m->kvec[0].iov_len = 4;
	m->kvec[1].iov_base = m->data + 64;
	m->kvec[1].iov_len = 4;
	m->buf.kvec = b->no_kvec ? NULL : m->kvec;
	m->buf.nr_segs = b->nr_segs;
	m->buf.offset = b->offset;
	m->buf.length = b->length;

	m->in = p->ctl.val;
	m->out = 0;
	if (p->id == WM_ID_HELD) {
		m->id = m->held;
	} else {
		m->id.key = 0x5eed;
		m->id.serial = 0x7fffffff;
	}

	m->fake_kvec[0] = m->kvec[0];
	m->fake_kvec[1] = m->kvec[1];
	m->fake[0].next = &m->fake[1];
	m->fake[1].next = NULL;
	m->fake[0].buffer.kvec = &m->fake_kvec[0];
	m->fake[1].buffer.kvec = &m->fake_kvec[1];
	m->fake[0].buffer.nr_segs = 1;
	m->fake[1].buffer.nr_segs = 1;
	m->fake[0].buffer.length = 4;
	m->fake[1].buffer.length = 4;
}

/* The row's request, in the state the row asks for. */
static void wm_request(struct kunit *test, struct wm_fixture *m, const struct wm_case *p)
{
	struct wt_req *r = wt_req_new(test);
	struct wsk_socket *pend;
	wsk_complete_t fn;
	void *ctx;
	u16 port;

	m->r = r;
	m->req = &r->req;
	if (p->via == WM_SYNC || p->via == WM_SYNC_TO) {
		wsk_sync_init(&m->sync);
		m->sync.req.complete = wm_sync_complete;
		m->sync.req.context = r;
		m->req = &m->sync.req;
	}
	switch (p->req) {
	case WM_RQ_NULL:
		m->req = NULL;
		return;
	case WM_RQ_PENDING:
		pend = wm_keep(test, m, wt_listener(test, AF_INET, false, 0, &port));
		KUNIT_ASSERT_EQ(test, wsk_accept(pend, 0, NULL, NULL, NULL, NULL, m->req),
				-EINPROGRESS);
		return;
	case WM_RQ_DONE:
		KUNIT_ASSERT_EQ(test, wsk_close(NULL, m->req), -EINVAL);
		KUNIT_ASSERT_EQ(test, atomic_read(&r->count), 1);
		m->base = 1;
		break;
	case WM_RQ_ZERO:
		fn = m->req->complete;
		ctx = m->req->context;
		memset(m->req, 0, sizeof(*m->req));
		m->req->complete = fn;
		m->req->context = ctx;
		break;
	}
	/* The owner's field until submitted: a failure must zero it. */
	m->req->result.bytes = WM_POISON;
}

static bool wm_takes_req(u8 op)
{
	return op != WM_RELEASE && op != WM_COPY && op != WM_CANCEL && op != WM_DEREGISTER;
}

/* The subject's dispatch table as a &struct wm_ops (missing members NULL). */
static void wm_table(const struct wm_fixture *m, const struct wm_case *p, struct wm_ops *o)
{
	const struct wsk_provider_connection_dispatch *cd;
	const struct wsk_provider_listen_dispatch *ld;

	memset(o, 0, sizeof(*o));
	if (!m->s)
		return;
	if (wm_is_listener(p->subj)) {
		ld = m->s->dispatch;
		o->control = ld->basic.control;
		o->close = ld->basic.close;
		o->bind = ld->bind;
		o->accept = ld->accept;
		o->inspect = ld->inspect_complete;
		o->local = ld->get_local_address;
		return;
	}
	cd = m->s->dispatch;
	o->control = cd->basic.control;
	o->close = cd->basic.close;
	o->bind = cd->bind;
	o->connect = cd->connect;
	o->local = cd->get_local_address;
	o->remote = cd->get_remote_address;
	o->send = cd->send;
	o->receive = cd->receive;
	o->disconnect = cd->disconnect;
	o->release = cd->release;
}

/*
 * Call the row's function. Runs under rcu_read_lock() for @closing rows: no
 * KUnit, no sleeping; a table with no such member gives WM_NO_MEMBER.
 */
static int wm_call(struct wm_fixture *m, const struct wm_case *p, const struct wm_ops *o)
{
	struct wsk_socket *s = p->nulls & WM_N_S ? NULL : m->s;
	const struct wsk_inspect_id *id = p->nulls & WM_N_ID ? NULL : &m->id;
	const struct wsk_buf *buf = p->nulls & WM_N_BUF ? NULL : &m->buf;
	const void *in = p->nulls & WM_N_IN ? NULL : &m->in;
	void *out = p->nulls & WM_N_OUT ? NULL : &m->out;
	struct sockaddr *addr = p->nulls & WM_N_ADDR ? NULL : (struct sockaddr *)&m->addr;
	struct sockaddr_storage *oaddr = p->nulls & WM_N_ADDR ? NULL : &m->out_addr;
	struct wsk_data_indication *chain;
	struct wsk_client *client;
	wsk_condition_t cond;

	chain = p->chain == WM_CH_KEPT ? m->kept : &m->fake[0];
	if (p->nulls & WM_N_CHAIN)
		chain = NULL;
	switch (p->op) {
	case WM_SOCKET:
		client = p->subj == WM_CLIENT_DYING ? m->client2 : wt(m->test)->client;
		return wsk_socket(p->nulls & WM_N_CLIENT ? NULL : client,
				  p->nulls & WM_N_NET ? NULL : &init_net, wm_family(m, p),
				  p->flags, m, NULL, m->req);
	case WM_BIND:
		if (!o->bind)
			return WM_NO_MEMBER;
		return o->bind(s, addr, m->addrlen, p->flags, m->req);
	case WM_CLOSE:
		if (!o->close)
			return WM_NO_MEMBER;
		return o->close(s, m->req);
	case WM_LOCAL:
		if (!o->local)
			return WM_NO_MEMBER;
		return o->local(s, oaddr, m->req);
	case WM_REMOTE:
		if (!o->remote)
			return WM_NO_MEMBER;
		return o->remote(s, oaddr, m->req);
	case WM_CONTROL:
		if (!o->control)
			return WM_NO_MEMBER;
		return o->control(s, p->ctl.type, p->ctl.code, p->ctl.level, p->ctl.in_size, in,
				  p->ctl.out_size, out, &m->returned, m->req);
	case WM_ACCEPT:
		if (!o->accept)
			return WM_NO_MEMBER;
		return o->accept(s, p->flags, m, NULL, &m->out_addr, NULL, m->req);
	case WM_ACCEPT_COND:
		if (p->via == WM_TABLE)
			return WM_NO_MEMBER;
		cond = p->cond == WM_CF_BAD ? wm_cond_bad :
		       p->cond == WM_CF_ACCEPT ? wm_cond_accept : NULL;
		return wsk_accept_conditional(s, cond, 0, m, NULL, &m->out_addr, NULL, m->req);
	case WM_INSPECT:
		if (!o->inspect)
			return WM_NO_MEMBER;
		return o->inspect(s, id, p->action, m->req);
	case WM_CONNECT:
		if (!o->connect)
			return WM_NO_MEMBER;
		return o->connect(s, addr, m->addrlen, p->flags, m->req);
	case WM_SEND:
		if (!o->send)
			return WM_NO_MEMBER;
		return o->send(s, buf, p->flags, m->req);
	case WM_RECEIVE:
		if (!o->receive)
			return WM_NO_MEMBER;
		return o->receive(s, buf, p->flags, m->req);
	case WM_DISCONNECT:
		if (!o->disconnect)
			return WM_NO_MEMBER;
		return o->disconnect(s, buf, p->flags, m->req);
	case WM_RELEASE:
		if (!o->release)
			return WM_NO_MEMBER;
		return o->release(s, chain);
	case WM_COPY:
		/* The chain has 8 bytes: at most 8 are written, whatever @len says. */
		return wsk_data_indication_copy(chain, p->off, m->to, p->len);
	case WM_CANCEL:
		return wsk_req_cancel(m->req);
	case WM_DEREGISTER:
		wsk_deregister(NULL);
		return 0;
	}
	return WM_NO_MEMBER;
}

/* WM_SYNC*: the call, with its return given to wsk_sync_wait*(). */
static int wm_sync_call(struct wm_fixture *m, const struct wm_case *p, const struct wm_ops *o)
{
	int ret;

	/* Should wsk_sync_wait() wait for the pending request, this ends the wait. */
	if (p->req == WM_RQ_PENDING)
		mod_timer(&m->watchdog, jiffies + WT_TIMEOUT);
	ret = wm_call(m, p, o);
	if (p->via == WM_SYNC)
		ret = wsk_sync_wait(&m->sync, ret);
	else
		ret = wsk_sync_wait_timeout(&m->sync, ret, WT_TIMEOUT);
	timer_delete_sync(&m->watchdog);
	return ret;
}

/*
 * The contract's rule for what the call completed (@now: completions right
 * after it returned): nothing for a NULL or pending request, or a function
 * that takes none; else exactly once, inside the call unless it returned
 * -EINPROGRESS, with the status it returned (or the row's status), and the
 * result zeroed on failure. Returns the completions so far.
 */
static int wm_check(struct kunit *test, struct wm_fixture *m, const struct wm_case *p,
		    int ret, int now)
{
	struct wt_req *r = m->r;
	int status;

	KUNIT_EXPECT_EQ_MSG(test, ret, p->ret, "returned");
	if (!wm_takes_req(p->op) || !m->req || p->req == WM_RQ_PENDING ||
	    p->req == WM_RQ_CLOSE) {
		/* (The held close of WM_RQ_CLOSE completes later: wm_settle().) */
		KUNIT_EXPECT_EQ_MSG(test, now, m->base, "refused, yet completed");
		return m->base;
	}
	if (ret == -EINPROGRESS) {
		KUNIT_EXPECT_TRUE(test, wt_wait(test, r));
		status = p->ret == -EINPROGRESS ? p->status : p->ret;
	} else {
		KUNIT_EXPECT_EQ_MSG(test, now, m->base + 1, "not completed inline");
		status = ret;
	}
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&r->count), m->base + 1, "completions");
	KUNIT_EXPECT_EQ_MSG(test, r->status, status, "status");
	KUNIT_EXPECT_EQ_MSG(test, m->req->status, status, "req->status");
	if (status) {
		KUNIT_EXPECT_EQ_MSG(test, m->req->result.bytes, 0, "result not zeroed");
		KUNIT_EXPECT_NULL(test, r->socket);
	}
	return m->base + 1;
}

/* The request's own end (a pending one, a pending close); returns its completions. */
static int wm_settle(struct kunit *test, struct wm_fixture *m, const struct wm_case *p, int total)
{
	struct wt_req *r = m->r;

	if (p->req == WM_RQ_PENDING) {
		/* The earlier submission is untouched: still waiting, so cancellable. */
		KUNIT_EXPECT_TRUE_MSG(test, wsk_req_cancel(m->req), "pending req lost");
		KUNIT_EXPECT_EQ(test, r->status, -ECANCELED);
		total++;
	} else if (p->req == WM_RQ_CLOSE) {
		/* Neither cancelled nor refused: the close completes 0, once. */
		KUNIT_EXPECT_TRUE(test, wt_wait(test, r));
		KUNIT_EXPECT_EQ(test, r->status, 0);
		total++;
	}
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&r->count), total, "completions");
	/* A socket made against the row's expectation is closed with the others. */
	if (!r->status && r->socket &&
	    (p->op == WM_SOCKET || p->op == WM_ACCEPT || p->op == WM_ACCEPT_COND)) {
		wt_track(test, r->socket);
		wm_keep(test, m, r->socket);
	}
	return total;
}

/* Close the row's sockets, newest first, and end the second client. */
static void wm_cleanup(struct kunit *test, struct wm_fixture *m, const struct wm_case *p)
{
	while (m->nr_socks)
		KUNIT_EXPECT_EQ(test, wt_close(test, m->socks[--m->nr_socks]), 0);
	if (p->closing) {
		KUNIT_EXPECT_TRUE(test, wt_wait(test, m->close));
		KUNIT_EXPECT_EQ(test, m->close->status, 0);
	}
	if (m->client2) {
		flush_work(&m->dereg);
		m->client2 = NULL;
	}
}

/*
 * One row: set up its subject, request and arguments, make the call, check
 * it against the contract, close everything and check that nothing leaked.
 */
static void wsk_misuse_row(struct kunit *test)
{
	const struct wm_case *p = test->param_value;
	long sockets = wt_stat("sockets"), pending = wt_stat("requests_pending");
	const struct wm_ops *o = &wm_exported;
	int ret, now, total, closed = -EINPROGRESS;
	struct wm_fixture *m = wm_get(test);
	struct wsk_req *close;
	struct wm_ops table;

	KUNIT_ASSERT_NE(test, sockets, LONG_MIN);
	KUNIT_ASSERT_NE(test, pending, LONG_MIN);
	m->family = p->v6 ? AF_INET6 : AF_INET;
	m->close = wt_req_new(test);
	wm_subject(test, m, p);
	if (p->killed)
		wm_kill(test, m);
	wm_args(test, m, p);
	wm_request(test, m, p);
	if (p->via == WM_TABLE) {
		wm_table(m, p, &table);
		o = &table;
	}

	if (p->closing || p->req == WM_RQ_CLOSE) {
		close = p->req == WM_RQ_CLOSE ? m->req : &m->close->req;
		wm_hold(test, m);
		wm_forget(test, m, m->s);
		/* And a socket is freed only a grace period after its close completes. */
		rcu_read_lock();
		closed = wsk_close(m->s, close);
		ret = wm_call(m, p, o);
		rcu_read_unlock();
		now = atomic_read(&m->r->count);
		wm_release_ops();
	} else if (p->via == WM_SYNC || p->via == WM_SYNC_TO) {
		ret = wm_sync_call(m, p, o);
		now = atomic_read(&m->r->count);
	} else {
		ret = wm_call(m, p, o);
		now = atomic_read(&m->r->count);
	}
	KUNIT_EXPECT_EQ_MSG(test, closed, -EINPROGRESS, "close");

	total = wm_check(test, m, p, ret, now);
	total = wm_settle(test, m, p, total);
	wm_cleanup(test, m, p);
	/* Exactly once: nothing completed it again meanwhile. */
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&m->r->count), total, "late completion");
	KUNIT_EXPECT_EQ_MSG(test, wt_stat_wait("sockets", sockets), sockets, "sockets leaked");
	KUNIT_EXPECT_EQ_MSG(test, wt_stat_wait("requests_pending", pending), pending,
			    "requests leaked");
}

static struct kunit_case wsk_misuse_cases[] = {
	KUNIT_CASE_PARAM(wsk_misuse_row, wm_gen_params),
	{}
};

static struct kunit_suite wsk_misuse_suite = {
	.name = "wsk_misuse",
	.init = wm_init,
	.exit = wm_exit,
	.test_cases = wsk_misuse_cases,
};

kunit_test_suite(wsk_misuse_suite);
