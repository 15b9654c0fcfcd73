"""bench/run: every benchmark in one command, at each size, results in bench/RESULTS.md.

    bench/run                              # all but chaos.py, lists at 10,000 and 100,000 calls
    bench/run --sizes 10000 lists vectors  # a selection, one size
    bench/run all                          # chaos.py too (about 13 more minutes)

Benchmarks that take a seeded workspace (SIZED) run once per size against `calldesk_bench_<size>`,
seeded once per size (bench/seeded.py) and dropped at the end (`--keep` keeps it); the others run
once. Each benchmark writes its own section of bench/RESULTS.md; for those that do not, the
output of this run is written under "<name>.py: output of the last bench/run". Exit 1 when any
benchmark fails a goal or errors.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]

from results import write_section  # noqa: E402
from seeded import SeededDatabase  # noqa: E402

SIZED = ("lists",)  # take --db URL --calls N
WRITES_ITSELF = ("lists", "vectors")
SLOW = ("chaos",)  # only by name or with "all"
HELPERS = ("results", "seeded", "httpclient", "evalsets", "runner")


def benchmarks() -> list[str]:
    return sorted(p.stem for p in BENCH.glob("*.py") if p.stem not in HELPERS)


def run_one(name: str, extra: list[str]) -> tuple[int, float, str]:
    """Run bench/<name>.py, echoing its output; (exit status, seconds, output)."""
    print(f"== {name}.py {' '.join(extra)}", flush=True)
    started, lines = time.monotonic(), []
    with subprocess.Popen(
        [sys.executable, str(BENCH / f"{name}.py"), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=BENCH.parent,
    ) as proc:
        for line in proc.stdout:
            print(line, end="", flush=True)
            lines.append(line)
    print(flush=True)
    return proc.returncode, time.monotonic() - started, "".join(lines)


def main() -> int:
    known = benchmarks()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"benchmarks ({', '.join(known)}) or 'all'")
    parser.add_argument("--sizes", default="10000,100000", help="calls per seeded workspace (10000,100000)")
    parser.add_argument("--keep", action="store_true", help="keep the calldesk_bench_<size> databases")
    args = parser.parse_args()
    names = known if args.names == ["all"] else args.names or [n for n in known if n not in SLOW]
    unknown = sorted(set(names) - set(known))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(known)}, all")
    try:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes takes numbers separated by commas, not {args.sizes!r}")
    if not sizes or min(sizes) < 10:
        parser.error("--sizes: at least one size, each of 10 calls or more")
    summary, failed = [], []

    def record(label: str, status: int, seconds: float) -> None:
        if status != 0:
            failed.append(label)
        summary.append(f"{label:<40} {'ok' if status == 0 else 'FAIL':<5} {seconds:>7.0f} s")

    for name in [n for n in names if n not in SIZED]:
        status, seconds, output = run_one(name, [])
        record(f"{name}.py", status, seconds)
        if name not in WRITES_ITSELF:
            write_section(f"{name}.py: output of the last bench/run", output)
    sized = [n for n in names if n in SIZED]
    for size in sizes if sized else []:
        database = SeededDatabase(size)
        print(f"== seeding {database.name}", flush=True)
        try:
            seconds = database.create()
            record(f"seed {size:,} calls (+ 2 x {size // 10:,})", 0, seconds)
            for name in sized:
                status, seconds, _ = run_one(name, ["--db", database.url, "--calls", str(size)])
                record(f"{name}.py at {size:,} calls", status, seconds)
        finally:
            if not args.keep:
                database.drop()
    command = " ".join(["bench/run", *sys.argv[1:]])
    write_section("bench/run: the last run", f"{command}\n\n" + "\n".join(summary))
    print("\n".join(summary))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
