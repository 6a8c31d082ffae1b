"""The site's charts: Vega-Lite specs (altair) drawn to SVG at build time by vl-convert.

An SVG inlined in the page needs no script and no network to show, and its text is drawn by
the browser with the page's CJK font. vl-convert escapes every string it writes into the SVG.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import altair as alt

# the browser draws the text; vl-convert measures it with the same font when it can find one
FONT = "WenQuanYi Micro Hei, Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
_FONT_DIRS = (Path("/usr/share/fonts/truetype/wqy"), Path("/usr/share/fonts/opentype/noto"))
_CONFIG = {"font": FONT, "view": {"stroke": None}, "axis": {"labelFontSize": 11, "titleFontSize": 12}}
_WIDTH = 560

_init_lock = threading.Lock()
_initialised = False


def _vlc():
    global _initialised
    import vl_convert as vlc

    with _init_lock:
        if not _initialised:
            for d in _FONT_DIRS:
                if d.is_dir():
                    vlc.register_font_directory(str(d))
            _initialised = True
    return vlc


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 2)
    return value


def _data(rows: Iterable[dict[str, Any]]) -> alt.Data:
    return alt.Data(values=[{k: _plain(v) for k, v in r.items()} for r in rows])


class SvgCache:
    """Charts drawn before, by their spec: a night that changed nothing draws none again.
    Entries no build asked for are removed by `prune` (the rest are this build's)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()
        self._lock = threading.Lock()

    def get_or_draw(self, spec: dict[str, Any]) -> str:
        import vl_convert

        text = json.dumps(spec, sort_keys=True, ensure_ascii=False, default=str)
        key = hashlib.sha256(f"{vl_convert.__version__}\0{text}".encode()).hexdigest()
        path = self.folder / f"{key}.svg"
        with self._lock:
            self.used.add(path.name)
        try:
            return path.read_text(encoding="utf-8")
        except OSError:
            pass
        svg = _vlc().vegalite_to_svg(spec)
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        tmp.write_text(svg, encoding="utf-8")
        os.replace(tmp, path)
        return svg

    def prune(self) -> None:
        if self.folder.is_dir():
            for f in self.folder.glob("*.svg"):
                if f.name not in self.used:
                    f.unlink(missing_ok=True)


_cache: ContextVar[SvgCache | None] = ContextVar("svg_cache", default=None)


@contextmanager
def svg_cache(folder: Path) -> Iterator[SvgCache]:
    """Charts drawn inside the block are kept in (and taken from) folder."""
    cache = SvgCache(folder)
    token = _cache.set(cache)
    try:
        yield cache
    finally:
        _cache.reset(token)


def to_svg(chart: alt.TopLevelMixin) -> str:
    # the specs are this module's, fixed and tested: altair's schema validation would be a third
    # of the time of every chart
    spec = chart.to_dict(validate=False)
    spec["config"] = {**_CONFIG, **spec.get("config", {})}
    cache = _cache.get()
    return cache.get_or_draw(spec) if cache else _vlc().vegalite_to_svg(spec)


def execution_heatmap(district_years: Sequence[dict[str, Any]]) -> str | None:
    """District × fiscal year, coloured by execution rate, the rate written in each cell."""
    rows = [
        {"district": r["district"] or "?", "year": str(r["fiscal_year"]), "rate": r["execution_rate"]}
        for r in district_years
        if r["execution_rate"] is not None
    ]
    if not rows:
        return None
    base = alt.Chart(_data(rows)).encode(
        x=alt.X("year:O", title="fiscal year", axis=alt.Axis(labelAngle=0)), y=alt.Y("district:N", title=None)
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "rate:Q", title="execution %", scale=alt.Scale(scheme="redyellowgreen", domain=[60, 100])
        )
    )
    labels = base.mark_text(fontSize=11).encode(text=alt.Text("rate:Q", format=".1f"))
    height = max(60, 26 * len({r["district"] for r in rows}))
    return to_svg(
        (cells + labels).properties(width=min(_WIDTH, 90 * len({r["year"] for r in rows})), height=height)
    )


STRIP_MAX_TICKS = 1500  # past this many departments, a box plot per district-year (5 marks, not n)


def department_rate_strip(department_years: Sequence[dict[str, Any]]) -> str | None:
    """Each department's execution rate as a tick on its district-year's row: the spread at a
    glance; a box plot per row when there are too many departments to draw one by one."""
    rows = [
        {
            "district_year": f"{r['district'] or '?'} {r['fiscal_year']}",
            "rate": r["rate"],
            "department": r["department"],
        }
        for r in department_years
        if r["rate"] is not None
    ]
    if not rows:
        return None
    many = len(rows) > STRIP_MAX_TICKS
    if many:
        rows = [{k: r[k] for k in ("district_year", "rate")} for r in rows]
    base = alt.Chart(_data(rows))
    marks = base.mark_boxplot(extent="min-max", size=14) if many else base.mark_tick(thickness=2, size=16)
    chart = marks.encode(
        x=alt.X("rate:Q", title="department execution rate %", scale=alt.Scale(zero=False, padding=8)),
        y=alt.Y("district_year:N", title=None),
    ).properties(width=_WIDTH - 120, height=max(40, 24 * len({r["district_year"] for r in rows})))
    return to_svg(chart)


def district_years_bars(district_years: Sequence[dict[str, Any]]) -> str | None:
    """One district's execution rate by fiscal year."""
    rows = [
        {"year": str(r["fiscal_year"]), "rate": r["execution_rate"]}
        for r in district_years
        if r["execution_rate"] is not None
    ]
    if not rows:
        return None
    base = alt.Chart(_data(rows)).encode(
        x=alt.X("year:O", title="fiscal year", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("rate:Q", title="execution rate %", scale=alt.Scale(domain=[0, 100])),
    )
    chart = base.mark_bar(color="#3b6ea5") + base.mark_text(dy=-6).encode(
        text=alt.Text("rate:Q", format=".1f")
    )
    return to_svg(chart.properties(width=min(_WIDTH, 80 * len(rows)), height=180))


def most_missed(indicators: Sequence[dict[str, Any]], top: int = 15) -> str | None:
    """The indicators most often reported as not met."""
    missed = Counter(r["name"] for r in indicators if r["met"] is False and r["name"])
    if not missed:
        return None
    rows = [{"indicator": n, "missed": c} for n, c in missed.most_common(top)]
    chart = (
        alt.Chart(_data(rows))
        .mark_bar(color="#b5523b")
        .encode(
            x=alt.X("missed:Q", title="reports that missed it", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("indicator:N", sort="-x", title=None),
        )
        .properties(width=_WIDTH - 200, height=24 * len(rows))
    )
    return to_svg(chart)


def findings_over_time(findings: Sequence[dict[str, Any]]) -> str | None:
    """Findings by the day they were first seen, stacked by check."""
    rows = [
        {"day": r["detected_at"].date().isoformat(), "check": r["check"], "severity": r["severity"]}
        for r in findings
        if r["detected_at"] is not None
    ]
    if not rows:
        return None
    chart = (
        alt.Chart(_data(rows))
        .mark_bar()
        .encode(
            x=alt.X("day:O", title="first seen (UTC)"),
            y=alt.Y("count():Q", title="findings", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("check:N", title="check"),
        )
        .properties(width=min(_WIDTH - 200, 60 * len({r["day"] for r in rows}) + 60), height=180)
    )
    return to_svg(chart)


def findings_by_source(findings: Sequence[dict[str, Any]]) -> str | None:
    """Check × source: how many findings each source's reports have under each check."""
    rows = [{"source": r["source"] or "?", "check": r["check"], "severity": r["severity"]} for r in findings]
    if not rows:
        return None
    base = alt.Chart(_data(rows)).encode(
        x=alt.X("source:N", title="source", axis=alt.Axis(labelAngle=0)), y=alt.Y("check:N", title=None)
    )
    cells = base.mark_rect().encode(
        color=alt.Color("count():Q", title="findings", scale=alt.Scale(scheme="oranges"))
    )
    labels = base.mark_text().encode(text="count():Q")
    return to_svg(
        (cells + labels).properties(
            width=110 * len({r["source"] for r in rows}), height=26 * len({r["check"] for r in rows})
        )
    )
