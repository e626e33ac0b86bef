"""Published outputs as (place, text) units, for the leak check.

Every kind of file the suite publishes is turned into short units of text, each with the place a
reader can find it again: ``line 12`` (HTML, Markdown, text), ``row 3, column quote`` (CSV,
Parquet, Excel), ``<text> #4`` (SVG), ``cell 5 output 0 text/html, line 2`` (notebooks),
``$.quotes[2].text`` (JSON), ``page 2, line 7`` (PDF).

- HTML: text and the attributes a reader or a screen reader sees (alt, title, aria-label, href,
  content, value...), never ``<style>`` or ``style=`` (CSS colours), and never base64 data:
  an inline SVG (``data:image/svg+xml``) is decoded and its text scanned; PNG, JPEG and other
  binary images hold no text and are skipped.
- SVG: the text of every element and comment (matplotlib keeps drawn text in a comment).
- PDF: the text pypdf extracts (a dependency), else ``pdftotext`` (Debian's poppler-utils) or
  ``pdfminer.six`` when installed; without any of them :func:`file_units` returns None and the
  leak check warns that the PDF was not read. A PDF that cannot be parsed is a blocking finding
  (``UNREADABLE``): what cannot be read cannot be published.
- Notebooks: every cell's source and every output's text, HTML, Markdown, JSON and SVG.
- Parquet: every string column except ``*_hash``; CSV/TSV and Excel: every cell.
"""

from __future__ import annotations

import base64
import binascii
import csv
import html.parser
import io
import json
import re
import shutil
import subprocess
import urllib.parse
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Iterator

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".tex", ".log", ".yaml", ".yml", ".jsonl", ".rst"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff"}
READABLE = TEXT_SUFFIXES | {".html", ".htm", ".svg", ".csv", ".tsv", ".json", ".ipynb", ".parquet", ".xlsx", ".pdf"}

Units = Iterator[tuple[str, str]]


def _lines(text: str, prefix: str = "") -> Units:
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield f"{prefix}line {n}", line


def _data_uri_svg(uri: str) -> str | None:
    """The SVG text of a ``data:image/svg+xml`` URI (base64 or percent-encoded); None otherwise."""
    head, _, body = uri.partition(",")
    if not head.lower().startswith("data:image/svg+xml"):
        return None
    try:
        if ";base64" in head.lower():
            return base64.b64decode(body, validate=False).decode("utf-8", errors="replace")
        return urllib.parse.unquote_to_bytes(body).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return None


class _HTMLText(html.parser.HTMLParser):
    _ATTRS = {"alt", "title", "aria-label", "aria-description", "content", "value", "placeholder", "label",
              "href", "src", "data-value", "data-title", "data-label", "summary"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.units: list[tuple[int, str]] = []
        self.svgs: list[tuple[int, str]] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag == "style":
            self._skip += 1
        for name, value in attrs:
            if not value or name not in self._ATTRS:
                continue
            if value.lstrip().lower().startswith("data:"):
                svg = _data_uri_svg(value.strip())
                if svg is not None:
                    self.svgs.append((self.getpos()[0], svg))
                continue
            self.units.append((self.getpos()[0], value))

    def handle_endtag(self, tag):
        if tag == "style" and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if data.strip() and not self._skip:
            self.units.append((self.getpos()[0], data))


def _html_units(text: str, prefix: str = "") -> Units:
    parser = _HTMLText()
    parser.feed(text)
    parser.close()
    for line, data in parser.units:
        for k, part in enumerate(data.splitlines()):
            if part.strip():
                yield f"{prefix}line {line + k}", part
    for n, (line, svg) in enumerate(parser.svgs, start=1):
        yield from _svg_units(svg, f"{prefix}line {line} inline SVG {n} ")


def _svg_units(text: str, prefix: str = "") -> Units:
    try:
        root = ET.fromstring(text, parser=ET.XMLParser(target=ET.TreeBuilder(insert_comments=True)))
    except ET.ParseError:
        yield from _lines(text, prefix)
        return
    counts: dict[str, int] = {}
    for elem in root.iter():
        name = "comment" if elem.tag is ET.Comment else str(elem.tag).rsplit("}", 1)[-1]
        if name == "style":
            continue
        for part in (elem.text, None if elem.tag is ET.Comment else elem.tail):
            if part and part.strip():
                counts[name] = counts.get(name, 0) + 1
                yield f"{prefix}<{name}> #{counts[name]}", part.strip()
        for attr in ("href", "{http://www.w3.org/1999/xlink}href"):
            value = elem.get(attr) if elem.tag is not ET.Comment else None
            if value and value.lower().startswith("data:"):
                svg = _data_uri_svg(value)
                if svg is not None:
                    yield from _svg_units(svg, f"{prefix}<{name}> inline SVG ")


def _json_units(obj, path: str = "$") -> Units:
    if isinstance(obj, str):
        yield path, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _json_units(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _json_units(v, f"{path}[{i}]")


def _notebook_units(nb: dict) -> Units:
    def joined(v) -> str:
        return "".join(v) if isinstance(v, list) else str(v or "")

    for i, cell in enumerate(nb.get("cells", [])):
        yield from _lines(joined(cell.get("source")), f"cell {i} source, ")
        for j, out in enumerate(cell.get("outputs", []) or []):
            where = f"cell {i} output {j}"
            if "text" in out:
                yield from _lines(joined(out["text"]), f"{where} stream, ")
            if out.get("evalue"):
                yield f"{where} error", str(out["evalue"])
            for k, tb in enumerate(out.get("traceback", []) or []):
                yield f"{where} traceback {k}", re.sub(r"\x1b\[[0-9;]*m", "", str(tb))
            for mime, data in (out.get("data") or {}).items():
                body = joined(data) if not isinstance(data, dict) else data
                if mime == "text/html":
                    yield from _html_units(body, f"{where} {mime}, ")
                elif mime == "image/svg+xml":
                    yield from _svg_units(body, f"{where} {mime}, ")
                elif mime.startswith("text/"):
                    yield from _lines(body, f"{where} {mime}, ")
                elif mime.endswith("json"):
                    yield from ((f"{where} {mime} {p}", t) for p, t in _json_units(body))


def _parquet_units(path: Path) -> Units:
    import pandas as pd

    df = pd.read_parquet(path)
    for col in df.columns:
        if str(col).endswith("_hash"):
            continue
        series = df[col]
        if not (series.dtype == object or str(series.dtype) in ("string", "str", "category")):
            continue
        for i, value in enumerate(series.tolist()):
            if isinstance(value, str) and value.strip():
                yield f"row {i}, column {col}", value


def _xlsx_units(path: Path) -> Units:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    for sheet in book.worksheets:
        for r, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            for c, value in enumerate(row, start=1):
                if isinstance(value, str) and value.strip():
                    yield f"sheet {sheet.title}, row {r}, column {c}", value


def pdf_text(path: Path) -> list[str] | None:
    """The text of each page of a PDF, or None when no PDF text tool is installed.

    pypdf (a pinned dependency, so places are the same on every machine) first; then
    ``pdftotext`` from poppler-utils; then pdfminer.six.
    """
    try:
        from pypdf import PdfReader

        return [page.extract_text() or "" for page in PdfReader(str(path)).pages]
    except ImportError:
        pass
    tool = shutil.which("pdftotext")
    if tool:
        done = subprocess.run([tool, "-layout", "-enc", "UTF-8", str(path), "-"], capture_output=True, timeout=120)
        if done.returncode == 0:
            return done.stdout.decode("utf-8", errors="replace").split("\f")
    try:
        from pdfminer.high_level import extract_text

        return extract_text(str(path)).split("\f")
    except ImportError:
        return None


def _pdf_units(pages: list[str]) -> Units:
    for p, page in enumerate(pages, start=1):
        yield from _lines(page, f"page {p}, ")


def file_units(path: Path) -> Units | None:
    """The text of one output file as (place, text) units; None when it holds no readable text.

    A PDF returns None only when no PDF text tool is installed (the leak check warns).
    """
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return _parquet_units(path)
    if suffix == ".xlsx":
        return _xlsx_units(path)
    if suffix == ".pdf":
        pages = pdf_text(path)
        return None if pages is None else _pdf_units(pages)
    if suffix not in READABLE:
        return None
    text = path.read_text(encoding="utf-8", errors="replace")
    if suffix in (".html", ".htm"):
        return _html_units(text)
    if suffix == ".svg":
        return _svg_units(text)
    if suffix in (".csv", ".tsv"):
        rows = csv.reader(io.StringIO(text), delimiter="\t" if suffix == ".tsv" else ",")
        return ((f"row {r}, column {c}", v) for r, row in enumerate(rows, start=1)
                for c, v in enumerate(row, start=1) if v.strip())
    if suffix in (".json", ".ipynb"):
        try:
            obj = json.loads(text)
        except json.JSONDecodeError:
            return _lines(text)
        return _notebook_units(obj) if suffix == ".ipynb" else _json_units(obj)
    return _lines(text)
