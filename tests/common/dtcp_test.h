/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Minimal test harness shared by the C tests: CHECK* macros record failures
 * with file:line and keep going; RUN_TEST prints one line per test; the
 * program exits non-zero if anything failed (meson reads the exit status).
 */
#ifndef DTCP_TEST_H
#define DTCP_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Weak: one counter shared by every file of a test program (harness + tests). */
__attribute__((weak)) unsigned int dtcp_test_failures;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
			dtcp_test_failures++;                                                      \
		}                                                                                  \
	} while (0)

#define CHECK_EQ(a, b)                                                                             \
	do {                                                                                       \
		long long va_ = (long long)(a), vb_ = (long long)(b);                              \
		if (va_ != vb_) {                                                                  \
			fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %lld, %s == %lld\n",        \
				__FILE__, __LINE__, #a, va_, #b, vb_);                             \
			dtcp_test_failures++;                                                      \
		}                                                                                  \
	} while (0)

/* Compare byte arrays; on mismatch print the first differing offset and both bytes. */
#define CHECK_BYTES(got, want, len)                                                                \
	do {                                                                                       \
		const uint8_t *g_ = (const uint8_t *)(got), *w_ = (const uint8_t *)(want);         \
		size_t l_ = (len);                                                                 \
		for (size_t i_ = 0; i_ < l_; i_++) {                                               \
			if (g_[i_] != w_[i_]) {                                                    \
				fprintf(stderr,                                                    \
					"%s:%d: CHECK_BYTES failed at offset %zu: got 0x%02x, "    \
					"want 0x%02x\n",                                           \
					__FILE__, __LINE__, i_, g_[i_], w_[i_]);                   \
				dtcp_test_failures++;                                              \
				break;                                                             \
			}                                                                          \
		}                                                                                  \
	} while (0)

#define RUN_TEST(fn)                                                                               \
	do {                                                                                       \
		unsigned int before_ = dtcp_test_failures;                                         \
		fn();                                                                              \
		printf("%s %s\n", dtcp_test_failures == before_ ? "ok  " : "FAIL", #fn);           \
	} while (0)

#define TEST_EXIT() (dtcp_test_failures == 0 ? 0 : 1)

#endif
