"""The local vector index (VECTOR_STORE=local): vectors in SQL, exact cosine search."""

from __future__ import annotations

from sqlalchemy import JSON, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class LocalVector(db.Model):
    __tablename__ = "local_vectors"

    namespace: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    dims: Mapped[int] = mapped_column(Integer)
    values: Mapped[bytes] = mapped_column(LargeBinary)  # float32 little-endian
    meta: Mapped[dict] = mapped_column(JSON, default=dict)
