"""A local site of N distinct report documents in mixed formats, spread over S sources.

    .venv/bin/python benchmarks/scale_site.py --documents 1000 --sources 2 --out /tmp/site

Each document is a 部门整体 report of its own unit (a real district of the gazetteer and a
department, so every report has its own key), written by the corpus writers
(tests/corpus): HTML inline on its detail page, PDF, DOCX or XLSX attached to it. Styles and
figures rotate over a few variants. DOCX and XLSX are written once per variant with
placeholder names and then filled in per document (python-docx takes ~1 s a file); PDFs are
written per document. Each source is a static column (index.html, index_1.html, …, 20 items a
page) with a source file in <out>/sources. The site is kept: building it again with the same
arguments reuses it.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from html import escape
from pathlib import Path

from flows.reports.places import divisions
from tests.corpus import pools
from tests.corpus.content import Unit
from tests.corpus.make_corpus import Dept, budget, dept_report
from tests.corpus.writers import Sheet, write_docx, write_html, write_pdf, write_xlsx

FORMATS = ("html", "pdf", "docx", "xlsx")
DEPARTMENTS = (
    "教育局", "民政局", "司法局", "财政局", "卫生健康委员会", "文化和旅游局", "农业农村局", "水务局",
    "城市管理局", "市场监督管理局", "应急管理局", "退役军人事务局", "人力资源和社会保障局", "住房和城乡建设局",
    "交通运输局", "生态环境局", "统计局", "审计局", "科学技术局", "商务局", "医疗保障局", "体育局",
    "档案馆", "机关事务管理局", "信访局", "林业局", "自然资源局", "发展和改革委员会",
)  # fmt: skip
STYLES = (
    dict(budget_style="table:adjusted", indicators="table:standard", score_style="composite"),
    dict(budget_style="prose:seed", indicators="table:standard", score_style="total"),
    dict(budget_style="table:annual", indicators="table:standard", score_style="colon"),
)
PLACEHOLDER = {"unit": "@@UNIT@@", "dept": "@@DEPT@@", "district": "@@DIST@@"}
PER_PAGE = 20


@dataclass(frozen=True, slots=True)
class Spec:
    i: int
    fmt: str
    unit: Unit
    year: int
    variant: int


def specs(n: int, seed: int = 7) -> list[Spec]:
    districts = [d for d in divisions() if d.level == 3 and d.city]
    rng = random.Random(seed)
    rng.shuffle(districts)
    out = []
    for i in range(n):
        d = districts[i // len(DEPARTMENTS) % len(districts)]
        dept = DEPARTMENTS[i % len(DEPARTMENTS)]
        year = 2021 + (i // (len(DEPARTMENTS) * len(districts))) % 4
        unit = Unit(f"{d.city}{d.name}{dept}", d.province, d.city or "", d.name, None, dept)
        # formats rotate so that every source gets each of them whatever the number of sources
        out.append(Spec(i, FORMATS[(i + i // len(FORMATS)) % len(FORMATS)], unit, year, i % len(STYLES)))
    return out


def _dept(unit: Unit, year: int, variant: int) -> Dept:
    k = variant + 1
    figures = budget((1200.0 + 37 * k, 1180.5 + 41 * k, 1170.25 + 39 * k), (3100.0 + 11 * k, 3300.5, 3211.75))
    return Dept(unit, year, figures, pool=pools.STREET, staff=(50 + k, 48 + k), **STYLES[variant])


def _render(spec: Spec) -> bytes:
    blocks, _ = dept_report(_dept(spec.unit, spec.year, spec.variant))
    title = f"{spec.unit.full}{spec.year}年度部门整体支出绩效自评报告"
    if spec.fmt == "html":
        return write_html(blocks, title=title)
    return write_pdf(blocks, running_header=title)


def _template(fmt: str, year: int, variant: int) -> bytes:
    unit = Unit(PLACEHOLDER["unit"], "", "", PLACEHOLDER["district"], None, PLACEHOLDER["dept"])
    blocks, _ = dept_report(_dept(unit, year, variant))
    if fmt == "docx":
        return write_docx(blocks, title="自评报告")
    return write_xlsx([Sheet("自评报告", blocks)])


def _fill(template: bytes, unit: Unit) -> bytes:
    """The template with this unit's names in its XML parts (a zip written anew)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(template)) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename.endswith(".xml"):
                text = data.decode("utf-8")
                for field, token in PLACEHOLDER.items():
                    value = {"unit": unit.full, "dept": unit.department, "district": unit.district}[field]
                    text = text.replace(token, escape(value, quote=False))
                data = text.encode("utf-8")
            zout.writestr(item, data)
    return out.getvalue()


def _detail(spec: Spec, href: str | None, body: bytes | None) -> bytes:
    title = f"{spec.unit.full}{spec.year}年度部门整体支出绩效自评报告"
    if body is not None:
        return body  # an inline report is its own detail page
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}</title></head><body>'
        f"<h1>{escape(title)}</h1><p>发布日期：{spec.year + 1}-05-20</p>"
        f'<p>附件：<a href="{href}">{escape(title)}.{spec.fmt}</a></p></body></html>'
    ).encode()


def _list_page(source: int, page: int, pages: int, items: list[Spec]) -> bytes:
    links = "".join(
        f'<li><a href="content/{s.i:07d}.html">{escape(s.unit.full)}{s.year}年度部门整体支出绩效自评报告</a></li>'
        for s in items
    )
    nxt = f'<a href="index_{page + 1}.html">下一页</a>' if page + 1 < pages else ""
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>预算绩效 {source}</title></head>'
        f"<body><ul>{links}</ul>{nxt}</body></html>"
    ).encode()


SOURCE_TOML = """name = "scale_{k:04d}"
title = "scale bench source {k}"
verified = true
enabled = true
base_url = "{base}"
list_pages = ["/s{k:04d}/index.html"]
allowed_hosts = []
allow_private_addresses = true

[region]
province = "{province}"
city = "{city}"
district = "{district}"

[pagination]
pattern = "index_{{n}}.html"
start = 1
max_pages = 100000

[links]
item_selector = "li a[href]"
include = ["自评报告"]

[detail]
mode = "auto"
attachment_extensions = ["pdf", "docx", "xlsx"]

[politeness]
requests_per_second = {rps}
concurrency = 4
timeout_seconds = 30.0
max_seconds_per_source = 36000
"""


def _write_pdf_or_html(args: tuple[Spec, str]) -> None:
    spec, path = args
    Path(path).write_bytes(_render(spec))


def build(out: Path, documents: int, sources: int, *, base_url: str, rps: float = 500.0) -> Path:
    """The site under out/site, the source files under out/sources; returns out/sources."""
    site, src_dir = out / "site", out / "sources"
    stamp = out / "built.json"
    want = {"documents": documents, "sources": sources}
    if not (stamp.is_file() and json.loads(stamp.read_text()) == want):
        _build_site(site, documents, sources)
        stamp.write_text(json.dumps(want))
    src_dir.mkdir(parents=True, exist_ok=True)
    for old in src_dir.glob("*.toml"):
        old.unlink()
    first = specs(min(documents, sources))  # a source's region: that of its first document
    for k in range(sources):
        u = first[k % len(first)].unit
        text = SOURCE_TOML.format(
            k=k, base=base_url, rps=rps, province=u.province, city=u.city, district=u.district
        )
        (src_dir / f"scale_{k:04d}.toml").write_text(text)
    return src_dir


def _build_site(site: Path, documents: int, sources: int) -> None:
    all_specs = specs(documents)
    by_source = [all_specs[k::sources] for k in range(sources)]
    templates: dict[tuple[str, int, int], bytes] = {}
    rendered: list[tuple[Spec, str]] = []
    for k, mine in enumerate(by_source):
        col = site / f"s{k:04d}"
        (col / "content").mkdir(parents=True, exist_ok=True)
        (col / "files").mkdir(exist_ok=True)
        pages = max(1, -(-len(mine) // PER_PAGE))
        for p in range(pages):
            name = "index.html" if p == 0 else f"index_{p}.html"
            (col / name).write_bytes(_list_page(k, p, pages, mine[p * PER_PAGE : (p + 1) * PER_PAGE]))
        for s in mine:
            detail = col / "content" / f"{s.i:07d}.html"
            if s.fmt == "html":
                rendered.append((s, str(detail)))
                continue
            href = f"../files/{s.i:07d}.{s.fmt}"
            detail.write_bytes(_detail(s, href, None))
            target = col / "files" / f"{s.i:07d}.{s.fmt}"
            if s.fmt == "pdf":
                rendered.append((s, str(target)))
            else:
                key = (s.fmt, s.year, s.variant)
                if key not in templates:
                    templates[key] = _template(*key)
                target.write_bytes(_fill(templates[key], s.unit))
    with ProcessPoolExecutor() as pool:
        list(pool.map(_write_pdf_or_html, rendered, chunksize=16))
    (site / "robots.txt").write_text("User-agent: *\nAllow: /\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--documents", type=int, default=1000)
    ap.add_argument("--sources", type=int, default=2)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--base-url", default="http://127.0.0.1:8799")
    a = ap.parse_args()
    print(build(a.out, a.documents, a.sources, base_url=a.base_url))


if __name__ == "__main__":
    main()
