"""The in-memory matrices behind VECTOR_STORE=local: exact against brute force, int8 within its
error bound, ids kept straight through puts and removes, and the LRU that bounds memory."""

from __future__ import annotations

import sys
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from vector_reference import TOL, assert_top_k, int8_bound

from app.providers import vector_cache
from app.providers.vector_cache import ID_BYTES, Matrix, VectorCache

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # e.g. arithmetic on unwritten rows


@contextmanager
def blocks_of(rows: int):
    """Tiny blocks, so a few dozen vectors cross block boundaries (growth, removal, search)."""
    saved, vector_cache.BLOCK = vector_cache.BLOCK, rows
    try:
        yield
    finally:
        vector_cache.BLOCK = saved


values = st.one_of(st.just(0.0), st.floats(0.001, 100), st.floats(-100, -0.001))


@st.composite
def vector_sets(draw):
    dims = draw(st.integers(1, 8))
    n = draw(st.integers(0, 40))
    vectors = draw(st.lists(st.lists(values, min_size=dims, max_size=dims), min_size=n, max_size=n))
    query = draw(st.lists(values, min_size=dims, max_size=dims))
    return dims, {f"v{i}": v for i, v in enumerate(vectors)}, query, draw(st.integers(1, 50))


@given(vector_sets())
@settings(max_examples=200, deadline=None)
def test_float32_top_k_is_exact(case):
    dims, vectors, query, k = case
    for block in (2048, 4):
        with blocks_of(block):
            matrix = Matrix(dims)
            matrix.put(list(vectors), list(vectors.values()))
            assert_top_k(matrix.top(query, k), vectors, query, k)


@given(vector_sets())
@settings(max_examples=200, deadline=None)
def test_int8_scores_stay_within_the_quantisation_bound(case):
    dims, vectors, query, k = case
    for block in (2048, 4):
        with blocks_of(block):
            matrix = Matrix(dims, quantised=True)
            matrix.put(list(vectors), list(vectors.values()))
            assert_top_k(matrix.top(query, k), vectors, query, k, tol=int8_bound(dims))


def test_int8_finds_the_same_neighbours_on_realistic_vectors():
    """At 256-d, clustered like real embeddings, int8 keeps the exact top 10 (scores near 1e-3)."""
    rng = np.random.default_rng(7)
    centres = rng.standard_normal((20, 256))
    data = centres[rng.integers(0, 20, 2000)] + 0.6 * rng.standard_normal((2000, 256))
    ids = [f"v{i}" for i in range(2000)]
    exact, approx = Matrix(256), Matrix(256, quantised=True)
    exact.put(ids, data)
    approx.put(ids, data)
    recall = []
    for q in data[:50] + 0.3 * rng.standard_normal((50, 256)):
        want = {vid for vid, _ in exact.top(q, 10)}
        recall.append(len(want & {vid for vid, _ in approx.top(q, 10)}) / 10)
        assert np.max(np.abs(exact.scores(q) - approx.scores(q))) <= int8_bound(256)
    assert np.mean(recall) >= 0.95


def test_int8_shortlist_gives_what_scoring_every_row_gives():
    """Past the shortlist's size, int8 x int8 picks the candidates: the same ids and scores as
    scoring every row against the float32 query, ties and block boundaries included."""
    rng = np.random.default_rng(11)
    centres = rng.standard_normal((30, 64))
    data = centres[rng.integers(0, 30, 3000)] + 0.4 * rng.standard_normal((3000, 64))
    data[2500:2600] = data[7]  # a hundred duplicates of one row
    matrix = Matrix(64, quantised=True)
    with blocks_of(100):
        matrix.put([f"v{i}" for i in range(3000)], data)
        matrix.remove([f"v{i}" for i in range(0, 3000, 7)])
        for q in [data[7], *(data[:40] + 0.3 * rng.standard_normal((40, 64)))]:
            for k in (1, 6, 20):
                assert vector_cache.SHORTLIST_PER_HIT * k < len(matrix)
                got = matrix.top(q, k)
                want = vector_cache.best(matrix.scores(q), matrix.ids, k)
                assert [s for _, s in got] == pytest.approx([s for _, s in want], abs=1e-6)
                above = want[-1][1] + 1e-6  # the ids above the k-th score (ties may come in any order)
                assert {v for v, s in got if s > above} == {v for v, s in want if s > above}


def test_int8_search_leaves_none_s_reference_count_alone():
    """simsimd's cdist(out=...) returns None without a reference; used so, the process crashes later."""
    matrix = Matrix(8, quantised=True)
    matrix.put([f"v{i}" for i in range(1000)], np.random.default_rng(3).standard_normal((1000, 8)))
    matrix.top(np.ones(8), 5)
    before = sys.getrefcount(None)
    for _ in range(2000):
        matrix.top(np.ones(8), 5)
    assert sys.getrefcount(None) > before - 100


def test_switching_to_int8_keeps_every_vector():
    rng = np.random.default_rng(1)
    data = rng.standard_normal((300, 16))
    ids = [f"v{i}" for i in range(300)]
    matrix = Matrix(16)
    for start in range(0, 300, 7):  # grown a few at a time: blocks filled, then new ones
        matrix.put(ids[start : start + 7], data[start : start + 7])
    assert len(matrix.blocks) == 1 and matrix.capacity < 2 * 300
    before = matrix.scores(data[0])
    matrix.to_int8()
    assert matrix.quantised and len(matrix) == 300
    assert np.max(np.abs(matrix.scores(data[0]) - before)) <= int8_bound(16)
    assert matrix.top(data[5], 1)[0][0] == "v5"


class MatrixAgainstADict(RuleBasedStateMachine):
    """Any sequence of puts, overwrites, removes (and a switch to int8) answers like a plain dict."""

    def __init__(self):
        super().__init__()
        self.saved, vector_cache.BLOCK = vector_cache.BLOCK, 4  # the 12 ids span several blocks
        self.exact, self.int8 = Matrix(3), Matrix(3, quantised=True)
        self.model: dict[str, list[float]] = {}

    @rule(
        batch=st.dictionaries(
            st.sampled_from([f"id{i}" for i in range(12)]),
            st.lists(values, min_size=3, max_size=3),
            max_size=5,
        )
    )
    def put(self, batch):
        for matrix in (self.exact, self.int8):
            matrix.put(list(batch), list(batch.values()))
        self.model.update(batch)

    @rule(ids=st.lists(st.sampled_from([f"id{i}" for i in range(14)]), max_size=4))
    def remove(self, ids):
        for matrix in (self.exact, self.int8):
            matrix.remove(ids)
        for vid in ids:
            self.model.pop(vid, None)

    @precondition(lambda self: len(self.model) >= 6)
    @rule()
    def outgrow_the_exact_share(self):
        self.exact.to_int8()  # switched mid-way: within the int8 bound from then on

    def teardown(self):
        vector_cache.BLOCK = self.saved

    @invariant()
    def answers_like_the_dict(self):
        for matrix in (self.exact, self.int8):
            held = matrix.ids[: len(matrix)].tolist()
            assert sorted(held) == sorted(self.model)
            assert matrix.find(held).tolist() == list(range(len(held)))
            assert matrix.find(["id12", "id13"]).tolist() == [-1, -1]  # only ever removed
            assert matrix.capacity - len(matrix) < 4 or len(matrix.blocks) <= 1  # no spare block
        query = [1.0, -0.5, 0.25]
        tol = int8_bound(3) if self.exact.quantised else TOL
        assert_top_k(self.exact.top(query, 20), self.model, query, 20, tol=tol)
        assert_top_k(self.int8.top(query, 20), self.model, query, 20, tol=int8_bound(3))


TestMatrixAgainstADict = MatrixAgainstADict.TestCase
TestMatrixAgainstADict.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)


def test_plan_is_exact_for_small_namespaces_int8_for_large_and_none_past_the_budget():
    cache = VectorCache(budget=4 * 100 * (4 * 8 + ID_BYTES))  # 100 float32 8-d rows = 1/4 of it
    assert cache.plan(100, 8) == "float32"
    assert cache.plan(101, 8) == "int8"
    int8_max = cache.budget // (8 + 4 + ID_BYTES)
    assert cache.plan(int8_max, 8) == "int8"
    assert cache.plan(int8_max + 1, 8) is None
    big = VectorCache(budget=1024 * 1024 * 1024)  # a quarter is 256 MiB, but exact stops at 16 MiB
    assert big.plan(16 * 1024 * 1024 // (4 * 640 + ID_BYTES), 640) == "float32"
    assert big.plan(16 * 1024 * 1024 // (4 * 640 + ID_BYTES) + 1, 640) == "int8"


def _matrix(n: int, dims: int = 4) -> Matrix:
    matrix = Matrix(dims)
    matrix.put([f"v{i}" for i in range(n)], np.ones((n, dims)))
    return matrix


def test_lru_evicts_the_least_recently_used_namespace():
    one = _matrix(10).nbytes
    cache = VectorCache(budget=2 * one)
    cache.add(("a", 4), _matrix(10))
    cache.add(("b", 4), _matrix(10))
    assert cache.get(("a", 4)) is not None  # a is now the most recent
    cache.add(("c", 4), _matrix(10))
    assert cache.keys() == [("a", 4), ("c", 4)]
    assert cache.used <= cache.budget


def test_make_room_frees_memory_before_a_load_but_keeps_the_one_in_use():
    one = _matrix(10).nbytes
    cache = VectorCache(budget=3 * one)
    for name in "abc":
        cache.add((name, 4), _matrix(10))
    cache.make_room(2 * one, keep=("a", 4))
    assert cache.keys() == [("a", 4)]


def test_rows_live_in_blocks_that_grow_one_at_a_time_and_are_freed_when_empty():
    with blocks_of(32):
        matrix = Matrix(2, capacity=84)
        assert [len(b) for b in matrix.blocks] == [32, 32, 20]  # a load is sized exactly
        ids = [f"v{i}" for i in range(85)]
        matrix.put(ids, np.ones((85, 2)))
        assert [len(b) for b in matrix.blocks] == [32, 32, 32]  # only the last block was copied
        matrix.remove(ids[:22])
        assert len(matrix) == 63 and len(matrix.blocks) == 2
        assert matrix.nbytes == 2 * 32 * 2 * 4 + len(matrix.ids) * ID_BYTES  # ids: one small array


def test_ids_whose_hashes_collide_are_told_apart(monkeypatch):
    monkeypatch.setattr(vector_cache, "id_hashes", lambda ids: np.zeros(len(ids), np.int64))
    matrix = Matrix(2)
    matrix.put(["a", "b", "c"], [[1, 0], [0, 1], [1, 1]])
    matrix.put(["b"], [[1, 0]])  # overwrites b, adds nothing
    matrix.remove(["a"])
    assert sorted(matrix.ids[: len(matrix)].tolist()) == ["b", "c"]
    assert matrix.top([1, 0], 1) == [("b", pytest.approx(1.0))]
    assert matrix.find(["c", "a", "b"]).tolist()[1] == -1
