"""The layout of one document, computed once and read by every field extractor.

- `paras`: cleaned paragraphs in order (tables left out, a table of contents dropped);
- `text`: the paragraphs joined by newlines (prose readers);
- `rows`: every table row, cleaned;
- `stream`: every paragraph and every table cell in document order, cells kept apart by " | " —
  the form as one run of text, the way re-hosted, copied and converted forms arrive anyway
  (cells one per line, rows run together, labels and values interleaved);
- `fields`: label/value pairs found in the stream ("项目名称 X 主管部门 Y", "单位名称：Z"), by the
  field their label names (vocabulary.toml [labels]).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from flows.documents.model import Document, Table
from flows.reports.numbers import normalise_digits
from flows.reports.text import clean, paragraphs
from flows.reports.vocabulary import vocabulary

# cut a value here: check boxes, a sentence end, a new numbered item
_VALUE_END = re.compile(r"[□√☑■。；;]|\s\d+[、.．]\s*\D|\s(?:[一二三四五六七八九十]+、)")
_MASKED = re.compile(r"\*\*|_|[0-9]{2}xx|XX|ＸＸ")
_CODE_PREFIX = re.compile(r"^\s*(?:\[\d+\]|【\d+】|\d{3,}\s*-\s*)")


@dataclass(frozen=True, slots=True)
class FieldValue:
    label: str
    value: str
    evidence: str


@dataclass
class Layout:
    doc: Document
    paras: list[str]
    rows: list[list[str]]
    stream: str
    fields: dict[str, list[FieldValue]] = field(default_factory=dict)

    def has_label(self, name: str) -> bool:
        """Whether the form carries a label of this field at all, readable value or not."""
        words = "|".join(re.escape(w) for w in vocabulary().labels.get(name, ()))
        # standing as a cell (a separator or the end follows), not inside a sentence
        return bool(words) and re.search(rf"(?:{words})\s*(?:[:：|\s]|$)", self.stream) is not None

    @cached_property
    def text(self) -> str:
        return "\n".join(self.paras)

    def first(self, name: str) -> FieldValue | None:
        values = self.fields.get(name) or []
        return values[0] if values else None


_SPACES = re.compile(r"\s+")


def _spaced(text: str) -> str:
    """Digits half-width and whitespace folded, but spaces kept: in a flattened form a space is
    often the only trace of a cell boundary ("委托业务项目 主管部门")."""
    return _SPACES.sub(" ", normalise_digits(text)).strip()


def build_layout(doc: Document) -> Layout:
    paras = paragraphs(doc)
    rows = [[clean(c) for c in row] for table in doc.tables for row in table.rows]
    parts: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Table):
            for row in block.rows:
                parts.append(" | ".join(c for c in map(_spaced, row) if c))
        else:
            text = _spaced(block.text)
            if text:
                parts.append(text)
    stream = " | ".join(p for p in parts if p)
    return Layout(doc, paras, rows, stream, label_values(stream))


@lru_cache(maxsize=1)
def _label_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    # a label may be broken by a space where a cell wrapped ("年初预算 数")
    return tuple((w, re.compile(r"\s?".join(re.escape(ch) for ch in w))) for w in vocabulary().all_labels())


_BOUNDARY = re.compile(r"[\s|:：,，。；;、\d()（）\]】]")


def _label_matches(stream: str) -> list[tuple[int, int, str]]:
    """Non-overlapping label occurrences. Where two overlap ("委托业务项目 主管部门" holds both
    项目主管部门 and 主管部门), the one that starts a cell or phrase wins, then the one written
    without an inner space, then the longer."""
    found = [
        (m.start(), m.end(), word) for word, pattern in _label_patterns() for m in pattern.finditer(stream)
    ]

    def rank(hit: tuple[int, int, str]) -> tuple[bool, bool, int]:
        start, end, _ = hit
        at_boundary = start == 0 or bool(_BOUNDARY.match(stream[start - 1]))
        return (at_boundary, " " not in stream[start:end], end - start)

    found.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    chosen: list[tuple[int, int, str]] = []
    for hit in found:
        if chosen and hit[0] < chosen[-1][1]:
            if rank(hit) > rank(chosen[-1]):
                chosen[-1] = hit
            continue
        chosen.append(hit)
    return chosen


@lru_cache(maxsize=1)
def _field_of_label() -> dict[str, str]:
    out: dict[str, str] = {}
    for name, words in vocabulary().labels.items():
        for w in words:
            out.setdefault(w, name)
    return out


def label_values(stream: str) -> dict[str, list[FieldValue]]:
    """Every labelled value: the text from a label to the next label or cell boundary."""
    fields: dict[str, list[FieldValue]] = {}
    matches = _label_matches(stream)
    owner = _field_of_label()
    for i, (start, stop, word) in enumerate(matches):
        name = owner.get(word)
        if name is None:
            continue
        end = matches[i + 1][0] if i + 1 < len(matches) else min(len(stream), stop + 80)
        raw = stream[stop:end]
        # "实施单位/项目负责人 原州区农技中心/[略]": a combined header shares its value cell
        if raw.strip() == "/" and i + 1 < len(matches):
            nxt_end = matches[i + 2][0] if i + 2 < len(matches) else len(stream)
            raw = stream[matches[i + 1][1] : nxt_end].split("/")[0]
        value = _value_text(raw)
        if value:
            evidence = stream[start : min(end, stop + 80)].strip(" |")
            fields.setdefault(name, []).append(FieldValue(word, value, evidence))
    return fields


def _value_text(raw: str) -> str | None:
    text = raw.strip().lstrip(":：").strip()
    # the value is the first non-empty cell after the label
    cells = [c.strip() for c in text.split("|")]
    text = next((c for c in cells if c), "")
    text = text.lstrip(":：").strip()
    cut = _VALUE_END.search(text)
    if cut:
        text = text[: cut.start()].strip()
    # a flattened form runs the next cells on after a space: the value ends at the first space
    # that follows a word ("人才考试工作经费 小 计 20"), not one inside a year ("2020 年…")
    words = text.split(" ")
    kept = words[0]
    for w in words[1:]:
        if len(re.findall(r"[\u4e00-\u9fff]", kept)) >= 2:
            break
        kept += " " + w
    text = clean(kept)
    if not text or len(text) > 60 or _MASKED.search(text) or text in ("/", "-", "—", "无"):
        return None
    return text


def unit_name(value: str | None) -> str | None:
    """A unit's name from a labelled value: budget codes dropped ('219001-…', '[155]…'), the
    name cut where it ends (its last 局/中心/办公室… before other words)."""
    from flows.reports.identity import ORG_SUFFIX  # one list of unit endings

    if not value:
        return None
    text = _CODE_PREFIX.sub("", value).strip()
    text = re.split(r"\s", text)[0] if re.match(rf"^\S+?(?:{ORG_SUFFIX})\s", text) else text
    m = re.match(rf"^([\u4e00-\u9fff（）()]{{2,40}}?(?:{ORG_SUFFIX})(?:(?:{ORG_SUFFIX}))*)", text)
    return m.group(1) if m else None


def supervisor_name(value: str | None) -> str | None:
    """A 主管部门 as written, budget code dropped ('[155]濉溪县民政局' → '濉溪县民政局')."""
    if not value:
        return None
    return unit_name(value) or (_CODE_PREFIX.sub("", value).strip() or None)
