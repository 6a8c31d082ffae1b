"""Site configuration: one TOML file per site family, read into a `Source`.

A new district is a new TOML file in this folder, not a new module. Every field is
documented in the comment header of the TOML files here; the model checks the values
so a typo fails at load time with the file's name, not half-way through a crawl.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

SOURCES_DIR = Path(__file__).resolve().parent

DEFAULT_INCLUDE = ("绩效自评", "绩效评价", "自评报告", "自评表")
DEFAULT_EXCLUDE = ("决算", "预算公开", "新闻", "会议")
DEFAULT_EXTENSIONS = ("pdf", "doc", "docx", "xls", "xlsx")
# kinds of list endpoint; flows/crawl/lists/ has one module per kind
ListKind = Literal["static", "script", "vsb", "json", "dataproxy"]


class _Strict(BaseModel):
    # unknown keys are typos in hand-written TOML: refuse them instead of ignoring them
    model_config = ConfigDict(extra="forbid", frozen=True)


class Region(_Strict):
    """Where the reports of this source come from: hints for the parser, not proof."""

    province: str
    city: str
    district: str
    street: str | None = None


class Pagination(_Strict):
    """How to reach list page 2, 3, … from a first page.

    `pattern` holds `{n}`. A pattern starting with `?` or `&` is added to the first page's
    query (`?page={n}`); any other pattern replaces the last path segment
    (`index_{n}.html`). `start` is the n of the *second* page: `index.html` is followed by
    `index_1.html` (start 1), `?page=1` by `?page=2` (start 2).
    """

    pattern: str | None = None
    start: int = Field(default=1, ge=0)
    max_pages: int = Field(default=20, ge=1)
    follow_next: bool = True
    next_texts: tuple[str, ...] = ("下一页", "下页", "后一页", "next", "Next", ">")

    @field_validator("pattern")
    @classmethod
    def _has_n(cls, v: str | None) -> str | None:
        if v is not None and "{n}" not in v:
            raise ValueError("pagination pattern must contain {n}")
        return v


class Links(_Strict):
    """Which anchors on a list page are reports."""

    item_selector: str = "li a[href]"
    # regex searched in the resolved detail URL; empty = any URL
    url_pattern: str | None = None
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    # opt-in: titles with one of these words (e.g. 部门决算) are crawled too, although an
    # exclude word may name them; their documents are read for an embedded self-evaluation
    # (部门整体支出绩效自评情况, 项目支出绩效自评表) and only those parts become reports
    final_accounts: tuple[str, ...] = ()
    # a mobile twin of a detail page (t20230904_1_wap.html beside t20230904_1.html) is this
    # regex's match removed from the URL: both are one report, the desktop page is kept
    twin_pattern: str | None = r"_wap(?=\.[a-z]+$)"

    @field_validator("url_pattern", "twin_pattern")
    @classmethod
    def _compiles(cls, v: str | None) -> str | None:
        if v:
            re.compile(v)
        return v or None


class Detail(_Strict):
    """What a detail page holds.

    mode: `inline` (the page is the report), `attachments` (the report is in linked
    files), `auto` (attachments when the page links any, else the page itself).
    """

    mode: Literal["inline", "attachments", "auto"] = "auto"
    attachment_extensions: tuple[str, ...] = DEFAULT_EXTENSIONS
    attachment_selector: str = "a[href]"
    # attachment link texts containing one of these are skipped (e.g. 政策解读)
    attachment_exclude: tuple[str, ...] = ()
    # regexes of download endpoints whose URL names no file type (download?id=…,
    # DownLoad.aspx?id=…): followed, and typed from Content-Type, Content-Disposition and
    # the bytes
    download_patterns: tuple[str, ...] = ()

    @field_validator("download_patterns")
    @classmethod
    def _patterns_compile(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for rx in v:
            re.compile(rx)
        return v

    @field_validator("attachment_extensions")
    @classmethod
    def _norm_ext(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(e.lower().lstrip(".") for e in v)


class Api(_Strict):
    """A list served as data (kinds json and dataproxy): where to ask for page n, how to read it.

    `url` and the `params` values may hold `{column}`: the first group of `column_pattern`
    in the column's list page URL (col/col1229/index.html → 1229), or the list page itself.
    """

    url: str = "/module/web/jpage/dataproxy.jsp"
    method: Literal["GET", "POST"] = "GET"
    # fixed parameters: the query of a GET, the form (or JSON body) of a POST
    params: dict[str, str] = Field(default_factory=dict)
    body: Literal["form", "json"] = "form"
    column_pattern: str | None = None
    page_param: str = "page"
    page_start: int = Field(default=1, ge=0)  # the first page's number
    page_size_param: str | None = None
    page_size: int = Field(default=20, ge=1, le=500)
    # json: dotted paths into the answer; fields of one record by name
    records_path: str = "data.list"
    title_field: str = "title"
    url_field: str = "url"
    date_field: str | None = None
    total_pages_path: str | None = None
    total_records_path: str | None = None

    @field_validator("column_pattern")
    @classmethod
    def _column_compiles(cls, v: str | None) -> str | None:
        if v:
            re.compile(v)
        return v or None


class Politeness(_Strict):
    requests_per_second: float = Field(default=1.0, gt=0)
    concurrency: int = Field(default=2, ge=1, le=16)
    timeout_seconds: float = Field(default=30.0, gt=0)
    max_body_mb: float = Field(default=50.0, gt=0)
    max_retries: int = Field(default=3, ge=0, le=10)
    # first retry waits about this long, doubling each time (with jitter)
    backoff_base_seconds: float = Field(default=1.0, ge=0)
    backoff_max_seconds: float = Field(default=60.0, ge=0)
    # a Retry-After longer than this is cut to it: a nightly run must end
    max_retry_after_seconds: float = Field(default=120.0, ge=0)
    # one URL (its retries, waits, redirects and trickled body included) gets this long in all
    max_seconds_per_url: float = Field(default=90.0, gt=0)
    # the whole source (list pages, details, attachments) gets this long; later requests fail
    max_seconds_per_source: float = Field(default=1800.0, gt=0)
    max_redirects: int = Field(default=5, ge=0, le=20)
    user_agent_suffix: str = ""
    respect_robots: bool = True

    @property
    def min_interval(self) -> float:
        return 1.0 / self.requests_per_second

    @property
    def max_body_bytes(self) -> int:
        return int(self.max_body_mb * 1024 * 1024)


class Source(_Strict):
    name: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    region: Region
    verified: bool = False
    enabled: bool = True
    base_url: str
    # first pages, one per column; relative entries are joined to base_url
    list_pages: tuple[str, ...] = Field(min_length=1)
    # where requests may go: host names (http on 80, https on 443) or scheme://host:port
    # origins; base_url's own origin always. Empty = base_url's host.
    allowed_hosts: tuple[str, ...] = ()
    kind: ListKind = "static"
    api: Api | None = None
    # loopback, private, link-local addresses are refused after DNS resolution unless true
    allow_private_addresses: bool = False
    pagination: Pagination = Pagination()
    links: Links = Links()
    detail: Detail = Detail()
    politeness: Politeness = Politeness()

    @field_validator("base_url")
    @classmethod
    def _http(cls, v: str) -> str:
        parts = urlsplit(v)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"base_url must be an http(s) URL, got {v!r}")
        return v.rstrip("/")

    @field_validator("allowed_hosts")
    @classmethod
    def _hosts_or_origins(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for entry in v:
            if "://" in entry:
                _origin(entry)  # raises ValueError with the entry
            elif not re.fullmatch(r"[A-Za-z0-9.-]+", entry):
                raise ValueError(f"allowed_hosts entry {entry!r}: a host name, or scheme://host:port")
        return v

    @model_validator(mode="after")
    def _api_for_data_kinds(self) -> Source:
        if self.kind in ("json", "dataproxy") and self.api is None:
            if self.kind == "json":
                raise ValueError("kind = 'json' needs an [api] table (url, records_path, fields)")
            object.__setattr__(self, "api", Api(method="POST", column_pattern=r"/col/col(\d+)"))
        if self.api is not None and self.kind not in ("json", "dataproxy"):
            raise ValueError(f"an [api] table is read only with kind json or dataproxy, not {self.kind!r}")
        return self

    @model_validator(mode="after")
    def _default_hosts(self) -> Source:
        if not self.allowed_hosts:
            object.__setattr__(self, "allowed_hosts", (_host(self.base_url),))
        object.__setattr__(self, "allowed_hosts", tuple(h.lower() for h in self.allowed_hosts))
        return self

    def list_page_urls(self) -> list[str]:
        """The first page of every column, as absolute URLs."""
        return [self.resolve(p) for p in self.list_pages]

    def resolve(self, path_or_url: str) -> str:
        if urlsplit(path_or_url).scheme:
            return path_or_url
        return f"{self.base_url}/{path_or_url.lstrip('/')}"

    def allowed_origins(self) -> frozenset[tuple[str, str, int]]:
        """(scheme, host, port) every request of this source must go to."""
        out = {_origin(self.base_url)}
        for entry in self.allowed_hosts:
            if "://" in entry:
                out.add(_origin(entry))
            elif entry == _host(self.base_url) and urlsplit(self.base_url).port not in (None, 80, 443):
                continue  # a base on its own port: that port only, not the host's others
            else:
                out.update({("http", entry, 80), ("https", entry, 443)})
        return frozenset(out)

    def host_allowed(self, url: str) -> bool:
        """Whether url's scheme, host and port are one of the source's allowed origins."""
        try:
            return _origin(url) in self.allowed_origins()
        except ValueError:  # no host, a port out of range, not http(s)
            return False

    def rebased(self, base_url: str) -> Source:
        """A copy whose URLs under base_url point at another base (the mirror's random port).

        Absolute list pages on other hosts are left as they are.
        """
        new = base_url.rstrip("/")
        old_host, new_host = _host(self.base_url), _host(new)
        pages = tuple(
            new + p[len(self.base_url) :] if p.startswith(self.base_url) else p for p in self.list_pages
        )
        hosts = tuple(dict.fromkeys(new_host if h == old_host else h for h in self.allowed_hosts))
        # the operator pointed the source at this address on purpose (a mirror on this machine)
        private = self.allow_private_addresses or _is_literal_private(new_host)
        return self.model_copy(
            update={
                "base_url": new,
                "list_pages": pages,
                "allowed_hosts": hosts,
                "allow_private_addresses": private,
            }
        )


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    return scheme, parts.hostname.lower(), parts.port or (443 if scheme == "https" else 80)


def _is_literal_private(host: str) -> bool:
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return host == "localhost"


class SourceError(ValueError):
    """A source file that cannot be read; the message names the file."""


def load_source(path: Path) -> Source:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return Source.model_validate(data)
    except (tomllib.TOMLDecodeError, ValidationError, OSError) as exc:
        raise SourceError(f"{path}: {exc}") from exc


def load_sources(folder: Path | None = None, *, extra: Sequence[Path] = ()) -> dict[str, Source]:
    """Every *.toml in folder (default: this package's folder) and in the extra folders (an
    operator's own, kept apart from the code), by source name. A name defined twice is an
    error naming both files."""
    out: dict[str, Source] = {}
    where: dict[str, Path] = {}
    for directory in (folder or SOURCES_DIR, *extra):
        if not directory.is_dir():
            raise SourceError(f"{directory}: not a folder of source files")
        for path in sorted(directory.glob("*.toml")):
            src = load_source(path)
            if src.name in out:
                raise SourceError(
                    f"{path}: source name {src.name!r} is used twice (also in {where[src.name]})"
                )
            out[src.name] = src
            where[src.name] = path
    return out


def select_sources(
    names: list[str] | None,
    base_url: str | None,
    sources_dir: Path | None = None,
    extra_dirs: Sequence[str | Path] | None = None,
) -> list[Source]:
    """The named sources (all enabled ones when none are named), rebased onto base_url if given.

    Source files come from the bundled folder (or sources_dir instead) plus extra_dirs (an
    operator's own folders: --sources options, GOVPERF_SOURCES_DIR, govperf.toml's sources_dir).
    """
    folders = [Path(d) for d in extra_dirs or ()]
    available = load_sources(sources_dir, extra=list(dict.fromkeys(folders)))
    if names:
        unknown = [n for n in names if n not in available]
        if unknown:
            raise ValueError(
                f"unknown source(s): {', '.join(unknown)}; known: {', '.join(sorted(available))}"
            )
        chosen = [available[n] for n in names]
    else:
        chosen = [s for s in available.values() if s.enabled]
    return [s.rebased(base_url) if base_url else s for s in chosen]


def source_folders(setting: str | Sequence[str] | None) -> list[Path]:
    """Folders from a setting: a list, or one string of paths joined by the OS path separator."""
    if not setting:
        return []
    parts = setting.split(os.pathsep) if isinstance(setting, str) else list(setting)
    return [Path(p).expanduser() for p in parts if p]
