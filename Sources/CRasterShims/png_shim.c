#include "RasterShims.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// libpng reports errors by longjmp. Every libpng call below runs inside a function that did its
// own setjmp, so a longjmp never crosses a Swift frame (which would abort the process).

typedef struct {
    char *message;
} png_error_sink;

static void png_error_to_sink(png_structp png, png_const_charp text) {
    png_error_sink *sink = png_get_error_ptr(png);
    if (sink && sink->message && sink->message[0] == '\0') snprintf(sink->message, SW_MESSAGE_CAPACITY, "%s", text);
    png_longjmp(png, 1);
}

static void png_ignore_warning(png_structp png, png_const_charp text) { (void)png; (void)text; }

/// Configures the transformations that turn any PNG into 8- or 16-bit gray/GA/RGB/RGBA samples.
static void configure_expansion(png_structp png, png_infop info, sw_png_header *header) {
    int color_type = png_get_color_type(png, info);
    int bit_depth = png_get_bit_depth(png, info);
    int has_trns = png_get_valid(png, info, PNG_INFO_tRNS) != 0;
    header->width = png_get_image_width(png, info);
    header->height = png_get_image_height(png, info);
    header->bit_depth = (uint8_t)bit_depth;
    header->color_type = (uint8_t)color_type;
    header->interlaced = png_get_interlace_type(png, info) != PNG_INTERLACE_NONE;
    header->has_trns = (uint8_t)has_trns;

    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (has_trns) png_set_tRNS_to_alpha(png);
    if (bit_depth == 16) {
        // PNG stores 16-bit samples big-endian; deliver them in host order.
        const uint16_t probe = 1;
        if (*(const uint8_t *)&probe == 1) png_set_swap(png);
    }
    // Adam7: libpng must know before png_read_update_info, or it reads the passes' rows as whole
    // rows and fails on the first pass's filter bytes ("bad adaptive filter value").
    if (header->interlaced) png_set_interlace_handling(png);
    png_read_update_info(png, info);
    header->output_channels = png_get_channels(png, info);
    header->output_bytes_per_sample = png_get_bit_depth(png, info) == 16 ? 2 : 1;
}

typedef struct {
    FILE *file;
    png_structp png;
    png_infop info;
    png_error_sink sink;
} png_reader;

static int open_reader(png_reader *r, const char *path, char *message) {
    memset(r, 0, sizeof *r);
    message[0] = '\0';
    r->sink.message = message;
    r->file = fopen(path, "rb");
    if (!r->file) {
        snprintf(message, SW_MESSAGE_CAPACITY, "cannot open file");
        return 0;
    }
    unsigned char signature[8];
    if (fread(signature, 1, 8, r->file) != 8 || png_sig_cmp(signature, 0, 8) != 0) {
        snprintf(message, SW_MESSAGE_CAPACITY, "not a PNG file (bad signature)");
        fclose(r->file);
        return 0;
    }
    r->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &r->sink, png_error_to_sink, png_ignore_warning);
    r->info = r->png ? png_create_info_struct(r->png) : NULL;
    if (!r->info) {
        snprintf(message, SW_MESSAGE_CAPACITY, "out of memory");
        if (r->png) png_destroy_read_struct(&r->png, NULL, NULL);
        fclose(r->file);
        return 0;
    }
    return 1;
}

static void close_reader(png_reader *r) {
    png_destroy_read_struct(&r->png, &r->info, NULL);
    fclose(r->file);
}

int sw_png_read_header(const char *path, sw_png_header *header, char message[SW_MESSAGE_CAPACITY]) {
    png_reader r;
    if (!open_reader(&r, path, message)) return 0;
    if (setjmp(png_jmpbuf(r.png))) {
        close_reader(&r);
        return 0;
    }
    png_init_io(r.png, r.file);
    png_set_sig_bytes(r.png, 8);
    png_read_info(r.png, r.info);
    configure_expansion(r.png, r.info, header);
    close_reader(&r);
    return 1;
}

int sw_png_read_rows(const char *path, uint32_t first_row, uint32_t row_count, void *destination,
                     size_t row_stride, void *scratch, size_t scratch_size,
                     char message[SW_MESSAGE_CAPACITY]) {
    png_reader r;
    if (!open_reader(&r, path, message)) return 0;
    // Volatile: modified between setjmp and a possible longjmp.
    png_bytep volatile row = NULL;
    png_bytep *volatile row_pointers = NULL;
    if (setjmp(png_jmpbuf(r.png))) {
        free(row);
        free(row_pointers);
        close_reader(&r);
        return 0;
    }
    png_init_io(r.png, r.file);
    png_set_sig_bytes(r.png, 8);
    png_read_info(r.png, r.info);
    sw_png_header header;
    configure_expansion(r.png, r.info, &header);
    if ((uint64_t)first_row + row_count > header.height) {
        snprintf(message, SW_MESSAGE_CAPACITY, "rows %u..%u outside the image height %u", first_row,
                 first_row + row_count, header.height);
        close_reader(&r);
        return 0;
    }
    size_t row_bytes = png_get_rowbytes(r.png, r.info);
    if (header.interlaced) {
        if (!scratch || scratch_size < row_bytes * header.height) {
            snprintf(message, SW_MESSAGE_CAPACITY, "interlaced PNG needs a whole-image buffer");
            close_reader(&r);
            return 0;
        }
        row_pointers = malloc(sizeof(png_bytep) * header.height);
        if (!row_pointers) png_error(r.png, "out of memory");
        for (uint32_t y = 0; y < header.height; y++) row_pointers[y] = (png_bytep)scratch + row_bytes * y;
        png_read_image(r.png, row_pointers);
        for (uint32_t y = 0; y < row_count; y++)
            memcpy((unsigned char *)destination + row_stride * y, row_pointers[first_row + y], row_bytes);
    } else {
        row = malloc(row_bytes);
        if (!row) png_error(r.png, "out of memory");
        for (uint32_t y = 0; y < first_row; y++) png_read_row(r.png, row, NULL);
        for (uint32_t y = 0; y < row_count; y++)
            png_read_row(r.png, (png_bytep)destination + row_stride * y, NULL);
    }
    free(row);
    free(row_pointers);
    close_reader(&r);
    return 1;
}

int sw_png_write(const char *path, uint32_t width, uint32_t height, int channels, int bit_depth,
                 const void *rows, size_t row_stride, char message[SW_MESSAGE_CAPACITY]) {
    static const int color_types[] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB,
                                      PNG_COLOR_TYPE_RGB_ALPHA};
    message[0] = '\0';
    if (channels < 1 || channels > 4 || (bit_depth != 8 && bit_depth != 16)) {
        snprintf(message, SW_MESSAGE_CAPACITY, "PNG holds 1-4 channels of 8 or 16 bits, not %d x %d bits",
                 channels, bit_depth);
        return 0;
    }
    FILE *file = fopen(path, "wb");
    if (!file) {
        snprintf(message, SW_MESSAGE_CAPACITY, "cannot create file");
        return 0;
    }
    png_error_sink sink = {message};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink, png_error_to_sink, png_ignore_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        snprintf(message, SW_MESSAGE_CAPACITY, "out of memory");
        if (png) png_destroy_write_struct(&png, NULL);
        fclose(file);
        return 0;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        fclose(file);
        return 0;
    }
    png_init_io(png, file);
    png_set_IHDR(png, info, width, height, bit_depth, color_types[channels], PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    if (bit_depth == 16) {
        const uint16_t probe = 1;
        if (*(const uint8_t *)&probe == 1) png_set_swap(png);
    }
    for (uint32_t y = 0; y < height; y++) png_write_row(png, (png_const_bytep)rows + row_stride * y);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    if (fclose(file) != 0) {
        snprintf(message, SW_MESSAGE_CAPACITY, "write failed");
        return 0;
    }
    return 1;
}
