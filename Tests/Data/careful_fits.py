#!/usr/bin/env python3
"""Careful bounded multi-start least-squares fits of the real curves in Fixtures/real-tic, with SciPy.

An independent reference for the tests (Tests/PerfusionAnalysisTests/RealDataTests.swift): the bolus models are
written here from their formulas (docs/METHODS.md section 4) in NumPy, fitted with scipy.optimize.least_squares
(trust-region reflective, bounded) from a grid of starting points per model, and the best fit of each curve, model
and scaling (display values as exported, and linearized with a 60 dB dynamic range) is written as JSON, twice: with
the residuals weighted by the curve's own noise (Echoflow's default, docs/METHODS.md section 5, written here again
from its description) and unweighted (`--weighting none`).

    python3 Tests/Data/careful_fits.py > Fixtures/real-tic/careful-fits.json

(`make reference-fits` installs SciPy from PyPI and runs it.) The bounds are Echoflow's, so both fitters search the
same box; nothing of Echoflow's code is used.
"""
import csv
import json
import math
import os
import sys

import numpy as np
import scipy
from scipy.optimize import least_squares

from noise_weights import noise_weights

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CSV_PATH = os.path.join(ROOT, "Fixtures", "real-tic", "example_TIC.csv")
CURVES = ["dia", "cw", "liver"]


def lognormal(p, t):
    area, mu, sigma, t0, offset = p
    x = t - t0
    out = np.full_like(t, offset)
    m = x > 0
    xm = x[m]
    out[m] += area / (xm * sigma * math.sqrt(2 * math.pi)) * np.exp(-((np.log(xm) - mu) ** 2) / (2 * sigma**2))
    return out


def gamma(p, t):
    peak, alpha, rise, t0, offset = p
    x = t - t0
    out = np.full_like(t, offset)
    m = x > 0
    u = x[m] / rise
    out[m] += peak * np.exp(alpha * (np.log(u) + 1 - u))
    return out


def random_walk(s, q):
    def f(p, t):
        area, mu, lam, t0, offset = p
        x = t - t0
        out = np.full_like(t, offset)
        m = x > 0
        xm = x[m]
        out[m] += area * math.sqrt(lam / (2 * math.pi)) * mu**s * xm ** (-q) * np.exp(-lam * (xm - mu) ** 2 / (2 * mu * xm))
        return out

    return f


MODELS = {"lognormal": lognormal, "gamma": gamma, "ldrw": random_walk(-0.5, 0.5), "fpt": random_walk(0.5, 1.5)}


def bounds(model, t):
    first, last = t[0], t[-1]
    span = last - first
    interval = span / (len(t) - 1)
    inf = np.inf
    if model == "lognormal":
        return [0, math.log(interval / 4), 0.02, first - span, -inf], [inf, math.log(20 * span), 4, last, inf]
    if model == "gamma":
        return [0, 0.1, interval / 4, first - span, -inf], [inf, 100, 20 * span, last, inf]
    return [0, interval / 4, 0.02, first - span, -inf], [inf, 20 * span, 1000, last, inf]


def starts(model, t, y):
    """A grid of starting points around the curve's peak, shapes from narrow to wide, arrival from early to late."""
    n = len(y)
    base = float(np.median(y[: max(5, n // 20)]))
    k = max(1, n // 60)
    smooth = np.convolve(y, np.ones(k) / k, mode="same")
    ipeak = int(np.argmax(smooth))
    tpeak, height = t[ipeak], max(smooth[ipeak] - base, 1e-9)
    out = []
    for frac in [-0.5, -0.2, 0.0, 0.2, 0.4, 0.6, 0.8, 0.9]:
        t0 = t[0] + frac * (tpeak - t[0])
        rise = max(tpeak - t0, 1e-3)
        if model == "lognormal":
            for sigma in [0.15, 0.3, 0.5, 0.7, 1.0, 1.4, 2.0]:
                mu = math.log(rise) + sigma**2
                area = height * sigma * math.sqrt(2 * math.pi) * math.exp(mu - sigma**2 / 2)
                out.append([area, mu, sigma, t0, base])
        elif model == "gamma":
            for alpha in [0.5, 1, 2, 4, 8, 16, 32]:
                out.append([height, alpha, rise, t0, base])
        else:
            s, q = (-0.5, 0.5) if model == "ldrw" else (0.5, 1.5)
            for lam in [0.3, 1, 3, 10, 30, 100, 300]:
                ratio = (math.sqrt(1 + 4 * lam**2) - 1) / (2 * lam) if model == "ldrw" else (math.sqrt(9 + 4 * lam**2) - 3) / (2 * lam)
                mu = rise / ratio
                unit = MODELS[model]([1, mu, lam, t0, 0], np.array([tpeak]))[0]
                out.append([height / max(unit, 1e-300), mu, lam, t0, base])
    return out


def careful_fit(model, t, y, w):
    f = MODELS[model]
    if w is None:
        w = np.ones_like(y)
    lower, upper = bounds(model, t)
    best = None
    tried = 0
    for p0 in starts(model, t, y):
        lo, hi = np.array(lower, dtype=float), np.array(upper, dtype=float)
        with np.errstate(invalid="ignore"):
            inside_lo = np.where(np.isfinite(lo), lo + 1e-9 * (np.abs(lo) + 1), lo)
            inside_hi = np.where(np.isfinite(hi), hi - 1e-9 * (np.abs(hi) + 1), hi)
        p0 = np.clip(p0, inside_lo, inside_hi)
        tried += 1
        try:
            r = least_squares(
                lambda p: (f(p, t) - y) * w, p0, bounds=(lower, upper), method="trf", x_scale="jac",
                ftol=1e-12, xtol=1e-12, gtol=1e-12, max_nfev=4000)
        except (ValueError, FloatingPointError):
            continue
        cost = float(np.sum(r.fun**2))
        if np.isfinite(cost) and (best is None or cost < best[0]):
            best = (cost, r.x)
    total = float(np.sum((y - y.mean()) ** 2))
    cost, p = best
    unweighted = float(np.sum((f(p, t) - y) ** 2))
    # Parameters on a bound: within 1e-4 of the box's width of a bound when both are finite, else within 1e-9 of
    # the parameter's magnitude (at least 1e-300) of its one finite bound.
    on_bound = []
    for k, (lo, hi) in enumerate(zip(lower, upper)):
        if np.isfinite(lo) and np.isfinite(hi):
            tol = 1e-4 * (hi - lo)
        else:
            tol = max(1e-9 * abs(p[k]), 1e-300)
        if (np.isfinite(lo) and p[k] - lo <= tol) or (np.isfinite(hi) and hi - p[k] <= tol):
            on_bound.append(k)
    return {
        "on_bound": on_bound,
        "cost": cost,
        "qof_pct": 100 * (1 - unweighted / total),
        "parameters": [float(v) for v in p],
        "starts": tried,
    }


def main():
    with open(CSV_PATH, newline="") as handle:
        rows = list(csv.DictReader(handle))
    t = np.array([float(r["time"]) for r in rows])
    out = {
        "source": "Fixtures/real-tic/example_TIC.csv",
        "script": "Tests/Data/careful_fits.py",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "linearization": "P = 10^((clip(Y, 0, 255) / 255 - 1) * 60 / 10) for the linearized fits",
        "fits": [],
    }
    for name in CURVES:
        raw = np.array([float(r[name]) for r in rows])
        for linearized in [False, True]:
            y = 10 ** ((np.clip(raw, 0, 255) / 255 - 1) * 60 / 10) if linearized else raw
            for weighting in ["noise", "none"]:
                w = noise_weights(y) if weighting == "noise" else None
                for model in MODELS:
                    fit = careful_fit(model, t, y, w)
                    fit.update(
                        {"curve": name, "linearized": linearized, "model": model, "weighting": weighting,
                         "weighted": w is not None})
                    out["fits"].append(fit)
                    print(f"{name} linearized={linearized} {weighting} {model}: QOF {fit['qof_pct']:.4f}",
                          file=sys.stderr)
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
