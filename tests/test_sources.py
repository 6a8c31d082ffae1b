"""The source files: they load, they say what they cover, and bad files fail by name."""

from __future__ import annotations

from pathlib import Path

import pytest

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
