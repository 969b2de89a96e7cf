// SPDX-License-Identifier: GPL-2.0
/*
 * wsk: the synchronous helpers for process-context callers: a request with
 * a completion to wait on (struct wsk_sync), and wsk_listen_sync(), a
 * listener in one call. They only use the exported asynchronous calls.
 */
#include <linux/completion.h>
#include <linux/export.h>
#include <linux/socket.h>

#include "internal.h"

static void wsk_sync_complete(struct wsk_req *req)
{
	struct wsk_sync *sync = container_of(req, struct wsk_sync, req);

	complete(&sync->done);
}

/**
 * wsk_sync_init - prepare a &struct wsk_sync for one operation
 * @sync: the helper; re-initialise it before each operation
 *
 * Context: any.
 */
void wsk_sync_init(struct wsk_sync *sync)
{
	wsk_req_init(&sync->req, wsk_sync_complete, NULL);
	init_completion(&sync->done);
}
EXPORT_SYMBOL_NS_GPL(wsk_sync_init, WSK);

/**
 * wsk_sync_wait - wait for the operation submitted with @sync->req
 * @sync: the helper
 * @ret: the value the submitting call returned
 *
 * If @ret is -EINPROGRESS, waits (uninterruptibly, without limit: an accept
 * may wait forever; see wsk_sync_wait_timeout()) for the completion. If the
 * request was refused (-EBUSY, -EINVAL with nothing completed), returns @ret;
 * -EBUSY only while the earlier submission of @sync->req is still pending
 * (once that one has completed, this returns its status).
 *
 * Context: process context; sleeps.
 * Return: @sync->req.status once the request has completed, else @ret.
 */
int wsk_sync_wait(struct wsk_sync *sync, int ret)
{
	might_sleep();
	/*
	 * Any value but -EINPROGRESS means the request was either completed
	 * inside the call (then done is already signalled) or refused.
	 * completion_done() also waits for a complete() still in progress.
	 */
	if (ret != -EINPROGRESS && !completion_done(&sync->done))
		return ret;
	wait_for_completion(&sync->done);
	return sync->req.status;
}
EXPORT_SYMBOL_NS_GPL(wsk_sync_wait, WSK);

/**
 * wsk_sync_wait_timeout - wsk_sync_wait() with a limit
 * @sync: the helper
 * @ret: the value the submitting call returned
 * @timeout: in jiffies
 *
 * As wsk_sync_wait(), but when @timeout expires the request is cancelled
 * and its completion awaited, which comes in bounded time whether or not
 * the request could be cancelled (see wsk_req_cancel()).
 *
 * Context: process context; sleeps.
 * Return: @sync->req.status (-ECANCELED if the cancel won), or @ret if the
 * request was refused.
 */
int wsk_sync_wait_timeout(struct wsk_sync *sync, int ret, unsigned long timeout)
{
	might_sleep();
	if (ret != -EINPROGRESS && !completion_done(&sync->done))
		return ret;
	if (!wait_for_completion_timeout(&sync->done, timeout)) {
		wsk_req_cancel(&sync->req);
		wait_for_completion(&sync->done);
	}
	return sync->req.status;
}
EXPORT_SYMBOL_NS_GPL(wsk_sync_wait_timeout, WSK);

/* Set one u32 or int option on @s and wait; Context: process. */
static int wsk_sync_setopt(struct wsk_socket *s, u32 code, u32 value)
{
	struct wsk_sync sync;

	wsk_sync_init(&sync);
	return wsk_sync_wait(&sync, wsk_control(s, WSK_SET_OPTION, code, SOL_SOCKET,
						sizeof(value), &value, 0, NULL, NULL,
						&sync.req));
}

/* Configure, bind and enable the events of a new listener @s; Context: process. */
static int wsk_listen_setup(struct wsk_socket *s, const struct sockaddr *addr, int addrlen,
			    const struct wsk_listen_params *p)
{
	struct wsk_event_callback_control events = { .event_mask = p->events };
	struct wsk_sync sync;
	int err = 0;

	if (p->reuseaddr)
		err = wsk_sync_setopt(s, SO_REUSEADDR, 1);
	if (!err && p->backlog)
		err = wsk_sync_setopt(s, WSK_SO_LISTEN_BACKLOG, p->backlog);
	if (!err && p->conditional)
		err = wsk_sync_setopt(s, WSK_SO_CONDITIONAL_ACCEPT, 1);
	if (!err) {
		wsk_sync_init(&sync);
		err = wsk_sync_wait(&sync, wsk_bind(s, addr, addrlen, 0, &sync.req));
	}
	if (!err && p->events) {
		wsk_sync_init(&sync);
		err = wsk_sync_wait(&sync, wsk_control(s, WSK_SET_OPTION, WSK_SO_EVENT_CALLBACK,
						       SOL_SOCKET, sizeof(events), &events, 0,
						       NULL, NULL, &sync.req));
	}
	return err;
}

/**
 * wsk_listen_sync - create, configure, bind and start a listener, and wait
 * @client: the registered client
 * @net: the namespace, as for wsk_socket()
 * @addr: the local address; its family is the listener's (AF_INET or
 *	AF_INET6)
 * @addrlen: its length
 * @params: the options and events (see &struct wsk_listen_params)
 * @listener: set to the socket as soon as it exists (the callbacks that
 *	@params->events enables may run before this returns, and may use it),
 *	to NULL again if a step fails; NULL at once for an invalid argument
 *
 * The calls a listener takes, made and waited for in order: wsk_socket(),
 * the options of @params, wsk_bind(), then the events. The listener is
 * listening, and its events enabled, when this returns 0; close it with
 * wsk_close() as any other. If a step fails, the socket is closed (and the
 * close waited for) before this returns that step's error.
 *
 * Context: process context; sleeps.
 * Return: 0; -EINVAL for a NULL argument, a too short @addrlen or what the
 * steps reject as invalid; else the first error of wsk_socket(),
 * wsk_control() or wsk_bind() (-EADDRINUSE, -ENOMEM, -ESHUTDOWN, ...).
 */
int wsk_listen_sync(struct wsk_client *client, struct net *net, const struct sockaddr *addr,
		    int addrlen, const struct wsk_listen_params *params,
		    struct wsk_socket **listener)
{
	struct wsk_socket *s;
	struct wsk_sync sync;
	int err;

	might_sleep();
	if (!listener)
		return -EINVAL;
	*listener = NULL;
	if (!client || !net || !addr || !params || addrlen < (int)sizeof(addr->sa_family))
		return -EINVAL;

	wsk_sync_init(&sync);
	err = wsk_sync_wait(&sync, wsk_socket(client, net, addr->sa_family,
					      WSK_FLAG_LISTEN_SOCKET, params->socket_context,
					      params->dispatch, &sync.req));
	if (err)
		return err;
	/* Callbacks the events enable may run before we return: they see it. */
	s = sync.req.result.socket;
	WRITE_ONCE(*listener, s);

	err = wsk_listen_setup(s, addr, addrlen, params);
	if (err) {
		/* -ESHUTDOWN if a callback closed it meanwhile: closed all the same. */
		wsk_sync_init(&sync);
		wsk_sync_wait(&sync, wsk_close(s, &sync.req));
		WRITE_ONCE(*listener, NULL);
	}
	return err;
}
EXPORT_SYMBOL_NS_GPL(wsk_listen_sync, WSK);
