#!/usr/bin/env python3
"""Writes ImageJ ROI fixtures with `roifile` (an independent writer of ImageJ's format) and what they hold.

    python3 Tests/Data/imagej_rois.py Fixtures/roi/imagej      (make imagej-rois)

Writes one .roi file per shape, RoiSet.zip with the lesion and parenchyma regions of the bundled 64 x 56 clips,
a line ROI (not an area: Echoflow refuses it) and expected.json: for every ROI its name, type, bounds and vertices
in image pixels as roifile reads them back.
"""
import json, os, sys
import numpy as np
import roifile
from roifile import ImagejRoi, ROI_TYPE

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def rect(name, left, top, width, height, roitype=ROI_TYPE.RECT):
    return ImagejRoi(roitype=roitype, name=name, left=left, top=top, right=left + width, bottom=top + height)


def integer_polygon(name, points, roitype):
    pts = np.array(points, dtype=np.int32)
    left, top = pts.min(axis=0)
    right, bottom = pts.max(axis=0)
    return ImagejRoi(roitype=roitype, name=name, left=int(left), top=int(top), right=int(right) + 1,
                     bottom=int(bottom) + 1, n_coordinates=len(pts), integer_coordinates=pts - [left, top])


rois = {
    "rect": rect("parenchyma", 42, 11, 18, 34),
    "oval": rect("lesion", 13, 19, 18, 18, ROI_TYPE.OVAL),
    "polygon": integer_polygon("rim", [[10, 10], [30, 12], [25, 30]], ROI_TYPE.POLYGON),
    "traced": integer_polygon("traced", [[5, 5], [20, 5], [20, 15], [5, 15]], ROI_TYPE.TRACED),
    "freehand": ImagejRoi.frompoints(np.array([[10.5, 12.25], [30.0, 14.0], [25.0, 31.75], [12.2, 28.6]]),
                                      name="drawn"),
}
rois["freehand"].roitype = ROI_TYPE.FREEHAND
line = ImagejRoi(roitype=ROI_TYPE.LINE, name="a line", x1=1.0, y1=2.0, x2=30.0, y2=40.0, left=1, top=2, right=30,
                 bottom=40)

expected = {}
for key, roi in rois.items():
    path = os.path.join(out, key + ".roi")
    roi.tofile(path)
    back = ImagejRoi.fromfile(path)
    coordinates = back.coordinates()
    expected[key] = {
        "name": back.name, "type": ROI_TYPE(back.roitype).name.lower(),
        "left": back.left, "top": back.top, "right": back.right, "bottom": back.bottom,
        "points": [[float(x), float(y)] for x, y in coordinates] if len(coordinates) else [],
    }
line.tofile(os.path.join(out, "line.roi"))
zip_path = os.path.join(out, "RoiSet.zip")
if os.path.exists(zip_path):
    os.remove(zip_path)
roifile.roiwrite(zip_path, [rois["oval"], rois["rect"]])
expected["RoiSet.zip"] = [ImagejRoi.frombytes(r.tobytes()).name for r in roifile.roiread(zip_path)]
with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)
    f.write("\n")
