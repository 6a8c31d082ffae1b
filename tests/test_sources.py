"""The source files: they load, they say what they cover, and bad files fail by name."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from flows.crawl.discover import page_url, parse_list_page
from flows.crawl.fetch import find_attachments
from flows.documents.charset import decode_html
from flows.sources.model import SOURCES_DIR, SourceError, load_sources

MIRRORS = ("minhang_mirror", "donghu_mirror")
REAL = ("minhang", "donghu")


def test_bundled_sources_load() -> None:
    sources = load_sources()
    assert set(MIRRORS + REAL) <= set(sources)
    for name in REAL:
        assert not sources[name].verified and not sources[name].enabled
        assert sources[name].base_url.startswith("https://")
    for name in MIRRORS:
        assert sources[name].enabled and sources[name].base_url == "http://127.0.0.1:8731"
    assert sources["minhang"].region.district == "闵行区" and sources["minhang"].region.province == "上海市"
    assert sources["donghu"].region.province == "江西省" and sources["donghu"].region.city == "南昌市"
    assert sources["minhang"].detail.mode == "attachments" and sources["donghu"].detail.mode == "inline"
    assert sources["minhang"].allowed_hosts == ("zwgk.shmh.gov.cn", "xxgk.shmh.gov.cn")


def test_every_source_file_documents_its_fields() -> None:
    for path in SOURCES_DIR.glob("*.toml"):
        header = path.read_text(encoding="utf-8").split("\nname =", 1)[0]
        for word in ("verified", "list_pages", "[pagination]", "[links]", "[detail]", "[politeness]"):
            assert word in header, f"{path.name}: header does not document {word}"


def test_rebased_moves_urls_and_hosts() -> None:
    mirror = load_sources()["minhang_mirror"].rebased("http://127.0.0.1:40123/")
    assert mirror.list_page_urls() == [
        "http://127.0.0.1:40123/zwgk.shmh.gov.cn/mh-xxgk-cms/website/mh_xxgk/czzj_ysjxgl/index.html"
    ]
    assert mirror.host_allowed("http://127.0.0.1:40123/zwgk.shmh.gov.cn/x.pdf")
    assert not mirror.host_allowed("https://zwgk.shmh.gov.cn/x.pdf")
    real = load_sources()["minhang"].rebased("http://localhost:9/zwgk.shmh.gov.cn")
    assert real.list_page_urls()[0] == (
        "http://localhost:9/zwgk.shmh.gov.cn/mh-xxgk-cms/website/mh_xxgk/czzj_ysjxgl/index.html"
    )
    assert real.allowed_hosts == ("localhost", "xxgk.shmh.gov.cn")  # the other host is not the base's
    # the original is untouched
    assert load_sources()["minhang"].base_url == "https://zwgk.shmh.gov.cn"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            'name = "x"\ntitle = "t"\nbase_url = "ftp://a"\nlist_pages = ["/"]\n[region]\nprovince="a"\ncity="b"\ndistrict="c"\n',
            "base_url",
        ),
        (
            'name = "x"\ntitle = "t"\nbase_url = "http://a"\nlist_pages = ["/"]\nlist_page = []\n[region]\nprovince="a"\ncity="b"\ndistrict="c"\n',
            "list_page",
        ),
        (
            'name = "x"\ntitle = "t"\nbase_url = "http://a"\nlist_pages = ["/"]\n[region]\nprovince="a"\ncity="b"\ndistrict="c"\n[pagination]\npattern = "index_.html"\n',
            "{n}",
        ),
        (
            'name = "x"\ntitle = "t"\nbase_url = "http://a"\nlist_pages = []\n[region]\nprovince="a"\ncity="b"\ndistrict="c"\n',
            "list_pages",
        ),
        ('name = "x"\ntitle = = "t"\n', "Invalid"),
    ],
)
def test_bad_source_files_fail_by_name(tmp_path: Path, text: str, reason: str) -> None:
    (tmp_path / "broken.toml").write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as info:
        load_sources(tmp_path)
    assert "broken.toml" in str(info.value) and reason in str(info.value)


def test_duplicate_names_are_refused(tmp_path: Path) -> None:
    text = 'name = "x"\ntitle = "t"\nbase_url = "http://a"\nlist_pages = ["/"]\n[region]\nprovince="a"\ncity="b"\ndistrict="c"\n'
    (tmp_path / "a.toml").write_text(text, encoding="utf-8")
    (tmp_path / "b.toml").write_text(text, encoding="utf-8")
    with pytest.raises(SourceError, match="used twice"):
        load_sources(tmp_path)
    (tmp_path / "b.toml").unlink()
    # defaults: the usual title words and attachment types, the base host allowed
    src = load_sources(tmp_path)["x"]
    assert "绩效自评" in src.links.include and "决算" in src.links.exclude
    assert set(src.detail.attachment_extensions) == {"pdf", "doc", "docx", "xls", "xlsx"}
    assert src.allowed_hosts == ("a",) and src.enabled and not src.verified


# ── the real sources against the mirror's copy of their page structure ─────────────


@pytest.fixture(scope="module")
def mirror_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed mirror site; built afresh into a temp folder when it is not there."""
    from flows.mirror.server import SITE_DIR

    if (SITE_DIR / "manifest.json").is_file():
        return SITE_DIR
    from tests.mirror.build import build

    return build(out=tmp_path_factory.mktemp("mirror") / "site")


def _real_url(mirror_path: str) -> str:
    """/zwgk.shmh.gov.cn/a/b.html → https://zwgk.shmh.gov.cn/a/b.html (the mirror keeps the host as the first segment)."""
    host, _, rest = mirror_path.lstrip("/").partition("/")
    return f"https://{host}/{rest}"


def _mirror_path(real_url: str) -> str:
    parts = urlsplit(real_url)
    return f"/{parts.hostname}{parts.path}"


def _as_on_real_site(html: str) -> str:
    """The mirror roots its absolute links at /<host>/; on the real site they start at /."""
    return re.sub(r'(href=["\'])/(zwgk\.shmh\.gov\.cn|dhq\.nc\.gov\.cn)/', r"\1/", html)


def _list_pages(manifest: dict, site: str) -> list[str]:
    info = manifest["sites"][site]
    if "list_pages" in info:
        return list(info["list_pages"])
    return [p for pages in info["columns"].values() for p in pages]


@pytest.mark.parametrize("name", REAL)
def test_real_source_selectors_match_the_mirror_pages(mirror_root: Path, name: str) -> None:
    source = load_sources()[name]
    manifest = json.loads((mirror_root / "manifest.json").read_text(encoding="utf-8"))
    docs = [d for d in manifest["documents"] if d["site"] == name]
    wanted_pages = {d["detail_page"] for d in docs if d["role"] == "report"}
    unwanted_pages = {d["detail_page"] for d in docs if d["role"] == "distractor"} - wanted_pages
    list_pages = _list_pages(manifest, name)
    # every first page the real source names is one the mirror copies
    firsts = [_mirror_path(u) for u in source.list_page_urls() if _mirror_path(u) in list_pages]
    assert firsts, f"{name}: none of its list pages is in the mirror"
    found: set[str] = set()
    for path in list_pages:
        html = _as_on_real_site((mirror_root / path.lstrip("/")).read_bytes().decode("utf-8"))
        page = parse_list_page(html, _real_url(path), source)
        assert page.items > 0, f"{name}: the item selector finds nothing on {path}"
        found |= {_mirror_path(url) for url, _ in page.links}
        if page.next_url:
            assert _mirror_path(page.next_url) in list_pages
    assert found == wanted_pages and not (found & unwanted_pages)
    # the pagination pattern names the mirror's second page of every column that has one
    seconds = [
        _mirror_path(page_url(_real_url(first), source.pagination.pattern, source.pagination.start))
        for first in firsts
    ]
    assert [p for p in seconds if p in list_pages], f"{name}: the pattern names no second page"
    assert {p for p in list_pages if "/index_1." in p} <= set(seconds)
    # detail pages: the attachments the source follows are exactly the reports'
    for detail in wanted_pages:
        body = (mirror_root / detail.lstrip("/")).read_bytes()
        html = _as_on_real_site(decode_html(body)[0])
        attached = {_mirror_path(u) for u, _ in find_attachments(html, _real_url(detail), source)}
        expected = {d["path"] for d in docs if d["detail_page"] == detail and d["path"] != detail}
        if source.detail.mode == "attachments":
            assert attached == expected and attached
        else:
            assert not expected  # inline: the page is the report


@pytest.mark.parametrize(("real", "mirror"), [("minhang", "minhang_mirror"), ("donghu", "donghu_mirror")])
def test_real_source_rebased_onto_the_mirror_discovers_what_the_mirror_source_does(
    mirror_root: Path, real: str, mirror: str
) -> None:
    from flows.crawl.discover import discover_links
    from flows.crawl.http import make_client
    from flows.mirror.server import serve_mirror

    with serve_mirror(mirror_root) as server:
        host = urlsplit(load_sources()[real].base_url).hostname
        src = load_sources()[real].rebased(f"{server.base_url}/{host}")
        # the real file's pages on other hosts (Minhang's older CMS) are not mirrored
        src = src.model_copy(update={"list_pages": tuple(p for p in src.list_pages if "://" not in p)})
        fast = {"requests_per_second": 100.0, "backoff_base_seconds": 0.01}
        src = src.model_copy(update={"politeness": src.politeness.model_copy(update=fast)})
        ours = load_sources()[mirror].rebased(server.base_url)
        with make_client(src) as client:
            got = discover_links(src, client)
            want = discover_links(ours, client)
    assert got.errors == [] and got.links
    assert sorted(link.url for link in got.links) == sorted(link.url for link in want.links)


def _one_source(name: str) -> str:
    return (
        f'name = "{name}"\ntitle = "t"\nbase_url = "http://a.example"\nlist_pages = ["/"]\n'
        '[region]\nprovince="a"\ncity="b"\ndistrict="c"\n'
    )


def test_an_operators_folder_is_merged_with_the_bundled_sources(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "county.toml").write_text(_one_source("my_county"), encoding="utf-8")
    merged = load_sources(extra=[mine])
    assert "my_county" in merged and "minhang_mirror" in merged
    # a bundled name defined again: the error names both files
    (mine / "again.toml").write_text(_one_source("minhang_mirror"), encoding="utf-8")
    with pytest.raises(SourceError) as info:
        load_sources(extra=[mine])
    assert "again.toml" in str(info.value) and "minhang_mirror.toml" in str(info.value)
    with pytest.raises(SourceError, match="not a folder"):
        load_sources(extra=[tmp_path / "missing"])


def test_source_folders_come_from_the_setting_the_option_and_both(tmp_path: Path, monkeypatch) -> None:
    import os

    from flows.nightly import select_sources
    from flows.sources.model import source_folders

    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "one.toml").write_text(_one_source("from_setting"), encoding="utf-8")
    (b / "two.toml").write_text(_one_source("from_option"), encoding="utf-8")
    assert source_folders(f"{a}{os.pathsep}{b}") == [a, b]
    monkeypatch.setenv("GOVPERF_SOURCES_DIR", str(a))
    chosen = select_sources(["from_setting", "from_option"], None, extra_dirs=[str(b)])
    assert [s.name for s in chosen] == ["from_setting", "from_option"]
