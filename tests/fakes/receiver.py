"""A local webhook receiver for outbound-notification tests: records raw requests, answers as scripted.

with Receiver() as rx:
    rx.replies = [500, 200]              # one status per request, then 200s
    ... deliver to rx.url ...
    rx.requests[0]["body"]               # raw bytes, as signed
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format, *args):  # keep test output quiet
        pass

    def do_POST(self):
        rx = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        record = {
            "method": self.command,
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": self.rfile.read(length) if length else b"",
        }
        with rx.lock:
            rx.requests.append(record)
            status = rx.replies.pop(0) if rx.replies else 200
        if rx.delay_s:
            time.sleep(rx.delay_s)
        payload = rx.answer_body
        try:
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "/elsewhere")
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout)

    do_GET = do_POST


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: Receiver


class Receiver:
    def __init__(self, host: str = "127.0.0.1"):
        self.host = host
        self.requests: list[dict] = []
        self.replies: list[int] = []
        self.delay_s = 0.0
        self.answer_body = b"ok"
        self.lock = threading.Lock()
        self._httpd: _Server | None = None

    def __enter__(self) -> Receiver:
        self._httpd = _Server((self.host, 0), _Handler)
        self._httpd.owner = self
        threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def __exit__(self, *exc_info) -> None:
        assert self._httpd is not None
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def port(self) -> int:
        assert self._httpd is not None
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/hooks/calldesk"
