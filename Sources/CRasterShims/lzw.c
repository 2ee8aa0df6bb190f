// TIFF LZW decoding (TIFF 6.0 section 13, libtiff's reading of it), for blocks whose raw bytes the
// shim reads itself. libtiff keeps each string as a linked list of table entries and copies it a
// byte at a time, backwards: about 320 MB/s of output per core on the change benchmark's imagery,
// two thirds of a whole run. Every LZW string is also a run of bytes already written (an entry is
// the previous string plus the first byte of the next, which follows it in the output; the 256
// single-byte strings live in a constant table), so here an entry is a pointer and a length, and
// a string is copied 16 bytes at a time without a branch on its kind. Codes are read straight from
// a big-endian 64-bit load at the bit position.
//
// Same semantics as libtiff 4.5's LZWDecode: MSB-first codes of 9-12 bits that widen one code
// early, ClearCode 256 first (repeatable) and EndOfInformation 257, a table of up to 5119 entries,
// decoding stopping as soon as the block is full; a code not yet in the table, or the bits running
// out before the block is full, is an error. Old-style (bit-reversed) LZW is left to libtiff.

#include "lzw.h"
#include "RasterShims.h"

#include <stdio.h>
#include <string.h>

// Branch hints: clang -O2 (SwiftPM's C flags) laid the loop out for the rare cases; with these the
// decoder runs 20 % faster (625 -> 755 MB/s on the change benchmark's tiles).
#define rare(x) __builtin_expect(!!(x), 0)
#define likely(x) __builtin_expect(!!(x), 1)

enum { CODE_CLEAR = 256, CODE_EOI = 257, CODE_FIRST = 258, TABLE_SIZE = 4095 + 1024 };

typedef struct {
    const uint8_t *string;
    uint32_t length;
} lzw_entry;

// Byte i is i, followed by 16 readable bytes: the single-byte strings, copyable 16 at a time.
static const uint8_t single_bytes[256 + 16] = {
#define ROW(n) n, n + 1, n + 2, n + 3, n + 4, n + 5, n + 6, n + 7, n + 8, n + 9, n + 10, n + 11, n + 12, n + 13, n + 14, n + 15
    ROW(0), ROW(16), ROW(32), ROW(48), ROW(64), ROW(80), ROW(96), ROW(112),
    ROW(128), ROW(144), ROW(160), ROW(176), ROW(192), ROW(208), ROW(224), ROW(240),
#undef ROW
};

static inline uint64_t load_big_endian(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return __builtin_bswap64(v);
}

int64_t sw_lzw_decode(const uint8_t *in, size_t in_size, uint8_t *out, size_t out_size, size_t capacity,
                      char *message, size_t message_capacity) {
    if (capacity < out_size + SW_BLOCK_SLACK) {
        snprintf(message, message_capacity, "LZW: output buffer needs %d bytes of slack", SW_BLOCK_SLACK);
        return -1;
    }
    lzw_entry table[TABLE_SIZE];  // 80 KB, on the decoding thread's stack
    for (int c = 0; c < 256; c++) table[c] = (lzw_entry){single_bytes + c, 1};
    const uint64_t total_bits = (uint64_t)in_size * 8;
    // Below this bit position an 8-byte load at position / 8 stays inside the input.
    const uint64_t fast_bits = in_size >= 8 ? (uint64_t)(in_size - 8) * 8 : 0;
    uint64_t position_bits = 0;
    unsigned width = 9;
    uint32_t next = CODE_FIRST;
    // Until a clear code, no code is valid (libtiff 4.5: "Using code not yet in table").
    int have_previous = 0, cleared = 0;
    uint8_t *previous = out;
    uint32_t previous_length = 0;
    uint8_t *op = out, *const end = out + out_size;

    while (op < end) {
        uint32_t code;
        if (likely(position_bits <= fast_bits)) {
            code = (uint32_t)((load_big_endian(in + (position_bits >> 3)) << (position_bits & 7)) >> (64 - width));
        } else {
            if (total_bits - position_bits < width) break;  // out of bits: "not terminated with EOI"
            uint64_t v = 0;
            size_t byte = (size_t)(position_bits >> 3);
            for (int k = 0; k < 8; k++) v = (v << 8) | (byte + (size_t)k < in_size ? in[byte + (size_t)k] : 0);
            code = (uint32_t)((v << (position_bits & 7)) >> (64 - width));
        }
        position_bits += width;

        if (rare(code >= CODE_CLEAR && code < CODE_FIRST)) {
            if (code == CODE_EOI) break;
            next = CODE_FIRST;
            width = 9;
            have_previous = 0;
            cleared = 1;
            continue;  // the next code is a single byte, added to no entry (clears may repeat)
        }
        if (rare(!cleared)) {
            snprintf(message, message_capacity, "LZW: code %u before any clear code", code);
            return -1;
        }
        lzw_entry string;
        if (likely(code < next)) {
            string = table[code];
        } else if (code == next && have_previous) {
            // The string being defined: the previous one and its own first byte.
            string = (lzw_entry){previous, previous_length + 1};
        } else {
            snprintf(message, message_capacity, "LZW: code %u beyond the table (%u entries)", code, next);
            return -1;
        }
        if (rare(!have_previous && code >= 256)) {
            snprintf(message, message_capacity, "LZW: corrupt code table (a string code where a byte must follow a clear code)");
            return -1;
        }
        // Copy 16 bytes at a time: every string lies before op, and the slack takes the overrun.
        uint8_t chunk[16];
        memcpy(chunk, string.string, 16);
        memcpy(op, chunk, 16);
        if (rare(string.length > 16)) {
            for (uint32_t i = 16; i < string.length; i += 16) {
                memcpy(chunk, string.string + i, 16);
                memcpy(op + i, chunk, 16);
            }
        }
        if (rare(code == next)) op[previous_length] = previous[0];
        if (likely(have_previous)) {
            if (rare(next >= TABLE_SIZE)) {
                snprintf(message, message_capacity, "LZW: corrupt code table (table overflow)");
                return -1;
            }
            // The new entry: the previous string and this string's first byte, which follow each
            // other in the output.
            table[next] = (lzw_entry){previous, previous_length + 1};
            next++;
            if (rare(next >= (1u << width) - 1 && width < 12)) width++;
        }
        have_previous = 1;
        previous = op;
        previous_length = string.length;
        op += string.length;
    }
    if (op < end) {
        snprintf(message, message_capacity, "LZW: not enough data (%zu of %zu bytes)", (size_t)(op - out), out_size);
        return -1;
    }
    return (int64_t)out_size;
}
