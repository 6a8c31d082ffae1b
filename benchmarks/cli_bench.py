"""Wall time of short CLI commands, each a fresh process as a user runs it (best of N):
`govperf --help` and `govperf extract <one mirror document> --json` for an HTML, a PDF and an
XLSX document of the demo mirror. Process start, imports and the reading worker's start count:
they are what a user waits for.

    .venv/bin/python benchmarks/cli_bench.py          # best of 5
    .venv/bin/python benchmarks/cli_bench.py 10
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOVPERF = ROOT / ".venv" / "bin" / "govperf"
SITE = ROOT / "flows" / "mirror" / "site"
# one document per format, as the mirror serves them (GBK HTML, text-layer PDF, XLSX)
DOCUMENTS = {
    "html": SITE / "dhq.nc.gov.cn/dhqrmzf/bmczyjs07/202305/ebd0819170f051b188b3e8f300cc43a7.shtml",
    "pdf": SITE / "zwgk.shmh.gov.cn/mh-xxgk-cms/upload/20240626/5e124ae289c45a4fb27930853e55294b.pdf",
    "xlsx": SITE / "zwgk.shmh.gov.cn/mh-xxgk-cms/upload/20220930/43da2b48bf725256af1441a3d3e2065e.xlsx",
}

# the shared venv's editable install points at one checkout: this benchmark times its own
ENV = os.environ | {"NO_COLOR": "1", "PYTHONPATH": str(ROOT)}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def best_of(n: int, argv: list[str]) -> tuple[float, float, float]:
    """(best, median) wall seconds of n runs, and the best CPU seconds (the command and its
    reading worker: what the machine's load does not inflate); a failing command stops the
    benchmark."""
    times, cpu = [], []
    for _ in range(n):
        started, cpu_before = time.perf_counter(), _children_cpu()
        done = subprocess.run(argv, capture_output=True, cwd=ROOT, env=ENV)
        times.append(time.perf_counter() - started)
        cpu.append(_children_cpu() - cpu_before)
        if done.returncode not in (0, 1):  # 1: a rejected file, still a timed answer
            sys.exit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode()[-2000:]}")
    times.sort()
    return times[0], times[len(times) // 2], min(cpu)


def main(n: int) -> None:
    print(f"wall: best of {n} (median); cpu: best, command + worker; load average {os.getloadavg()[0]:.2f}")
    cases = {"govperf --help": [str(GOVPERF), "--help"]}
    for fmt, path in DOCUMENTS.items():
        cases[f"govperf extract <mirror {fmt}> --json"] = [str(GOVPERF), "extract", str(path), "--json"]
    for label, argv in cases.items():
        best, median, cpu = best_of(n, argv)
        print(f"  {label:<40} wall {best:6.3f} s ({median:.3f} s)  cpu {cpu:6.3f} s")
    print(f"load average after: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
