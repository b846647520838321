#!/usr/bin/env python3
"""Computes the expected values of Tests/CEUSImagingTests/RealDICOMTests.swift with pydicom, an independent decoder.

For each real file (installed by Tests/Data/fetch_dicom_samples.py): the number of frames, the size, and for some
frames the sum of all decoded samples and four samples at flat (row, column, channel) indices 0, 1000,
123457 mod size and size - 1. Decoding: pydicom's `pixel_array` (JPEG Baseline through Pillow; YBR_FULL and
YBR_FULL_422 converted to RGB by pydicom itself), PALETTE COLOR through `pydicom.pixels.apply_color_lut`.

    make dicom-reference          # installs pydicom and Pillow into .cache/pydicom-venv, then runs this
    python3 Tests/Data/pydicom_reference.py .cache/dicom-samples

Prints the `files` table in the test's Swift syntax; the test's table must equal it.
"""
import sys

import numpy as np
import pydicom
from pydicom.pixels import apply_color_lut

# File and the frames checked, in the test's order.
FRAMES = [
    ("GREYSCALE_CINE.dcm", [0, 13, 26]),
    ("ultrasound-multiframe.dcm", [0, 29]),
    ("RGB_CINE.dcm", [0, 50]),
    ("US1_UNCR.dcm", [0]),
    ("gdcm-US-ALOKA-16.dcm", [0]),
    ("gdcm-US-ALOKA-16_big.dcm", [0]),
    ("color3d_jpeg_baseline.dcm", [0, 60, 119]),
    ("color-pl.dcm", [0]),
    ("emri_small_RLE.dcm", [0, 9]),
    ("SC_ybr_full_uncompressed.dcm", [0]),
]


def frames_of(ds):
    pixels = ds.pixel_array
    if ds.PhotometricInterpretation == "PALETTE COLOR":
        pixels = apply_color_lut(pixels, ds)
    count = int(getattr(ds, "NumberOfFrames", 1) or 1)
    if count == 1:
        pixels = pixels[np.newaxis, ...]
    if ds.PhotometricInterpretation == "MONOCHROME1":
        maximum = (1 << int(ds.BitsStored)) - 1
        pixels = maximum - pixels
    return count, pixels


def main(cache):
    print(f"// pydicom {pydicom.__version__}, numpy {np.__version__}")
    for name, checked in FRAMES:
        ds = pydicom.dcmread(f"{cache}/{name}")
        count, pixels = frames_of(ds)
        rows = []
        for f in checked:
            flat = pixels[f].astype(np.int64).reshape(-1)
            indices = [0, 1000, 123457 % flat.size, flat.size - 1]
            rows.append(f"({f}, {int(flat.sum()):_}, [{', '.join(str(int(flat[i])) for i in indices)}])")
        print(f'Expected(file: "{name}", frames: {count}, width: {ds.Columns}, height: {ds.Rows}, '
              f'checks: [{", ".join(rows)}]),')
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ".cache/dicom-samples"))
