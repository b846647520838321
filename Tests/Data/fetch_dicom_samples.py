#!/usr/bin/env python3
"""Installs the real ultrasound DICOM files used by the tests into a cache folder (run by `make test`).

Source: the PyPI packages pydicom-data 1.0.0 (MIT) and deid-data 0.0.20 (MIT), downloaded with pip. Only the files
below are extracted, and every download and file is checked against its SHA-256. Reference values in
Tests/CEUSImagingTests/RealDICOMTests.swift were computed from these files with pydicom, an independent decoder, by
Tests/Data/pydicom_reference.py (`make dicom-reference`).
"""
import hashlib
import io
import os
import subprocess
import sys
import tarfile
import zipfile

# SHA-256 of the two downloads and of every file the tests read: a changed or damaged download fails here, loudly,
# instead of as a puzzling pixel mismatch in the tests.
ARCHIVES = {
    "pydicom_data-1.0.0-py3-none-any.whl": "622ac97265f1d91f76b5120b5bd6eb0f57737c392ef863b72c71779c91e33637",
    "deid-data-0.0.20.tar.gz": "33d455f13c82f76a39e8eb52d2808a35d7cde29c120819e246c863432281b8ed",
}
SAMPLES = {
    "GREYSCALE_CINE.dcm": "9294ca7c3ad51de4b59207f46bd7eac71b9ff7eb53bcbd48fc64aa9c60b88702",
    "RGB_CINE.dcm": "35ede7bf1bc20659af302b61c814b5123d6174686a8e3449668655e73e8c0653",
    "SC_ybr_full_uncompressed.dcm": "3c9f4b2b82a3f88ce5340cb07ce14782dcbb09840938e4489e8c21eac1f02dd6",
    "US1_UNCR.dcm": "af5a66e40cd49d15dfbf7b78c850eba0662bdc7339339c3fa13f123a57e812cb",
    "color-pl.dcm": "16bfc3134e59d789985efddfc70d924420b16e1c6d1f21c960bb4544c9e9dbf9",
    "color3d_jpeg_baseline.dcm": "c8798b8abf8ae0a18e8c9952e7c7f75f3cc8465234b1b63f9e3ba3bebb9d5625",
    "emri_small_RLE.dcm": "93c19bca3fb6b7202dcd067de8d16cb6b3f7c6e9a0632e474aab81175ee45266",
    "gdcm-US-ALOKA-16.dcm": "f1a2d5f7c4ffe87dc589b12738084099fe44a436f6980f5d7e96a026ad356d65",
    "gdcm-US-ALOKA-16_big.dcm": "2a801cbd7bd04ed28b9c14c7a8edb04b43384e38f00574e27c0fab8f4aa62db4",
    "ultrasound-multiframe.dcm": "69e1c7c1165ad829a682417ffbc664fb91cd11afe842aa5fb9145b9ba67309c4",
}


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verified(path, expected):
    """True when `path` exists with the expected checksum; a file with another checksum is an error."""
    if not os.path.exists(path):
        return False
    found = sha256(path)
    if found != expected:
        sys.exit(f"error: {path}: SHA-256 {found}, expected {expected}; delete it and run `make test-data` again")
    return True

FILES = {
    "pydicom_data-1.0.0-py3-none-any.whl": [
        "US1_UNCR.dcm", "gdcm-US-ALOKA-16.dcm", "gdcm-US-ALOKA-16_big.dcm", "color3d_jpeg_baseline.dcm", "color-pl.dcm",
        "emri_small_RLE.dcm", "SC_ybr_full_uncompressed.dcm",
    ],
    "deid-data-0.0.20.tar.gz": ["GREYSCALE_CINE.zip", "ultrasound-multiframe.dcm", "RGB_CINE.zip"],
}


def main(cache):
    os.makedirs(cache, exist_ok=True)
    if all(verified(os.path.join(cache, name), digest) for name, digest in SAMPLES.items()):
        print("dicom samples: present in " + cache + " (checksums verified)")
        return 0
    downloads = os.path.join(cache, "downloads")
    if not all(verified(os.path.join(downloads, name), digest) for name, digest in ARCHIVES.items()):
        try:
            subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", downloads,
                            "pydicom-data==1.0.0", "deid-data==0.0.20"], check=True)
        except (subprocess.CalledProcessError, OSError) as error:
            sys.exit("error: cannot download the DICOM test samples from PyPI (pydicom-data 1.0.0, deid-data 0.0.20): "
                     f"{error}. The real-file tests need them; connect to PyPI, or copy the two files into {downloads}")
        for name, digest in ARCHIVES.items():
            if not verified(os.path.join(downloads, name), digest):
                sys.exit(f"error: pip did not produce {name} in {downloads}")
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
    for name, digest in SAMPLES.items():
        if not verified(os.path.join(cache, name), digest):
            sys.exit(f"error: {name} was not found in the downloaded archives")
    print("dicom samples: installed in " + cache + " (checksums verified)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ".cache/dicom-samples"))
