"""Reading a raw file's bytes, and telling a Word package from an Excel one.

The lowest layer of the readers: :mod:`~engagement.ingest.readers.detect` and every reader
use it, and it uses none of them.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from engagement.errors import InputError

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")

# Main-part content types in [Content_Types].xml (macro-enabled variants included).
_DOCX_TYPES = ("wordprocessingml.document.main+xml", "ms-word.document.macroenabled.main+xml",
               "wordprocessingml.template.main+xml")
_XLSX_TYPES = ("spreadsheetml.sheet.main+xml", "ms-excel.sheet.macroenabled.main+xml",
               "spreadsheetml.template.main+xml")


def read_bytes(path: str | Path) -> bytes:
    """Read a whole file, turning OS errors into :class:`InputError`.

    Args:
        path: the file to read.

    Returns:
        The file's bytes.
    """
    p = Path(path)
    if not p.exists():
        raise InputError("file not found", path=p)
    if not p.is_file():
        raise InputError("not a regular file", path=p)
    try:
        return p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror or exc})", path=p) from exc


def zip_kind(data: bytes, path: str | Path) -> str:
    """Say whether zip bytes are a Word ("docx") or Excel ("xlsx") package.

    Raises:
        InputError: the zip is truncated or corrupt, or is some other kind of zip.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "[Content_Types].xml" not in names:
                raise InputError("binary or corrupt file: a zip archive that is not a Word or Excel document",
                                 path=path)
            types = zf.read("[Content_Types].xml").decode("utf-8", "replace").lower()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, KeyError, OSError) as exc:
        raise InputError(f"binary or corrupt file: damaged or truncated zip archive ({exc})", path=path) from None
    if any(t in types for t in _DOCX_TYPES) or "word/document.xml" in names:
        return "docx"
    if any(t in types for t in _XLSX_TYPES) or "xl/workbook.xml" in names:
        return "xlsx"
    raise InputError("binary or corrupt file: an Office zip package that is neither .docx nor .xlsx", path=path)
