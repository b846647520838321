#!/usr/bin/env python3
"""Writes NIfTI-1 label masks with nibabel (an independent writer) and the pixels of each label.

    python3 Tests/Data/nifti_masks.py Fixtures/roi/nifti      (make nifti-masks)

The masks fit the bundled 64 x 56 clips: label 1 is the lesion disc (centre (22, 28), radius 9, pixels whose centre
is inside), label 2 the parenchyma rectangle x 42-59, y 11-44, label 3 a marker at x 2-9, y 2-5. Arrays are written as array[col, row] (the first
index along a row), which Echoflow reads as pane column, row. expected.json lists, per file and label, the pane
indices row * 64 + col.
"""
import json, os, sys
import numpy as np
import nibabel as nib

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
W, H = 64, 56
labels = np.zeros((W, H), dtype=np.int32)
for col in range(W):
    for row in range(H):
        if (col + 0.5 - 22) ** 2 + (row + 0.5 - 28) ** 2 <= 81:
            labels[col, row] = 1
        elif 42 <= col < 60 and 11 <= row < 45:
            labels[col, row] = 2
        elif 2 <= col < 10 and 2 <= row < 6:
            labels[col, row] = 3  # a marker in the top-left corner: no flip or swap of the axes leaves it in place


def expected_of(array2d):
    return {f"label {v}": sorted(int(r * W + c) for c, r in zip(*np.nonzero(array2d == v)))
            for v in sorted(set(np.unique(array2d)) - {0})}


affine = np.diag([0.1, 0.1, 1.0, 1.0])
files = {}
nib.save(nib.Nifti1Image(labels.astype(np.uint8), affine), os.path.join(out, "labels-uint8.nii"))
files["labels-uint8.nii"] = expected_of(labels)
# Three slices, int16, gzip: only the first slice counts (the others hold other labels).
stack = np.stack([labels, np.roll(labels, 5, axis=0) * 3, np.full((W, H), 7)], axis=2).astype(np.int16)
nib.save(nib.Nifti1Image(stack, affine), os.path.join(out, "labels-int16-3d.nii.gz"))
files["labels-int16-3d.nii.gz"] = expected_of(labels)
# Float labels, big-endian.
big = nib.Nifti1Image(labels.astype(">f4"), affine)
nib.save(big, os.path.join(out, "labels-float-big-endian.nii"))
files["labels-float-big-endian.nii"] = expected_of(labels)
# Not labels: a fractional value.
frac = labels.astype(np.float32)
frac[3, 4] = 0.5
nib.save(nib.Nifti1Image(frac, affine), os.path.join(out, "fractional.nii"))
with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump(files, f, sort_keys=True)
    f.write("\n")
