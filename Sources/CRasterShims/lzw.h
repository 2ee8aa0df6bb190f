#ifndef SITEWATCH_LZW_H
#define SITEWATCH_LZW_H

#include <stddef.h>
#include <stdint.h>

/// Decodes one TIFF LZW block (MSB-first codes) of `in_size` bytes into exactly `out_size` bytes
/// at `out`, which has `capacity` >= out_size + SW_BLOCK_SLACK writable bytes (strings are copied
/// 16 bytes at a time, and the last may run past out_size). Returns out_size, or -1 with a message
/// for corrupt or short data.
int64_t sw_lzw_decode(const uint8_t *in, size_t in_size, uint8_t *out, size_t out_size, size_t capacity,
                      char *message, size_t message_capacity);

#endif
