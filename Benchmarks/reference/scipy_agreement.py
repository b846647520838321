#!/usr/bin/env python3
"""Cross-check of Echoflow's lognormal fits against SciPy's curve_fit (double precision).

Generates realistic noisy lognormal curves with NumPy (docs/METHODS.md section 8 shapes, 10 % multiplicative
jitter, additive noise of 2 % of the peak, 300 samples over 90 s), fits them with `echoflow fit`, and refits
each curve with scipy.optimize.curve_fit (Levenberg-Marquardt, analytic Jacobian, tight tolerances) from the
same data-driven starting point that Echoflow reports with --starts. Both weight the residuals alike: by default by
each curve's own noise (docs/METHODS.md section 5; the weights written again in NumPy in Tests/Data/noise_weights.py
and given to curve_fit as sigma = 1 / w), with --weighting none not at all. Reports how often both reach the same
minimum, the largest relative difference of TTP, PE, mTT and WiAUC there, and how often Echoflow's (weighted)
residual sum of squares is higher.

Usage: python3 Benchmarks/reference/scipy_agreement.py PATH/TO/echoflow [--curves 1000] [--seed 1] [--weighting none]
"""
import argparse
import csv
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
from scipy.optimize import curve_fit
from scipy.special import erf

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "Data"))
from noise_weights import noise_weights  # noqa: E402


def lognormal(t, a, mu, sigma, t0, o):
    x = np.asarray(t, dtype=float) - t0
    out = np.full_like(x, o, dtype=float)
    m = x > 0
    xm = x[m]
    out[m] = o + a / (xm * sigma * math.sqrt(2 * math.pi)) * np.exp(-((np.log(xm) - mu) ** 2) / (2 * sigma**2))
    return out


def jacobian(t, a, mu, sigma, t0, o):
    x = np.asarray(t, dtype=float) - t0
    j = np.zeros((x.size, 5))
    j[:, 4] = 1
    m = x > 0
    xm = x[m]
    l = np.log(xm) - mu
    phi = np.exp(-(l**2) / (2 * sigma**2)) / (xm * sigma * math.sqrt(2 * math.pi))
    j[m, 0] = phi
    j[m, 1] = a * phi * l / sigma**2
    j[m, 2] = a * phi * (l**2 / sigma**3 - 1 / sigma)
    j[m, 3] = a * phi / xm * (1 + l / sigma**2)
    return j


def derived(a, mu, sigma, t0):
    """TTP, PE, mTT and WiAUC from the closed forms of docs/METHODS.md section 6, written independently."""
    s2 = sigma * sigma
    ttp = t0 + math.exp(mu - s2)
    mtt = t0 + math.exp(mu + s2 / 2)
    pe = a / (sigma * math.sqrt(2 * math.pi)) * math.exp(s2 / 2 - mu)
    w_minus = (-1 - math.sqrt(1 + 4 / s2)) / 2
    t_in = t0 + math.exp(mu + s2 * (w_minus - 1))
    f_in = lognormal([t_in], a, mu, sigma, t0, 0)[0]
    wir = -f_in * w_minus / (t_in - t0)
    ti = t_in - f_in / wir

    def cdf(t):
        return 0.0 if t <= t0 else 0.5 * (1 + erf((math.log(t - t0) - mu) / (sigma * math.sqrt(2))))

    wiauc = a * (cdf(ttp) - cdf(ti))
    return np.array([ttp, pe, mtt, wiauc])


def write_curves(tics, count, seed):
    """Writes `count` realistic noisy lognormal curves to the long CSV `tics`; returns the times and the curves."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 90, 300)
    curves = {}
    with open(tics, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["curve", "time_s", "intensity"])
        for i in range(count):
            lesion = rng.random() < 0.5
            mu = rng.uniform(2.4, 2.9) if lesion else rng.uniform(3.3, 3.9)
            sigma = rng.uniform(0.7, 0.85) if lesion else rng.uniform(0.8, 0.91)
            t0 = rng.uniform(8, 18)
            pe = rng.uniform(0.5, 2)
            o = rng.uniform(0.02, 0.1)
            a = pe * sigma * math.sqrt(2 * math.pi) * math.exp(mu - sigma**2 / 2)
            y = lognormal(t, a, mu, sigma, t0, o)
            y = y * np.exp(0.1 * rng.standard_normal(t.size) - 0.005) + 0.02 * pe * rng.standard_normal(t.size)
            curves[f"c{i}"] = y
            for ti, yi in zip(t, y):
                out.writerow([f"c{i}", repr(float(ti)), repr(float(yi))])
    return t, curves


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("echoflow")
    parser.add_argument("--curves", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--weighting", choices=["noise", "none"], default="noise")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="echoflow-scipy-")
    tics = os.path.join(folder, "tics.csv")
    t, curves = write_curves(tics, args.curves, args.seed)
    fits_path = os.path.join(folder, "fits.csv")
    starts_path = os.path.join(folder, "starts.csv")
    subprocess.run(
        [args.echoflow, "fit", tics, "--output", fits_path, "--starts", starts_path, "--weighting", args.weighting,
         "--quiet"], check=True)
    fits = {row["curve"]: row for row in csv.DictReader(open(fits_path))}
    starts = {row["curve"]: row for row in csv.DictReader(open(starts_path))}

    names = ["lognormal_auc_au_s", "lognormal_mu_ln_s", "lognormal_sigma", "lognormal_t0_s", "lognormal_offset_au"]
    converged = same = worse = better = disagree_weighting = 0
    worst = np.zeros(4)
    for cid, y in curves.items():
        row = fits[cid]
        if row["status"] != "converged" or not starts[cid]["p1"]:
            continue
        converged += 1
        p_echo = np.array([float(row[n]) for n in names])
        p0 = np.array([float(starts[cid][f"p{k}"]) for k in range(1, 6)])
        w = noise_weights(y) if args.weighting == "noise" else None
        if (w is not None) != (row["weighting"] == "noise"):
            disagree_weighting += 1
        sigma = None if w is None else 1 / w
        if w is None:
            w = np.ones_like(y)
        try:
            p_ref, _ = curve_fit(
                lognormal, t, y, p0=p0, sigma=sigma, jac=jacobian, method="lm", xtol=1e-12, ftol=1e-12,
                maxfev=20000)
        except RuntimeError:
            continue
        rss_echo = float(np.sum((w * (y - lognormal(t, *p_echo))) ** 2))
        rss_ref = float(np.sum((w * (y - lognormal(t, *p_ref))) ** 2))
        if rss_echo > rss_ref * (1 + 1e-6):
            worse += 1
        if rss_echo < rss_ref * (1 - 1e-6):
            better += 1
        if abs(rss_echo - rss_ref) <= 1e-6 * rss_ref:
            same += 1
            d = np.abs(derived(*p_echo[:4]) / derived(*p_ref[:4]) - 1)
            worst = np.maximum(worst, d)
    print(f"curves {len(curves)}, echoflow converged {converged}, weighting {args.weighting}")
    print(f"curves where the two implementations of the weight rule disagree: {disagree_weighting}")
    print(f"same minimum (RSS within 1e-6): {same}; echoflow RSS higher: {worse}; echoflow RSS lower: {better}")
    print("largest relative difference where both reach the same minimum:")
    for name, value in zip(["TTP", "PE", "mTT", "WiAUC"], worst):
        print(f"  {name:6s} {value:.2e}")


if __name__ == "__main__":
    sys.exit(main())
