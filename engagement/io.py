"""Reading and writing the suite's tables: schema-checked, atomic, hashed."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from engagement.errors import InputError
from engagement.schemas import validate

if TYPE_CHECKING:
    from engagement.config import Config


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


#: First characters that make a spreadsheet read a cell as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(table):
    """``table`` with every text cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first)
    prefixed with an apostrophe, so a CSV opened in Excel or LibreOffice shows the text."""
    from pandas.api.types import is_object_dtype, is_string_dtype

    out = table.copy()
    for col in out.columns:
        if is_object_dtype(out[col]) or is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v)
    return out


#: Rows per Parquet row group: big tables are converted and written a group at a time.
ROW_GROUP_ROWS = 50_000


def write_parquet(df: pd.DataFrame, path: str | Path, *, row_group_rows: int | None = None) -> None:
    """Write ``df`` (no index) as Parquet in row groups of ``row_group_rows``.

    Each group is converted to Arrow and written before the next is converted, so a big table
    never exists twice in memory; readers can also read one group at a time. The file reads back
    as ``df.to_parquet(path, index=False)`` would.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    size = row_group_rows or ROW_GROUP_ROWS
    if len(df) <= size:
        df.to_parquet(path, index=False)
        return
    schema = pa.Schema.from_pandas(df, preserve_index=False)
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, len(df), size):
            part = pa.Table.from_pandas(df.iloc[start:start + size], schema=schema, preserve_index=False)
            writer.write_table(part, row_group_size=size)


def write_table(df: pd.DataFrame, name: str, path: str | Path) -> Path:
    """Validate ``df`` against table ``name``'s schema and write it atomically as Parquet."""
    path = Path(path)
    checked = validate(df.reset_index(drop=True), name, where=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write_parquet(checked, tmp)
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


def write_tables(tables: dict[str, pd.DataFrame], cfg: Config, *, validated: bool = False) -> dict[str, Path]:
    """Write all tables to temporary files first, then rename them into place together.

    Every table is checked against its schema first, unless the caller just did (``validated``).
    Big tables are written in row groups (:func:`write_parquet`).
    """
    cfg.processed_dir.mkdir(parents=True, exist_ok=True)
    cfg.processed_dir.chmod(0o700)  # de-identified, but not for publication: owner-only
    staged: list[tuple[str, Path]] = []
    try:
        for name, df in tables.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=cfg.processed_dir)
            os.close(fd)
            staged.append((tmp, cfg.table_path(name)))
            write_parquet(df if validated else validate(df, name), tmp)
        for tmp, final in staged:
            os.replace(tmp, final)
    finally:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
    return {name: cfg.table_path(name) for name in tables}
