#!/usr/bin/env python3
"""Writes the viewer's benchmark clip with pydicom (an independent writer): a 1,500-frame 800 x 600 grey
ultrasound cine at 25 frames/s (60 s), uncompressed, Ultrasound Multi-frame Image Storage. Speckle over a static
background, with a bolus (a lognormal wash-in and wash-out) in a disc; about 720 MB.

Usage: viewer_cine.py OUT.dcm [--frames N]
Then: echoflow view OUT.dcm, and Tests/Browser/drive_viewer.py ECHOFLOW --clip OUT.dcm --measure
(`make viewer-bench` does all of it with the release build).
"""
import sys

import numpy as np
import pydicom
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

out = sys.argv[1]
frames = int(sys.argv[sys.argv.index("--frames") + 1]) if "--frames" in sys.argv else 1500
rows, cols, rate = 600, 800, 25.0
rng = np.random.default_rng(20261201)
yy, xx = np.mgrid[0:rows, 0:cols]
disc = (xx - 300) ** 2 + (yy - 280) ** 2 < 90 ** 2
background = 0.02 + 0.01 * np.sin(xx / 40.0) ** 2
t = np.arange(frames) / rate
bolus = np.where(t > 8, np.exp(-(np.log(np.maximum(t - 8, 1e-9)) - 2.2) ** 2 / (2 * 0.5 ** 2)) / np.maximum(t - 8, 1e-9), 0)
bolus /= bolus.max()
pixels = np.empty((frames, rows, cols), dtype=np.uint8)
for k in range(frames):
    power = background + disc * 0.5 * bolus[k]
    speckle = rng.exponential(1.0, size=(rows, cols)) * power
    # Log compression to 8 bits over a 50 dB range.
    level = 255 * (1 + 10 * np.log10(np.maximum(speckle, 1e-12)) / 50)
    pixels[k] = np.clip(level, 0, 255).astype(np.uint8)

meta = FileMetaDataset()
meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.3.1"
meta.MediaStorageSOPInstanceUID = generate_uid()
meta.TransferSyntaxUID = ExplicitVRLittleEndian
ds = FileDataset(out, {}, file_meta=meta, preamble=b"\0" * 128)
ds.SOPClassUID = meta.MediaStorageSOPClassUID
ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
ds.Modality = "US"
ds.PatientName = "Benchmark^Viewer"
ds.StudyInstanceUID = generate_uid()
ds.SeriesInstanceUID = generate_uid()
ds.SamplesPerPixel = 1
ds.PhotometricInterpretation = "MONOCHROME2"
ds.Rows, ds.Columns = rows, cols
ds.NumberOfFrames = frames
ds.FrameTime = 1000.0 / rate
ds.FrameIncrementPointer = pydicom.tag.Tag(0x0018, 0x1063)
ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
ds.PixelData = pixels.tobytes()
ds.save_as(out, enforce_file_format=True)
print(f"wrote {out}: {frames} frames of {cols} x {rows}")
