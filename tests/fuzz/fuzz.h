/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef TR_FUZZ_H
#define TR_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Keeps reads in fuzz targets from being optimised away. */
extern volatile unsigned fuzz_sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
