"""VECTOR_STORE=local: vectors in the SQL database, exact cosine search. Fine to tens of thousands."""

from __future__ import annotations

import math

from sqlalchemy import delete, select

from ..extensions import db
from ..models import LocalVector
from ..services.vectors import pack, unpack
from .base import VectorMatch, VectorRecord


def _norm(v) -> float:
    return math.sqrt(sum(x * x for x in v)) or 1.0


class LocalVectorStore:
    name = "local"

    def upsert(self, namespace: str, records: list[VectorRecord]) -> None:
        for rec in records:
            meta = {k: v for k, v in rec.metadata.items() if v is not None}
            db.session.merge(
                LocalVector(
                    namespace=namespace, id=rec.id, dims=len(rec.values), values=pack(rec.values), meta=meta
                )
            )
        db.session.commit()

    def query(self, namespace: str, vector: list[float], top_k: int) -> list[VectorMatch]:
        qn = _norm(vector)
        matches = []
        rows = db.session.execute(select(LocalVector).where(LocalVector.namespace == namespace)).scalars()
        for row in rows:
            if row.dims != len(vector):
                continue  # a vector from another embedding model: not comparable
            values = unpack(row.values)
            score = sum(a * b for a, b in zip(vector, values, strict=True)) / (qn * _norm(values))
            matches.append(VectorMatch(id=row.id, score=score, metadata=dict(row.meta or {})))
        matches.sort(key=lambda m: m.score, reverse=True)
        return matches[:top_k]

    def delete(self, namespace: str, ids: list[str]) -> None:
        if ids:
            db.session.execute(
                delete(LocalVector).where(LocalVector.namespace == namespace, LocalVector.id.in_(ids))
            )
            db.session.commit()

    def check(self, dimensions: int) -> None:
        """Any dimension fits: each vector records its own."""

    def ping(self) -> None:
        db.session.execute(select(1))
