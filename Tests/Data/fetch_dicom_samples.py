#!/usr/bin/env python3
"""Installs the real ultrasound DICOM files used by the tests into a cache folder (run by `make test`).

Source: the PyPI packages pydicom-data 1.0.0 (MIT) and deid-data 0.0.20 (MIT), downloaded with pip. Only the files
below are extracted. Reference values in Tests/CEUSImagingTests/RealDICOMTests.swift were computed from these files
with pydicom 3.0.2 (`pixel_array`, with Pillow 12 for JPEG Baseline; `pydicom.pixels.apply_color_lut` for PALETTE
COLOR; YBR_FULL converted to RGB by `pixel_array` itself), an independent decoder.
"""
import io
import os
import subprocess
import sys
import tarfile
import zipfile

FILES = {
    "pydicom_data-1.0.0-py3-none-any.whl": [
        "US1_UNCR.dcm", "gdcm-US-ALOKA-16.dcm", "gdcm-US-ALOKA-16_big.dcm", "color3d_jpeg_baseline.dcm", "color-pl.dcm",
        "emri_small_RLE.dcm", "SC_ybr_full_uncompressed.dcm",
    ],
    "deid-data-0.0.20.tar.gz": ["GREYSCALE_CINE.zip", "ultrasound-multiframe.dcm", "RGB_CINE.zip"],
}


def main(cache):
    os.makedirs(cache, exist_ok=True)
    wanted = FILES["pydicom_data-1.0.0-py3-none-any.whl"] + ["GREYSCALE_CINE.dcm", "ultrasound-multiframe.dcm", "RGB_CINE.dcm"]
    if all(os.path.exists(os.path.join(cache, name)) for name in wanted):
        print("dicom samples: present in " + cache)
        return 0
    downloads = os.path.join(cache, "downloads")
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", downloads,
                    "pydicom-data==1.0.0", "deid-data==0.0.20"], check=True)
    wheel = zipfile.ZipFile(os.path.join(downloads, "pydicom_data-1.0.0-py3-none-any.whl"))
    for name in FILES["pydicom_data-1.0.0-py3-none-any.whl"]:
        with open(os.path.join(cache, name), "wb") as out:
            out.write(wheel.read("data_store/data/" + name))
    archive = tarfile.open(os.path.join(downloads, "deid-data-0.0.20.tar.gz"))
    for member in archive.getmembers():
        name = os.path.basename(member.name)
        if "/ultrasounds/" not in member.name or name not in FILES["deid-data-0.0.20.tar.gz"]:
            continue
        data = archive.extractfile(member).read()
        if name.endswith(".zip"):
            inner = zipfile.ZipFile(io.BytesIO(data))
            dcm = [q for q in inner.namelist() if q.endswith(".dcm")][0]
            data = inner.read(dcm)
            name = name[:-4] + ".dcm"
        with open(os.path.join(cache, name), "wb") as out:
            out.write(data)
    print("dicom samples: installed in " + cache)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ".cache/dicom-samples"))
