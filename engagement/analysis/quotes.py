"""Exemplar quotes: representative of a theme, whole statements, safe to publish.

A quote is representative when its embedding is near the centre of the theme's segments
(within a region), and the selection is diverse: a greedy pass takes the most central
candidate, then prefers other participants and other sessions. Quotes come from the
de-identified segments and are attributed by pseudonym, region and session kind only. A
theme x region cell with fewer than ``min_cell`` participants yields no quotes at all.

Only a complete statement is a candidate (:func:`is_statement`): not a question put to the
group, not turn-taking or meta-talk, at least ``min_words`` words of content, not mostly
placeholders, not broken off, and not singling its speaker out (:func:`singles_out`: "the only
district nurse covering ...", "I'm the practice manager at Castle Surgery", which no
de-identification can see), in the quote or its context.
Each quote carries at most one sentence of context either side, taken only from the same
participant's same turn (same session, turn_index and participant, in start_char order), so
nobody else's words are attributed to them; a backchannel or turn-taking neighbour is left out,
and beside a stance-filtered quote only a neighbour of the same stance or a neutral one is shown.
``display`` (:func:`quote_text`) is the whole passage, never cut.

Three entry points share the selection:

- :func:`exemplar_quotes`: per theme x group, optionally only segments of one stance;
- :func:`stance_quotes`: one theme, one stance ("support for trust");
- :func:`area_quotes`: per area, the themes that area is distinctive on, then its most-raised
  themes, never a theme whose area cell is not published as a value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from engagement.analysis.measures import analysed_segments
from engagement.errors import ParameterError
from engagement.schemas import MEASURED_SOURCES, STANCES

_PLACEHOLDER = re.compile(r"\[[A-Za-z_]+(?:_\d+)?\]")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*")
KIND_LABELS = {"focus_group": "focus group", "interview": "interview", "survey": "survey"}

# words that carry no content of their own when counting a statement's length
FILLERS = frozenset({"um", "uh", "er", "erm", "ah", "hmm", "mm", "mhm", "yeah", "like"})
# discourse openers skipped before deciding whether a sentence opens as a question
OPENERS = frozenset({"and", "but", "so", "well", "oh", "ok", "okay", "yeah", "yes", "no", "right", "now",
                     "then", "sorry", "um", "uh", "er", "erm", "see", "look"})
AUXILIARIES = frozenset({
    "can", "could", "may", "might", "shall", "should", "will", "would", "must", "do", "does", "did", "is", "are",
    "was", "were", "am", "have", "has", "had", "can't", "couldn't", "won't", "wouldn't", "shouldn't", "don't",
    "doesn't", "didn't", "isn't", "aren't", "wasn't", "weren't", "haven't", "hasn't"})
WH_WORDS = frozenset({"what", "why", "how", "who", "whom", "whose", "where", "when", "which"})
MODALS = frozenset({"should", "would", "could", "can", "will", "shall", "might", "shouldn't", "wouldn't",
                    "couldn't", "can't", "won't"})
# "when somebody says ..., I think": a wh-word opening a clause, not a question
SUBORDINATORS = frozenset({"when", "where"})
# a sentence broken off ("I didn't mean -") is a fragment
_INTERRUPTED = re.compile(r"(?:\s-|–|—)\s*$")
# turn-taking and talk about the talk: a sentence containing one is never a quote (patterns are data)
META_PATTERNS: tuple[str, ...] = (
    r"\b(?:i was|i'm|i am) (?:just )?(?:going|gonna) to say\b",
    r"\bi was just saying\b",
    r"\bthat's what i was saying\b",
    r"\b(?:can|could|may) i (?:just )?(?:come in|jump in|say|add|ask|butt in|chip in|go first|go back)\b",
    r"\bi (?:just )?want(?:ed)? to (?:say|add|ask)(?:,|\s*[.!]?$|\s+(?:something|one thing|a question))",
    r"\bsorry,? (?:go on|carry on|you go|after you|you first)\b",
    r"^(?:go on|carry on|go ahead|after you)\b",
    r"\byou go (?:first|ahead|on)\b",
    r"\b(?:can|could) you (?:hear|see) me\b",
    r"\b(?:you're|you are|i'm|i am) on mute\b",
    r"^(?:sorry,? )?(?:hang|hold) on(?: a (?:minute|sec|second|moment))?[,.…]*\s*(?:let me|i'm|i am|is that|can you|"
    r"the dog|sorry)\b",
    r"\blet me (?:just )?(?:turn|go|get|move|put|find|grab|switch|mute|unmute)\b",
    r"\bif (?:i|you|we) (?:cut out|drop out|lose you|freeze)\b",
    r"\bgive me (?:a|one|two) (?:sec|second|minute|moment)s?\b",
    r"\b(?:connection|signal) (?:dropped|went|has gone|'s gone|is bad|keeps)\b",
    r"\b(?:where|what) was i\b",
    r"\b(?:lost|lose) my (?:train of )?thought\b",
    r"\bi forget what i was\b",
    r"^(?:that's |that is )?(?:a )?(?:good|great|fair|interesting) (?:question|point)\b",
    r"\b(?:can|could) you (?:repeat|say) (?:that|the question)\b",
    r"\bwhat was the question\b",
    r"\b(?:i've |i have )?(?:got )?nothing (?:more |else )?to add\b",
    r"\bi'll pass\s*[.!]?$",
)
_META = re.compile("|".join(f"(?:{p})" for p in META_PATTERNS), re.IGNORECASE)
# "..., isn't it?": a claim with a tag on the end
_TAG = re.compile(r",\s*(?:" + "|".join(sorted(AUXILIARIES)) + r")(?:\s+(?:it|they|we|you|he|she|there|that|i))?"
                  r"\s*\?$|,\s*(?:right|surely|yeah)\s*\?$", re.IGNORECASE)
# support and concern never illustrate each other, in the quote or in its context
_MIN_CONTEXT_WORDS = 3
_CONTEXT_STANCES = {label: {label, "neutral"} for label in STANCES}


def _norm_apostrophes(text: str) -> str:
    return text.replace("’", "'")


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(_norm_apostrophes(_PLACEHOLDER.sub(" ", text)))]


def content_words(text: str) -> int:
    """Words that carry content: not placeholders, not fillers ("um", "yeah")."""
    return sum(1 for w in _words(text) if w not in FILLERS)


def is_question(text: str) -> bool:
    """A question with no claim in it: ends with "?" and opens as a question.

    Kept as statements: tag questions ("it's wrong everywhere, isn't it?"), reported or framed
    questions that open with a clause ("I remember thinking, where does it go?") and rhetorical
    questions about others ("Why should the receptionist see what the doctor sees?").

    Example:
        >>> is_question("Can I just say something about the planning?")
        True
        >>> is_question("And if one thing's wrong, then it's wrong everywhere, isn't it?")
        False
    """
    stripped = _norm_apostrophes(text).strip().rstrip("\"')] ")
    if not stripped.endswith("?"):
        return False
    if _TAG.search(stripped):
        return False
    words = _words(stripped)
    while words and words[0] in OPENERS:
        words = words[1:]
    if not words:
        return True
    if words[0] in AUXILIARIES:
        return True
    if words[0] in WH_WORDS:
        second = words[1] if len(words) > 1 else ""
        if words[0] in SUBORDINATORS and second not in AUXILIARIES:
            return False
        # "why should they ...", "why does a company ...", "how can the NHS ...": a claim about others
        third_person = len(words) > 2 and words[2] not in {"i", "we", "you"}
        rhetorical = third_person and (second in MODALS or (words[0] == "why" and second in AUXILIARIES))
        return not rhetorical
    return False


def is_meta_talk(text: str) -> bool:
    """Turn-taking or talk about the talk ("I was going to say", "sorry, go on")."""
    return bool(_META.search(_norm_apostrophes(text).strip()))


#: Someone singled out by being the only one of their kind somewhere: "the only district nurse
#: covering two villages", "I'm the sole Polish speaker at the depot", "the last remaining GP in town",
#: "the first woman to drive the cranes at the port", "the only Somali interpreter they've got on the bank",
#: "the last farm before you get to <village>". De-identification cannot see these (every word
#: is ordinary); the quotes never use them.
_SINGLES_OUT = re.compile(
    r"\b(?:the|only)\s+(?:only|sole|one and only|last remaining|last|first)\s+"
    r"(?!(?:one|ones|person|people|thing|things|bit|part|time|times|way|reason|problem|issue|option|place|point|"
    r"question|answer|choice|day|week|year|saving|good|bad|real|other|step|worry|concern|straw|minute|moment|"
    r"resort|word|chance|hope|laugh|few|couple|several|two|three|four|five|six|seven|eight|nine|ten|twenty|"
    r"\d+|years?|months?|weeks?|days?|hours?|minutes?|decade|century|lot)\b)"
    r"(?:(?!(?:is|was|are|were|has|have|had|i|you|we|they|he|she|it|that|which)\b)[\w'-]+\s+){1,6}?"
    r"(?:in|at|on|for|covering|round|around|across|within|serving|who|to|from|working|driving|doing|before|after|"
    r"past|near|beyond|(?:they|we)(?:'ve|\s+have)\s+got)\b",
    re.IGNORECASE)


#: roles a place has one of (or two): "the practice manager at ...", "the vicar of ...", "the landlady of ..."
_ONE_PER_PLACE = (
    r"(?:practice|surgery|office|pharmacy|shop|branch|site|ward|home|store|depot|general|deputy|assistant)?\s*manager|"
    r"head(?:\s*teacher|master|mistress)?|deputy head|principal|vicar|rector|curate|priest|imam|rabbi|"
    r"land(?:lord|lady)|owner|proprietor|chair(?:man|woman|person)?|chief executive|director|matron|warden|"
    r"caretaker|post(?:master|mistress)|mayor|parish clerk|clerk|treasurer|secretary|co-?ordinator|organiser|"
    r"lollipop (?:lady|man)|pharmacist|chemist|dentist|optician|vet|gp|doctor|district nurse|practice nurse|"
    r"school nurse|health visitor|midwife|social worker|care coordinator|receptionist|organist|choirmaster|verger|"
    r"sexton|harbour\s*master|lock keeper|lighthouse keeper|ferryman|gamekeeper|station\s*master|dinner lady|"
    r"(?:night|day|duty|shift|site|team|ward|project|youth|lead)\s+(?:manager|leader|lead|sister|supervisor|worker)|"
    # the trades a village or a small firm has one of: "I'm the embalmer at ...", "I'm the postie for 3 villages"
    r"embalmer|undertaker|funeral director|blacksmith|farrier|thatcher|postie|postman|postwoman|milkman|"
    r"publican|barman|barmaid|butcher|baker|locksmith|chimney sweep|bin man|binman|groundsman|greenkeeper|"
    r"gravedigger|bell ringer|crossing patrol|community nurse|community warden|pcso|special constable")
_ROLE_AT_PLACE = re.compile(
    # the speaker, or a relative of theirs, holds the role there: "I'm the practice manager at ..."
    r"(?i:\b(?:i'm|im|i am|i was|i've been|i have been|i used to be|i'll be|as|being|my (?:husband|wife|partner|son|"
    r"daughter|mum|mother|dad|father|brother|sister|nan|grandad|aunt|uncle|cousin|niece|nephew)(?:'s| is| was))"
    r"\s+(?:now\s+|still\s+|also\s+)?the\s+(?:(?!(?:is|was|and|but)\b)[\w'-]+\s+){0,2}?"
    rf"(?:{_ONE_PER_PLACE})\s+(?:at|of|for|in|on|up at|down at|over at)\s+(?:the\s+)?"
    r"(?:(?:[a-z'-]+\s+){0,3}?(?:(?:in|at|on|of)\s+)?(?-i:[A-Z0-9\[])"
    # or at the one such place a town has: "the assistant organist at the cathedral"
    r"|(?:cathedral|abbey|minster|priory|lifeboat station|harbour|lighthouse|post office|village shop|village school)\b))"
    # ... unless it reports what that person said ("as the doctor at Addenbrooke's told me")
    r"(?![^.;:!?]*\b(?i:told|tells|said|says|explained|mentioned|reckons|reckoned|put it)\b)"
    # or is the one of a trade a village has: "he was the village blacksmith", "I'm the parish clerk"
    r"|(?i:\b(?:i'm|im|i am|i was|i used to be|he was|she was|he's|she's|he is|she is|my \w+(?:'s| is| was))\s+"
    r"(?:now\s+|still\s+|also\s+)?the\s+(?:village|parish|island|estate)\s+(?!(?:one|ones|people|type|idiot|gossip)\b)[a-z]+)"
    # or runs, owns, manages or chairs something at a place: "I run the post office in Little Snoring"
    r"|(?i:\b(?:i|we)\s+(?:run|ran|own|owned|manage|managed|chair|chaired|keep|kept)\s+the\s+"
    r"(?:(?!(?:is|was|and|but)\b)[\w'-]+\s+){1,6}?(?:at|in|on|of|for|up at|down at)\s+(?:the\s+)?)[A-Z0-9]")


def singles_out(text: str) -> bool:
    """Does the sentence single someone out as the only one of their kind somewhere?

    Two shapes: "the only / sole / last remaining X at Y", and the speaker (or their relative)
    holding a role a place has one of, at a named place ("I'm the practice manager at Castle
    Surgery", "my wife's the vicar of St Botolph's", "I run the post office in Little Snoring"):
    de-identification sees no name in either, but anyone from there knows who is speaking.

    Example:
        >>> singles_out("I'm the only night porter at the little hospital on the coast.")
        True
        >>> singles_out("As the practice manager at Castle Surgery I see how the records move.")
        True
        >>> singles_out("I was the only one in the waiting room, and it still took an hour.")
        False
        >>> singles_out("The receptionist at my surgery can see everything, and I don't like it.")
        False
    """
    text = _norm_apostrophes(text)
    return bool(_SINGLES_OUT.search(text) or _ROLE_AT_PLACE.search(text))


def is_statement(text: str, *, min_words: int = 8, max_placeholder_share: float = 0.25) -> bool:
    """Whether a sentence can stand alone as a quote.

    A statement has at least ``min_words`` content words, is not a question put to the group,
    is not meta-talk, and at most ``max_placeholder_share`` of its words are placeholders.

    Example:
        >>> is_statement("I would not want my records sold on to a drug company.")
        True
        >>> is_statement("Sorry, go on, I was going to say something about the planning.")
        False
    """
    if not isinstance(text, str) or content_words(text) < min_words:
        return False
    placeholders = len(_PLACEHOLDER.findall(text))
    if placeholders > max_placeholder_share * (placeholders + len(_words(text))):
        return False
    if _INTERRUPTED.search(text) or singles_out(text):
        return False
    return not (is_question(text) or is_meta_talk(text))


def quote_text(rec: Mapping) -> str:
    """The quote as a reader should see it: its context either side, whole, never cut.

    Example:
        >>> quote_text({"context_before": "I use the app.", "quote": "I trust my GP with it.",
        ...             "context_after": ""})
        'I use the app. I trust my GP with it.'
    """
    parts = [rec.get("context_before"), rec.get("quote"), rec.get("context_after")]
    return " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())


def _context(segments: pd.DataFrame) -> pd.DataFrame:
    """segment_id -> the previous and next segment ids of the same speaker's same turn."""
    need = {"session_id", "turn_index", "participant_id"}
    if not need <= set(segments.columns):
        return pd.DataFrame({"prev_id": pd.Series(dtype=object), "next_id": pd.Series(dtype=object)})
    order = ["session_id", "turn_index", "participant_id"]
    order += ["start_char", "segment_id"] if "start_char" in segments else ["segment_id"]
    seg = segments.sort_values(order, kind="mergesort")[["segment_id", "session_id", "turn_index",
                                                         "participant_id"]]
    same = seg.groupby(["session_id", "turn_index", "participant_id"], sort=False)["segment_id"]
    return pd.DataFrame({"prev_id": same.shift(1).to_numpy(), "next_id": same.shift(-1).to_numpy()},
                        index=seg["segment_id"].to_numpy())


def _stance_map(stance: pd.DataFrame | None) -> dict[str, str]:
    if stance is None or stance.empty:
        return {}
    return dict(zip(stance["segment_id"], stance["stance"]))


def _check_label(stance: pd.DataFrame | None, stance_label: str | None) -> None:
    if stance_label is None:
        return
    if stance_label not in STANCES:
        raise ParameterError(f"stance_label '{stance_label}' is not a stance; use one of {', '.join(STANCES)}")
    if stance is None:
        raise ParameterError(f"stance_label '{stance_label}' needs the stance table (stance=...)")


class _Picker:
    """The shared selection: candidates, centrality, diversity, context."""

    def __init__(self, segments, codings, embeddings, *, stance, stance_label, min_words, max_words):
        seg = analysed_segments(segments)
        coded = codings[codings["source"].isin(MEASURED_SOURCES)][["segment_id", "theme"]].drop_duplicates()
        self.data = coded.merge(seg, on="segment_id")
        self.embeddings = embeddings
        self.stances = _stance_map(stance)
        self.stance_label = stance_label
        self.min_words, self.max_words = min_words, max_words
        self.text = dict(zip(segments["segment_id"], segments["text"]))
        self.ctx = _context(segments)

    def _statement(self, part: pd.DataFrame) -> pd.Series:
        n_words = part["n_words"] if "n_words" in part else part["text"].map(lambda t: len(_words(t)))
        ok = part["text"].map(lambda t: is_statement(t, min_words=self.min_words))
        return ok & (n_words <= self.max_words)

    def _side(self, seg_id: str, col: str) -> str:
        if seg_id not in self.ctx.index:
            return ""
        other = self.ctx.at[seg_id, col]
        if not isinstance(other, str):
            return ""
        if self.stance_label and self.stances.get(other, "neutral") not in _CONTEXT_STANCES[self.stance_label]:
            return ""  # a concern sentence never sits beside a support quote
        text = self.text.get(other, "")
        # a backchannel ("Exactly.") or turn-taking beside a quote adds nothing a reader needs
        if content_words(text) < _MIN_CONTEXT_WORDS or is_meta_talk(text) or singles_out(text):
            return ""   # nor a sentence that singles its speaker out
        return text

    def pick(self, part: pd.DataFrame, n: int, *, avoid_segments=frozenset(), avoid_people=frozenset()) -> list[dict]:
        """Up to ``n`` quotes from one cell, most central first, other people and sessions preferred."""
        # sorted, so the centre (a float sum) and the ties do not depend on the order of the input rows
        part = part[part["segment_id"].isin(self.embeddings.keys())].sort_values("segment_id", kind="mergesort")
        if self.stance_label:
            part = part[part["segment_id"].map(self.stances) == self.stance_label]
        if part.empty:
            return []
        cand = part[self._statement(part) & ~part["segment_id"].isin(avoid_segments)]
        if cand.empty:
            return []
        vecs = np.stack([self.embeddings[s] for s in part["segment_id"]])
        centre = vecs.mean(axis=0)
        centre /= np.linalg.norm(centre) or 1.0
        cand = cand.assign(centrality=[float(self.embeddings[s] @ centre) for s in cand["segment_id"]])
        # a placeholder-heavy sentence reads badly in a report: small penalty on top of the cap
        cand["score"] = cand["centrality"] - 0.05 * cand["text"].str.count(_PLACEHOLDER.pattern)
        cand = cand.sort_values(["score", "segment_id"], ascending=[False, True], kind="mergesort")
        chosen, people, sessions = [], set(), set()
        # pass 2: a person not yet quoted in this section, from a new session; 1: any session; 0: anyone new here
        for pass_ in (2, 1, 0):
            for rec in cand.to_dict("records"):
                if len(chosen) >= n:
                    break
                if rec["segment_id"] in {c["segment_id"] for c in chosen} or rec["participant_id"] in people:
                    continue
                if pass_ >= 1 and rec["participant_id"] in avoid_people:
                    continue
                if pass_ == 2 and rec["session_id"] in sessions:
                    continue
                chosen.append(rec)
                people.add(rec["participant_id"])
                sessions.add(rec["session_id"])
        return [self._row(rec) for rec in chosen]

    def _row(self, rec: dict) -> dict:
        seg_id = rec["segment_id"]
        row = {
            "segment_id": seg_id, "quote": rec["text"],
            "context_before": self._side(seg_id, "prev_id"), "context_after": self._side(seg_id, "next_id"),
            "participant_id": rec["participant_id"], "region": rec["region"], "kind": rec["kind"],
            "attribution": f"{rec['participant_id']}, {rec['region']}, {KIND_LABELS.get(rec['kind'], rec['kind'])}",
            "stance": self.stances.get(seg_id) if self.stances else None,
            "centrality": round(rec["centrality"], 4),
        }
        row["display"] = quote_text(row)
        return row


_QUOTE_COLUMNS = ["segment_id", "quote", "context_before", "context_after", "display", "participant_id", "region",
                  "kind", "attribution", "stance", "centrality"]


def exemplar_quotes(segments: pd.DataFrame, codings: pd.DataFrame, embeddings: dict[str, np.ndarray], *,
                    by: str = "region", per_cell: int = 2, min_cell: int = 5, min_words: int = 8,
                    max_words: int = 60, stance: pd.DataFrame | None = None,
                    stance_label: str | None = None) -> pd.DataFrame:
    """Pick ``per_cell`` representative, diverse quotes per theme and group.

    Args:
        segments: segments table (de-identified).
        codings: codings; those with a source in ``MEASURED_SOURCES`` count.
        embeddings: segment_id -> unit-length embedding vector.
        by: grouping column ("region", or "all" for the whole corpus).
        per_cell: quotes per theme x group.
        min_cell: cells with fewer participants give no quotes.
        min_words / max_words: content words a quote needs to stand alone; words it may have to be read.
        stance: the stance table; fills the ``stance`` column.
        stance_label: only segments with this stance are quoted (and centred on); needs ``stance``.

    Returns:
        theme, group, rank, segment_id, quote, context_before, context_after, display,
        participant_id, region, kind, attribution, stance, centrality.
    """
    _check_label(stance, stance_label)
    picker = _Picker(segments, codings, embeddings, stance=stance, stance_label=stance_label,
                     min_words=min_words, max_words=max_words)
    data = picker.data.assign(all="all") if by == "all" else picker.data
    rows = []
    for (theme, group), part in data.groupby(["theme", by], sort=True):
        # the cell is the theme x group count a table would publish, whatever the stance filter
        if part["participant_id"].nunique() < min_cell:
            continue
        for rank, row in enumerate(picker.pick(part, per_cell), start=1):
            rows.append({"theme": theme, by: group, "rank": rank, **row})
    # no cell big enough: an empty table with its columns, so callers can still select from it
    columns = list(dict.fromkeys(["theme", by, "rank", *_QUOTE_COLUMNS]))
    return pd.DataFrame(rows, columns=columns)


def stance_quotes(segments: pd.DataFrame, codings: pd.DataFrame, embeddings: dict[str, np.ndarray],
                  stance: pd.DataFrame, *, theme: str, stance_label: str, by: str = "region", per_cell: int = 2,
                  min_cell: int = 5, min_words: int = 8, max_words: int = 60) -> pd.DataFrame:
    """Quotes illustrating one stance on one theme: every quote has that stance in ``stance``.

    Context sentences beside a quote are kept only when they share its stance or are neutral.
    The ``min_cell`` rule applies to the theme x group cell, as in :func:`exemplar_quotes`.

    Example:
        ``stance_quotes(segs, codes, emb, stance, theme="trust", stance_label="support")``
    """
    return exemplar_quotes(segments, codings[codings["theme"] == theme], embeddings, by=by, per_cell=per_cell,
                           min_cell=min_cell, min_words=min_words, max_words=max_words, stance=stance,
                           stance_label=stance_label)


def _published(prevalence: pd.DataFrame, by: str, area) -> pd.DataFrame:
    """The area's theme cells a reader sees as a value: not suppressed, not banded, raised by someone."""
    cells = prevalence[prevalence[by] == area]
    ok = pd.Series(True, index=cells.index)
    if "published_as" in cells:
        ok &= cells["published_as"] == "value"
    if "suppressed" in cells:
        ok &= ~cells["suppressed"].fillna(True).astype(bool)
    ok &= pd.to_numeric(cells["participants"], errors="coerce").fillna(0) > 0
    return cells[ok]


def _distinctive(comparison: pd.DataFrame | None, by: str, area, allowed: set[str], *, alpha: float,
                 min_effect: float) -> list[str]:
    """Themes the area stands out on: significant positive differences first, then largest effect."""
    if comparison is None or comparison.empty:
        return []
    comp = comparison[(comparison[by] == area) & comparison["theme"].isin(allowed)]
    if "suppressed" in comp:
        comp = comp[~comp["suppressed"].fillna(True).astype(bool)]
    effect_col = next((c for c in ("effect", "difference", "cohens_h") if c in comp), None)
    if effect_col is None or comp.empty:
        return []
    effect = pd.to_numeric(comp[effect_col], errors="coerce")
    if "significant" in comp:
        significant = comp["significant"].fillna(False).astype(bool)
    else:
        significant = pd.to_numeric(comp.get("p_adjusted"), errors="coerce").fillna(1.0) < alpha
    comp = comp.assign(_effect=effect, _sig=significant)
    comp = comp[comp["_effect"] > min_effect]
    comp = comp.sort_values(["_sig", "_effect", "theme"], ascending=[False, False, True], kind="mergesort")
    return comp["theme"].tolist()


def area_quotes(segments: pd.DataFrame, codings: pd.DataFrame, embeddings: dict[str, np.ndarray], *,
                prevalence: pd.DataFrame, comparison: pd.DataFrame | None = None, stance: pd.DataFrame | None = None,
                by: str = "region", themes_per_area: int = 3, per_theme: int = 1, min_cell: int = 5,
                min_words: int = 8, max_words: int = 60, alpha: float = 0.05,
                min_effect: float = 0.0) -> pd.DataFrame:
    """Quotes for each area's section: the themes that area stands out on, then its most raised.

    For each area, themes are taken in this order until ``themes_per_area`` have a quote:
    first those where the area is distinctive in ``comparison`` (significant positive differences
    first, then the largest positive effect above ``min_effect``), then the area's most-raised
    themes in ``prevalence`` (most participants first). A theme whose area cell is not published
    as a value (suppressed, banded, or absent from ``prevalence``) is never illustrated, and a
    theme x area cell with fewer than ``min_cell`` participants never gives a quote. A theme with
    no quotable statement is passed over for the next. Within an area a sentence is quoted once,
    and a person already quoted there is quoted again only when no one else can be.

    Args:
        prevalence: theme x area table (theme, ``by``, participants, share, suppressed and/or published_as).
        comparison: area vs rest (theme, ``by``, effect or difference, p_adjusted, optional significant).
        stance: the stance table; fills the ``stance`` column.

    Returns:
        ``by`` (region), theme, reason ("distinctive" | "most raised"), theme_rank, rank, segment_id,
        quote, context_before, context_after, display, participant_id, kind, attribution, stance,
        centrality; sorted by area, theme_rank, rank.
    """
    picker = _Picker(segments, codings, embeddings, stance=stance, stance_label=None, min_words=min_words,
                     max_words=max_words)
    data = picker.data
    rows = []
    for area in sorted(prevalence[by].dropna().unique()):
        published = _published(prevalence, by, area)
        allowed = set(published["theme"])
        raised = published.assign(_n=pd.to_numeric(published["participants"], errors="coerce")).sort_values(
            ["_n", "theme"], ascending=[False, True], kind="mergesort")["theme"].tolist()
        distinctive = _distinctive(comparison, by, area, allowed, alpha=alpha, min_effect=min_effect)
        order = [(t, "distinctive") for t in distinctive]
        order += [(t, "most raised") for t in raised if t not in set(distinctive)]
        in_area = data[data[by] == area]
        used_segments: set[str] = set()
        used_people: set[str] = set()
        theme_rank = 0
        for theme, reason in order:
            if theme_rank >= themes_per_area:
                break
            part = in_area[in_area["theme"] == theme]
            if part["participant_id"].nunique() < min_cell:
                continue
            picked = picker.pick(part, per_theme, avoid_segments=used_segments, avoid_people=used_people)
            if not picked:
                continue
            theme_rank += 1
            for rank, row in enumerate(picked, start=1):
                used_segments.add(row["segment_id"])
                used_people.add(row["participant_id"])
                rows.append({**row, by: area, "theme": theme, "reason": reason, "theme_rank": theme_rank,
                             "rank": rank})
    columns = list(dict.fromkeys([by, "theme", "reason", "theme_rank", "rank", *_QUOTE_COLUMNS]))
    return pd.DataFrame(rows, columns=columns)
