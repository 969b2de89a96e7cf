// SPDX-License-Identifier: GPL-2.0
/*
 * The suites' helpers (util.c) once more, for wsk_fuzz.ko: kbuild links an
 * object into one module only.
 */
#include "util.c"
