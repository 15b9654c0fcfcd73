"""Read a delivery's body once, in chunks, within a cap: its head first (for what it says about itself),
then the rest, held whole only while it is small enough to parse, else streamed through the HMAC."""

from __future__ import annotations

from collections.abc import Callable

from werkzeug.wsgi import get_input_stream

CHUNK = 64 * 1024


def input_stream(environ):
    """The raw body, ended by Content-Length or by the server's end of a chunked body.

    Not `request.stream`: Flask applies the app's MAX_CONTENT_LENGTH (1 MiB, for forms) to it, even
    after `request.max_content_length = None`, and answers 413 before anything could be recorded.
    """
    return get_input_stream(environ, max_content_length=None)


class Body:
    """One delivery's body as read so far; memory stays within the hold limit plus one chunk."""

    def __init__(self, stream, declared: int | None):
        self._stream = stream
        self.declared = declared  # Content-Length, None when chunked
        self.head = b""
        self.data: bytes | None = None  # the whole body, when it was held
        self.mac = None  # the HMAC that saw every byte, when the body was not held
        self.size = 0  # bytes read
        self.ended = False  # read to its end
        self.broken = False  # the sender stopped before the end

    @property
    def cut(self) -> bool:
        """Not read to the end on purpose: it is larger than anything we read."""
        return not self.ended and not self.broken

    @property
    def total(self) -> int:
        """The body's size as far as it is known."""
        return max(self.size, self.declared or 0) if self.cut else self.size

    def read_head(self, size: int) -> bytes:
        parts = []
        while self.size < size and not (self.ended or self.broken):
            parts.append(self._read(size - self.size))
        self.head = b"".join(parts)
        return self.head

    def finish(self, *, hold_max: int, read_max: int, new_mac: Callable[[], object | None]) -> None:
        """Read the rest: held while the whole is at most hold_max bytes, else fed to new_mac()'s HMAC
        (when it gives one); reading stops past read_max bytes."""
        if self.declared is not None and self.declared > read_max:
            return  # it would be cut anyway; its signature cannot be checked, so don't read it
        held: list[bytes] | None = [self.head]
        mac = None
        if self.size > hold_max:
            held, mac = None, _fed(new_mac(), [self.head])
        while not (self.ended or self.broken) and self.size <= read_max:
            chunk = self._read(min(CHUNK, read_max + 1 - self.size))
            if held is not None:
                held.append(chunk)
                if self.size > hold_max:
                    held, mac = None, _fed(new_mac(), held)
            elif mac is not None:
                mac.update(chunk)
        self.mac = mac
        if self.ended and held is not None:
            self.data = b"".join(held)

    def _read(self, size: int) -> bytes:
        try:
            chunk = self._stream.read(size)
        except Exception:  # noqa: BLE001 - whatever the server raises, the sender went away mid-body
            chunk, self.broken = b"", True
        if not chunk and not self.broken:
            self.ended = True
        self.size += len(chunk)
        return chunk


def _fed(mac, parts: list[bytes]):
    if mac is not None:
        for part in parts:
            mac.update(part)
    return mac
