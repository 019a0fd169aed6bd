// SPDX-License-Identifier: GPL-2.0-only
/* fuzz_sink for targets built with libFuzzer (standalone.c has its own). */
#include "fuzz.h"

volatile unsigned fuzz_sink;
