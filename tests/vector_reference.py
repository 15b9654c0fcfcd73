"""A brute-force reference for vector search tests: float64 cosine over a plain dict."""

from __future__ import annotations

import math

import numpy as np

TOL = 1e-5  # float32 against float64


def cosine(a, b) -> float:
    """0 when either side is all zeros (as the store scores a zero vector)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    return 0.0 if na == 0 or nb == 0 else float(a @ b / (na * nb))


def int8_bound(dims: int) -> float:
    """|int8 score - exact| <= sqrt(d) * (1/127) / 2: each value is off by at most half a step."""
    return math.sqrt(dims) / 254 + TOL


def assert_top_k(found, reference: dict[str, list[float]], query, k, tol=TOL):
    """`found` ([(id, score)]) is a correct top k: right length, true scores, nothing better left out."""
    truth = sorted(((cosine(v, query), vid) for vid, v in reference.items()), reverse=True)
    assert len(found) == min(k, len(reference))
    assert len({vid for vid, _ in found}) == len(found)
    for rank, (vid, score) in enumerate(found):
        assert abs(score - cosine(reference[vid], query)) <= tol
        assert abs(cosine(reference[vid], query) - truth[rank][0]) <= 2 * tol  # ties may swap, no more
