"""Delivery bodies of an exact size, large audio bodies made on the fly, and chunked posts."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import time

from helpers import sample_payload

from app.webhooks.signature import sign

PATH = "/api/webhooks/elevenlabs/call-ended"
CHUNK = 64 * 1024


def padded_body(size: int, **data) -> bytes:
    """A transcription delivery (the sample, padded with an unknown field) of exactly `size` bytes."""
    payload = sample_payload(**data)
    payload["data"]["padding"] = ""
    payload["data"]["padding"] = "x" * (size - len(json.dumps(payload).encode()))
    body = json.dumps(payload).encode()
    assert len(body) == size
    return body


def headers_for(body: bytes, secret: str | None, **extra) -> dict:
    headers = {"Content-Type": "application/json", **extra}
    if secret:
        headers["ElevenLabs-Signature"] = sign(secret, body)
    return headers


def post_plain(client, body: bytes, secret: str | None, **extra):
    return client.post(PATH, data=body, headers=headers_for(body, secret, **extra))


def post_chunked(client, body: bytes, secret: str | None):
    """Transfer-Encoding: chunked, as a WSGI server that de-chunks (gunicorn) hands it to the app."""
    headers = headers_for(body, secret, **{"Transfer-Encoding": "chunked"})
    return client.post(
        PATH,
        input_stream=io.BytesIO(body),
        headers=headers,
        environ_overrides={"wsgi.input_terminated": True},
    )


class AudioBody:
    """A post_call_audio body of exactly `size` bytes, produced as it is read (never held whole).

    `agent_first=False` puts data.agent_id after the audio, where a reader of the head cannot see it.
    """

    def __init__(
        self,
        size: int,
        *,
        agent_id="agent_7101k2example",
        conversation_id="conv_audio_1",
        agent_first: bool = True,
    ):
        ids = f'"agent_id": "{agent_id}", "conversation_id": "{conversation_id}"'
        start = '{"type": "post_call_audio", "event_timestamp": 1764400000, "data": {'
        if agent_first:
            self.prefix = f'{start}{ids}, "full_audio": "'.encode()
            self.suffix = b'"}}'
        else:
            self.prefix = f'{start}"full_audio": "'.encode()
            self.suffix = f'", {ids}}}}}'.encode()
        self.size = size
        self.filler = size - len(self.prefix) - len(self.suffix)
        assert self.filler >= 0

    def chunks(self):
        yield self.prefix
        block = b"SUQzBAAAAAAAI1RTU0UAAAAPAAADTGF2ZjU4Ljc2LjEwMAAAAAAAAAAAAAAA" * (CHUNK // 60)
        left = self.filler
        while left:
            piece = block[: min(left, len(block))]
            left -= len(piece)
            yield piece
        yield self.suffix

    def stream(self) -> _ChunkStream:
        return _ChunkStream(self.chunks(), self.size)

    def signature(self, secret: str) -> str:
        ts = int(time.time())
        mac = hmac.new(secret.encode(), f"{ts}.".encode(), hashlib.sha256)
        for chunk in self.chunks():
            mac.update(chunk)
        return f"t={ts},v0={mac.hexdigest()}"

    def post(self, client, secret: str | None, *, chunked: bool = False):
        headers = {"Content-Type": "application/json"}
        if secret:
            headers["ElevenLabs-Signature"] = self.signature(secret)
        if chunked:
            headers["Transfer-Encoding"] = "chunked"
            return client.post(
                PATH,
                input_stream=self.stream(),
                headers=headers,
                environ_overrides={"wsgi.input_terminated": True},
            )
        return client.post(PATH, input_stream=self.stream(), content_length=self.size, headers=headers)


class _ChunkStream(io.RawIOBase):
    """A read-only stream over an iterator of byte strings. The test client measures its length by
    seeking to the end and back before anything is read: that much seeking is pretended."""

    def __init__(self, chunks, size: int):
        self._chunks = chunks
        self._pending = b""
        self._size = size
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._position = offset + (self._size if whence == io.SEEK_END else 0)
        return self._position

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = CHUNK
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return b""
        piece, self._pending = self._pending[:size], self._pending[size:]
        return piece

    def readinto(self, buffer) -> int:
        piece = self.read(len(buffer))
        buffer[: len(piece)] = piece
        return len(piece)
