"""What the short commands import: `govperf --help` and `govperf extract FILE --json` must not
pay for GX, Prefect, DuckDB or polars (seconds between them), and the reading worker imports a
format's library only when a file of that format arrives (benchmarks/cli_bench.py times them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from flows.mirror.server import SITE_DIR

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ["great_expectations", "prefect", "duckdb", "polars", "pandas", "numpy"]
READERS = ["numpy", "PIL", "pypdfium2", "pdfplumber", "openpyxl", "docx", "xlrd", "selectolax"]
HTML = SITE_DIR / "dhq.nc.gov.cn/dhqrmzf/bmczyjs07/202305/ebd0819170f051b188b3e8f300cc43a7.shtml"


def _imported_after(code: str, watched: list[str]) -> list[str]:
    """The watched top-level modules a fresh interpreter holds after running `code`."""
    probe = f"{code}\nimport sys\nprint('\\n' + __import__('json').dumps([m for m in {watched!r} if m in sys.modules]))"
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_help_imports_none_of_the_heavy_libraries():
    code = "from flows.cli import app\ntry:\n    app(['--help'])\nexcept SystemExit:\n    pass"
    assert _imported_after(code, HEAVY) == []


def test_extract_of_one_file_imports_none_of_the_heavy_libraries():
    code = (
        "from flows.cli import app\n"
        f"try:\n    app(['extract', {str(HTML)!r}, '--json'])\nexcept SystemExit as e:\n    assert e.code == 0, e"
    )
    assert _imported_after(code, HEAVY) == []


def test_the_reading_worker_starts_without_any_format_library():
    # what `python -m flows.documents.budget` imports before it caps its memory
    assert _imported_after("import flows.reports.extract", READERS) == []


def test_an_html_file_is_read_with_the_html_library_only():
    code = (
        "from flows.reports.extract import reports_from_bytes\n"
        f"data = open({str(HTML)!r}, 'rb').read()\n"
        "assert reports_from_bytes(data, name='a.shtml', sha256='x')"
    )
    assert _imported_after(code, READERS) == ["selectolax"]
