"""Start-up: building spaCy pipelines imports neither torch nor every package with a spaCy plug-in."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
from engagement.coding.negation import blank_nlp
from engagement.ingest.segment import segmentation_pipeline
from engagement.privacy.detector import _load_ner
blank_nlp(); nlp = segmentation_pipeline("model"); ner = _load_ner("auto")
doc = ner("Sarah Jenkins rang the surgery in Ipswich.")
print(json.dumps({"loaded": sorted(m for m in ("torch", "transformers", "presidio_analyzer") if m in sys.modules),
                  "pipes": nlp.pipe_names, "ents": [e.label_ for e in doc.ents]}))
"""


def test_pipelines_load_without_torch_transformers_or_presidio():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=300)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["loaded"] == []   # each would add seconds to every stage's start
    assert {"tagger", "parser", "lemmatizer"} <= set(got["pipes"])
    assert "PERSON" in got["ents"]   # and the NER still works
