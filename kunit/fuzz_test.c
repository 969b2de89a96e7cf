// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "wsk_fuzz", module wsk_fuzz.ko: an API sequence fuzzer.
 *
 * Each iteration registers a client (sometimes two), sets up listeners and
 * starts loopback peers (in-kernel client sockets driven by kthreads that
 * connect, send the stream pattern, send MSG_OOB urgent bytes, half-close,
 * reset and close at random), then issues a seeded random sequence of every
 * exported call: wsk_socket() of both categories, bind, control SET and GET
 * (pass-through options, WSK_SO_LISTEN_BACKLOG, WSK_SO_CONDITIONAL_ACCEPT,
 * WSK_SO_EVENT_CALLBACK on and off, with and without a request), accept,
 * accept_conditional with conditions that accept, reject, defer or return
 * garbage, inspect verdicts (known, decided and unknown ids), send, receive
 * (WAITALL too), graceful and abortive disconnect, release of kept
 * indications, wsk_req_cancel() at random moments, close, the synchronous
 * helpers, misuse (NULL and pending requests, bad arguments), deregistering
 * and registering a second client, and killing a listener from outside
 * (tcp_abort()). Calls come from the test thread (process context, and with
 * interrupts off), from timers (softirq), and from the callbacks and
 * completion routines, which also do random but legal things: take or refuse
 * connections, keep indication chains, resubmit, cancel, close from inside.
 *
 * Invariants, all checked by the suite (the case wsk_fuzz_checks proves
 * that each check fires on a violation):
 * - every accepted submission completes exactly once, with its return value
 *   as status when it completed inline; a refused one never;
 * - a cancel that returned true completes its request with -ECANCELED; a
 *   failed request's result is zeroed; a condition's verdict maps to its
 *   request's status; accepted sockets are new;
 * - no completion or callback for a socket after its close completed, and
 *   every request of a socket completed before its close did;
 * - callbacks run in process context, one at a time per socket, not after
 *   their event was disabled; the NULL indication, the disconnect event and
 *   the NULL accept event come at most once;
 * - the bytes received, by request or indication, are the peer's stream in
 *   order, without a byte twice (urgent bytes aside);
 * - at the end of each iteration every socket and request is gone: the
 *   debugfs counters sockets and requests_pending are back where they
 *   started (KASAN, lockdep and UBSAN reports fail the boot).
 *
 * Module parameters: ops (operations in all, default a short run), seed (0:
 * pick one; it is printed, and every failure names it with the iteration
 * and the operation), iter (the first iteration: a failing iteration is
 * replayed with seed=S iter=I). The test thread's sequence of an iteration
 * depends only on the seed and the iteration number; timing, peers and
 * callbacks add the rest. The run is one parameterised case, each parameter
 * a chunk of iterations of at most FZ_CHUNK_SECS, so that no case meets
 * KUnit's timeout nor the hung task detector.
 *
 * Callbacks and completion routines never call KUnit (they may run in
 * softirq): they record violations, which the test thread reports.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/net.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/tcp.h>
#include <linux/timer.h>
#include <linux/wait.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "internal.h"
#include "util.h"

static unsigned int ops = 2500;
module_param(ops, uint, 0444);
MODULE_PARM_DESC(ops, "operations of the test thread in all (default 2500)");

static ulong seed;
module_param(seed, ulong, 0444);
MODULE_PARM_DESC(seed, "seed of the run (default 0: pick one and print it)");

static unsigned int iter;
module_param(iter, uint, 0444);
MODULE_PARM_DESC(iter, "number of the first iteration (replay: seed=S iter=I)");

/* Socket slots of one iteration. */
#define FZ_SOCKS	96
/* Timers that issue operations from softirq. */
#define FZ_TIMERS	4
#define FZ_PEERS	2
/* Connections one peer thread keeps at most. */
#define FZ_PEER_CONNS	8
/* Listener ports the peers may connect to. */
#define FZ_PORTS	16
/* Indication chains one connection keeps at most. */
#define FZ_KEPT		4
/* Pended and decided inspect ids one listener remembers. */
#define FZ_PENDED	8
#define FZ_DECIDED	4
/* A receive buffer; sends come from one shared buffer of FZ_TX_MAX. */
#define FZ_RX_MAX	1024
#define FZ_TX_MAX	65536
/* The stream pattern: byte i of a peer's stream is i % FZ_PAT; urgent bytes are FZ_URG. */
#define FZ_PAT		251
#define FZ_URG		0xff
/* Violations kept in full, and the operations traced for the report. */
#define FZ_WHY		4
#define FZ_WHY_LEN	224
#define FZ_TRACE	128
/* Submissions whose status a request remembers (ring). */
#define FZ_ST		8
/* Resubmissions a completion routine chains at most per submission. */
#define FZ_RESUBMITS	4
/* One chunk (parameter) of the run ends after this long. */
#define FZ_CHUNK_SECS	25
/* What an iteration waits at most for everything to complete. */
#define FZ_QUIESCE	(20 * HZ)

/* Operation codes: what the test thread, timers and callbacks issue. */
enum fz_op {
	FZ_OP_LISTEN,		/* wsk_socket(), listen socket, async */
	FZ_OP_SETUP,		/* a listening listener, synchronously */
	FZ_OP_CONN,		/* wsk_socket(), connection socket */
	FZ_OP_BIND,
	FZ_OP_SET,
	FZ_OP_GET,
	FZ_OP_EVENTS,
	FZ_OP_ACCEPT,
	FZ_OP_ACCEPT_COND,
	FZ_OP_INSPECT,
	FZ_OP_SEND,
	FZ_OP_RECEIVE,
	FZ_OP_DISCONNECT,
	FZ_OP_ABORT,
	FZ_OP_RELEASE,
	FZ_OP_CANCEL,
	FZ_OP_CLOSE,
	FZ_OP_ADDR,
	FZ_OP_CONNECT,
	FZ_OP_MISUSE,
	FZ_OP_CLIENT,		/* deregister or register the second client */
	FZ_OP_KILL,		/* tcp_abort() a listener */
	FZ_OP_PEER,		/* steer the peers */
	FZ_OP_SYNC,		/* the wsk_sync helpers */
	FZ_OP_SLEEP,
	FZ_OP_NR
};

static const char * const fz_op_names[FZ_OP_NR] = {
	[FZ_OP_LISTEN] = "listen",
	[FZ_OP_SETUP] = "listen_setup",
	[FZ_OP_CONN] = "conn_socket",
	[FZ_OP_BIND] = "bind",
	[FZ_OP_SET] = "control_set",
	[FZ_OP_GET] = "control_get",
	[FZ_OP_EVENTS] = "event_callback",
	[FZ_OP_ACCEPT] = "accept",
	[FZ_OP_ACCEPT_COND] = "accept_cond",
	[FZ_OP_INSPECT] = "inspect_complete",
	[FZ_OP_SEND] = "send",
	[FZ_OP_RECEIVE] = "receive",
	[FZ_OP_DISCONNECT] = "disconnect",
	[FZ_OP_ABORT] = "disconnect_abort",
	[FZ_OP_RELEASE] = "release",
	[FZ_OP_CANCEL] = "cancel",
	[FZ_OP_CLOSE] = "close",
	[FZ_OP_ADDR] = "address",
	[FZ_OP_CONNECT] = "connect",
	[FZ_OP_MISUSE] = "misuse",
	[FZ_OP_CLIENT] = "client_cycle",
	[FZ_OP_KILL] = "listener_kill",
	[FZ_OP_PEER] = "peer_steer",
	[FZ_OP_SYNC] = "sync_helper",
	[FZ_OP_SLEEP] = "sleep",
};

/* Weights of the test thread's choice. */
static const u8 fz_op_weights[FZ_OP_NR] = {
	[FZ_OP_LISTEN] = 3,
	[FZ_OP_SETUP] = 3,
	[FZ_OP_CONN] = 2,
	[FZ_OP_BIND] = 4,
	[FZ_OP_SET] = 5,
	[FZ_OP_GET] = 3,
	[FZ_OP_EVENTS] = 7,
	[FZ_OP_ACCEPT] = 12,
	[FZ_OP_ACCEPT_COND] = 7,
	[FZ_OP_INSPECT] = 5,
	[FZ_OP_SEND] = 10,
	[FZ_OP_RECEIVE] = 10,
	[FZ_OP_DISCONNECT] = 3,
	[FZ_OP_ABORT] = 2,
	[FZ_OP_RELEASE] = 4,
	[FZ_OP_CANCEL] = 9,
	[FZ_OP_CLOSE] = 4,
	[FZ_OP_ADDR] = 2,
	[FZ_OP_CONNECT] = 1,
	[FZ_OP_MISUSE] = 2,
	[FZ_OP_CLIENT] = 1,
	[FZ_OP_KILL] = 1,
	[FZ_OP_PEER] = 4,
	[FZ_OP_SYNC] = 1,
	[FZ_OP_SLEEP] = 6,
};

/* Where an operation was issued from. */
enum fz_ctx {
	FZ_CTX_PROC,		/* the test thread */
	FZ_CTX_IRQOFF,		/* the test thread, interrupts off */
	FZ_CTX_TIMER,		/* a timer (softirq) */
	FZ_CTX_CB,		/* an event callback or a condition function */
	FZ_CTX_DONE,		/* a completion routine */
	FZ_CTX_NR
};

static const char * const fz_ctx_names[FZ_CTX_NR] = {
	"proc", "irqoff", "timer", "callback", "completion"
};

/* What a submission is, for its checks. */
enum fz_kind {
	FZ_K_NONE,
	FZ_K_SOCKET,
	FZ_K_BIND,
	FZ_K_SET,
	FZ_K_GET,
	FZ_K_EVENT,
	FZ_K_ACCEPT,
	FZ_K_ACCEPT_COND,
	FZ_K_INSPECT,
	FZ_K_SEND,
	FZ_K_RECEIVE,
	FZ_K_DISC,
	FZ_K_ABORT,
	FZ_K_CLOSE,
	FZ_K_ADDR,
	FZ_K_INLINE,		/* anything else that completes inline */
	FZ_K_NR
};

static const char * const fz_kind_names[FZ_K_NR] = {
	"none", "socket", "bind", "set", "get", "event", "accept", "accept_cond",
	"inspect", "send", "receive", "disconnect", "abort", "close", "address", "inline"
};

/* The requests of a socket slot, by role. */
enum fz_role {
	FZ_R_CREATE,		/* the wsk_socket() that made it */
	FZ_R_ACC0,		/* listeners: four accepts */
	FZ_R_ACC1,
	FZ_R_ACC2,
	FZ_R_ACC3,
	FZ_R_BIND,
	FZ_R_CTL,
	FZ_R_EV,
	FZ_R_MISC,		/* inline operations of the test thread and timers */
	FZ_R_SEND0,		/* connections */
	FZ_R_SEND1,
	FZ_R_RECV0,
	FZ_R_RECV1,
	FZ_R_DISC,
	FZ_R_ABORT,
	FZ_R_CB,		/* inline calls of the socket's own callbacks */
	FZ_R_CBTX,		/* sends and disconnects of its callbacks */
	FZ_R_CBRX,		/* receives of its callbacks */
	FZ_R_CLOSE,
	FZ_R_NR
};

/* Receive roles, which have a buffer. */
#define FZ_RX_ROLES	3

/* Socket slot states. */
enum fz_state {
	FZ_S_FREE,		/* never used in this iteration */
	FZ_S_RESERVED,		/* a wsk_socket() or accept is to fill it */
	FZ_S_OPEN,		/* ours, close not submitted */
	FZ_S_CLOSING,		/* close submitted */
	FZ_S_CLOSED,		/* close completed: wsk freed it */
	FZ_S_VOID,		/* the reservation came to nothing */
	FZ_S_REFUSED,		/* refused by accept_event: wsk's to reset */
};

/* Socket types. */
enum fz_type {
	FZ_T_LISTEN,
	FZ_T_CONN,		/* an accepted connection */
	FZ_T_UNCONN,		/* a connection socket from wsk_socket() */
};

/* fz_sock.flags bits */
enum {
	FZ_F_CLOSE_WANTED,	/* its base reference is dropped */
	FZ_F_BIND_SUBMITTED,	/* a bind was accepted: its state is uncertain */
	FZ_F_LISTENING,		/* a bind completed with 0 (listeners: listening) */
	FZ_F_COND,		/* WSK_SO_CONDITIONAL_ACCEPT is 1 (test thread only) */
	FZ_F_KILLED,		/* tcp_abort() was called on it */
	FZ_F_QUIET,		/* no peer knows its port */
	FZ_F_ABORTED,		/* an abortive disconnect was accepted */
	FZ_F_DEAD_SEEN,		/* a NULL indication or abortive disconnect event came */
	FZ_F_CB_CLOSED,		/* its own callback closed it (calls there: -ESHUTDOWN) */
	/*
	 * Taken by accept_event, which may not have returned yet: wsk sets its
	 * dispatch only then, so until an event change succeeds, one from
	 * another context may get -EINVAL.
	 */
	FZ_F_EVENT_CALL,
};

/*
 * fz_req.busy: FZ_B_FREE, or owned: FZ_B_ASYNC (the completion routine
 * frees it), FZ_B_HOLD (the submitter reads its results after the call and
 * frees it then), FZ_B_HELD (completed while held).
 */
enum { FZ_B_FREE, FZ_B_ASYNC, FZ_B_HOLD, FZ_B_HELD };

/* How a socket came to a slot. */
enum { FZ_O_CREATE, FZ_O_ACCEPT, FZ_O_ACCEPT_COND, FZ_O_EVENT, FZ_O_SYNC };

static const char * const fz_origin_names[] = {
	"wsk_socket", "accept", "accept_cond", "accept_event", "sync accept"
};

/* Event indexes of fz_sock.ev_gen. */
enum { FZ_EV_ACCEPT, FZ_EV_RECEIVE, FZ_EV_DISCONNECT, FZ_EV_BACKLOG, FZ_EV_NR };

/* Condition plans, carried by the request. */
enum { FZ_CF_ACCEPT, FZ_CF_REJECT, FZ_CF_DEFER, FZ_CF_GARBAGE, FZ_CF_RANDOM, FZ_CF_NR };

struct fz;
struct fz_sock;

/**
 * struct fz_req - a request and what the suite knows of it
 * @req: the wsk request
 * @fs: the socket slot it belongs to
 * @target: accept and wsk_socket(): the slot the new socket goes to
 * @role: &enum fz_role
 * @kind: &enum fz_kind of the current submission
 * @ctx: &enum fz_ctx of the current submission
 * @op_code: &enum fz_op of the current submission
 * @cond_plan: accept_conditional: what the condition answers
 * @busy: 1 while a submitter owns it: from its acquisition until its
 *	completion routine has finished with it (or a refusal)
 * @lock: protects the members below
 * @gen: submissions accepted so far
 * @done: completions so far
 * @cancel_gen: the submission a cancel returned true for (0: none)
 * @cond_gen: the submission whose condition ran
 * @cond_verdict: what it answered
 * @ev_gen: event disables: the event generation the disable started at
 * @ev_idx: its event index (-1: not tracked)
 * @st: statuses of the last FZ_ST completions, by submission number
 * @op: operation number of the current submission
 * @iter_op: the test thread's operation during which it was submitted
 * @resubmits: resubmissions chained by its completion routine
 * @expect: send and disconnect: the bytes; receive: the buffer length
 * @out_returned: control: what wsk reports written
 * @optval: control: the value
 * @vec: data segments
 * @buf: the wsk buffer
 * @addr: bind address; accept: local
 * @addr2: accept: remote
 * @data: receive roles: the buffer
 */
struct fz_req {
	struct wsk_req req;
	struct fz_sock *fs;
	struct fz_sock *target;
	u8 role;
	u8 kind;
	u8 ctx;
	u8 op_code;
	u8 cond_plan;
	atomic_t busy;
	spinlock_t lock;	/* see the kernel-doc above */
	u32 gen;
	u32 done;
	u32 cancel_gen;
	u32 cond_gen;
	int cond_verdict;
	int ev_gen;
	int ev_idx;
	int st[FZ_ST];
	u32 op;
	u32 iter_op;
	u8 resubmits;
	size_t expect;
	size_t out_returned;
	int optval;
	struct kvec vec[2];
	struct wsk_buf buf;
	struct sockaddr_storage addr;
	struct sockaddr_storage addr2;
	u8 *data;
};

/**
 * struct fz_sock - a socket slot
 * @fz: the run
 * @id: index in the run's slots
 * @type: &enum fz_type
 * @family: AF_INET or AF_INET6
 * @client: which client (0 or 1)
 * @dispatch: which client dispatch table (fz_listen_dispatch[] or
 *	fz_conn_dispatch[] index)
 * @state: &enum fz_state
 * @refs: while open: one base reference plus one per call in progress;
 *	the close is submitted by whoever drops the last one
 * @flags: FZ_F_* bits
 * @s: the wsk socket, while open or closing
 * @origin: how the socket came (FZ_O_*)
 * @origin_op: the operation number it came with
 * @alloc_op: the operation number of its reservation
 * @port: listeners: the bound port
 * @port_idx: its entry in the run's port table, or -1
 * @closed_at: jiffies of the close's completion
 * @in_cb: callbacks running now
 * @nulls: NULL receive indications
 * @discs: disconnect events
 * @accept_nulls: NULL accept events
 * @ev_gen: per event, bumped before every enable or disable call
 * @ev_off: per event, the generation a disable that returned 0 (or whose
 *	wait completed) left it at, or 0
 * @lock: protects @kept, @nr_kept, @pended, @nr_pended, @decided, @rx_*
 * @kept: indication chains kept by receive_event
 * @nr_kept: entries in @kept
 * @pended: inspect ids of connections pended by inspect_event
 * @nr_pended: entries in @pended
 * @decided: ids already decided, for wsk_inspect_complete() -ENOENT cases
 * @nr_decided: entries of @decided ever written
 * @max_serial: the largest inspect serial seen
 * @rx_expect: the next byte of the peer's stream
 * @rx_gap_ok: bytes may have been lost (a receive failed or was cancelled)
 * @rx_bytes: bytes checked
 * @rx_gaps: resynchronisations after allowed gaps
 * @r: the requests, by &enum fz_role
 * @rxdata: buffers of the receive roles
 */
struct fz_sock {
	struct fz *fz;
	u16 id;
	u8 type;
	u8 family;
	u8 client;
	u8 dispatch;
	atomic_t state;
	atomic_t refs;
	unsigned long flags;
	struct wsk_socket *s;
	u8 origin;
	u32 origin_op;
	u32 alloc_op;
	u16 port;
	int port_idx;
	unsigned long closed_at;
	atomic_t in_cb;
	atomic_t nulls;
	atomic_t discs;
	atomic_t accept_nulls;
	atomic_t ev_gen[FZ_EV_NR];
	int ev_off[FZ_EV_NR];
	spinlock_t lock;	/* see the kernel-doc above */
	struct wsk_data_indication *kept[FZ_KEPT];
	unsigned int nr_kept;
	struct wsk_inspect_id pended[FZ_PENDED];
	unsigned int nr_pended;
	struct wsk_inspect_id decided[FZ_DECIDED];
	unsigned int nr_decided;
	u32 max_serial;
	u32 rx_expect;
	bool rx_gap_ok;
	u64 rx_bytes;
	u32 rx_gaps;
	struct fz_req r[FZ_R_NR];
	u8 rxdata[FZ_RX_ROLES][FZ_RX_MAX];
};

/**
 * struct fz_timer - a timer that issues one operation from softirq
 * @t: the timer
 * @fz: the run
 * @op: the operation
 * @rng: its random state, drawn by the test thread
 * @armed: set by the test thread, cleared when the operation is done
 */
struct fz_timer {
	struct timer_list t;
	struct fz *fz;
	u8 op;
	u64 rng;
	atomic_t armed;
};

/**
 * struct fz_peer_conn - one connection of a peer
 * @sock: the client socket, or NULL
 * @tx_off: the bytes of the stream pattern sent so far
 * @reading: the peer reads (drains) what wsk sends
 * @shut: the sending side is shut down
 */
struct fz_peer_conn {
	struct socket *sock;
	u32 tx_off;
	bool reading;
	bool shut;
};

/**
 * struct fz_peer - a peer thread
 * @fz: the run
 * @task: the kthread
 * @rng: its random state
 * @c: its connections
 * @scratch: what it reads goes here
 */
struct fz_peer {
	struct fz *fz;
	struct task_struct *task;
	u64 rng;
	struct fz_peer_conn c[FZ_PEER_CONNS];
	u8 scratch[2048];
};

/* A listener the peers may connect to. */
struct fz_port {
	u16 port;
	u8 family;
	bool live;
};

/* One traced operation. */
struct fz_trace {
	u32 seq;
	u8 op;
	u8 ctx;
	s16 sock;
	s16 target;
	int ret;
};

/* Counters of things that make interesting states, printed with the op table. */
enum fz_stat {
	FZ_ST_INPROGRESS,	/* submissions that returned -EINPROGRESS */
	FZ_ST_INLINE,		/* submissions completed inline */
	FZ_ST_CANCEL_TRUE,
	FZ_ST_CANCEL_FALSE,
	FZ_ST_CANCEL_AMBIG,	/* cancel true, target resubmitted meanwhile */
	FZ_ST_QUEUED_SEND,	/* a send submitted while another was pending */
	FZ_ST_SEND_CANCELLED,	/* sends completed -ECANCELED */
	FZ_ST_DEFERRED,		/* accept_conditional completed -EAGAIN */
	FZ_ST_COND_REJECT,
	FZ_ST_PENDED,		/* inspect_event PEND verdicts */
	FZ_ST_INSPECT_OK,	/* wsk_inspect_complete() of a pended id: 0 */
	FZ_ST_ABORTS,		/* abort_event calls */
	FZ_ST_KEPT,		/* chains kept */
	FZ_ST_RELEASED,
	FZ_ST_PARTIAL,		/* partial takes and -EAGAIN */
	FZ_ST_ACCEPTED,		/* sockets from accept requests */
	FZ_ST_EVENT_TAKEN,	/* sockets taken by accept_event */
	FZ_ST_REFUSED,
	FZ_ST_CB_CLOSE,		/* closes from inside callbacks */
	FZ_ST_RESUBMIT,
	FZ_ST_RX_BYTES,		/* stream bytes checked */
	FZ_ST_NULL_IND,
	FZ_ST_DISC_EVENT,
	FZ_ST_BACKLOG_EVENT,
	FZ_ST_PEER_CONNECT,
	FZ_ST_PEER_OOB,
	FZ_ST_PEER_RESET,
	FZ_ST_PEER_SHUT,
	FZ_ST_PEER_LOOPS,	/* actions of the peer threads */
	FZ_ST_PEER_NOPORT,	/* connects with no listener to connect to */
	FZ_ST_MAX_PENDING,	/* most requests pending at once (sampled) */
	FZ_ST_NR
};

static const char * const fz_stat_names[FZ_ST_NR] = {
	"inprogress", "inline", "cancel_true", "cancel_false", "cancel_ambiguous",
	"queued_sends", "sends_cancelled", "deferred", "cond_rejected", "pended",
	"inspect_completed", "abort_events", "chains_kept", "chains_released",
	"partial_takes", "accepted", "event_taken", "event_refused", "callback_closes",
	"resubmits", "stream_bytes", "null_indications", "disconnect_events",
	"backlog_events", "peer_connects", "peer_oob", "peer_resets", "peer_shutdowns",
	"peer_actions", "peer_no_port", "max_pending",
};

/**
 * struct fz - one run (one chunk of iterations)
 * @test: the KUnit test, for the test thread only
 * @selftest: the checker self-test: callbacks and routines only check
 * @seed: the run's seed
 * @iter: the current iteration
 * @iter_seed: its seed
 * @rng: the test thread's random state
 * @cb_ctr: draws of the callbacks' random states
 * @wq: woken by every completion and callback
 * @lock: protects slot allocation (@nr_socks, slot states FREE/VOID/CLOSED to
 *	RESERVED), @ports and the duplicate-socket scan
 * @client: the clients (NULL: not registered)
 * @client_dying: the second client is being deregistered
 * @socks: the socket slots
 * @nr_socks: slots handed out in this iteration
 * @ports: listeners the peers may connect to
 * @stopping: the iteration is ending: no new work, callbacks refuse
 * @op_seq: operations issued in this iteration, from any context
 * @iter_op: the test thread's current operation number
 * @timers: the softirq timers
 * @peers: the peer threads
 * @peer_burst: connections the peers are asked to open at once
 * @peer_quiet: the peers stop reading (sends block) while set
 * @nbad: violations seen
 * @bad_lock: protects @why
 * @why: the first violations
 * @trace: the last operations
 * @trace_idx: next entry of @trace
 * @trace_at_bad: @trace as it was at the first violation
 * @trace_at_bad_idx: and its @trace_idx
 * @opcount: operations by &enum fz_op and &enum fz_ctx
 * @cbcount: callbacks by name index
 * @stat: &enum fz_stat counters
 */
struct fz {
	struct kunit *test;
	bool selftest;
	u64 seed;
	u32 iter;
	u64 iter_seed;
	u64 rng;
	atomic64_t cb_ctr;
	wait_queue_head_t wq;
	spinlock_t lock;	/* see the kernel-doc above */
	struct wsk_client *client[2];
	bool client_dying;
	struct fz_sock *socks[FZ_SOCKS];
	int nr_socks;
	struct fz_port ports[FZ_PORTS];
	bool stopping;
	atomic_t op_seq;
	u32 iter_op;
	struct fz_timer timers[FZ_TIMERS];
	struct fz_peer *peers[FZ_PEERS];
	atomic_t peer_burst;
	bool peer_quiet;
	atomic_t nbad;
	spinlock_t bad_lock;	/* see the kernel-doc above */
	char why[FZ_WHY][FZ_WHY_LEN];
	struct fz_trace trace[FZ_TRACE];
	atomic_t trace_idx;
	struct fz_trace trace_at_bad[FZ_TRACE];
	int trace_at_bad_idx;
	atomic_long_t opcount[FZ_OP_NR][FZ_CTX_NR];
	atomic_long_t cbcount[8];
	atomic_long_t stat[FZ_ST_NR];
};

/* Callback names of fz.cbcount. */
enum {
	FZ_CB_ACCEPT, FZ_CB_INSPECT, FZ_CB_ABORT, FZ_CB_COND, FZ_CB_RECEIVE, FZ_CB_DISC,
	FZ_CB_BACKLOG, FZ_CB_NR
};

static const char * const fz_cb_names[FZ_CB_NR] = {
	"accept_event", "inspect_event", "abort_event", "condition", "receive_event",
	"disconnect_event", "send_backlog_event"
};

/*
 * What the run as a whole (all its chunks) has done so far: the parameter
 * generator and the chunks share it. Only the test threads touch it, one
 * at a time.
 */
static struct {
	u64 seed;
	u32 next_iter;
	u64 ops_done;
	u32 chunks;
	bool fatal;
	bool stuck;
	unsigned long started;
	long base_sockets;
	long base_pending;
	long opcount[FZ_OP_NR][FZ_CTX_NR];
	long cbcount[FZ_CB_NR];
	long stat[FZ_ST_NR];
} fz_run;

/* Nesting of completion routines and callbacks on this CPU (preemption off). */
static DEFINE_PER_CPU(int, fz_depth);

/* The data of every send, and the peers' stream pattern. */
static u8 fz_tx_data[FZ_TX_MAX];
static u8 fz_pattern[FZ_PAT * 17];

/* ------------------------------------------------------------------------ */
/* Randomness                                                                */

static u64 fz_mix(u64 x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* splitmix64: one state word, any context. */
static u64 fz_next(u64 *st)
{
	*st += 0x9e3779b97f4a7c15ULL;
	return fz_mix(*st);
}

static u32 fz_below(u64 *st, u32 n)
{
	return n ? (u32)(((fz_next(st) >> 32) * n) >> 32) : 0;
}

static bool fz_chance(u64 *st, u32 percent)
{
	return fz_below(st, 100) < percent;
}

/* A fresh random state for a callback or completion routine. */
static u64 fz_cb_rng(struct fz *fz)
{
	return fz_mix(fz->iter_seed ^ ((u64)atomic64_inc_return(&fz->cb_ctr) << 20));
}

/* ------------------------------------------------------------------------ */
/* Violations and the trace                                                  */

/* Record a violation. Context: any. */
static __printf(2, 3) void fz_bad(struct fz *fz, const char *fmt, ...)
{
	char msg[FZ_WHY_LEN - 48];
	unsigned long flags;
	va_list args;
	int n;

	va_start(args, fmt);
	vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	n = atomic_inc_return(&fz->nbad);
	if (n <= FZ_WHY) {
		spin_lock_irqsave(&fz->bad_lock, flags);
		snprintf(fz->why[n - 1], FZ_WHY_LEN, "seed %llu iter %u op %u: %s", fz->seed,
			 fz->iter, READ_ONCE(fz->iter_op), msg);
		if (n == 1) {
			memcpy(fz->trace_at_bad, fz->trace, sizeof(fz->trace));
			fz->trace_at_bad_idx = atomic_read(&fz->trace_idx);
		}
		spin_unlock_irqrestore(&fz->bad_lock, flags);
	}
	if (!fz->selftest)
		pr_err("wsk_fuzz: VIOLATION seed %llu iter %u op %u: %s\n", fz->seed, fz->iter,
		       READ_ONCE(fz->iter_op), msg);
}

static void fz_trace_to(struct fz *fz, u8 op, u8 ctx, const struct fz_sock *fs,
			const struct fz_sock *target, int ret)
{
	struct fz_trace *t;

	t = &fz->trace[(u32)atomic_inc_return(&fz->trace_idx) % FZ_TRACE];
	t->seq = atomic_read(&fz->op_seq);
	t->op = op;
	t->ctx = ctx;
	t->sock = fs ? fs->id : -1;
	t->target = target ? target->id : -1;
	t->ret = ret;
}

static void fz_trace_op(struct fz *fz, u8 op, u8 ctx, const struct fz_sock *fs, int ret)
{
	fz_trace_to(fz, op, ctx, fs, NULL, ret);
}

static void fz_stat_inc(struct fz *fz, enum fz_stat st)
{
	atomic_long_inc(&fz->stat[st]);
}

/* ------------------------------------------------------------------------ */
/* Socket slots                                                              */

static bool fz_closed(const struct fz_sock *fs)
{
	return atomic_read(&fs->state) == FZ_S_CLOSED;
}

static bool fz_req_idle(struct fz_req *r)
{
	unsigned long flags;
	bool idle;

	spin_lock_irqsave(&r->lock, flags);
	idle = r->done == r->gen;
	spin_unlock_irqrestore(&r->lock, flags);
	return idle && atomic_read(&r->busy) == FZ_B_FREE;
}

static bool fz_sock_reqs_idle(struct fz_sock *fs)
{
	int i;

	for (i = 0; i < FZ_R_NR; i++)
		if (!fz_req_idle(&fs->r[i]))
			return false;
	return true;
}

/*
 * Once per chunk, while nothing is pending: the locks, the wsk requests and
 * their counters. Counters are never reset afterwards: a slot that is used
 * again keeps counting, so the end-of-iteration check sees every submission.
 */
static void fz_req_init_once(struct fz_sock *fs, int role)
{
	struct fz_req *r = &fs->r[role];

	wsk_req_init(&r->req, NULL, r);
	r->fs = fs;
	r->role = role;
	spin_lock_init(&r->lock);
	atomic_set(&r->busy, 0);
	r->gen = 0;
	r->done = 0;
	r->cancel_gen = 0;
	r->cond_gen = 0;
	r->target = NULL;
	r->resubmits = 0;
	if (role == FZ_R_RECV0 || role == FZ_R_RECV1 || role == FZ_R_CBRX)
		r->data = fs->rxdata[role == FZ_R_CBRX ? 2 : role - FZ_R_RECV0];
	else
		r->data = NULL;
}

static void fz_complete(struct wsk_req *req);

static void fz_sock_init_once(struct fz *fz, struct fz_sock *fs, int id)
{
	int i;

	fs->fz = fz;
	fs->id = id;
	spin_lock_init(&fs->lock);
	atomic_set(&fs->state, FZ_S_FREE);
	for (i = 0; i < FZ_R_NR; i++) {
		fz_req_init_once(fs, i);
		fs->r[i].req.complete = fz_complete;
	}
}

/*
 * Set a slot up for a new socket. Only while none of its requests is busy;
 * nothing but a stale cancel (which finds the request idle) looks at it.
 */
static void fz_sock_setup(struct fz_sock *fs, u8 type, u8 family, u8 client)
{
	unsigned long flags;
	int i;

	fs->type = type;
	fs->family = family;
	fs->client = client;
	fs->dispatch = 0;
	fs->flags = 0;
	fs->s = NULL;
	fs->port = 0;
	fs->port_idx = -1;
	atomic_set(&fs->refs, 0);
	atomic_set(&fs->in_cb, 0);
	atomic_set(&fs->nulls, 0);
	atomic_set(&fs->discs, 0);
	atomic_set(&fs->accept_nulls, 0);
	for (i = 0; i < FZ_EV_NR; i++) {
		atomic_set(&fs->ev_gen[i], 0);
		fs->ev_off[i] = 0;
	}
	spin_lock_irqsave(&fs->lock, flags);
	fs->nr_kept = 0;
	fs->nr_pended = 0;
	fs->nr_decided = 0;
	fs->max_serial = 0;
	fs->rx_expect = 0;
	fs->rx_gap_ok = false;
	fs->rx_bytes = 0;
	fs->rx_gaps = 0;
	spin_unlock_irqrestore(&fs->lock, flags);
	for (i = 0; i < FZ_R_NR; i++) {
		fs->r[i].target = NULL;
		fs->r[i].resubmits = 0;
	}
}

/*
 * A slot for a new socket, RESERVED: a fresh one, or one whose socket never
 * came (VOID) or was closed or refused a while ago, with no request busy.
 * Context: any.
 */
static struct fz_sock *fz_slot_alloc(struct fz *fz, u8 type, u8 family, u8 client)
{
	struct fz_sock *fs = NULL, *c;
	unsigned long flags;
	int i, st;

	spin_lock_irqsave(&fz->lock, flags);
	if (fz->nr_socks < FZ_SOCKS) {
		fs = fz->socks[fz->nr_socks++];
	} else {
		for (i = 0; i < FZ_SOCKS && !fs; i++) {
			c = fz->socks[i];
			st = atomic_read(&c->state);
			if (st != FZ_S_VOID && st != FZ_S_CLOSED && st != FZ_S_REFUSED)
				continue;
			if (st != FZ_S_VOID && time_before(jiffies, c->closed_at + HZ / 2))
				continue;
			if (fz_sock_reqs_idle(c))
				fs = c;
		}
	}
	if (fs) {
		fz_sock_setup(fs, type, family, client);
		fs->alloc_op = atomic_read(&fz->op_seq);
		fs->origin = 0xff;
		fs->origin_op = 0;
		atomic_set(&fs->state, FZ_S_RESERVED);
	}
	spin_unlock_irqrestore(&fz->lock, flags);
	return fs;
}

/* The reservation came to nothing. */
static void fz_slot_void(struct fz_sock *fs)
{
	atomic_set(&fs->state, FZ_S_VOID);
}

/* A reference for a call on the socket: false if its close is under way. */
static bool fz_get(struct fz_sock *fs)
{
	if (atomic_read(&fs->state) != FZ_S_OPEN)
		return false;
	return atomic_inc_not_zero(&fs->refs);
}

static u32 fz_sub_begin(struct fz_req *r, u8 kind, u8 op, u8 ctx);
static int fz_sub_end(struct fz_req *r, u32 g, int ret);
static void fz_expect(struct fz_req *r, int ret, int want, const char *what);

/* Submit the close of @fs, whose last reference is gone. */
static void fz_do_close(struct fz_sock *fs, int ctx)
{
	struct fz_req *r = &fs->r[FZ_R_CLOSE];
	u32 g;

	if (atomic_cmpxchg(&r->busy, FZ_B_FREE, FZ_B_ASYNC) != FZ_B_FREE) {
		fz_bad(fs->fz, "socket %u: its close request is busy", fs->id);
		return;
	}
	atomic_set(&fs->state, FZ_S_CLOSING);
	g = fz_sub_begin(r, FZ_K_CLOSE, FZ_OP_CLOSE, ctx);
	fz_expect(r, fz_sub_end(r, g, wsk_close(fs->s, &r->req)), -EINPROGRESS, "close");
}

/* Drop a reference; the last one submits the close. Return: whether it did. */
static bool fz_put_ctx(struct fz_sock *fs, int ctx)
{
	if (!atomic_dec_and_test(&fs->refs))
		return false;
	fz_do_close(fs, ctx);
	return true;
}

static void fz_put(struct fz_sock *fs)
{
	fz_put_ctx(fs, FZ_CTX_PROC);
}

static void fz_unpublish(struct fz_sock *fs)
{
	struct fz *fz = fs->fz;
	unsigned long flags;

	spin_lock_irqsave(&fz->lock, flags);
	if (fs->port_idx >= 0) {
		fz->ports[fs->port_idx].live = false;
		fs->port_idx = -1;
	}
	spin_unlock_irqrestore(&fz->lock, flags);
}

static void fz_publish(struct fz_sock *fs)
{
	struct fz *fz = fs->fz;
	unsigned long flags;
	int i;

	if (test_bit(FZ_F_QUIET, &fs->flags))
		return;
	spin_lock_irqsave(&fz->lock, flags);
	for (i = 0; i < FZ_PORTS && fs->port_idx < 0; i++) {
		if (fz->ports[i].live)
			continue;
		fz->ports[i].port = fs->port;
		fz->ports[i].family = fs->family;
		fz->ports[i].live = true;
		fs->port_idx = i;
	}
	spin_unlock_irqrestore(&fz->lock, flags);
	/* Closed meanwhile: take it back. */
	if (test_bit(FZ_F_CLOSE_WANTED, &fs->flags) || test_bit(FZ_F_KILLED, &fs->flags))
		fz_unpublish(fs);
}

/*
 * Close the socket (drop its base reference): the close is submitted now,
 * or by the call in progress that holds the last reference. Return: whether
 * this call submitted it.
 */
static bool fz_close_ctx(struct fz_sock *fs, int ctx)
{
	if (atomic_read(&fs->state) != FZ_S_OPEN ||
	    test_and_set_bit(FZ_F_CLOSE_WANTED, &fs->flags))
		return false;
	fz_unpublish(fs);
	return fz_put_ctx(fs, ctx);
}

/*
 * The slot's socket exists: it is ours now. New sockets must not be one we
 * hold already. Context: any (a completion routine or accept_event).
 */
static void fz_sock_opened(struct fz_sock *fs, struct wsk_socket *s, u8 origin, u32 op)
{
	struct fz_sock *o, *dup = NULL;
	struct fz *fz = fs->fz;
	unsigned long flags;
	int i, st;

	if (!s) {
		fz_bad(fz, "socket %u: a new socket is NULL", fs->id);
		fz_slot_void(fs);
		return;
	}
	spin_lock_irqsave(&fz->lock, flags);
	for (i = 0; i < fz->nr_socks && !dup; i++) {
		o = fz->socks[i];
		st = atomic_read(&o->state);
		if (o != fs && (st == FZ_S_OPEN || st == FZ_S_CLOSING) && o->s == s)
			dup = o;
	}
	spin_unlock_irqrestore(&fz->lock, flags);
	if (dup) {
		fz_bad(fz, "socket %u (%s, op %u) is %u's (%s, op %u, state %d), still open",
		       fs->id, fz_origin_names[origin], op, dup->id,
		       dup->origin < 5 ? fz_origin_names[dup->origin] : "none", dup->origin_op,
		       atomic_read(&dup->state));
		fz_slot_void(fs);
		return;
	}
	fz_trace_to(fz, FZ_OP_NR, origin, fs, NULL, op);
	fs->origin = origin;
	fs->origin_op = op;
	fs->s = s;
	/* Pairs with the full barrier of atomic_inc_not_zero() in fz_get(). */
	smp_wmb();
	atomic_set(&fs->refs, 1);
	atomic_set(&fs->state, FZ_S_OPEN);
}

/*
 * An open socket of one of the @types (bit mask of 1 << FZ_T_*), for which
 * @ok (if given) says yes, with a reference; NULL if there is none.
 */
static struct fz_sock *fz_pick(struct fz *fz, u64 *rng, unsigned int types,
			       bool (*ok)(struct fz_sock *fs))
{
	int n = READ_ONCE(fz->nr_socks), start, i;
	struct fz_sock *fs;

	if (!n)
		return NULL;
	start = fz_below(rng, n);
	for (i = 0; i < n; i++) {
		fs = fz->socks[(start + i) % n];
		if (atomic_read(&fs->state) != FZ_S_OPEN || !(types & (1U << fs->type)))
			continue;
		if (ok && !ok(fs))
			continue;
		if (fz_get(fs))
			return fs;
	}
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* Requests: submission and completion bookkeeping                           */

/* Own a request for a submission. */
static struct fz_req *fz_acquire(struct fz_sock *fs, int role)
{
	struct fz_req *r = &fs->r[role];

	return atomic_cmpxchg(&r->busy, FZ_B_FREE, FZ_B_ASYNC) == FZ_B_FREE ? r : NULL;
}

/* The first idle request among @n roles from @role. */
static struct fz_req *fz_acquire_any(struct fz_sock *fs, int role, int n)
{
	struct fz_req *r;
	int i;

	for (i = 0; i < n; i++) {
		r = fz_acquire(fs, role + i);
		if (r)
			return r;
	}
	return NULL;
}

static void fz_release(struct fz_req *r)
{
	atomic_set_release(&r->busy, FZ_B_FREE);
}

/* The submitter keeps @r after its completion, to read its results. */
static void fz_hold(struct fz_req *r)
{
	atomic_set(&r->busy, FZ_B_HOLD);
}

/* The submitter is done with a held request. */
static void fz_unhold(struct fz_req *r)
{
	if (atomic_cmpxchg(&r->busy, FZ_B_HELD, FZ_B_FREE) == FZ_B_HELD)
		return;
	/* Not completed yet: its completion routine frees it. */
	if (atomic_cmpxchg(&r->busy, FZ_B_HOLD, FZ_B_ASYNC) == FZ_B_HOLD)
		return;
	fz_release(r);
}

/* The end of a completion routine that did not resubmit. */
static void fz_done_with(struct fz_req *r)
{
	if (atomic_cmpxchg(&r->busy, FZ_B_HOLD, FZ_B_HELD) != FZ_B_HOLD)
		fz_release(r);
}

/* Count a submission before the call (its completion may come before the call returns). */
static u32 fz_sub_begin(struct fz_req *r, u8 kind, u8 op, u8 ctx)
{
	struct fz *fz = r->fs->fz;
	unsigned long flags;
	u32 g;

	spin_lock_irqsave(&r->lock, flags);
	g = ++r->gen;
	r->kind = kind;
	r->op_code = op;
	r->ctx = ctx;
	r->op = atomic_read(&fz->op_seq);
	r->iter_op = READ_ONCE(fz->iter_op);
	r->ev_idx = -1;
	spin_unlock_irqrestore(&r->lock, flags);
	return g;
}

/*
 * After the call. -EBUSY: refused although we own it, so idle (a violation).
 * Anything but -EINPROGRESS: it has completed already, with that status.
 * Return: @ret.
 */
static int fz_sub_end(struct fz_req *r, u32 g, int ret)
{
	struct fz *fz = r->fs->fz;
	unsigned long flags;
	bool ok;
	int st;

	fz_trace_to(fz, r->op_code, r->ctx, r->fs, r->target, ret);
	if (ret == -EBUSY) {
		fz_bad(fz, "%s on socket %u: -EBUSY for an idle request", fz_op_names[r->op_code],
		       r->fs->id);
		spin_lock_irqsave(&r->lock, flags);
		r->gen--;
		spin_unlock_irqrestore(&r->lock, flags);
		fz_release(r);
		return ret;
	}
	if (ret == -EINPROGRESS) {
		fz_stat_inc(fz, FZ_ST_INPROGRESS);
		return ret;
	}
	fz_stat_inc(fz, FZ_ST_INLINE);
	spin_lock_irqsave(&r->lock, flags);
	ok = r->done >= g;
	st = r->st[g % FZ_ST];
	spin_unlock_irqrestore(&r->lock, flags);
	if (!ok || st != ret)
		fz_bad(fz, "%s (%s) on socket %u returned %d but %s", fz_op_names[r->op_code],
		       fz_ctx_names[r->ctx], r->fs->id, ret,
		       ok ? "completed with another status" : "did not complete it");
	return ret;
}

/* A check of a result that must be @want. */
static void fz_expect(struct fz_req *r, int ret, int want, const char *what)
{
	if (ret != want)
		fz_bad(r->fs->fz, "%s (%s) on socket %u (%s): %d, expected %d",
		       fz_op_names[r->op_code], fz_ctx_names[r->ctx], r->fs->id, what, ret, want);
}

/* Receives of @fs may lose bytes from here on (a cancel, a failure). */
static void fz_rx_gap(struct fz_sock *fs)
{
	unsigned long flags;

	spin_lock_irqsave(&fs->lock, flags);
	fs->rx_gap_ok = true;
	spin_unlock_irqrestore(&fs->lock, flags);
}

/*
 * Cancel @r, whoever owns it, and check the outcome: a true return means
 * -ECANCELED, for the submission that was pending at the call.
 */
static bool fz_cancel(struct fz_req *r)
{
	struct fz *fz = r->fs->fz;
	bool ret, was_done;
	unsigned long flags;
	u32 g;
	int st;

	spin_lock_irqsave(&r->lock, flags);
	g = r->gen;
	spin_unlock_irqrestore(&r->lock, flags);
	if (r->role == FZ_R_RECV0 || r->role == FZ_R_RECV1 || r->role == FZ_R_CBRX)
		fz_rx_gap(r->fs);
	ret = wsk_req_cancel(&r->req);
	if (!ret) {
		fz_stat_inc(fz, FZ_ST_CANCEL_FALSE);
		return false;
	}
	spin_lock_irqsave(&r->lock, flags);
	if (r->gen != g || !g) {
		spin_unlock_irqrestore(&r->lock, flags);
		fz_stat_inc(fz, FZ_ST_CANCEL_AMBIG);
		return true;
	}
	st = r->st[g % FZ_ST];
	was_done = r->done >= g;
	if (!was_done)
		r->cancel_gen = g;
	spin_unlock_irqrestore(&r->lock, flags);
	fz_stat_inc(fz, FZ_ST_CANCEL_TRUE);
	if (was_done && st != -ECANCELED)
		fz_bad(fz, "cancel of %s on socket %u returned true, but it completed %d",
		       fz_kind_names[r->kind], r->fs->id, st);
	return true;
}

/* ------------------------------------------------------------------------ */
/* The stream check                                                          */

/*
 * @len bytes of @fs's stream, delivered now (by a receive or an
 * indication): they continue the peer's pattern, urgent bytes aside, unless
 * bytes may have been lost before them. Context: the socket's io work.
 */
static void fz_rx_check(struct fz_sock *fs, const u8 *p, size_t len, const char *how)
{
	u32 want = 0, got = 0, at = 0;
	unsigned long flags;
	bool bad = false;
	size_t i;

	spin_lock_irqsave(&fs->lock, flags);
	for (i = 0; i < len; i++) {
		if (p[i] == FZ_URG)
			continue;
		if (p[i] != fs->rx_expect) {
			if (!fs->rx_gap_ok || p[i] >= FZ_PAT) {
				bad = true;
				want = fs->rx_expect;
				got = p[i];
				at = fs->rx_bytes + i;
				break;
			}
			fs->rx_gap_ok = false;
			fs->rx_gaps++;
		}
		fs->rx_expect = (p[i] + 1) % FZ_PAT;
	}
	fs->rx_bytes += len;
	spin_unlock_irqrestore(&fs->lock, flags);
	atomic_long_add(len, &fs->fz->stat[FZ_ST_RX_BYTES]);
	if (bad)
		fz_bad(fs->fz, "socket %u stream (%s): byte %u at %u delivered, expected %u",
		       fs->id, how, got, at, want);
}

/* ------------------------------------------------------------------------ */
/* Nesting guard: completion routines and callbacks follow up one level deep */

static bool fz_nest_enter(struct fz *fz)
{
	if (fz->selftest)
		return false;
	preempt_disable();
	if (this_cpu_read(fz_depth)) {
		preempt_enable();
		return false;
	}
	this_cpu_inc(fz_depth);
	return true;
}

static void fz_nest_exit(void)
{
	this_cpu_dec(fz_depth);
	preempt_enable();
}

/* ------------------------------------------------------------------------ */
/* Completion                                                                */

static bool fz_resubmit(struct fz_req *r, int status, u64 *rng);
static void fz_random_op(struct fz *fz, u64 *rng, int ctx);
static struct fz_req *fz_pick_pending(struct fz *fz, u64 *rng);

/* The cached local port of a freshly bound socket. */
static void fz_bound(struct fz_sock *fs)
{
	struct sockaddr_storage ss;
	struct wsk_req req;
	int ret;

	wsk_req_init(&req, NULL, NULL);
	ret = wsk_get_local_address(fs->s, &ss, &req);
	/* Its close was submitted meanwhile (the op work runs it next). */
	if (ret == -ESHUTDOWN && atomic_read(&fs->state) != FZ_S_OPEN)
		return;
	if (ret || ss.ss_family != fs->family) {
		fz_bad(fs->fz, "socket %u bound, but its local address: %d, family %u", fs->id, ret,
		       ss.ss_family);
		return;
	}
	fs->port = wt_port(&ss);
	set_bit(FZ_F_LISTENING, &fs->flags);
	if (fs->type == FZ_T_LISTEN)
		fz_publish(fs);
}

/* The close of @fs completed: every other request of it must have, before. */
static void fz_closed_now(struct fz_sock *fs)
{
	unsigned long flags;
	int i;

	for (i = 0; i < FZ_R_NR; i++) {
		struct fz_req *o = &fs->r[i];
		bool pending;

		if (i == FZ_R_CLOSE)
			continue;
		spin_lock_irqsave(&o->lock, flags);
		pending = o->done < o->gen;
		spin_unlock_irqrestore(&o->lock, flags);
		if (pending)
			fz_bad(fs->fz, "socket %u closed with its %s (op %u, %s) still pending",
			       fs->id, fz_kind_names[o->kind], o->op, fz_ctx_names[o->ctx]);
	}
	spin_lock_irqsave(&fs->lock, flags);
	fs->nr_kept = 0;	/* the close frees them */
	fs->nr_pended = 0;
	spin_unlock_irqrestore(&fs->lock, flags);
	fs->closed_at = jiffies;
	atomic_set_release(&fs->state, FZ_S_CLOSED);
}

static bool fz_addr_ok(const struct sockaddr_storage *ss, const struct fz_sock *ls)
{
	u16 port;

	if (ss->ss_family != ls->family)
		return false;
	port = wt_port(ss);
	return port && (!ls->port || ls->port == port);
}

/* The checks of a completion, by kind. */
static void fz_check_status(struct fz_req *r, int status, bool cond_called, int verdict)
{
	struct wsk_req *req = &r->req;
	struct fz_sock *fs = r->fs;
	struct fz *fz = fs->fz;
	int want;

	switch (r->kind) {
	case FZ_K_ACCEPT:
		if (status && status != -ECANCELED && status != -ESHUTDOWN &&
		    status != -EINVAL && status != -EOPNOTSUPP)
			fz_bad(fz, "accept (op %u) on listener %u completed %d", r->op, fs->id,
			       status);
		break;
	case FZ_K_ACCEPT_COND:
		if (cond_called) {
			if (verdict == WSK_CF_ACCEPT)
				want = 0;
			else if (verdict == WSK_CF_REJECT)
				want = -ECONNREFUSED;
			else if (verdict == WSK_CF_DEFER)
				want = -EAGAIN;
			else
				want = -EINVAL;
			if (status != want)
				fz_bad(fz, "accept_cond (op %u) on %u: verdict %d, completed %d",
				       r->op, fs->id, verdict, status);
			if (status == -EAGAIN)
				fz_stat_inc(fz, FZ_ST_DEFERRED);
			else if (status == -ECONNREFUSED)
				fz_stat_inc(fz, FZ_ST_COND_REJECT);
		} else if (status != -ECANCELED && status != -ESHUTDOWN && status != -EINVAL &&
			   status != -EOPNOTSUPP) {
			fz_bad(fz, "accept_cond (op %u) on %u completed %d, no condition ran",
			       r->op, fs->id, status);
		}
		break;
	case FZ_K_SEND:
		if (!status && req->result.bytes != r->expect)
			fz_bad(fz, "send (op %u) on socket %u completed %zu of %zu bytes", r->op,
			       fs->id, req->result.bytes, r->expect);
		if (status == -ECANCELED)
			fz_stat_inc(fz, FZ_ST_SEND_CANCELLED);
		break;
	case FZ_K_DISC:
		if (!status && req->result.bytes != r->expect)
			fz_bad(fz, "disconnect (op %u) on socket %u completed %zu of %zu bytes",
			       r->op, fs->id, req->result.bytes, r->expect);
		break;
	case FZ_K_RECEIVE:
		if (!status && req->result.bytes > r->expect)
			fz_bad(fz, "receive (op %u) on socket %u: %zu bytes into %zu", r->op,
			       fs->id, req->result.bytes, r->expect);
		else if (!status && req->result.bytes)
			fz_rx_check(fs, r->data + r->buf.offset, req->result.bytes, "receive");
		else if (status)
			fz_rx_gap(fs);
		break;
	case FZ_K_CLOSE:
		if (status)
			fz_bad(fz, "close of socket %u completed %d", fs->id, status);
		break;
	case FZ_K_GET:
		if (!status && (req->result.bytes != sizeof(int) ||
				r->out_returned != sizeof(int)))
			fz_bad(fz, "get (op %u) on socket %u: %zu bytes, out_returned %zu", r->op,
			       fs->id, req->result.bytes, r->out_returned);
		break;
	case FZ_K_SET:
		if (!status && r->out_returned)
			fz_bad(fz, "set (op %u) on socket %u: out_returned %zu", r->op, fs->id,
			       r->out_returned);
		break;
	}
}

static int fz_events(struct fz_sock *fs, u32 mask, bool with_req, int ctx, int *want);
static u32 fz_events_available(const struct fz_sock *fs);

/*
 * Events on a socket an accept request delivered, often (its events start
 * disabled): what a server does in its accept completion.
 */
static void fz_accepted_events(struct fz_sock *t)
{
	u64 rng = fz_cb_rng(t->fz);
	u32 avail = fz_events_available(t);
	int want, ret;

	if (!avail || !fz_chance(&rng, 60) || !fz_get(t))
		return;
	ret = fz_events(t, avail, fz_chance(&rng, 50), FZ_CTX_DONE, &want);
	if (ret != want)
		fz_bad(t->fz, "events %#x on socket %u from its accept completion: %d", avail,
		       t->id, ret);
	fz_put_ctx(t, FZ_CTX_DONE);
}

/* What a completion changes in the slots. */
static void fz_apply(struct fz_req *r, int status)
{
	struct fz_sock *fs = r->fs;
	struct fz_sock *t = r->target;
	struct fz *fz = fs->fz;

	switch (r->kind) {
	case FZ_K_SOCKET:
		if (!status)
			fz_sock_opened(fs, r->req.result.socket, FZ_O_CREATE, r->op);
		else
			fz_slot_void(fs);
		break;
	case FZ_K_ACCEPT:
	case FZ_K_ACCEPT_COND:
		r->target = NULL;
		if (!t)
			break;
		if (status) {
			fz_slot_void(t);
			break;
		}
		if (r->addr.ss_family && !fz_addr_ok(&r->addr, fs))
			fz_bad(fz, "accept (op %u) on %u (port %u): local family %u port %u",
			       r->op, fs->id, fs->port, r->addr.ss_family, wt_port(&r->addr));
		if (r->addr2.ss_family && (r->addr2.ss_family != fs->family || !wt_port(&r->addr2)))
			fz_bad(fz, "accept (op %u) on listener %u: remote address family %u",
			       r->op, fs->id, r->addr2.ss_family);
		fz_sock_opened(t, r->req.result.socket,
			       r->kind == FZ_K_ACCEPT ? FZ_O_ACCEPT : FZ_O_ACCEPT_COND, r->op);
		fz_stat_inc(fz, FZ_ST_ACCEPTED);
		/* The iteration is ending: nobody else will close it. */
		if (READ_ONCE(fz->stopping))
			fz_close_ctx(t, FZ_CTX_DONE);
		else
			fz_accepted_events(t);
		break;
	case FZ_K_BIND:
		if (!status)
			fz_bound(fs);
		break;
	case FZ_K_EVENT:
		if (!status && r->ev_idx >= 0 && atomic_read(&fs->ev_gen[r->ev_idx]) == r->ev_gen)
			WRITE_ONCE(fs->ev_off[r->ev_idx], r->ev_gen);
		break;
	case FZ_K_CLOSE:
		fz_closed_now(fs);
		break;
	}
}

static void fz_complete(struct wsk_req *req)
{
	struct fz_req *r = req->context;
	struct fz_sock *fs = r->fs;
	struct fz *fz = fs->fz;
	int status = req->status, verdict;
	bool twice, cancelled, cond_called, kept = false;
	u8 kind = r->kind;
	unsigned long flags;
	u64 rng;
	u32 d;

	spin_lock_irqsave(&r->lock, flags);
	d = ++r->done;
	twice = d > r->gen;
	r->st[d % FZ_ST] = status;
	cancelled = r->cancel_gen == d;
	cond_called = r->cond_gen == d;
	verdict = r->cond_verdict;
	spin_unlock_irqrestore(&r->lock, flags);

	if (twice)
		fz_bad(fz, "%s (op %u, %s) on socket %u completed twice, now %d",
		       fz_kind_names[r->kind], r->op, fz_ctx_names[r->ctx], fs->id, status);
	if (fz_closed(fs))
		fz_bad(fz, "%s (op %u, %s) on socket %u completed %d after its close completed",
		       fz_kind_names[r->kind], r->op, fz_ctx_names[r->ctx], fs->id, status);
	if (status && req->result.bytes)
		fz_bad(fz, "%s (op %u) on socket %u failed %d with a result",
		       fz_kind_names[r->kind], r->op, fs->id, status);
	if (cancelled && status != -ECANCELED)
		fz_bad(fz, "%s (op %u, %s) on socket %u: cancel returned true, completed %d",
		       fz_kind_names[r->kind], r->op, fz_ctx_names[r->ctx], fs->id, status);
	fz_check_status(r, status, cond_called, verdict);
	if (fz->selftest)
		goto out;
	fz_apply(r, status);

	if (!READ_ONCE(fz->stopping) && fz_nest_enter(fz)) {
		rng = fz_cb_rng(fz);
		if (atomic_read(&r->busy) == FZ_B_ASYNC && r->resubmits < FZ_RESUBMITS &&
		    fz_chance(&rng, status == -EAGAIN ? 50 : 15))
			kept = fz_resubmit(r, status, &rng);
		if (fz_chance(&rng, 4)) {
			struct fz_req *o = fz_pick_pending(fz, &rng);

			if (o && o != r)
				fz_cancel(o);
		}
		if (fz_chance(&rng, 4))
			fz_random_op(fz, &rng, FZ_CTX_DONE);
		if (fz_chance(&rng, 1) && kind != FZ_K_CLOSE && kind != FZ_K_SOCKET)
			fz_close_ctx(fs, FZ_CTX_DONE);
		fz_nest_exit();
	}
out:
	if (!kept)
		fz_done_with(r);
	wake_up(&fz->wq);
}

/* ------------------------------------------------------------------------ */
/* Callbacks                                                                 */

static const struct wsk_client_connection_dispatch *const fz_conn_dispatch[4];
static const struct wsk_client_listen_dispatch *const fz_listen_dispatch[4];

/* Every callback starts here: the checks that hold for all of them. */
static void fz_cb_enter(struct fz_sock *fs, int cb, int ev)
{
	struct fz *fz = fs->fz;
	int g;

	atomic_long_inc(&fz->cbcount[cb]);
	if (fz_closed(fs))
		fz_bad(fz, "%s on socket %u after its close completed", fz_cb_names[cb], fs->id);
	if (!in_task())
		fz_bad(fz, "%s on socket %u not in process context", fz_cb_names[cb], fs->id);
	if (atomic_inc_return(&fs->in_cb) != 1)
		fz_bad(fz, "%s on socket %u while another of its callbacks runs", fz_cb_names[cb],
		       fs->id);
	if (ev >= 0) {
		g = READ_ONCE(fs->ev_off[ev]);
		if (g && g == atomic_read(&fs->ev_gen[ev]))
			fz_bad(fz, "%s on socket %u after its event was disabled", fz_cb_names[cb],
			       fs->id);
	}
}

static void fz_cb_exit(struct fz_sock *fs)
{
	atomic_dec(&fs->in_cb);
	wake_up(&fs->fz->wq);
}

/* An inline call with the socket's callback request: @ret must be @want. */
#define FZ_CB_CALL(fs, kind, want, call) do {					\
	struct fz_req *__r = fz_acquire(fs, FZ_R_CB);				\
	u32 __g;								\
										\
	if (__r) {								\
		__g = fz_sub_begin(__r, kind, FZ_OP_MISUSE, FZ_CTX_CB);		\
		fz_expect(__r, fz_sub_end(__r, __g, call(&__r->req)), want, #call); \
	}									\
} while (0)

/*
 * Inside one of its own callbacks, just after its close was submitted: @fs
 * is valid until the callback returns, and every call is -ESHUTDOWN.
 */
static void fz_calls_after_close(struct fz_sock *fs)
{
	struct wsk_socket *s = fs->s;
	struct wsk_event_callback_control ctl = { .event_mask = WSK_EVENT_RECEIVE };
	static const struct kvec kv = { .iov_base = fz_tx_data, .iov_len = 1 };
	struct wsk_buf b = { .kvec = &kv, .nr_segs = 1, .length = 1 };
	struct sockaddr_storage ss;
	int one = 1;

#define FZ_SEND(req) wsk_send(s, &b, 0, req)
#define FZ_RECV(req) wsk_receive(s, &b, 0, req)
#define FZ_CLOSE(req) wsk_close(s, req)
#define FZ_ADDR(req) wsk_get_local_address(s, &ss, req)
#define FZ_GETO(req) wsk_control(s, WSK_GET_OPTION, SO_KEEPALIVE, SOL_SOCKET, 0, NULL, \
				 sizeof(one), &one, NULL, req)
#define FZ_EVON(req) wsk_control(s, WSK_SET_OPTION, WSK_SO_EVENT_CALLBACK, SOL_SOCKET, \
				 sizeof(ctl), &ctl, 0, NULL, NULL, req)
#define FZ_ACC(req) wsk_accept(s, 0, NULL, NULL, NULL, NULL, req)
	FZ_CB_CALL(fs, FZ_K_INLINE, -ESHUTDOWN, FZ_CLOSE);
	FZ_CB_CALL(fs, FZ_K_INLINE, -ESHUTDOWN, FZ_ADDR);
	FZ_CB_CALL(fs, FZ_K_INLINE, -ESHUTDOWN, FZ_GETO);
	FZ_CB_CALL(fs, FZ_K_INLINE, -ESHUTDOWN, FZ_EVON);
	if (fs->type == FZ_T_LISTEN) {
		FZ_CB_CALL(fs, FZ_K_INLINE, -ESHUTDOWN, FZ_ACC);
	} else {
		FZ_CB_CALL(fs, FZ_K_INLINE, -ESHUTDOWN, FZ_SEND);
		FZ_CB_CALL(fs, FZ_K_INLINE, -ESHUTDOWN, FZ_RECV);
		if (wsk_release(s, (struct wsk_data_indication *)&b) != -ESHUTDOWN)
			fz_bad(fs->fz, "wsk_release on closing socket %u: not -ESHUTDOWN", fs->id);
	}
#undef FZ_SEND
#undef FZ_RECV
#undef FZ_CLOSE
#undef FZ_ADDR
#undef FZ_GETO
#undef FZ_EVON
#undef FZ_ACC
}

/*
 * Close @fs from inside its own callback (or its accept_event). Return:
 * whether the close was submitted here (not only wanted: a call in
 * progress elsewhere then submits it when it is done).
 */
static bool fz_cb_close(struct fz_sock *fs, u64 *rng)
{
	if (!fz_close_ctx(fs, FZ_CTX_CB))
		return false;
	fz_stat_inc(fs->fz, FZ_ST_CB_CLOSE);
	set_bit(FZ_F_CB_CLOSED, &fs->flags);
	if (fz_chance(rng, 50))
		fz_calls_after_close(fs);
	return true;
}

static int fz_submit_receive(struct fz_sock *fs, struct fz_req *r, u64 *rng, int ctx);
static int fz_submit_send(struct fz_sock *fs, struct fz_req *r, u64 *rng, int ctx, bool disc);

/*
 * A receive and a send from a connection's own callback, sometimes. With a
 * reference: a close submitted meanwhile elsewhere would make them fail.
 * A socket its accept_event refuses is the event's to use until it returns.
 */
static void fz_cb_data(struct fz_sock *fs, u64 *rng, u32 rx, u32 tx)
{
	bool ref = fz_get(fs);
	struct fz_req *r;

	if (!ref && atomic_read(&fs->state) != FZ_S_REFUSED)
		return;
	if (fz_chance(rng, rx)) {
		r = fz_acquire(fs, FZ_R_CBRX);
		if (r && fz_submit_receive(fs, r, rng, FZ_CTX_CB) == -ENOSPC)
			fz_release(r);
	}
	if (fz_chance(rng, tx)) {
		r = fz_acquire(fs, FZ_R_CBTX);
		if (r && fz_submit_send(fs, r, rng, FZ_CTX_CB, false) == -ENOSPC)
			fz_release(r);
	}
	if (ref)
		fz_put_ctx(fs, FZ_CTX_CB);
}

static int fz_accept_event(void *context, unsigned int flags, const struct sockaddr *local,
			   const struct sockaddr *remote, struct wsk_socket *s, void **ctxp,
			   const struct wsk_client_connection_dispatch **dispp)
{
	struct fz_sock *ls = context, *fs;
	struct fz *fz = ls->fz;
	struct fz_req *r;
	int ret = -ECONNREFUSED, mode, one = 1;
	u64 rng;
	u32 g;

	fz_cb_enter(ls, FZ_CB_ACCEPT, FZ_EV_ACCEPT);
	if (flags)
		fz_bad(fz, "accept_event on listener %u: flags %#x", ls->id, flags);
	if (!s) {
		ret = 0;
		if (atomic_inc_return(&ls->accept_nulls) > 1)
			fz_bad(fz, "listener %u: NULL accept_event twice", ls->id);
		if (!test_bit(FZ_F_KILLED, &ls->flags))
			fz_bad(fz, "listener %u: NULL accept_event, nobody killed it", ls->id);
		goto out;
	}
	if (!local || !remote || local->sa_family != ls->family ||
	    remote->sa_family != ls->family)
		fz_bad(fz, "accept_event on listener %u: bad addresses", ls->id);
	rng = fz_cb_rng(fz);
	mode = fz_below(&rng, 100);
	fs = READ_ONCE(fz->stopping) ? NULL : fz_slot_alloc(fz, FZ_T_CONN, ls->family, ls->client);
	if (!fs) {
		fz_stat_inc(fz, FZ_ST_REFUSED);
		goto out;
	}
	fs->dispatch = fz_below(&rng, 4);
	if (mode < 80) {
		set_bit(FZ_F_EVENT_CALL, &fs->flags);
		fz_sock_opened(fs, s, FZ_O_EVENT, atomic_read(&fz->op_seq));
		if (atomic_read(&fs->state) != FZ_S_OPEN)
			goto out;	/* a socket we have already: reported */
		*ctxp = fs;
		*dispp = fz_conn_dispatch[fs->dispatch];
		ret = 0;
		fz_stat_inc(fz, FZ_ST_EVENT_TAKEN);
		if (!fz_nest_enter(fz))
			goto out;
		if (mode < 5) {
			/*
			 * Closed inside, then taken or refused: either way it closes.
			 * Refused only if the close is submitted already: else wsk
			 * would reset and free it under the call that will close it.
			 */
			if (fz_cb_close(fs, &rng) && fz_chance(&rng, 50))
				ret = -ECONNREFUSED;
		} else {
			fz_cb_data(fs, &rng, 20, 15);
		}
		fz_nest_exit();
		goto out;
	}
	fz_stat_inc(fz, FZ_ST_REFUSED);
	ret = fz_chance(&rng, 70) ? -ECONNREFUSED : -ENOMEM;
	fs->closed_at = jiffies;
	if (mode < 90 || !fz_nest_enter(fz)) {
		atomic_set(&fs->state, FZ_S_REFUSED);
		goto out;
	}
	/* Work queued on it, then refused: the reset waits for it. */
	fs->s = s;
	atomic_set(&fs->state, FZ_S_REFUSED);
	r = fz_acquire(fs, FZ_R_CTL);
	if (r) {
		r->out_returned = 0xdead;
		g = fz_sub_begin(r, FZ_K_SET, FZ_OP_SET, FZ_CTX_CB);
		fz_sub_end(r, g, wsk_control(s, WSK_SET_OPTION, TCP_NODELAY, SOL_TCP, sizeof(one),
					     &one, 0, NULL, &r->out_returned, &r->req));
	}
	fz_cb_data(fs, &rng, 50, 0);
	fz_nest_exit();
out:
	fz_cb_exit(ls);
	return ret;
}

/* Remember an inspect id (pended, or decided). Context: any. */
static bool fz_id_push(struct fz_sock *ls, const struct wsk_inspect_id *id, bool pended)
{
	unsigned long flags;
	bool ok = true;

	spin_lock_irqsave(&ls->lock, flags);
	if (!pended)
		ls->decided[ls->nr_decided++ % FZ_DECIDED] = *id;
	else if (ls->nr_pended < FZ_PENDED)
		ls->pended[ls->nr_pended++] = *id;
	else
		ok = false;
	spin_unlock_irqrestore(&ls->lock, flags);
	return ok;
}

/* Forget a pended id; return whether it was there. */
static bool fz_id_drop(struct fz_sock *ls, const struct wsk_inspect_id *id)
{
	unsigned long flags;
	bool found = false;
	unsigned int i;

	spin_lock_irqsave(&ls->lock, flags);
	for (i = 0; i < ls->nr_pended; i++) {
		if (ls->pended[i].key == id->key && ls->pended[i].serial == id->serial) {
			ls->pended[i] = ls->pended[--ls->nr_pended];
			found = true;
			break;
		}
	}
	spin_unlock_irqrestore(&ls->lock, flags);
	return found;
}

static enum wsk_inspect_action fz_inspect_event(void *context, const struct sockaddr *local,
						const struct sockaddr *remote,
						const struct wsk_inspect_id *id)
{
	struct fz_sock *ls = context;
	struct fz *fz = ls->fz;
	enum wsk_inspect_action v = WSK_INSPECT_REJECT;
	unsigned long flags;
	int mode, action;
	u64 rng;

	fz_cb_enter(ls, FZ_CB_INSPECT, -1);
	if (!test_bit(FZ_F_COND, &ls->flags))
		fz_bad(fz, "inspect_event on listener %u without conditional accept", ls->id);
	if (!id || !local || !remote) {
		fz_bad(fz, "inspect_event on listener %u: NULL id or address", ls->id);
		goto out;
	}
	spin_lock_irqsave(&ls->lock, flags);
	ls->max_serial = max(ls->max_serial, id->serial);
	spin_unlock_irqrestore(&ls->lock, flags);
	if (READ_ONCE(fz->stopping))
		goto out;
	rng = fz_cb_rng(fz);
	mode = fz_below(&rng, 100);
	if (mode < 35) {
		v = WSK_INSPECT_ACCEPT;
	} else if (mode < 50) {
		v = WSK_INSPECT_REJECT;
	} else if (mode < 93) {
		v = fz_id_push(ls, id, true) ? WSK_INSPECT_PEND : WSK_INSPECT_ACCEPT;
	} else {
		/* Decided before the event returns: applied as it pends. */
		action = fz_chance(&rng, 70) ? WSK_INSPECT_ACCEPT : WSK_INSPECT_REJECT;
		if (fz_get(ls)) {
#define FZ_EARLY(req) wsk_inspect_complete(ls->s, id, action, req)
			FZ_CB_CALL(ls, FZ_K_INSPECT, 0, FZ_EARLY);
#undef FZ_EARLY
			fz_put_ctx(ls, FZ_CTX_CB);
			fz_id_push(ls, id, false);
			v = WSK_INSPECT_PEND;
		} else {
			v = WSK_INSPECT_REJECT;
		}
	}
	if (v == WSK_INSPECT_PEND)
		fz_stat_inc(fz, FZ_ST_PENDED);
out:
	fz_cb_exit(ls);
	return v;
}

static void fz_abort_event(void *context, const struct wsk_inspect_id *id)
{
	struct fz_sock *ls = context;
	struct fz *fz = ls->fz;
	unsigned long flags;
	u32 max;

	fz_cb_enter(ls, FZ_CB_ABORT, -1);
	if (!test_bit(FZ_F_COND, &ls->flags))
		fz_bad(fz, "abort_event on listener %u without conditional accept", ls->id);
	spin_lock_irqsave(&ls->lock, flags);
	max = ls->max_serial;
	spin_unlock_irqrestore(&ls->lock, flags);
	if (!id || !id->serial || id->serial > max) {
		fz_bad(fz, "abort_event on listener %u for an id never inspected", ls->id);
		goto out;
	}
	fz_id_drop(ls, id);
	fz_stat_inc(fz, FZ_ST_ABORTS);
out:
	fz_cb_exit(ls);
}

static enum wsk_cf fz_condition(const struct sockaddr *caller, const struct sockaddr *callee,
				unsigned long callback_data)
{
	struct fz_req *r = (struct fz_req *)callback_data;
	struct fz_sock *fs = r->fs;
	struct fz *fz = fs->fz;
	int plan = r->cond_plan, v;
	unsigned long flags;
	bool pending, twice;
	u64 rng;

	atomic_long_inc(&fz->cbcount[FZ_CB_COND]);
	if (!in_task())
		fz_bad(fz, "condition of listener %u not in process context", fs->id);
	if (fz_closed(fs))
		fz_bad(fz, "condition of listener %u after its close completed", fs->id);
	if (!caller || !callee || caller->sa_family != fs->family ||
	    callee->sa_family != fs->family)
		fz_bad(fz, "condition of listener %u: bad addresses", fs->id);
	if (plan == FZ_CF_RANDOM) {
		rng = fz_cb_rng(fz);
		plan = fz_below(&rng, FZ_CF_RANDOM);
	}
	if (plan == FZ_CF_ACCEPT)
		v = WSK_CF_ACCEPT;
	else if (plan == FZ_CF_REJECT)
		v = WSK_CF_REJECT;
	else if (plan == FZ_CF_DEFER)
		v = WSK_CF_DEFER;
	else
		v = 3 + (callback_data & 0x1f);	/* garbage */
	spin_lock_irqsave(&r->lock, flags);
	pending = r->done < r->gen;
	twice = r->cond_gen == r->gen;
	r->cond_gen = r->gen;
	r->cond_verdict = v;
	spin_unlock_irqrestore(&r->lock, flags);
	if (!pending)
		fz_bad(fz, "condition of listener %u for a request not pending (op %u)", fs->id,
		       r->op);
	if (twice)
		fz_bad(fz, "condition of listener %u twice for one submission (op %u)", fs->id,
		       r->op);
	return v;
}

/* Copy and check the first @len bytes of an indication chain. */
static void fz_rx_chain(struct fz_sock *fs, const struct wsk_data_indication *ind, size_t len)
{
	size_t off = 0, n;
	u8 buf[256];

	while (off < len) {
		n = wsk_data_indication_copy(ind, off, buf, min(len - off, sizeof(buf)));
		if (!n) {
			fz_bad(fs->fz, "socket %u: chain copy ends at %zu of %zu", fs->id, off,
			       len);
			return;
		}
		fz_rx_check(fs, buf, n, "indication");
		off += n;
	}
}

static bool fz_keep(struct fz_sock *fs, struct wsk_data_indication *ind)
{
	unsigned long flags;
	bool ok = false;

	spin_lock_irqsave(&fs->lock, flags);
	if (fs->nr_kept < FZ_KEPT) {
		fs->kept[fs->nr_kept++] = ind;
		ok = true;
	}
	spin_unlock_irqrestore(&fs->lock, flags);
	return ok;
}

static struct wsk_data_indication *fz_unkeep(struct fz_sock *fs, u64 *rng)
{
	struct wsk_data_indication *ind = NULL;
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&fs->lock, flags);
	if (fs->nr_kept) {
		i = fz_below(rng, fs->nr_kept);
		ind = fs->kept[i];
		fs->kept[i] = fs->kept[--fs->nr_kept];
	}
	spin_unlock_irqrestore(&fs->lock, flags);
	return ind;
}

static int fz_receive_event(void *context, unsigned int flags,
			    struct wsk_data_indication *ind, size_t bytes, size_t *accepted)
{
	struct fz_sock *fs = context;
	struct fz *fz = fs->fz;
	const struct wsk_data_indication *i;
	struct wsk_data_indication *k;
	size_t sum = 0, take;
	int ret = 0, mode;
	u64 rng;

	fz_cb_enter(fs, FZ_CB_RECEIVE, FZ_EV_RECEIVE);
	if (flags)
		fz_bad(fz, "receive_event on socket %u: flags %#x", fs->id, flags);
	rng = fz_cb_rng(fz);
	if (!ind) {
		fz_stat_inc(fz, FZ_ST_NULL_IND);
		set_bit(FZ_F_DEAD_SEEN, &fs->flags);
		if (atomic_inc_return(&fs->nulls) > 1)
			fz_bad(fz, "socket %u: NULL indication twice", fs->id);
		if (!READ_ONCE(fz->stopping) && fz_chance(&rng, 40) && fz_nest_enter(fz)) {
			fz_cb_close(fs, &rng);
			fz_nest_exit();
		}
		goto out;
	}
	for (i = ind; i; i = i->next)
		sum += i->buffer.length;
	if (!bytes || sum != bytes || !accepted || *accepted != bytes) {
		fz_bad(fz, "receive_event on socket %u: %zu bytes indicated, chain %zu, preset %zu",
		       fs->id, bytes, sum, accepted ? *accepted : 0);
		goto out;
	}
	mode = READ_ONCE(fz->stopping) ? 0 : fz_below(&rng, 100);
	if (mode < 50) {
		fz_rx_chain(fs, ind, bytes);
	} else if (mode < 65) {
		take = fz_below(&rng, bytes);
		fz_rx_chain(fs, ind, take);
		*accepted = take;
		fz_stat_inc(fz, FZ_ST_PARTIAL);
	} else if (mode < 75) {
		ret = -EAGAIN;
		fz_stat_inc(fz, FZ_ST_PARTIAL);
	} else if (fz_keep(fs, ind)) {
		fz_rx_chain(fs, ind, bytes);
		ret = -EINPROGRESS;
		fz_stat_inc(fz, FZ_ST_KEPT);
		/* Released during the call itself, sometimes: wsk frees it after. */
		if (fz_chance(&rng, 15) && fz_get(fs)) {
			k = fz_unkeep(fs, &rng);
			if (k && wsk_release(fs->s, k))
				fz_bad(fz, "wsk_release inside receive_event of socket %u failed",
				       fs->id);
			else if (k)
				fz_stat_inc(fz, FZ_ST_RELEASED);
			fz_put_ctx(fs, FZ_CTX_CB);
		}
	} else {
		fz_rx_chain(fs, ind, bytes);
	}
	if (READ_ONCE(fz->stopping) || !fz_nest_enter(fz))
		goto out;
	/* A receive resumes indications paused by a partial take or -EAGAIN. */
	fz_cb_data(fs, &rng, ret == -EAGAIN || *accepted < bytes ? 40 : 10, 10);
	if (fz_chance(&rng, 3))
		fz_random_op(fz, &rng, FZ_CTX_CB);
	if (fz_chance(&rng, 2))
		fz_cb_close(fs, &rng);
	fz_nest_exit();
out:
	fz_cb_exit(fs);
	return ret;
}

static int fz_disconnect_event(void *context, unsigned int flags)
{
	struct fz_sock *fs = context;
	struct fz *fz = fs->fz;
	struct fz_req *r;
	u64 rng;

	fz_cb_enter(fs, FZ_CB_DISC, FZ_EV_DISCONNECT);
	fz_stat_inc(fz, FZ_ST_DISC_EVENT);
	if (atomic_inc_return(&fs->discs) > 1)
		fz_bad(fz, "socket %u: disconnect event twice", fs->id);
	if (flags & ~WSK_FLAG_ABORTIVE)
		fz_bad(fz, "disconnect_event on socket %u: flags %#x", fs->id, flags);
	if (flags & WSK_FLAG_ABORTIVE)
		set_bit(FZ_F_DEAD_SEEN, &fs->flags);
	rng = fz_cb_rng(fz);
	if (READ_ONCE(fz->stopping) || !fz_nest_enter(fz))
		goto out;
	/* What an echo server does: answer the FIN, or close. */
	if (fz_chance(&rng, 30) && fz_get(fs)) {
		r = fz_acquire(fs, FZ_R_CBTX);
		if (r && fz_submit_send(fs, r, &rng, FZ_CTX_CB, true) == -ENOSPC)
			fz_release(r);
		fz_put_ctx(fs, FZ_CTX_CB);
	}
	if (fz_chance(&rng, 25))
		fz_cb_close(fs, &rng);
	fz_nest_exit();
out:
	fz_cb_exit(fs);
	return 0;
}

static int fz_backlog_event(void *context, size_t ideal)
{
	struct fz_sock *fs = context;
	struct fz *fz = fs->fz;
	u64 rng;

	fz_cb_enter(fs, FZ_CB_BACKLOG, FZ_EV_BACKLOG);
	fz_stat_inc(fz, FZ_ST_BACKLOG_EVENT);
	if (!ideal || ideal > SZ_64M)
		fz_bad(fz, "send_backlog_event on socket %u: %zu bytes", fs->id, ideal);
	rng = fz_cb_rng(fz);
	if (READ_ONCE(fz->stopping) || !fz_nest_enter(fz))
		goto out;
	fz_cb_data(fs, &rng, 0, 20);
	fz_nest_exit();
out:
	fz_cb_exit(fs);
	return 0;
}

static const struct wsk_client_connection_dispatch fz_conn_all = {
	.receive_event = fz_receive_event,
	.disconnect_event = fz_disconnect_event,
	.send_backlog_event = fz_backlog_event,
};

static const struct wsk_client_connection_dispatch fz_conn_receive = {
	.receive_event = fz_receive_event,
};

static const struct wsk_client_connection_dispatch fz_conn_disc = {
	.disconnect_event = fz_disconnect_event,
	.send_backlog_event = fz_backlog_event,
};

/* Index 0: no dispatch table at all. */
static const struct wsk_client_connection_dispatch *const fz_conn_dispatch[4] = {
	NULL, &fz_conn_all, &fz_conn_receive, &fz_conn_disc
};

static const struct wsk_client_listen_dispatch fz_listen_accept = {
	.accept_event = fz_accept_event,
};

static const struct wsk_client_listen_dispatch fz_listen_all = {
	.accept_event = fz_accept_event,
	.inspect_event = fz_inspect_event,
	.abort_event = fz_abort_event,
};

static const struct wsk_client_listen_dispatch fz_listen_inspect = {
	.inspect_event = fz_inspect_event,
	.abort_event = fz_abort_event,
};

static const struct wsk_client_listen_dispatch *const fz_listen_dispatch[4] = {
	NULL, &fz_listen_accept, &fz_listen_all, &fz_listen_inspect
};

/* The events the socket's dispatch table has callbacks for. */
static u32 fz_events_available(const struct fz_sock *fs)
{
	const struct wsk_client_connection_dispatch *d;
	u32 m = 0;

	if (fs->type == FZ_T_LISTEN)
		return fz_listen_dispatch[fs->dispatch] &&
		       fz_listen_dispatch[fs->dispatch]->accept_event ? WSK_EVENT_ACCEPT : 0;
	d = fz_conn_dispatch[fs->dispatch];
	if (d && d->receive_event)
		m |= WSK_EVENT_RECEIVE;
	if (d && d->disconnect_event)
		m |= WSK_EVENT_DISCONNECT;
	if (d && d->send_backlog_event)
		m |= WSK_EVENT_SEND_BACKLOG;
	return m;
}

/* ------------------------------------------------------------------------ */
/* Submissions shared by operations and follow-ups                           */

/* Any context other than the test thread's own gets only lenient checks. */
static bool fz_strict(int ctx)
{
	return ctx == FZ_CTX_PROC || ctx == FZ_CTX_IRQOFF;
}

static bool fz_is_listening(const struct fz_sock *fs)
{
	return test_bit(FZ_F_LISTENING, &fs->flags) && !test_bit(FZ_F_KILLED, &fs->flags);
}

static bool fz_never_bound(const struct fz_sock *fs)
{
	return !test_bit(FZ_F_BIND_SUBMITTED, &fs->flags);
}

/*
 * Submit an accept on listener @ls with @r, which the caller owns: plain
 * (@plan < 0) or conditional with that FZ_CF_* plan. The new socket gets a
 * reserved slot. Return: what the call returned, -ENOSPC if no slot.
 */
static int fz_submit_accept(struct fz_sock *ls, struct fz_req *r, int plan, u64 *rng, int ctx,
			    u8 op)
{
	struct fz *fz = ls->fz;
	struct sockaddr_storage *local, *remote;
	struct fz_sock *t;
	int ret;
	u32 g;

	t = fz_slot_alloc(fz, FZ_T_CONN, ls->family, ls->client);
	if (!t)
		return -ENOSPC;
	t->dispatch = fz_below(rng, 4);
	r->target = t;
	r->addr.ss_family = 0;
	r->addr2.ss_family = 0;
	local = fz_chance(rng, 70) ? &r->addr : NULL;
	remote = fz_chance(rng, 70) ? &r->addr2 : NULL;
	if (plan < 0) {
		g = fz_sub_begin(r, FZ_K_ACCEPT, op, ctx);
		ret = wsk_accept(ls->s, 0, t, fz_conn_dispatch[t->dispatch], local, remote,
				 &r->req);
	} else {
		r->cond_plan = plan;
		g = fz_sub_begin(r, FZ_K_ACCEPT_COND, op, ctx);
		ret = wsk_accept_conditional(ls->s, fz_condition, (unsigned long)r, t,
					     fz_conn_dispatch[t->dispatch], local, remote,
					     &r->req);
	}
	return fz_sub_end(r, g, ret);
}

/* A receive buffer laid over the request's data in one or two segments. */
static void fz_rx_buf(struct fz_req *r, u64 *rng, size_t len)
{
	size_t split = fz_below(rng, FZ_RX_MAX), off = fz_below(rng, FZ_RX_MAX - len + 1);

	r->vec[0].iov_base = r->data;
	r->vec[0].iov_len = split ? split : FZ_RX_MAX;
	r->vec[1].iov_base = r->data + split;
	r->vec[1].iov_len = FZ_RX_MAX - split;
	r->buf.kvec = r->vec;
	r->buf.nr_segs = split ? 2 : 1;
	r->buf.offset = off;
	r->buf.length = len;
}

/* Submit a receive of random size on @fs (whose socket is valid) with @r. */
static int fz_submit_receive(struct fz_sock *fs, struct fz_req *r, u64 *rng, int ctx)
{
	size_t len = fz_chance(rng, 5) ? 0 : 1 + fz_below(rng, FZ_RX_MAX);
	unsigned int flags = fz_chance(rng, 30) ? WSK_FLAG_WAITALL : 0;
	int ret;
	u32 g;

	fz_rx_buf(r, rng, len);
	r->expect = len;
	g = fz_sub_begin(r, FZ_K_RECEIVE, FZ_OP_RECEIVE, ctx);
	ret = fz_sub_end(r, g, wsk_receive(fs->s, &r->buf, flags, &r->req));
	/* Not @r's members: its completion may have handed it on already. */
	if (fs->type == FZ_T_CONN)
		fz_expect(r, ret, len ? -EINPROGRESS : 0, "receive");
	return ret;
}

/* A send buffer over the shared data, one or two segments. */
static void fz_tx_buf(struct fz_req *r, u64 *rng, size_t len)
{
	size_t off = fz_below(rng, 64), split;

	len = min_t(size_t, len, FZ_TX_MAX - off);
	split = fz_below(rng, FZ_TX_MAX);
	r->vec[0].iov_base = fz_tx_data;
	r->vec[0].iov_len = split ? split : FZ_TX_MAX;
	r->vec[1].iov_base = fz_tx_data + split;
	r->vec[1].iov_len = FZ_TX_MAX - split;
	r->buf.kvec = r->vec;
	r->buf.nr_segs = split ? 2 : 1;
	r->buf.offset = off;
	r->buf.length = len;
}

static size_t fz_tx_len(u64 *rng)
{
	u32 m = fz_below(rng, 100);

	if (m < 5)
		return 0;
	if (m < 55)
		return 1 + fz_below(rng, 512);
	if (m < 85)
		return 513 + fz_below(rng, 8192);
	return FZ_TX_MAX;
}

/* Submit a send, or a graceful disconnect (@disc) with optional final data. */
static int fz_submit_send(struct fz_sock *fs, struct fz_req *r, u64 *rng, int ctx, bool disc)
{
	size_t len = fz_tx_len(rng);
	bool data = !disc || fz_chance(rng, 30);
	unsigned int flags;
	int ret, want;
	u32 g;

	if (data)
		fz_tx_buf(r, rng, disc ? min_t(size_t, len, 4096) : len);
	r->expect = data ? r->buf.length : 0;
	/* Decided before the call: once it completes, @r may be someone else's. */
	want = disc || r->expect ? -EINPROGRESS : 0;
	if (!disc && (atomic_read(&fs->r[FZ_R_SEND0].busy) &&
		      atomic_read(&fs->r[FZ_R_SEND1].busy)))
		fz_stat_inc(fs->fz, FZ_ST_QUEUED_SEND);
	if (disc) {
		g = fz_sub_begin(r, FZ_K_DISC, FZ_OP_DISCONNECT, ctx);
		ret = fz_sub_end(r, g, wsk_disconnect(fs->s, data ? &r->buf : NULL, 0, &r->req));
	} else {
		flags = fz_chance(rng, 20) ? WSK_FLAG_NODELAY : 0;
		g = fz_sub_begin(r, FZ_K_SEND, FZ_OP_SEND, ctx);
		ret = fz_sub_end(r, g, wsk_send(fs->s, &r->buf, flags, &r->req));
	}
	if (fs->type == FZ_T_CONN)
		fz_expect(r, ret, want, disc ? "disconnect" : "send");
	return ret;
}

/*
 * From a completion routine: submit @r again, as it was. Return: whether it
 * was submitted (the routine then leaves @r owned).
 */
static bool fz_resubmit(struct fz_req *r, int status, u64 *rng)
{
	struct fz_sock *fs = r->fs;
	bool done = false;
	int ret = -ENOSPC;

	if (!fz_get(fs))
		return false;
	r->resubmits++;
	switch (r->kind) {
	case FZ_K_ACCEPT:
		ret = fz_submit_accept(fs, r, -1, rng, FZ_CTX_DONE, FZ_OP_ACCEPT);
		break;
	case FZ_K_ACCEPT_COND:
		ret = fz_submit_accept(fs, r, r->cond_plan, rng, FZ_CTX_DONE, FZ_OP_ACCEPT_COND);
		break;
	case FZ_K_RECEIVE:
		ret = fz_submit_receive(fs, r, rng, FZ_CTX_DONE);
		break;
	case FZ_K_SEND:
		ret = fz_submit_send(fs, r, rng, FZ_CTX_DONE, false);
		break;
	}
	if (ret != -ENOSPC) {
		done = true;
		fz_stat_inc(fs->fz, FZ_ST_RESUBMIT);
	}
	fz_put_ctx(fs, FZ_CTX_DONE);
	return done;
}

/* A request pending now, not of a quiet listener (their -EBUSY case). */
static struct fz_req *fz_pick_pending(struct fz *fz, u64 *rng)
{
	int n = READ_ONCE(fz->nr_socks), start, i, j, k;
	unsigned long flags;
	struct fz_sock *fs;
	struct fz_req *r;
	bool pending;

	if (!n)
		return NULL;
	start = fz_below(rng, n);
	k = fz_below(rng, FZ_R_NR);
	for (i = 0; i < n; i++) {
		fs = fz->socks[(start + i) % n];
		if (test_bit(FZ_F_QUIET, &fs->flags))
			continue;
		for (j = 0; j < FZ_R_NR; j++) {
			r = &fs->r[(k + j) % FZ_R_NR];
			spin_lock_irqsave(&r->lock, flags);
			pending = r->done < r->gen;
			spin_unlock_irqrestore(&r->lock, flags);
			if (pending)
				return r;
		}
	}
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* Operations (any context but where said)                                   */

static bool fz_ok_listening(struct fz_sock *fs)
{
	return fz_is_listening(fs) && !test_bit(FZ_F_QUIET, &fs->flags);
}

static bool fz_ok_unbound(struct fz_sock *fs)
{
	return fz_never_bound(fs);
}

static bool fz_ok_kept(struct fz_sock *fs)
{
	return READ_ONCE(fs->nr_kept) > 0;
}

static bool fz_ok_quiet(struct fz_sock *fs)
{
	return test_bit(FZ_F_QUIET, &fs->flags) && fz_is_listening(fs);
}

static bool fz_ok_cond(struct fz_sock *fs)
{
	return test_bit(FZ_F_COND, &fs->flags);
}

#define FZ_TL	BIT(FZ_T_LISTEN)
#define FZ_TC	BIT(FZ_T_CONN)
#define FZ_TU	BIT(FZ_T_UNCONN)

/* A listener, mostly one that listens. */
static struct fz_sock *fz_pick_listener(struct fz *fz, u64 *rng)
{
	struct fz_sock *fs = NULL;

	if (fz_chance(rng, 85))
		fs = fz_pick(fz, rng, FZ_TL, fz_ok_listening);
	return fs ? fs : fz_pick(fz, rng, FZ_TL, NULL);
}

static void fz_op_socket(struct fz *fz, u64 *rng, int ctx, bool listen)
{
	int family = fz_chance(rng, 50) ? AF_INET : AF_INET6, client = 0, ret;
	struct fz_sock *fs;
	struct fz_req *r;
	const void *disp;
	u32 g;

	if (fz_strict(ctx) && fz->client[1] && !fz->client_dying && fz_chance(rng, 30))
		client = 1;
	fs = fz_slot_alloc(fz, listen ? FZ_T_LISTEN : FZ_T_UNCONN, family, client);
	if (!fs)
		return;
	fs->dispatch = fz_below(rng, 4);
	disp = listen ? (const void *)fz_listen_dispatch[fs->dispatch] :
			(const void *)fz_conn_dispatch[fs->dispatch];
	r = fz_acquire(fs, FZ_R_CREATE);
	if (!r) {
		fz_bad(fz, "socket %u: reserved with its create request busy", fs->id);
		return;
	}
	g = fz_sub_begin(r, FZ_K_SOCKET, listen ? FZ_OP_LISTEN : FZ_OP_CONN, ctx);
	ret = fz_sub_end(r, g, wsk_socket(fz->client[client], &init_net, family,
					  listen ? WSK_FLAG_LISTEN_SOCKET :
						   WSK_FLAG_CONNECTION_SOCKET,
					  fs, disp, &r->req));
	if (ret != -EINPROGRESS && ret != -ENOMEM)
		fz_expect(r, ret, -EINPROGRESS, "wsk_socket");
}

static void fz_op_bind(struct fz *fz, u64 *rng, int ctx)
{
	u32 mode = fz_below(rng, 100), g, flags = 0;
	struct fz_sock *fs, *o;
	int family, len, want = -EINPROGRESS, ret;
	struct fz_req *r;
	u16 port = 0;

	fs = fz_chance(rng, 80) ? fz_pick(fz, rng, FZ_TL | FZ_TU, fz_ok_unbound) : NULL;
	if (!fs)
		fs = fz_pick(fz, rng, FZ_TL | FZ_TU, NULL);
	if (!fs)
		return;
	r = fz_acquire(fs, FZ_R_BIND);
	if (!r)
		goto out;
	family = fs->family;
	if (mode >= 85 && mode < 91) {
		/* The port of another listener: -EADDRINUSE, unless it is gone. */
		o = fz_pick(fz, rng, FZ_TL, fz_ok_listening);
		if (o) {
			port = o->port;
			family = o->family;
			fz_put_ctx(o, ctx);
		}
		if (family != fs->family)
			port = 0;
		family = fs->family;
	}
	if (mode >= 91 && mode < 95)
		family = fs->family == AF_INET ? AF_INET6 : AF_INET;
	len = wt_addr(&r->addr, family, mode >= 75 && mode < 85, port);
	if (mode >= 91)
		want = -EINVAL;
	if (mode >= 95 && mode < 98)
		len -= 2;
	else if (mode >= 98)
		flags = 1;
	if (want == -EINPROGRESS)
		set_bit(FZ_F_BIND_SUBMITTED, &fs->flags);
	g = fz_sub_begin(r, FZ_K_BIND, FZ_OP_BIND, ctx);
	ret = fz_sub_end(r, g, wsk_bind(fs->s, (struct sockaddr *)&r->addr, len, flags, &r->req));
	fz_expect(r, ret, want, "bind");
out:
	fz_put_ctx(fs, ctx);
}

static const struct {
	int level;
	u32 code;
} fz_pass_opts[] = {
	{ SOL_SOCKET, SO_REUSEADDR },
	{ SOL_SOCKET, SO_REUSEPORT },
	{ SOL_SOCKET, SO_KEEPALIVE },
	{ SOL_TCP, TCP_NODELAY },
	{ SOL_IPV6, IPV6_V6ONLY },
};

static void fz_op_set(struct fz *fz, u64 *rng, int ctx)
{
	u32 mode = fz_below(rng, 100), code, type = WSK_SET_OPTION, g;
	size_t in_size = sizeof(int);
	int level, want, ret, i, val;
	bool cond_was = false;
	struct fz_sock *fs;
	struct fz_req *r;
	bool lst;

	fs = fz_pick(fz, rng, FZ_TL | FZ_TC | FZ_TU, NULL);
	if (!fs)
		return;
	r = fz_acquire(fs, FZ_R_CTL);
	if (!r)
		goto out;
	lst = fs->type == FZ_T_LISTEN;
	r->out_returned = 0xdead;
	r->optval = fz_below(rng, 2);
	if (!fz_strict(ctx) && mode >= 60 && mode < 84)
		mode = 0;	/* wsk's own options: the test thread only (exact flags) */
	if (mode < 60) {
		i = fz_below(rng, ARRAY_SIZE(fz_pass_opts));
		level = fz_pass_opts[i].level;
		code = fz_pass_opts[i].code;
		want = level == SOL_IPV6 && fs->family == AF_INET ? -EOPNOTSUPP : -EINPROGRESS;
	} else if (mode < 72) {
		level = SOL_SOCKET;
		code = WSK_SO_LISTEN_BACKLOG;
		r->optval = fz_chance(rng, 5) ? INT_MIN + 1 : (int)fz_below(rng, 20);
		if (!lst)
			want = -EOPNOTSUPP;
		else if ((u32)r->optval > INT_MAX)
			want = -EINVAL;
		else if (fz_never_bound(fs))
			want = 0;
		else
			want = test_bit(FZ_F_LISTENING, &fs->flags) ? -EINVAL : 1;
	} else if (mode < 84) {
		level = SOL_SOCKET;
		code = WSK_SO_CONDITIONAL_ACCEPT;
		r->optval = fz_chance(rng, 5) ? 2 : (int)fz_below(rng, 2);
		if (!lst)
			want = -EOPNOTSUPP;
		else if (r->optval > 1 || (r->optval &&
					   (!fz_listen_dispatch[fs->dispatch] ||
					    !fz_listen_dispatch[fs->dispatch]->inspect_event)))
			want = -EINVAL;
		else if (fz_never_bound(fs))
			want = 0;
		else
			want = test_bit(FZ_F_LISTENING, &fs->flags) ? -EINVAL : 1;
		/* Set before the call: an inspect_event may come as soon as it applies. */
		cond_was = test_bit(FZ_F_COND, &fs->flags);
		if (r->optval == 1)
			set_bit(FZ_F_COND, &fs->flags);
	} else if (mode < 90) {
		level = SOL_SOCKET;
		code = SO_OOBINLINE;	/* never passed: urgent data stays out */
		want = -EOPNOTSUPP;
	} else if (mode < 95) {
		level = SOL_SOCKET;
		code = SO_KEEPALIVE;
		type = WSK_IOCTL;
		want = -EOPNOTSUPP;
	} else {
		level = SOL_SOCKET;
		code = SO_KEEPALIVE;
		in_size = 2;
		want = -EINVAL;
	}
	val = r->optval;
	g = fz_sub_begin(r, FZ_K_SET, FZ_OP_SET, ctx);
	ret = fz_sub_end(r, g, wsk_control(fs->s, type, code, level, in_size, &r->optval, 0, NULL,
					   &r->out_returned, &r->req));
	if (code == WSK_SO_CONDITIONAL_ACCEPT) {
		if (!ret && !val)
			clear_bit(FZ_F_COND, &fs->flags);
		else if (ret && !cond_was)
			clear_bit(FZ_F_COND, &fs->flags);
	}
	if (want != 1)
		fz_expect(r, ret, want, "control set");
out:
	fz_put_ctx(fs, ctx);
}

static void fz_op_get(struct fz *fz, u64 *rng, int ctx)
{
	u32 mode = fz_below(rng, 100), code, g;
	size_t out_size = sizeof(int);
	int level, want = 0, ret, i;
	struct fz_sock *fs;
	struct fz_req *r;
	bool boolean = true;

	fs = fz_pick(fz, rng, FZ_TL | FZ_TC | FZ_TU, NULL);
	if (!fs)
		return;
	r = fz_acquire(fs, FZ_R_CTL);
	if (!r)
		goto out;
	fz_hold(r);
	r->out_returned = 0xdead;
	r->optval = -7;
	if (mode < 70) {
		i = fz_below(rng, ARRAY_SIZE(fz_pass_opts));
		level = fz_pass_opts[i].level;
		code = fz_pass_opts[i].code;
		if (level == SOL_IPV6 && fs->family == AF_INET)
			want = -EOPNOTSUPP;
	} else if (mode < 90) {
		level = SOL_SOCKET;
		code = mode < 80 ? WSK_SO_LISTEN_BACKLOG : WSK_SO_CONDITIONAL_ACCEPT;
		boolean = code == WSK_SO_CONDITIONAL_ACCEPT;
		if (fs->type != FZ_T_LISTEN)
			want = -EOPNOTSUPP;
	} else if (mode < 95) {
		level = SOL_SOCKET;
		code = SO_KEEPALIVE;
		out_size = 3;
		want = -EINVAL;
	} else {
		level = SOL_TCP;
		code = TCP_CORK;
		want = -EOPNOTSUPP;
	}
	g = fz_sub_begin(r, FZ_K_GET, FZ_OP_GET, ctx);
	ret = fz_sub_end(r, g, wsk_control(fs->s, WSK_GET_OPTION, code, level, 0, NULL, out_size,
					   &r->optval, &r->out_returned, &r->req));
	fz_expect(r, ret, want, "control get");
	if (!ret && boolean && r->optval != 0 && r->optval != 1)
		fz_bad(fz, "get of option %#x on socket %u: %d", code, fs->id, r->optval);
	if (!ret && !boolean && r->optval < 0)
		fz_bad(fz, "get of the backlog of socket %u: %d", fs->id, r->optval);
	fz_unhold(r);
out:
	fz_put_ctx(fs, ctx);
}

/* The event index of a single WSK_EVENT_* bit, for the socket's type (-1: not tracked). */
static int fz_ev_idx(const struct fz_sock *fs, u32 bit)
{
	if (fs->type == FZ_T_LISTEN)
		return bit == WSK_EVENT_ACCEPT ? FZ_EV_ACCEPT : -1;
	if (bit == WSK_EVENT_RECEIVE)
		return FZ_EV_RECEIVE;
	if (bit == WSK_EVENT_DISCONNECT)
		return FZ_EV_DISCONNECT;
	if (bit == WSK_EVENT_SEND_BACKLOG)
		return FZ_EV_BACKLOG;
	return -1;
}

static const u32 fz_ev_bits[] = {
	WSK_EVENT_ACCEPT, WSK_EVENT_RECEIVE, WSK_EVENT_DISCONNECT, WSK_EVENT_SEND_BACKLOG
};

/* WSK_SO_EVENT_CALLBACK on @fs: enable @mask, or disable one event. */
static int fz_events(struct fz_sock *fs, u32 mask, bool with_req, int ctx, int *want)
{
	struct wsk_event_callback_control ctl = { .event_mask = mask };
	u32 ev = mask & ~WSK_EVENT_DISABLE, avail, g = 0;
	bool disable = mask & WSK_EVENT_DISABLE;
	struct fz_req *r = NULL;
	size_t in_size = sizeof(ctl);
	int idx = -1, gen = 0, ret, i;

	avail = fz_events_available(fs);
	if (fs->type == FZ_T_LISTEN)
		avail |= WSK_CONN_EVENTS;	/* inherited by accepted sockets */
	if (!ev || (ev & ~(WSK_CONN_EVENTS | WSK_EVENT_ACCEPT)) ||
	    (disable && hweight32(ev) != 1))
		*want = -EINVAL;
	else if (fs->type == FZ_T_UNCONN || (fs->type == FZ_T_LISTEN && fz_never_bound(fs)))
		*want = -EINVAL;
	else if (fs->type == FZ_T_LISTEN && !fz_is_listening(fs))
		*want = 1;	/* not known */
	else if (ev & ~avail)
		*want = -EINVAL;
	else
		*want = disable ? -EINPROGRESS : 0;	/* disable: 0 or -EINPROGRESS */
	if (with_req)
		r = fz_acquire(fs, FZ_R_EV);
	if (disable) {
		idx = fz_ev_idx(fs, ev);
		if (idx >= 0)
			gen = atomic_inc_return(&fs->ev_gen[idx]);
	} else {
		for (i = 0; i < ARRAY_SIZE(fz_ev_bits); i++)
			if ((ev & fz_ev_bits[i]) && fz_ev_idx(fs, fz_ev_bits[i]) >= 0)
				atomic_inc(&fs->ev_gen[fz_ev_idx(fs, fz_ev_bits[i])]);
	}
	if (r) {
		g = fz_sub_begin(r, FZ_K_EVENT, FZ_OP_EVENTS, ctx);
		r->ev_gen = gen;
		r->ev_idx = idx;
	}
	ret = wsk_control(fs->s, WSK_SET_OPTION, WSK_SO_EVENT_CALLBACK, SOL_SOCKET, in_size, &ctl,
			  0, NULL, NULL, r ? &r->req : NULL);
	if (r)
		fz_sub_end(r, g, ret);
	else
		fz_trace_op(fs->fz, FZ_OP_EVENTS, ctx, fs, ret);
	/* From another context, while its accept_event runs (events.rst). */
	if (test_bit(FZ_F_EVENT_CALL, &fs->flags)) {
		if (ret == -EINVAL && (*want == 0 || *want == -EINPROGRESS))
			*want = -EINVAL;
		else if (!ret || ret == -EINPROGRESS)
			clear_bit(FZ_F_EVENT_CALL, &fs->flags);
	}
	if (!ret && disable && idx >= 0 && atomic_read(&fs->ev_gen[idx]) == gen)
		WRITE_ONCE(fs->ev_off[idx], gen);
	return ret;
}

static void fz_op_events(struct fz *fz, u64 *rng, int ctx)
{
	u32 mode = fz_below(rng, 100), mask = 0, avail;
	struct fz_sock *fs;
	int want, ret, i;

	fs = fz_pick(fz, rng, FZ_TL | FZ_TC | FZ_TU, NULL);
	if (!fs)
		return;
	avail = fz_events_available(fs) | (fs->type == FZ_T_LISTEN ? WSK_CONN_EVENTS : 0);
	if (mode < 50) {
		for (i = 0; i < ARRAY_SIZE(fz_ev_bits); i++)
			if (fz_chance(rng, (avail & fz_ev_bits[i]) ? 60 : 3))
				mask |= fz_ev_bits[i];
		if (!mask)
			mask = avail ? avail : WSK_EVENT_RECEIVE;
	} else if (mode < 88) {
		mask = fz_ev_bits[fz_below(rng, ARRAY_SIZE(fz_ev_bits))];
		if (fs->type != FZ_T_LISTEN && mask == WSK_EVENT_ACCEPT)
			mask = WSK_EVENT_RECEIVE;
		mask |= WSK_EVENT_DISABLE;
	} else {
		static const u32 bad[] = {
			0, 0x1, WSK_EVENT_DISABLE, WSK_EVENT_DISABLE | WSK_EVENT_RECEIVE |
			WSK_EVENT_DISCONNECT, 0x100
		};

		mask = bad[fz_below(rng, ARRAY_SIZE(bad))];
	}
	ret = fz_events(fs, mask, fz_chance(rng, 70), ctx, &want);
	/* Listener states are the test thread's doing; bad masks fail everywhere. */
	if (fs->type == FZ_T_LISTEN && !fz_strict(ctx) && mode < 88)
		want = 1;
	if (want == -EINPROGRESS) {
		if (ret && ret != -EINPROGRESS)
			fz_bad(fz, "event disable %#x on socket %u: %d", mask, fs->id, ret);
	} else if (want != 1 && ret != want &&
		   !(fs->type == FZ_T_LISTEN && test_bit(FZ_F_KILLED, &fs->flags))) {
		fz_bad(fz, "event_callback %#x on socket %u (type %u, %s): %d, expected %d", mask,
		       fs->id, fs->type, fz_ctx_names[ctx], ret, want);
	}
	fz_put_ctx(fs, ctx);
}

static const u8 fz_cf_weights[FZ_CF_NR] = { 40, 15, 25, 10, 10 };

static int fz_pick_weighted(u64 *rng, const u8 *w, int n)
{
	u32 sum = 0, x;
	int i;

	for (i = 0; i < n; i++)
		sum += w[i];
	x = fz_below(rng, sum);
	for (i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

static void fz_op_accept(struct fz *fz, u64 *rng, int ctx, bool cond)
{
	u32 mode = fz_below(rng, 100);
	bool never, listening;
	struct fz_sock *fs;
	struct fz_req *r;
	int plan = -1, ret;
	u32 g;

	if (mode < 4 || (mode < 7 && !cond)) {
		/* On a connection socket, or with flags: completed -EOPNOTSUPP / -EINVAL. */
		fs = mode < 4 ? fz_pick(fz, rng, FZ_TC | FZ_TU, NULL) :
				fz_pick(fz, rng, FZ_TL, fz_ok_listening);
		if (!fs)
			return;
		r = fz_acquire(fs, FZ_R_MISC);
		if (r) {
			r->target = NULL;
			g = fz_sub_begin(r, FZ_K_ACCEPT, FZ_OP_ACCEPT, ctx);
			ret = fz_sub_end(r, g, wsk_accept(fs->s, mode < 4 ? 0 : 1, NULL, NULL,
							  NULL, NULL, &r->req));
			fz_expect(r, ret, mode < 4 ? -EOPNOTSUPP : -EINVAL, "accept misuse");
		}
		fz_put_ctx(fs, ctx);
		return;
	}
	fs = fz_pick_listener(fz, rng);
	if (!fs)
		return;
	r = fz_acquire_any(fs, FZ_R_ACC0, 4);
	if (!r)
		goto out;
	r->resubmits = 0;
	if (cond && fz_chance(rng, 90))
		plan = fz_pick_weighted(rng, fz_cf_weights, FZ_CF_NR);
	/*
	 * What the listener is before the call: a bind still pending may
	 * complete (and mark it listening) while wsk_accept() runs.
	 */
	never = fz_never_bound(fs);
	listening = fz_is_listening(fs);
	ret = fz_submit_accept(fs, r, plan, rng, ctx, cond ? FZ_OP_ACCEPT_COND : FZ_OP_ACCEPT);
	if (ret == -ENOSPC) {
		fz_release(r);
		goto out;
	}
	/* The listener's state is the test thread's doing: its calls know it. */
	if (!fz_strict(ctx))
		goto out;
	if (never)
		fz_expect(r, ret, -EINVAL, "accept, never bound");
	else if (listening && ret != -EINPROGRESS && (plan >= 0 || ret))
		fz_expect(r, ret, -EINPROGRESS, "accept");
out:
	fz_put_ctx(fs, ctx);
}

/* A pended id of the listener, taken off its list. */
static bool fz_id_pop(struct fz_sock *ls, u64 *rng, struct wsk_inspect_id *id)
{
	unsigned long flags;
	bool found = false;
	unsigned int i;

	spin_lock_irqsave(&ls->lock, flags);
	if (ls->nr_pended) {
		i = fz_below(rng, ls->nr_pended);
		*id = ls->pended[i];
		ls->pended[i] = ls->pended[--ls->nr_pended];
		found = true;
	}
	spin_unlock_irqrestore(&ls->lock, flags);
	return found;
}

static bool fz_id_decided(struct fz_sock *ls, u64 *rng, struct wsk_inspect_id *id)
{
	unsigned long flags;
	bool found = false;

	spin_lock_irqsave(&ls->lock, flags);
	if (ls->nr_decided) {
		*id = ls->decided[fz_below(rng, min_t(u32, ls->nr_decided, FZ_DECIDED))];
		found = true;
	}
	spin_unlock_irqrestore(&ls->lock, flags);
	return found;
}

static void fz_op_inspect(struct fz *fz, u64 *rng, int ctx)
{
	u32 mode = fz_below(rng, 100), g;
	struct wsk_inspect_id id = { .key = 1 }, *idp = &id;
	int action = fz_chance(rng, 70) ? WSK_INSPECT_ACCEPT : WSK_INSPECT_REJECT;
	int want, ret;
	struct fz_sock *fs;
	struct fz_req *r;
	bool known = false, args;

	if (mode < 5) {
		fs = fz_pick(fz, rng, FZ_TC | FZ_TU, NULL);
		want = -EOPNOTSUPP;
	} else {
		fs = fz_chance(rng, 80) ? fz_pick(fz, rng, FZ_TL, fz_ok_cond) : NULL;
		if (!fs)
			fs = fz_pick(fz, rng, FZ_TL, NULL);
		want = -ENOENT;
	}
	if (!fs)
		return;
	r = fz_acquire(fs, FZ_R_MISC);
	if (!r)
		goto out;
	if (mode >= 5 && mode < 55) {
		known = fz_id_pop(fs, rng, &id);
	} else if (mode >= 55 && mode < 70) {
		fz_id_decided(fs, rng, &id);
	} else if (mode >= 70 && mode < 85) {
		id.key = fz_next(rng) | 1;
		id.serial = 0x80000000U | (u32)fz_next(rng);
	} else if (mode >= 85 && mode < 92) {
		idp = NULL;
		want = -EINVAL;
	} else if (mode >= 92) {
		action = fz_chance(rng, 50) ? WSK_INSPECT_PEND : 7;
		want = -EINVAL;
	}
	args = want == -EINVAL || mode < 5;
	if (fs->type == FZ_T_LISTEN && !test_bit(FZ_F_COND, &fs->flags))
		want = -EINVAL;
	g = fz_sub_begin(r, FZ_K_INSPECT, FZ_OP_INSPECT, ctx);
	ret = fz_sub_end(r, g, wsk_inspect_complete(fs->s, idp, action, &r->req));
	if (known && !ret) {
		fz_id_push(fs, &id, false);
		fz_stat_inc(fz, FZ_ST_INSPECT_OK);
	}
	if (test_bit(FZ_F_KILLED, &fs->flags))
		goto out;
	if (known && ret && ret != -ENOENT)
		fz_bad(fz, "inspect_complete of a pended id on listener %u: %d", fs->id, ret);
	else if (!known && (args || fz_strict(ctx)))
		fz_expect(r, ret, want, "inspect_complete");
out:
	fz_put_ctx(fs, ctx);
}

/* Sends, receives and disconnects on the wrong kind of socket: completed. */
static void fz_data_misuse(struct fz *fz, u64 *rng, int ctx, int kind)
{
	static const struct kvec kv = { .iov_base = fz_tx_data, .iov_len = 16 };
	struct wsk_buf b = { .kvec = &kv, .nr_segs = 1, .length = 8 };
	bool lst = fz_chance(rng, 50);
	struct fz_sock *fs;
	struct fz_req *r;
	int ret, want;
	u32 g;

	fs = fz_pick(fz, rng, lst ? FZ_TL : FZ_TU, NULL);
	if (!fs)
		return;
	r = fz_acquire(fs, FZ_R_MISC);
	if (!r)
		goto out;
	want = lst ? -EOPNOTSUPP : -ENOTCONN;
	g = fz_sub_begin(r, FZ_K_INLINE, kind == FZ_K_SEND ? FZ_OP_SEND :
			 kind == FZ_K_RECEIVE ? FZ_OP_RECEIVE : FZ_OP_ABORT, ctx);
	if (kind == FZ_K_SEND)
		ret = wsk_send(fs->s, &b, 0, &r->req);
	else if (kind == FZ_K_RECEIVE)
		ret = wsk_receive(fs->s, &b, 0, &r->req);
	else
		ret = wsk_disconnect(fs->s, NULL, WSK_FLAG_ABORTIVE, &r->req);
	fz_expect(r, fz_sub_end(r, g, ret), want, "data call on a socket that is not connected");
out:
	fz_put_ctx(fs, ctx);
}

/* A buffer that lies about its segments, or bad flags: -EINVAL, completed. */
static void fz_data_bad(struct fz_sock *fs, u64 *rng, int ctx, int kind)
{
	static const struct kvec kv[2] = {
		{ .iov_base = fz_tx_data, .iov_len = 100 },
		{ .iov_base = fz_tx_data + 100, .iov_len = 28 },
	};
	struct wsk_buf b = { .kvec = kv, .nr_segs = 2, .offset = 0, .length = 128 };
	unsigned int flags = 0;
	struct fz_req *r;
	u32 g, m = fz_below(rng, 4);
	int ret;

	r = fz_acquire(fs, FZ_R_MISC);
	if (!r)
		return;
	if (m == 0)
		b.length = 129;
	else if (m == 1)
		b.offset = 1;
	else if (m == 2)
		b.offset = SIZE_MAX;
	else
		flags = 0x4;
	g = fz_sub_begin(r, FZ_K_INLINE, kind == FZ_K_SEND ? FZ_OP_SEND :
			 kind == FZ_K_RECEIVE ? FZ_OP_RECEIVE : FZ_OP_DISCONNECT, ctx);
	if (kind == FZ_K_SEND)
		ret = wsk_send(fs->s, &b, flags, &r->req);
	else if (kind == FZ_K_RECEIVE)
		ret = wsk_receive(fs->s, &b, flags, &r->req);
	else
		ret = wsk_disconnect(fs->s, &b, flags, &r->req);
	fz_expect(r, fz_sub_end(r, g, ret), -EINVAL, "a lying buffer or bad flags");
}

static void fz_op_data(struct fz *fz, u64 *rng, int ctx, int kind)
{
	u32 mode = fz_below(rng, 100);
	struct fz_sock *fs;
	struct fz_req *r;

	if (mode < 6) {
		fz_data_misuse(fz, rng, ctx, kind);
		return;
	}
	fs = fz_pick(fz, rng, FZ_TC, NULL);
	if (!fs)
		return;
	if (mode < 10) {
		fz_data_bad(fs, rng, ctx, kind);
		goto out;
	}
	if (kind == FZ_K_SEND)
		r = fz_acquire_any(fs, FZ_R_SEND0, 2);
	else if (kind == FZ_K_RECEIVE)
		r = fz_acquire_any(fs, FZ_R_RECV0, 2);
	else
		r = fz_acquire(fs, FZ_R_DISC);
	if (!r)
		goto out;
	r->resubmits = 0;
	if (kind == FZ_K_RECEIVE)
		fz_submit_receive(fs, r, rng, ctx);
	else
		fz_submit_send(fs, r, rng, ctx, kind == FZ_K_DISC);
out:
	fz_put_ctx(fs, ctx);
}

/* Abortive disconnect: the test thread only (it knows whether one came before). */
static void fz_op_abort(struct fz *fz, u64 *rng, int ctx)
{
	struct fz_sock *fs;
	struct fz_req *r;
	bool again;
	int ret;
	u32 g;

	if (fz_chance(rng, 6)) {
		fz_data_misuse(fz, rng, ctx, FZ_K_ABORT);
		return;
	}
	fs = fz_pick(fz, rng, FZ_TC, NULL);
	if (!fs)
		return;
	again = test_and_set_bit(FZ_F_ABORTED, &fs->flags);
	r = fz_acquire(fs, again ? FZ_R_MISC : FZ_R_ABORT);
	if (!r) {
		if (!again)
			clear_bit(FZ_F_ABORTED, &fs->flags);
		goto out;
	}
	fz_rx_gap(fs);
	g = fz_sub_begin(r, FZ_K_ABORT, FZ_OP_ABORT, ctx);
	ret = fz_sub_end(r, g, wsk_disconnect(fs->s, NULL, WSK_FLAG_ABORTIVE, &r->req));
	fz_expect(r, ret, again ? -EALREADY : -EINPROGRESS, "abortive disconnect");
out:
	fz_put_ctx(fs, ctx);
}

static void fz_op_release(struct fz *fz, u64 *rng, int ctx)
{
	struct wsk_data_indication bogus = {}, *k;
	struct fz_sock *fs;
	u32 mode = fz_below(rng, 100);
	int ret;

	fs = mode < 85 ? fz_pick(fz, rng, FZ_TC, fz_ok_kept) : fz_pick(fz, rng, FZ_TC, NULL);
	if (!fs)
		return;
	if (mode < 85) {
		k = fz_unkeep(fs, rng);
		if (k) {
			ret = wsk_release(fs->s, k);
			fz_trace_op(fz, FZ_OP_RELEASE, ctx, fs, ret);
			if (ret)
				fz_bad(fz, "wsk_release of a kept chain of %u: %d", fs->id, ret);
			else
				fz_stat_inc(fz, FZ_ST_RELEASED);
		}
	} else {
		ret = wsk_release(fs->s, mode < 95 ? &bogus : NULL);
		fz_trace_op(fz, FZ_OP_RELEASE, ctx, fs, ret);
		if (ret != -EINVAL)
			fz_bad(fz, "wsk_release of a chain %u does not hold: %d", fs->id, ret);
	}
	fz_put_ctx(fs, ctx);
}

static void fz_op_close(struct fz *fz, u64 *rng, int ctx);
static void fz_exec(struct fz *fz, int op, u64 *rng, int ctx);

static void fz_op_cancel(struct fz *fz, u64 *rng, int ctx)
{
	/* The last one, an abortive disconnect, only from the test thread. */
	static const u8 then[] = { FZ_OP_CLOSE, FZ_OP_SEND, FZ_OP_RECEIVE, FZ_OP_CANCEL,
				   FZ_OP_DISCONNECT, FZ_OP_ABORT };
	struct fz_sock *fs;
	struct fz_req *r;
	u8 op;

	if (fz_chance(rng, 8)) {
		/* A request we own, idle: a no-op that returns false. */
		fs = fz_pick(fz, rng, FZ_TL | FZ_TC | FZ_TU, NULL);
		if (!fs)
			return;
		r = fz_acquire(fs, FZ_R_MISC);
		if (r) {
			if (wsk_req_cancel(&r->req))
				fz_bad(fz, "cancel of an idle request of socket %u returned true",
				       fs->id);
			fz_release(r);
		}
		fz_put_ctx(fs, ctx);
		return;
	}
	r = fz_pick_pending(fz, rng);
	if (!r)
		return;
	fz_cancel(r);
	fz_trace_op(fz, FZ_OP_CANCEL, ctx, r->fs, r->kind);
	/* Right after the cancel, something else on the same socket, sometimes. */
	if (!fz_chance(rng, 40) || !fz_get(r->fs))
		return;
	op = then[fz_below(rng, ARRAY_SIZE(then) - (fz_strict(ctx) ? 0 : 1))];
	/* A send being handed to TCP, cancelled, and the connection reset: often. */
	if (fz_strict(ctx) && (r->role == FZ_R_SEND0 || r->role == FZ_R_SEND1) &&
	    fz_chance(rng, 40))
		op = FZ_OP_ABORT;
	fs = r->fs;
	switch (op) {
	case FZ_OP_CLOSE:
		fz_close_ctx(fs, ctx);
		break;
	case FZ_OP_CANCEL:
		fz_cancel(r);
		break;
	case FZ_OP_ABORT:
		if (fs->type != FZ_T_CONN)
			break;
		if (!test_and_set_bit(FZ_F_ABORTED, &fs->flags)) {
			struct fz_req *a = fz_acquire(fs, FZ_R_ABORT);
			u32 g;

			if (!a) {
				clear_bit(FZ_F_ABORTED, &fs->flags);
				break;
			}
			fz_rx_gap(fs);
			g = fz_sub_begin(a, FZ_K_ABORT, FZ_OP_ABORT, ctx);
			fz_expect(a, fz_sub_end(a, g, wsk_disconnect(fs->s, NULL, WSK_FLAG_ABORTIVE,
								     &a->req)),
				  -EINPROGRESS, "abortive disconnect after a cancel");
		}
		break;
	default:
		if (fs->type == FZ_T_CONN) {
			struct fz_req *d = op == FZ_OP_RECEIVE ? fz_acquire_any(fs, FZ_R_RECV0, 2) :
					   op == FZ_OP_SEND ? fz_acquire_any(fs, FZ_R_SEND0, 2) :
					   fz_acquire(fs, FZ_R_DISC);

			if (!d)
				break;
			d->resubmits = 0;
			if (op == FZ_OP_RECEIVE)
				fz_submit_receive(fs, d, rng, ctx);
			else
				fz_submit_send(fs, d, rng, ctx, op == FZ_OP_DISCONNECT);
		}
		break;
	}
	fz_put_ctx(fs, ctx);
}

static void fz_op_close(struct fz *fz, u64 *rng, int ctx)
{
	struct fz_sock *fs;

	fs = fz_pick(fz, rng, fz_chance(rng, 30) ? FZ_TL | FZ_TU : FZ_TC | FZ_TU, NULL);
	if (!fs)
		return;
	fz_close_ctx(fs, ctx);
	fz_put_ctx(fs, ctx);
}

static void fz_op_addr(struct fz *fz, u64 *rng, int ctx)
{
	bool remote = fz_chance(rng, 50);
	struct fz_sock *fs;
	struct fz_req *r;
	int ret, want = 1;
	u32 g;

	fs = fz_pick(fz, rng, FZ_TL | FZ_TC | FZ_TU, NULL);
	if (!fs)
		return;
	r = fz_acquire(fs, FZ_R_MISC);
	if (!r)
		goto out;
	fz_hold(r);
	if (fs->type == FZ_T_LISTEN && remote)
		want = -EOPNOTSUPP;
	else if (fs->type == FZ_T_CONN)
		want = 0;
	else if (fs->type == FZ_T_UNCONN && remote)
		want = -ENOTCONN;
	else if (fz_never_bound(fs))
		want = -EINVAL;
	else if (test_bit(FZ_F_LISTENING, &fs->flags))
		want = 0;
	g = fz_sub_begin(r, FZ_K_ADDR, FZ_OP_ADDR, ctx);
	if (remote)
		ret = wsk_get_remote_address(fs->s, &r->addr, &r->req);
	else
		ret = wsk_get_local_address(fs->s, &r->addr, &r->req);
	ret = fz_sub_end(r, g, ret);
	/* Unbound states are the test thread's doing. */
	if (want != 1 && (fz_strict(ctx) || want != -EINVAL))
		fz_expect(r, ret, want, remote ? "remote address" : "local address");
	if (!ret && (r->addr.ss_family != fs->family || !wt_port(&r->addr) ||
		     r->req.result.bytes != (fs->family == AF_INET ? sizeof(struct sockaddr_in) :
					     sizeof(struct sockaddr_in6))))
		fz_bad(fz, "address of socket %u: family %u port %u, %zu bytes", fs->id,
		       r->addr.ss_family, wt_port(&r->addr), r->req.result.bytes);
	else if (!ret && !remote && fs->type == FZ_T_LISTEN && fs->port &&
		 wt_port(&r->addr) != fs->port)
		fz_bad(fz, "local address of listener %u: port %u, bound to %u", fs->id,
		       wt_port(&r->addr), fs->port);
	fz_unhold(r);
out:
	fz_put_ctx(fs, ctx);
}

/*
 * wsk_connect() that completes inside the call: on a listener, or with a bad
 * argument. The model has no connecting client sockets: the wsk_connect
 * KUnit suite tests connects that run.
 */
static void fz_op_connect(struct fz *fz, u64 *rng, int ctx)
{
	unsigned int flags = 0;
	struct fz_sock *fs;
	struct fz_req *r;
	int len, ret, want = -EINVAL;
	u32 g;

	fs = fz_pick(fz, rng, FZ_TL | FZ_TC | FZ_TU, NULL);
	if (!fs)
		return;
	r = fz_acquire(fs, FZ_R_MISC);
	if (r) {
		len = wt_addr(&r->addr, fs->family, false, 9);
		switch (fz_below(rng, 4)) {
		case 0:
			flags = 1 + fz_below(rng, 8);
			break;
		case 1:
			len -= 1 + fz_below(rng, len);	/* short, down to 0 */
			break;
		case 2:
			len = wt_addr(&r->addr, fs->family == AF_INET ? AF_INET6 : AF_INET,
				      false, 9);
			break;
		default:
			len = sizeof(r->addr) + 1 + fz_below(rng, 64);
			break;
		}
		/* A listener has no connect, whatever the arguments. */
		if (fs->type == FZ_T_LISTEN)
			want = -EOPNOTSUPP;
		g = fz_sub_begin(r, FZ_K_INLINE, FZ_OP_CONNECT, ctx);
		ret = wsk_connect(fs->s, (struct sockaddr *)&r->addr, len, flags, &r->req);
		fz_expect(r, fz_sub_end(r, g, ret), want, "wsk_connect");
	}
	fz_put_ctx(fs, ctx);
}

/* Every call with a NULL request: -EINVAL, nothing started, nothing completed. */
static void fz_null_reqs(struct fz *fz, struct fz_sock *fs)
{
	static const struct kvec kv = { .iov_base = fz_tx_data, .iov_len = 8 };
	struct wsk_buf b = { .kvec = &kv, .nr_segs = 1, .length = 8 };
	struct wsk_event_callback_control ctl = { .event_mask = WSK_EVENT_RECEIVE };
	struct wsk_inspect_id id = { .key = 1, .serial = 1 };
	struct wsk_socket *s = fs->s;
	struct sockaddr_storage ss;
	int len = wt_addr(&ss, fs->family, false, 0), v = 1, bad = 0;

	bad |= wsk_bind(s, (struct sockaddr *)&ss, len, 0, NULL) != -EINVAL;
	bad |= (wsk_accept(s, 0, NULL, NULL, NULL, NULL, NULL) != -EINVAL) << 1;
	bad |= (wsk_accept_conditional(s, fz_condition, 0, NULL, NULL, NULL, NULL, NULL) !=
		-EINVAL) << 2;
	bad |= (wsk_control(s, WSK_GET_OPTION, SO_KEEPALIVE, SOL_SOCKET, 0, NULL, sizeof(v), &v,
			    NULL, NULL) != -EINVAL) << 3;
	bad |= (wsk_control(s, WSK_SET_OPTION, SO_KEEPALIVE, SOL_SOCKET, sizeof(v), &v, 0, NULL,
			    NULL, NULL) != -EINVAL) << 4;
	bad |= (wsk_send(s, &b, 0, NULL) != -EINVAL) << 5;
	bad |= (wsk_receive(s, &b, 0, NULL) != -EINVAL) << 6;
	bad |= (wsk_disconnect(s, NULL, 0, NULL) != -EINVAL) << 7;
	bad |= (wsk_disconnect(s, NULL, WSK_FLAG_ABORTIVE, NULL) != -EINVAL) << 8;
	bad |= (wsk_close(s, NULL) != -EINVAL) << 9;
	bad |= (wsk_inspect_complete(s, &id, WSK_INSPECT_ACCEPT, NULL) != -EINVAL) << 10;
	bad |= (wsk_get_local_address(s, &ss, NULL) != -EINVAL) << 11;
	bad |= (wsk_get_remote_address(s, &ss, NULL) != -EINVAL) << 12;
	bad |= (wsk_connect(s, (struct sockaddr *)&ss, len, 0, NULL) != -EINVAL) << 13;
	bad |= (wsk_socket(fz->client[0], &init_net, AF_INET, WSK_FLAG_LISTEN_SOCKET, NULL, NULL,
			   NULL) != -EINVAL) << 14;
	bad |= wsk_req_cancel(NULL) << 15;
	bad |= (wsk_release(s, NULL) != -EINVAL) << 16;
	bad |= (wsk_release(NULL, NULL) != -EINVAL) << 17;
	bad |= (wsk_control(NULL, WSK_SET_OPTION, WSK_SO_EVENT_CALLBACK, SOL_SOCKET, sizeof(ctl),
			    &ctl, 0, NULL, NULL, NULL) != -EINVAL) << 18;
	if (bad)
		fz_bad(fz, "NULL requests on socket %u: calls %#x did not return -EINVAL", fs->id,
		       bad);
}

/* wsk_socket() with bad arguments: completed -EINVAL. */
static void fz_bad_socket(struct fz *fz, u64 *rng, int ctx)
{
	struct fz_sock *fs = fz_slot_alloc(fz, FZ_T_LISTEN, AF_INET, 0);
	struct fz_req *r;
	int ret, v;
	u32 g;

	if (!fs)
		return;
	r = fz_acquire(fs, FZ_R_CREATE);
	if (!r)
		return;
	g = fz_sub_begin(r, FZ_K_SOCKET, FZ_OP_MISUSE, ctx);
	v = fz_below(rng, 4);
	ret = fz_sub_end(r, g, wsk_socket(v == 0 ? NULL : fz->client[0],
					  v == 1 ? NULL : &init_net, v == 2 ? AF_UNIX : AF_INET,
					  v == 3 ? 3 : WSK_FLAG_LISTEN_SOCKET, fs, NULL, &r->req));
	fz_expect(r, ret, -EINVAL, "wsk_socket with bad arguments");
}

static void fz_op_misuse(struct fz *fz, u64 *rng, int ctx)
{
	u32 mode = fz_below(rng, 100), g;
	struct sockaddr_storage ss;
	struct fz_sock *fs;
	struct fz_req *r;
	int ret, len, v;

	if (mode >= 70 && mode < 85) {
		fz_bad_socket(fz, rng, ctx);
		return;
	}
	if (mode < 35) {
		fs = fz_pick(fz, rng, FZ_TL | FZ_TC | FZ_TU, NULL);
		if (!fs)
			return;
		fz_null_reqs(fz, fs);
		/* The NULL close closed nothing. */
		r = fz_acquire(fs, FZ_R_MISC);
		if (r) {
			g = fz_sub_begin(r, FZ_K_INLINE, FZ_OP_MISUSE, ctx);
			ret = fz_sub_end(r, g, wsk_control(fs->s, WSK_GET_OPTION, SO_KEEPALIVE,
							   SOL_SOCKET, 0, NULL, sizeof(v), &v,
							   NULL, &r->req));
			fz_expect(r, ret, 0, "a call after the NULL requests");
		}
	} else if (mode < 70) {
		/* A pending accept on a listener nobody connects to: -EBUSY, untouched. */
		fs = fz_pick(fz, rng, FZ_TL, fz_ok_quiet);
		if (!fs)
			return;
		r = fz_acquire_any(fs, FZ_R_ACC0, 4);
		if (!r)
			goto out;
		r->resubmits = FZ_RESUBMITS;
		ret = fz_submit_accept(fs, r, -1, rng, ctx, FZ_OP_MISUSE);
		if (ret == -ENOSPC) {
			fz_release(r);
			goto out;
		}
		fz_expect(r, ret, -EINPROGRESS, "accept on a quiet listener");
		if (ret != -EINPROGRESS)
			goto out;
		len = wt_addr(&ss, fs->family, false, 0);
		v = 0;
		v |= wsk_accept(fs->s, 0, NULL, NULL, NULL, NULL, &r->req) != -EBUSY;
		v |= (wsk_bind(fs->s, (struct sockaddr *)&ss, len, 0, &r->req) != -EBUSY) << 1;
		v |= (wsk_close(fs->s, &r->req) != -EBUSY) << 2;
		v |= (wsk_get_local_address(fs->s, &ss, &r->req) != -EBUSY) << 3;
		v |= (wsk_socket(fz->client[0], &init_net, AF_INET, WSK_FLAG_LISTEN_SOCKET, NULL,
				 NULL, &r->req) != -EBUSY) << 4;
		v |= (wsk_send(fs->s, NULL, 0, &r->req) != -EBUSY) << 5;
		if (v)
			fz_bad(fz, "a pending request resubmitted on %u: calls %#x not -EBUSY",
			       fs->id, v);
		/* Nothing can complete it while we hold the listener open. */
		if (fz_req_idle(r))
			fz_bad(fz, "listener %u: its accept completed on a refusal", fs->id);
	} else {
		/* wsk_close(NULL): completed -EINVAL. */
		fs = fz_pick(fz, rng, FZ_TL | FZ_TC | FZ_TU, NULL);
		if (!fs)
			return;
		r = fz_acquire(fs, FZ_R_MISC);
		if (r) {
			g = fz_sub_begin(r, FZ_K_INLINE, FZ_OP_MISUSE, ctx);
			fz_expect(r, fz_sub_end(r, g, wsk_close(NULL, &r->req)), -EINVAL,
				  "wsk_close(NULL)");
		}
	}
out:
	fz_put_ctx(fs, ctx);
}

static void fz_op_peer(struct fz *fz, u64 *rng)
{
	if (fz_chance(rng, 60))
		atomic_add(1 + fz_below(rng, 3), &fz->peer_burst);
	else
		WRITE_ONCE(fz->peer_quiet, !READ_ONCE(fz->peer_quiet));
}

/* The operations any context may issue. */
static void fz_exec(struct fz *fz, int op, u64 *rng, int ctx)
{
	atomic_inc(&fz->op_seq);
	atomic_long_inc(&fz->opcount[op][ctx]);
	switch (op) {
	case FZ_OP_LISTEN:
		fz_op_socket(fz, rng, ctx, true);
		break;
	case FZ_OP_CONN:
		fz_op_socket(fz, rng, ctx, false);
		break;
	case FZ_OP_BIND:
		fz_op_bind(fz, rng, ctx);
		break;
	case FZ_OP_SET:
		fz_op_set(fz, rng, ctx);
		break;
	case FZ_OP_GET:
		fz_op_get(fz, rng, ctx);
		break;
	case FZ_OP_EVENTS:
		fz_op_events(fz, rng, ctx);
		break;
	case FZ_OP_ACCEPT:
		fz_op_accept(fz, rng, ctx, false);
		break;
	case FZ_OP_ACCEPT_COND:
		fz_op_accept(fz, rng, ctx, true);
		break;
	case FZ_OP_INSPECT:
		fz_op_inspect(fz, rng, ctx);
		break;
	case FZ_OP_SEND:
		fz_op_data(fz, rng, ctx, FZ_K_SEND);
		break;
	case FZ_OP_RECEIVE:
		fz_op_data(fz, rng, ctx, FZ_K_RECEIVE);
		break;
	case FZ_OP_DISCONNECT:
		fz_op_data(fz, rng, ctx, FZ_K_DISC);
		break;
	case FZ_OP_ABORT:
		if (fz_strict(ctx))
			fz_op_abort(fz, rng, ctx);
		break;
	case FZ_OP_RELEASE:
		fz_op_release(fz, rng, ctx);
		break;
	case FZ_OP_CANCEL:
		fz_op_cancel(fz, rng, ctx);
		break;
	case FZ_OP_CLOSE:
		fz_op_close(fz, rng, ctx);
		break;
	case FZ_OP_ADDR:
		fz_op_addr(fz, rng, ctx);
		break;
	case FZ_OP_CONNECT:
		fz_op_connect(fz, rng, ctx);
		break;
	case FZ_OP_MISUSE:
		fz_op_misuse(fz, rng, ctx);
		break;
	case FZ_OP_PEER:
		fz_op_peer(fz, rng);
		break;
	}
}

/* Operations that may be issued from atomic context, and their weights. */
static const u8 fz_atomic_ops[] = {
	FZ_OP_LISTEN, FZ_OP_CONN, FZ_OP_BIND, FZ_OP_SET, FZ_OP_GET, FZ_OP_EVENTS, FZ_OP_ACCEPT,
	FZ_OP_ACCEPT_COND, FZ_OP_INSPECT, FZ_OP_SEND, FZ_OP_RECEIVE, FZ_OP_DISCONNECT,
	FZ_OP_RELEASE, FZ_OP_CANCEL, FZ_OP_CLOSE, FZ_OP_ADDR, FZ_OP_CONNECT, FZ_OP_MISUSE,
	FZ_OP_PEER,
};

static int fz_pick_atomic_op(u64 *rng)
{
	u8 w[ARRAY_SIZE(fz_atomic_ops)];
	int i;

	for (i = 0; i < ARRAY_SIZE(fz_atomic_ops); i++)
		w[i] = fz_op_weights[fz_atomic_ops[i]];
	return fz_atomic_ops[fz_pick_weighted(rng, w, ARRAY_SIZE(w))];
}

/* From a completion routine or a callback: any operation that does not sleep. */
static void fz_random_op(struct fz *fz, u64 *rng, int ctx)
{
	fz_exec(fz, fz_pick_atomic_op(rng), rng, ctx);
}

static void fz_timer_fn(struct timer_list *t)
{
	struct fz_timer *ft = from_timer(ft, t, t);
	u64 rng = ft->rng;

	fz_exec(ft->fz, ft->op, &rng, FZ_CTX_TIMER);
	atomic_set_release(&ft->armed, 0);
}

/* Issue @op from softirq soon (if a timer is free). */
static bool fz_arm_timer(struct fz *fz, int op, u64 *rng)
{
	struct fz_timer *ft;
	int i;

	for (i = 0; i < FZ_TIMERS; i++) {
		ft = &fz->timers[i];
		if (atomic_cmpxchg(&ft->armed, 0, 1))
			continue;
		ft->op = op;
		ft->rng = fz_next(rng);
		mod_timer(&ft->t, jiffies + fz_below(rng, 3));
		return true;
	}
	return false;
}

/* ------------------------------------------------------------------------ */
/* Operations of the test thread only (they sleep)                           */

static bool fz_gen_done(struct fz_req *r, u32 g)
{
	unsigned long flags;
	bool done;

	spin_lock_irqsave(&r->lock, flags);
	done = r->done >= g;
	spin_unlock_irqrestore(&r->lock, flags);
	return done;
}

/* Wait for submission @g of @r. Return: its status, or 1 on timeout (reported). */
static int fz_wait(struct fz_req *r, u32 g)
{
	struct fz *fz = r->fs->fz;
	unsigned long flags;
	int st;

	if (!wait_event_timeout(fz->wq, fz_gen_done(r, g), WT_TIMEOUT)) {
		fz_bad(fz, "%s (op %u) on socket %u not completed within %d s",
		       fz_kind_names[r->kind], r->op, r->fs->id, WT_TIMEOUT / HZ);
		return 1;
	}
	spin_lock_irqsave(&r->lock, flags);
	st = r->st[g % FZ_ST];
	spin_unlock_irqrestore(&r->lock, flags);
	return st;
}

/* A control SET from the test thread, waited for. Return: its status. */
static int fz_set_sync(struct fz_sock *fs, int level, u32 code, int val)
{
	struct fz_req *r = fz_acquire(fs, FZ_R_CTL);
	int ret;
	u32 g;

	if (!r)
		return -ENOSPC;	/* its request is another context's now: not wsk's answer */
	r->optval = val;
	r->out_returned = 0xdead;
	g = fz_sub_begin(r, FZ_K_SET, FZ_OP_SETUP, FZ_CTX_PROC);
	ret = fz_sub_end(r, g, wsk_control(fs->s, WSK_SET_OPTION, code, level, sizeof(int),
					   &r->optval, 0, NULL, &r->out_returned, &r->req));
	return ret == -EINPROGRESS ? fz_wait(r, g) : ret;
}

/*
 * A listening listener, set up synchronously: created, options, bound,
 * events on, accepts queued. Quiet: no peer is told its port.
 */
static struct fz_sock *fz_op_setup(struct fz *fz, u64 *rng, bool quiet)
{
	static const u8 dw[4] = { 0, 50, 30, 20 };
	int family = fz_chance(rng, 50) ? AF_INET : AF_INET6, client = 0, ret, want, n;
	struct fz_sock *fs;
	struct fz_req *r;
	u32 g, ev;

	if (fz->client[1] && !fz->client_dying && fz_chance(rng, 30))
		client = 1;
	fs = fz_slot_alloc(fz, FZ_T_LISTEN, family, client);
	if (!fs)
		return NULL;
	fs->dispatch = quiet ? 0 : fz_pick_weighted(rng, dw, 4);
	if (quiet)
		set_bit(FZ_F_QUIET, &fs->flags);
	r = fz_acquire(fs, FZ_R_CREATE);
	if (!r)
		return NULL;
	g = fz_sub_begin(r, FZ_K_SOCKET, FZ_OP_SETUP, FZ_CTX_PROC);
	ret = fz_sub_end(r, g, wsk_socket(fz->client[client], &init_net, family,
					  WSK_FLAG_LISTEN_SOCKET, fs,
					  fz_listen_dispatch[fs->dispatch], &r->req));
	if (ret == -EINPROGRESS)
		fz_wait(r, g);
	if (!fz_get(fs))
		return NULL;
	/*
	 * The new listener is in the slots: a callback or completion may bind
	 * it meanwhile, and then these options are -EINVAL, as documented.
	 */
	if (fz_chance(rng, 50)) {
		ret = fz_set_sync(fs, SOL_SOCKET, WSK_SO_LISTEN_BACKLOG, 1 + fz_below(rng, 64));
		if (ret && ret != -ENOSPC && !(ret == -EINVAL && !fz_never_bound(fs)))
			fz_bad(fz, "setup of listener %u: backlog %d", fs->id, ret);
	}
	if (fs->dispatch >= 2 && fz_chance(rng, 60)) {
		set_bit(FZ_F_COND, &fs->flags);
		ret = fz_set_sync(fs, SOL_SOCKET, WSK_SO_CONDITIONAL_ACCEPT, 1);
		if (ret) {
			clear_bit(FZ_F_COND, &fs->flags);
			if (ret != -ENOSPC && !(ret == -EINVAL && !fz_never_bound(fs)))
				fz_bad(fz, "setup of listener %u: conditional accept %d", fs->id,
				       ret);
		}
	}
	if (family == AF_INET6 && fz_chance(rng, 30))
		fz_set_sync(fs, SOL_IPV6, IPV6_V6ONLY, 1);
	r = fz_acquire(fs, FZ_R_BIND);
	if (!r)
		goto out;
	set_bit(FZ_F_BIND_SUBMITTED, &fs->flags);
	n = wt_addr(&r->addr, family, fz_chance(rng, 30), 0);
	g = fz_sub_begin(r, FZ_K_BIND, FZ_OP_SETUP, FZ_CTX_PROC);
	ret = fz_sub_end(r, g, wsk_bind(fs->s, (struct sockaddr *)&r->addr, n, 0, &r->req));
	if (ret == -EINPROGRESS)
		ret = fz_wait(r, g);
	if (ret)
		goto out;	/* port exhaustion, faults: not ours to judge */
	if (fz_listen_dispatch[fs->dispatch] && fz_listen_dispatch[fs->dispatch]->accept_event &&
	    fz_chance(rng, 75)) {
		ev = WSK_EVENT_ACCEPT;
		if (fz_chance(rng, 60))
			ev |= WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT;
		if (fz_chance(rng, 40))
			ev |= WSK_EVENT_SEND_BACKLOG;
		ret = fz_events(fs, ev, fz_chance(rng, 50), FZ_CTX_PROC, &want);
		/* want 1: the listener's state is not known yet (a completion may lag). */
		if (want != 1 && ret != want)
			fz_bad(fz, "setup of listener %u: events %#x: %d", fs->id, ev, ret);
	}
	for (n = fz_below(rng, 4); n > 0; n--) {
		r = fz_acquire_any(fs, FZ_R_ACC0, 4);
		if (!r)
			break;
		r->resubmits = 0;
		if (fz_submit_accept(fs, r, fz_chance(rng, 30) ?
				     fz_pick_weighted(rng, fz_cf_weights, FZ_CF_NR) : -1,
				     rng, FZ_CTX_PROC, FZ_OP_SETUP) == -ENOSPC)
			fz_release(r);
	}
out:
	fz_put(fs);
	return fs;
}

static void fz_op_kill(struct fz *fz, u64 *rng)
{
	struct fz_sock *fs = fz_pick(fz, rng, FZ_TL, fz_ok_listening);
	int ret;

	if (!fs)
		return;
	set_bit(FZ_F_KILLED, &fs->flags);
	fz_unpublish(fs);
	/* What ss -K and BPF's sock_destroy do to it. */
	ret = tcp_abort(wsk_sock(fs->s)->sock->sk, ECONNABORTED);
	fz_trace_op(fz, FZ_OP_KILL, FZ_CTX_PROC, fs, ret);
	fz_put(fs);
}

struct fz_dereg {
	struct wsk_client *client;
	struct completion done;
};

static int fz_dereg_fn(void *data)
{
	struct fz_dereg *d = data;

	wsk_deregister(d->client);
	complete(&d->done);
	return 0;
}

/*
 * wsk_deregister() of a client whose sockets are all closed, bounded: it
 * runs in a kthread, so that a wsk that never lets it return is reported
 * (and the run stops) instead of hanging the test. Return: false then.
 */
static bool fz_deregister(struct fz *fz, int idx)
{
	struct task_struct *task;
	struct fz_dereg *d;

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d) {
		wsk_deregister(fz->client[idx]);
		fz->client[idx] = NULL;
		return true;
	}
	d->client = fz->client[idx];
	init_completion(&d->done);
	task = kthread_run(fz_dereg_fn, d, "wsk_fuzz_dereg");
	if (IS_ERR(task)) {
		wsk_deregister(d->client);
		complete(&d->done);
	}
	fz->client[idx] = NULL;
	if (!wait_for_completion_timeout(&d->done, FZ_QUIESCE)) {
		fz_bad(fz, "wsk_deregister of client %d has not returned after %d s", idx,
		       FZ_QUIESCE / HZ);
		fz_run.fatal = true;
		fz_run.stuck = true;
		return false;	/* d stays: the kthread may still return */
	}
	kfree(d);
	return true;
}

static bool fz_client_busy(struct fz *fz, int idx, bool *listeners)
{
	bool busy = false;
	int i, st;

	*listeners = false;
	for (i = 0; i < READ_ONCE(fz->nr_socks); i++) {
		struct fz_sock *fs = fz->socks[i];

		st = atomic_read(&fs->state);
		if (fs->client != idx || (st != FZ_S_RESERVED && st != FZ_S_OPEN &&
					  st != FZ_S_CLOSING))
			continue;
		busy = true;
		if (fs->type == FZ_T_LISTEN)
			*listeners = true;
	}
	return busy;
}

/* Deregister the second client (closing its sockets first), or register it. */
static void fz_op_client(struct fz *fz, u64 *rng)
{
	unsigned long end = jiffies + FZ_QUIESCE;
	struct wsk_client *c;
	bool listeners;
	int i;

	if (!fz->client[1]) {
		c = wsk_register(THIS_MODULE);
		if (!IS_ERR(c))
			fz->client[1] = c;
		return;
	}
	WRITE_ONCE(fz->client_dying, true);
	/* Its listeners first: their accepts and events make new sockets of it. */
	while (fz_client_busy(fz, 1, &listeners)) {
		for (i = 0; i < READ_ONCE(fz->nr_socks); i++) {
			struct fz_sock *fs = fz->socks[i];

			if (fs->client == 1 && (!listeners || fs->type == FZ_T_LISTEN))
				fz_close_ctx(fs, FZ_CTX_PROC);
		}
		if (time_after(jiffies, end)) {
			fz_bad(fz, "the second client's sockets did not all close in %d s",
			       FZ_QUIESCE / HZ);
			fz_run.fatal = true;
			fz_run.stuck = true;
			return;
		}
		usleep_range(1000, 3000);
	}
	if (fz_deregister(fz, 1))
		WRITE_ONCE(fz->client_dying, false);
}

static void fz_op_sync(struct fz *fz, u64 *rng)
{
	u32 mode = fz_below(rng, 100);
	struct sockaddr_storage ss;
	struct wsk_sync sync;
	struct fz_sock *fs, *t;
	int ret, err, one = 1;

	fs = mode < 60 ? fz_pick(fz, rng, FZ_TL | FZ_TC | FZ_TU, NULL) :
			 fz_pick(fz, rng, FZ_TL, mode < 90 ? fz_ok_listening : fz_ok_quiet);
	if (!fs)
		return;
	wsk_sync_init(&sync);
	if (mode < 30) {
		ret = wsk_get_local_address(fs->s, &ss, &sync.req);
		err = wsk_sync_wait(&sync, ret);
		if (err != ret || ret == -EINPROGRESS)
			fz_bad(fz, "wsk_sync_wait of an inline completion %d: %d", ret, err);
	} else if (mode < 60) {
		ret = wsk_control(fs->s, WSK_SET_OPTION, SO_KEEPALIVE, SOL_SOCKET, sizeof(one),
				  &one, 0, NULL, NULL, &sync.req);
		err = wsk_sync_wait_timeout(&sync, ret, WT_TIMEOUT);
		if (ret != -EINPROGRESS || (err && err != -ECANCELED))
			fz_bad(fz, "sync SO_KEEPALIVE on socket %u: %d, then %d", fs->id, ret, err);
	} else {
		t = fz_slot_alloc(fz, FZ_T_CONN, fs->family, fs->client);
		if (!t)
			goto out;
		t->dispatch = fz_below(rng, 4);
		ret = wsk_accept(fs->s, 0, t, fz_conn_dispatch[t->dispatch], NULL, NULL, &sync.req);
		if (mode >= 90 && ret == -EINPROGRESS) {
			/* Nobody connects to a quiet listener: refused, then cancelled. */
			err = wsk_accept(fs->s, 0, t, NULL, NULL, NULL, &sync.req);
			if (wsk_sync_wait(&sync, err) != -EBUSY)
				fz_bad(fz, "wsk_sync_wait of a refused request: not -EBUSY");
			if (!wsk_req_cancel(&sync.req))
				fz_bad(fz, "cancel of a pending sync accept returned false");
		}
		err = wsk_sync_wait_timeout(&sync, ret, HZ / 25);
		if (err == 0 && sync.req.result.socket) {
			fz_sock_opened(t, sync.req.result.socket, FZ_O_SYNC,
				       atomic_read(&fz->op_seq));
		} else {
			fz_slot_void(t);
			if (err != -ECANCELED && err != -ESHUTDOWN)
				fz_bad(fz, "sync accept on listener %u: %d, then %d", fs->id, ret,
				       err);
		}
		if (mode >= 90 && err != -ECANCELED)
			fz_bad(fz, "sync accept on quiet listener %u: %d", fs->id, err);
	}
out:
	fz_put(fs);
}

static void fz_op_sleep(u64 *rng)
{
	u32 mode = fz_below(rng, 100);

	if (mode < 40)
		usleep_range(50, 200);
	else if (mode < 75)
		usleep_range(500, 2000);
	else if (mode < 95)
		usleep_range(4000, 6000);
	else
		msleep(20);
}

/* ------------------------------------------------------------------------ */
/* Peers: in-kernel clients                                                  */

static void fz_peer_drop(struct fz_peer_conn *c, bool reset)
{
	if (reset)
		sock_no_linger(c->sock->sk);
	sock_release(c->sock);
	c->sock = NULL;
}

static void fz_peer_connect(struct fz_peer *p)
{
	struct fz *fz = p->fz;
	struct fz_peer_conn *c = NULL;
	struct sockaddr_storage ss;
	struct socket *sock;
	unsigned long flags;
	int i, n = 0, family = 0, len, err;
	u16 port = 0;

	for (i = 0; i < FZ_PEER_CONNS && !c; i++)
		if (!p->c[i].sock)
			c = &p->c[i];
	if (!c) {
		c = &p->c[fz_below(&p->rng, FZ_PEER_CONNS)];
		fz_peer_drop(c, fz_chance(&p->rng, 50));
	}
	spin_lock_irqsave(&fz->lock, flags);
	for (i = 0; i < FZ_PORTS; i++)
		n += fz->ports[i].live;
	n = n ? fz_below(&p->rng, n) + 1 : 0;
	for (i = 0; i < FZ_PORTS && n; i++) {
		if (fz->ports[i].live && !--n) {
			port = fz->ports[i].port;
			family = fz->ports[i].family;
		}
	}
	spin_unlock_irqrestore(&fz->lock, flags);
	if (!port) {
		fz_stat_inc(fz, FZ_ST_PEER_NOPORT);
		return;
	}
	/* An IPv6 listener may be dual-stack: IPv4 clients try it too. */
	if (family == AF_INET6 && fz_chance(&p->rng, 25))
		family = AF_INET;
	if (sock_create_kern(&init_net, family, SOCK_STREAM, IPPROTO_TCP, &sock))
		return;
	/* A small window: what wsk sends queues up. */
	if (fz_chance(&p->rng, 30))
		sock_set_rcvbuf(sock->sk, 2048);
	len = wt_addr(&ss, family, false, port);
	err = kernel_connect(sock, (struct sockaddr *)&ss, len, O_NONBLOCK);
	if (err && err != -EINPROGRESS) {
		sock_release(sock);
		return;
	}
	fz_stat_inc(fz, FZ_ST_PEER_CONNECT);
	c->sock = sock;
	c->tx_off = 0;
	c->shut = false;
	c->reading = fz_chance(&p->rng, 70);
	/* Reset right away, sometimes: before or as wsk accepts it. */
	if (fz_chance(&p->rng, 8)) {
		fz_stat_inc(fz, FZ_ST_PEER_RESET);
		fz_peer_drop(c, true);
	}
}

/* The next bytes of the pattern, then perhaps an urgent byte. */
static void fz_peer_send(struct fz_peer *p, struct fz_peer_conn *c, bool oob)
{
	static u8 urg = FZ_URG;
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	struct kvec kv;
	int ret;

	if (oob) {
		/* One byte alone: a partial send cannot mark a pattern byte urgent. */
		kv.iov_base = &urg;
		kv.iov_len = 1;
		msg.msg_flags |= MSG_OOB;
	} else {
		kv.iov_base = fz_pattern + c->tx_off % FZ_PAT;
		kv.iov_len = 1 + fz_below(&p->rng, sizeof(fz_pattern) - FZ_PAT);
	}
	ret = kernel_sendmsg(c->sock, &msg, &kv, 1, kv.iov_len);
	if (ret > 0 && !oob)
		c->tx_off += ret;
	else if (ret > 0)
		fz_stat_inc(p->fz, FZ_ST_PEER_OOB);
	else if (ret != -EAGAIN && ret != -ENOTCONN && ret != -EINPROGRESS)
		fz_peer_drop(c, false);
}

static void fz_peer_read(struct fz_peer *p, struct fz_peer_conn *c)
{
	struct kvec kv = { .iov_base = p->scratch, .iov_len = sizeof(p->scratch) };
	struct msghdr msg = {};
	int i, ret;

	for (i = 0; i < 16; i++) {
		ret = kernel_recvmsg(c->sock, &msg, &kv, 1, kv.iov_len, MSG_DONTWAIT);
		if (ret > 0)
			continue;
		if (ret == 0 && fz_chance(&p->rng, 50))
			fz_peer_drop(c, false);		/* wsk's FIN: close too */
		else if (ret < 0 && ret != -EAGAIN && ret != -ENOTCONN)
			fz_peer_drop(c, false);
		return;
	}
}

static int fz_peer_fn(void *data)
{
	static const u8 w[] = { 6, 35, 4, 3, 4, 3, 30, 3 };
	struct fz_peer *p = data;
	struct fz *fz = p->fz;
	struct fz_peer_conn *c;
	int i, a;

	while (!kthread_should_stop()) {
		fz_stat_inc(fz, FZ_ST_PEER_LOOPS);
		if (atomic_add_unless(&fz->peer_burst, -1, 0)) {
			fz_peer_connect(p);
			continue;
		}
		a = fz_pick_weighted(&p->rng, w, ARRAY_SIZE(w));
		c = &p->c[fz_below(&p->rng, FZ_PEER_CONNS)];
		if (a == 0) {
			fz_peer_connect(p);
		} else if (!c->sock) {
			;
		} else if (a == 1 || a == 2) {
			if (!c->shut)
				fz_peer_send(p, c, a == 2);
		} else if (a == 3) {
			if (!c->shut && !kernel_sock_shutdown(c->sock, SHUT_WR))
				fz_stat_inc(fz, FZ_ST_PEER_SHUT);
			c->shut = true;
		} else if (a == 4) {
			fz_stat_inc(fz, FZ_ST_PEER_RESET);
			fz_peer_drop(c, true);
		} else if (a == 5) {
			fz_peer_drop(c, false);
		} else if (a == 6) {
			if (c->reading && !READ_ONCE(fz->peer_quiet))
				fz_peer_read(p, c);
		} else {
			c->reading = !c->reading;
		}
		/* Sleeps last a jiffy at least (no high resolution timers here). */
		if (fz_chance(&p->rng, 40))
			usleep_range(500, 1500);
		else
			cond_resched();
	}
	for (i = 0; i < FZ_PEER_CONNS; i++)
		if (p->c[i].sock)
			fz_peer_drop(&p->c[i], fz_chance(&p->rng, 50));
	return 0;
}

static void fz_peers_start(struct fz *fz)
{
	struct task_struct *task;
	int i;

	for (i = 0; i < FZ_PEERS; i++) {
		struct fz_peer *p = fz->peers[i];

		memset(p->c, 0, sizeof(p->c));
		p->fz = fz;
		p->rng = fz_mix(fz->iter_seed + i + 1);
		task = kthread_run(fz_peer_fn, p, "wsk_fuzz_peer%d", i);
		p->task = IS_ERR(task) ? NULL : task;
		if (p->task)
			get_task_struct(p->task);
	}
}

static void fz_peers_stop(struct fz *fz)
{
	int i;

	for (i = 0; i < FZ_PEERS; i++) {
		struct fz_peer *p = fz->peers[i];

		if (!p->task)
			continue;
		kthread_stop(p->task);
		put_task_struct(p->task);
		p->task = NULL;
	}
}

/* ------------------------------------------------------------------------ */
/* Iterations                                                                */

/* Nothing pending, no socket open or being made or closed. */
static bool fz_quiescent(struct fz *fz)
{
	int i, st;

	for (i = 0; i < fz->nr_socks; i++) {
		st = atomic_read(&fz->socks[i]->state);
		if (st == FZ_S_RESERVED || st == FZ_S_OPEN || st == FZ_S_CLOSING)
			return false;
		if (!fz_sock_reqs_idle(fz->socks[i]))
			return false;
	}
	return true;
}

/*
 * Report what is still pending (at most four): requests, and with @socks
 * sockets not closed. Return: how many were.
 */
static int fz_report_pending(struct fz *fz, bool socks)
{
	unsigned long flags;
	int i, j, n = 0, st;

	for (i = 0; i < fz->nr_socks; i++) {
		struct fz_sock *fs = fz->socks[i];

		st = atomic_read(&fs->state);
		if (socks && (st == FZ_S_RESERVED || st == FZ_S_OPEN || st == FZ_S_CLOSING) &&
		    n++ < 4)
			fz_bad(fz, "socket %u (type %u) still in state %d at the end", fs->id,
			       fs->type, st);
		for (j = 0; j < FZ_R_NR; j++) {
			struct fz_req *r = &fs->r[j];
			u32 gen, done;

			spin_lock_irqsave(&r->lock, flags);
			gen = r->gen;
			done = r->done;
			spin_unlock_irqrestore(&r->lock, flags);
			if (done < gen && n++ < 4)
				fz_bad(fz, "%s (op %u, %s, at op %u) on %u never completed",
				       fz_kind_names[r->kind], r->op, fz_ctx_names[r->ctx],
				       r->iter_op, fs->id);
		}
	}
	return n;
}

/* The counters are back where they started. */
static void fz_check_stats(struct fz *fz, long sockets, long pending)
{
	long s = wt_stat("sockets"), p = wt_stat("requests_pending");

	if (s != sockets || p != pending)
		fz_bad(fz, "stats: sockets %ld (at the start %ld), requests_pending %ld (%ld)", s,
		       sockets, p, pending);
}

/* End an iteration: stop everything, close everything, wait, check. */
static void fz_iteration_end(struct fz *fz)
{
	unsigned long end = jiffies + FZ_QUIESCE;
	int i;

	WRITE_ONCE(fz->stopping, true);
	for (i = 0; i < FZ_TIMERS; i++) {
		timer_delete_sync(&fz->timers[i].t);
		atomic_set(&fz->timers[i].armed, 0);
	}
	fz_peers_stop(fz);
	for (;;) {
		for (i = 0; i < fz->nr_socks; i++)
			fz_close_ctx(fz->socks[i], FZ_CTX_PROC);
		if (wait_event_timeout(fz->wq, fz_quiescent(fz), HZ / 10))
			break;
		if (time_after(jiffies, end)) {
			fz_report_pending(fz, true);
			fz_run.fatal = true;
			fz_run.stuck = true;
			return;
		}
	}
	for (i = 1; i >= 0; i--)
		if (fz->client[i] && !fz_deregister(fz, i))
			return;
	fz_check_stats(fz, fz_run.base_sockets, fz_run.base_pending);
}

/* The test thread's choice of operation. */
static int fz_pick_op(struct fz *fz)
{
	int op = fz_pick_weighted(&fz->rng, fz_op_weights, FZ_OP_NR);
	int listening = 0, i;

	if (op != FZ_OP_SETUP)
		return op;
	for (i = 0; i < fz->nr_socks; i++)
		listening += atomic_read(&fz->socks[i]->state) == FZ_S_OPEN &&
			     fz_ok_listening(fz->socks[i]);
	/* Enough listeners: something else. */
	return listening < 4 ? op : FZ_OP_ACCEPT;
}

static void fz_step(struct fz *fz)
{
	int op = fz_pick_op(fz), ctx = FZ_CTX_PROC;
	unsigned long flags;
	u32 m;

	switch (op) {
	case FZ_OP_SETUP:
	case FZ_OP_CLIENT:
	case FZ_OP_KILL:
	case FZ_OP_SYNC:
	case FZ_OP_SLEEP:
		atomic_inc(&fz->op_seq);
		atomic_long_inc(&fz->opcount[op][FZ_CTX_PROC]);
		if (op == FZ_OP_SETUP)
			fz_op_setup(fz, &fz->rng, false);
		else if (op == FZ_OP_CLIENT)
			fz_op_client(fz, &fz->rng);
		else if (op == FZ_OP_KILL)
			fz_op_kill(fz, &fz->rng);
		else if (op == FZ_OP_SYNC)
			fz_op_sync(fz, &fz->rng);
		else
			fz_op_sleep(&fz->rng);
		return;
	}
	m = fz_below(&fz->rng, 100);
	if (m < 15 && op != FZ_OP_ABORT && fz_arm_timer(fz, op, &fz->rng))
		return;
	if (m < 30)
		ctx = FZ_CTX_IRQOFF;
	if (ctx == FZ_CTX_IRQOFF) {
		local_irq_save(flags);
		fz_exec(fz, op, &fz->rng, ctx);
		local_irq_restore(flags);
	} else {
		fz_exec(fz, op, &fz->rng, ctx);
	}
}

static void fz_sample_pending(struct fz *fz)
{
	long p = wt_stat("requests_pending") - fz_run.base_pending;

	if (p > atomic_long_read(&fz->stat[FZ_ST_MAX_PENDING]))
		atomic_long_set(&fz->stat[FZ_ST_MAX_PENDING], p);
}

/* One iteration of @n operations. Return: false if the run must stop. */
static bool fz_iteration(struct fz *fz, u32 it, u32 n)
{
	u64 rng;
	int i;

	fz->iter = it;
	fz->iter_seed = fz_mix(fz->seed ^ ((u64)it * 0x9e3779b97f4a7c15ULL));
	fz->rng = fz->iter_seed;
	rng = fz_next(&fz->rng);
	atomic64_set(&fz->cb_ctr, 0);
	WRITE_ONCE(fz->stopping, false);
	fz->nr_socks = 0;
	memset(fz->ports, 0, sizeof(fz->ports));
	atomic_set(&fz->op_seq, 0);
	atomic_set(&fz->peer_burst, 0);
	fz->peer_quiet = false;
	fz->client_dying = false;
	fz->iter_op = 0;
	for (i = 0; i < FZ_SOCKS; i++)
		atomic_set(&fz->socks[i]->state, FZ_S_FREE);

	fz->client[0] = wsk_register(THIS_MODULE);
	if (IS_ERR(fz->client[0])) {
		fz->client[0] = NULL;
		return true;	/* no memory: the next one, perhaps */
	}
	if (fz_chance(&rng, 40)) {
		fz->client[1] = wsk_register(THIS_MODULE);
		if (IS_ERR(fz->client[1]))
			fz->client[1] = NULL;
	}
	if (fz_chance(&rng, 40))
		fz_op_setup(fz, &fz->rng, true);
	for (i = 1 + fz_below(&rng, 2); i > 0; i--)
		fz_op_setup(fz, &fz->rng, false);
	atomic_set(&fz->peer_burst, 2 + fz_below(&rng, 4));
	fz_peers_start(fz);
	for (i = 0; i < n && !kthread_should_stop(); i++) {
		WRITE_ONCE(fz->iter_op, i);
		fz_step(fz);
		if (!(i % 32))
			fz_sample_pending(fz);
		/* The peers and wsk's work need the CPUs too. */
		if (fz_chance(&fz->rng, 15))
			usleep_range(200, 1000);
		cond_resched();
	}
	fz_iteration_end(fz);
	return !atomic_read(&fz->nbad) && !fz_run.fatal;
}

/* ------------------------------------------------------------------------ */
/* The run's state                                                           */

static void *fz_kzalloc(size_t size)
{
	void *p;
	int i;

	/* Under fault injection too (tools/tests/65-faults.sh). */
	for (i = 0; i < 200; i++) {
		p = kzalloc(size, GFP_KERNEL | __GFP_NOWARN);
		if (p)
			return p;
		usleep_range(4000, 6000);
	}
	return NULL;
}

static void fz_free(struct fz *fz)
{
	int i;

	if (!fz)
		return;
	for (i = 0; i < FZ_SOCKS; i++)
		kfree(fz->socks[i]);
	for (i = 0; i < FZ_PEERS; i++)
		kfree(fz->peers[i]);
	kfree(fz);
}

static struct fz *fz_alloc(struct kunit *test, u64 run_seed)
{
	struct fz *fz = fz_kzalloc(sizeof(*fz));
	int i;

	if (!fz)
		return NULL;
	fz->test = test;
	fz->seed = run_seed;
	init_waitqueue_head(&fz->wq);
	spin_lock_init(&fz->lock);
	spin_lock_init(&fz->bad_lock);
	for (i = 0; i < FZ_SOCKS; i++) {
		fz->socks[i] = fz_kzalloc(sizeof(struct fz_sock));
		if (!fz->socks[i])
			goto fail;
		fz_sock_init_once(fz, fz->socks[i], i);
	}
	for (i = 0; i < FZ_PEERS; i++) {
		fz->peers[i] = fz_kzalloc(sizeof(struct fz_peer));
		if (!fz->peers[i])
			goto fail;
	}
	for (i = 0; i < FZ_TIMERS; i++) {
		fz->timers[i].fz = fz;
		timer_setup(&fz->timers[i].t, fz_timer_fn, 0);
	}
	return fz;
fail:
	fz_free(fz);
	return NULL;
}

static void fz_print_trace(struct fz *fz)
{
	int i, n = fz->trace_at_bad_idx;

	pr_err("wsk_fuzz: seed %llu iter %u: operations up to the first violation\n", fz->seed,
	       fz->iter);
	pr_err("wsk_fuzz:   (op number, operation, context, socket->new socket, return value)\n");
	for (i = max(0, n - FZ_TRACE + 1); i <= n; i++) {
		struct fz_trace *t = &fz->trace_at_bad[(u32)i % FZ_TRACE];

		if (t->op == FZ_OP_NR)
			pr_err("wsk_fuzz:   %u opened %d (%s, op %d)\n", t->seq, t->sock,
			       fz_origin_names[t->ctx % 5], t->ret);
		else
			pr_err("wsk_fuzz:   %u %s %s %d->%d %d\n", t->seq,
			       fz_op_names[t->op % FZ_OP_NR], fz_ctx_names[t->ctx % FZ_CTX_NR],
			       t->sock, t->target, t->ret);
	}
}

/* Add this chunk's counters to the run's. */
static void fz_account(struct fz *fz)
{
	int i, j;

	for (i = 0; i < FZ_OP_NR; i++)
		for (j = 0; j < FZ_CTX_NR; j++)
			fz_run.opcount[i][j] += atomic_long_read(&fz->opcount[i][j]);
	for (i = 0; i < FZ_CB_NR; i++)
		fz_run.cbcount[i] += atomic_long_read(&fz->cbcount[i]);
	for (i = 0; i < FZ_ST_NR; i++) {
		if (i == FZ_ST_MAX_PENDING)
			fz_run.stat[i] = max(fz_run.stat[i], atomic_long_read(&fz->stat[i]));
		else
			fz_run.stat[i] += atomic_long_read(&fz->stat[i]);
	}
}

/* The op table of the whole run, on the console. */
static void fz_print_table(struct kunit *test)
{
	long total = 0, t;
	int i, j;

	pr_info("wsk_fuzz: seed %llu: %llu operations of the test thread in %u iterations, %u s\n",
		fz_run.seed, fz_run.ops_done, fz_run.next_iter - iter,
		jiffies_to_msecs(jiffies - fz_run.started) / 1000);
	pr_info("wsk_fuzz: %-18s %8s %8s %8s %8s %8s\n", "operation", fz_ctx_names[0],
		fz_ctx_names[1], fz_ctx_names[2], fz_ctx_names[3], fz_ctx_names[4]);
	for (i = 0; i < FZ_OP_NR; i++) {
		for (t = 0, j = 0; j < FZ_CTX_NR; j++)
			t += fz_run.opcount[i][j];
		total += t;
		pr_info("wsk_fuzz: %-18s %8ld %8ld %8ld %8ld %8ld\n", fz_op_names[i],
			fz_run.opcount[i][0], fz_run.opcount[i][1], fz_run.opcount[i][2],
			fz_run.opcount[i][3], fz_run.opcount[i][4]);
	}
	for (i = 0; i < FZ_CB_NR; i++)
		pr_info("wsk_fuzz: %-18s %8ld calls\n", fz_cb_names[i], fz_run.cbcount[i]);
	for (i = 0; i < FZ_ST_NR; i++)
		pr_info("wsk_fuzz: %-18s %8ld\n", fz_stat_names[i], fz_run.stat[i]);
	kunit_info(test, "%ld operations from all contexts, %ld callbacks (table on the console)\n",
		   total, fz_run.cbcount[FZ_CB_ACCEPT] + fz_run.cbcount[FZ_CB_RECEIVE] +
		   fz_run.cbcount[FZ_CB_INSPECT] + fz_run.cbcount[FZ_CB_DISC]);
}

/* ------------------------------------------------------------------------ */
/* The cases                                                                 */

/*
 * 6.1's KUnit runs a module's suites when it is coming, before its
 * parameters are parsed (later kernels, once it is live): read ops, seed
 * and iter from the module's argument string, which is there already. On
 * later kernels this finds what the parameters say anyway.
 */
static void fz_read_args(void)
{
	char *args, *next, *param, *val;

	args = kstrdup(THIS_MODULE->args ? THIS_MODULE->args : "", GFP_KERNEL);
	if (!args)
		return;
	next = skip_spaces(args);
	while (*next) {
		next = next_arg(next, &param, &val);
		if (!val)
			continue;
		if (!strcmp(param, "ops") && kstrtouint(val, 0, &ops))
			pr_warn("wsk_fuzz: bad ops=%s\n", val);
		else if (!strcmp(param, "seed") && kstrtoul(val, 0, &seed))
			pr_warn("wsk_fuzz: bad seed=%s\n", val);
		else if (!strcmp(param, "iter") && kstrtouint(val, 0, &iter))
			pr_warn("wsk_fuzz: bad iter=%s\n", val);
	}
	kfree(args);
}

/*
 * The parameter generator: one chunk after another until the run has done
 * its operations. The first call starts the run.
 */
static const void *fz_gen_params(const void *prev, char *desc)
{
	if (!prev) {
		fz_read_args();
		memset(&fz_run, 0, sizeof(fz_run));
		fz_run.seed = seed ? seed : get_random_u64();
		fz_run.next_iter = iter;
		fz_run.started = jiffies;
		fz_run.base_sockets = LONG_MIN;
	} else if (fz_run.fatal || fz_run.ops_done >= ops) {
		return NULL;
	}
	fz_run.chunks++;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "chunk %u from op %llu", fz_run.chunks,
		 fz_run.ops_done);
	return &fz_run;
}

static void wsk_fuzz_run(struct kunit *test)
{
	unsigned long end = jiffies + FZ_CHUNK_SECS * HZ;
	struct fz *fz;
	u64 r;
	u32 n;
	int i;

	if (fz_run.base_sockets == LONG_MIN) {
		fz_run.base_sockets = wt_stat("sockets");
		fz_run.base_pending = wt_stat("requests_pending");
		KUNIT_ASSERT_NE(test, fz_run.base_sockets, LONG_MIN);
		kunit_info(test, "seed=%llu ops=%u iter=%u\n", fz_run.seed, ops, iter);
		pr_info("wsk_fuzz: seed=%llu ops=%u iter=%u\n", fz_run.seed, ops, iter);
	}
	fz = fz_alloc(test, fz_run.seed);
	if (!fz) {
		fz_run.fatal = true;
		KUNIT_FAIL(test, "seed %llu: no memory for the run", fz_run.seed);
		return;
	}
	while (fz_run.ops_done < ops && time_before(jiffies, end) && !kthread_should_stop()) {
		r = fz_mix(fz_run.seed ^ ((u64)fz_run.next_iter << 32));
		n = min_t(u64, 150 + fz_below(&r, 300), ops - fz_run.ops_done);
		if (!fz_iteration(fz, fz_run.next_iter, n))
			break;
		fz_run.ops_done += n;
		fz_run.next_iter++;
	}
	fz_account(fz);
	if (atomic_read(&fz->nbad)) {
		fz_run.fatal = true;
		fz_print_trace(fz);
		for (i = 0; i < min(atomic_read(&fz->nbad), FZ_WHY); i++)
			KUNIT_FAIL(test, "%s", fz->why[i]);
		KUNIT_FAIL(test, "%d violations; replay: seed=%llu iter=%u", atomic_read(&fz->nbad),
			   fz_run.seed, fz->iter);
	}
	if (fz_run.fatal || fz_run.ops_done >= ops)
		fz_print_table(test);
	/* Not quiescent: wsk may still call into it; keep it, and this module. */
	if (fz_run.stuck) {
		__module_get(THIS_MODULE);
		return;
	}
	fz_free(fz);
}

/* The checker self-test: each check fires on the violation it is for. */

struct fz_selftest_timer {
	struct timer_list t;
	struct fz_sock *fs;
	struct completion done;
};

static void fz_selftest_timer_fn(struct timer_list *t)
{
	struct fz_selftest_timer *st = from_timer(st, t, t);

	fz_backlog_event(st->fs, 100);
	complete(&st->done);
}

static void fz_selftest_softirq(struct kunit *test, struct fz_selftest_timer *st)
{
	mod_timer(&st->t, jiffies + 1);
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&st->done, WT_TIMEOUT));
	timer_delete_sync(&st->t);
}

/* A fake submission of @r and its fake completion with @status and @bytes. */
static u32 fz_fake_submit(struct fz_req *r, u8 kind)
{
	atomic_set(&r->busy, FZ_B_ASYNC);
	return fz_sub_begin(r, kind, FZ_OP_SEND, FZ_CTX_PROC);
}

static void fz_fake_complete(struct fz_req *r, int status, size_t bytes)
{
	r->req.status = status;
	r->req.result.bytes = bytes;
	fz_complete(&r->req);
}

/* @stmt must (BAD) or must not (OK) record a violation in the self-test's run. */
#define FZ_EXPECT_BAD(test, stmt, what) do {					\
	int __n = atomic_read(&fz->nbad);					\
										\
	stmt;									\
	KUNIT_EXPECT_GT_MSG(test, atomic_read(&fz->nbad), __n, "not detected: %s", what); \
} while (0)

#define FZ_EXPECT_OK(test, stmt, what) do {					\
	int __n = atomic_read(&fz->nbad);					\
										\
	stmt;									\
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&fz->nbad), __n, "flagged: %s", what); \
} while (0)

static void wsk_fuzz_checks(struct kunit *test)
{
	static const u8 good[] = { 0, 1, FZ_URG, 2, 3 }, dup[] = { 4, 5, 5 }, skip[] = { 7, 9 };
	struct wsk_socket *fake = (struct wsk_socket *)&fake;
	struct fz_selftest_timer *st;
	struct fz_sock *fs, *fs2;
	struct fz *fz = fz_alloc(test, 1);
	long base, pending;
	struct fz_req *r;
	size_t acc = 0;
	u32 g;

	KUNIT_ASSERT_NOT_NULL(test, fz);
	fz->selftest = true;
	fs = fz_slot_alloc(fz, FZ_T_CONN, AF_INET, 0);
	fs2 = fz_slot_alloc(fz, FZ_T_CONN, AF_INET, 0);
	KUNIT_ASSERT_NOT_NULL(test, fs2);
	fz_sock_opened(fs, fake, FZ_O_CREATE, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&fs->state), FZ_S_OPEN);
	r = &fs->r[FZ_R_SEND0];

	/* Exactly once. */
	g = fz_fake_submit(r, FZ_K_SEND);
	r->expect = 1;
	FZ_EXPECT_OK(test, fz_fake_complete(r, 0, 1), "one completion");
	FZ_EXPECT_OK(test, fz_sub_end(r, g, -EINPROGRESS), "-EINPROGRESS");
	FZ_EXPECT_BAD(test, fz_fake_complete(r, 0, 1), "a second completion");
	r->done = r->gen;
	g = fz_fake_submit(r, FZ_K_SEND);
	FZ_EXPECT_BAD(test, fz_report_pending(fz, false), "a completion that never came");
	FZ_EXPECT_OK(test, fz_fake_complete(r, 0, 1), "the late completion");
	FZ_EXPECT_OK(test, fz_report_pending(fz, false), "nothing pending");

	/* The return value is the status of an inline completion. */
	g = fz_fake_submit(r, FZ_K_SEND);
	FZ_EXPECT_BAD(test, fz_sub_end(r, g, 0), "returned 0, not completed");
	fz_fake_complete(r, 0, 1);
	g = fz_fake_submit(r, FZ_K_SEND);
	fz_fake_complete(r, -EINVAL, 0);
	FZ_EXPECT_BAD(test, fz_sub_end(r, g, 0), "returned 0, completed -EINVAL");
	g = fz_fake_submit(r, FZ_K_SEND);
	fz_fake_complete(r, -EINVAL, 0);
	FZ_EXPECT_OK(test, fz_sub_end(r, g, -EINVAL), "returned its status");

	/* Cancel, results, sends. */
	g = fz_fake_submit(r, FZ_K_SEND);
	r->cancel_gen = g;
	FZ_EXPECT_BAD(test, fz_fake_complete(r, 0, 1), "cancel true, completed 0");
	g = fz_fake_submit(r, FZ_K_SEND);
	r->cancel_gen = g;
	FZ_EXPECT_OK(test, fz_fake_complete(r, -ECANCELED, 0), "cancel true, -ECANCELED");
	g = fz_fake_submit(r, FZ_K_SEND);
	FZ_EXPECT_BAD(test, fz_fake_complete(r, -EIO, 5), "a failure with a result");
	g = fz_fake_submit(r, FZ_K_SEND);
	FZ_EXPECT_BAD(test, fz_fake_complete(r, 0, 0), "a send short of its bytes");

	/* Conditions. */
	r = &fs->r[FZ_R_ACC0];
	g = fz_fake_submit(r, FZ_K_ACCEPT_COND);
	r->cond_gen = g;
	r->cond_verdict = WSK_CF_REJECT;
	FZ_EXPECT_BAD(test, fz_fake_complete(r, 0, 0), "REJECT completed 0");
	g = fz_fake_submit(r, FZ_K_ACCEPT_COND);
	r->cond_gen = g;
	r->cond_verdict = WSK_CF_DEFER;
	FZ_EXPECT_OK(test, fz_fake_complete(r, -EAGAIN, 0), "DEFER completed -EAGAIN");
	g = fz_fake_submit(r, FZ_K_ACCEPT_COND);
	FZ_EXPECT_BAD(test, fz_fake_complete(r, -ECONNREFUSED, 0),
		      "completed -ECONNREFUSED, its condition never ran");
	g = fz_fake_submit(r, FZ_K_ACCEPT);
	FZ_EXPECT_BAD(test, fz_fake_complete(r, -ENOMEM, 0), "accept -ENOMEM");

	/* Close: every request done before, none after. */
	r = &fs->r[FZ_R_RECV0];
	g = fz_fake_submit(r, FZ_K_RECEIVE);
	FZ_EXPECT_BAD(test, fz_closed_now(fs), "closed with a request pending");
	KUNIT_EXPECT_TRUE(test, fz_closed(fs));
	FZ_EXPECT_BAD(test, fz_fake_complete(r, -ECANCELED, 0), "completion after close");
	FZ_EXPECT_BAD(test, fz_disconnect_event(fs, 0), "a callback after close");
	atomic_set(&fs->state, FZ_S_OPEN);
	atomic_set(&fs->discs, 0);

	/* Callbacks. */
	FZ_EXPECT_OK(test, fz_receive_event(fs, 0, NULL, 0, &acc), "a NULL indication");
	FZ_EXPECT_BAD(test, fz_receive_event(fs, 0, NULL, 0, &acc), "a NULL indication twice");
	FZ_EXPECT_OK(test, fz_disconnect_event(fs, WSK_FLAG_ABORTIVE), "a disconnect event");
	FZ_EXPECT_BAD(test, fz_disconnect_event(fs, 0), "a disconnect event twice");
	atomic_set(&fs->in_cb, 1);
	FZ_EXPECT_BAD(test, fz_backlog_event(fs, 100), "two callbacks at once");
	atomic_set(&fs->in_cb, 0);
	FZ_EXPECT_BAD(test, fz_backlog_event(fs, 0), "a backlog of 0");
	atomic_set(&fs->ev_gen[FZ_EV_BACKLOG], 3);
	fs->ev_off[FZ_EV_BACKLOG] = 3;
	FZ_EXPECT_BAD(test, fz_backlog_event(fs, 100), "a callback after its disable");
	atomic_inc(&fs->ev_gen[FZ_EV_BACKLOG]);
	FZ_EXPECT_OK(test, fz_backlog_event(fs, 100), "a callback after a new enable");
	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	st->fs = fs;
	init_completion(&st->done);
	timer_setup(&st->t, fz_selftest_timer_fn, 0);
	FZ_EXPECT_BAD(test, fz_selftest_softirq(test, st), "a callback in softirq");

	/* The stream. */
	fs->rx_gap_ok = false;
	FZ_EXPECT_OK(test, fz_rx_check(fs, good, sizeof(good), "test"), "the pattern");
	FZ_EXPECT_BAD(test, fz_rx_check(fs, dup, sizeof(dup), "test"), "a byte twice");
	fs->rx_expect = 7;
	FZ_EXPECT_BAD(test, fz_rx_check(fs, skip, sizeof(skip), "test"), "a byte lost");
	fs->rx_expect = 7;
	fz_rx_gap(fs);
	FZ_EXPECT_OK(test, fz_rx_check(fs, skip, sizeof(skip), "test"), "an allowed gap");

	/* Sockets are new; the counters come back. */
	FZ_EXPECT_BAD(test, fz_sock_opened(fs2, fake, FZ_O_CREATE, 0), "a socket delivered twice");
	base = wt_stat("sockets");
	pending = wt_stat("requests_pending");
	FZ_EXPECT_BAD(test, fz_check_stats(fz, base + 1, pending), "a socket left");
	FZ_EXPECT_OK(test, fz_check_stats(fz, base, pending), "the counters");
	fz_free(fz);
}

static struct kunit_case wsk_fuzz_cases[] = {
	KUNIT_CASE(wsk_fuzz_checks),
	WSK_KUNIT_CASE_PARAM_SLOW(wsk_fuzz_run, fz_gen_params),
	{}
};

static int wsk_fuzz_suite_init(struct kunit_suite *suite)
{
	int i;

	for (i = 0; i < FZ_TX_MAX; i++)
		fz_tx_data[i] = i * 7;
	for (i = 0; i < ARRAY_SIZE(fz_pattern); i++)
		fz_pattern[i] = i % FZ_PAT;
	return 0;
}

static struct kunit_suite wsk_fuzz_suite = {
	.name = "wsk_fuzz",
	.suite_init = wsk_fuzz_suite_init,
	.test_cases = wsk_fuzz_cases,
};

kunit_test_suite(wsk_fuzz_suite);

MODULE_DESCRIPTION("KUnit API sequence fuzzer for wsk");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(WSK);
