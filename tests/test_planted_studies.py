"""Planted studies (tests/fixtures/planted/): nothing planted reaches the de-identified tables.

A planted study is a trial study as a new user would bring it, with personal details planted the
way people say them (see the folder's README). The check is the one a data protection officer
would make: every planted string, searched for whole-word and case-blind in every table that
``engagement prepare`` writes, is absent; the public terms listed to keep are still there.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from engagement.config import load_config
from engagement.prepare import prepare

PLANTED = Path(__file__).parent / "fixtures" / "planted"
STUDIES = sorted(p.name for p in PLANTED.iterdir() if (p / "PLANTED.tsv").is_file())


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


@pytest.fixture(scope="module", params=STUDIES)
def prepared(request, tmp_path_factory):
    src = PLANTED / request.param
    root = tmp_path_factory.mktemp(request.param)
    shutil.copytree(src / "raw", root / "raw")
    (root / "engagement.yaml").write_text(
        "project: planted\nraw_dir: raw\nprocessed_dir: processed\nfigures_dir: figures\nreports_dir: reports\n"
        "regions: [Essex, Suffolk, Norfolk, Cambridgeshire, Peterborough]\n", encoding="utf-8")
    result = prepare(load_config(root / "engagement.yaml"))
    published = "\n".join(df.astype(str).to_csv() for df in result.tables.values())
    return src, published, result.tables["segments"]


def _gaps(src: Path) -> dict[str, dict]:
    """Details the suite knowingly leaves in the tables (KNOWN_GAPS.tsv), with why."""
    path = src / "KNOWN_GAPS.tsv"
    return {r["text"]: r for r in _rows(path)} if path.is_file() else {}


@pytest.mark.slow
def test_no_planted_detail_reaches_the_de_identified_tables(prepared):
    src, published, _ = prepared
    leaked = []
    gaps = _gaps(src)
    for row in _rows(src / "PLANTED.tsv"):
        text = row["text"].strip()
        if not text or (text.isdigit() and len(text) <= 3) or text in gaps:     # "92": also in every timestamp
            continue
        if re.search(r"(?<![A-Za-z0-9])" + re.escape(text) + r"(?![A-Za-z0-9])", published, re.IGNORECASE):
            leaked.append(f"{row['kind']}: {row['file']}")       # the kind and file, never the value
    assert not leaked, f"{len(leaked)} planted detail(s) reached the tables: {leaked}"


@pytest.mark.slow
def test_public_terms_and_name_like_words_are_kept(prepared):
    src, _, segments = prepared
    spoken = " ".join(segments["text"].astype(str)).casefold()
    raw = {p.name: p.read_text(encoding="utf-8", errors="replace") for p in (src / "raw" / "transcripts").iterdir()}
    keep = [r for r in _rows(src / "KEEP.tsv") if r["text"].strip()]
    # a term only in a file's title line (skipped before the first speaker) is no turn to keep
    body = {name: "\n".join([line for line in text.splitlines() if line.strip()][1:]) for name, text in raw.items()}
    # a survey's answers are its text columns: an area or a town in its region column is no answer text
    with (src / "raw" / "sessions.csv").open(encoding="utf-8", newline="") as f:
        sessions = list(csv.DictReader(f))
    for row in sessions:
        name = Path(row["file"]).name
        if row.get("kind") == "survey" and name.endswith(".csv") and row.get("text_column"):
            with (src / "raw" / row["file"]).open(encoding="utf-8", newline="") as f:
                answers = list(csv.DictReader(f))
            columns = [c.strip() for c in row["text_column"].split("|")]
            body[name] = "\n".join(str(a.get(c) or "") for a in answers for c in columns)
    regions = {"Essex", "Suffolk", "Norfolk", "Cambridgeshire", "Peterborough"}
    said = [r for r in keep if r["text"] in body.get(r["file"], "")
            and not (r["file"].endswith((".csv", ".xlsx")) and r["text"] in regions)]
    lost = [r["text"] for r in said if r["text"].casefold() not in spoken]
    assert len(lost) <= max(1, len(said) // 20), lost        # at most 1 in 20 public terms over-redacted


@pytest.mark.slow
def test_a_known_gap_that_singles_someone_out_is_never_quoted(prepared):
    """What stays in the tables by design ("the only Black bus driver in Wisbech") must stay out of the
    report: every sentence holding such a gap is one the quotes never use."""
    from engagement.analysis.quotes import singles_out

    src, _, segments = prepared
    texts = segments["text"].astype(str)
    for text, row in _gaps(src).items():
        if row["kind"] not in ("unique_occupation", "occupation", "location"):
            continue
        holding = texts[texts.str.contains(text, regex=False)]
        assert len(holding) and all(singles_out(t) for t in holding), row["kind"]
