"""Coding: de-identified segments in, codings, stance and topics out.

Reads the ``segments`` table and a codebook (``codebook``: themes and codes with definitions,
examples and lemma rules, negation-aware through ``negation``); writes ``codings`` (every one
with its evidence), ``stance`` (concern, support, conditional support, mixed, neutral, with the
cues that decided it), and ``topics`` / ``segment_topics`` (BERTopic in ``topics``, on sentence
embeddings from ``embeddings``). ``run`` drives the stage and its caches; ``evaluation``
measures agreement with a hand-coded reference. It works only on de-identified text, never
reads data/raw transcripts, and never imports analysis, report or the drivers.
"""
