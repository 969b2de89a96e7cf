// SPDX-License-Identifier: GPL-2.0
/*
 * wsk: requests, the IRP analog. The state machine that makes submission,
 * cancel, close and completion race safely and complete each request exactly
 * once. The synchronous helpers for process-context callers are in sync.c.
 *
 * The states and the locking rules are documented in internal.h.
 */
#include <linux/export.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/wait_bit.h>

#include "internal.h"
#include "trace.h"

/**
 * wsk_req_init - prepare a request for its first submission
 * @req: the request
 * @complete: completion routine (may be NULL)
 * @context: stored in @req->context
 *
 * Context: any. Must not be called on a pending request.
 */
void wsk_req_init(struct wsk_req *req, wsk_complete_t complete, void *context)
{
	memset(req, 0, sizeof(*req));
	req->complete = complete;
	req->context = context;
	atomic_set(&wsk_rp(req)->state, WSK_REQ_IDLE);
	INIT_LIST_HEAD(&wsk_rp(req)->node);
}
EXPORT_SYMBOL_NS_GPL(wsk_req_init, WSK);

/**
 * wsk_req_claim - take a request for one operation
 * @req: the request
 * @kind: what it is for
 * @s: the socket it is submitted on, as the caller passed it (may be NULL);
 *	only its immutable id is read, for the counters and tracepoints
 *
 * Context: any.
 * Return: 0, the request is now pending and must be completed exactly once
 * with wsk_req_complete(); -EINVAL for a NULL @req or -EBUSY for a pending
 * one, both without completing anything.
 */
int wsk_req_claim(struct wsk_req *req, enum wsk_req_kind kind, struct wsk_socket *s)
{
	if (!req) {
		wsk_stat_inc(&wsk_stats.requests_refused);
		return -EINVAL;
	}
	if (atomic_cmpxchg(&wsk_rp(req)->state, WSK_REQ_IDLE, WSK_REQ_PENDING) != WSK_REQ_IDLE) {
		wsk_stat_inc(&wsk_stats.requests_refused);
		return -EBUSY;
	}
	/* Not queued: its sock is NULL (cleared under the lock that set it). */
	wsk_rp(req)->kind = kind;
	wsk_rp(req)->cancel = false;
	wsk_rp(req)->sock_id = s ? wsk_sock(s)->id : 0;
	INIT_LIST_HEAD(&wsk_rp(req)->node);
	memset(&req->result, 0, sizeof(req->result));
	wsk_stat_inc(&wsk_stats.requests_pending);
	wsk_stat_inc(&wsk_stats.requests_pending_by_kind[kind]);
	trace_wsk_req_submit(req);
	return 0;
}

/**
 * wsk_req_set_kind - change what a claimed, not yet queued request is for
 * @req: a claimed request that the caller owns
 * @kind: the new kind
 *
 * Context: any.
 */
void wsk_req_set_kind(struct wsk_req *req, enum wsk_req_kind kind)
{
	wsk_stat_dec(&wsk_stats.requests_pending_by_kind[wsk_rp(req)->kind]);
	wsk_stat_inc(&wsk_stats.requests_pending_by_kind[kind]);
	wsk_rp(req)->kind = kind;
}

/**
 * wsk_req_complete - complete a claimed request
 * @req: a pending request that the caller owns (claimed, or taken off a
 *	queue under the socket lock)
 * @status: 0 or a negative errno; on failure @req->result is zeroed
 *
 * The request goes back to idle before its routine runs, so the routine may
 * resubmit or free it; @req is not touched after the routine is called.
 *
 * Context: any, with no wsk lock held (the routine may call into wsk).
 */
void wsk_req_complete(struct wsk_req *req, int status)
{
	wsk_complete_t complete = req->complete;

	req->status = status;
	if (status) {
		memset(&req->result, 0, sizeof(req->result));
		if (status == -ECANCELED)
			wsk_stat_inc(&wsk_stats.requests_cancelled);
		else
			wsk_stat_error(status);
	}
	trace_wsk_req_complete(req);
	wsk_stat_dec(&wsk_stats.requests_pending_by_kind[wsk_rp(req)->kind]);
	wsk_rp(req)->kind = WSK_REQ_NONE;
	wsk_stat_dec(&wsk_stats.requests_pending);
	wsk_stat_inc(&wsk_stats.requests_completed);
	atomic_set_release(&wsk_rp(req)->state, WSK_REQ_IDLE);
	if (complete)
		complete(req);
}

/**
 * wsk_req_complete_list - complete the requests a socket gave up
 * @list: requests taken off their socket (detached), linked by wsk_req_priv.node
 * @status: the status for each, unless a cancel marked it
 *
 * A request that wsk_req_cancel() marked while it was taken (and that so
 * returned true) completes with -ECANCELED whatever @status says: a cancel
 * that returned true is never turned into another error.
 *
 * Context: any, with no wsk lock held.
 * Return: how many requests were completed.
 */
unsigned int wsk_req_complete_list(struct list_head *list, int status)
{
	unsigned int n = 0;
	struct wsk_req *req;

	while ((req = wsk_req_first(list))) {
		list_del_init(&wsk_rp(req)->node);
		wsk_req_complete(req, wsk_rp(req)->cancel ? -ECANCELED : status);
		n++;
	}
	return n;
}

/**
 * wsk_req_enter - the entry of every exported call on a socket that takes a request
 * @req: the caller's request
 * @kind: what it is for
 * @s: the socket argument, as the caller passed it (may be NULL)
 * @args_ok: the call's other required pointer arguments are not NULL
 * @ws: set to the socket object on success
 *
 * Encodes the error order every such call follows: a NULL or still pending
 * @req first (-EINVAL or -EBUSY, nothing completed: there is no request to
 * complete), then a NULL @s or a missing argument (-EINVAL, @req completed
 * inline). What the call then checks under the socket's lock (-ESHUTDOWN
 * first) is its own.
 *
 * Context: any.
 * Return: 0 with @req claimed, to be ended with wsk_req_leave() or
 * completed by whoever it is handed to; else the errno the call returns.
 */
int wsk_req_enter(struct wsk_req *req, enum wsk_req_kind kind, struct wsk_socket *s,
		  bool args_ok, struct wsk_sock **ws)
{
	int err = wsk_req_claim(req, kind, s);

	if (err)
		return err;
	if (!s || !args_ok)
		return wsk_req_leave(req, -EINVAL);
	*ws = wsk_sock(s);
	return 0;
}

/**
 * wsk_req_leave - the exit of a call that claimed a request
 * @req: the claimed request
 * @status: -EINPROGRESS if @req was handed on (queued on a socket: it may
 *	already be completing elsewhere, and is not touched); else 0 or the
 *	negative errno to complete it with, inside the call
 *
 * Context: any, no wsk lock held.
 * Return: @status, for "return wsk_req_leave(req, err);".
 */
int wsk_req_leave(struct wsk_req *req, int status)
{
	if (status != -EINPROGRESS)
		wsk_req_complete(req, status);
	return status;
}

/**
 * wsk_req_enqueue - queue a claimed request on one of a socket's queues
 * @s: the socket
 * @queue: &wsk_sock.op_q or &wsk_sock.accept_q of @s
 * @req: a claimed request
 *
 * From here on, whoever takes @req off @queue completes it.
 *
 * Context: any; the caller holds the lock of @s.
 */
void wsk_req_enqueue(struct wsk_socket *s, struct list_head *queue, struct wsk_req *req)
{
	lockdep_assert_held(&wsk_sock(s)->lock);
	list_add_tail(&wsk_rp(req)->node, queue);
	WRITE_ONCE(wsk_rp(req)->sock, s);
}

/**
 * wsk_req_unqueue - take a given request off the queue it waits in
 * @req: a request queued on a socket whose lock the caller holds
 *
 * The caller now owns @req and must complete it.
 *
 * Context: any; the caller holds the lock of @req's socket.
 */
void wsk_req_unqueue(struct wsk_req *req)
{
	lockdep_assert_held(&wsk_sock(wsk_rp(req)->sock)->lock);
	list_del_init(&wsk_rp(req)->node);
	WRITE_ONCE(wsk_rp(req)->sock, NULL);
}

/**
 * wsk_req_dequeue - take the oldest request off a socket queue
 * @queue: a queue of a socket whose lock the caller holds
 *
 * Context: any; the caller holds the lock of the queue's socket.
 * Return: the request, now owned by the caller (it must complete it), or
 * NULL if the queue is empty.
 */
struct wsk_req *wsk_req_dequeue(struct list_head *queue)
{
	struct wsk_req *req;

	req = wsk_req_first(queue);
	if (req)
		wsk_req_unqueue(req);
	return req;
}

/**
 * wsk_req_dequeue_all - take every request off a socket queue
 * @queue: a queue of a socket whose lock the caller holds
 * @list: where they go, in queue order, now owned by the caller (complete
 *	them with wsk_req_complete_list() once the lock is dropped)
 *
 * Context: any; the caller holds the lock of the queue's socket.
 */
void wsk_req_dequeue_all(struct list_head *queue, struct list_head *list)
{
	struct wsk_req *req;

	while ((req = wsk_req_dequeue(queue)))
		list_add_tail(&wsk_rp(req)->node, list);
}

/**
 * wsk_req_take - take the oldest request off a queue to work on it
 * @queue: a queue of a socket whose lock the caller holds
 *
 * Unlike wsk_req_dequeue(), the request stays attached to its socket, so
 * that wsk_req_cancel() still finds it (see "taken" in internal.h). The
 * caller ends that with wsk_req_requeue_head() or wsk_req_detach().
 *
 * Context: any; the caller holds the lock of the queue's socket.
 * Return: the request, or NULL if the queue is empty.
 */
struct wsk_req *wsk_req_take(struct list_head *queue)
{
	struct wsk_req *req;

	req = wsk_req_first(queue);
	if (req) {
		lockdep_assert_held(&wsk_sock(wsk_rp(req)->sock)->lock);
		list_del_init(&wsk_rp(req)->node);
	}
	return req;
}

/**
 * wsk_req_requeue_head - put a taken request back at the head of its queue
 * @queue: the queue it was taken from
 * @req: a request taken with wsk_req_take()
 *
 * Context: any; the caller holds the lock of @req's socket.
 * Return: true if it is queued again; false if it was cancelled meanwhile:
 * it is then detached and the caller must complete it with -ECANCELED.
 */
bool wsk_req_requeue_head(struct list_head *queue, struct wsk_req *req)
{
	struct wsk_sock *ws = wsk_sock(wsk_rp(req)->sock);

	lockdep_assert_held(&ws->lock);
	if (wsk_rp(req)->cancel) {
		WRITE_ONCE(wsk_rp(req)->sock, NULL);
		return false;
	}
	list_add(&wsk_rp(req)->node, queue);
	return true;
}

/**
 * wsk_req_detach - end the work on a taken request
 * @req: a request taken with wsk_req_take()
 *
 * The caller now owns @req and must complete it: with -ECANCELED if this
 * returns true (a cancel came while it was worked on, and returned true).
 *
 * Context: any; the caller holds the lock of @req's socket.
 * Return: whether it was cancelled.
 */
bool wsk_req_detach(struct wsk_req *req)
{
	lockdep_assert_held(&wsk_sock(wsk_rp(req)->sock)->lock);
	WRITE_ONCE(wsk_rp(req)->sock, NULL);
	return wsk_rp(req)->cancel;
}

/**
 * wsk_req_cancel - ask for a pending request to be completed early (IoCancelIrp)
 * @req: the request; valid during this call even if it completes meanwhile
 *
 * Cancellable requests are pending accepts, receives (also one being filled
 * right now), sends and graceful disconnects (also the one being handed to
 * TCP, which may wait for ever for a window that never opens), event
 * disables waiting for their callback, and socket operations (bind, option
 * changes) that have not started yet. A cancelled request completes with
 * -ECANCELED and @req->result zeroed: if it was waiting in a queue, in the
 * caller's context before this returns; if wsk was working on it, from
 * wsk's workqueue soon after. A send or receive cancelled while in progress
 * may have moved some of its bytes already (to the peer, or out of the
 * stream into its buffer): they are lost to the client with the request,
 * and the stream should be treated as broken.
 *
 * Cancel races completion: the owner must still wait for the completion
 * routine. A cancel is never lost: either this returns true and the
 * request completes -ECANCELED, or it returns false and the request
 * completes with its own result in bounded time.
 *
 * Context: any; does not sleep. May be called from completion routines.
 * Return: true if the request was pending and the cancel was delivered;
 * false for a NULL @req, if it was not pending (a harmless no-op), or if it
 * is past the point of cancelling (socket creation, close, an abortive
 * disconnect, an operation already running on the workqueue, an accept
 * being delivered), all of which complete with their own result in bounded
 * time.
 */
bool wsk_req_cancel(struct wsk_req *req)
{
	bool found = false, marked = false;
	struct wsk_socket *pub;
	struct wsk_sock *ws;
	unsigned long flags;

	if (!req)
		return false;

	/*
	 * The socket cannot be freed under us: it is freed after an RCU grace
	 * period, and only after every request has left it.
	 */
	rcu_read_lock();
	pub = READ_ONCE(wsk_rp(req)->sock);
	if (pub) {
		ws = wsk_sock(pub);
		spin_lock_irqsave(&ws->lock, flags);
		if (wsk_rp(req)->sock == pub && !list_empty(&wsk_rp(req)->node)) {
			wsk_req_unqueue(req);
			/* The socket's close now waits for us (wsk_sock_teardown()). */
			atomic_inc(&ws->cancelling);
			found = true;
		} else if (wsk_rp(req)->sock == pub && !wsk_rp(req)->cancel) {
			/* Taken: its work completes it at its next step. */
			wsk_rp(req)->cancel = true;
			wsk_conn_kick(wsk_conn(ws));
			marked = true;
		}
		/* Still pending: traced before its completion can free it. */
		if (found || marked)
			trace_wsk_req_cancel(req, true);
		spin_unlock_irqrestore(&ws->lock, flags);
	}
	rcu_read_unlock();

	if (!found && !marked)
		trace_wsk_req_cancel(req, false);
	if (found) {
		/* @ws stays: its teardown waits for @ws->cancelling to drop to 0. */
		wsk_test_point(WSK_TP_CANCELLED, ws, req);
		wsk_req_complete(req, -ECANCELED);
		rcu_read_lock();
		if (atomic_dec_and_test(&ws->cancelling))
			wake_up_var(&ws->cancelling);
		rcu_read_unlock();
	}
	return found || marked;
}
EXPORT_SYMBOL_NS_GPL(wsk_req_cancel, WSK);
