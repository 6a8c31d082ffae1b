"""List pages of the two mirrored site families: item lists with the sites' own pagers."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

# List pages cut long titles; the full title stays in the anchor's title attribute.
TITLE_CUT = 24


@dataclass(frozen=True, slots=True)
class ListItem:
    title: str
    href: str  # relative to the list page, as the sites write it
    date: str  # YYYY-MM-DD


def page_name(index: int, ext: str) -> str:
    """index.html, index_1.html, index_2.html … (the first page has no number)."""
    return f"index.{ext}" if index == 0 else f"index_{index}.{ext}"


def shown_title(title: str, cut: int = TITLE_CUT) -> str:
    return title if len(title) <= cut else title[:cut] + "…"


def _pager(index: int, count: int, ext: str) -> str:
    links = [f'<a href="{page_name(0, ext)}">首页</a>']
    if index > 0:
        links.append(f'<a href="{page_name(index - 1, ext)}">上一页</a>')
    for n in range(count):
        if n == index:
            links.append(f'<span class="current">{n + 1}</span>')
        else:
            links.append(f'<a href="{page_name(n, ext)}">{n + 1}</a>')
    if index < count - 1:
        links.append(f'<a href="{page_name(index + 1, ext)}">下一页</a>')
    links.append(f'<a href="{page_name(count - 1, ext)}">尾页</a>')
    links.append(f"<span>共{count}页</span>")
    return '<div class="page">\n' + "\n".join(links) + "\n</div>\n"


def _items(items: list[ListItem]) -> str:
    rows = [
        f'<li><a href="{escape(i.href)}" title="{escape(i.title)}" target="_blank">'
        f"{escape(shown_title(i.title))}</a><span>{i.date}</span></li>"
        for i in items
    ]
    return "\n".join(rows)


def list_page(
    *,
    site_name: str,
    column_title: str,
    nav: list[tuple[str, str]],
    items: list[ListItem],
    index: int,
    count: int,
    ext: str,
) -> str:
    """One page of a column's list, UTF-8 declared, newest item first as given."""
    nav_links = "\n".join(f'<a href="{escape(href)}">{escape(text)}</a>' for text, href in nav)
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(column_title)}_{escape(site_name)}</title>\n</head>\n<body>\n"
        f'<div class="nav">\n{nav_links}\n</div>\n'
        f'<div class="column">\n<h2>{escape(column_title)}</h2>\n'
        f'<ul class="list">\n{_items(items)}\n</ul>\n'
        f"{_pager(index, count, ext)}</div>\n</body>\n</html>\n"
    )
