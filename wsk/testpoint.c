// SPDX-License-Identifier: GPL-2.0
/*
 * wsk: test points, built only against kernels with KUnit (the debug test
 * kernels). See wsk_test_point() in internal.h.
 */
#include <linux/export.h>

#include "internal.h"

/*
 * Set and cleared by the KUnit suites only (WRITE_ONCE), read at each test
 * point (READ_ONCE). A suite clears it before it closes the sockets it made
 * stop, so no call is in flight once its sockets are closed.
 */
wsk_test_hook_t wsk_test_hook;
EXPORT_SYMBOL_NS_GPL(wsk_test_hook, WSK);
