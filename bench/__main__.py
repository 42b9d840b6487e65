"""Run every benchmark module and write the measured figures to docs/performance.md.

Each module in this package exposes `run() -> list[Result]`; a result is one target with the
figure measured on this machine. Numbers come from real runs, never from constants.
"""

from __future__ import annotations

import importlib
import pkgutil
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

import bench
from bench.common import Result

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


def main(argv: list[str]) -> int:
    only = set(argv)
    results: list[tuple[str, list[Result]]] = []
    for module_info in sorted(pkgutil.iter_modules(bench.__path__), key=lambda m: m.name):
        if module_info.name in {"common", "__main__"} or (only and module_info.name not in only):
            continue
        module = importlib.import_module(f"bench.{module_info.name}")
        print(f"== {module_info.name}", flush=True)
        module_results = module.run()
        for result in module_results:
            print(f"   {result.line()}", flush=True)
        results.append(
            (module.__doc__.strip().splitlines()[0] if module.__doc__ else "", module_results)
        )
    write_doc(results)
    failed = [r for _, rs in results for r in rs if not r.met]
    return 1 if failed else 0


def _kept_sections(replaced: set[str]) -> list[str]:
    """Sections of the current document that this run did not measure (a run of one benchmark
    must not erase the others' figures)."""
    if not DOC.exists():
        return []
    kept, current = [], None
    for line in DOC.read_text().splitlines():
        if line.startswith("## "):
            current = [] if line[3:] in replaced else kept
            if current is kept:
                kept.append(line)
            continue
        if current is kept and kept:
            kept.append(line)
    return kept


def write_doc(sections: list[tuple[str, list[Result]]]) -> None:
    kept = _kept_sections({title for title, _ in sections})
    lines = [
        "# Performance",
        "",
        "Written by `make bench` (`python -m bench`); do not edit by hand.",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"Python {platform.python_version()}, one process, one core.",
        "",
    ]
    for title, results in sections:
        lines += [f"## {title}", "", "| what | target | measured | met |", "|---|---|---|---|"]
        lines += [
            f"| {r.name} | {r.target} | {r.measured} | {'yes' if r.met else 'NO'} |"
            for r in results
        ]
        lines.append("")
    DOC.write_text("\n".join(lines + kept).rstrip("\n") + "\n")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
