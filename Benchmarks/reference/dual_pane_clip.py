#!/usr/bin/env python3
"""A breathing dual-display clip for timing `echoflow analyze --motion` (written with NumPy and zlib only).

B-mode pane (left) with a fixed smooth tissue texture, contrast pane (right) with a lognormal lesion on a
parenchyma level and fresh exponential speckle per frame; both panes move rigidly, 6 px by 3 px at 0.25 Hz.

    python3 Benchmarks/reference/dual_pane_clip.py OUT_DIR [--frames 600] [--width 400] [--height 300]
    echoflow analyze OUT_DIR --motion --output OUT
"""
import argparse, json, os, struct, zlib
import numpy as np


def png(path, image):
    h, w = image.shape
    raw = b"".join(b"\x00" + image[r].tobytes() for r in range(h))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def main():
    a = argparse.ArgumentParser()
    a.add_argument("out")
    a.add_argument("--frames", type=int, default=600)
    a.add_argument("--width", type=int, default=400)
    a.add_argument("--height", type=int, default=300)
    args = a.parse_args()
    os.makedirs(args.out, exist_ok=True)
    w, h, rate, dr = args.width, args.height, 5.0, 50.0
    rng = np.random.default_rng(1)
    blobs = [(rng.uniform(-20, w + 20), rng.uniform(-20, h + 20), rng.uniform(0.4, 1.4), rng.uniform(4, 12))
             for _ in range(int(w * h / 500))]
    ys, xs = np.mgrid[0:h, 0:w] + 0.5
    for k in range(args.frames):
        t = k / rate
        dx, dy = 6 * np.sin(2 * np.pi * 0.25 * t), 3 * np.sin(2 * np.pi * 0.25 * t + 1.2)
        x, y = xs - dx, ys - dy
        tissue = np.zeros((h, w))
        for bx, by, amp, s in blobs:
            tissue += amp * np.exp(-((x - bx) ** 2 + (y - by) ** 2) / (2 * s * s))
        bmode = np.clip(30 + 90 * tissue, 0, 255).round().astype(np.uint8)
        tt = t - 8
        lesion = 0.002 + (0.4 * np.exp(-(np.log(tt) - 2.6) ** 2 / (2 * 0.6 ** 2)) / tt if tt > 0 else 0)
        inside = (x - 0.4 * w) ** 2 + (y - 0.5 * h) ** 2 <= (0.12 * w) ** 2
        power = np.where(inside, lesion, 0.004) * rng.exponential(1.0, (h, w))
        contrast = np.clip(255 * (1 + 10 / dr * np.log10(np.maximum(power, 1e-12))), 0, 255).round().astype(np.uint8)
        png(os.path.join(args.out, "frame%04d.png" % k), np.hstack([bmode, contrast]))
    with open(os.path.join(args.out, "clip.json"), "w") as f:
        json.dump({"frameRate": rate, "dynamicRangeDB": dr,
                   "bmodePane": {"x": 0, "y": 0, "width": w, "height": h},
                   "contrastPane": {"x": w, "y": 0, "width": w, "height": h}}, f)
    r = 0.12 * w * 0.8
    # Regions drawn on frame 0, where the content sits at (0, 3 sin 1.2).
    with open(os.path.join(args.out, "roi.json"), "w") as f:
        json.dump({"rois": [{"name": "lesion", "kind": "ellipse", "center": [0.4 * w, 0.5 * h + 3 * np.sin(1.2)], "radii": [r, r]},
                            {"name": "parenchyma", "kind": "rectangle", "x": 0.65 * w, "y": 0.2 * h + 3,
                             "width": 0.25 * w, "height": 0.6 * h}],
                   "reference": "parenchyma", "referenceFrame": 0}, f)


if __name__ == "__main__":
    main()
