/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The entry points of fuzz_reader.c: libFuzzer's (it installs no header
 * that declares them) and, in fuzz_dump, the setvbuf() that
 * -Wl,--wrap=setvbuf links in.
 */
#ifndef GOTRACE_TESTS_FUZZ_READER_H
#define GOTRACE_TESTS_FUZZ_READER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
int __wrap_setvbuf(FILE *f, char *buf, int mode, size_t size);

#endif /* GOTRACE_TESTS_FUZZ_READER_H */
