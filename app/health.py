"""Liveness of the parts: /healthz (database and Redis) for load balancers and compose."""

from __future__ import annotations

from flask import Blueprint, jsonify
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db
from .services.jobs import request_redis

bp = Blueprint("health", __name__)


def check_database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except SQLAlchemyError as exc:
        db.session.rollback()
        return f"error: {exc.__class__.__name__}"


def check_redis() -> str:
    try:
        request_redis().ping()
        return "ok"
    except RedisError as exc:
        return f"error: {exc.__class__.__name__}"


@bp.get("/healthz")
def healthz():
    checks = {"database": check_database(), "redis": check_redis()}
    ok = all(v == "ok" for v in checks.values())
    return jsonify(status="ok" if ok else "degraded", checks=checks), 200
