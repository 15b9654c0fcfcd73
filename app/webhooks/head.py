"""What a delivery says about itself in its first bytes: `type`, `data.agent_id`, `data.conversation_id`.

Large deliveries (post_call_audio, tens of MB) are verified while they stream, so the agent, and through
it the signing secret, must be known before the body is read. ElevenLabs puts these fields first. The
head may be cut anywhere and need not be valid JSON: the scan stops quietly where it ends or breaks,
or after the first 32 members of an object. A field not found is None: a body held whole is parsed
anyway; a larger one whose head names no agent cannot be verified, and is refused (413) for nobody.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_MAX_MEMBERS = 32  # per object: the scan costs microseconds, whatever the head holds
_DATA_FIELDS = ("agent_id", "conversation_id")


@dataclass
class Hint:
    type: str | None = None
    agent_id: str | None = None
    conversation_id: str | None = None

    @property
    def complete(self) -> bool:
        return None not in (self.type, self.agent_id, self.conversation_id)


class _Cut(Exception):
    """The head ends, or stops being JSON, here."""


class _Scanner:
    """A forward-only JSON reader over a head that may be cut anywhere."""

    def __init__(self, text: str):
        self.s = text
        self.i = 0

    def peek(self) -> str:
        self.i = _WS.match(self.s, self.i).end()
        if self.i >= len(self.s):
            raise _Cut
        return self.s[self.i]

    def take(self, char: str) -> None:
        if self.peek() != char:
            raise _Cut
        self.i += 1

    def string(self) -> str:
        self.take('"')
        try:
            value, self.i = json.decoder.scanstring(self.s, self.i)
        except ValueError:
            raise _Cut from None
        return value

    def members(self):
        """Yield the first keys of the object that starts here; the caller reads or skips each value."""
        self.take("{")
        if self.peek() == "}":
            self.i += 1
            return
        for _ in range(_MAX_MEMBERS):
            key = self.string()
            self.take(":")
            yield key
            char = self.peek()
            self.i += 1
            if char == "}":
                return
            if char != ",":
                raise _Cut
        raise _Cut  # ElevenLabs' fields come first: a head of many small members is not worth more time

    def skip(self) -> None:
        """Step over one whole value (the C decoder does it fast); a value the head cuts ends the scan."""
        self.peek()
        try:
            _, self.i = _DECODER.raw_decode(self.s, self.i)
        except (ValueError, RecursionError):
            raise _Cut from None


def scan(head: bytes) -> Hint:
    """The hint found in `head` (fields left None when absent, not strings, or past the cut)."""
    hint = Hint()
    reader = _Scanner(head.decode("utf-8", "replace"))  # a character cut in two spoils only the tail
    try:
        for key in reader.members():
            if key == "type" and reader.peek() == '"':
                hint.type = reader.string()
            elif key == "data" and reader.peek() == "{":
                for field in reader.members():
                    if field in _DATA_FIELDS and reader.peek() == '"':
                        setattr(hint, field, reader.string())
                    else:
                        reader.skip()
                    if hint.complete:
                        break
            else:
                reader.skip()
            if hint.complete:
                break
    except _Cut:
        pass
    return hint
