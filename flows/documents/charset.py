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


def _detected(body: bytes) -> str:
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(body[:65536]).best()
    return _norm(best.encoding) if best and best.encoding else "gb18030"


def _looks_misdeclared(text: str) -> bool:
    # a GBK page read as UTF-8 turns nearly every Chinese character into U+FFFD; a UTF-8 page
    # with a stray bad byte has one or two
    bad = text.count("\ufffd")
    return bad > 8 and bad * 20 > sum(1 for ch in text if ord(ch) > 127)


def decode_html(body: bytes, header_charset: str | None = None) -> tuple[str, str]:
    """(text, charset used). Undecodable bytes become U+FFFD rather than failing the document.

    A declared charset (header or <meta>) that the bytes contradict — a GBK page declaring
    UTF-8 — is overruled by detection.
    """
    charset = detect_html_charset(body, header_charset)
    try:
        text = body.decode(charset, errors="replace")
    except LookupError:
        charset, text = "gb18030", body.decode("gb18030", errors="replace")
    if _looks_misdeclared(text):
        guess = _detected(body)
        if guess != charset:
            try:
                other = body.decode(guess, errors="replace")
            except LookupError:
                other = body.decode("gb18030", errors="replace")
                guess = "gb18030"
            if other.count("\ufffd") < text.count("\ufffd"):
                return other, guess
    return text, charset
