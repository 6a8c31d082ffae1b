"""HTML: the page's content in order, site chrome (navigation, header, footer, scripts) left out.

Block elements and <br> end paragraphs; data tables become Table blocks with rowspan/colspan
expanded (covered cells ''). Tables used for page layout (a table holding tables, or a single
column) are read as flowing content. A detail page's metadata table (索引号/发布机构/...) is a data
table like any other and is kept.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from flows.documents.charset import decode_html
from flows.documents.limits import check_html_size
from flows.documents.model import Block, Document, ExtractError, Paragraph, Table
from flows.documents.normalise import normalise, normalise_cell

_SKIP = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "head",
        "title",
        "nav",
        "header",
        "footer",
        "aside",
        "select",
        "option",
        "button",
        "input",
        "textarea",
        "iframe",
        "frame",
        "object",
        "embed",
        "svg",
        "canvas",
        "map",
        "link",
        "meta",
        "-comment",
    }
)
_BLOCK = frozenset(
    {
        "html",
        "body",
        "p",
        "div",
        "section",
        "article",
        "main",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "pre",
        "address",
        "figure",
        "figcaption",
        "center",
        "hr",
        "caption",
        "fieldset",
        "legend",
        "details",
        "summary",
        "form",
        "tr",
        "td",
        "th",
        "thead",
        "tbody",
        "tfoot",
    }
)
# class/id words that mark site chrome on government sites (当前位置 breadcrumbs, share bars, ...)
_CHROME = re.compile(
    r"^(?:site-?)?(?:header|footer|foot|nav|navbar|navigation|menu|menus|topbar|top-?nav|sidebar|"
    r"side-?nav|breadcrumbs?|crumbs?|location|position|share|bdshare|bdsharebuttonbox|copyright|"
    r"banner|toolbar|skip|search|search-?box|login|friend-?links?|bottom)$",
    re.IGNORECASE,
)
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "search"})
# Source line breaks between two CJK characters are not spaces.
_CJK_BREAK = re.compile(r"(?<=[\u2e80-\uffff])[ \t\r\f]*\n\s*(?=[\u2e80-\uffff])")
_WS = re.compile(r"\s+")
_MAX_SPAN = 200


def _is_chrome(node: LexborNode) -> bool:
    attrs = node.attributes
    if not attrs:
        return False
    if (attrs.get("role") or "").lower() in _CHROME_ROLES:
        return True
    if (attrs.get("aria-hidden") or "").lower() == "true":
        return True
    style = (attrs.get("style") or "").replace(" ", "").lower()
    if "display:none" in style:
        return True
    words = (attrs.get("class") or "").split() + (attrs.get("id") or "").split()
    return any(_CHROME.match(w) for w in words)


@dataclass(slots=True)
class _Flow:
    """Blocks being collected, and the inline text of the paragraph under way."""

    blocks: list[Block] = field(default_factory=list)
    buffer: list[str] = field(default_factory=list)

    def text(self, s: str) -> None:
        self.buffer.append(s)

    def flush(self) -> None:
        if not self.buffer:
            return
        raw = _CJK_BREAK.sub("", "".join(self.buffer))
        self.buffer.clear()
        text = normalise(_WS.sub(" ", raw))
        if text:
            self.blocks.append(Paragraph(text))


def _walk(node: LexborNode, flow: _Flow) -> None:
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            flow.text(child.text_content or "")
            continue
        if tag in _SKIP or tag is None or tag.startswith("-") or _is_chrome(child):
            continue
        if tag == "br":
            flow.flush()
        elif tag == "table":
            flow.flush()
            _table(child, flow)
        elif tag in _BLOCK:
            flow.flush()
            _walk(child, flow)
            flow.flush()
        else:
            _walk(child, flow)


def _rows_of(table: LexborNode) -> list[LexborNode]:
    """The table's own rows (not those of tables nested in its cells), in order."""
    rows: list[LexborNode] = []
    for child in table.iter():
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in ("thead", "tbody", "tfoot"):
            rows.extend(c for c in child.iter() if c.tag == "tr")
    return rows


def _cells_of(row: LexborNode) -> list[LexborNode]:
    return [c for c in row.iter() if c.tag in ("td", "th") and not _is_chrome(c)]


def _has_nested_table(cells_by_row: list[list[LexborNode]]) -> bool:
    # (a descendant selector like "td table" would also match through the table's own ancestors)
    return any(cell.css_first("table") is not None for cells in cells_by_row for cell in cells)


def _span(node: LexborNode, name: str) -> int:
    try:
        value = int((node.attributes.get(name) or "1").strip())
    except ValueError:
        return 1
    return min(max(value, 1), _MAX_SPAN)


def _cell_text(cell: LexborNode) -> str:
    flow = _Flow()
    _walk(cell, flow)
    flow.flush()
    lines: list[str] = []
    for block in flow.blocks:
        if isinstance(block, Paragraph):
            lines.append(block.text)
        else:  # a small table inside a cell: its rows as lines
            lines.extend(" ".join(c for c in row if c) for row in block.rows)
    return normalise_cell("\n".join(lines))


def _table(table: LexborNode, flow: _Flow) -> None:
    rows = _rows_of(table)
    cells_by_row = [_cells_of(r) for r in rows]
    layout = _has_nested_table(cells_by_row) or all(len(cells) <= 1 for cells in cells_by_row)
    if layout or (table.attributes.get("role") or "").lower() == "presentation":
        for cells in cells_by_row:
            for cell in cells:
                flow.flush()
                _walk(cell, flow)
                flow.flush()
        return
    for child in table.iter():
        if child.tag == "caption":
            _walk(child, flow)
            flow.flush()
    grid: dict[tuple[int, int], str] = {}
    width = 0
    for r, cells in enumerate(cells_by_row):
        c = 0
        for cell in cells:
            while (r, c) in grid:
                c += 1
            rowspan = min(_span(cell, "rowspan"), len(rows) - r)
            colspan = _span(cell, "colspan")
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid[(r + dr, c + dc)] = ""
            grid[(r, c)] = _cell_text(cell)
            c += colspan
            width = max(width, c)
    out = tuple(tuple(grid.get((r, c), "") for c in range(width)) for r in range(len(rows)))
    out = tuple(row for row in out if any(row))
    if out:
        flow.blocks.append(Table(rows=out))


def _charset_param(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", content_type, re.IGNORECASE)
    return m.group(1) if m else None


def mht_html(data: bytes) -> tuple[bytes, str | None]:
    """The HTML part of a MIME "single file web page" (.mht, Word's .doc saved as web page)."""
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload, part.get_content_charset()
    raise ExtractError("corrupt", "MIME web archive without an HTML part", "")


def read_html(data: bytes, name: str, content_type: str | None = None, container: str = "") -> Document:
    check_html_size(data, name)  # lexbor's tree of a 50 MB page takes over 1.5 GB
    header_charset = _charset_param(content_type)
    if container == "mht":
        data, header_charset = mht_html(data)
        check_html_size(data, name)
    text, charset = decode_html(data, header_charset)
    tree = LexborHTMLParser(text)
    meta = {"charset": charset}
    if container:
        meta["container"] = container
    title = tree.css_first("title")
    if title is not None:
        title_text = normalise(title.text())
        if title_text:
            meta["title"] = title_text
    for node in tree.css("meta[name][content]"):
        key = (node.attributes.get("name") or "").strip()
        value = normalise(node.attributes.get("content") or "")
        if key and value and len(value) <= 500:
            meta[f"meta.{key}"] = value
    flow = _Flow()
    root = tree.body if tree.body is not None else tree.root
    if root is not None:
        _walk(root, flow)
    flow.flush()
    return Document(name=name, format="html", blocks=flow.blocks, meta=meta)
