"""The `engagement` command line.

Each stage is a subcommand; a user error prints one line and exits non-zero, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

from engagement.errors import EngagementError

EPILOG = """\
start a study:
  init         a project folder anywhere, with manifests drafted from a folder of transcripts
stages, in order:
  prepare      raw transcripts + manifest -> sessions, participants, turns, segments (de-identified)
  code         segments -> codings (codebook rules), topics (BERTopic), stance
  batch        run the notebooks with papermill: prepare, code, one per region + all, summary report
your own coding:
  sheet        export a coding sheet (xlsx) to check the autocoding and add codes; import it back
  learn        learn from your codes and suggest codes for what is not yet coded
utilities:
  inspect      what the suite sees in one file, before you add it to the manifest
  redact       de-identify any text or JSONL file with the project's detector
  leak-check   scan every output for personal data that should have been redacted

The project is configured by engagement.yaml (paths, regions, thresholds); see README.md.
"""


def _config(args):
    from engagement.config import load_config

    overrides = {}
    if getattr(args, "fast", False):
        overrides["segmentation"] = "fast"
    return load_config(args.config, **overrides)


def cmd_init(args) -> int:
    import shutil

    from engagement.config import DEFAULTS
    from engagement.errors import InputError
    from engagement.io import atomic_write_text
    from engagement.ingest.draft import config_text, draft_manifests

    project, source = args.project.resolve(), args.transcripts.resolve()
    if not source.is_dir():
        raise InputError("transcripts folder not found", path=source)
    if (project / "engagement.yaml").exists() and not args.force:
        raise InputError("already a project (engagement.yaml exists); use --force to draft its manifests again",
                         path=project)
    if project == source or project in source.parents:
        raise InputError("the project folder must not contain the transcripts folder: they are copied into raw/",
                         path=project)
    regions = [r.strip() for r in args.regions.split(",") if r.strip()] if args.regions else list(DEFAULTS["regions"])
    raw = project / "raw"
    target = raw / "transcripts"
    for folder in (project, raw, target):
        folder.mkdir(parents=True, exist_ok=True)
    raw.chmod(0o700)
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source)
        if path.is_file() and not any(part.startswith(".") for part in rel.parts):
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / rel)
            (target / rel).chmod(0o600)
    draft = draft_manifests(target, regions, base=raw)
    atomic_write_text(project / "engagement.yaml", config_text(project.name, regions))
    atomic_write_text(raw / "sessions.csv", draft.sessions.to_csv(index=False))
    atomic_write_text(raw / "participants.csv", draft.participants.to_csv(index=False))
    todo = sum(str(v).count("TODO(") for frame in (draft.sessions, draft.participants) for v in frame.to_numpy().ravel())
    kinds = draft.sessions["kind"].value_counts().to_dict() if len(draft.sessions) else {}
    print(f"project: {project}")
    print(f"  copied {sum(1 for p in target.rglob('*') if p.is_file())} file(s) into {target}")
    print(f"  drafted {len(draft.sessions)} session(s) ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items())) or 'none'})"
          f" and {len(draft.participants)} speaker(s): {raw / 'sessions.csv'}, {raw / 'participants.csv'}")
    for note in draft.notes:
        print(f"  note: {note}")
    for name, reason in draft.unreadable:
        print(f"  left out (cannot read): {name}: {reason}")
    print(f"next: fill in the {todo} cell(s) marked TODO( in the two manifests (regions, dates, roles to confirm),"
          f" add names of participants to the name column if you have them (used only to find and hide them),"
          f" then run: engagement --config {project / 'engagement.yaml'} batch")
    return 0


def _progress(args) -> bool | None:
    """--quiet: never; --progress: always; neither: on a terminal only (engagement.progress)."""
    if getattr(args, "quiet", False):
        os.environ["ENGAGEMENT_PROGRESS"] = "0"   # also reaches code the stage calls, and workers
        return False
    if getattr(args, "progress", False):
        os.environ["ENGAGEMENT_PROGRESS"] = "1"
        return True
    return None


def _engine(args, cfg):
    """The engine --engine/--scheduler (or the config's engine block) asks for, as a context manager."""
    from engagement.engine import engine_settings, open_engine

    name, scheduler = engine_settings(cfg, getattr(args, "engine", None), getattr(args, "scheduler", None))
    if getattr(args, "scheduler", None) and name != "dask":
        raise EngagementError("--scheduler needs --engine dask")
    return open_engine(name, scheduler, workers=(cfg.settings.get("engine") or {}).get("workers"))


def cmd_prepare(args) -> int:
    from engagement.prepare import prepare

    cfg = _config(args)
    progress = _progress(args)
    with _engine(args, cfg) as engine:
        result = prepare(cfg, progress=progress, engine=engine)
    s = result.summary
    w = s["withdrawal"]
    print(f"prepared {s['sessions']} sessions, {s['participants']} participants, {s['turns']} turns, "
          f"{s['segments']} segments ({s['words']:,} words); {s['redactions']} personal details replaced; "
          f"{w['participants_removed']} withdrawn participant(s) removed ({w['turns_removed']} turns)")
    if w["unmatched_withdrawals"]:
        print(f"warning: withdrawals.csv lists ids found nowhere: {', '.join(w['unmatched_withdrawals'])}",
              file=sys.stderr)
    for name, path in result.paths.items():
        print(f"  {name:<13} {path}")
    return 0


def _parse_survey_columns(spec: str | None) -> dict | None:
    if not spec:
        return None
    out = {}
    for part in spec.split(","):
        key, _, value = part.partition("=")
        if not value:
            raise EngagementError(f"--survey-columns expects key=column pairs, got '{part}'")
        out[key.strip()] = value.strip()
    return out


def cmd_inspect(args) -> int:
    from engagement.ingest.readers import extension_mismatch, read_file

    result = read_file(args.file, format=args.format, survey_columns=_parse_survey_columns(args.survey_columns))
    warning = None if args.format else extension_mismatch(args.file, result.format)
    if warning:
        print(f"engagement: warning: {warning}", file=sys.stderr)
    speakers: Counter = Counter()
    words: Counter = Counter()
    affiliations: dict[str, list[str]] = {}
    for t in result.turns:
        speakers[t.speaker] += 1
        words[t.speaker] += len(t.text.split())
        if t.affiliation and t.affiliation not in affiliations.setdefault(t.speaker, []):
            affiliations[t.speaker].append(t.affiliation)
    timed = sum(1 for t in result.turns if t.start is not None)
    info = {
        "file": str(args.file), "format": result.format, "encoding": result.encoding,
        "turns": len(result.turns), "words": sum(words.values()),
        "times": "all turns" if timed == len(result.turns) else ("none" if timed == 0 else f"{timed} turns"),
        "speakers": [{"label": s, "turns": n, "words": words[s], "affiliations": affiliations.get(s, [])}
                     for s, n in speakers.most_common()],
        "notes": list(result.notes),
        "warnings": [warning] if warning else [],
    }
    survey = result.format in ("csv", "xlsx")
    if survey:
        regions = Counter(str(t.meta.get("region") or "(none)") for t in result.turns)
        info["respondents"] = len(speakers)
        info["regions"] = dict(sorted(regions.items()))
        info.pop("speakers")
    if args.json:
        print(json.dumps(info, indent=2, ensure_ascii=False))
        return 0
    if survey:
        print(f"{info['file']}\n  format: {info['format']}   encoding: {info['encoding']}   "
              f"answers: {info['turns']}   respondents: {info['respondents']}   words: {info['words']:,}")
        print("  answers by region column: " + ", ".join(f"{k} {v}" for k, v in info["regions"].items()))
        for note in info["notes"]:
            print(f"  note: {note}")
        return 0
    print(f"{info['file']}\n  format: {info['format']}   encoding: {info['encoding']}   "
          f"turns: {info['turns']}   words: {info['words']:,}   times: {info['times']}")
    shown = info["speakers"] if len(info["speakers"]) <= 25 else info["speakers"][:25]
    print(f"  speakers ({len(info['speakers'])}):")
    for sp in shown:
        roles = f"   ({'; '.join(sp['affiliations'])})" if sp["affiliations"] else ""
        print(f"    {sp['label'] or '(none)':<30} {sp['turns']:>5} turns {sp['words']:>8,} words{roles}")
    if len(info["speakers"]) > len(shown):
        print(f"    ... and {len(info['speakers']) - len(shown)} more")
    for note in info["notes"]:
        print(f"  note: {note}")
    return 0


def cmd_redact(args) -> int:
    from engagement.privacy.deidentify import Pseudonymiser, build_detector, load_salt, redact_stream

    cfg = _config(args)
    detector = build_detector(cfg)
    pseudonymiser = Pseudonymiser(load_salt(cfg), pseudonyms=bool(cfg.deidentify.get("pseudonyms")))
    if args.file == "-":
        lines = sys.stdin
    else:
        path = Path(args.file)
        if not path.is_file():
            raise EngagementError("file not found", path=path)
        from engagement.ingest.readers import decode_text

        text, _ = decode_text(path)
        lines = text.splitlines(keepends=True)
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    try:
        for line in redact_stream(lines, detector, pseudonymiser, jsonl=args.jsonl):
            out.write(line)
    finally:
        if args.output:
            out.close()
    return 0


def cmd_leak_check(args) -> int:
    from engagement.coding.run import suite_vocabulary
    from engagement.privacy.leak import leak_check

    cfg = _config(args)
    findings = leak_check(cfg, paths=[Path(p) for p in args.paths] or None, use_ner=args.ner,
                          vocabulary=suite_vocabulary(cfg))
    if findings:
        for f in findings[:50]:
            print(f"LEAK {f.file}:{f.location}: {f.type}: {f.reason}", file=sys.stderr)
        more = f" (showing 50)" if len(findings) > 50 else ""
        print(f"engagement: leak check failed: {len(findings)} finding(s){more}", file=sys.stderr)
        return 3
    print("leak check passed: no redacted value or detectable personal data in the outputs")
    return 0


def cmd_code(args) -> int:
    from engagement.coding.run import run_coding

    cfg = _config(args)
    if args.embedding:
        cfg = cfg.with_overrides(topics={**cfg.topics, "embedding": args.embedding})
    progress = _progress(args)
    with _engine(args, cfg) as engine:
        result = run_coding(cfg, codebook=args.codebook, topics=not args.no_topics, engine=engine,
                            progress=progress)
    s = result.summary
    print(f"coded {s['segments_coded']} segments ({s['rule_codings']} rule codes, codebook {s['codebook']} "
          f"{s['codebook_version']}); {s['topics']} topics ({s['candidate_new_themes']} candidate new themes); "
          f"stance: " + ", ".join(f"{k} {v}" for k, v in sorted(s["stance"].items())))
    stale = s.get("human_stale") or []
    if s.get("human_codings") or stale:
        print(f"human codings: {s.get('human_codings', 0)} applied from coding sheets; {len(stale)} stored "
              f"decision(s) stale (segment gone, text changed or code no longer in the codebook)")
    if s.get("topics_skipped"):
        print(f"note: topics not fitted: {s['topics_skipped']}", file=sys.stderr)
    if s.get("evaluation"):
        e = s["evaluation"]
        print(f"agreement with {e['reference']} ({e['n_segments']} segments): micro F1 {e['micro_f1']:.2f}, "
              f"kappa {e['micro_kappa']:.2f}; stance accuracy {e['stance_accuracy']:.2f}")
    for name in ("codings", "topics", "segment_topics", "stance"):
        print(f"  {name:<15} {cfg.table_path(name)}")
    return 0


def cmd_batch(args) -> int:
    from engagement.batch import run_batch

    cfg = _config(args)
    regions = [r.strip() for r in args.regions.split(",")] if args.regions else None
    result = run_batch(cfg, notebooks_dir=args.notebooks, regions=regions, workers=args.workers, force=args.force,
                       progress=False if args.quiet else None)
    print(result.table())
    print(f"executed notebooks: {result.run_dir}")
    if not result.ok:
        failed = [f"{j.name} ({' '.join(j.reason.split())})" if j.status == "failed" else j.name
                  for j in result.jobs if j.status not in ("ran", "reused")]
        logs = cfg.processed_dir / "logs" / result.run_id
        if logs.is_dir():
            print(f"tracebacks (private, may quote the input): {logs}")
        print(f"engagement: error: batch incomplete: {'; '.join(failed)}", file=sys.stderr)
        return 1
    html, pdf = cfg.reports_dir / "summary.html", cfg.reports_dir / "summary.pdf"
    print(f"report: {html}")
    if pdf.is_file() and html.is_file() and pdf.stat().st_mtime >= html.stat().st_mtime - 60:
        print(f"pdf: {pdf}")
    else:
        from engagement.report.builder import find_chromium

        print("pdf: not made: " + ("Chromium failed to print it (see the 04 notebook)" if find_chromium() else
                                   "Chromium is not installed (as root: make browser, or apt-get install chromium)"))
    return 0


def cmd_report(args) -> int:
    from datetime import datetime, timezone

    from engagement.batch import gate_and_publish, staging_config
    from engagement.report.builder import build_report

    cfg = _config(args)
    run_id = args.run_id or datetime.now(timezone.utc).strftime("report-%Y%m%dT%H%M%SZ")
    staged, staging = staging_config(cfg, run_id)
    result = build_report(staged, run_id=run_id)
    gate = gate_and_publish(cfg, staged, staging, run_id)
    if gate.status != "ran":
        print(f"engagement: error: report withheld: {gate.reason}", file=sys.stderr)
        return 1
    published = lambda p: cfg.reports_dir / Path(p).relative_to(staged.reports_dir)  # noqa: E731
    print(f"report: {published(result.html)}" + (f"\npdf: {published(result.pdf)}" if result.pdf else ""))
    for paths in result.figures.values():
        print(f"  figure: {cfg.figures_dir / Path(paths['png']).relative_to(staged.figures_dir)}")
    return 0


def _lazy(module: str, name: str):
    """A command whose code is imported only when it runs (so `engagement --help` stays fast)."""
    def run(args: argparse.Namespace) -> int:
        import importlib

        return getattr(importlib.import_module(module), name)(args)
    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="engagement", description="Analyse public-engagement transcripts on health data, reproducibly.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", help="project YAML (default: engagement.yaml in the project root)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("init", help="create a project folder with manifests drafted from a folder of transcripts")
    p.add_argument("project", type=Path, help="the new project folder (created if missing)")
    p.add_argument("--transcripts", type=Path, required=True, help="folder of transcript and survey exports")
    p.add_argument("--regions", help="comma-separated areas (default: the five East of England areas)")
    p.add_argument("--force", action="store_true", help="draft the manifests again in an existing project")
    p.set_defaults(func=cmd_init)

    def engine_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--engine", choices=("local", "dask"),
                       help="where the per-session and per-batch work runs (default: config engine.name, local)")
        p.add_argument("--scheduler", metavar="ADDRESS",
                       help="a dask.distributed scheduler, e.g. tcp://host:8786 (default: config engine.scheduler; "
                            "none: a local cluster for the run)")
        shown = p.add_mutually_exclusive_group()
        shown.add_argument("--progress", action="store_true",
                           help="progress bars even off a terminal, under CI or in a notebook")
        shown.add_argument("--quiet", action="store_true", help="no progress bars")

    p = sub.add_parser("prepare", help="raw transcripts -> de-identified tables in data/processed")
    p.add_argument("--fast", action="store_true", help="sentencizer instead of the parser (big runs)")
    engine_options(p)
    p.set_defaults(func=cmd_prepare)

    p = sub.add_parser("code", help="segments -> codings (codebook rules + topics) and stance")
    p.add_argument("--codebook", help="a codebook YAML (default: the config's, normally the shipped one)")
    p.add_argument("--embedding", choices=("minilm", "tfidf"), help="override topics.embedding")
    p.add_argument("--no-topics", action="store_true", help="codebook rules and stance only")
    engine_options(p)
    p.set_defaults(func=cmd_code)

    p = sub.add_parser("batch", help="run all notebooks with papermill (per region), then the report and leak check")
    p.add_argument("--regions", help="comma-separated subset of regions (default: all configured)")
    p.add_argument("--workers", type=int, help="parallel per-region runs (default: config batch.workers = 2)")
    p.add_argument("--force", action="store_true", help="re-run everything, even notebooks whose inputs are unchanged")
    p.add_argument("--notebooks", type=Path, help="run your own copies of the notebooks (default: those shipped with the package)")
    p.add_argument("--quiet", action="store_true", help="no line per job while it runs")
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser("report", help="render figures and reports/summary.html from the coded tables")
    p.add_argument("--run-id", help="run id to print in the report")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("inspect", help="show what the suite sees in one file (format, encoding, speakers)")
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--format", help="skip detection: txt (also Markdown), otter, docx, vtt, srt, sbv, "
                                    "table (a transcript CSV/XLSX), csv or xlsx (a survey)")
    p.add_argument("--survey-columns", help="for surveys: respondent=COL,text=COL[,region=COL,date=COL,question=COL]")
    p.set_defaults(func=cmd_inspect)

    p = sub.add_parser("redact", help="de-identify a text or JSONL file ('-' for standard input) to stdout")
    p.add_argument("file")
    p.add_argument("--jsonl", action="store_true", help="input is JSON lines; only the 'text' field is redacted")
    p.add_argument("-o", "--output", help="write here instead of standard output")
    p.set_defaults(func=cmd_redact)

    p = sub.add_parser("sheet", help="export a coding sheet (xlsx) to check and add codes, or import one back")
    sheet = p.add_subparsers(dest="sheet_command", metavar="ACTION", required=True)
    q = sheet.add_parser("export", help="write a coding sheet: one row per segment, suggested codes, drop-downs")
    q.add_argument("-o", "--output", type=Path, help="the xlsx to write (default: processed/sheets/coding-<region>.xlsx)")
    q.add_argument("--region", help="one configured area (default: all)")
    q.add_argument("--order", choices=("session", "active"), default="session",
                   help="session: in transcript order; active: the segments that would teach the model most first")
    q.add_argument("--limit", type=int, help="at most this many segments")
    q.set_defaults(func=_lazy("engagement.coding.sheet", "cmd_export"))
    q = sheet.add_parser("import", help="read a filled-in coding sheet back; stops on the first bad cell, writing nothing")
    q.add_argument("file", type=Path, help="the coding sheet (xlsx)")
    q.add_argument("--coder", help="the coder's name or initials (default: the sheet's coder cell)")
    q.set_defaults(func=_lazy("engagement.coding.sheet", "cmd_import"))
    q = sheet.add_parser("prune", help="remove stored decisions on segments that vanished or changed "
                                       "(saved to processed/human/pruned-<time>.csv first)")
    q.add_argument("--dry-run", action="store_true", help="say what would be pruned, change nothing")
    q.set_defaults(func=_lazy("engagement.coding.sheet", "cmd_prune"))

    p = sub.add_parser("learn", help="learn from human codings and suggest codes for uncoded segments")
    p.add_argument("--train", type=Path, help="a CSV of labelled texts (id, text, labels separated by ';')")
    p.add_argument("--predict", type=Path, help="a CSV of texts to label (id, text); needs --train")
    p.add_argument("-o", "--output", type=Path, help="where --predict writes its predictions (CSV)")
    p.set_defaults(func=_lazy("engagement.coding.learn_project", "cmd_learn"))

    p = sub.add_parser("leak-check", help="scan data/processed, figures/, reports/ for personal data")
    p.add_argument("paths", nargs="*", help="scan these files or folders instead")
    p.add_argument("--ner", action="store_true", help="also run the NER model (slower, noisier)")
    p.set_defaults(func=cmd_leak_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    shown = os.environ.get("ENGAGEMENT_PROGRESS")   # --progress/--quiet set it for this command only
    try:
        return args.func(args)
    except EngagementError as exc:
        print(f"engagement: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("engagement: interrupted", file=sys.stderr)
        return 130
    finally:
        if shown is None:
            os.environ.pop("ENGAGEMENT_PROGRESS", None)
        else:
            os.environ["ENGAGEMENT_PROGRESS"] = shown


if __name__ == "__main__":
    sys.exit(main())
