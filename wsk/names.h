/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wsk: the name tables, each written once.
 *
 * A table is a list of X(value, name) entries, its last one X_LAST(value,
 * name); the expansions below make of it an enum's constants, a name array
 * indexed by them, and the tracepoints' enum definitions and symbolic print
 * tables (the idiom of include/trace/events/rxrpc.h). checkpatch cannot
 * parse these macros, so make lint checks this file with the findings the
 * idiom causes turned off (tools/vm/lint.sh); every other file is checked
 * in full.
 */
#ifndef _WSK_NAMES_H
#define _WSK_NAMES_H

/* Request kinds (enum wsk_req_kind), as debugfs and the tracepoints name them. */
#define WSK_REQ_KINDS(X, X_LAST)					\
	X(WSK_REQ_NONE, "none")						\
	X(WSK_REQ_SOCKET, "socket")					\
	X(WSK_REQ_BIND, "bind")						\
	X(WSK_REQ_SETOPT, "setopt")					\
	X(WSK_REQ_CLOSE, "close")					\
	X(WSK_REQ_ACCEPT, "accept")					\
	X(WSK_REQ_INLINE, "inline")	/* completes inside the call */	\
	X(WSK_REQ_SEND, "send")						\
	X(WSK_REQ_RECEIVE, "receive")					\
	X(WSK_REQ_DISCONNECT, "disconnect")				\
	X(WSK_REQ_CONNECT, "connect")	/* wsk_connect(), wsk_socket_connect() */ \
	X_LAST(WSK_REQ_EVENT, "event")	/* a disable waiting for its callback */

/* Socket states (enum wsk_sock_state). */
#define WSK_SOCK_STATES(X, X_LAST)					\
	X(WSK_SOCK_CREATING, "creating")	/* kernel socket being created */ \
	X(WSK_SOCK_OPEN, "open")		/* created, not bound */	\
	X(WSK_SOCK_BOUND, "bound")		/* connection socket bound */	\
	X(WSK_SOCK_LISTENING, "listening")	/* bound and listening */	\
	X(WSK_SOCK_CONNECTING, "connecting")	/* its wsk_connect() runs */	\
	X(WSK_SOCK_CONNECTED, "connected")	/* accepted or connected */	\
	X_LAST(WSK_SOCK_DEAD, "dead")	/* reset, killed, connect failed, or its netns went */

/* An undelivered connection's stages (enum wsk_conn_stage). */
#define WSK_CONN_STAGES(X, X_LAST)					\
	X(WSK_CONN_TAKEN, "taken")					\
	X(WSK_CONN_READY, "ready")					\
	X(WSK_CONN_DEFERRED, "deferred")				\
	X(WSK_CONN_HELD, "held")					\
	X_LAST(WSK_CONN_DOOMED, "doomed")

/*
 * The errors counted by kind (enum wsk_err_kind, as WSK_ERR_<errno>): those
 * of the contract's status mapping. Anything else is WSK_ERR_OTHER.
 */
#define WSK_ERR_KINDS(X)						\
	X(EINVAL, "einval")						\
	X(ENOTCONN, "enotconn")						\
	X(EOPNOTSUPP, "eopnotsupp")					\
	X(ESHUTDOWN, "eshutdown")					\
	X(ENOMEM, "enomem")						\
	X(EADDRINUSE, "eaddrinuse")					\
	X(ECONNREFUSED, "econnrefused")					\
	X(EAGAIN, "eagain")

/* Expansions: an enum's constants, a name array's entries. */
#define WSK_ENUM_ENTRY(value, name)	value,
#define WSK_NAME_ENTRY(value, name)	[value] = name,
#define WSK_ERR_ENUM_ENTRY(err, name)	WSK_ERR_##err,
#define WSK_ERR_NAME_ENTRY(err, name)	[WSK_ERR_##err] = { err, name },

/* Expansions for trace.h: TRACE_DEFINE_ENUM()s and __print_symbolic() pairs. */
#define WSK_TRACE_ENUM(value, name)	TRACE_DEFINE_ENUM(value);
#define WSK_TRACE_SYM(value, name)	{ value, name },
#define WSK_TRACE_SYM_LAST(value, name)	{ value, name }

#endif /* _WSK_NAMES_H */
