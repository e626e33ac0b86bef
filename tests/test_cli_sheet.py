"""`engagement sheet prune` from the command line: the store's stale decisions, said in one line."""

from __future__ import annotations

from engagement.cli import main
from engagement.coding import human
from engagement.config import load_config
from engagement.io import write_table
from tests.conftest import write_project
from tests.test_human import decision, table


def test_sheet_prune_from_the_command_line_says_what_it_would_do_then_does_it(tmp_path, capsys):
    import pandas as pd

    from engagement.schemas import SCHEMAS

    root = write_project(tmp_path / "project")
    cfg = load_config(root / "engagement.yaml")
    config = str(root / "engagement.yaml")
    assert main(["--config", config, "sheet", "prune"]) != 0          # no segments yet: refused, nothing removed
    assert "segments" in capsys.readouterr().err

    human.record_decisions(cfg, table(decision("S1", "consent_optout"), decision("S9", "consent_control", text="gone")))
    columns = list(SCHEMAS["segments"].columns)
    seg = pd.DataFrame([{c: "" for c in columns}])
    seg = seg.assign(segment_id="S1", text="I want to be able to opt out.", role="participant", kind="focus_group",
                     region="Essex", session_id="ESX-FG1", participant_id="P1")
    for name, col in SCHEMAS["segments"].columns.items():
        if "int" in str(col.dtype).lower():
            seg[name] = 0
        elif "float" in str(col.dtype).lower():
            seg[name] = 0.0
        elif "bool" in str(col.dtype).lower():
            seg[name] = False
    write_table(seg, "segments", cfg.table_path("segments"))

    before = human.store_path(cfg).read_bytes()
    assert main(["--config", config, "sheet", "prune", "--dry-run"]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith("would prune 1 stale decision(s)") and "\n" not in out
    assert human.store_path(cfg).read_bytes() == before
    assert main(["--config", config, "sheet", "prune"]) == 0
    assert capsys.readouterr().out.startswith("pruned 1 stale decision(s)")
    assert human.load_human_codings(cfg)["segment_id"].tolist() == ["S1"]
