"""The mirror's answers that are not files: a Hanweb data proxy (POST), a JSON list API (GET)
and a download script that names no file type (download?id=…). manifest.json describes them
under "endpoints", by URL path, so the server stays generic.

    "endpoints": {
      "/host/module/web/jpage/dataproxy.jsp": {"kind": "dataproxy", "columns": {"1229": {"records": ["<li>…</li>"], "modified": "…"}}},
      "/host/api/list": {"kind": "json_list", "post": false, "column_param": "channelId", "page_param": "page",
                         "size_param": "size", "columns": {"czzj": {"records": [{…}], "modified": "…"}}},
      "/host/download": {"kind": "download", "id_param": "id", "files": {"3": {"path": "/host/_files/x.bin",
                         "filename": "报告.docx", "name_encoding": "rfc5987" | "gbk" | "utf-8"}}}
    }
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote


@dataclass(slots=True)
class Answer:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    modified: str | None = None  # HTTP date
    headers: dict[str, str | bytes] = field(default_factory=dict)


def _int(params: dict[str, str], key: str, default: int) -> int:
    value = params.get(key, "")
    return int(value) if value.isdigit() else default


def dataproxy(spec: dict[str, Any], params: dict[str, str]) -> Answer:
    """Records startrecord..endrecord (1-based, inclusive) of the column, as Hanweb's XML."""
    column = spec["columns"].get(params.get("columnid", ""))
    if column is None:
        return Answer(
            200,
            b'<?xml version="1.0" encoding="UTF-8"?><datastore><recordset></recordset></datastore>',
            "text/xml;charset=UTF-8",
        )
    records: list[str] = column["records"]
    start = max(1, _int(params, "startrecord", 1))
    end = min(len(records), _int(params, "endrecord", start + 14))
    rows = "\n".join(f"<record><![CDATA[\n{r}\n]]></record>" for r in records[start - 1 : end])
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n'
        f'<nextgroup><![CDATA[<a href=""></a>]]></nextgroup>\n<recordset>\n{rows}\n</recordset>\n'
        f"<totalrecord>{len(records)}</totalrecord>\n</datastore>\n"
    )
    return Answer(200, xml.encode("utf-8"), "text/xml;charset=UTF-8", column.get("modified"))


def json_list(spec: dict[str, Any], params: dict[str, str]) -> Answer:
    """One page of the column's records, as a public-information platform's JSON."""
    column = spec["columns"].get(params.get(spec["column_param"], ""))
    if column is None:
        body = {"code": 404, "msg": "栏目不存在", "data": None}
        return Answer(
            200, json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json;charset=UTF-8"
        )
    records: list[dict[str, Any]] = column["records"]
    size = max(1, min(100, _int(params, spec["size_param"], 10)))
    page = max(1, _int(params, spec["page_param"], 1))
    pages = max(1, -(-len(records) // size))
    chunk = records[(page - 1) * size : page * size]
    body = {
        "code": 0,
        "msg": "success",
        "data": {"total": len(records), "pages": pages, "page": page, "list": chunk},
    }
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Answer(200, text.encode("utf-8"), "application/json;charset=UTF-8", column.get("modified"))


def download(spec: dict[str, Any], params: dict[str, str], root: Path) -> Answer:
    """The file behind an id, typed only by its Content-Disposition (and bytes)."""
    entry = spec["files"].get(params.get(spec.get("id_param", "id"), ""))
    if entry is None:
        return Answer(404, b"404\n")
    target = (root / entry["path"].lstrip("/")).resolve()
    if not target.is_file() or not target.is_relative_to(root):
        return Answer(404, b"404\n")
    name: str = entry["filename"]
    how = entry.get("name_encoding", "rfc5987")
    if how == "rfc5987":
        disposition: str | bytes = f"attachment; filename=\"download\"; filename*=UTF-8''{quote(name)}"
    else:  # the raw bytes of the name in the header, as many old ASP.NET and JSP sites send them
        disposition = b'attachment; filename="' + name.encode("gbk" if how == "gbk" else "utf-8") + b'"'
    return Answer(
        200,
        target.read_bytes(),
        entry.get("content_type", "application/octet-stream"),
        entry.get("modified"),
        {"Content-Disposition": disposition},
    )


def answer(spec: dict[str, Any], method: str, params: dict[str, str], root: Path) -> Answer:
    kind = spec.get("kind")
    if kind == "dataproxy":
        return dataproxy(spec, params) if method == "POST" else Answer(405, b"405\n")
    if kind == "json_list" and (method in ("GET", "HEAD") or spec.get("post")):
        return json_list(spec, params)
    if method != "GET" and method != "HEAD":
        return Answer(405, b"405\n")
    if kind == "download":
        return download(spec, params, root)
    return Answer(404, b"404\n")
