"""Legacy Word .doc through the `antiword` command (Debian package antiword), `catdoc` as a fallback.

antiword prints one paragraph per line with `-w 0` and table rows as `|cell |cell |`;
catdoc prints table cells tab-separated. Both outputs go through the plain-text reader.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from flows.documents.model import Document, ExtractError
from flows.documents.txt import decode_text, lines_to_blocks

TIMEOUT_SECONDS = 60
MISSING = "legacy .doc needs antiword: apt-get install antiword"


def _run(argv: list[str], path: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    return subprocess.run([*argv, path], capture_output=True, timeout=TIMEOUT_SECONDS, env=env, check=False)


def _converters() -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = []
    if antiword := shutil.which("antiword"):
        found.append(("antiword", [antiword, "-w", "0", "-m", "UTF-8.txt"]))
    if catdoc := shutil.which("catdoc"):
        found.append(("catdoc", [catdoc, "-d", "utf-8", "-w"]))
    return found


def _substance(text: str) -> int:
    return sum(1 for ch in text if not ch.isspace() and ch != "|")


def _to_text(data: bytes, name: str) -> tuple[str, str]:
    """(text, converter used)."""
    converters = _converters()
    if not converters:
        raise ExtractError("unsupported_format", MISSING, name)
    failures: list[str] = []
    # each converter loses a different part of some tables (antiword cuts rows with vertically
    # merged cells, catdoc skips some tables whole): the one that keeps more text wins
    results: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="govperf-doc-") as tmp:
        path = os.path.join(tmp, "document.doc")
        with open(path, "wb") as f:
            f.write(data)
        for label, argv in converters:
            try:
                done = _run(argv, path)
            except subprocess.TimeoutExpired:
                failures.append(f"{label}: timed out after {TIMEOUT_SECONDS}s")
                continue
            stderr = done.stderr.decode("utf-8", "replace").strip()
            if "encrypt" in stderr.lower() or "password" in stderr.lower():
                raise ExtractError("encrypted", f"password-protected .doc ({label}: {stderr})", name)
            text, _ = decode_text(done.stdout)
            if done.returncode == 0 and text.strip():
                results.append((text, label))
                continue
            failures.append(f"{label}: {stderr or f'exit {done.returncode}, no text'}")
    if results:
        return max(results, key=lambda r: _substance(r[0]))
    raise ExtractError("corrupt", "; ".join(failures), name)


def read_doc(data: bytes, name: str) -> Document:
    text, converter = _to_text(data, name)
    blocks = lines_to_blocks(text.splitlines())
    return Document(name=name, format="doc", blocks=blocks, meta={"converter": converter})
