"""Echoflow's residual weights (docs/METHODS.md section 5), written again in NumPy from their description, for the
independent references (Tests/Data/careful_fits.py, Benchmarks/reference/scipy_agreement.py)."""
import math

import numpy as np


def noise_weights(y):
    """Residual weights from the curve's noise: var = a + b m^2, m the 9-sample running median (window cut at the
    ends), (a, b) a least-squares line through (m^2, (y - m)^2) (through the origin when a < 0), floor f^2 =
    max(a / b, (0.01 range(m))^2), w = 1 / sqrt(m^2 + f^2) scaled to mean(w^2) = 1. None: unweighted."""
    y = np.asarray(y, dtype=float)
    n = len(y)
    if n < 30 or not np.all(np.isfinite(y)):
        return None
    m = np.array([np.median(y[max(0, i - 4) : i + 5]) for i in range(n)])
    spread = m.max() - m.min()
    if spread <= 0:
        return None
    x, z = m**2, (y - m) ** 2
    b, a = np.polyfit(x, z, 1)
    if a < 0:
        a, b = 0.0, float(np.sum(x * z) / np.sum(x * x))
    if not b > 0:
        return None
    w = 1 / np.sqrt(m**2 + max(a / b, (0.01 * spread) ** 2))
    return w / math.sqrt(np.mean(w**2))
