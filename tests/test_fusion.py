"""Fusion of ranked signals: RRF and weighted sums, on empty, single and constant inputs."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.retrieval.fusion import min_max, ranks, reciprocal_rank_fusion, weighted_sum


def test_rrf_worked_example():
    # Three units. BM25 ranks them u0 > u1 > u2; dense ranks u2 > u0 > u1.
    # RRF with k=60, equal weights:
    #   u0: 1/(60+1) + 1/(60+2) = 0.016393 + 0.016129 = 0.032522
    #   u1: 1/(60+2) + 1/(60+3) = 0.016129 + 0.015873 = 0.032002
    #   u2: 1/(60+3) + 1/(60+1) = 0.015873 + 0.016393 = 0.032266
    # so the fused order is u0, u2, u1.
    bm25 = np.array([3.0, 2.0, 1.0])
    dense = np.array([0.5, 0.4, 0.9])
    fused = reciprocal_rank_fusion([bm25, dense])
    assert fused == pytest.approx([0.032522, 0.032002, 0.032266], abs=1e-6)
    assert list(np.argsort(-fused)) == [0, 2, 1]


def test_rrf_skips_units_a_signal_did_not_rank():
    fused = reciprocal_rank_fusion([np.array([2.0, 0.0, 1.0])], present=[np.array([True, False, True])])
    assert fused[1] == 0.0 and fused[0] > fused[2] > 0


@pytest.mark.parametrize("fuse", [lambda s: reciprocal_rank_fusion(s), lambda s: weighted_sum(s, [1.0] * len(s))])
def test_empty_and_constant_inputs(fuse):
    assert len(fuse([])) == 0
    assert len(fuse([np.array([])])) == 0
    constant = fuse([np.array([0.7, 0.7, 0.7])])
    assert np.all(constant == constant[0])  # a constant signal cannot reorder anything
    single = fuse([np.array([5.0])])
    assert single.shape == (1,)


def test_min_max():
    assert min_max(np.array([1.0, 3.0, 2.0])) == pytest.approx([0.0, 1.0, 0.5])
    assert np.all(min_max(np.array([4.0, 4.0])) == 0)
    masked = min_max(np.array([10.0, 1.0, 3.0]), np.array([False, True, True]))
    assert masked == pytest.approx([0.0, 0.0, 1.0])  # the unscored unit neither counts nor scores


def test_weighted_sum_lets_a_strong_signal_win():
    bm25 = np.array([10.0, 9.0, 0.0])
    dense = np.array([0.2, 0.9, 0.3])
    fused = weighted_sum([bm25, dense], [0.5, 0.5])
    assert int(np.argmax(fused)) == 1


def test_ranks():
    assert list(ranks(np.array([0.1, 0.9, 0.5]))) == [3, 1, 2]
    assert list(ranks(np.array([0.1, 0.9, 0.5]), np.array([True, False, True]))) == [2, 0, 1]
