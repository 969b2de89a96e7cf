# SPDX-License-Identifier: GPL-2.0
# Kernel features probed in the tree's headers, for compat.h (and for the
# KUnit suites that test what only some kernels have). Included by the
# Kbuild files of wsk/ and kunit/.
ccflags-y += $(shell grep -qs 'TRACE_EVENT.sk_data_ready,' \
	$(srctree)/include/trace/events/sock.h && echo -DWSK_HAVE_TRACE_SK_DATA_READY)
ccflags-y += $(shell grep -qs 'void sk_net_refcnt_upgrade' \
	$(srctree)/include/net/sock.h && echo -DWSK_HAVE_SK_NET_REFCNT_UPGRADE)
ccflags-y += $(shell grep -qs 'bool skb_frags_readable' \
	$(srctree)/include/linux/skbuff.h && echo -DWSK_HAVE_SKB_FRAGS_READABLE)
ccflags-y += $(shell grep -qs 'INET_FLAGS_FREEBIND' \
	$(srctree)/include/net/inet_sock.h && echo -DWSK_HAVE_INET_FLAGS_FREEBIND)
ccflags-y += $(shell grep -qs 'int kunit_add_action_or_reset' \
	$(srctree)/include/kunit/resource.h && echo -DWSK_HAVE_KUNIT_ACTIONS)
ccflags-y += $(shell grep -qs 'ssize_t skb_splice_from_iter' \
	$(srctree)/include/linux/skbuff.h && echo -DWSK_HAVE_TCP_SPLICE_PAGES)
