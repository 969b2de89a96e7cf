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

void wsk_sync_init(struct wsk_sync *sync)
{
	wsk_req_init(&sync->req, wsk_sync_complete, NULL);
	init_completion(&sync->done);
}
EXPORT_SYMBOL_NS_GPL(wsk_sync_init, WSK);

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
