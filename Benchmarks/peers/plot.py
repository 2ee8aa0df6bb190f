"""Throughput against image size, from Benchmarks/results/change.json (written by Benchmarks/run):
SiteWatch end to end on each input layout, SiteWatch's core without decode, the libtiff decode
limit, and the peer pipelines.

Usage: plot.py CHANGE_JSON OUTPUT_PNG
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

suite = json.load(open(sys.argv[1]))
sizes = suite["sizes"]
titles = {"lzw": "SiteWatch, 512² LZW tiles", "deflate": "SiteWatch, 512² DEFLATE tiles", "file": "SiteWatch, one LZW file"}
fig, ax = plt.subplots(figsize=(8, 5.5))


def plot(points, label, **style):
    points = sorted(p for p in points if p[1] is not None)
    if points:
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=label, **style)


for layout, title in titles.items():
    plot([(s["size"], l["megapixelsPerSecondPerDate"]) for s in sizes for l in s["layouts"] if l["layout"] == layout], title)
for threads in (1, 2):
    plot([(s["size"], s["size"] ** 2 / c["seconds"] / 1e6) for s in sizes for c in s["core"] if c["threads"] == threads],
         f"SiteWatch core without decode, {threads} thread{'s' if threads > 1 else ''}", linestyle="--")
plot([(s["size"], d["megapixels"] / 2 / d["libtiffTwoThreadsSeconds"]) for s in sizes for d in s["decode"] if d["compression"] == "LZW"],
     "libtiff decoding the LZW tiles alone, 2 threads", linestyle=":", color="black")
plot([(s["size"], d["megapixels"] / 2 / d["mosaicTwoThreadsSeconds"]) for s in sizes for d in s["decode"] if d["compression"] == "LZW"],
     "SiteWatch decoding the LZW tiles alone, 2 threads", linestyle=":", color="gray")
for pipeline in ("opencv", "numpy-scipy"):
    plot([(s["size"], p["megapixelsPerSecondPerDate"]) for s in sizes for p in s["peers"] if p["pipeline"] == pipeline],
         {"opencv": "OpenCV pipeline", "numpy-scipy": "numpy/scipy pipeline"}[pipeline], linestyle="-.")
ax.set_xscale("log", base=2)
ax.set_yscale("log")
ax.set_xticks([s["size"] for s in sizes])
ax.set_xticklabels([f"{s['size']}²" for s in sizes])
ax.set_xlabel("image size (pixels per date)")
ax.set_ylabel("Mpx/s per date")
machine = suite["machine"]
ax.set_title(f"Change detection throughput — {machine['cores']} cores, {machine['date']}")
ax.grid(True, which="both", alpha=0.3)
ax.legend(fontsize=8, loc="best")
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=110)
print(f"wrote {sys.argv[2]}")
