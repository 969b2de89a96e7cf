// SPDX-License-Identifier: GPL-2.0
/*
 * wsk: clients (WskRegister / WskDeregister).
 *
 * A client pins wsk.ko while registered. Each socket holds one count of its
 * client's nr_sockets from allocation until it is freed; the count drops only
 * after the socket's last completion routine (the close's) has returned, so
 * once wsk_deregister() returns nothing calls into the client again.
 */
#include <linux/err.h>
#include <linux/export.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait_bit.h>

#include "internal.h"

static atomic64_t wsk_client_ids = ATOMIC64_INIT(0);

/**
 * wsk_register - register a client (WskRegister)
 * @owner: the client's module, THIS_MODULE (NULL for built-in code)
 *
 * Every socket belongs to a client. While a client is registered, wsk.ko
 * cannot be unloaded.
 *
 * Context: process context; may sleep.
 * Return: the client, or ERR_PTR(-ENOMEM).
 */
struct wsk_client *wsk_register(struct module *owner)
{
	struct wsk_client *client;

	might_sleep();
	client = kzalloc(sizeof(*client), GFP_KERNEL);
	if (!client)
		return ERR_PTR(-ENOMEM);
	client->owner = owner;
	client->id = atomic64_inc_return(&wsk_client_ids);
	strscpy(client->name, owner ? module_name(owner) : "kernel", sizeof(client->name));
	atomic_set(&client->nr_sockets, 0);
	spin_lock_init(&client->lock);
	__module_get(THIS_MODULE);
	wsk_stat_inc(&wsk_stats.clients);
	return client;
}
EXPORT_SYMBOL_NS_GPL(wsk_register, WSK);

/**
 * wsk_deregister - unregister a client (WskDeregister)
 * @client: from wsk_register(); NULL is a no-op
 *
 * Waits until every socket of @client has been closed and every completion
 * routine and callback into it has returned, then frees @client. A client
 * module can call it from its module_exit and is never called afterwards.
 * The caller must close its sockets (or have their closes pending) or this
 * waits forever, and must not create sockets once it has called this
 * (wsk_socket() says -ESHUTDOWN while it can still tell).
 *
 * Context: process context; sleeps. Not from a completion routine.
 */
void wsk_deregister(struct wsk_client *client)
{
	if (!client)
		return;
	might_sleep();
	WRITE_ONCE(client->dying, true);
	wait_var_event(&client->nr_sockets, !atomic_read(&client->nr_sockets));
	/* After a grace period: the debugfs listing may still read it (internal.h). */
	kfree_rcu(client, rcu);
	wsk_stat_dec(&wsk_stats.clients);
	module_put(THIS_MODULE);
}
EXPORT_SYMBOL_NS_GPL(wsk_deregister, WSK);

/* Context: any. */
void wsk_client_get_socket(struct wsk_client *client)
{
	atomic_inc(&client->nr_sockets);
}

/*
 * Context: any. The caller must not touch the client afterwards: the last
 * put lets wsk_deregister() free it. wake_up_var() only hashes the address.
 */
void wsk_client_put_socket(struct wsk_client *client)
{
	if (atomic_dec_and_test(&client->nr_sockets))
		wake_up_var(&client->nr_sockets);
}

/*
 * @client asks for a socket (wsk_socket(), wsk_socket_connect()): its static
 * events are fixed from now on. Context: any.
 */
void wsk_client_made_socket(struct wsk_client *client)
{
	unsigned long flags;

	spin_lock_irqsave(&client->lock, flags);
	client->made_socket = true;
	spin_unlock_irqrestore(&client->lock, flags);
}

/**
 * wsk_control_client - client-level control (WskControlClient)
 * @client: the client
 * @code: WSK_SET_STATIC_EVENT_CALLBACKS
 * @in_size: size of @in
 * @in: a &struct wsk_event_callback_control: the events, any of
 *	WSK_EVENT_ACCEPT, WSK_EVENT_RECEIVE, WSK_EVENT_DISCONNECT and
 *	WSK_EVENT_SEND_BACKLOG (not WSK_EVENT_DISABLE)
 * @out_size: unused (0)
 * @out: unused (NULL)
 * @out_returned: if not NULL, set to 0
 *
 * WSK_SET_STATIC_EVENT_CALLBACKS, before the client's first socket: from
 * then on, every socket of @client has those of the events its client
 * dispatch has a callback for enabled as soon as it can have them (a listen
 * socket when it listens, a connection socket once accepted or connected),
 * and they cannot be disabled (WSK_SO_EVENT_CALLBACK with
 * WSK_EVENT_DISABLE: -EINVAL), as in WSK. A later call before the first
 * socket replaces the set.
 *
 * Context: process context; may sleep.
 * Return: 0; -EINVAL for a NULL @client or @in, a short @in_size, an empty
 * set, bits that are not those events, or a client that has asked for a
 * socket already; -EOPNOTSUPP for another @code.
 */
int wsk_control_client(struct wsk_client *client, u32 code, size_t in_size, const void *in,
		       size_t out_size, void *out, size_t *out_returned)
{
	struct wsk_event_callback_control ctl;
	unsigned long flags;
	int err = 0;

	might_sleep();
	if (out_returned)
		*out_returned = 0;
	if (!client)
		return -EINVAL;
	if (code != WSK_SET_STATIC_EVENT_CALLBACKS)
		return -EOPNOTSUPP;
	if (!in || in_size < sizeof(ctl))
		return -EINVAL;
	memcpy(&ctl, in, sizeof(ctl));
	if (!ctl.event_mask || (ctl.event_mask & ~(WSK_CONN_EVENTS | WSK_EVENT_ACCEPT)))
		return -EINVAL;

	spin_lock_irqsave(&client->lock, flags);
	if (client->made_socket)
		err = -EINVAL;
	else
		client->static_events = ctl.event_mask;
	spin_unlock_irqrestore(&client->lock, flags);
	return err;
}
EXPORT_SYMBOL_NS_GPL(wsk_control_client, WSK);

static const struct wsk_provider_dispatch wsk_provider_dispatch = {
	.socket = wsk_socket,
	.socket_connect = wsk_socket_connect,
	.control_client = wsk_control_client,
};

/**
 * wsk_provider - the client-level provider table (WSK_PROVIDER_DISPATCH)
 * @client: a registered client
 *
 * The table WskCaptureProviderNPI gives a WSK client, for ported code that
 * calls through it. The same for every client.
 *
 * Context: any.
 * Return: the table; NULL for a NULL @client.
 */
const struct wsk_provider_dispatch *wsk_provider(struct wsk_client *client)
{
	return client ? &wsk_provider_dispatch : NULL;
}
EXPORT_SYMBOL_NS_GPL(wsk_provider, WSK);
