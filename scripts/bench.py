"""Run every ``packages/*/bench/bench_*.py`` and print one table.

A benchmark script prints one JSON object per line for each result:
``{"name": ..., "value": 1.7, "unit": "x baseline", "target": "<= 3", "ok": true,
"detail": "..."}``; anything else it prints is passed through. Usage:
``python scripts/bench.py [DIST ...]``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_SECONDS = 900


def discover(selected: list[str]) -> list[Path]:
    scripts = []
    for folder in sorted((ROOT / "packages").iterdir()):
        if selected and folder.name not in selected and f"plugin-{folder.name}" not in selected:
            continue
        scripts += sorted((folder / "bench").glob("bench_*.py"))
    return scripts


def run(script: Path) -> list[dict[str, object]]:
    package = script.parent.parent.name
    print(f"-- {package}: {script.name}", flush=True)
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, str(script)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return [{"package": package, "name": script.stem, "value": "timeout", "ok": False}]
    results: list[dict[str, object]] = []
    for line in proc.stdout.splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            print(f"   {line}")
            continue
        if isinstance(row, dict) and "name" in row:
            results.append({"package": package, **row})
    if proc.returncode != 0:
        print(proc.stderr[-3000:], file=sys.stderr)
        results.append({"package": package, "name": script.stem, "value": "error", "ok": False})
    print(f"   ({time.perf_counter() - started:.1f} s)")
    return results


def table(rows: list[dict[str, object]]) -> str:
    header = ("package", "benchmark", "value", "unit", "target", "ok", "detail")
    lines = [header]
    for row in rows:
        value = row.get("value")
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        ok = row.get("ok")
        lines.append(
            (
                str(row["package"]),
                str(row["name"]),
                shown,
                str(row.get("unit", "")),
                str(row.get("target", "")),
                "-" if ok is None else ("yes" if ok else "NO"),
                str(row.get("detail", "")),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        for line in lines
    ]
    out.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(out)


def main(argv: list[str]) -> int:
    scripts = discover([arg for arg in argv if not arg.startswith("-")])
    rows: list[dict[str, object]] = []
    for script in scripts:
        rows += run(script)
    print()
    print(table(rows) if rows else "no benchmarks found")
    return 1 if any(row.get("value") in ("error", "timeout") for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
