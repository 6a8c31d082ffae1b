"""The request for page n of a data list: `{column}` filled, page parameters added."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from flows.crawl.lists.base import ListRequest
from flows.sources.model import Api, Source


def column_id(api: Api, column_url: str) -> str:
    """The column's id from its list page URL (col/col1229/index.html → 1229), else the URL."""
    if api.column_pattern:
        m = re.search(api.column_pattern, column_url)
        if m:
            return m.group(1) if m.groups() else m.group(0)
    return column_url


def build(
    source: Source, column_url: str, n: int, query: dict[str, str], form: dict[str, str]
) -> ListRequest:
    """GET: params and page parameters in the query; POST: `query` in the URL, params in the form."""
    api = source.api
    assert api is not None
    col = column_id(api, column_url)
    path = api.url.replace("{column}", col)
    endpoint = urljoin(column_url, path) if path.startswith(".") else source.resolve(path)
    params = {k: v.replace("{column}", col) for k, v in api.params.items()}
    parts = urlsplit(endpoint)
    url_query = dict(parse_qsl(parts.query, keep_blank_values=True))
    if api.method == "GET":
        url_query.update(params)
        url_query.update(form)
        url_query.update(query)
        url = urlunsplit(parts._replace(query=urlencode(url_query)))
        return ListRequest(column=column_url, url=url, n=n)
    url_query.update(query)
    url = urlunsplit(parts._replace(query=urlencode(url_query)))
    fields = {**params, **form}
    if api.body == "json":
        body = json.dumps(fields, ensure_ascii=False, sort_keys=True).encode("utf-8")
        ctype = "application/json; charset=utf-8"
    else:
        body = urlencode(fields).encode("ascii")
        ctype = "application/x-www-form-urlencoded; charset=UTF-8"
    return ListRequest(column=column_url, url=url, n=n, method="POST", body=body, content_type=ctype)
