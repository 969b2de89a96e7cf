// SPDX-License-Identifier: GPL-2.0
/*
 * wsk: the Windows Winsock Kernel accept model for Linux kernel modules.
 *
 * Module init and exit, and nothing else.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "internal.h"

static int __init wsk_init(void)
{
	return wsk_debugfs_init();
}

static void __exit wsk_exit(void)
{
	wsk_debugfs_exit();
}

module_init(wsk_init);
module_exit(wsk_exit);

MODULE_DESCRIPTION("Winsock Kernel (WSK) style asynchronous accept for kernel modules");
MODULE_LICENSE("GPL");
