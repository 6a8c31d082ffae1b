"""Per-document memos for pure text functions.

Every field reader (budget, indicators, project, layout) re-reads the same table cells and
paragraphs: cleaning a cell or naming a header row's columns is remembered, so each distinct
text is worked on once per document. parse_reports forgets at the start of each document, which
keeps the memory to one document's texts and a benchmark's repeated runs honest.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

# a bound all the same: a text function called outside parse_reports never forgets
_MAX_TEXTS = 8192
_MEMOS: list[Any] = []


def per_document(fn: F) -> F:
    memo = lru_cache(maxsize=_MAX_TEXTS)(fn)
    _MEMOS.append(memo)
    return memo  # type: ignore[return-value]


def forget() -> None:
    """A new document: what was remembered about the last one goes."""
    for memo in _MEMOS:
        memo.cache_clear()
