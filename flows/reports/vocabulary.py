"""The readers' word families, loaded once from vocabulary.toml (see that file for each family)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_FILE = Path(__file__).with_name("vocabulary.toml")


@dataclass(frozen=True, slots=True)
class Vocabulary:
    ocr_fixes: dict[str, str]
    ocr_page_fixes: dict[str, str]
    kind_overall: tuple[str, ...]
    kind_project: tuple[str, ...]
    report_words: tuple[str, ...]
    project_labels: tuple[str, ...]
    # field → its labels, longest first
    labels: dict[str, tuple[str, ...]]
    stop_labels: tuple[str, ...]
    published_labels: tuple[str, ...]
    publisher_labels: tuple[str, ...]
    title_labels: tuple[str, ...]
    # column role → header words; budget line → row-label words (both in match order)
    columns: tuple[tuple[str, tuple[str, ...]], ...]
    lines: tuple[tuple[str, tuple[str, ...]], ...]
    level_words: tuple[str, ...]
    ethnic_groups: tuple[str, ...]
    # prose figure → its phrases (and the words that void a reading: not_between)
    prose: dict[str, tuple[str, ...]]
    indicator_categories: tuple[str, ...]
    sections: dict[str, tuple[str, ...]]
    unit_endings: tuple[str, ...]
    score_labels: dict[str, tuple[str, ...]]

    def all_labels(self) -> tuple[str, ...]:
        """Every form label, longest first (so 项目主管部门 wins over 主管部门)."""
        words = {w for group in self.labels.values() for w in group} | set(self.stop_labels)
        return tuple(sorted(words, key=len, reverse=True))


def alternation(words: tuple[str, ...]) -> str:
    """Words as one regex alternation, longest first."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _longest_first(words: list[str]) -> tuple[str, ...]:
    return tuple(sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    data = tomllib.loads(_FILE.read_text(encoding="utf-8"))
    kind = data["kind"]
    return Vocabulary(
        ocr_fixes=dict(data["ocr_fixes"]),
        ocr_page_fixes=dict(data["ocr_page_fixes"]),
        kind_overall=tuple(kind["overall"]),
        kind_project=tuple(kind["project"]),
        report_words=tuple(kind["report"]),
        project_labels=tuple(kind["project_labels"]),
        labels={k: _longest_first(v) for k, v in data["labels"].items() if k != "stop"},
        stop_labels=_longest_first(data["labels"]["stop"]),
        published_labels=tuple(data["page_header"]["published"]),
        publisher_labels=tuple(data["page_header"]["publisher"]),
        title_labels=tuple(data["page_header"]["title"]),
        columns=tuple((role, tuple(words)) for role, words in data["columns"].items()),
        lines=tuple((line, tuple(words)) for line, words in data["lines"].items() if line != "level_words"),
        level_words=tuple(data["lines"]["level_words"]),
        ethnic_groups=tuple(data["places"]["ethnic_groups"]),
        prose={k: tuple(v) for k, v in data["prose"].items()},
        indicator_categories=tuple(data["indicators"]["categories"]),
        sections={k: tuple(v) for k, v in data["sections"].items()},
        unit_endings=tuple(data["units"]["endings"]),
        score_labels={k: _longest_first(v) for k, v in data["score"].items()},
    )
