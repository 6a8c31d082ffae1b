"""Build the demo mirror: two government site families rendered from the seed reports.

    python -m tests.mirror.build [--seeds DIR] [--out DIR]

Writes the site under flows/mirror/site/ (committed) and its manifest.json, which lists
every document the mirror serves (URL path, seed, format, report or distractor) and,
per file, what the server needs: charset, Last-Modified. Same seeds, same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

# SITE_DIR: the site is written where the demo serves it from, inside the package (it travels in the wheel)
from flows.mirror.server import SITE_DIR
from tests.mirror.families import build_families
from tests.mirror.pages import ListItem, list_page, page_name
from tests.mirror.render import (
    HtmlPage,
    SheetSpec,
    render_docx,
    render_html,
    render_pdf,
    render_xlsx,
)
from tests.mirror.scan import scanned_pdf
from tests.mirror.seed import SeedDoc, SeedTable, level_columns, parse_seed
from tests.mirror.sitefiles import Encoding, Site, SiteFile, http_date

# The seeds live beside the repository (/work/shared/seeds next to /work/main); GOVPERF_SEEDS_DIR
# names another folder (or a missing one, to see which tests need them)
DEFAULT_SEEDS = Path(
    os.environ.get("GOVPERF_SEEDS_DIR") or Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
)

MINHANG = "/zwgk.shmh.gov.cn"
MINHANG_COLUMN = f"{MINHANG}/mh-xxgk-cms/website/mh_xxgk/czzj_ysjxgl"
MINHANG_UPLOAD = f"{MINHANG}/mh-xxgk-cms/upload"
DONGHU = "/dhq.nc.gov.cn"
DONGHU_ROOT = f"{DONGHU}/dhqrmzf"
MINHANG_PAGE_SIZE = 3
DONGHU_PAGE_SIZE = 2

REPORT_TYPE = "部门整体支出绩效自评报告"
_UUID_NS = uuid.uuid5(uuid.NAMESPACE_URL, "govperf/mirror")

Role = Literal["report", "distractor"]


# ── What the mirror publishes ──────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class SeedReport:
    """A seed report and how its site published it; unit and year are checked against the seed."""

    seed_id: str
    unit: str  # as the report writes it
    fiscal_year: int
    published: str  # YYYY-MM-DD HH:MM, local time
    publisher: str
    formats: tuple[str, ...] = ("pdf",)
    colon: str = ":"
    district: str = ""

    @property
    def title(self) -> str:
        return f"{self.unit}{self.fiscal_year}年度{REPORT_TYPE}"


MINHANG_REPORTS = (
    SeedReport("000_397b2cfd6bebb201", "上海市闵行区浦锦街道社区事务受理服务中心", 2023,
               "2024-06-28 09:30", "浦锦街道", ("pdf",), ":", "闵行区"),
    # its PDF is a scan (printed, signed, stamped, scanned): no text layer, read by OCR
    SeedReport("001_99079b6c4dc218b5", "上海市闵行区浦锦街道社区党群服务中心", 2023,
               "2024-06-27 15:10", "浦锦街道", ("scan", "docx"), "：", "闵行区"),
    SeedReport("002_3bbc2b41b728a9a3", "上海市闵行区浦锦街道城市运行管理中心", 2023,
               "2024-06-26 11:05", "浦锦街道", ("pdf",), ":", "闵行区"),
    SeedReport("004_e0794d83f7dd1d9f", "上海市闵行区地区工作办公室（汇总）", 2021,
               "2022-09-30 16:20", "闵行区地区工作办公室", ("pdf", "xlsx"), "：", "闵行区"),
)  # fmt: skip

# Posted by 墩子塘街道 for 公园街道: the publisher is not the unit, as happens on the real site.
DONGHU_REPORT = SeedReport(
    "003_adbddcb1adb3e59f", "东湖区公园街道办事处", 2022, "2023-05-30 10:36", "东湖区墩子塘街道",
    ("html",), ":", "东湖区",
)  # fmt: skip
DONGHU_REPORT_COLUMN = "bmczyjs07"

# Made-up pages a title filter must skip: a final account, a budget, news.
JUESUAN_TEXT = """上海市闵行区浦锦街道2023年度部门决算

目录

第一部分 部门概况	1
第二部分 2023年度部门决算表	1
第三部分 2023年度部门决算情况说明	2

第一部分 部门概况

一、主要职能

浦锦街道办事处是闵行区人民政府的派出机关，负责辖区内的公共服务、公共管理和公共安全工作，统筹协调社区发展和社会治理。

二、机构设置

浦锦街道纳入2023年度部门决算编制范围的单位包括街道本级及所属事业单位。

第二部分 2023年度部门决算表

项目	决算数（万元）
一、一般公共预算财政拨款收入	21356.42
二、其他收入	312.08
本年收入合计	21668.50
一、一般公共服务支出	6120.77
二、公共安全支出	1893.40
三、社会保障和就业支出	8011.26
四、城乡社区支出	5402.95
本年支出合计	21428.38

第三部分 2023年度部门决算情况说明

一、收入支出决算总体情况说明

2023年度收入总计21668.50万元，支出总计21428.38万元，年末结转和结余240.12万元。收入支出较上年度有所增加，主要是社区服务和社会保障支出增加。

二、一般公共预算财政拨款支出决算情况说明

2023年度一般公共预算财政拨款支出21116.30万元，主要用于保障机构正常运转和社区公共服务。
"""

MINHANG_NEWS = (
    "浦锦街道召开2024年预算绩效管理工作会议",
    "2024-05-20 14:00",
    (
        "5月20日，浦锦街道召开2024年预算绩效管理工作会议，街道各部门及所属事业单位财务负责人参加会议。",
        "会议通报了上一年度预算执行情况，部署了本年度绩效目标编制和绩效运行监控工作，要求各单位压实主体责任，"
        "按时完成绩效自评和信息公开。",
    ),
)
MINHANG_BUDGET = (
    "上海市闵行区浦锦街道2024年度部门预算",
    "2024-02-05 10:00",
    (
        "根据《中华人民共和国预算法》和区财政局关于预算公开的要求，现将浦锦街道2024年度部门预算予以公开。",
        "2024年度浦锦街道部门收入预算21890.00万元，支出预算21890.00万元，收支平衡。",
    ),
)
DONGHU_NEWS_GBK = (
    "墩子塘街道开展文明城市创建志愿服务活动",
    "2023-06-12 09:15",
    (
        "6月10日，墩子塘街道组织辖区党员志愿者开展文明城市创建志愿服务活动，清理楼道杂物，劝导不文明行为。",
        "活动共出动志愿者120余人次，清理卫生死角30余处，居民群众纷纷点赞。",
    ),
)
DONGHU_JUESUAN = (
    "东湖区墩子塘街道2022年度部门决算公开",
    "2023-04-18 16:40",
    (
        "根据区财政局关于部门决算公开的统一部署，现将东湖区墩子塘街道2022年度部门决算予以公开。",
        "2022年度收入总计3568.21万元，支出总计3541.87万元。",
    ),
)
DONGHU_03_ITEMS = (
    (
        "豫章街道召开2023年度预算绩效管理工作推进会",
        "2023-03-10 11:00",
        ("3月9日，豫章街道召开预算绩效管理工作推进会，部署年度绩效目标编制工作。",),
    ),
    (
        "东湖区豫章街道2023年度部门预算公开",
        "2023-02-20 09:00",
        ("现将东湖区豫章街道2023年度部门预算予以公开。2023年度收支预算总额4120.50万元。",),
    ),
)

ROBOTS = "User-agent: *\nDisallow: /zwgk.shmh.gov.cn/private/\n"


# ── The site as files ─────────────────────────────────────────────────────────────────


def _uuid(key: str) -> uuid.UUID:
    return uuid.uuid5(_UUID_NS, key)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def check_seed(report: SeedReport, text: str) -> None:
    """The metadata must come from the seed: its unit and year are in the text."""
    flat = _squash(text)
    if _squash(report.unit) not in flat:
        raise ValueError(f"{report.seed_id}: unit {report.unit!r} is not in the seed text")
    if str(report.fiscal_year) not in flat:
        raise ValueError(f"{report.seed_id}: year {report.fiscal_year} is not in the seed text")


_META_LABEL = re.compile(r"[:：]$")


def split_meta_header(text: str) -> tuple[tuple[tuple[str, ...], ...], str]:
    """A Donghu export starts with its 索引号 table flattened to ' | ' lines: (rows, the rest).

    Each row is label/value pairs; an empty value was dropped by the export, so a label
    followed by a label gets its empty value back.
    """
    lines = text.split("\n")
    rows: list[tuple[str, ...]] = []
    n = 0
    for line in lines:
        if " | " not in line and not line.rstrip().endswith("|"):
            break
        tokens = [t.strip() for t in line.split("|")]
        while tokens and not tokens[-1]:
            tokens.pop()
        cells: list[str] = []
        for i, tok in enumerate(tokens):
            cells.append(tok)
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if _META_LABEL.search(tok) and (nxt is None or _META_LABEL.search(nxt)):
                cells.append("")
        rows.append(tuple(cells))
        n += 1
    return tuple(rows), "\n".join(lines[n:])


def _indicator_table(doc: SeedDoc) -> SeedTable | None:
    for t in doc.tables:
        if t.kind == "grid" and level_columns(t.rows[0]):
            return t
    return None


def _budget_table(doc: SeedDoc) -> SeedTable | None:
    for t in doc.tables:
        if t.kind == "grid" and not level_columns(t.rows[0]):
            return t
    return None


def _xlsx_for(report: SeedReport, doc: SeedDoc) -> bytes:
    sheets: list[SheetSpec] = []
    indicators = _indicator_table(doc)
    if indicators is None:
        raise ValueError(f"{report.seed_id}: no indicator table for the xlsx")
    sheets.append(
        SheetSpec("绩效指标", f"{report.unit}{report.fiscal_year}年度部门整体支出绩效自评表", indicators)
    )
    budget = _budget_table(doc)
    if budget is not None:
        unit_note = "单位：元" if "元" in "".join(budget.rows[1] + budget.rows[0]) else ""
        sheets.append(
            SheetSpec("预算执行", f"{report.unit}{report.fiscal_year}年度预算执行情况", budget, unit_note)
        )
    return render_xlsx(sheets)


Renderer = Callable[[SeedReport, SeedDoc], bytes]
_ATTACHMENT_RENDERERS: dict[str, Renderer] = {
    "pdf": lambda r, d: render_pdf(d, running_header=r.title, title=r.title, author=r.publisher),
    "docx": lambda r, d: render_docx(d, title=r.title, author=r.publisher),
    "xlsx": _xlsx_for,
    "scan": lambda r, d: scanned_pdf(
        render_pdf(d, running_header=r.title, title=r.title, author=r.publisher), dpi=150, seed=1
    ),
}


@dataclass(frozen=True, slots=True)
class _Entry:
    """One item of a Minhang list: its detail page and its attachments."""

    title: str
    published: str
    publisher: str
    colon: str
    attachments: tuple[tuple[str, bytes, dict[str, object]], ...]  # (format, body, manifest facts)
    body: tuple[str, ...] = ()  # inline paragraphs of a news item


def _minhang_entries(seeds: Path) -> list[_Entry]:
    entries: list[_Entry] = []
    for report in MINHANG_REPORTS:
        text = (seeds / f"{report.seed_id}.txt").read_text(encoding="utf-8")
        check_seed(report, text)
        doc = parse_seed(text)
        atts = []
        for fmt in report.formats:
            facts: dict[str, object] = {
                "role": "report",
                "seed": report.seed_id,
                "unit": report.unit,
                "fiscal_year": report.fiscal_year,
                "district": report.district,
                "content": "tables" if fmt == "xlsx" else "full",
            }
            if fmt == "scan":
                facts["scanned"] = True
            atts.append(("pdf" if fmt == "scan" else fmt, _ATTACHMENT_RENDERERS[fmt](report, doc), facts))
        entries.append(_Entry(report.title, report.published, report.publisher, report.colon, tuple(atts)))
    juesuan_title = "上海市闵行区浦锦街道2023年度部门决算"
    juesuan = render_pdf(parse_seed(JUESUAN_TEXT), running_header=juesuan_title, title=juesuan_title)
    entries.append(
        _Entry(juesuan_title, "2024-07-10 10:00", "浦锦街道", ":",
               (("pdf", juesuan, {"role": "distractor", "seed": None, "content": "full"}),))
    )  # fmt: skip
    for title, published, body in (MINHANG_NEWS, MINHANG_BUDGET):
        entries.append(_Entry(title, published, "浦锦街道", "：", (), body))
    # newest first, as the site lists them
    return sorted(entries, key=lambda e: e.published, reverse=True)


def _ext_label(fmt: str) -> str:
    return {"pdf": "PDF", "docx": "Word", "xlsx": "Excel"}.get(fmt, fmt)


def build_minhang(seeds: Path, site: Site) -> None:
    entries = _minhang_entries(seeds)
    pages = [entries[i : i + MINHANG_PAGE_SIZE] for i in range(0, len(entries), MINHANG_PAGE_SIZE)]
    nav = [("首页", f"{MINHANG}/"), ("财政资金", "../czzj/index.html"), ("预算绩效管理", "index.html")]
    list_paths: list[str] = []
    for index, chunk in enumerate(pages):
        items: list[ListItem] = []
        for entry in chunk:
            page_id = _uuid(f"minhang/{entry.title}")
            detail = f"{MINHANG_COLUMN}/content/{page_id}.htm"
            day = entry.published[:10]
            links: list[tuple[str, str]] = []
            for fmt, body, facts in entry.attachments:
                name = _uuid(f"minhang/{entry.title}/{fmt}").hex
                path = f"{MINHANG_UPLOAD}/{day.replace('-', '')}/{name}.{fmt}"
                site.add(SiteFile(path, body, entry.published))
                links.append((f"{entry.title}（{_ext_label(fmt)}）.{fmt}", path))
                site.documents.append(
                    {"path": path, "site": "minhang", "format": fmt, "title": entry.title,
                     "detail_page": detail, "published": day, "publisher": entry.publisher, **facts}
                )  # fmt: skip
            intro = f"根据预算绩效信息公开有关要求，现将{entry.title}予以公开，详见附件。" if links else ""
            html = render_html(
                SeedDoc(()) if not entry.body else _paragraphs(entry.body),
                HtmlPage(
                    title=entry.title,
                    site_name="上海市闵行区人民政府",
                    publisher=entry.publisher,
                    published=day,
                    colon=entry.colon,
                    intro=intro,
                    attachments=tuple(links),
                    breadcrumbs=(("首页", f"{MINHANG}/"), ("预算绩效管理", "../index.html")),
                ),
                "minhang",
            )
            site.add(SiteFile(detail, html.encode("utf-8"), entry.published, "utf-8"))
            if not entry.attachments:
                site.documents.append(
                    {"path": detail, "site": "minhang", "format": "html", "title": entry.title,
                     "detail_page": detail, "published": day, "publisher": entry.publisher,
                     "role": "distractor", "seed": None, "content": "full"}
                )  # fmt: skip
            items.append(ListItem(entry.title, f"content/{page_id}.htm", day))
        html = list_page(
            site_name="上海市闵行区人民政府",
            column_title="预算绩效管理",
            nav=nav,
            items=items,
            index=index,
            count=len(pages),
            ext="html",
        )
        path = f"{MINHANG_COLUMN}/{page_name(index, 'html')}"
        site.add(SiteFile(path, html.encode("utf-8"), chunk[0].published, "utf-8"))
        list_paths.append(path)
    site.lists["minhang/czzj_ysjxgl"] = list_paths


def _paragraphs(texts: Sequence[str]) -> SeedDoc:
    return parse_seed("\n".join(texts))


@dataclass(frozen=True, slots=True)
class _DonghuPage:
    title: str
    published: str
    meta_rows: tuple[tuple[str, ...], ...]
    doc: SeedDoc
    encoding: Encoding
    declare: bool  # write <meta charset>
    facts: dict[str, object]


def _donghu_meta(index_no: str, publisher: str, published: str) -> tuple[tuple[str, ...], ...]:
    return (
        ("索引号:", index_no, "主题分类:", "综合政务"),
        ("发布机构:", publisher, "生成日期:", published),
        ("文件编号:", "", "有效性:", "有效"),
        ("公开范围:", "面向全社会", "公开方式:", "主动公开"),
    )


def _donghu_columns(seeds: Path) -> dict[str, list[_DonghuPage]]:
    report = DONGHU_REPORT
    text = (seeds / f"{report.seed_id}.txt").read_text(encoding="utf-8")
    check_seed(report, text)
    meta_rows, body = split_meta_header(text)
    if not meta_rows:
        raise ValueError(f"{report.seed_id}: no 索引号 table at the top")
    published = next(r[3] for r in meta_rows if r[2].startswith("生成日期"))
    publisher = next(r[1] for r in meta_rows if r[0].startswith("发布机构"))
    distractor: dict[str, object] = {"role": "distractor", "seed": None, "content": "full"}
    col07 = [
        _DonghuPage(report.title, published, meta_rows, parse_seed(body), "gbk", False,
                    {"role": "report", "seed": report.seed_id, "unit": report.unit,
                     "fiscal_year": report.fiscal_year, "district": report.district, "content": "full"}),
        _DonghuPage(DONGHU_NEWS_GBK[0], DONGHU_NEWS_GBK[1],
                    _donghu_meta("t945037-0601-2023-0009", publisher, DONGHU_NEWS_GBK[1]),
                    _paragraphs(DONGHU_NEWS_GBK[2]), "gbk", True, distractor),
        _DonghuPage(DONGHU_JUESUAN[0], DONGHU_JUESUAN[1],
                    _donghu_meta("t945037-0601-2023-0004", publisher, DONGHU_JUESUAN[1]),
                    _paragraphs(DONGHU_JUESUAN[2]), "utf-8", True, distractor),
    ]  # fmt: skip
    col03 = [
        _DonghuPage(title, when, _donghu_meta(f"t945037-0603-2023-000{i + 1}", "东湖区豫章街道", when),
                    _paragraphs(paras), "utf-8", True, distractor)
        for i, (title, when, paras) in enumerate(DONGHU_03_ITEMS)
    ]  # fmt: skip
    return {
        "bmczyjs07": sorted(col07, key=lambda p: p.published, reverse=True),
        "bmczyjs03": sorted(col03, key=lambda p: p.published, reverse=True),
    }


def build_donghu(seeds: Path, site: Site) -> None:
    columns = _donghu_columns(seeds)
    nav = [("首页", f"{DONGHU}/"), ("政务公开", f"{DONGHU_ROOT}/"), ("部门财政预决算", "index.shtml")]
    for column, entries in columns.items():
        base = f"{DONGHU_ROOT}/{column}"
        pages = [entries[i : i + DONGHU_PAGE_SIZE] for i in range(0, len(entries), DONGHU_PAGE_SIZE)]
        list_paths: list[str] = []
        for index, chunk in enumerate(pages):
            items: list[ListItem] = []
            for entry in chunk:
                month = entry.published[:7].replace("-", "")
                name = _uuid(f"donghu/{column}/{entry.title}").hex
                path = f"{base}/{month}/{name}.shtml"
                html = render_html(
                    entry.doc,
                    HtmlPage(
                        title=entry.title,
                        site_name="南昌市东湖区人民政府",
                        meta_rows=entry.meta_rows,
                        declared_charset=entry.encoding if entry.declare else None,
                        breadcrumbs=(("首页", f"{DONGHU}/"), ("部门财政预决算", "../index.shtml")),
                    ),
                    "donghu",
                )
                site.add(SiteFile(path, html.encode(entry.encoding), entry.published, entry.encoding))
                site.documents.append(
                    {"path": path, "site": "donghu", "format": "html", "title": entry.title,
                     "detail_page": path, "published": entry.published[:10],
                     "publisher": entry.meta_rows[1][1], "encoding": entry.encoding,
                     "declared_charset": entry.declare, **entry.facts}
                )  # fmt: skip
                items.append(ListItem(entry.title, f"./{month}/{name}.shtml", entry.published[:10]))
            html = list_page(
                site_name="南昌市东湖区人民政府",
                column_title="部门财政预决算",
                nav=nav,
                items=items,
                index=index,
                count=len(pages),
                ext="shtml",
            )
            path = f"{base}/{page_name(index, 'shtml')}"
            site.add(SiteFile(path, html.encode("utf-8"), chunk[0].published, "utf-8"))
            list_paths.append(path)
        site.lists[f"donghu/{column}"] = list_paths


def build_site(seeds: Path) -> Site:
    site = Site()
    build_minhang(seeds, site)
    build_donghu(seeds, site)
    build_families(site)
    site.add(SiteFile("/robots.txt", ROBOTS.encode("ascii"), "2022-01-01 00:00", None))
    return site


def manifest(site: Site) -> dict[str, object]:
    files = {
        f.path: {
            "sha256": hashlib.sha256(f.body).hexdigest(),
            "size": len(f.body),
            "last_modified": http_date(f.modified),
            **({"encoding": f.encoding, "charset_in_header": f.encoding == "utf-8"} if f.encoding else {}),
        }
        for f in sorted(site.files, key=lambda f: f.path)
    }
    return {
        "about": "Demo mirror of five government site families, built by `python -m tests.mirror.build`. "
        "documents: every report and distractor the mirror serves (`url` where it is fetched from another "
        "URL than its file's path); files: per URL path, what the server sends (charset only for UTF-8 HTML, "
        "Last-Modified); endpoints: answers that are not files (flows/mirror/endpoints.py).",
        "sites": {
            "minhang": {"prefix": f"{MINHANG}/", "list_pages": site.lists["minhang/czzj_ysjxgl"]},
            "donghu": {
                "prefix": f"{DONGHU}/",
                "columns": {k.split("/", 1)[1]: v for k, v in site.lists.items() if k.startswith("donghu/")},
            },
            **site.families,
        },
        "documents": site.documents,
        "files": files,
        "endpoints": site.endpoints,
    }


def write_site(site: Site, out: Path) -> None:
    """Replace `out` with the site. Refuses a non-empty folder that is not a mirror site."""
    if out.exists() and any(out.iterdir()) and not (out / "manifest.json").exists():
        raise SystemExit(f"{out} is not empty and holds no manifest.json: not replacing it")
    if out.exists():
        shutil.rmtree(out)
    for f in site.files:
        target = out / f.path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(f.body)
    text = json.dumps(manifest(site), ensure_ascii=False, indent=2) + "\n"
    (out / "manifest.json").write_text(text, encoding="utf-8")


def build(seeds: Path = DEFAULT_SEEDS, out: Path = SITE_DIR) -> Path:
    if not seeds.is_dir():
        raise SystemExit(f"seed folder {seeds} not found (pass --seeds)")
    write_site(build_site(seeds), out)
    return out


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    ap.add_argument("--out", type=Path, default=SITE_DIR)
    args = ap.parse_args(argv)
    out = build(args.seeds, args.out)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"mirror written to {out} ({size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
