"""Readers for the labelled evaluation sets in tests/data/ (callbacks_*.txt, retrieval.txt).

Format, one block per call:

    === <id> | <yes|no or key=value> | key=value | flag ...
    agent: text of the turn
    user: text of the turn

`yes`/`no` is the callback label; `urgent` is a flag; `time=` is the requested time as said;
`name=` the caller's name; `kind=` what the example exercises; `topic=` the retrieval topic.
A block that starts with `???` instead of `===` is a search question (its text on the next line).
Lines starting with `#` are comments. Odd-numbered callback ids form the development half,
even-numbered ids the held-out half.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
LANGUAGES = ("en", "es", "de", "fr")


@dataclass
class Example:
    id: str
    turns: list[tuple[str, str]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    question: bool = False

    @property
    def callback(self) -> bool:
        return self.labels.get("callback") == "yes"

    @property
    def urgent(self) -> bool:
        return "urgent" in self.labels

    @property
    def language(self) -> str:
        return self.labels.get("lang") or self.id.split("-")[0]

    @property
    def half(self) -> str:
        """ "dev" for odd ids, "held-out" for even ones."""
        number = re.search(r"(\d+)$", self.id)
        return "dev" if number and int(number.group(1)) % 2 else "held-out"

    @property
    def text(self) -> str:
        return " ".join(text for _, text in self.turns)


def parse(text: str) -> list[Example]:
    """Examples of one file, in order."""
    examples: list[Example] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("===", "???")):
            head = [part.strip() for part in line[3:].split("|")]
            example = Example(id=head[0], question=line.startswith("???"))
            for part in head[1:]:
                key, sep, value = part.partition("=")
                if sep:
                    example.labels[key.strip()] = value.strip()
                elif part in ("yes", "no"):
                    example.labels["callback"] = part
                else:
                    example.labels[part] = "1"
            examples.append(example)
            continue
        if not examples:
            raise ValueError(f"text before the first header: {line!r}")
        role, sep, said = line.partition(":")
        if examples[-1].question or not sep or role not in ("agent", "user"):
            examples[-1].turns.append(("user", line))
        else:
            examples[-1].turns.append((role, said.strip()))
    return examples


def callback_set(languages=LANGUAGES) -> list[Example]:
    out: list[Example] = []
    for lang in languages:
        out += parse((DATA / f"callbacks_{lang}.txt").read_text(encoding="utf-8"))
    return out


def retrieval_set(name: str = "retrieval") -> tuple[list[Example], list[Example]]:
    """(calls, questions) of a retrieval set: "retrieval" or "retrieval_heldout"."""
    examples = parse((DATA / f"{name}.txt").read_text(encoding="utf-8"))
    return [e for e in examples if not e.question], [e for e in examples if e.question]


if __name__ == "__main__":
    cb = callback_set()
    print(f"callbacks: {len(cb)} calls, {sum(e.callback for e in cb)} with a callback")
    for name in ("retrieval", "retrieval_heldout"):
        calls, questions = retrieval_set(name)
        print(f"{name}: {len(calls)} calls, {len(questions)} questions")
