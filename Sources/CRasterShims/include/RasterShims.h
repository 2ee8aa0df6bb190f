// The only C code in SiteWatch. Everything Swift needs from libtiff, libpng, libjpeg and PROJ goes through
// these functions, so that variadic calls, setjmp/longjmp and global error handlers stay in C and
// every failure comes back as a return code plus a message captured for that one handle.
#ifndef SITEWATCH_RASTER_SHIMS_H
#define SITEWATCH_RASTER_SHIMS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { SW_MESSAGE_CAPACITY = 512 };
/// Bytes a block buffer needs past the decoded block (the LZW decoder's string copies overrun).
enum { SW_BLOCK_SLACK = 8192 };

// MARK: - libtiff

/// An open TIFF plus the last error libtiff reported on it (nothing is printed to stderr).
typedef struct sw_tiff sw_tiff;

/// mode: "r" to read, "w" for classic TIFF, "w8" for BigTIFF. max_single_alloc bounds any single
/// allocation libtiff makes for this handle (0 = libtiff's default). On failure returns NULL and
/// copies libtiff's message into message.
sw_tiff *sw_tiff_open(const char *path, const char *mode, int64_t max_single_alloc,
                      char message[SW_MESSAGE_CAPACITY]);
/// Closes the file. For a file opened to write, returns 0 if flushing failed (message filled).
int sw_tiff_close(sw_tiff *tiff, char message[SW_MESSAGE_CAPACITY]);
/// The last error libtiff reported on this handle, or "" if none since the last clear.
const char *sw_tiff_error(const sw_tiff *tiff);
void sw_tiff_clear_error(sw_tiff *tiff);

/// Typed TIFFGetField wrappers. Each returns 1 if the tag is present. The *_defaulted forms apply
/// libtiff's defaults (TIFFGetFieldDefaulted).
int sw_tiff_get_u16(sw_tiff *tiff, uint32_t tag, uint16_t *value);
int sw_tiff_get_u16_defaulted(sw_tiff *tiff, uint32_t tag, uint16_t *value);
int sw_tiff_get_u32(sw_tiff *tiff, uint32_t tag, uint32_t *value);
int sw_tiff_get_u32_defaulted(sw_tiff *tiff, uint32_t tag, uint32_t *value);
/// Array tags registered by sw_tiff_register_geotiff_tags (count is a uint16 in libtiff for these).
int sw_tiff_get_u16_array(sw_tiff *tiff, uint32_t tag, uint32_t *count, const uint16_t **values);
int sw_tiff_get_double_array(sw_tiff *tiff, uint32_t tag, uint32_t *count, const double **values);
int sw_tiff_get_ascii(sw_tiff *tiff, uint32_t tag, const char **value);

int sw_tiff_is_tiled(sw_tiff *tiff);
int sw_tiff_is_bigtiff(sw_tiff *tiff);
uint32_t sw_tiff_directory_count(sw_tiff *tiff);
int sw_tiff_set_directory(sw_tiff *tiff, uint32_t index);
/// Decoded size in bytes of one tile / one full strip (after any JPEG colour conversion).
int64_t sw_tiff_tile_size(sw_tiff *tiff);
int64_t sw_tiff_strip_size(sw_tiff *tiff);
uint32_t sw_tiff_block_count(sw_tiff *tiff);
/// Decodes block `index` (tile or strip) into buffer; returns bytes decoded or -1 (error captured).
/// With SW_BLOCK_SLACK bytes of capacity past the block, LZW blocks decode with SiteWatch's own
/// decoder (lzw.c), several times faster than libtiff's.
int64_t sw_tiff_read_block(sw_tiff *tiff, uint32_t index, void *buffer, int64_t capacity);
/// Whether this build of libtiff can decode the compression scheme.
int sw_tiff_codec_available(uint16_t compression);
/// Asks the JPEG codec to convert YCbCr to RGB while decoding (TIFFTAG_JPEGCOLORMODE).
int sw_tiff_request_jpeg_rgb(sw_tiff *tiff);
/// Takes horizontal differencing (Predictor 2) of 8-bit samples away from libtiff, before the first
/// block is read: blocks then decode with the differences in place, for
/// sw_predicted_u8_to_planes to undo. Returns 1 if taken over, 0 if the file has no such
/// predictor (nothing changes).
int sw_tiff_take_over_predictor(sw_tiff *tiff);
/// Undoes horizontal differencing of a decoded block of 8-bit samples — `rows` rows of `width`
/// pixels of `bands` interleaved samples — into band planes: band b, row r at
/// planes + (b * plane_rows + r) * width.
void sw_predicted_u8_to_planes(const uint8_t *block, size_t rows, size_t width, int bands, size_t plane_rows, uint8_t *planes);
/// Copies `count` pixels of `bands` interleaved uint8 samples into band planes `band_stride`
/// bytes apart (decoded RGB blocks to SiteWatch's band-sequential windows).
void sw_deinterleave_u8(const uint8_t *source, int bands, size_t count, uint8_t *target, size_t band_stride);

// Writing.
int sw_tiff_set_u16(sw_tiff *tiff, uint32_t tag, uint16_t value);
int sw_tiff_set_u32(sw_tiff *tiff, uint32_t tag, uint32_t value);
int sw_tiff_set_u16_array(sw_tiff *tiff, uint32_t tag, uint32_t count, const uint16_t *values);
int sw_tiff_set_double_array(sw_tiff *tiff, uint32_t tag, uint32_t count, const double *values);
int sw_tiff_set_ascii(sw_tiff *tiff, uint32_t tag, const char *value);
/// Sets ExtraSamples to `count` unspecified samples.
int sw_tiff_set_extra_samples(sw_tiff *tiff, uint16_t count);
/// Encodes one block (a tile if the image is tiled, else a strip). Returns bytes written or -1.
int64_t sw_tiff_write_block(sw_tiff *tiff, uint32_t index, void *data, int64_t size);
int sw_tiff_write_directory(sw_tiff *tiff);

// MARK: - libpng (every call runs under setjmp inside C)

typedef struct {
    uint32_t width;
    uint32_t height;
    uint8_t bit_depth;      // of the file
    uint8_t color_type;     // PNG_COLOR_TYPE_*
    uint8_t interlaced;
    uint8_t has_trns;
    /// What sw_png_read_rows delivers: channels per pixel and bytes per sample (1 or 2).
    uint8_t output_channels;
    uint8_t output_bytes_per_sample;
} sw_png_header;

/// Reads the header only. Returns 1 on success, 0 with message on failure.
int sw_png_read_header(const char *path, sw_png_header *header, char message[SW_MESSAGE_CAPACITY]);
/// Decodes rows [first_row, first_row + row_count) into destination (row_stride bytes apart),
/// expanding palette/low bit depths to 8 bits, tRNS to alpha, 16-bit samples to host order.
/// Rows above first_row are decoded and discarded one at a time (interlaced files need the whole
/// image: scratch must then hold width * height * channels * bytes, else it may be NULL).
int sw_png_read_rows(const char *path, uint32_t first_row, uint32_t row_count, void *destination,
                     size_t row_stride, void *scratch, size_t scratch_size,
                     char message[SW_MESSAGE_CAPACITY]);
/// Writes a non-interlaced PNG. channels 1-4 (gray, gray+alpha, RGB, RGBA), bit_depth 8 or 16;
/// 16-bit samples are given in host order. rows are row_stride bytes apart.
int sw_png_write(const char *path, uint32_t width, uint32_t height, int channels, int bit_depth,
                 const void *rows, size_t row_stride, char message[SW_MESSAGE_CAPACITY]);

// MARK: - libjpeg (every call runs under setjmp inside C)

typedef struct {
    uint32_t width;
    uint32_t height;
    /// What sw_jpeg_read_rows delivers: 1 (gray) or 3 (RGB) 8-bit samples per pixel.
    uint8_t output_channels;
    /// The file's own colour space (JCS_*): CMYK and YCCK files are refused.
    uint8_t color_space;
} sw_jpeg_header;

/// Reads the header only. Returns 1 on success, 0 with message on failure.
int sw_jpeg_read_header(const char *path, sw_jpeg_header *header, char message[SW_MESSAGE_CAPACITY]);
/// Decodes rows [first_row, first_row + row_count) as gray or RGB into destination (row_stride
/// bytes apart); rows above first_row are skipped with jpeg_skip_scanlines.
int sw_jpeg_read_rows(const char *path, uint32_t first_row, uint32_t row_count, void *destination,
                      size_t row_stride, char message[SW_MESSAGE_CAPACITY]);

// MARK: - PROJ (one context per sw_proj, never shared between threads)

typedef struct sw_proj sw_proj;

/// A transformation between two CRS definitions (anything PROJ accepts: "EPSG:32652", WKT, ...).
/// Axis order is normalised so that x is easting/longitude and y northing/latitude.
sw_proj *sw_proj_create(const char *source, const char *target, char message[SW_MESSAGE_CAPACITY]);
void sw_proj_destroy(sw_proj *proj);
/// Transforms count points in place. Returns the number of points that failed (set to HUGE_VAL).
size_t sw_proj_transform(sw_proj *proj, int inverse, double *x, double *y, size_t count);

/// Identifies a CRS definition (WKT, PROJ string, "EPSG:n") with an EPSG code. Returns the code, or
/// 0 if no EPSG CRS matches with at least min_confidence (PROJ's 0-100 scale), or -1 if the
/// definition cannot be parsed (message filled). Deprecated codes are replaced by their successor.
int sw_proj_identify_epsg(const char *definition, int min_confidence,
                          char message[SW_MESSAGE_CAPACITY]);
/// Describes an EPSG CRS: its name and whether it is geographic (1) or projected (2); 0 if unknown.
int sw_proj_describe_epsg(int code, char name[SW_MESSAGE_CAPACITY]);
/// ESRI-dialect WKT 1 of an EPSG CRS, as .prj sidecars hold it. Returns 1 on success.
int sw_proj_epsg_wkt(int code, char *buffer, size_t capacity);
/// WKT of an EPSG projected CRS with its linear unit replaced (a GeoTIFF's ProjLinearUnitsGeoKey
/// overriding the CRS's own unit). Returns 1 on success.
int sw_proj_epsg_with_linear_unit(int code, const char *unit_name, double unit_metres, char *buffer, size_t capacity);
/// The linear unit of a projected CRS in metres (1 for metres, 0.3048 for feet), 0 if not projected.
double sw_proj_linear_unit_meters(int code);

#ifdef __cplusplus
}
#endif

#endif
