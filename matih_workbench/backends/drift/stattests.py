"""The drift statistics on prepared columns (sorted finite values, or category counts), vectorised with NumPy.

Each mirrors the Evidently 0.7 test of the same name (``evidently/legacy/calculations/stattests/``) and
returns the same value; SciPy gives the distributions' tails."""

from __future__ import annotations

import numpy as np
from scipy import stats
from scipy.spatial import distance


def wasserstein_normed(reference: np.ndarray, current: np.ndarray) -> float:
    """First Wasserstein distance of two sorted samples over max(std(reference), 0.001), as
    ``wasserstein_distance_norm.py`` (``scipy.stats.wasserstein_distance`` / ``np.std``)."""
    return wasserstein_sorted(reference, current) / max(float(np.std(reference)), 0.001)


def wasserstein_sorted(u: np.ndarray, v: np.ndarray, chunk: int = 1 << 16) -> float:
    """W1 = integral of |F_u - F_v| of two sorted samples, in O(n + m) after the sorts and in slices of
    about ``chunk`` values of ``u`` (small, cache-sized temporaries)."""
    n, m = len(u), len(v)
    if n == m:  # equal sizes: the mean distance between matching order statistics
        gaps = u - v
        return float(np.abs(gaps, out=gaps).mean())
    cuts = np.unique(u[chunk::chunk])  # slice k holds the values of both in [cuts[k - 1], cuts[k])
    u_at = np.concatenate([[0], np.searchsorted(u, cuts, "left"), [n]])
    v_at = np.concatenate([[0], np.searchsorted(v, cuts, "left"), [m]])
    total = 0.0
    for k in range(len(u_at) - 1):
        a, b, c, d = u_at[k], u_at[k + 1], v_at[k], v_at[k + 1]
        merged = np.concatenate([u[a:b], v[c:d]])
        if len(merged) == 0:
            continue
        order = np.argsort(merged, kind="stable")  # timsort: a linear merge of the two sorted runs
        merged = merged[order]
        gaps = np.diff(merged, append=cuts[k] if k < len(cuts) else merged[-1])  # up to the next slice
        # n*m*(F_u - F_v) after each point: +m for a point of u, -n for one of v (exact in float64)
        steps = np.where(order < b - a, float(m), float(-n))
        steps[0] += a * m - c * n
        np.cumsum(steps, out=steps)
        np.abs(steps, out=steps)
        total += float(np.dot(steps, gaps))
    return total / (n * m)


def ks_p_value(reference: np.ndarray, current: np.ndarray) -> float:
    """Two-sided two-sample Kolmogorov-Smirnov p-value: ``ks_2samp``, default method (``ks_stattest.py``)."""
    return float(stats.ks_2samp(reference, current).pvalue)


def chisquare_p_value(reference: np.ndarray, current: np.ndarray) -> float:
    """Chi-square goodness of fit of the current counts to the reference's shares (``chisquare_stattest.py``);
    a category unseen in the reference gives an infinite statistic, p = 0."""
    expected = reference * (current.sum() / reference.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(
            expected > 0, (current - expected) ** 2 / expected, np.where(current > 0, np.inf, 0.0)
        )
    return float(stats.chi2.sf(terms.sum(), len(reference) - 1))


def z_p_value(reference: np.ndarray, current: np.ndarray) -> float:
    """Two-proportion Z-test on (at most) two categories, two-sided (``z_stattest.py``); 1 when both samples
    hold the same single value."""
    if len(reference) < 2:
        return 1.0
    n1, n2 = reference.sum(), current.sum()
    p1, p2 = reference[1] / n1, current[1] / n2
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2))
    return float(2 * stats.norm.sf(abs(z)))


def jensenshannon(reference: np.ndarray, current: np.ndarray) -> float:
    """Jensen-Shannon distance (natural log) of the two count vectors' shares (``jensenshannon.py``)."""
    return float(distance.jensenshannon(reference / reference.sum(), current / current.sum()))


def psi(reference: np.ndarray, current: np.ndarray) -> float:
    """Population stability index of two count vectors, empty bins filled as Evidently's ``psi.py`` does."""
    ref, cur = _filled(reference / reference.sum()), _filled(current / current.sum())
    return float(np.sum((ref - cur) * np.log(ref / cur)))


def _filled(shares: np.ndarray) -> np.ndarray:
    smallest = shares[shares > 0].min()
    return np.where(shares > 0, shares, smallest / 10**6 if smallest <= 0.0001 else 0.0001)


def sturges_edges(low: float, high: float, size: int, integer: bool) -> np.ndarray:
    """``np.histogram_bin_edges(data, bins="sturges")`` from the data's min, max and size alone."""
    if low == high:
        low, high = low - 0.5, high + 0.5
    width = (high - low) / (np.log2(size) + 1.0)
    if integer and width < 1:
        width = 1
    bins = int(np.ceil((high - low) / width)) if width else 1
    return np.linspace(low, high, bins + 1)


def sorted_histogram(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """``np.histogram(values, edges)[0]`` of sorted values (bins closed on the left, the last on both)."""
    cuts = np.concatenate(
        [np.searchsorted(values, edges[:-1], "left"), np.searchsorted(values, edges[-1:], "right")]
    )
    return np.diff(cuts)


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (reject where adjusted <= the FDR level)."""
    m = len(p_values)
    if m == 0:
        return p_values
    order = np.argsort(p_values)
    scaled = p_values[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    out = np.empty(m)
    out[order] = adjusted
    return out
