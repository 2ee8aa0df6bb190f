// The decode baseline: libtiff's own decoding of every block of a set of TIFF files, with
// nothing else (no placement, no copies), on one or more threads. SiteWatch's tile-folder reads
// are measured against it.
#ifndef SITEWATCH_TIFF_BASELINE_H
#define SITEWATCH_TIFF_BASELINE_H

#include <stdint.h>

/// Decodes every tile or strip of `count` files, files dealt round-robin to `threads` threads, and
/// returns the wall-clock seconds; `bytes` receives the decoded byte count (-1 on any error).
double tiff_baseline_decode(const char *const *paths, int count, int threads, int64_t *bytes);

#endif
