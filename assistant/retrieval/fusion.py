"""Fusing ranked signals: reciprocal rank fusion and a weighted sum of normalised scores.

Both take one score array per signal, aligned on the same units, and return one fused
array. Weighted sums need comparable scales, so each signal is min-max normalised first;
RRF needs only ranks. A signal that cannot tell units apart (empty, constant, all zero)
contributes nothing instead of adding noise.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def min_max(scores: np.ndarray, present: np.ndarray | None = None) -> np.ndarray:
    """Scale to [0, 1]; a constant signal becomes all zeros. ``present`` masks units the
    signal did not score (they get 0 and do not set the minimum)."""
    scores = np.asarray(scores, dtype=np.float64)
    out = np.zeros_like(scores)
    mask = np.ones(scores.shape, bool) if present is None else np.asarray(present, bool)
    if not mask.any():
        return out
    low, high = scores[mask].min(), scores[mask].max()
    if high - low <= 1e-12:
        return out
    out[mask] = (scores[mask] - low) / (high - low)
    return out


def ranks(scores: np.ndarray, present: np.ndarray | None = None) -> np.ndarray:
    """1-based rank of each unit (ties broken by position); 0 where not present."""
    scores = np.asarray(scores, dtype=np.float64)
    mask = np.ones(scores.shape, bool) if present is None else np.asarray(present, bool)
    order = [i for i in np.argsort(-scores, kind="stable") if mask[i]]
    out = np.zeros(scores.shape, dtype=np.int64)
    out[order] = np.arange(1, len(order) + 1)
    return out


def reciprocal_rank_fusion(
    signals: Sequence[np.ndarray],
    weights: Sequence[float] | None = None,
    k: float = 60.0,
    present: Sequence[np.ndarray | None] | None = None,
) -> np.ndarray:
    """sum_s w_s / (k + rank_s(u)), counting only units a signal actually ranked."""
    if not signals:
        return np.zeros(0)
    weights = weights or [1.0] * len(signals)
    present = present or [None] * len(signals)
    fused = np.zeros(len(signals[0]), dtype=np.float64)
    for scores, weight, mask in zip(signals, weights, present):
        values = np.asarray(scores, dtype=np.float64)
        if values.size == 0 or np.ptp(values) <= 1e-12:
            continue  # a constant signal has no ranking to contribute
        r = ranks(scores, mask)
        fused += np.where(r > 0, weight / (k + r), 0.0)
    return fused


def weighted_sum(
    signals: Sequence[np.ndarray],
    weights: Sequence[float],
    present: Sequence[np.ndarray | None] | None = None,
) -> np.ndarray:
    """sum_s w_s * minmax(s): scores on one scale, so a strong signal can outvote a weak one."""
    if not signals:
        return np.zeros(0)
    present = present or [None] * len(signals)
    fused = np.zeros(len(signals[0]), dtype=np.float64)
    for scores, weight, mask in zip(signals, weights, present):
        fused += weight * min_max(scores, mask)
    return fused
