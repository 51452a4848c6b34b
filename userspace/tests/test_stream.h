/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_TEST_STREAM_H
#define GOTRACE_TEST_STREAM_H

/* Unit tests of the incremental record scanner, run by test_reader. */
void test_stream(void);

#endif /* GOTRACE_TEST_STREAM_H */
