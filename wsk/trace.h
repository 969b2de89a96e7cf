/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wsk: tracepoints, trace system "wsk" (/sys/kernel/tracing/events/wsk/).
 * Documentation/introspection.rst describes each event and its fields.
 *
 * Events carry socket ids (the ids of /sys/kernel/debug/wsk/sockets),
 * request kinds, statuses and addresses; never kernel pointers. A request is
 * identified by a 32-bit tag, a hash of its address, so that its submit,
 * cancel and complete events can be matched.
 *
 * debugfs.c defines CREATE_TRACE_POINTS before including this file; the
 * other files include it plainly. TRACE_INCLUDE_PATH is relative to the
 * module's source directory, which wsk/Kbuild puts on the include path.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM wsk

#ifndef _WSK_TRACE_HELPERS_H
#define _WSK_TRACE_HELPERS_H

#include <linux/hash.h>
#include <linux/in6.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include "internal.h"

/* wsk_verdict's source */
enum {
	WSK_VERDICT_INSPECT,
	WSK_VERDICT_COMPLETE,
	WSK_VERDICT_CONDITION,
};

/* The tag that stands for a request in the events: not its address. */
static inline u32 wsk_req_tag(const struct wsk_req *req)
{
	return hash_ptr(req, 32);
}

/* A complete event's result: the new socket's id, or the byte count. */
static inline u64 wsk_req_trace_result(const struct wsk_req *req)
{
	if (wsk_crp(req)->kind != WSK_REQ_SOCKET && wsk_crp(req)->kind != WSK_REQ_ACCEPT)
		return req->result.bytes;
	return req->status ? 0 : wsk_sock(req->result.socket)->id;
}

/* An address into an event's sockaddr_in6-sized array, zero-padded. */
static inline void wsk_trace_addr(u8 *to, const union wsk_addr *addr)
{
	BUILD_BUG_ON(sizeof(*addr) != sizeof(struct sockaddr_in6));
	memcpy(to, addr, sizeof(*addr));	/* zero past its length */
}

#endif /* _WSK_TRACE_HELPERS_H */

#if !defined(_WSK_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _WSK_TRACE_H

#include <linux/tracepoint.h>

/*
 * The request kinds and socket states of names.h: here as enums user space
 * can resolve, and as print tables.
 */
WSK_REQ_KINDS(WSK_TRACE_ENUM, WSK_TRACE_ENUM)
WSK_SOCK_STATES(WSK_TRACE_ENUM, WSK_TRACE_ENUM)
WSK_CONN_STAGES(WSK_TRACE_ENUM, WSK_TRACE_ENUM)

#define show_wsk_req_kind(kind)						\
	__print_symbolic(kind, WSK_REQ_KINDS(WSK_TRACE_SYM, WSK_TRACE_SYM_LAST))

#define show_wsk_sock_state(state)					\
	__print_symbolic(state, WSK_SOCK_STATES(WSK_TRACE_SYM, WSK_TRACE_SYM_LAST))

#define show_wsk_conn_stage(stage)					\
	__print_symbolic(stage, WSK_CONN_STAGES(WSK_TRACE_SYM, WSK_TRACE_SYM_LAST))

#define show_wsk_event(event)					\
	__print_symbolic(event,					\
			 { WSK_EVENT_SEND_BACKLOG, "send_backlog" },	\
			 { WSK_EVENT_RECEIVE, "receive" },	\
			 { WSK_EVENT_DISCONNECT, "disconnect" },	\
			 { WSK_EVENT_ACCEPT, "accept" },	\
			 { WSK_EV_INSPECT, "inspect" },		\
			 { WSK_EV_ABORT, "abort" })

#define show_wsk_category(category)				\
	__print_symbolic(category,				\
			 { WSK_FLAG_LISTEN_SOCKET, "listen" },	\
			 { WSK_FLAG_CONNECTION_SOCKET, "connection" })

/*
 * A request submitted (claimed by an operation): @sock is the socket it was
 * submitted on, 0 for wsk_socket() (the new socket's id is in its complete
 * event) or a NULL socket argument.
 */
TRACE_EVENT(wsk_req_submit,
	    TP_PROTO(const struct wsk_req *req),
	    TP_ARGS(req),
	    TP_STRUCT__entry(__field(u64, sock)
			     __field(u32, req)
			     __field(u8, kind)),
	    TP_fast_assign(__entry->sock = wsk_crp(req)->sock_id;
			   __entry->req = wsk_req_tag(req);
			   __entry->kind = wsk_crp(req)->kind;),
	    TP_printk("sock=%llu req=%08x kind=%s",
		      __entry->sock, __entry->req, show_wsk_req_kind(__entry->kind))
);

/*
 * A request completed, just before its completion routine runs. @result is
 * the new socket's id for a successful socket or accept request, else
 * req->result.bytes.
 */
TRACE_EVENT(wsk_req_complete,
	    TP_PROTO(const struct wsk_req *req),
	    TP_ARGS(req),
	    TP_STRUCT__entry(__field(u64, sock)
			     __field(u64, result)
			     __field(int, status)
			     __field(u32, req)
			     __field(u8, kind)),
	    TP_fast_assign(__entry->sock = wsk_crp(req)->sock_id;
			   __entry->result = wsk_req_trace_result(req);
			   __entry->status = req->status;
			   __entry->req = wsk_req_tag(req);
			   __entry->kind = wsk_crp(req)->kind;),
	    TP_printk("sock=%llu req=%08x kind=%s status=%d result=%llu",
		      __entry->sock, __entry->req, show_wsk_req_kind(__entry->kind),
		      __entry->status, __entry->result)
);

/*
 * wsk_req_cancel() called. @delivered: the request was waiting and is now
 * completed with -ECANCELED (its complete event follows); 0: it was not
 * cancellable, and @sock and @kind are those of its last submission.
 */
TRACE_EVENT(wsk_req_cancel,
	    TP_PROTO(const struct wsk_req *req, bool delivered),
	    TP_ARGS(req, delivered),
	    TP_STRUCT__entry(__field(u64, sock)
			     __field(u32, req)
			     __field(u8, kind)
			     __field(bool, delivered)),
	    TP_fast_assign(__entry->sock = READ_ONCE(wsk_crp(req)->sock_id);
			   __entry->req = wsk_req_tag(req);
			   __entry->kind = READ_ONCE(wsk_crp(req)->kind);
			   __entry->delivered = delivered;),
	    TP_printk("sock=%llu req=%08x kind=%s delivered=%d",
		      __entry->sock, __entry->req, show_wsk_req_kind(__entry->kind),
		      __entry->delivered)
);

/* Socket @sock (a listener if @listen) went from state @from to @to. */
TRACE_EVENT(wsk_sock_state,
	    TP_PROTO(u64 sock, bool listen, int from, int to),
	    TP_ARGS(sock, listen, from, to),
	    TP_STRUCT__entry(__field(u64, sock)
			     __field(bool, listen)
			     __field(u8, from)
			     __field(u8, to)),
	    TP_fast_assign(__entry->sock = sock;
			   __entry->listen = listen;
			   __entry->from = from;
			   __entry->to = to;),
	    TP_printk("sock=%llu category=%s from=%s to=%s", __entry->sock,
		      __entry->listen ? "listen" : "connection",
		      show_wsk_sock_state(__entry->from), show_wsk_sock_state(__entry->to))
);

/* An undelivered connection @sock of @listener moved from stage @from to @to. */
TRACE_EVENT(wsk_conn_stage,
	    TP_PROTO(u64 listener, u64 sock, int from, int to),
	    TP_ARGS(listener, sock, from, to),
	    TP_STRUCT__entry(__field(u64, listener)
			     __field(u64, sock)
			     __field(u8, from)
			     __field(u8, to)),
	    TP_fast_assign(__entry->listener = listener;
			   __entry->sock = sock;
			   __entry->from = from;
			   __entry->to = to;),
	    TP_printk("listener=%llu sock=%llu from=%s to=%s", __entry->listener, __entry->sock,
		      show_wsk_conn_stage(__entry->from), show_wsk_conn_stage(__entry->to))
);

/* A connection of @listener: its new socket's id and addresses. */
DECLARE_EVENT_CLASS(wsk_accept_class,
		    TP_PROTO(u64 listener, const struct wsk_conn *conn),
		    TP_ARGS(listener, conn),
		    TP_STRUCT__entry(__field(u64, listener)
				     __field(u64, sock)
				     __array(u8, local, sizeof(struct sockaddr_in6))
				     __array(u8, remote, sizeof(struct sockaddr_in6))
				     __field(bool, dead)),
		    TP_fast_assign(__entry->listener = listener;
				   __entry->sock = conn->ws.id;
				   wsk_trace_addr(__entry->local, &conn->ws.local);
				   wsk_trace_addr(__entry->remote, &conn->remote);
				   __entry->dead = conn->ws.state == WSK_SOCK_DEAD;),
		    TP_printk("listener=%llu sock=%llu local=%pISpc remote=%pISpc dead=%d",
			      __entry->listener, __entry->sock, __entry->local,
			      __entry->remote, __entry->dead)
);

/* A connection delivered to an accept request (before its complete event). */
DEFINE_EVENT(wsk_accept_class, wsk_accept_delivered,
	     TP_PROTO(u64 listener, const struct wsk_conn *conn),
	     TP_ARGS(listener, conn)
);

/* A connection accepted for a request cancelled meanwhile, kept (held). */
DEFINE_EVENT(wsk_accept_class, wsk_accept_parked,
	     TP_PROTO(u64 listener, const struct wsk_conn *conn),
	     TP_ARGS(listener, conn)
);

/* Event callback @event of socket @sock is called. */
TRACE_EVENT(wsk_event_call,
	    TP_PROTO(u64 sock, u32 event),
	    TP_ARGS(sock, event),
	    TP_STRUCT__entry(__field(u64, sock)
			     __field(u32, event)),
	    TP_fast_assign(__entry->sock = sock;
			   __entry->event = event;),
	    TP_printk("sock=%llu event=%s", __entry->sock, show_wsk_event(__entry->event))
);

/* ... and returned @ret (a verdict for inspect, 0 for abort). */
TRACE_EVENT(wsk_event_return,
	    TP_PROTO(u64 sock, u32 event, int ret),
	    TP_ARGS(sock, event, ret),
	    TP_STRUCT__entry(__field(u64, sock)
			     __field(u32, event)
			     __field(int, ret)),
	    TP_fast_assign(__entry->sock = sock;
			   __entry->event = event;
			   __entry->ret = ret;),
	    TP_printk("sock=%llu event=%s ret=%d", __entry->sock,
		      show_wsk_event(__entry->event), __entry->ret)
);

/* WSK_SO_EVENT_CALLBACK on @sock with @mask: @ret 0, -EINPROGRESS or an error. */
TRACE_EVENT(wsk_event_control,
	    TP_PROTO(u64 sock, u32 mask, int ret),
	    TP_ARGS(sock, mask, ret),
	    TP_STRUCT__entry(__field(u64, sock)
			     __field(u32, mask)
			     __field(int, ret)),
	    TP_fast_assign(__entry->sock = sock;
			   __entry->mask = mask;
			   __entry->ret = ret;),
	    TP_printk("sock=%llu mask=%#x ret=%d", __entry->sock, __entry->mask, __entry->ret)
);

/*
 * A verdict on connection @conn of @listener: @source is "inspect" (its
 * inspect_event), "complete" (wsk_inspect_complete()) or "condition" (a
 * wsk_accept_conditional() condition); @verdict is the value returned
 * (WSK_INSPECT_* or WSK_CF_*).
 */
TRACE_DEFINE_ENUM(WSK_VERDICT_INSPECT);
TRACE_DEFINE_ENUM(WSK_VERDICT_COMPLETE);
TRACE_DEFINE_ENUM(WSK_VERDICT_CONDITION);

#define show_wsk_verdict_source(source)				\
	__print_symbolic(source,				\
			 { WSK_VERDICT_INSPECT, "inspect" },	\
			 { WSK_VERDICT_COMPLETE, "complete" },	\
			 { WSK_VERDICT_CONDITION, "condition" })

TRACE_EVENT(wsk_verdict,
	    TP_PROTO(u64 listener, const struct wsk_conn *conn, int source, int verdict),
	    TP_ARGS(listener, conn, source, verdict),
	    TP_STRUCT__entry(__field(u64, listener)
			     __field(u64, sock)
			     __field(unsigned long, key)
			     __field(u32, serial)
			     __field(int, source)
			     __field(int, verdict)
			     __array(u8, remote, sizeof(struct sockaddr_in6))),
	    TP_fast_assign(__entry->listener = listener;
			   __entry->sock = conn->ws.id;
			   __entry->key = conn->ws.id;
			   __entry->serial = conn->inspect_serial;
			   __entry->source = source;
			   __entry->verdict = verdict;
			   wsk_trace_addr(__entry->remote, &conn->remote);),
	    TP_printk("listener=%llu sock=%llu id=%lu:%u source=%s verdict=%d remote=%pISpc",
		      __entry->listener, __entry->sock, __entry->key, __entry->serial,
		      show_wsk_verdict_source(__entry->source), __entry->verdict, __entry->remote)
);

/* A socket's close starts its teardown (on the workqueue). */
TRACE_EVENT(wsk_sock_close_start,
	    TP_PROTO(const struct wsk_sock *ws),
	    TP_ARGS(ws),
	    TP_STRUCT__entry(__field(u64, sock)
			     __field(u64, client)
			     __field(unsigned int, category)
			     __field(int, state)),
	    TP_fast_assign(__entry->sock = ws->id;
			   __entry->client = ws->client->id;
			   __entry->category = ws->category;
			   __entry->state = ws->state;),
	    TP_printk("sock=%llu client=%llu category=%s state=%s",
		      __entry->sock, __entry->client, show_wsk_category(__entry->category),
		      show_wsk_sock_state(__entry->state))
);

/*
 * A socket's teardown is done: @cancelled waiting requests were completed
 * with -ECANCELED. The close request's complete event follows.
 */
TRACE_EVENT(wsk_sock_close_end,
	    TP_PROTO(const struct wsk_sock *ws, unsigned int cancelled),
	    TP_ARGS(ws, cancelled),
	    TP_STRUCT__entry(__field(u64, sock)
			     __field(unsigned int, cancelled)),
	    TP_fast_assign(__entry->sock = ws->id;
			   __entry->cancelled = cancelled;),
	    TP_printk("sock=%llu cancelled=%u", __entry->sock, __entry->cancelled)
);

#endif /* _WSK_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
