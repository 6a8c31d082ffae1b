"""Query results as text: a terminal table, CSV, JSON or Markdown.

Values are always printed as text (never as rich markup), and the table never hides a column:
it wraps cells, or, when the columns cannot fit side by side, prints one record per block.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import re
import uuid
from collections.abc import Sequence
from typing import Any, Literal

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

Format = Literal["table", "csv", "json", "markdown"]
FORMATS: tuple[str, ...] = ("table", "csv", "json", "markdown")
# a column squeezed narrower than this is no longer readable: records instead
MIN_COLUMN = 10


# C0/C1 control characters (ESC starts a terminal command) and bidi overrides (they reorder
# what the reader sees): shown escaped, never sent raw to a terminal
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Text safe for a terminal: control characters as \\xNN / \\uNNNN."""
    return _UNPRINTABLE.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}", text
    )


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, uuid.UUID):
        return str(value)
    return as_text(value)


def to_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([as_text(v) for v in r])
    return buf.getvalue()


def to_json(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    records = [dict(zip(columns, (_json_value(v) for v in r), strict=True)) for r in rows]
    return json.dumps(records, ensure_ascii=False, indent=1) + "\n"


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\|*_`[]<>#~!"})


def _md_cell(value: Any) -> str:
    # document text is hostile: no markup survives, only the line breaks this writes
    lines = as_text(value).translate(_MD_SPECIAL).splitlines() or [""]
    return "<br>".join(line.strip() for line in lines)


def to_markdown(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    out = ["| " + " | ".join(_md_cell(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    out += ["| " + " | ".join(_md_cell(v) for v in r) + " |" for r in rows]
    return "\n".join(out) + "\n"


def _natural_widths(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> list[int]:
    widths = [cell_len(c) for c in columns]
    for r in rows:
        for i, v in enumerate(r):
            longest = max((cell_len(line) for line in v.splitlines()), default=0)
            widths[i] = max(widths[i], longest)
    return widths


def layout(columns: Sequence[str], rows: Sequence[Sequence[str]], width: int | None) -> str:
    """ "table" when the columns fit side by side (wrapping cells as needed), else "records"."""
    if width is None or not columns:
        return "table"
    natural = _natural_widths(columns, rows)
    borders = 3 * len(columns) + 1
    if sum(natural) + borders <= width:
        return "table"
    squeezed = sum(min(n, MIN_COLUMN) for n in natural) + borders
    return "table" if squeezed <= width else "records"


def print_table(
    console: Console, columns: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None
) -> None:
    """Rows as a table at the console's width (wrapped, never cut), or as one block per record
    when the columns cannot fit; a console with no width (a file) gets the table unwrapped."""
    texts = [[printable(as_text(v)) for v in r] for r in rows]
    columns = [printable(c) for c in columns]
    title = printable(title) if title else None
    width = None if console.width >= 10_000 else console.width
    if layout(columns, texts, width) == "records":
        _print_records(console, columns, texts)
        return
    table = Table(title=Text(title) if title else None)
    for c in columns:
        table.add_column(Text(c), overflow="fold", no_wrap=width is None)
    for r in texts:
        table.add_row(*(Text(v) for v in r))
    console.print(table)


def _print_records(console: Console, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    label = max(cell_len(c) for c in columns)
    for n, r in enumerate(rows, 1):
        console.print(Text(f"-[ record {n} ]" + "-" * max(0, min(console.width, 60) - 14 - len(str(n)))))
        for c, v in zip(columns, r, strict=True):
            line = Text(c + " " * (label - cell_len(c)) + " │ ")
            line.append(v)
            console.print(line, overflow="fold")
    if not rows:
        console.print(Text("(no rows)"))


def render(fmt: Format, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, width: int | None) -> str:
    """The rows in `fmt` as a string; `width` is the table's line width (None: unlimited)."""
    if fmt == "csv":
        return to_csv(columns, rows)
    if fmt == "json":
        return to_json(columns, rows)
    if fmt == "markdown":
        return to_markdown(columns, rows)
    buf = io.StringIO()
    console = Console(file=buf, width=width or 100_000, color_system=None, highlight=False, markup=False)
    print_table(console, columns, rows)
    text = buf.getvalue()
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"
