"""In-process matrices for the local vector store: one per (namespace, dimension), in a bounded LRU."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import simsimd
from numpy.dtypes import StringDType
from threadpoolctl import ThreadpoolController

# What one id costs beside its row: 16 bytes in a numpy string array (ids of up to 15 characters,
# like "call-1234567", are stored inline) and an 8-byte hash to find it; a list and a dict of str
# cost ~134 bytes per id, 13 MB per 100,000.
ID_BYTES = 24
BLOCK = 2048  # rows per block: a search widens int8 to float32 one block (<= 12 MB at 1536-d) at a time
EXACT_SHARE = 4  # a namespace stays float32 (exact) while it takes at most 1/4 of the budget ...
EXACT_MAX = 16 * 1024 * 1024  # ... and at most 16 MiB (640-d: ~6,500 vectors; 1536-d: ~2,700)
FIND_LOOP = 32  # up to this many ids are found by one vectorised comparison each, more with isin
# int8 search in two passes: the query quantised too, int8 x int8 products (simsimd's SIMD kernels,
# ~8x faster than widening the rows to float32 for BLAS) pick a shortlist of max(SHORTLIST,
# SHORTLIST_PER_HIT * k) rows, which are then scored as before (int8 rows x float32 query).
SHORTLIST, SHORTLIST_PER_HIT = 256, 16

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


def id_hashes(ids: list[str]) -> np.ndarray:
    """Python's hash of each id: stable within the process, which is all a process's copy needs."""
    return np.fromiter(map(hash, ids), np.int64, len(ids))


class Matrix:
    """The unit vectors of one namespace and dimension, float32 (exact) or int8 with a scale per row.

    Rows live in blocks of BLOCK rows (only the last one may be shorter), so growing never copies
    more than one block and a search widens int8 to float32 one block at a time. Ids sit in a numpy
    string array beside an array of their hashes, which is how an id is found again.
    """

    def __init__(self, dims: int, quantised: bool = False, capacity: int = 0):
        self.dims = dims
        self.quantised = quantised
        self.n = 0
        self.ids = np.empty(capacity, StringDType())
        self.hashes = np.empty(capacity, np.int64)
        self.blocks: list[np.ndarray] = []
        self.scales: list[np.ndarray] = []  # int8 only: one float32 per row
        self.epoch: str | None = None  # the database state this copy reflects (set by the store)
        self.version = 0
        self._reserve(capacity)

    def __len__(self) -> int:
        return self.n

    @property
    def nbytes(self) -> int:
        rows = sum(b.nbytes for b in self.blocks) + sum(s.nbytes for s in self.scales)
        return rows + ID_BYTES * len(self.ids)

    def find(self, ids: list[str], hashes: np.ndarray | None = None) -> np.ndarray:
        """The slot of each id, -1 where absent."""
        if hashes is None:
            hashes = id_hashes(ids)
        known = self.hashes[: self.n]
        if len(ids) <= FIND_LOOP:
            hits = [np.flatnonzero(known == h) for h in hashes]
            candidates = np.concatenate(hits) if hits else np.empty(0, np.intp)
        else:
            candidates = np.flatnonzero(np.isin(known, hashes))
        where = {str(self.ids[slot]): slot for slot in candidates}  # equal hashes: compare the ids
        return np.array([where.get(vid, -1) for vid in ids], np.intp)

    def put(self, ids: list[str], vectors, fresh: bool = False) -> None:
        """Add or overwrite vectors by id (ids unique; any length: stored normalised).

        `fresh`: none of the ids is there yet (a load), so none is looked up.
        """
        if not ids:
            return
        unit = unit_rows(np.asarray(vectors, np.float32).reshape(len(ids), self.dims))
        hashes = id_hashes(ids)
        slots = np.full(len(ids), -1, np.intp) if fresh else self.find(ids, hashes)
        new = np.flatnonzero(slots < 0)
        slots[new] = np.arange(self.n, self.n + len(new))
        self._reserve(self.n + len(new))
        self.ids[slots[new]] = [ids[i] for i in new]
        self.hashes[slots[new]] = hashes[new]
        self.n += len(new)
        codes, scales = quantise(unit) if self.quantised else (unit, None)
        which = slots // BLOCK
        for b in np.unique(which):
            mine = which == b
            self.blocks[b][slots[mine] % BLOCK] = codes[mine]
            if scales is not None:
                self.scales[b][slots[mine] % BLOCK] = scales[mine]

    def remove(self, ids: list[str]) -> None:
        """Forget these ids (unknown ones are ignored); the last row moves into each hole."""
        slots = self.find(list(ids))
        for slot in np.unique(slots[slots >= 0])[::-1]:  # highest first: the last row is never one to go
            last = self.n - 1
            if slot != last:
                self.ids[slot], self.hashes[slot] = self.ids[last], self.hashes[last]
                (bs, rs), (bl, rl) = divmod(slot, BLOCK), divmod(last, BLOCK)
                self.blocks[bs][rs] = self.blocks[bl][rl]
                if self.quantised:
                    self.scales[bs][rs] = self.scales[bl][rl]
            self.ids[last] = ""
            self.n -= 1
            if self.n <= (len(self.blocks) - 1) * BLOCK:  # the last block is empty: free it
                self.blocks.pop()
                if self.quantised:
                    self.scales.pop()

    def to_int8(self) -> None:
        """Switch to int8 (4x smaller), e.g. when the namespace outgrew the exact share of the budget."""
        if self.quantised:
            return
        for b, block in enumerate(self.blocks):  # one block at a time: no second copy of the whole
            used = max(0, min(len(block), self.n - b * BLOCK))
            codes, scales = np.zeros(block.shape, np.int8), np.ones(len(block), np.float32)
            codes[:used], scales[:used] = quantise(block[:used])  # the rest was never written
            self.blocks[b] = codes
            self.scales.append(scales)
        self.quantised = True

    def scores(self, vector) -> np.ndarray:
        """Cosine of `vector` with every row, in row order."""
        q = unit_rows(np.asarray(vector, np.float32))
        n = self.n
        out = np.empty(n, np.float32)
        with one_blas_thread():
            for b, block in enumerate(self.blocks):
                start = b * BLOCK
                used = max(0, min(BLOCK, n - start))
                if self.quantised:
                    part = (block[:used].astype(np.float32) @ q) * self.scales[b][:used]
                else:
                    part = block[:used] @ q
                out[start : start + used] = part
        return out

    def top(self, vector, k: int) -> list[tuple[str, float]]:
        """The k best (id, cosine), best first."""
        size = max(SHORTLIST, SHORTLIST_PER_HIT * k)
        if not self.quantised or self.n <= size:
            return best(self.scores(vector), self.ids, k)
        q = unit_rows(np.asarray(vector, np.float32))
        rough = np.empty(self.n, np.float32)
        query, _ = quantise(q[None, :])  # one row: its scale is common to every score
        for b, block in enumerate(self.blocks):
            start = b * BLOCK
            used = max(0, min(BLOCK, self.n - start))
            if not used:
                continue
            # Not cdist(out=...): simsimd 6.5 returns None from it without a reference (a crash, later).
            dots = np.asarray(simsimd.cdist(query, block[:used], metric="dot", out_dtype="float32"))
            np.multiply(dots[0], self.scales[b][:used], out=rough[start : start + used])
        shortlist = np.argpartition(-rough, size - 1)[:size]
        blocks, rows = np.divmod(shortlist, BLOCK)
        codes = np.stack([self.blocks[b][r] for b, r in zip(blocks, rows, strict=True)])
        scales = np.array([self.scales[b][r] for b, r in zip(blocks, rows, strict=True)], np.float32)
        with one_blas_thread():
            exact = (codes.astype(np.float32) @ q) * scales
        return best(exact, self.ids[shortlist], k)

    @property
    def capacity(self) -> int:
        return (len(self.blocks) - 1) * BLOCK + len(self.blocks[-1]) if self.blocks else 0

    def _reserve(self, needed: int) -> None:
        """Room for `needed` rows: the last block grows (doubling, up to BLOCK), then new blocks."""
        if len(self.ids) < needed:  # ids are small: one array, grown by half
            grown = max(needed, len(self.ids) + len(self.ids) // 2 + 64)
            ids, hashes = np.empty(grown, StringDType()), np.empty(grown, np.int64)
            ids[: self.n], hashes[: self.n] = self.ids[: self.n], self.hashes[: self.n]
            self.ids, self.hashes = ids, hashes
        dtype = np.int8 if self.quantised else np.float32
        while (capacity := self.capacity) < needed:
            if self.blocks and len(self.blocks[-1]) < BLOCK:
                old = self.blocks[-1]
                size = min(BLOCK, max(needed - capacity + len(old), 2 * len(old)))
                self.blocks[-1] = np.concatenate([old, np.empty((size - len(old), self.dims), dtype)])
                if self.quantised:
                    self.scales[-1] = np.concatenate([self.scales[-1], np.empty(size - len(old), np.float32)])
            else:
                size = min(BLOCK, max(needed - capacity, 16))
                self.blocks.append(np.empty((size, self.dims), dtype))
                if self.quantised:
                    self.scales.append(np.empty(size, np.float32))


def best(scores: np.ndarray, ids, k: int) -> list[tuple[str, float]]:
    """The k highest scores with their ids, best first."""
    k = min(k, len(scores))
    if k <= 0:
        return []
    top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(str(ids[i]), float(scores[i])) for i in top]


class VectorCache:
    """Matrices by (namespace, dims), least recently used evicted first to stay within `budget` bytes."""

    def __init__(self, budget: int):
        self.budget = budget
        self._entries: OrderedDict[tuple[str, int], Matrix] = OrderedDict()

    def plan(self, count: int, dims: int) -> str | None:
        """How `count` vectors of `dims` are held: "float32", "int8", or None (too big: not cached)."""
        if count * (4 * dims + ID_BYTES) <= min(self.budget // EXACT_SHARE, EXACT_MAX):
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
        used = self.used
        for key in list(self._entries):
            if used + nbytes <= self.budget:
                return
            if key != keep:
                used -= self._entries.pop(key).nbytes

    def add(self, key: tuple[str, int], matrix: Matrix) -> None:
        self._entries[key] = matrix
        self._entries.move_to_end(key)
        self.make_room(0, keep=key)
