// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "wsk_harness": proves the test harness end to end. It checks
 * that wsk.ko is live (its debugfs directory exists) and that the guest can
 * run an in-kernel loopback TCP connection, which every other suite needs.
 */
#include <kunit/test.h>
#include <linux/in.h>
#include <linux/namei.h>
#include <linux/net.h>
#include <net/net_namespace.h>
#include <net/sock.h>

static void wsk_harness_debugfs_dir(struct kunit *test)
{
	struct path path;
	int err;

	err = kern_path("/sys/kernel/debug/wsk/stats", LOOKUP_FOLLOW, &path);
	KUNIT_ASSERT_EQ_MSG(test, err, 0, "wsk debugfs stats file missing");
	KUNIT_EXPECT_TRUE(test, d_is_reg(path.dentry));
	path_put(&path);
}

static void wsk_harness_loopback_accept(struct kunit *test)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	struct sockaddr_in peer, local;
	struct socket *lsock, *csock, *asock = NULL;
	int err;

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, AF_INET, SOCK_STREAM,
					       IPPROTO_TCP, &lsock), 0);
	err = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP, &csock);
	if (err) {
		sock_release(lsock);
		KUNIT_FAIL(test, "client socket: %d", err);
		return;
	}
	err = kernel_bind(lsock, (struct sockaddr *)&addr, sizeof(addr));
	KUNIT_EXPECT_EQ(test, err, 0);
	if (!err)
		err = kernel_listen(lsock, 8);
	KUNIT_EXPECT_EQ(test, err, 0);
	if (!err)
		err = kernel_getsockname(lsock, (struct sockaddr *)&addr) < 0;
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_NE(test, ntohs(addr.sin_port), 0);
	if (!err)
		err = kernel_connect(csock, (struct sockaddr *)&addr, sizeof(addr), 0);
	KUNIT_EXPECT_EQ(test, err, 0);
	if (!err)
		err = kernel_accept(lsock, &asock, 0);
	KUNIT_EXPECT_EQ(test, err, 0);
	if (!err) {
		/* The accepted socket's peer is the client's local address. */
		KUNIT_EXPECT_GT(test, kernel_getpeername(asock, (struct sockaddr *)&peer), 0);
		KUNIT_EXPECT_GT(test, kernel_getsockname(csock, (struct sockaddr *)&local), 0);
		KUNIT_EXPECT_EQ(test, ntohs(peer.sin_port), ntohs(local.sin_port));
		sock_release(asock);
	}
	sock_release(csock);
	sock_release(lsock);
}

static struct kunit_case wsk_harness_cases[] = {
	KUNIT_CASE(wsk_harness_debugfs_dir),
	KUNIT_CASE(wsk_harness_loopback_accept),
	{}
};

static struct kunit_suite wsk_harness_suite = {
	.name = "wsk_harness",
	.test_cases = wsk_harness_cases,
};

kunit_test_suite(wsk_harness_suite);

MODULE_DESCRIPTION("KUnit tests for wsk");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(WSK);
