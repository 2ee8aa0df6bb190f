#include "TIFFBaseline.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <tiffio.h>

struct job {
    const char *const *paths;
    int count, first, step;
    int64_t bytes;
};

static void *decode_files(void *argument) {
    struct job *job = argument;
    tmsize_t capacity = 0;
    void *buffer = NULL;
    for (int i = job->first; i < job->count; i += job->step) {
        TIFF *tif = TIFFOpen(job->paths[i], "r");
        if (!tif) { job->bytes = -1; break; }
        int tiled = TIFFIsTiled(tif);
        tmsize_t size = tiled ? TIFFTileSize(tif) : TIFFStripSize(tif);
        if (size > capacity) { free(buffer); buffer = malloc((size_t)size); capacity = size; }
        uint32_t blocks = tiled ? TIFFNumberOfTiles(tif) : TIFFNumberOfStrips(tif);
        for (uint32_t b = 0; b < blocks; b++) {
            tmsize_t n = tiled ? TIFFReadEncodedTile(tif, b, buffer, capacity) : TIFFReadEncodedStrip(tif, b, buffer, capacity);
            if (n < 0) { job->bytes = -1; break; }
            if (job->bytes >= 0) job->bytes += n;
        }
        TIFFClose(tif);
    }
    free(buffer);
    return NULL;
}

double tiff_baseline_decode(const char *const *paths, int count, int threads, int64_t *bytes) {
    // The GeoTIFF tags are unknown to plain libtiff: silence its warnings about them.
    TIFFSetWarningHandler(NULL);
    if (threads < 1) threads = 1;
    struct job jobs[64];
    pthread_t ids[64];
    if (threads > 64) threads = 64;
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int t = 0; t < threads; t++) {
        jobs[t] = (struct job){paths, count, t, threads, 0};
        pthread_create(&ids[t], NULL, decode_files, &jobs[t]);
    }
    int64_t total = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(ids[t], NULL);
        total = (total < 0 || jobs[t].bytes < 0) ? -1 : total + jobs[t].bytes;
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    *bytes = total;
    return (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) * 1e-9;
}
