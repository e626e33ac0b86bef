"""Privacy: withdrawal, de-identification and the leak check.

Reads cleaned speaker turns (still holding raw text), the manifest's names and the project's
allow and deny lists; removes withdrawn participants (``withdrawal``), finds personal details
(``detector`` combining the name rules of ``names``, the structured ``patterns`` and the
``wordlists``, plus spaCy NER) and replaces them with consistent placeholders (``deidentify``,
``pseudonyms``); writes the de-identified text and a ``redactions`` table that holds offsets,
types and salted hashes, never a value. ``leak`` scans every published output for anything
that looks personal. It must never write a raw value anywhere outside data/raw, and it imports
only ingest and the shared modules, never coding, analysis or report.
"""
