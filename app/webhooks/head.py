"""What a delivery says about itself in its first bytes: `type`, `data.agent_id`, `data.conversation_id`.

Large deliveries (post_call_audio, tens of MB) are verified while they stream, so the agent, and through
it the signing secret, must be known before the body is read. ElevenLabs puts these fields first. The
head may be cut anywhere and need not be valid JSON: the scan stops quietly where it ends or breaks.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_WS = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"-?[0-9][0-9.eE+-]*|true|false|null")
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
    """A forward-only JSON reader that can skip any value without recursion (a head may be `[[[[...`)."""

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
        """Yield each key of the object that starts here; the caller reads or skips its value."""
        self.take("{")
        if self.peek() == "}":
            self.i += 1
            return
        while True:
            key = self.string()
            self.take(":")
            yield key
            char = self.peek()
            self.i += 1
            if char == "}":
                return
            if char != ",":
                raise _Cut

    def skip(self) -> None:
        depth = 0
        while True:
            char = self.peek()
            if char == '"':
                self.string()
            elif char in "{[":
                depth += 1
                self.i += 1
            elif char in "}]" and depth:
                depth -= 1
                self.i += 1
            elif char in ",:" and depth:
                self.i += 1
                continue
            else:
                match = _SCALAR.match(self.s, self.i)
                if not match:
                    raise _Cut
                self.i = match.end()
            if not depth:
                return


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
