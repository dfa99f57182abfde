/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>

#include "steer/toeplitz.h"

/* The 32 key bits starting at bit @p k (bit 0 is the MSB of key[0]). */
static uint32_t
key_window(const uint8_t *key, unsigned int k)
{
	unsigned int byte = k / 8, shift = k % 8;
	uint64_t w = 0;

	for (unsigned int i = 0; i < 5; i++)
		w = w << 8 | key[byte + i];
	return (uint32_t)(w >> (8 - shift));
}

int
dtcp_toeplitz_init(struct dtcp_toeplitz *tz, const uint8_t *key, size_t key_len)
{
	/* Input bit 95 reads key bits 95..126, i.e. up to byte 15; the window reads one more. */
	if (key_len < DTCP_TOEPLITZ_V4_LEN + 5)
		return -EINVAL;
	for (unsigned int i = 0; i < DTCP_TOEPLITZ_V4_LEN; i++) {
		uint32_t bit[8];

		/* bit[j]: what the j-th most significant bit of input byte i contributes. */
		for (unsigned int j = 0; j < 8; j++)
			bit[j] = key_window(key, i * 8 + j);
		for (unsigned int v = 0; v < 256; v++) {
			uint32_t h = 0;

			for (unsigned int j = 0; j < 8; j++)
				if (v & (0x80u >> j))
					h ^= bit[j];
			tz->t[i][v] = h;
		}
	}
	return 0;
}
