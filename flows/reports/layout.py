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

    @cached_property
    def text(self) -> str:
        return "\n".join(self.paras)

    def first(self, name: str) -> FieldValue | None:
        values = self.fields.get(name) or []
        return values[0] if values else None


def build_layout(doc: Document) -> Layout:
    paras = paragraphs(doc)
    rows = [[clean(c) for c in row] for table in doc.tables for row in table.rows]
    parts: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Table):
            for row in block.rows:
                parts.append(" | ".join(clean(c) for c in row if clean(c)))
        else:
            text = clean(block.text)
            if text:
                parts.append(text)
    stream = " | ".join(p for p in parts if p)
    return Layout(doc, paras, rows, stream, label_values(stream))


@lru_cache(maxsize=1)
def _label_pattern() -> re.Pattern[str]:
    words = vocabulary().all_labels()
    # a label is a label only where a cell or a phrase starts: not inside a longer word
    return re.compile("|".join(re.escape(w) for w in words))


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
    matches = list(_label_pattern().finditer(stream))
    owner = _field_of_label()
    for i, m in enumerate(matches):
        name = owner.get(m.group(0))
        if name is None:
            continue
        end = matches[i + 1].start() if i + 1 < len(matches) else min(len(stream), m.end() + 80)
        raw = stream[m.end() : end]
        # "实施单位/项目负责人 原州区农技中心/[略]": a combined header shares its value cell
        if raw.strip() == "/" and i + 1 < len(matches):
            nxt_end = matches[i + 2].start() if i + 2 < len(matches) else len(stream)
            raw = stream[matches[i + 1].end() : nxt_end].split("/")[0]
        value = _value_text(raw)
        if value:
            evidence = stream[m.start() : min(end, m.end() + 80)].strip(" |")
            fields.setdefault(name, []).append(FieldValue(m.group(0), value, evidence))
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
    if m:
        return m.group(1)
    if re.fullmatch(r"[\u4e00-\u9fff（）()]{2,30}", text):
        return text
    return None
