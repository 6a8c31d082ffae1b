"""What a detail page's header says about its report: publisher, date, index number, title.

Two header styles are common and both are read by their vocabulary, not by position:
a one-line `来源:X 发布时间:YYYY年M月D日` (Minhang) and a label/value table of 索引号,
发布机构, 生成日期 … (Donghu, and most sites built on the national 政府信息公开 template).
The standard `<meta name="ArticleTitle|PubDate|ContentSource">` tags fill what the
visible header leaves out.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

# Longer labels first: the regex alternation must prefer 信息来源 over 来源.
_LABELS: dict[str, tuple[str, ...]] = {
    "index_no": ("索引号",),
    "publisher": ("发布机构", "发文机关", "发文单位", "发布单位", "信息来源", "来源单位", "来源"),
    "published_date": ("发布时间", "发布日期", "公开日期", "生成日期", "成文日期"),
    "doc_no": ("文件编号", "发文字号", "文号"),
}
# Labels we do not keep, so a value stops where they begin (主题分类 after 索引号, …).
_OTHER_LABELS = (
    "主题分类",
    "有效性",
    "公开范围",
    "公开方式",
    "公开形式",
    "浏览次数",
    "字号",
    "访问量",
    "作者",
    "点击数",
)

_META_TAGS = {"ArticleTitle": "title", "PubDate": "published_date", "ContentSource": "publisher"}

_BLOCK = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "html",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
_SKIP = ("script", "style", "noscript", "template")


def _label_regex(label: str) -> str:
    # 索 引 号: template pages pad labels with spaces to align them
    return r"\s*".join(re.escape(ch) for ch in label)


_ALL_LABELS = sorted(
    [(key, lab) for key, labs in _LABELS.items() for lab in labs] + [("", lab) for lab in _OTHER_LABELS],
    key=lambda kl: -len(kl[1]),
)
_LABEL_KEY = {lab: key for key, lab in _ALL_LABELS}
# A label is not preceded by a CJK character: 资金来源 is body text, not a header.
_LABEL_RE = re.compile(
    r"(?<![\u4e00-\u9fff])(" + "|".join(_label_regex(lab) for _, lab in _ALL_LABELS) + r")\s*[:：]"
)
_BARE_LABEL_RE = re.compile(r"^(" + "|".join(_label_regex(lab) for _, lab in _ALL_LABELS) + r")\s*[:：]?$")
_DATE_RE = re.compile(r"^\s*(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})")
_WS = re.compile(r"\s+")


def text_lines(root: LexborNode) -> list[str]:
    """The visible text as lines: one per block element (table cells apart), inline runs joined."""
    lines: list[str] = []
    parts: list[str] = []
    block_id: int | None = None

    def flush() -> None:
        line = _WS.sub(" ", "".join(parts)).strip()
        if line:
            lines.append(line)
        parts.clear()

    for node in root.traverse(include_text=True):
        if node.tag == "br":
            flush()
            continue
        if node.tag != "-text":
            continue
        owner = node.parent
        while owner is not None and owner.tag not in _BLOCK:
            owner = owner.parent
        owner_id = owner.mem_id if owner is not None else None
        if owner_id != block_id:
            flush()
            block_id = owner_id
        parts.append(node.text_content or "")
    flush()
    return lines


def _canon_label(raw: str) -> str:
    return _WS.sub("", raw)


def _value(key: str, rest: str) -> str | None:
    if key == "published_date":
        m = _DATE_RE.match(rest)
        return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else None
    words = rest.split()
    return words[0] if words else None


def _from_lines(lines: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for i, line in enumerate(lines):
        bare = _BARE_LABEL_RE.match(line)
        if bare:
            # a table cell holding only the label: the value is the next cell
            key = _LABEL_KEY[_canon_label(bare.group(1))]
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if (
                key
                and key not in found
                and nxt
                and not _BARE_LABEL_RE.match(nxt)
                and not _LABEL_RE.match(nxt)
            ):
                val = _value(key, nxt)
                if val:
                    found[key] = val
            continue
        matches = list(_LABEL_RE.finditer(line))
        for j, m in enumerate(matches):
            key = _LABEL_KEY[_canon_label(m.group(1))]
            if not key or key in found:
                continue
            end = matches[j + 1].start() if j + 1 < len(matches) else len(line)
            val = _value(key, line[m.end() : end])
            if val:
                found[key] = val
    return found


def _title(tree: LexborHTMLParser) -> str | None:
    for h in tree.css("h1"):
        text = _WS.sub(" ", h.text()).strip()
        if text:
            return text
    return None


def _meta_tags(tree: LexborHTMLParser) -> dict[str, str]:
    out: dict[str, str] = {}
    for node in tree.css("meta[name]"):
        name = (node.attributes.get("name") or "").strip()
        key = next((v for k, v in _META_TAGS.items() if k.lower() == name.lower()), None)
        content = (node.attributes.get("content") or "").strip()
        if key and content:
            if key == "published_date":
                m = _DATE_RE.match(content)
                if not m:
                    continue
                content = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
            out[key] = content
    return out


def _head_title(tree: LexborHTMLParser) -> str | None:
    node = tree.css_first("title")
    if node is None:
        return None
    # "标题_东湖区人民政府" / "标题 - 闵行区": the site name comes after the separator
    text = re.split(r"\s*(?:_|\||｜| - | — )\s*", node.text().strip())[0].strip()
    return text or None


def parse_page_meta(html_text: str) -> dict[str, str]:
    """publisher, published_date (YYYY-MM-DD), index_no, doc_no, title — each only when found."""
    tree = LexborHTMLParser(html_text)
    for node in tree.css(",".join(_SKIP)):
        node.decompose()
    found: dict[str, str] = {}
    if tree.body is not None:
        found = _from_lines(text_lines(tree.body))
    title = _title(tree)
    if title:
        found["title"] = title
    for key, val in _meta_tags(tree).items():
        found.setdefault(key, val)
    if "title" not in found:
        head = _head_title(tree)
        if head:
            found["title"] = head
    return found
