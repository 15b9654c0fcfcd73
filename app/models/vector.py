"""The local vector index (VECTOR_STORE=local): vectors in SQL, searched in each process's memory."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class _VectorKey:
    """A vector's address: its namespace (one a tenant) and its id there (the first columns)."""

    namespace: Mapped[str] = mapped_column(String(64), primary_key=True, sort_order=-2)
    id: Mapped[str] = mapped_column(String(64), primary_key=True, sort_order=-1)


class LocalVector(_VectorKey, db.Model):
    """One live vector. `seq` is its namespace's version when it was last written."""

    __tablename__ = "local_vectors"
    # "What changed in this namespace since version N?" is one range scan of this index.
    __table_args__ = (Index("ix_local_vectors_namespace_seq", "namespace", "seq"),)

    dims: Mapped[int] = mapped_column(Integer)
    values: Mapped[bytes] = mapped_column(LargeBinary)  # float32 little-endian
    meta: Mapped[dict] = mapped_column(JSON, default=dict)
    seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class LocalVectorNamespace(db.Model):
    """A namespace's version, bumped by every write; its row lock orders the writers of one namespace."""

    __tablename__ = "local_vector_namespaces"

    namespace: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    epoch: Mapped[str] = mapped_column(String(32))  # new when the row is created again: reload all


class LocalVectorTombstone(_VectorKey, db.Model):
    """A deleted vector, so processes that cached it drop it; removed again when the id is re-written."""

    __tablename__ = "local_vector_tombstones"
    __table_args__ = (Index("ix_local_vector_tombstones_namespace_seq", "namespace", "seq"),)

    seq: Mapped[int] = mapped_column(BigInteger)
