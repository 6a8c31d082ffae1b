"""Which links on a detail page are attachments, wherever the page puts them.

Anchors to files (`….pdf`, `….pdf20240128183610173.pdf`, `downfile.jsp?filename=x.pdf`),
download endpoints that name no type (`download?id=…`, when the source lists their pattern),
`<iframe src>`, `<embed src>`, `<object data>`, a pdf.js viewer's `viewer.html?file=…`, and
`onclick="window.open('…')"`.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from flows.sources.model import Source

_WS = re.compile(r"\s+")
_WINDOW_OPEN = re.compile(r"window\.open\(\s*['\"]([^'\"]+)['\"]")
_VIEWER = re.compile(r"/viewer\.html?$", re.IGNORECASE)
# query parameters that carry a file's name or path on download scripts
_FILE_PARAMS = ("file", "filename", "fileName", "showname", "name", "path", "filepath", "url")
_EMBEDS = "iframe[src], embed[src], object[data], [onclick]"


def url_extension(url: str) -> str:
    return PurePosixPath(unquote(urlsplit(url).path)).suffix.lower().lstrip(".")


def file_extension(url: str) -> str:
    """The type a URL names: its path's extension, else a file-naming query parameter's."""
    ext = url_extension(url)
    if ext and ext not in ("jsp", "aspx", "asp", "php", "do", "action"):
        return ext
    for key, value in parse_qsl(urlsplit(url).query):
        if key in _FILE_PARAMS or key.lower() in _FILE_PARAMS:
            found = PurePosixPath(unquote(value)).suffix.lower().lstrip(".")
            if found:
                return found
    return ext


def unwrap_viewer(url: str) -> str:
    """A pdf.js viewer link's file (viewer.html?file=/a/b.pdf → /a/b.pdf), else the URL itself."""
    parts = urlsplit(url)
    if _VIEWER.search(parts.path):
        for key, value in parse_qsl(parts.query):
            if key == "file" and value:
                return urljoin(url, value).split("#", 1)[0]
    return url


def _resolve(page_url: str, href: str | None) -> str | None:
    href = (href or "").strip()
    if not href or href.startswith(("javascript:", "mailto:", "#", "data:")):
        return None
    return unwrap_viewer(urljoin(page_url, href).split("#", 1)[0])


def _text(node: LexborNode) -> str:
    text = _WS.sub(" ", node.text() if node.tag == "a" else "").strip()
    return text or _WS.sub(" ", node.attributes.get("title") or "").strip()


def _targets(tree: LexborHTMLParser, page_url: str, selector: str) -> list[tuple[str, str]]:
    """(url, text) of every candidate in page order: anchors, embeds, window.open calls."""
    anchors = {a.mem_id for a in tree.css(selector)}
    out: list[tuple[str, str]] = []
    done: set[int] = set()
    for node in tree.css(f"{selector}, {_EMBEDS}"):
        if node.mem_id in done:
            continue
        done.add(node.mem_id)
        attrs = node.attributes
        raws = []
        if node.mem_id in anchors:
            raws.append(attrs.get("href"))
        if node.tag in ("iframe", "embed", "object"):
            raws.append(attrs.get("src") or attrs.get("data"))
        m = _WINDOW_OPEN.search(attrs.get("onclick") or "")
        if m:
            raws.append(m.group(1))
        for raw in raws:
            url = _resolve(page_url, raw)
            if url:
                out.append((url, _text(node)))
    return out


def find_attachments(html: str, page_url: str, source: Source) -> list[tuple[str, str]]:
    """(url, link text) of every attachment the source follows, in page order, once each."""
    tree = LexborHTMLParser(html)
    wanted = set(source.detail.attachment_extensions)
    downloads = [re.compile(p) for p in source.detail.download_patterns]
    out: dict[str, str] = {}
    for url, text in _targets(tree, page_url, source.detail.attachment_selector):
        if url == page_url or not source.host_allowed(url):
            continue
        if file_extension(url) not in wanted and not any(rx.search(url) for rx in downloads):
            continue
        if any(w in text for w in source.detail.attachment_exclude):
            continue
        if not out.get(url):
            out[url] = text
    return list(out.items())
