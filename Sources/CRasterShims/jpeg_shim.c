#include "RasterShims.h"

#include <stdio.h>
#include <jpeglib.h>
#include <setjmp.h>
#include <string.h>

// libjpeg reports errors through error_exit, which must not return: it longjmps back into the
// function below that set the jump, so a longjmp never crosses a Swift frame. Warnings (corrupt
// but decodable data) are not errors; their text is kept in case an error follows.

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char *message;
} jpeg_error_sink;

static void jpeg_error_to_sink(j_common_ptr info) {
    jpeg_error_sink *sink = (jpeg_error_sink *)info->err;
    (*info->err->format_message)(info, sink->message);
    longjmp(sink->jump, 1);
}

static void jpeg_quiet(j_common_ptr info, int level) { (void)info; (void)level; }

/// Opens the file and reads its header under the caller's setjmp; gray stays gray, every other
/// colour space the decoder can convert comes out as RGB.
#define SW_JPEG_OPEN(path, info, sink, file, message)                                   \
    memset(&info, 0, sizeof info);                                                      \
    message[0] = '\0';                                                                  \
    file = fopen(path, "rb");                                                           \
    if (!file) {                                                                        \
        snprintf(message, SW_MESSAGE_CAPACITY, "cannot open file");                     \
        return 0;                                                                       \
    }                                                                                   \
    info.err = jpeg_std_error(&sink.base);                                              \
    sink.base.error_exit = jpeg_error_to_sink;                                          \
    sink.base.emit_message = jpeg_quiet;                                                \
    sink.message = message;

static int configure(struct jpeg_decompress_struct *info, sw_jpeg_header *header, char *message) {
    header->width = info->image_width;
    header->height = info->image_height;
    header->color_space = (uint8_t)info->jpeg_color_space;
    if (info->jpeg_color_space == JCS_CMYK || info->jpeg_color_space == JCS_YCCK) {
        snprintf(message, SW_MESSAGE_CAPACITY, "CMYK JPEG is not supported (expected gray or RGB/YCbCr)");
        return 0;
    }
    info->out_color_space = info->jpeg_color_space == JCS_GRAYSCALE ? JCS_GRAYSCALE : JCS_RGB;
    header->output_channels = info->out_color_space == JCS_GRAYSCALE ? 1 : 3;
    return 1;
}

/// The decompressor on `file`, its header read and configured. Runs under the caller's setjmp:
/// an error longjmps back into the caller, whose frame is still live.
static int begin(struct jpeg_decompress_struct *info, FILE *file, sw_jpeg_header *header, char *message) {
    jpeg_create_decompress(info);
    jpeg_stdio_src(info, file);
    jpeg_read_header(info, TRUE);
    return configure(info, header, message);
}

static int finish(struct jpeg_decompress_struct *info, FILE *file, int result) {
    jpeg_destroy_decompress(info);
    fclose(file);
    return result;
}

int sw_jpeg_read_header(const char *path, sw_jpeg_header *header, char message[SW_MESSAGE_CAPACITY]) {
    struct jpeg_decompress_struct info;
    jpeg_error_sink sink;
    FILE *file;
    SW_JPEG_OPEN(path, info, sink, file, message)
    if (setjmp(sink.jump)) return finish(&info, file, 0);
    return finish(&info, file, begin(&info, file, header, message));
}

int sw_jpeg_read_rows(const char *path, uint32_t first_row, uint32_t row_count, void *destination,
                      size_t row_stride, char message[SW_MESSAGE_CAPACITY]) {
    struct jpeg_decompress_struct info;
    jpeg_error_sink sink;
    FILE *file;
    SW_JPEG_OPEN(path, info, sink, file, message)
    if (setjmp(sink.jump)) return finish(&info, file, 0);
    sw_jpeg_header header;
    if (!begin(&info, file, &header, message)) return finish(&info, file, 0);
    if ((uint64_t)first_row + row_count > header.height) {
        snprintf(message, SW_MESSAGE_CAPACITY, "rows %u..%u outside the image height %u", first_row,
                 first_row + row_count, header.height);
        return finish(&info, file, 0);
    }
    jpeg_start_decompress(&info);
    if (first_row > 0) {
        // jpeg_skip_scanlines may skip fewer at once; loop until the first wanted row.
        JDIMENSION skipped = 0;
        while (skipped < first_row) {
            JDIMENSION step = jpeg_skip_scanlines(&info, first_row - skipped);
            if (step == 0) break;
            skipped += step;
        }
    }
    for (uint32_t y = 0; y < row_count;) {
        JSAMPROW row = (JSAMPROW)((unsigned char *)destination + row_stride * y);
        JDIMENSION read = jpeg_read_scanlines(&info, &row, 1);
        if (read == 0) {
            snprintf(message, SW_MESSAGE_CAPACITY, "decoding stopped at row %u", first_row + y);
            return finish(&info, file, 0);
        }
        y += read;
    }
    // The rest of the image is not decoded: abort, not finish.
    jpeg_abort_decompress(&info);
    return finish(&info, file, 1);
}
