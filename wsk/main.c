// SPDX-License-Identifier: GPL-2.0
/*
 * wsk: the Windows Winsock Kernel accept model for Linux kernel modules.
 *
 * Module init and exit, and nothing else.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "internal.h"

struct workqueue_struct *wsk_wq;
struct kmem_cache *wsk_listener_cache;
struct kmem_cache *wsk_conn_cache;

static int __init wsk_init(void)
{
	int err = -ENOMEM;

	/*
	 * Block and storage drivers may serve their I/O through wsk: its work
	 * must make progress under memory pressure (a rescuer thread).
	 */
	wsk_wq = alloc_workqueue("wsk", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!wsk_wq)
		return err;
	wsk_listener_cache = KMEM_CACHE(wsk_listener, 0);
	if (!wsk_listener_cache)
		goto err_wq;
	wsk_conn_cache = KMEM_CACHE(wsk_conn, 0);
	if (!wsk_conn_cache)
		goto err_cache;
	err = wsk_net_init();
	if (err)
		goto err_cache;
	err = wsk_debugfs_init();
	if (err)
		goto err_net;
	return 0;

err_net:
	wsk_net_exit_module();
err_cache:
	kmem_cache_destroy(wsk_conn_cache);
	kmem_cache_destroy(wsk_listener_cache);
err_wq:
	destroy_workqueue(wsk_wq);
	return err;
}

static void __exit wsk_exit(void)
{
	/* No client is registered, so no socket is left: see client.c. */
	wsk_debugfs_exit();
	wsk_net_exit_module();
	wsk_conn_exit_module();
	destroy_workqueue(wsk_wq);	/* the last close works finish */
	rcu_barrier();			/* the last sockets are freed */
	kmem_cache_destroy(wsk_conn_cache);
	kmem_cache_destroy(wsk_listener_cache);
}

module_init(wsk_init);
module_exit(wsk_exit);

MODULE_DESCRIPTION("Winsock Kernel (WSK) style asynchronous accept for kernel modules");
MODULE_LICENSE("GPL");
MODULE_VERSION(WSK_VERSION);
