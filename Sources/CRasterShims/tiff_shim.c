#include "RasterShims.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

#include "lzw.h"

struct sw_tiff {
    TIFF *tif;
    char error[SW_MESSAGE_CAPACITY];
    /// Blocks decoded by sw_lzw_decode from raw bytes read here: 0 not decided yet, 1 yes, 2 no.
    int own_lzw;
};

// The raw bytes of a block, read for sw_lzw_decode: one buffer per thread, kept, so that the many
// handles of a tile mosaic do not each fault in a fresh one.
static __thread uint8_t *raw_block;
static __thread size_t raw_capacity;

// MARK: GeoTIFF and GDAL tags

// libtiff does not know the GeoTIFF tags. Unregistered, their counts come back with the wrong
// integer width, so register them once, as libgeotiff's xtiff.c does.
static const TIFFFieldInfo geotiff_fields[] = {
    {33550, -1, -1, TIFF_DOUBLE, FIELD_CUSTOM, 1, 1, "ModelPixelScaleTag"},
    {33922, -1, -1, TIFF_DOUBLE, FIELD_CUSTOM, 1, 1, "ModelTiepointTag"},
    {34264, -1, -1, TIFF_DOUBLE, FIELD_CUSTOM, 1, 1, "ModelTransformationTag"},
    {34735, -1, -1, TIFF_SHORT, FIELD_CUSTOM, 1, 1, "GeoKeyDirectoryTag"},
    {34736, -1, -1, TIFF_DOUBLE, FIELD_CUSTOM, 1, 1, "GeoDoubleParamsTag"},
    {34737, -1, -1, TIFF_ASCII, FIELD_CUSTOM, 1, 0, "GeoAsciiParamsTag"},
    {42112, -1, -1, TIFF_ASCII, FIELD_CUSTOM, 1, 0, "GDALMetadata"},
    {42113, -1, -1, TIFF_ASCII, FIELD_CUSTOM, 1, 0, "GDALNoDataValue"},
};

static TIFFExtendProc parent_extender = NULL;

static void geotiff_extender(TIFF *tif) {
    TIFFMergeFieldInfo(tif, geotiff_fields, sizeof(geotiff_fields) / sizeof(geotiff_fields[0]));
    if (parent_extender) parent_extender(tif);
}

static void install_extender_once(void) {
    parent_extender = TIFFSetTagExtender(geotiff_extender);
    // Errors are captured per handle below; nothing may reach stderr through the global handlers.
    TIFFSetErrorHandler(NULL);
    TIFFSetWarningHandler(NULL);
}

static pthread_once_t extender_once = PTHREAD_ONCE_INIT;

// MARK: Per-handle error capture

static int capture_error(TIFF *tif, void *user_data, const char *module, const char *fmt, va_list ap) {
    (void)tif;
    struct sw_tiff *handle = user_data;
    char text[SW_MESSAGE_CAPACITY];
    vsnprintf(text, sizeof text, fmt, ap);
    // Keep the first error: later ones are usually consequences of it.
    if (handle->error[0] == '\0') {
        if (module && *module)
            snprintf(handle->error, sizeof handle->error, "%s: %s", module, text);
        else
            snprintf(handle->error, sizeof handle->error, "%s", text);
    }
    return 1;  // handled: do not call the global handler
}

static int ignore_warning(TIFF *tif, void *user_data, const char *module, const char *fmt, va_list ap) {
    (void)tif; (void)user_data; (void)module; (void)fmt; (void)ap;
    return 1;
}

sw_tiff *sw_tiff_open(const char *path, const char *mode, int64_t max_single_alloc,
                      char message[SW_MESSAGE_CAPACITY]) {
    pthread_once(&extender_once, install_extender_once);
    struct sw_tiff *handle = calloc(1, sizeof *handle);
    if (!handle) {
        snprintf(message, SW_MESSAGE_CAPACITY, "out of memory");
        return NULL;
    }
    TIFFOpenOptions *options = TIFFOpenOptionsAlloc();
    TIFFOpenOptionsSetErrorHandlerExtR(options, capture_error, handle);
    TIFFOpenOptionsSetWarningHandlerExtR(options, ignore_warning, handle);
    if (max_single_alloc > 0) TIFFOpenOptionsSetMaxSingleMemAlloc(options, (tmsize_t)max_single_alloc);
    handle->tif = TIFFOpenExt(path, mode, options);
    TIFFOpenOptionsFree(options);
    if (!handle->tif) {
        snprintf(message, SW_MESSAGE_CAPACITY, "%s", handle->error[0] ? handle->error : "cannot open");
        free(handle);
        return NULL;
    }
    return handle;
}

int sw_tiff_close(sw_tiff *handle, char message[SW_MESSAGE_CAPACITY]) {
    if (!handle) return 1;
    handle->error[0] = '\0';
    int ok = 1;
    if (TIFFGetMode(handle->tif) != O_RDONLY) {
        ok = TIFFFlush(handle->tif);
    }
    TIFFClose(handle->tif);
    if (handle->error[0]) ok = 0;
    if (!ok && message) snprintf(message, SW_MESSAGE_CAPACITY, "%s", handle->error[0] ? handle->error : "write failed");
    free(handle);
    return ok;
}

const char *sw_tiff_error(const sw_tiff *handle) { return handle->error; }
void sw_tiff_clear_error(sw_tiff *handle) { handle->error[0] = '\0'; }

// MARK: Typed tag access (TIFFGetField and TIFFSetField are variadic, so Swift cannot call them)

int sw_tiff_get_u16(sw_tiff *h, uint32_t tag, uint16_t *value) { return TIFFGetField(h->tif, tag, value); }
int sw_tiff_get_u16_defaulted(sw_tiff *h, uint32_t tag, uint16_t *value) {
    return TIFFGetFieldDefaulted(h->tif, tag, value);
}
int sw_tiff_get_u32(sw_tiff *h, uint32_t tag, uint32_t *value) { return TIFFGetField(h->tif, tag, value); }
int sw_tiff_get_u32_defaulted(sw_tiff *h, uint32_t tag, uint32_t *value) {
    return TIFFGetFieldDefaulted(h->tif, tag, value);
}

int sw_tiff_get_u16_array(sw_tiff *h, uint32_t tag, uint32_t *count, const uint16_t **values) {
    uint16_t n = 0;
    uint16_t *v = NULL;
    if (!TIFFGetField(h->tif, tag, &n, &v) || !v) return 0;
    *count = n;
    *values = v;
    return 1;
}

int sw_tiff_get_double_array(sw_tiff *h, uint32_t tag, uint32_t *count, const double **values) {
    uint16_t n = 0;
    double *v = NULL;
    if (!TIFFGetField(h->tif, tag, &n, &v) || !v) return 0;
    *count = n;
    *values = v;
    return 1;
}

int sw_tiff_get_ascii(sw_tiff *h, uint32_t tag, const char **value) {
    char *v = NULL;
    if (!TIFFGetField(h->tif, tag, &v) || !v) return 0;
    *value = v;
    return 1;
}

int sw_tiff_is_tiled(sw_tiff *h) { return TIFFIsTiled(h->tif); }
int sw_tiff_is_bigtiff(sw_tiff *h) { return TIFFIsBigTIFF(h->tif); }
uint32_t sw_tiff_directory_count(sw_tiff *h) {
    tdir_t current = TIFFCurrentDirectory(h->tif);
    uint32_t n = TIFFNumberOfDirectories(h->tif);
    TIFFSetDirectory(h->tif, current);
    return n;
}
int sw_tiff_set_directory(sw_tiff *h, uint32_t index) { return TIFFSetDirectory(h->tif, (tdir_t)index); }
int64_t sw_tiff_tile_size(sw_tiff *h) { return (int64_t)TIFFTileSize64(h->tif); }
int64_t sw_tiff_strip_size(sw_tiff *h) { return (int64_t)TIFFStripSize64(h->tif); }
uint32_t sw_tiff_block_count(sw_tiff *h) {
    return TIFFIsTiled(h->tif) ? TIFFNumberOfTiles(h->tif) : TIFFNumberOfStrips(h->tif);
}

// Whether this handle's blocks go through sw_lzw_decode: LZW, no predictor left to libtiff (none,
// or taken over), most significant bit first. Decided at the first block, after any take-over.
static int decide_own_lzw(sw_tiff *h) {
    uint16_t compression = 0, predictor = PREDICTOR_NONE, fill = FILLORDER_MSB2LSB;
    TIFFGetFieldDefaulted(h->tif, TIFFTAG_COMPRESSION, &compression);
    if (compression != COMPRESSION_LZW) return 2;
    TIFFGetField(h->tif, TIFFTAG_PREDICTOR, &predictor);
    TIFFGetFieldDefaulted(h->tif, TIFFTAG_FILLORDER, &fill);
    return predictor == PREDICTOR_NONE && fill == FILLORDER_MSB2LSB ? 1 : 2;
}

// The bytes libtiff's TIFFReadEncodedTile / TIFFReadEncodedStrip would decode for this block.
static tmsize_t block_size(TIFF *tif, uint32_t index) {
    if (TIFFIsTiled(tif)) return TIFFTileSize(tif);
    uint32_t height = 0, rows_per_strip = 0;
    TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &height);
    TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &rows_per_strip);
    if (rows_per_strip == 0 || rows_per_strip > height) rows_per_strip = height;
    uint32_t per_plane = rows_per_strip ? (height + rows_per_strip - 1) / rows_per_strip : 1;
    uint32_t first = (index % (per_plane ? per_plane : 1)) * rows_per_strip;
    uint32_t rows = height - first < rows_per_strip ? height - first : rows_per_strip;
    return TIFFVStripSize(tif, rows);
}

int64_t sw_tiff_read_block(sw_tiff *h, uint32_t index, void *buffer, int64_t capacity) {
    if (h->own_lzw == 0) h->own_lzw = decide_own_lzw(h);
    if (h->own_lzw == 1) {
        uint64_t raw_size = TIFFGetStrileByteCount(h->tif, index);
        tmsize_t size = block_size(h->tif, index);
        if (raw_size > 2 && size > 0 && size + SW_BLOCK_SLACK <= capacity) {
            if (raw_size > raw_capacity) {
                uint8_t *grown = realloc(raw_block, (size_t)raw_size);
                if (!grown) { snprintf(h->error, SW_MESSAGE_CAPACITY, "out of memory for a %llu-byte block", (unsigned long long)raw_size); return -1; }
                raw_block = grown;
                raw_capacity = (size_t)raw_size;
            }
            tmsize_t n = TIFFIsTiled(h->tif) ? TIFFReadRawTile(h->tif, index, raw_block, (tmsize_t)raw_size)
                                             : TIFFReadRawStrip(h->tif, index, raw_block, (tmsize_t)raw_size);
            if (n < 0 || h->error[0]) return -1;
            // Old-style, bit-reversed LZW: libtiff's compatibility decoder below.
            if (!(raw_block[0] == 0 && (raw_block[1] & 0x1))) {
                return sw_lzw_decode(raw_block, (size_t)n, buffer, (size_t)size, (size_t)capacity, h->error, SW_MESSAGE_CAPACITY);
            }
        }
    }
    tmsize_t n = TIFFIsTiled(h->tif) ? TIFFReadEncodedTile(h->tif, index, buffer, (tmsize_t)capacity)
                                     : TIFFReadEncodedStrip(h->tif, index, buffer, (tmsize_t)capacity);
    // libtiff reports some decoder failures (a corrupt JPEG or DEFLATE stream) as errors while still
    // returning a byte count: a captured error means the block is not trustworthy.
    if (n >= 0 && h->error[0]) return -1;
    return (int64_t)n;
}

// MARK: Deinterleaving decoded blocks

// RGB bytes to planes, 16 pixels per step with SSSE3 byte shuffles (three loads, nine pshufb, three
// stores), chosen at run time on x86-64; elsewhere, and for the last pixels, a plain loop. Measured
// on the change benchmark: the plain per-band loop cost 12 instructions a pixel, an eighth of a
// whole run; the shuffles cost about one.
static void deinterleave_plain(const uint8_t *s, int bands, size_t count, uint8_t *t, size_t stride) {
    for (int b = 0; b < bands; b++) {
        uint8_t *out = t + (size_t)b * stride;
        for (size_t i = 0; i < count; i++) out[i] = s[i * (size_t)bands + (size_t)b];
    }
}

#if defined(__x86_64__)
#include <tmmintrin.h>

__attribute__((target("ssse3")))
static size_t deinterleave_rgb_ssse3(const uint8_t *s, size_t count, uint8_t *r, uint8_t *g, uint8_t *b) {
    // For each output plane, the bytes of each of the three 16-byte loads it takes (-1: none).
    const __m128i ra = _mm_setr_epi8(0, 3, 6, 9, 12, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
    const __m128i rb = _mm_setr_epi8(-1, -1, -1, -1, -1, -1, 2, 5, 8, 11, 14, -1, -1, -1, -1, -1);
    const __m128i rc = _mm_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1, 4, 7, 10, 13);
    const __m128i ga = _mm_setr_epi8(1, 4, 7, 10, 13, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
    const __m128i gb = _mm_setr_epi8(-1, -1, -1, -1, -1, 0, 3, 6, 9, 12, 15, -1, -1, -1, -1, -1);
    const __m128i gc = _mm_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 2, 5, 8, 11, 14);
    const __m128i ba = _mm_setr_epi8(2, 5, 8, 11, 14, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
    const __m128i bb = _mm_setr_epi8(-1, -1, -1, -1, -1, 1, 4, 7, 10, 13, -1, -1, -1, -1, -1, -1);
    const __m128i bc = _mm_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 3, 6, 9, 12, 15);
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        const __m128i x = _mm_loadu_si128((const __m128i *)(s + 3 * i));
        const __m128i y = _mm_loadu_si128((const __m128i *)(s + 3 * i + 16));
        const __m128i z = _mm_loadu_si128((const __m128i *)(s + 3 * i + 32));
        _mm_storeu_si128((__m128i *)(r + i), _mm_or_si128(_mm_or_si128(_mm_shuffle_epi8(x, ra), _mm_shuffle_epi8(y, rb)), _mm_shuffle_epi8(z, rc)));
        _mm_storeu_si128((__m128i *)(g + i), _mm_or_si128(_mm_or_si128(_mm_shuffle_epi8(x, ga), _mm_shuffle_epi8(y, gb)), _mm_shuffle_epi8(z, gc)));
        _mm_storeu_si128((__m128i *)(b + i), _mm_or_si128(_mm_or_si128(_mm_shuffle_epi8(x, ba), _mm_shuffle_epi8(y, bb)), _mm_shuffle_epi8(z, bc)));
    }
    return i;
}
#endif

void sw_deinterleave_u8(const uint8_t *source, int bands, size_t count, uint8_t *target, size_t band_stride) {
    size_t done = 0;
#if defined(__x86_64__)
    if (bands == 3 && __builtin_cpu_supports("ssse3")) {
        done = deinterleave_rgb_ssse3(source, count, target, target + band_stride, target + 2 * band_stride);
    }
#endif
    deinterleave_plain(source + done * (size_t)bands, bands, count - done, target + done, band_stride);
}

// MARK: Horizontal differencing, undone with the bands separated

// libtiff undoes Predictor 2 on interleaved samples a byte at a time (horAcc8: 18 % of the change
// benchmark's instructions, more than everything SiteWatch does after decoding). With the bands
// separated first, each row of a band is a plain running sum of bytes: 16 at a time with four
// shifted adds, the carry broadcast from the previous vector.
int sw_tiff_take_over_predictor(sw_tiff *h) {
    uint16_t predictor = 0, bits = 0;
    if (!TIFFGetField(h->tif, TIFFTAG_PREDICTOR, &predictor) || predictor != PREDICTOR_HORIZONTAL) return 0;
    if (!TIFFGetFieldDefaulted(h->tif, TIFFTAG_BITSPERSAMPLE, &bits) || bits != 8) return 0;
    return TIFFSetField(h->tif, TIFFTAG_PREDICTOR, PREDICTOR_NONE) == 1;
}

static void running_sum_plain(uint8_t *row, size_t count) {
    for (size_t i = 1; i < count; i++) row[i] = (uint8_t)(row[i] + row[i - 1]);
}

#if defined(__x86_64__)
__attribute__((target("ssse3")))
static void running_sum_ssse3(uint8_t *row, size_t count) {
    __m128i carry = _mm_setzero_si128();
    const __m128i last = _mm_set1_epi8(15);
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(row + i));
        v = _mm_add_epi8(v, _mm_slli_si128(v, 1));
        v = _mm_add_epi8(v, _mm_slli_si128(v, 2));
        v = _mm_add_epi8(v, _mm_slli_si128(v, 4));
        v = _mm_add_epi8(v, _mm_slli_si128(v, 8));
        v = _mm_add_epi8(v, carry);
        _mm_storeu_si128((__m128i *)(row + i), v);
        carry = _mm_shuffle_epi8(v, last);
    }
    uint8_t previous = i > 0 ? row[i - 1] : 0;
    for (; i < count; i++) { previous = (uint8_t)(row[i] + previous); row[i] = previous; }
}
#endif

void sw_predicted_u8_to_planes(const uint8_t *block, size_t rows, size_t width, int bands, size_t plane_rows, uint8_t *planes) {
#if defined(__x86_64__)
    const int fast = __builtin_cpu_supports("ssse3");
#else
    const int fast = 0;
#endif
    for (size_t r = 0; r < rows; r++) {
        uint8_t *target = planes + r * width;
        sw_deinterleave_u8(block + r * width * (size_t)bands, bands, width, target, plane_rows * width);
        for (int b = 0; b < bands; b++) {
            uint8_t *row = target + (size_t)b * plane_rows * width;
#if defined(__x86_64__)
            if (fast) { running_sum_ssse3(row, width); continue; }
#endif
            running_sum_plain(row, width);
        }
    }
    (void)fast;
}

int sw_tiff_codec_available(uint16_t compression) { return TIFFIsCODECConfigured(compression); }

int sw_tiff_request_jpeg_rgb(sw_tiff *h) { return TIFFSetField(h->tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB); }

int sw_tiff_set_u16(sw_tiff *h, uint32_t tag, uint16_t value) { return TIFFSetField(h->tif, tag, (int)value); }
int sw_tiff_set_u32(sw_tiff *h, uint32_t tag, uint32_t value) { return TIFFSetField(h->tif, tag, value); }
int sw_tiff_set_u16_array(sw_tiff *h, uint32_t tag, uint32_t count, const uint16_t *values) {
    return TIFFSetField(h->tif, tag, (uint16_t)count, values);
}
int sw_tiff_set_double_array(sw_tiff *h, uint32_t tag, uint32_t count, const double *values) {
    return TIFFSetField(h->tif, tag, (uint16_t)count, values);
}
int sw_tiff_set_ascii(sw_tiff *h, uint32_t tag, const char *value) { return TIFFSetField(h->tif, tag, value); }
int sw_tiff_set_extra_samples(sw_tiff *h, uint16_t count) {
    uint16_t kinds[64];
    if (count > 64) return 0;
    for (uint16_t i = 0; i < count; i++) kinds[i] = EXTRASAMPLE_UNSPECIFIED;
    return TIFFSetField(h->tif, TIFFTAG_EXTRASAMPLES, count, kinds);
}
int64_t sw_tiff_write_block(sw_tiff *h, uint32_t index, void *data, int64_t size) {
    return TIFFIsTiled(h->tif) ? (int64_t)TIFFWriteEncodedTile(h->tif, index, data, (tmsize_t)size)
                               : (int64_t)TIFFWriteEncodedStrip(h->tif, index, data, (tmsize_t)size);
}
int sw_tiff_write_directory(sw_tiff *h) { return TIFFWriteDirectory(h->tif); }
