"""A local stand-in for the OpenAI REST API (chat completions with structured outputs, embeddings).

    with FakeOpenAI() as server:
        client = openai.OpenAI(api_key="sk-test", base_url=server.base_url)
        server.fail_next(429)                 # next request: HTTP 429, then normal again
        server.reply_next_raw("not json")     # next chat reply carries this content
        server.requests[-1]["json"]           # what the SDK sent
        server.requests[-1]["at"]             # when it arrived (time.time())
        server.usage = {"prompt_tokens": 1200, "completion_tokens": 80, "embedding_tokens": 40}
                                              # the usage every reply reports from now on

`FakeServer` (the shared machinery, also used by the Pinecone fake) runs a stdlib
ThreadingHTTPServer on 127.0.0.1:<free port> in a daemon thread, records every request and
plays a FIFO of injected faults before answering normally.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Fault:
    kind: str  # "status" | "delay" | "raw" | "refusal" | "finish_reason"
    times: int = 1
    path: str | None = None  # only requests whose path starts with this
    status: int = 500
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    text: str = ""


@dataclass
class Reply:
    status: int
    body: Any = None  # dict/list -> JSON, str/bytes -> as is, None -> empty
    headers: dict[str, str] = field(default_factory=dict)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: don't wait for ACKs
    server: _Server

    def log_message(self, format, *args):  # keep test output quiet
        pass

    def _dispatch(self):
        self.server.owner._serve(self)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: FakeServer


class FakeServer:
    """Base of the fakes: lifecycle, request log, fault FIFO. Subclasses implement `handle`."""

    # Headers added to injected 408/409/429/5xx faults unless given: tells SDKs to retry at once.
    retry_headers: dict[str, str] = {}

    def __init__(self):
        self.requests: list[dict[str, Any]] = []
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)  # notified whenever a request is fully answered
        self._in_flight = 0
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._port: int | None = None
        self._thread: threading.Thread | None = None

    # lifecycle
    def start(self) -> FakeServer:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self._port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.02,), name=type(self).__name__, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def port(self) -> int:
        """The listening port (kept after stop(), so a test can aim at a closed port)."""
        assert self._port is not None, "server not started"
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # faults
    def fail_next(
        self,
        status: int,
        body: Any = None,
        times: int = 1,
        *,
        path: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next `times` requests (optionally only those under `path`) with `status`."""
        self._add(Fault("status", times, path, status=status, body=body, headers=dict(headers or {})))

    def delay_next(self, seconds: float, times: int = 1, *, path: str | None = None) -> None:
        """Hold the next `times` requests for `seconds` before answering normally (client timeouts)."""
        self._add(Fault("delay", times, path, seconds=seconds))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def _take_fault(self, path: str, kinds: tuple[str, ...]) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.kind in kinds and (fault.path is None or path.startswith(fault.path)):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Block until no request is being served (a held one may still take a queued fault)."""
        with self._idle:
            if not self._idle.wait_for(lambda: self._in_flight == 0, timeout):
                raise AssertionError(f"{type(self).__name__}: {self._in_flight} request(s) still in flight")

    def requests_to(self, path: str, method: str | None = None) -> list[dict[str, Any]]:
        """Recorded requests whose path (without query) equals `path`."""
        return [r for r in self.requests if r["path"] == path and (method is None or r["method"] == method)]

    # serving
    def error_body(self, status: int, message: str) -> Any:
        return {"error": {"message": message, "code": status}}

    def handle(
        self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str], body: Any
    ) -> Reply:
        raise NotImplementedError

    def _serve(self, handler: _Handler) -> None:
        with self._lock:
            self._in_flight += 1
        try:
            self._answer(handler)
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    def _answer(self, handler: _Handler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        parts = urlsplit(handler.path)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        record = {
            "at": time.time(),
            "method": handler.command,
            "path": parts.path,
            "query": parse_qs(parts.query),
            "headers": headers,
            "json": body,
        }
        with self._lock:
            self.requests.append(record)
        try:
            reply = self._fault_reply(parts.path)
            if reply is None:
                reply = self.handle(handler.command, parts.path, record["query"], headers, body)
        except Exception as exc:  # a bug in a fake must show up as a 500, not a hung client
            reply = Reply(500, self.error_body(500, f"fake server error: {type(exc).__name__}: {exc}"))
        self._write(handler, reply)

    def _fault_reply(self, path: str) -> Reply | None:
        delay = self._take_fault(path, ("delay",))
        if delay is not None:
            self._stopping.wait(delay.seconds)
        fault = self._take_fault(path, ("status",))
        if fault is None:
            return None
        headers = dict(fault.headers)
        if fault.status in (408, 409, 429) or fault.status >= 500:
            for key, value in self.retry_headers.items():
                headers.setdefault(key, value)
        body = (
            fault.body
            if fault.body is not None
            else self.error_body(fault.status, f"injected HTTP {fault.status}")
        )
        return Reply(fault.status, body, headers)

    @staticmethod
    def _write(handler: _Handler, reply: Reply) -> None:
        if isinstance(reply.body, dict | list):
            payload, ctype = json.dumps(reply.body).encode(), "application/json"
        elif isinstance(reply.body, str):
            payload, ctype = reply.body.encode(), "text/plain; charset=utf-8"
        elif isinstance(reply.body, bytes):
            payload, ctype = reply.body, "application/octet-stream"
        else:
            payload, ctype = b"", "application/json"
        try:
            handler.send_response(reply.status)
            handler.send_header("Content-Type", ctype)
            handler.send_header("Content-Length", str(len(payload)))
            for key, value in reply.headers.items():
                handler.send_header(key, value)
            handler.end_headers()
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout): nothing to answer


# --------------------------------------------------------------------------------------------
# OpenAI

_TRANSCRIPT = re.compile(r"<transcript>(.*?)</transcript>", re.DOTALL)
_WORD = re.compile(r"\w+", re.UNICODE)


def transcript_of(request_json: dict) -> str:
    """The text between <transcript> tags in the chat messages (all messages if there are none)."""
    texts = [m.get("content") for m in request_json.get("messages", []) if isinstance(m.get("content"), str)]
    joined = "\n".join(texts)
    found = _TRANSCRIPT.findall(joined)
    return "\n".join(found) if found else joined


def default_analysis(request_json: dict) -> dict:
    """Deterministic analysis: callback iff "call me back" was said; summary quotes the first caller line."""
    transcript = transcript_of(request_json)
    caller_lines = [
        line.split("Caller:", 1)[1].strip() for line in transcript.splitlines() if "Caller:" in line
    ]
    first = caller_lines[0] if caller_lines else "nothing"
    callback = "call me back" in transcript.lower()
    return {
        "summary": f"The caller said: {first}",
        "callback_needed": callback,
        "callback_reason": "The caller asked to be called back." if callback else None,
        "callback_requested_time": None,
        "callback_urgent": False,
        "caller_name": None,
        "sentiment": "neutral",
        "topics": ["general"],
        "language": "en",
    }


def hashed_embedding(text: str, dimensions: int) -> list[float]:
    """Deterministic unit vector from hashed lowercase words: shared words mean higher cosine."""
    vector = [0.0] * dimensions
    words = _WORD.findall(text.lower()) or [""]
    for word in words:
        digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
        slot = int.from_bytes(digest[:4], "little") % dimensions
        vector[slot] += 1.0 if digest[4] & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vector))
    if norm == 0.0:  # every word cancelled out
        vector[0], norm = 1.0, 1.0
    return [v / norm for v in vector]


DEFAULT_DIMENSIONS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / 4)


class FakeOpenAI(FakeServer):
    """`POST /v1/chat/completions` and `POST /v1/embeddings`, OpenAI's shapes and error format.

    - `analysis_fn(request_json) -> dict | str`: the reply content (default `default_analysis`).
    - `embed_fn(text, dimensions) -> list[float]` (default `hashed_embedding`).
    - `api_key`: when set, other bearer tokens get OpenAI's 401.
    - `reply_next_raw(text)`, `refuse_next(text)`, `finish_next(reason)`: shape the next chat reply.
    - Injected 408/409/429/5xx carry `retry-after-ms: 1` (the SDK then retries after 1 ms);
      set `retry_headers = {}` on the instance for the SDK's own backoff.
    """

    retry_headers = {"retry-after-ms": "1"}

    def __init__(
        self,
        *,
        api_key: str | None = None,
        analysis_fn: Callable[[dict], Any] | None = None,
        embed_fn: Callable[[str, int], list[float]] | None = None,
    ):
        super().__init__()
        self.api_key = api_key
        self.analysis_fn = analysis_fn or default_analysis
        self.embed_fn = embed_fn or hashed_embedding
        self.reverse_embedding_order = False  # answer embeddings last index first
        # When set, every reply reports these token counts (else: estimates from the text).
        self.usage: dict[str, int] | None = None
        self._counter = 0

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    def reply_next_raw(self, text: str, times: int = 1) -> None:
        """The next chat reply's content is `text` verbatim (e.g. malformed JSON)."""
        self._add(Fault("raw", times, "/v1/chat/completions", text=text))

    def refuse_next(self, text: str = "I can't help with that.", times: int = 1) -> None:
        self._add(Fault("refusal", times, "/v1/chat/completions", text=text))

    def finish_next(self, reason: str, times: int = 1) -> None:
        """The next chat reply ends with this finish_reason ("length", "content_filter")."""
        self._add(Fault("finish_reason", times, "/v1/chat/completions", text=reason))

    def fail_quota(self, times: int = 1) -> None:
        """OpenAI's 429 for an account out of credit."""
        self.fail_next(
            429,
            openai_error(
                "You exceeded your current quota, please check your plan and billing details.",
                "insufficient_quota",
                "insufficient_quota",
            ),
            times,
        )

    def chat_requests(self) -> list[dict]:
        return [r["json"] for r in self.requests_to("/v1/chat/completions", "POST")]

    def chat_times(self) -> list[float]:
        """Arrival times (time.time()) of the chat requests, in order."""
        return [r["at"] for r in self.requests_to("/v1/chat/completions", "POST")]

    def embedding_requests(self) -> list[dict]:
        return [r["json"] for r in self.requests_to("/v1/embeddings", "POST")]

    def error_body(self, status: int, message: str) -> Any:
        kinds = {
            400: "invalid_request_error",
            401: "invalid_request_error",
            404: "invalid_request_error",
            429: "requests",
        }
        return openai_error(message, kinds.get(status, "server_error"), None)

    def handle(self, method, path, query, headers, body) -> Reply:
        presented = (headers.get("authorization") or "").removeprefix("Bearer ")
        if self.api_key is not None and presented != self.api_key:
            masked = presented[:3] + "*" * max(len(presented) - 7, 0) + presented[-4:]
            return Reply(
                401,
                openai_error(
                    f"Incorrect API key provided: {masked}. You can find your API key at "
                    "https://platform.openai.com/account/api-keys.",
                    "invalid_request_error",
                    "invalid_api_key",
                ),
            )
        if method == "POST" and path == "/v1/chat/completions":
            return self._chat(body if isinstance(body, dict) else {})
        if method == "POST" and path == "/v1/embeddings":
            return self._embeddings(body if isinstance(body, dict) else {})
        if method == "GET" and path.startswith("/v1/models/"):
            model = path.removeprefix("/v1/models/")
            return Reply(200, {"id": model, "object": "model", "created": 1700000000, "owned_by": "system"})
        return Reply(404, openai_error(f"Invalid URL ({method} {path})", "invalid_request_error", None))

    def _next_id(self, prefix: str) -> str:
        with self._lock:
            self._counter += 1
            return f"{prefix}-fake{self._counter}"

    def _chat(self, req: dict) -> Reply:
        if not req.get("model") or not isinstance(req.get("messages"), list) or not req["messages"]:
            return Reply(
                400, openai_error("'model' and 'messages' are required", "invalid_request_error", None)
            )
        fmt = req.get("response_format") or {}
        schema = (fmt.get("json_schema") or {}) if isinstance(fmt, dict) else {}
        if fmt.get("type") != "json_schema" or schema.get("strict") is not True or "schema" not in schema:
            return Reply(
                400,
                openai_error(
                    "response_format must be a strict json_schema",
                    "invalid_request_error",
                    None,
                    param="response_format",
                ),
            )
        content: str | None
        refusal = None
        finish = "stop"
        shaped = self._take_fault("/v1/chat/completions", ("raw", "refusal", "finish_reason"))
        if shaped is not None and shaped.kind == "refusal":
            content, refusal = None, shaped.text
        else:
            result = self.analysis_fn(req)
            content = result if isinstance(result, str) else json.dumps(result)
            if shaped is not None and shaped.kind == "raw":
                content = shaped.text
            elif shaped is not None:
                finish = shaped.text
        prompt_tokens = sum(estimate_tokens(str(m.get("content") or "")) for m in req["messages"])
        completion_tokens = estimate_tokens(content or refusal or "")
        if self.usage is not None:
            prompt_tokens = self.usage.get("prompt_tokens", prompt_tokens)
            completion_tokens = self.usage.get("completion_tokens", completion_tokens)
        return Reply(
            200,
            {
                "id": self._next_id("chatcmpl"),
                "object": "chat.completion",
                "created": int(time.time()),
                "model": req["model"],
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": finish,
                        "logprobs": None,
                        "message": {"role": "assistant", "content": content, "refusal": refusal},
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
            },
        )

    def _embeddings(self, req: dict) -> Reply:
        model = req.get("model")
        inputs = req.get("input")
        if isinstance(inputs, str):
            inputs = [inputs]
        if not model or not isinstance(inputs, list) or not inputs:
            return Reply(400, openai_error("'model' and 'input' are required", "invalid_request_error", None))
        if len(inputs) > 2048:
            return Reply(
                400,
                openai_error(
                    "'$.input' is invalid: at most 2048 inputs per request",
                    "invalid_request_error",
                    None,
                    param="input",
                ),
            )
        if any(not isinstance(text, str) or text == "" for text in inputs):
            return Reply(
                400,
                openai_error(
                    "'$.input' is invalid. Please check the API reference: "
                    "https://platform.openai.com/docs/api-reference.",
                    "invalid_request_error",
                    None,
                    param="input",
                ),
            )
        dimensions = req.get("dimensions")
        if dimensions is not None and not str(model).startswith("text-embedding-3"):
            return Reply(
                400,
                openai_error(
                    "This model does not support specifying dimensions.",
                    "invalid_request_error",
                    None,
                    param="dimensions",
                ),
            )
        dimensions = int(dimensions or DEFAULT_DIMENSIONS.get(model, 1536))
        data = []
        for index, text in enumerate(inputs):
            vector = self.embed_fn(text, dimensions)
            if req.get("encoding_format") == "base64":
                encoded: Any = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
            else:
                encoded = vector
            data.append({"object": "embedding", "index": index, "embedding": encoded})
        if self.reverse_embedding_order:
            data.reverse()
        tokens = sum(estimate_tokens(text) for text in inputs)
        if self.usage is not None:
            tokens = self.usage.get("embedding_tokens", tokens)
        return Reply(
            200,
            {
                "object": "list",
                "model": model,
                "data": data,
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            },
        )


def openai_error(message: str, type_: str | None, code: str | None, param: str | None = None) -> dict:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}
