"""Ingest: raw transcript files and the manifest in, speaker turns and segments out.

Reads the files under the project's raw folder (``readers/``: plain text and its many label
styles, Otter, Word, WebVTT, SubRip, survey CSV/XLSX), checks them against the manifest
(``manifest``: sessions.csv, participants.csv, withdrawals.csv), turns each session into speaker
turns with roles (``sessions``), normalises text and turns transcription marks into flags
(``clean``), and splits de-identified turns into sentences with tokens and lemmas (``segment``,
with the spaCy pipeline from ``spacy_model``). It writes nothing itself: the prepare driver
writes the tables. It must never import a later stage (privacy, coding, analysis, report), and
raw text read here leaves it only through the prepare driver, which de-identifies it first.
"""
