"""Make GX's Data Docs open with no network: the pages pull Bootstrap, jQuery, bootstrap-table,
Font Awesome and Vega from public CDNs (slow or blocked on many government networks), and the
index page's tables are filled by that JavaScript. This rewrites each page to stand alone:
external files and scripts removed, the index tables written out as HTML, one local stylesheet,
and a banner pointing at the report site's data-quality page (the page people open)."""

from __future__ import annotations

import ast
import html
import os
import re
import shutil
from pathlib import Path

STYLESHEET = Path(__file__).parent / "static" / "govperf-datadocs.css"

_EXTERNAL_LINK = re.compile(r"<link\b[^>]*\bhref=[\"']https?://[^>]*>\s*", re.I)
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>\s*", re.I | re.S)
_EXTERNAL_IMG = re.compile(r"<img\b[^>]*\bsrc=[\"']https?://[^>]*>", re.I | re.S)
# bootstrap-table's call: the table's id, its columns and rows (GX writes them as Python literals)
_TABLE_CALL = re.compile(
    r"\$\('#(?P<id>[\w-]+)'\)\.bootstrapTable\(\s*Object\.assign\(\s*\{\s*columns:\s*(?P<columns>\[.*?\]),\s*"
    r"data:\s*(?P<data>\[.*?\]),\s*toolbar:",
    re.S,
)


def _table_rows(columns: list[dict], data: list[dict]) -> str:
    head = "".join(f"<th>{html.escape(str(c.get('title', c['field'])))}</th>" for c in columns)
    rows = []
    for row in data:
        link = row.get("_table_row_link_path")
        cells = []
        for n, c in enumerate(columns):
            # the cells are GX's own HTML snippets (icons, suite links) around names this project set
            value = str(row.get(c["field"], ""))
            if n == 0 and link:
                value = f'<a href="{html.escape(str(link), quote=True)}">{value or "open"}</a>'
            cells.append(f"<td>{value}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"


def _fill_tables(page: str) -> str:
    for m in _TABLE_CALL.finditer(page):
        try:
            columns, data = ast.literal_eval(m["columns"]), ast.literal_eval(m["data"])
        except (ValueError, SyntaxError):
            continue  # left empty rather than guessed
        empty = re.compile(rf'(<table\s+id="{re.escape(m["id"])}"[^>]*>)\s*</table>', re.S)
        page = empty.sub(lambda t, c=columns, d=data: t[1] + _table_rows(c, d) + "</table>", page, count=1)
    return page


def offline_page(page: str, css_href: str, site_href: str | None) -> str:
    page = _fill_tables(page)
    page = _SCRIPT.sub("", page)
    page = _EXTERNAL_LINK.sub("", page)
    page = _EXTERNAL_IMG.sub("", page)
    page = page.replace("</head>", f'<link rel="stylesheet" href="{html.escape(css_href)}">\n</head>', 1)
    banner = "Offline copy of Great Expectations' Data Docs."
    if site_href:
        banner += f' Findings with their evidence and sources: <a href="{html.escape(site_href)}">data-quality page</a>.'
    return re.sub(r"(<body[^>]*>)", rf'\1<div class="govperf-offline">{banner}</div>', page, count=1)


def make_offline(docs_dir: Path, site_quality: Path | None = None) -> int:
    """Rewrite every page under docs_dir to need nothing outside it; returns the pages rewritten.
    site_quality is the report site's data-quality page (default: <home>/site/quality.html)."""
    docs_dir = Path(docs_dir)
    site_quality = site_quality or docs_dir.parent / "site" / "quality.html"
    css = docs_dir / "static" / STYLESHEET.name
    css.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(STYLESHEET, css)
    n = 0
    for path in docs_dir.rglob("*.html"):
        rel = lambda target, p=path: Path(os.path.relpath(target, p.parent)).as_posix()  # noqa: E731
        text = path.read_text(encoding="utf-8")
        path.write_text(offline_page(text, rel(css), rel(site_quality)), encoding="utf-8")
        n += 1
    return n
