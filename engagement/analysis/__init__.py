"""Analysis: coded tables in, the measures a report states out.

Reads the prepared and coded tables (``loader``), and computes theme prevalence by region,
session kind and participant attribute, counting people with cluster-bootstrap intervals,
stance within themes, each region against the rest, and co-occurrence (``measures``), and picks
exemplar quotes (``quotes``). Small counts are controlled here before anything is shown. It
returns data frames and writes nothing to data/processed; it never reads raw transcripts and
never imports report or the drivers.
"""
