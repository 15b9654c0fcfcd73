"""The ingest benchmark's baseline: a bare Flask JSON endpoint (parse JSON, answer 202)."""

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/api/webhooks/elevenlabs/call-ended")
def call_ended():
    data = request.get_json()
    return jsonify(status="accepted", conversation_id=data["data"]["conversation_id"]), 202


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")
