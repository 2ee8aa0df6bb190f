"""The change core's pixel job in the pipelines a user would pick instead of SiteWatch, run on the
same tile folders: decode (tifffile + imagecodecs), co-register (OpenCV phase correlation on
gradient magnitude), normalise (per-band least squares), change-vector magnitude, Otsu, open/close
(3x3) and 8-connected components — once with OpenCV, once with numpy/scipy.

Usage: opencv_pipeline.py BEFORE_DIR AFTER_DIR [--pipeline opencv|numpy-scipy]
  ->  one JSON line per pipeline run on stdout (both pipelines without --pipeline).
Whole dates are held in memory, as these libraries' usual workflows do; peak RSS is reported, so
run one pipeline per process to attribute it (Benchmarks/run does).
"""
import glob
import json
import os
import resource
import sys
import time

import numpy as np
import tifffile


def mosaic(folder):
    """Reads a folder of north-up GeoTIFF tiles into one (bands, height, width) array."""
    tiles = []
    for path in sorted(glob.glob(os.path.join(folder, "*.tif"))):
        with tifffile.TiffFile(path) as tif:
            page = tif.pages[0]
            tiepoint = page.tags["ModelTiepointTag"].value
            scale = page.tags["ModelPixelScaleTag"].value
            tiles.append((tiepoint[3], tiepoint[4], scale[0], page.asarray()))
    x0 = min(t[0] for t in tiles)
    y0 = max(t[1] for t in tiles)
    gsd = tiles[0][2]
    width = max(int(round((t[0] - x0) / gsd)) + t[3].shape[1] for t in tiles)
    height = max(int(round((y0 - t[1]) / gsd)) + t[3].shape[0] for t in tiles)
    bands = tiles[0][3].shape[2] if tiles[0][3].ndim == 3 else 1
    out = np.zeros((height, width, bands), dtype=tiles[0][3].dtype)
    for x, y, _, data in tiles:
        c, r = int(round((x - x0) / gsd)), int(round((y0 - y) / gsd))
        out[r:r + data.shape[0], c:c + data.shape[1]] = data.reshape(data.shape[0], data.shape[1], bands)
    return out


def run_opencv(before, after):
    import cv2
    timings = {}
    t = time.perf_counter()
    b, a = mosaic(before), mosaic(after)
    timings["decode"] = time.perf_counter() - t
    t = time.perf_counter()
    gb = cv2.magnitude(cv2.Sobel(b.mean(axis=2).astype(np.float32), cv2.CV_32F, 1, 0), cv2.Sobel(b.mean(axis=2).astype(np.float32), cv2.CV_32F, 0, 1))
    ga = cv2.magnitude(cv2.Sobel(a.mean(axis=2).astype(np.float32), cv2.CV_32F, 1, 0), cv2.Sobel(a.mean(axis=2).astype(np.float32), cv2.CV_32F, 0, 1))
    (dx, dy), response = cv2.phaseCorrelate(gb, ga)
    m = np.float32([[1, 0, dx], [0, 1, dy]])
    a = cv2.warpAffine(a.astype(np.float32), m, (a.shape[1], a.shape[0]), flags=cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP)
    timings["register"] = time.perf_counter() - t
    t = time.perf_counter()
    bf = b.astype(np.float32)
    mag = np.zeros(b.shape[:2], np.float32)
    for band in range(bf.shape[2]):
        x, y = a[:, :, band].ravel(), bf[:, :, band].ravel()
        gain, offset = np.polyfit(x[::16], y[::16], 1)
        d = gain * a[:, :, band] + offset - bf[:, :, band]
        mag += d * d
    mag = np.sqrt(mag)
    scaled = cv2.normalize(mag, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    _, mask = cv2.threshold(scaled, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    kernel = np.ones((3, 3), np.uint8)
    mask = cv2.morphologyEx(cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel), cv2.MORPH_CLOSE, kernel)
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    timings["change"] = time.perf_counter() - t
    return {"shift": [dx, dy], "regions": int((stats[1:, cv2.CC_STAT_AREA] >= 4).sum())}, timings


def run_scipy(before, after):
    from scipy import ndimage
    timings = {}
    t = time.perf_counter()
    b, a = mosaic(before), mosaic(after)
    timings["decode"] = time.perf_counter() - t
    t = time.perf_counter()
    def grad(img):
        g = img.mean(axis=2).astype(np.float32)
        return np.hypot(ndimage.sobel(g, 1), ndimage.sobel(g, 0))
    gb, ga = grad(b), grad(a)
    f = np.fft.rfft2(gb) * np.conj(np.fft.rfft2(ga))
    corr = np.fft.irfft2(f / (np.abs(f) + 1e-9), s=gb.shape)
    dy, dx = np.unravel_index(np.argmax(corr), corr.shape)
    dy = dy - gb.shape[0] if dy > gb.shape[0] // 2 else dy
    dx = dx - gb.shape[1] if dx > gb.shape[1] // 2 else dx
    a = np.stack([ndimage.shift(a[:, :, i].astype(np.float32), (dy, dx), order=3) for i in range(a.shape[2])], axis=2)
    timings["register"] = time.perf_counter() - t
    t = time.perf_counter()
    bf = b.astype(np.float32)
    mag = np.zeros(b.shape[:2], np.float32)
    for band in range(bf.shape[2]):
        x, y = a[:, :, band].ravel(), bf[:, :, band].ravel()
        gain, offset = np.polyfit(x[::16], y[::16], 1)
        d = gain * a[:, :, band] + offset - bf[:, :, band]
        mag += d * d
    mag = np.sqrt(mag)
    hist, edges = np.histogram(mag, bins=256)
    w = np.cumsum(hist); mu = np.cumsum(hist * edges[:-1])
    between = (mu[-1] * w - mu * w[-1]) ** 2 / np.maximum(w * (w[-1] - w), 1)
    mask = mag > edges[np.argmax(between)]
    mask = ndimage.binary_closing(ndimage.binary_opening(mask, np.ones((3, 3))), np.ones((3, 3)))
    labels, count = ndimage.label(mask, structure=np.ones((3, 3)))
    sizes = np.bincount(labels.ravel())[1:]
    timings["change"] = time.perf_counter() - t
    return {"shift": [float(dx), float(dy)], "regions": int((sizes >= 4).sum())}, timings


if __name__ == "__main__":
    before, after = sys.argv[1], sys.argv[2]
    only = sys.argv[sys.argv.index("--pipeline") + 1] if "--pipeline" in sys.argv else None
    for name, fn in (("opencv", run_opencv), ("numpy-scipy", run_scipy)):
        if only is not None and name != only:
            continue
        start = time.perf_counter()
        result, timings = fn(before, after)
        total = time.perf_counter() - start
        print(json.dumps({"pipeline": name, "seconds": total, "timings": timings, **result,
                          "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
        sys.stdout.flush()
