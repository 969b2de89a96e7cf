// SPDX-License-Identifier: GPL-2.0
/*
 * wsk: event callbacks. The gate every callback call goes through, and
 * enabling and disabling events with WSK_SO_EVENT_CALLBACK.
 *
 * A callback runs only between wsk_cb_begin_locked() (which checks, under
 * the socket's lock, that the socket is not closing and the event is on,
 * and marks it running) and wsk_cb_end(). Every callback of a socket runs on
 * one work item (a listener's accept work, a connection's io work), and the
 * close cancels that work synchronously before it completes: so no callback
 * runs after a close has completed. A disable that finds its callback
 * running waits in @evwait_q; wsk_cb_end() completes it.
 */
#include <linux/bitops.h>
#include <linux/list.h>
#include <linux/spinlock.h>

#include "internal.h"
#include "trace.h"

/**
 * wsk_cb_begin_locked - may a callback of @event run now? If so, mark it running
 * @ws: the socket
 * @event: one WSK_EVENT_* bit, or WSK_EV_INSPECT / WSK_EV_ABORT
 *
 * Context: any; the caller holds @ws->lock.
 * Return: true if the caller must call the callback and then wsk_cb_end().
 */
bool wsk_cb_begin_locked(struct wsk_sock *ws, u32 event)
{
	bool on;

	lockdep_assert_held(&ws->lock);
	if (ws->closing)
		return false;
	if (event & (WSK_EV_INSPECT | WSK_EV_ABORT))
		on = wsk_listener(ws)->cond_accept;	/* listeners' events only */
	else
		on = ws->events & event;
	if (!on)
		return false;
	ws->cb_running |= event;
	wsk_stat_inc(&wsk_stats.events_delivered);
	trace_wsk_event_call(ws->id, event);
	return true;
}

/**
 * wsk_cb_begin - wsk_cb_begin_locked() taking the lock
 * @ws: the socket
 * @event: the event
 *
 * Context: any, @ws->lock not held.
 * Return: as wsk_cb_begin_locked().
 */
bool wsk_cb_begin(struct wsk_sock *ws, u32 event)
{
	unsigned long flags;
	bool run;

	spin_lock_irqsave(&ws->lock, flags);
	run = wsk_cb_begin_locked(ws, event);
	spin_unlock_irqrestore(&ws->lock, flags);
	return run;
}

/**
 * wsk_cb_end - a callback has returned
 * @ws: the socket
 * @event: the event wsk_cb_begin_locked() let run
 * @ret: what the callback returned, for the tracepoint
 *
 * Completes, with 0, the disables that waited for this callback.
 *
 * Context: the socket's work (process context), @ws->lock not held.
 */
void wsk_cb_end(struct wsk_sock *ws, u32 event, int ret)
{
	struct wsk_req_priv *rp, *tmp;
	unsigned long flags;
	LIST_HEAD(done);

	trace_wsk_event_return(ws->id, event, ret);
	spin_lock_irqsave(&ws->lock, flags);
	ws->cb_running &= ~event;
	list_for_each_entry_safe(rp, tmp, &ws->evwait_q, node) {
		if (rp->args.event.mask != event)
			continue;
		wsk_req_unqueue(wsk_req_of(rp));
		list_add_tail(&rp->node, &done);
	}
	spin_unlock_irqrestore(&ws->lock, flags);

	wsk_req_complete_list(&done, 0);
}

/**
 * wsk_conn_events_available - the events of @mask a connection dispatch can take
 * @d: a client connection dispatch (may be NULL)
 * @mask: WSK_EVENT_* bits
 *
 * Context: any.
 * Return: the bits of @mask whose callback @d has.
 */
u32 wsk_conn_events_available(const struct wsk_client_connection_dispatch *d, u32 mask)
{
	u32 avail = 0;

	if (!d)
		return 0;
	if (d->receive_event)
		avail |= WSK_EVENT_RECEIVE;
	if (d->disconnect_event)
		avail |= WSK_EVENT_DISCONNECT;
	if (d->send_backlog_event)
		avail |= WSK_EVENT_SEND_BACKLOG;
	return mask & avail;
}

/**
 * wsk_event_static - enable the client's static events on a socket
 * @ws: a listener that has just started listening, or a connection just
 *	accepted (its client dispatch set) or connected
 *
 * Those of WSK_SET_STATIC_EVENT_CALLBACKS's events that @ws's client
 * dispatch has a callback for. The caller kicks the socket's work.
 *
 * Context: any; the caller holds @ws->lock.
 */
void wsk_event_static(struct wsk_sock *ws)
{
	u32 ev = READ_ONCE(ws->client->static_events);
	const struct wsk_client_listen_dispatch *ld;

	lockdep_assert_held(&ws->lock);
	if (!ev)
		return;
	if (wsk_sock_is_listener(ws)) {
		ld = ws->client_dispatch;
		if ((ev & WSK_EVENT_ACCEPT) && ld && ld->accept_event)
			ws->events |= WSK_EVENT_ACCEPT;
		return;
	}
	ev = wsk_conn_events_available(ws->client_dispatch, ev & WSK_CONN_EVENTS);
	if (ev & ~ws->events & WSK_EVENT_SEND_BACKLOG)
		wsk_conn(ws)->backlog_due = true;	/* reported once at first */
	ws->events |= ev;
}

/* The events @ws can enable now, or 0 (-EINVAL). Lock held. */
static u32 wsk_event_allowed(struct wsk_sock *ws)
{
	const struct wsk_client_listen_dispatch *ld;

	lockdep_assert_held(&ws->lock);
	if (wsk_sock_is_listener(ws)) {
		if (ws->state != WSK_SOCK_LISTENING && ws->state != WSK_SOCK_DEAD)
			return 0;	/* listen sockets: after bind */
		ld = ws->client_dispatch;
		return WSK_CONN_EVENTS | (ld && ld->accept_event ? WSK_EVENT_ACCEPT : 0);
	}
	/* Connection sockets: once accepted (a dead one too: it is told so). */
	if ((ws->state != WSK_SOCK_CONNECTED && ws->state != WSK_SOCK_DEAD) ||
	    wsk_conn(ws)->listener)
		return 0;
	return wsk_conn_events_available(ws->client_dispatch, WSK_CONN_EVENTS);
}

/* Enable @ev on @ws (lock held); connections or data may be waiting already. */
static int wsk_event_enable(struct wsk_sock *ws, u32 ev)
{
	lockdep_assert_held(&ws->lock);
	if (wsk_sock_is_listener(ws)) {
		wsk_listener(ws)->inherit |= ev & WSK_CONN_EVENTS;
		ws->events |= ev & WSK_EVENT_ACCEPT;
		wsk_listen_kick(wsk_listener(ws));
	} else {
		ws->events |= ev;
		if (ev & WSK_EVENT_SEND_BACKLOG)
			wsk_conn(ws)->backlog_due = true;	/* report it once now */
		wsk_conn_kick(wsk_conn(ws));
	}
	return 0;
}

/*
 * Disable the one event @ev on @ws (lock held): 0, or -EINPROGRESS while its
 * callback runs, @req (if given) then queued until that returns.
 */
static int wsk_event_disable(struct wsk_sock *ws, u32 ev, struct wsk_req *req)
{
	lockdep_assert_held(&ws->lock);
	if (wsk_sock_is_listener(ws) && ev != WSK_EVENT_ACCEPT) {
		wsk_listener(ws)->inherit &= ~ev;
		return 0;
	}
	ws->events &= ~ev;
	if (!(ws->cb_running & ev))
		return 0;
	if (req) {
		wsk_req_set_kind(req, WSK_REQ_EVENT);
		wsk_rp(req)->args.event.mask = ev;
		wsk_req_enqueue(&ws->pub, &ws->evwait_q, req);
	}
	return -EINPROGRESS;
}

/**
 * wsk_event_control - WSK_SO_EVENT_CALLBACK
 * @ws: the socket
 * @in_size: size of @in
 * @in: a &struct wsk_event_callback_control
 * @req: the request, or NULL
 *
 * Context: any; does not sleep.
 * Return: as wsk_control() documents for WSK_SO_EVENT_CALLBACK.
 */
int wsk_event_control(struct wsk_sock *ws, size_t in_size, const void *in, struct wsk_req *req)
{
	struct wsk_event_callback_control ctl;
	bool disable;
	unsigned long flags;
	u32 ev, allowed;
	int err;

	if (!in || in_size < sizeof(ctl))
		return -EINVAL;
	memcpy(&ctl, in, sizeof(ctl));
	disable = ctl.event_mask & WSK_EVENT_DISABLE;
	ev = ctl.event_mask & ~WSK_EVENT_DISABLE;
	if (!ev || (ev & ~(WSK_CONN_EVENTS | WSK_EVENT_ACCEPT)))
		return -EINVAL;
	if (disable && hweight32(ev) != 1)
		return -EINVAL;

	spin_lock_irqsave(&ws->lock, flags);
	allowed = wsk_event_allowed(ws);
	if (ws->closing)
		err = -ESHUTDOWN;
	/* Dead (the kernel closed the listener, the namespace went): off only. */
	else if (!disable && (ws->net_gone ||
			      (wsk_sock_is_listener(ws) && ws->state == WSK_SOCK_DEAD)))
		err = -ESHUTDOWN;
	else if (!allowed || (ev & ~allowed))
		err = -EINVAL;
	/* Static events (wsk_control_client()) are never disabled. */
	else if (disable && (ev & READ_ONCE(ws->client->static_events)))
		err = -EINVAL;
	else if (disable)
		err = wsk_event_disable(ws, ev, req);
	else
		err = wsk_event_enable(ws, ev);
	spin_unlock_irqrestore(&ws->lock, flags);
	trace_wsk_event_control(ws->id, ctl.event_mask, err);
	return err;
}
