"""In-process matrices for the local vector store: one per (namespace, dimension), in a bounded LRU."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from threadpoolctl import ThreadpoolController

# What one id costs beside its row: the str, its list slot and its dict entry (measured: ~134 bytes).
ID_BYTES = 136
CHUNK = 8192  # int8 rows widened to float32 this many at a time, so a search allocates ~CHUNK x dims
EXACT_SHARE = 4  # a namespace stays float32 (exact) while it takes at most 1/4 of the budget

# OpenBLAS splits a product over every core; a web server already runs a process per core, and on a
# busy machine the threads wait for each other (100k x 256 here: p95 100 ms with 2 threads, 7 ms with 1).
_BLAS = ThreadpoolController()


def one_blas_thread():
    """Context: BLAS single-threaded while it is open (about 6 us to enter and leave)."""
    return _BLAS.limit(limits=1, user_api="blas")


def unit_rows(block: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (float32); an all-zero row stays zero and scores 0 against anything."""
    block = np.asarray(block, dtype=np.float32)
    norms = np.linalg.norm(block, axis=-1, keepdims=True)
    norms[norms == 0] = 1.0
    return block / norms


def quantise(unit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 codes and a float32 scale per row: row ~= codes * scale, each value off by <= scale / 2."""
    scales = np.abs(unit).max(axis=1) / 127.0
    scales[scales == 0] = 1.0
    codes = np.rint(unit / scales[:, None]).astype(np.int8)
    return codes, scales.astype(np.float32)


class Matrix:
    """The unit vectors of one namespace and dimension, float32 (exact) or int8 with a scale per row."""

    def __init__(self, dims: int, quantised: bool = False, capacity: int = 0):
        self.dims = dims
        self.quantised = quantised
        self.ids: list[str] = []
        self.pos: dict[str, int] = {}
        self.rows = np.empty((capacity, dims), np.int8 if quantised else np.float32)
        self.scales = np.empty(capacity, np.float32) if quantised else None
        self.epoch: str | None = None  # the database state this copy reflects (set by the store)
        self.version = 0

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def nbytes(self) -> int:
        scales = self.scales.nbytes if self.scales is not None else 0
        return self.rows.nbytes + scales + ID_BYTES * len(self.ids)

    def put(self, ids: list[str], vectors) -> None:
        """Add or overwrite vectors by id (ids unique; any length: stored normalised)."""
        if not ids:
            return
        unit = unit_rows(np.asarray(vectors, np.float32).reshape(len(ids), self.dims))
        slots = np.empty(len(ids), np.intp)
        for i, vid in enumerate(ids):
            slot = self.pos.get(vid)
            if slot is None:
                slot = self.pos[vid] = len(self.ids)
                self.ids.append(vid)
            slots[i] = slot
        self._reserve(len(self.ids))
        if self.quantised:
            self.rows[slots], self.scales[slots] = quantise(unit)
        else:
            self.rows[slots] = unit

    def remove(self, ids) -> None:
        """Forget these ids (unknown ones are ignored); the last row moves into each hole."""
        for vid in ids:
            slot = self.pos.pop(vid, None)
            if slot is None:
                continue
            last = len(self.ids) - 1
            if slot != last:
                moved = self.ids[last]
                self.ids[slot], self.pos[moved] = moved, slot
                self.rows[slot] = self.rows[last]
                if self.scales is not None:
                    self.scales[slot] = self.scales[last]
            self.ids.pop()

    def to_int8(self) -> None:
        """Switch to int8 (4x smaller), e.g. when the namespace outgrew the exact share of the budget."""
        if self.quantised:
            return
        n = len(self.ids)
        codes, scales = np.empty((n, self.dims), np.int8), np.empty(n, np.float32)
        for start in range(0, n, CHUNK):
            end = min(start + CHUNK, n)
            codes[start:end], scales[start:end] = quantise(self.rows[start:end])
        self.rows, self.scales, self.quantised = codes, scales, True

    def scores(self, vector) -> np.ndarray:
        """Cosine of `vector` with every row, in row order."""
        q = unit_rows(np.asarray(vector, np.float32))
        n = len(self.ids)
        with one_blas_thread():
            if not self.quantised:
                return self.rows[:n] @ q
            out = np.empty(n, np.float32)
            for start in range(0, n, CHUNK):
                out[start : start + CHUNK] = self.rows[start : min(start + CHUNK, n)].astype(np.float32) @ q
        return out * self.scales[:n]

    def top(self, vector, k: int) -> list[tuple[str, float]]:
        """The k best (id, cosine), best first."""
        return best(self.scores(vector), self.ids, k)

    def _reserve(self, needed: int) -> None:
        capacity = len(self.rows)
        if needed <= capacity:
            return
        grown = max(needed, capacity + capacity // 2 + 64)
        rows = np.empty((grown, self.dims), self.rows.dtype)
        rows[:capacity] = self.rows
        self.rows = rows
        if self.scales is not None:
            scales = np.empty(grown, np.float32)
            scales[:capacity] = self.scales
            self.scales = scales


def best(scores: np.ndarray, ids: list[str], k: int) -> list[tuple[str, float]]:
    """The k highest scores with their ids, best first."""
    k = min(k, len(scores))
    if k <= 0:
        return []
    top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(ids[i], float(scores[i])) for i in top]


class VectorCache:
    """Matrices by (namespace, dims), least recently used evicted first to stay within `budget` bytes."""

    def __init__(self, budget: int):
        self.budget = budget
        self._entries: OrderedDict[tuple[str, int], Matrix] = OrderedDict()

    def plan(self, count: int, dims: int) -> str | None:
        """How `count` vectors of `dims` are held: "float32", "int8", or None (too big: not cached)."""
        if count * (4 * dims + ID_BYTES) <= self.budget // EXACT_SHARE:
            return "float32"
        if count * (dims + 4 + ID_BYTES) <= self.budget:
            return "int8"
        return None

    @staticmethod
    def estimate(count: int, dims: int, plan: str) -> int:
        per_row = 4 * dims if plan == "float32" else dims + 4
        return count * (per_row + ID_BYTES)

    @property
    def used(self) -> int:
        return sum(m.nbytes for m in self._entries.values())

    def keys(self) -> list[tuple[str, int]]:
        return list(self._entries)

    def get(self, key: tuple[str, int]) -> Matrix | None:
        matrix = self._entries.get(key)
        if matrix is not None:
            self._entries.move_to_end(key)
        return matrix

    def drop(self, key: tuple[str, int]) -> None:
        self._entries.pop(key, None)

    def make_room(self, nbytes: int, keep: tuple[str, int] | None = None) -> None:
        """Evict the least recently used matrices (never `keep`) until `nbytes` more fit."""
        for key in list(self._entries):
            if self.used + nbytes <= self.budget:
                return
            if key != keep:
                del self._entries[key]

    def add(self, key: tuple[str, int], matrix: Matrix) -> None:
        self._entries[key] = matrix
        self._entries.move_to_end(key)
        self.make_room(0, keep=key)
