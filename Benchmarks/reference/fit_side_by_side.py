#!/usr/bin/env python3
"""End-to-end speed of `echoflow fit` beside SciPy on the same long CSV, in one run (README, "Speed and accuracy").

Writes N realistic noisy lognormal curves of 300 samples (scipy_agreement.write_curves) to one long CSV
(`curve,time_s,intensity`), then times, on this machine:

- `echoflow fit` reading and fitting the file (wall time of the process, every core; the median of three runs, as
  one run of 0.15-0.2 s moves by a fifth on a shared machine), and the reading alone as its --timings line reports
  it in the run with that median;
- pandas.read_csv reading the same file (its C parser, default options), when pandas is installed (`make side-by-side`
  installs it in a virtual environment), for the reading target: Echoflow's reading within 2x of pandas;
- Python reading the same file with the csv module and grouping the rows into curves;
- SciPy's `curve_fit` (Levenberg-Marquardt, analytic Jacobian, default tolerances, one core) fitting every curve from
  the same data-driven start Echoflow reports with --starts and with the same residual weights (sigma = 1 / w, the
  weights of docs/METHODS.md section 5 computed beforehand by Tests/Data/noise_weights.py, not timed), so that both do
  the same job.

and prints the times and the ratios. Usage:

    python3 Benchmarks/reference/fit_side_by_side.py PATH/TO/echoflow [--curves 3000] [--seed 1]
    make side-by-side      (the release build, and pandas in .cache/pandas-venv)
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile
import re
import time

import numpy as np
from scipy.optimize import curve_fit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scipy_agreement import jacobian, lognormal, noise_weights, write_curves  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("echoflow")
    parser.add_argument("--curves", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="echoflow-side-by-side-")
    tics = os.path.join(folder, "tics.csv")
    write_curves(tics, args.curves, args.seed)
    size = os.path.getsize(tics) / 1e6

    runs = []
    for _ in range(3):
        started = time.perf_counter()
        run = subprocess.run(
            [args.echoflow, "fit", tics, "--output", os.path.join(folder, "fits.csv"), "--quiet", "--timings"],
            check=True, capture_output=True, text=True)
        runs.append((time.perf_counter() - started, run.stderr))
    runs.sort(key=lambda r: r[0])
    echoflow, stderr = runs[1]
    phases = dict((name, float(value)) for name, value in re.findall(r"(read|fit|write) ([0-9.]+) s", stderr))

    pandas_reading = None
    try:
        import pandas
        started = time.perf_counter()
        frame = pandas.read_csv(tics)
        pandas_reading = time.perf_counter() - started
        assert len(frame) == args.curves * 300, len(frame)
    except ImportError:
        pass

    # The starts, for SciPy (not timed).
    starts_path = os.path.join(folder, "starts.csv")
    subprocess.run(
        [args.echoflow, "fit", tics, "--output", os.path.join(folder, "f2.csv"), "--starts", starts_path, "--quiet"],
        check=True)
    starts = {r["curve"]: r for r in csv.DictReader(open(starts_path)) if r["p1"]}

    started = time.perf_counter()
    curves = {}
    with open(tics, newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for cid, ts, ys in reader:
            entry = curves.setdefault(cid, ([], []))
            entry[0].append(float(ts))
            entry[1].append(float(ys))
    reading = time.perf_counter() - started
    sigmas = {}
    for cid, (ts, ys) in curves.items():
        w = noise_weights(ys)
        sigmas[cid] = None if w is None else 1 / w

    started = time.perf_counter()
    fitted = 0
    for cid, (ts, ys) in curves.items():
        if cid not in starts:
            continue
        p0 = [float(starts[cid][f"p{k}"]) for k in range(1, 6)]
        try:
            curve_fit(lognormal, np.array(ts), np.array(ys), p0=p0, sigma=sigmas[cid], jac=jacobian, method="lm")
            fitted += 1
        except RuntimeError:
            pass
    fitting = time.perf_counter() - started

    print(f"{args.curves} curves x 300 samples, {size:.1f} MB long CSV, {os.cpu_count()} cores")
    print(f"echoflow fit, three runs:             {', '.join(f'{r[0]:.2f}' for r in runs)} s")
    print(f"echoflow fit (read, fit, write):      {echoflow:7.2f} s"
          f"  (its --timings: read {phases.get('read', float('nan')):.3f} s, fit {phases.get('fit', float('nan')):.3f} s,"
          f" write {phases.get('write', float('nan')):.3f} s)")
    if pandas_reading is not None:
        print(f"pandas.read_csv reading alone:        {pandas_reading:7.2f} s (pandas {pandas.__version__})")
    print(f"Python csv reading and grouping:      {reading:7.2f} s")
    print(f"SciPy curve_fit, {fitted} curves, one core: {fitting:7.2f} s")
    print(f"SciPy fitting alone / echoflow end to end:         {fitting / echoflow:6.1f}x")
    print(f"(Python reading + SciPy fitting) / echoflow:       {(reading + fitting) / echoflow:6.1f}x")
    if pandas_reading is not None and "read" in phases:
        print(f"echoflow reading / pandas.read_csv (target <= 2): {phases['read'] / pandas_reading:6.2f}")
    else:
        print("echoflow reading / pandas.read_csv: not measured (pandas is not installed here; make side-by-side)")


if __name__ == "__main__":
    sys.exit(main())
