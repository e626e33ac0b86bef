"""Report: measures in, figures and the summary report out.

Reads the analysis results and renders figures (``figures``: PNG and SVG, colour-blind-safe,
titles that state the finding) and the self-contained HTML summary with its PDF (``builder``,
from ``templates/``). It writes only under the project's figures/ and reports/, publishes only
de-identified, disclosure-controlled numbers, and never reads raw transcripts or imports the
drivers (prepare, batch, cli).
"""
