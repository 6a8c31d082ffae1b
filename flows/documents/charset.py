"""Decode HTML bytes: declared charset first, then detection.

Government sites serve GBK pages with no charset header; httpx would read them as UTF-8.
"""

from __future__ import annotations

import re

from charset_normalizer import from_bytes

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
# GBK and GB2312 are subsets of GB18030; decoding with the superset never loses characters.
_ALIASES = {"gbk": "gb18030", "gb2312": "gb18030", "x-gbk": "gb18030", "utf8": "utf-8"}


def _norm(name: str) -> str:
    name = name.strip().lower()
    return _ALIASES.get(name, name)


def detect_html_charset(body: bytes, header_charset: str | None = None) -> str:
    """The charset to decode `body` with: HTTP header, then <meta>, then BOM/UTF-8 validity, then detection."""
    if header_charset:
        return _norm(header_charset)
    m = _META.search(body[:4096])
    if m:
        return _norm(m.group(1).decode("ascii", "ignore"))
    if body.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(body[:65536]).best()
    return _norm(best.encoding) if best and best.encoding else "gb18030"


def decode_html(body: bytes, header_charset: str | None = None) -> tuple[str, str]:
    """(text, charset used). Undecodable bytes become U+FFFD rather than failing the document."""
    charset = detect_html_charset(body, header_charset)
    try:
        return body.decode(charset, errors="replace"), charset
    except LookupError:
        return body.decode("gb18030", errors="replace"), "gb18030"
