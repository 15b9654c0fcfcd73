"""One line per log event: a log line can never be forged with text from a tenant.

A conversation id, an agent name, an email or an error that quotes one may hold a newline (or a
carriage return, a terminal escape, a Unicode line separator). Every handler we install formats
records through `OneLineFormatter`, which escapes such characters in the finished line, tracebacks
included, so one event is always exactly one line. Log calls still interpolate such values with %r.
"""

from __future__ import annotations

import logging
import re
import sys

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# C0 controls (newline, carriage return, tab, escape ...), DEL, C1 controls (NEL included), the Unicode
# line and paragraph separators, and the bidirectional overrides that can make a line read otherwise.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

# Loggers that may get handlers of their own (RQ adds its own when nothing above it has one).
FOREIGN_LOGGERS = ("rq.worker", "rq.job", "rq.scheduler", "werkzeug")


def _escape(match: re.Match) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(text: str) -> str:
    """`text` with every character that could end or disguise a log line escaped."""
    return _UNSAFE.sub(_escape, text)


class OneLineFormatter(logging.Formatter):
    """Formats with `inner` (or FORMAT), then escapes the whole result: message and traceback alike."""

    def __init__(self, inner: logging.Formatter | None = None):
        super().__init__()
        self.inner = inner or logging.Formatter(FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        return one_line(self.inner.format(record))


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (a test's capture, gunicorn's redirection)."""

    def __init__(self):
        super().__init__()
        self.setFormatter(OneLineFormatter())

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):  # StreamHandler.__init__ assigns one; the property decides
        pass


def guard(handler: logging.Handler) -> None:
    """Make an existing handler write one line per event, keeping its own format."""
    if not isinstance(handler.formatter, OneLineFormatter):
        handler.setFormatter(OneLineFormatter(handler.formatter or logging.Formatter(FORMAT)))


def configure_logging(level: int = logging.INFO) -> logging.Handler:
    """Install the one-line stderr handler on the root logger (once per process) and guard the
    handlers libraries attached themselves; returns our handler. Web app and worker both call it."""
    root = logging.getLogger()
    ours = next((h for h in root.handlers if isinstance(h, StderrHandler)), None)
    if ours is None:
        ours = StderrHandler()
        root.addHandler(ours)
    root.setLevel(level)
    for name in FOREIGN_LOGGERS:
        for handler in logging.getLogger(name).handlers:
            guard(handler)
    return ours
