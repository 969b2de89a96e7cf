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
