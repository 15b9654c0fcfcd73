"""bench/RESULTS.md: one section per benchmark (and size), replaced on each run, headed by the date
and the machine it ran on. Every bench script writes through `write_section`."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from pathlib import Path

PATH = Path(__file__).resolve().parent / "RESULTS.md"


def machine() -> str:
    """CPU model, count, memory, Python, and `uname -a`."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    mem = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    uname = " ".join(os.uname())
    return f"{cpu}, {os.cpu_count()} CPUs, {mem:.0f} GB RAM, Python {platform.python_version()}; `{uname}`"


def write_section(heading: str, body: str, path: Path = PATH) -> None:
    """Put `body` (preformatted text) under `## heading`, replacing that section if it exists."""
    title = f"## {heading}"
    current = path.read_text() if path.exists() else "# Benchmark results\n"
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = f"{title}\n\n{date}, {machine()}\n\n```\n{body.rstrip()}\n```\n"
    lines = current.split("\n")
    if title in lines:
        start = lines.index(title)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        rest = "\n".join(lines[end:])
        current = "\n".join(lines[:start]) + "\n" + section + ("\n" + rest if rest else "")
    else:
        current = current.rstrip("\n") + "\n\n" + section
    path.write_text(current)
