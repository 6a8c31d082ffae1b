"""Three more site families for the mirror, built from the labelled corpus (tests/corpus/files):

- a TRS-like site (深圳市南山区): list pages paginated only by a script
  (`createPageHTML(2, 0, "index", "html")`), `t<YYYYMMDD>_<id>.html` details beside their
  `_wap` mobile twins, the report shown in a pdf.js viewer and opened by `window.open`;
- a Hanweb/JCMS-like site (杭州市西湖区): a `col/col<id>/index.html` column whose records
  come from a POST to `module/web/jpage/dataproxy.jsp`, an attachment behind
  `downfile.jsp?filename=…` named only in a GBK Content-Disposition, and a 部门决算 PDF
  (double extension) with 项目支出绩效自评表 inside;
- a JSON-API site (天津市和平区): a public-information platform answering
  `api/zwgk/list?channelId=…&page=N&size=M`, a report behind `download?id=3&siteId=2`
  (filename* in Content-Disposition), and a report page that is the report itself.

The reports are corpus files whose labels say what they hold; the manifest records those
facts (unit, year, district, how many reports) for the tests.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from tests.mirror.pages import shown_title
from tests.mirror.sitefiles import Site, SiteFile, http_date

CORPUS_DIR = Path(__file__).resolve().parents[2] / "tests" / "corpus" / "files"

NANSHAN = "/www.szns.gov.cn"
NANSHAN_COLUMN = f"{NANSHAN}/xxgk/qzfxxgkml/czxx/jxpj"
XIHU = "/www.hzxh.gov.cn"
XIHU_COLUMN_ID = "1229476"
XIHU_UNIT_ID = "5678"
HEPING = "/www.tjhp.gov.cn"
HEPING_CHANNEL = "jxzp"
HEPING_COLUMN = f"{HEPING}/zwgk/czzj/{HEPING_CHANNEL}"

NANSHAN_PAGE_SIZE = 3
XIHU_PAGE_SIZE = 2
HEPING_PAGE_SIZE = 2


@dataclass(frozen=True, slots=True)
class Item:
    """One list item of a family: a report from the corpus, or a page a filter must skip."""

    title: str
    published: str  # YYYY-MM-DD HH:MM local time
    publisher: str
    corpus: str | None = None  # file in tests/corpus/files
    paragraphs: tuple[str, ...] = ()  # a distractor's inline text
    sections: str = ""  # "self_evaluation": a 部门决算 holding self-evaluation forms

    @property
    def day(self) -> str:
        return self.published[:10]


def _label(name: str) -> dict[str, Any]:
    return json.loads((CORPUS_DIR / f"{name}.expected.json").read_text(encoding="utf-8"))


def _facts(item: Item, path: str, detail: str, site: str, fmt: str) -> dict[str, object]:
    base: dict[str, object] = {
        "path": path,
        "site": site,
        "format": fmt,
        "title": item.title,
        "detail_page": detail,
        "published": item.day,
        "publisher": item.publisher,
    }
    if item.corpus is None:
        return {**base, "role": "distractor", "seed": None, "content": "full"}
    reports = _label(item.corpus)["reports"]
    first = reports[0]
    return {
        **base,
        "role": "report",
        "seed": None,
        "corpus": item.corpus,
        "unit": first["department"],
        "fiscal_year": first["fiscal_year"],
        "district": first["region"]["district"],
        "kind": first["kind"],
        "reports": len(reports),
        "content": "full",
        **({"sections": item.sections} if item.sections else {}),
    }


def _corpus(item: Item) -> bytes:
    assert item.corpus is not None
    return (CORPUS_DIR / item.corpus).read_bytes()


def _stamp(day: str, n: int) -> str:
    return f"{day.replace('-', '')}{n:09d}"


def _paragraph_html(paragraphs: tuple[str, ...]) -> str:
    return "\n".join(f"<p>{escape(p, quote=False)}</p>" for p in paragraphs)


def _page(title: str, site_name: str, head_extra: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}_{escape(site_name)}</title>\n{head_extra}</head>\n<body>\n{body}</body>\n</html>\n"
    )


def _li(title: str, href: str, day: str, extra: str = "") -> str:
    return (
        f'<li{extra}><a href="{escape(href)}" title="{escape(title)}" target="_blank">'
        f"{escape(shown_title(title))}</a><span>{day}</span></li>"
    )


# ── TRS: script pagination, t<date>_<id>.html, _wap twins, viewer and window.open ──────────

# The corpus's other 南山 file (p09, a .doc) is not read by catdoc (tests/corpus/FINDINGS.md), so
# the site's one report is d01, on the second list page: the walk must follow the script's count.
NANSHAN_ITEMS = (
    Item("粤海街道召开2025年预算绩效管理培训会", "2025-03-05 15:00", "粤海街道办事处",
         paragraphs=("3月5日，粤海街道召开预算绩效管理培训会，街道各部门财务人员参加。",
                     "会议解读了绩效目标编制和绩效自评的有关要求。")),
    Item("粤海街道2024年度预算绩效目标公开", "2024-11-20 10:00", "粤海街道办事处",
         paragraphs=("现将粤海街道2024年度部门预算绩效目标予以公开。",)),
    Item("深圳市南山区粤海街道办事处2024年部门预算公开", "2024-06-10 09:00", "粤海街道办事处",
         paragraphs=("现将粤海街道办事处2024年部门预算予以公开。", "2024年收支预算总额8650.00万元。")),
    Item("深圳市南山区粤海街道办事处2023年度部门整体支出绩效自评报告", "2024-05-28 09:00",
         "粤海街道办事处", corpus="d01_nanshan_yuehai_2023.pdf"),
)  # fmt: skip


def _nanshan_detail(item: Item, body: str, wap: bool) -> str:
    head = (
        f'<meta name="ArticleTitle" content="{escape(item.title)}">\n'
        f'<meta name="PubDate" content="{item.published}">\n'
        f'<meta name="ContentSource" content="{escape(item.publisher)}">\n'
    )
    top = "" if wap else '<div class="position">当前位置：<a href="../../">首页</a> &gt; 绩效评价</div>\n'
    return _page(
        item.title,
        "深圳市南山区人民政府",
        head,
        f'{top}<div class="article">\n<h1>{escape(item.title)}</h1>\n'
        f'<div class="info">来源：{escape(item.publisher)} 发布时间：{item.day}</div>\n'
        f'<div class="TRS_Editor">\n{body}\n</div>\n</div>\n',
    )


def build_nanshan(site: Site) -> None:
    items = sorted(NANSHAN_ITEMS, key=lambda i: i.published, reverse=True)
    pages = [items[i : i + NANSHAN_PAGE_SIZE] for i in range(0, len(items), NANSHAN_PAGE_SIZE)]
    list_paths: list[str] = []
    for index, chunk in enumerate(pages):
        rows: list[str] = []
        for n, item in enumerate(chunk):
            month = item.day[:7].replace("-", "")
            doc_id = 12301117 + 7 * (index * NANSHAN_PAGE_SIZE + n)
            name = f"t{item.day.replace('-', '')}_{doc_id}"
            detail = f"{NANSHAN_COLUMN}/{month}/{name}.html"
            body = _paragraph_html(item.paragraphs)
            if item.corpus is not None:
                ext = item.corpus.rsplit(".", 1)[1]
                file_path = f"{NANSHAN_COLUMN}/{month}/P0{_stamp(item.day, doc_id)}.{ext}"
                site.add(SiteFile(file_path, _corpus(item), item.published))
                site.documents.append(_facts(item, file_path, detail, "nanshan", ext))
                href = f"./P0{_stamp(item.day, doc_id)}.{ext}"
                # shown in the site's pdf.js viewer, and a button that opens the same file
                body = (
                    f"<p>现将{escape(item.title)}公开如下：</p>\n"
                    f'<iframe src="{NANSHAN}/pdfjs/web/viewer.html?file={file_path}" width="100%" height="800">'
                    "</iframe>\n"
                    f'<p>附件：<a href="javascript:void(0);" onclick="window.open(\'{href}\')">'
                    f"{escape(item.title)}.{ext}</a></p>"
                )
            else:
                site.documents.append(_facts(item, detail, detail, "nanshan", "html"))
            site.add(
                SiteFile(detail, _nanshan_detail(item, body, False).encode("utf-8"), item.published, "utf-8")
            )
            wap = f"{NANSHAN_COLUMN}/{month}/{name}_wap.html"
            site.add(
                SiteFile(wap, _nanshan_detail(item, body, True).encode("utf-8"), item.published, "utf-8")
            )
            rows.append(_li(item.title, f"./{month}/{name}.html", item.day))
            # the mobile list, hidden on the desktop page, links the twins
            rows.append(_li(item.title, f"./{month}/{name}_wap.html", item.day, ' class="wap-only"'))
        body = (
            '<div class="nav"><a href="../../../">首页</a> &gt; <a href="../">财政信息</a> &gt; 绩效评价</div>\n'
            '<div class="column">\n<h2>绩效评价</h2>\n<ul class="list">\n' + "\n".join(rows) + "\n</ul>\n"
            f'<div class="page"><script>createPageHTML({len(pages)}, {index}, "index", "html");</script></div>\n'
            "</div>\n"
        )
        html = _page(
            "绩效评价", "深圳市南山区人民政府", '<script src="/www.szns.gov.cn/js/page.js"></script>\n', body
        )
        path = f"{NANSHAN_COLUMN}/{'index.html' if index == 0 else f'index_{index}.html'}"
        site.add(SiteFile(path, html.encode("utf-8"), chunk[0].published, "utf-8"))
        list_paths.append(path)
    site.lists["nanshan/jxpj"] = list_paths
    site.families["nanshan"] = {"prefix": f"{NANSHAN}/", "kind": "script", "list_pages": list_paths}


# ── Hanweb: col/col<id>/index.html, dataproxy.jsp POST, downfile.jsp, a 决算 PDF ───────────

XIHU_ITEMS = (
    Item("杭州市西湖区灵隐街道办事处2022年度部门决算", "2023-06-12 10:30", "灵隐街道办事处",
         corpus="p10_xihu_lingyin_juesuan_2022.pdf", sections="self_evaluation"),
    Item("灵隐街道2022年度部门整体支出绩效自评表", "2023-06-09 16:00", "灵隐街道办事处",
         corpus="d03_xihu_lingyin_2022.xlsx"),
    Item("灵隐街道开展预算绩效管理业务培训", "2023-05-16 09:30", "灵隐街道办事处",
         paragraphs=("5月16日，灵隐街道开展预算绩效管理业务培训，各科室财务联络员参加。",)),
    Item("灵隐街道2023年部门预算公开", "2023-02-10 09:00", "灵隐街道办事处",
         paragraphs=("现将灵隐街道2023年部门预算予以公开。2023年收支预算总额5230.60万元。",)),
)  # fmt: skip


def _xihu_detail(item: Item, body: str) -> str:
    head = (
        f'<meta name="ArticleTitle" content="{escape(item.title)}">\n'
        f'<meta name="PubDate" content="{item.published}">\n'
        f'<meta name="ContentSource" content="{escape(item.publisher)}">\n'
    )
    return _page(
        item.title,
        "杭州市西湖区人民政府",
        head,
        f'<div class="main">\n<div class="title">{escape(item.title)}</div>\n'
        f'<div class="info">发布日期：{item.day} 信息来源：{escape(item.publisher)}</div>\n'
        f'<div id="zoom">\n{body}\n</div>\n</div>\n',
    )


def build_xihu(site: Site) -> None:
    items = sorted(XIHU_ITEMS, key=lambda i: i.published, reverse=True)
    records: list[str] = []
    downloads: dict[str, dict[str, Any]] = {}
    for n, item in enumerate(items):
        y, m, d = (int(x) for x in item.day.split("-"))
        detail = f"{XIHU}/art/{y}/{m}/{d}/art_{XIHU_COLUMN_ID}_{58912345 + n * 11}.html"
        body = _paragraph_html(item.paragraphs)
        if item.corpus is not None:
            ext = item.corpus.rsplit(".", 1)[1]
            stamp = _stamp(item.day, 103012 + n)
            if item.sections:  # the CMS appends an upload stamp after the extension, then one more
                upload = f"{item.day.replace('-', '')}{item.published[11:13]}3045173"
                file_path = f"{XIHU}/attach/0/{stamp}.{ext}{upload}.{ext}"
                shown = f"{item.title}.{ext}{upload}.{ext}"
                site.add(SiteFile(file_path, _corpus(item), item.published))
                site.documents.append(_facts(item, file_path, detail, "xihu", ext))
                body = f'<p>附件：<a href="{file_path}">{escape(shown)}</a></p>'
            else:  # behind the download script, named only in a GBK Content-Disposition
                stored = f"{XIHU}/module/download/store/{hashlib.sha256(_corpus(item)).hexdigest()[:16]}.bin"
                site.add(SiteFile(stored, _corpus(item), item.published))
                key = f"{stamp}.{ext}"
                downloads[key] = {
                    "path": stored,
                    "filename": f"{item.title}.{ext}",
                    "name_encoding": "gbk",
                    "content_type": "application/octet-stream",
                    "modified": http_date(item.published),
                }
                href = f"{XIHU}/module/download/downfile.jsp?classid=0&filename={key}"
                site.documents.append({**_facts(item, stored, detail, "xihu", ext), "url": href})
                body = (
                    f"<p>根据预算绩效信息公开要求，现将{escape(item.title)}予以公开。</p>\n"
                    f'<p>附件：<a href="{href}">{escape(item.title)}</a></p>'
                )
        else:
            site.documents.append(_facts(item, detail, detail, "xihu", "html"))
        site.add(SiteFile(detail, _xihu_detail(item, body).encode("utf-8"), item.published, "utf-8"))
        # the record's link is relative to the column page that shows it
        records.append(_li(item.title, f"../../art/{y}/{m}/{d}/{detail.rsplit('/', 1)[1]}", item.day))
    column = f"{XIHU}/col/col{XIHU_COLUMN_ID}/index.html"
    first = "\n".join(f"<record><![CDATA[\n{r}\n]]></record>" for r in records[:XIHU_PAGE_SIZE])
    body = (
        '<div class="position">当前位置：<a href="/">首页</a> &gt; 政务公开 &gt; 预算绩效</div>\n'
        '<div class="lm_title"><h2>预算绩效</h2></div>\n'
        f'<div id="{XIHU_COLUMN_ID}">\n<script type="text/xml"><datastore>\n<nextgroup><![CDATA[\n'
        f'<a href="{XIHU}/module/web/jpage/dataproxy.jsp?page=1&webid=1&path=/&columnid={XIHU_COLUMN_ID}'
        f'&unitid={XIHU_UNIT_ID}&webname=%E8%A5%BF%E6%B9%96%E5%8C%BA&permissiontype=0"></a>\n]]></nextgroup>\n'
        f"<recordset>\n{first}\n</recordset>\n</datastore></script>\n"
        "<script>$(document).ready(function(){ $('#" + XIHU_COLUMN_ID + "').jpage({dataStore: dataStore, "
        f"perPage: {XIHU_PAGE_SIZE}, totalRecord: {len(records)}, proxyUrl: '{XIHU}/module/web/jpage/dataproxy.jsp', "
        f"webid: 1, columnid: {XIHU_COLUMN_ID}, unitid: {XIHU_UNIT_ID}}}); }});</script>\n</div>\n"
    )
    html = _page("预算绩效", "杭州市西湖区人民政府", "", body)
    newest = items[0].published
    site.add(SiteFile(column, html.encode("utf-8"), newest, "utf-8"))
    proxy = f"{XIHU}/module/web/jpage/dataproxy.jsp"
    site.endpoints[proxy] = {
        "kind": "dataproxy",
        "columns": {XIHU_COLUMN_ID: {"records": records, "modified": http_date(newest)}},
    }
    site.endpoints[f"{XIHU}/module/download/downfile.jsp"] = {
        "kind": "download",
        "id_param": "filename",
        "files": downloads,
    }
    site.lists["xihu/col1229476"] = [column]
    site.families["xihu"] = {
        "prefix": f"{XIHU}/",
        "kind": "dataproxy",
        "list_pages": [column],
        "proxy": proxy,
        "columnid": XIHU_COLUMN_ID,
        "page_size": XIHU_PAGE_SIZE,
    }


# ── JSON API: api/zwgk/list?channelId=…&page=N&size=M, download?id=…&siteId=2 ─────────────

HEPING_ITEMS = (
    Item("劝业场街道2023年度部门整体支出绩效自评报告", "2024-06-15 10:00", "劝业场街道办事处",
         corpus="d10_heping_quanyechang_2023.docx"),
    Item("劝业场街道召开2024年预算绩效管理工作会议", "2024-04-02 14:30", "劝业场街道办事处",
         paragraphs=("4月2日，劝业场街道召开绩效自评工作部署会，明确自评范围和时间安排。",)),
    Item("劝业场街道2024年部门预算公开", "2024-02-20 09:00", "劝业场街道办事处",
         paragraphs=("现将劝业场街道2024年部门预算予以公开。",)),
    Item("劝业场街道2019年度项目支出绩效自评表", "2020-04-10 11:00", "劝业场街道办事处",
         corpus="p12_heping_quanyechang_2019.html"),
)  # fmt: skip


def _heping_detail(item: Item, body: str) -> str:
    return _page(
        item.title,
        "天津市和平区人民政府",
        "",
        f'<div class="article">\n<h1>{escape(item.title)}</h1>\n'
        f'<div class="info">来源：{escape(item.publisher)} 发布时间：{item.day}</div>\n'
        f'<div class="content">\n{body}\n</div>\n</div>\n',
    )


def build_heping(site: Site) -> None:
    items = sorted(HEPING_ITEMS, key=lambda i: i.published, reverse=True)
    records: list[dict[str, Any]] = []
    downloads: dict[str, dict[str, Any]] = {}
    for n, item in enumerate(items):
        doc_id = 1001 + n
        rel = f"content/{item.day.replace('-', '')}/{doc_id}.html"
        detail = f"{HEPING_COLUMN}/{rel}"
        if item.corpus is not None and item.corpus.endswith(".html"):
            # the article page is the report itself, as the platform exported it
            site.add(SiteFile(detail, _corpus(item), item.published, "gb18030"))
            # its date comes from the API's record; no publisher is stated anywhere
            site.documents.append({**_facts(item, detail, detail, "heping", "html"), "publisher": None})
        elif item.corpus is not None:
            ext = item.corpus.rsplit(".", 1)[1]
            stored = f"{HEPING}/_store/{hashlib.sha256(_corpus(item)).hexdigest()[:16]}.bin"
            site.add(SiteFile(stored, _corpus(item), item.published))
            file_id = str(3 + n)
            downloads[file_id] = {
                "path": stored,
                "filename": f"{item.title}.{ext}",
                "name_encoding": "rfc5987",
                "content_type": "application/octet-stream",
                "modified": http_date(item.published),
            }
            href = f"{HEPING}/download?id={file_id}&siteId=2"
            site.documents.append({**_facts(item, stored, detail, "heping", ext), "url": href})
            body = f'<p>附件：<a href="{href}">点击下载</a></p>'
            site.add(SiteFile(detail, _heping_detail(item, body).encode("utf-8"), item.published, "utf-8"))
        else:
            site.documents.append(_facts(item, detail, detail, "heping", "html"))
            body = _paragraph_html(item.paragraphs)
            site.add(SiteFile(detail, _heping_detail(item, body).encode("utf-8"), item.published, "utf-8"))
        records.append(
            {"id": doc_id, "title": item.title, "url": rel, "publishDate": item.day, "source": item.publisher}
        )
    column = f"{HEPING_COLUMN}/index.html"
    api = f"{HEPING}/api/zwgk/list"
    body = (
        '<div class="position">当前位置：首页 &gt; 政务公开 &gt; 财政资金 &gt; 绩效自评</div>\n'
        '<div class="lm_title"><h2>绩效自评</h2></div>\n'
        '<ul class="list" id="list"></ul>\n<div id="pager"></div>\n'
        f"<script>loadList('{api}', {{channelId: '{HEPING_CHANNEL}', page: 1, size: {HEPING_PAGE_SIZE}}});</script>\n"
    )
    newest = items[0].published
    site.add(
        SiteFile(column, _page("绩效自评", "天津市和平区人民政府", "", body).encode("utf-8"), newest, "utf-8")
    )
    site.endpoints[api] = {
        "kind": "json_list",
        "column_param": "channelId",
        "page_param": "page",
        "size_param": "size",
        "columns": {HEPING_CHANNEL: {"records": records, "modified": http_date(newest)}},
    }
    site.endpoints[f"{HEPING}/download"] = {"kind": "download", "id_param": "id", "files": downloads}
    site.lists["heping/jxzp"] = [column]
    site.families["heping"] = {
        "prefix": f"{HEPING}/",
        "kind": "json",
        "list_pages": [column],
        "api": api,
        "channel": HEPING_CHANNEL,
        "page_size": HEPING_PAGE_SIZE,
    }


def build_families(site: Site) -> None:
    build_nanshan(site)
    build_xihu(site)
    build_heping(site)
