"""VECTOR_STORE=local: vectors kept in the SQL database, searched in a per-process numpy matrix.

Each namespace has a version (`local_vector_namespaces`); every write bumps it under that row's
lock and stamps the rows it writes (`seq`) or the ids it deletes (`local_vector_tombstones`) with
it. A search reads the version (one primary-key lookup), fetches only what changed since its
cached copy, then scores every vector in memory. See README, "Local vector store".
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import secrets
import threading

import numpy as np
from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import LocalVector, LocalVectorNamespace, LocalVectorTombstone
from ..services.vectors import pack
from .base import VectorMatch, VectorRecord
from .vector_cache import Matrix, VectorCache, best, one_blas_thread, unit_rows

log = logging.getLogger("calldesk.vectors")

BATCH = 1000  # rows per INSERT / DELETE statement
CATCH_UP_ROWS = 2000  # more changes than this (or a quarter of the copy): reload instead
LOAD_BYTES = 2 * 1024 * 1024  # vectors fetched at a time when loading: what a load holds beside the copy
NS, VEC, TOMB = LocalVectorNamespace, LocalVector, LocalVectorTombstone


def _insert(model):
    """INSERT ... ON CONFLICT for the session's database (PostgreSQL or SQLite)."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise NotImplementedError(f"VECTOR_STORE=local supports PostgreSQL and SQLite, not {dialect}")


def bump(namespace: str) -> int:
    """The namespace's next version. Its row stays locked until commit, so one namespace's writes
    commit in version order and a reader that saw version N has seen every write up to N."""
    stmt = _insert(NS).values(namespace=namespace, version=1, epoch=secrets.token_hex(8))
    stmt = stmt.on_conflict_do_update(index_elements=[NS.namespace], set_={"version": NS.version + 1})
    return db.session.execute(stmt.returning(NS.version)).scalar_one()


def forget(namespace: str, ids: list[str]) -> None:
    """Delete vectors and leave tombstones for the processes that cached them (caller commits)."""
    ids = list(dict.fromkeys(ids))  # one statement may not touch a row twice (PostgreSQL)
    chunks = [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]
    present = [
        vid
        for chunk in chunks
        for vid in db.session.execute(
            select(VEC.id).where(VEC.namespace == namespace, VEC.id.in_(chunk))
        ).scalars()
    ]
    if not present:
        return  # nothing to delete: no new version for every process to look at
    seq = bump(namespace)  # first, as upsert does: the namespace lock before any row lock
    for start in range(0, len(present), BATCH):
        chunk = present[start : start + BATCH]
        gone = (
            db.session.execute(
                delete(VEC).where(VEC.namespace == namespace, VEC.id.in_(chunk)).returning(VEC.id)
            )
            .scalars()
            .all()
        )
        if gone:
            stmt = _insert(TOMB).values([{"namespace": namespace, "id": vid, "seq": seq} for vid in gone])
            db.session.execute(
                stmt.on_conflict_do_update(index_elements=[TOMB.namespace, TOMB.id], set_={"seq": seq})
            )


def _upserted(stmt):
    """The vector rows' INSERT, where a row already there takes the new columns."""
    return stmt.on_conflict_do_update(
        index_elements=[VEC.namespace, VEC.id],
        set_={c: stmt.excluded[c] for c in ("dims", "values", "meta", "seq")},
    )


def _put(namespace: str, rows: list[dict], seq: int) -> None:
    """Write the rows stamped `seq` and drop their ids' tombstones (two statements)."""
    db.session.execute(_upserted(_insert(VEC.__table__)), [{**row, "seq": seq} for row in rows])
    ids = [row["id"] for row in rows]
    db.session.execute(delete(TOMB).where(TOMB.namespace == namespace, TOMB.id.in_(ids)))


def _bump_and_put(namespace: str, rows: list[dict]):
    """bump() then _put(), as one PostgreSQL statement (data-modifying CTEs) that returns the version.

    Both writes read the bumped version, so the namespace row is locked before any vector or
    tombstone row, as in forget(). They share the statement's snapshot: a tombstone that a
    concurrent forget() committed while this waited for the namespace lock is not seen and stays
    behind, which is harmless (its seq is below this write's, and the later one wins a catch-up).
    The rows go as one array per column, so the SQL is the same for any number of rows (compiled
    once, as a built statement with a VALUES list was not: ~2 ms per call).
    """
    return _BUMP_AND_PUT.bindparams(
        namespace=namespace,
        epoch=secrets.token_hex(8),
        ids=[row["id"] for row in rows],
        dims=[row["dims"] for row in rows],
        blobs=[row["values"] for row in rows],
        metas=[json.dumps(row["meta"]) for row in rows],
    )


_BUMP_AND_PUT = text(
    """
    WITH bumped AS (
        INSERT INTO local_vector_namespaces (namespace, version, epoch) VALUES (:namespace, 1, :epoch)
        ON CONFLICT (namespace) DO UPDATE SET version = local_vector_namespaces.version + 1
        RETURNING version
    ), put AS (
        INSERT INTO local_vectors (namespace, id, dims, "values", meta, seq)
        SELECT :namespace, given.id, given.dims, given.blob, given.meta, bumped.version
        FROM unnest(CAST(:ids AS VARCHAR[]), CAST(:dims AS INTEGER[]), CAST(:blobs AS BYTEA[]),
                    CAST(:metas AS JSON[])) AS given (id, dims, blob, meta)
        CROSS JOIN bumped
        ON CONFLICT (namespace, id) DO UPDATE
        SET dims = excluded.dims, "values" = excluded."values", meta = excluded.meta, seq = excluded.seq
    ), unburied AS (
        DELETE FROM local_vector_tombstones
        WHERE namespace = :namespace AND id = ANY(CAST(:ids AS VARCHAR[])) AND EXISTS (SELECT FROM bumped)
    )
    SELECT version FROM bumped
    """
)


class LocalVectorStore:
    """Exact cosine on float32 copies for small namespaces, int8 above; memory bounded by an LRU."""

    name = "local"

    def __init__(self, cache_mb: int = 192):
        self.cache = VectorCache(cache_mb * 1024 * 1024)
        self._lock = threading.Lock()  # one refresh at a time (gthread workers share the store)
        self._warned: set[tuple[str, int]] = set()

    def upsert(self, namespace: str, records: list[VectorRecord]) -> None:
        if records:
            self.write(namespace, records)
            db.session.commit()

    def write(self, namespace: str, records: list[VectorRecord]) -> None:
        """upsert() in the session's transaction, left for the caller to commit (the namespace's row
        stays locked until then). No autoflush: the caller's pending changes go in its own commit."""
        latest = {rec.id: rec for rec in records}  # one id twice in a batch: the last one wins
        if not latest:
            return
        with db.session.no_autoflush:
            self._write(namespace, latest)

    def _write(self, namespace: str, latest: dict[str, VectorRecord]) -> None:
        rows = [
            {
                "namespace": namespace,
                "id": rec.id,
                "dims": len(rec.values),
                "values": pack(rec.values),
                "meta": {k: v for k, v in rec.metadata.items() if v is not None},
            }
            for rec in latest.values()
        ]
        first, rest = rows[:BATCH], rows[BATCH:]
        if db.session.get_bind().dialect.name == "postgresql":
            seq = db.session.execute(_bump_and_put(namespace, first)).scalar_one()
        else:
            seq = bump(namespace)
            _put(namespace, first, seq)
        for start in range(0, len(rest), BATCH):
            _put(namespace, rest[start : start + BATCH], seq)

    def delete(self, namespace: str, ids: list[str]) -> None:
        if ids:
            forget(namespace, ids)
            db.session.commit()

    def query(self, namespace: str, vector: list[float], top_k: int) -> list[VectorMatch]:
        """The top_k vectors of this length by cosine, best first (ids and scores; no metadata)."""
        dims = len(vector)
        with self._lock:
            matrix = self._fresh(namespace, dims)
            # None: too big to hold in memory (an empty Matrix is falsy, hence `is None`)
            found = self._scan(namespace, vector, top_k) if matrix is None else matrix.top(vector, top_k)
        return [VectorMatch(id=vid, score=score) for vid, score in found]

    def check(self, dimensions: int) -> None:
        """Any dimension fits: each vector records its own."""

    def ping(self) -> None:
        db.session.execute(select(1))

    # ------------------------------------------------------------------ the in-memory copy

    def _fresh(self, namespace: str, dims: int) -> Matrix | None:
        """This process's copy of the namespace, brought up to date; None when too big to hold."""
        key = (namespace, dims)
        state = db.session.execute(select(NS.epoch, NS.version).where(NS.namespace == namespace)).first()
        if state is None:  # never written (or wiped): nothing to find
            self.cache.drop(key)
            return Matrix(dims)
        epoch, version = state
        matrix = self.cache.get(key)
        current = matrix is not None and matrix.epoch == epoch
        if current and matrix.version == version:
            return matrix  # nothing changed: the lookup above was the whole cost
        if current and self._catch_up(matrix, namespace, version):
            return self._replan(key, matrix)
        return self._load(namespace, dims, epoch, version)

    def _catch_up(self, matrix: Matrix, namespace: str, version: int) -> bool:
        """Apply the writes since the copy's version; False when so many that a reload is cheaper."""
        limit = max(CATCH_UP_ROWS, len(matrix) // 4)
        since = matrix.version
        rows = db.session.execute(
            select(VEC.seq, VEC.id, VEC.dims, VEC.values)
            .where(VEC.namespace == namespace, VEC.seq > since)
            .limit(limit + 1)
        ).all()
        gone = db.session.execute(
            select(TOMB.seq, TOMB.id).where(TOMB.namespace == namespace, TOMB.seq > since).limit(limit + 1)
        ).all()
        if len(rows) > limit or len(gone) > limit:
            return False
        # (seq, id, blob): None for a deleted id or one now of another length (a new embedding model).
        changes = [(seq, vid, None) for seq, vid in gone]
        changes += [(seq, vid, blob if dims == matrix.dims else None) for seq, vid, dims, blob in rows]
        latest: dict[str, bytes | None] = {}
        for _, vid, blob in sorted(changes, key=lambda c: c[0]):  # two statements: the later write wins
            latest[vid] = blob
        keep = {vid: blob for vid, blob in latest.items() if blob is not None}
        matrix.remove([vid for vid, blob in latest.items() if blob is None])
        if keep:
            matrix.put(list(keep), _decode(list(keep.values()), matrix.dims))
        matrix.version = version
        return True

    def _replan(self, key: tuple[str, int], matrix: Matrix) -> Matrix | None:
        """Keep the copy within the budget after it grew: int8 past the exact share; too big: drop."""
        plan = self.cache.plan(len(matrix), matrix.dims)
        if plan is None:
            self.cache.drop(key)
            return None
        if plan == "int8":
            matrix.to_int8()
        self.cache.add(key, matrix)
        return matrix

    def _load(self, namespace: str, dims: int, epoch: str, version: int) -> Matrix | None:
        """Read every vector of this length in the namespace into a new matrix."""
        key = (namespace, dims)
        self.cache.drop(key)
        count = db.session.execute(
            select(func.count()).select_from(VEC).where(VEC.namespace == namespace, VEC.dims == dims)
        ).scalar_one()
        plan = self.cache.plan(count, dims)
        if plan is None:
            if key not in self._warned:
                self._warned.add(key)
                log.warning(
                    "namespace %s has %d vectors of %d dims, more than LOCAL_VECTORS_CACHE_MB holds: "
                    "each search reads them all from the database (slow); raise it or use Pinecone",
                    namespace,
                    count,
                    dims,
                )
            return None
        self.cache.make_room(self.cache.estimate(count, dims, plan), keep=key)
        matrix = Matrix(dims, quantised=plan == "int8", capacity=count)
        for ids, blobs in self._stream(namespace, dims):
            matrix.put(ids, _decode(blobs, dims), fresh=True)  # ids are unique: the primary key
        matrix.epoch, matrix.version = epoch, version
        _trim_heap()
        return self._replan(key, matrix)

    def _scan(self, namespace: str, vector: list[float], top_k: int) -> list[tuple[str, float]]:
        """Exact search straight from the database, a batch at a time: for namespaces too big to hold."""
        q = unit_rows(np.asarray(vector, np.float32))
        ids: list[str] = []
        scores = np.empty(0, np.float32)
        for batch_ids, blobs in self._stream(namespace, len(vector)):
            ids += batch_ids
            with one_blas_thread():
                scores = np.concatenate([scores, unit_rows(_decode(blobs, len(vector))) @ q])
            found = best(scores, ids, top_k)  # keep only the running top_k
            ids, scores = [vid for vid, _ in found], np.array([s for _, s in found], np.float32)
        return best(scores, ids, top_k)

    @staticmethod
    def _stream(namespace: str, dims: int):
        """(ids, blobs) pages of the namespace's vectors of this length, walked along the primary key.

        Pages rather than one server-side cursor (which fetched ~7 rows per round trip here): a
        write landing meanwhile has a seq above the version this load is stamped with, so the next
        search's catch-up applies it.
        """
        size = max(100, LOAD_BYTES // (4 * dims))
        stmt = select(VEC.id, VEC.values).where(VEC.namespace == namespace, VEC.dims == dims)
        page = db.session.execute(stmt.order_by(VEC.id).limit(size)).all()
        while page:
            yield [row[0] for row in page], [row[1] for row in page]
            after = page[-1][0]
            page = db.session.execute(stmt.where(VEC.id > after).order_by(VEC.id).limit(size)).all()


def _trim_heap() -> None:
    """Hand back to the OS the heap pages a load used for its pages of rows (glibc keeps them
    otherwise: ~15 MB of RSS after 100,000 vectors). Does nothing where there is no malloc_trim."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


def _decode(blobs: list[bytes], dims: int) -> np.ndarray:
    return np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(blobs), dims)
