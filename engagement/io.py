"""Reading and writing the suite's tables: schema-checked, atomic, hashed."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import pandas as pd

from engagement.errors import InputError
from engagement.schemas import validate


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temporary file in the same folder, then rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def write_table(df: pd.DataFrame, name: str, path: str | Path) -> Path:
    """Validate ``df`` against table ``name``'s schema and write it atomically as Parquet."""
    path = Path(path)
    checked = validate(df.reset_index(drop=True), name, where=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        checked.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_table(name: str, path: str | Path) -> pd.DataFrame:
    """Read a table written by :func:`write_table` and check its schema."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"table '{name}' has not been written yet (run the earlier stage first)", path=path)
    return validate(pd.read_parquet(path), name, where=str(path))
