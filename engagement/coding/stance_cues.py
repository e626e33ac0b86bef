"""Stance cues: what in a sentence says concern, support, a condition or two sides, and their verdict.

Rule and lexicon based. Domain cues are lemma patterns (the codebook's rule format, so every
cue matches its inflections): concern ("worried", "don't trust", "sold off", "hacked"), support
("happy to", "makes sense", "would help", "should be shared") and conditions ("as long as",
"provided", "only if", "if it's anonymised", "yes, but"). Negation is NegEx-style
(:mod:`engagement.coding.negation`): a negated *feeling* flips ("not worried" -> weak support, "don't
trust" -> concern); a negated *event* is cancelled ("they don't sell it" is not a concern).
VADER, with domain words such as "care", "cancer" and "profit" neutralised, is one weak signal
that can tip a weak cue but never decides alone.

Decision (:func:`decide`): a condition marker -> conditional_support (unless concern clearly
dominates); strong support and strong concern together -> mixed; nothing reaching 0.5 -> neutral;
otherwise the heavier side. Cues read e.g. "concern: worried | negated: not worried about
research -> support". :mod:`engagement.coding.stance` weighs them with the learned stance.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

from engagement.coding.codebook import compile_rule
from engagement.coding.negation import blank_nlp, negation_cue, segment_doc, surface_doc
from engagement.coding.matching import doc_bag

STRONG = 0.8      # a single cue at least this heavy is "strong" (mixed needs strong cues on both sides)
THRESHOLD = 0.5   # a side needs this much weight to decide
FLIP_TO_SUPPORT = 0.6   # "not worried" is a weaker endorsement than "happy"
FLIP_TO_CONCERN = 0.8   # "don't trust" is explicit distrust

# (polarity, negation behaviour, weight, rule). behaviour: flip | cancel | fixed (cue carries its own negation)
_FEELING_CONCERN = ("worry|worried|worrying|concern|concerned|concerning|scare|scared|scary|afraid|fear|fearful|"
                    "frighten|frightened|frightening|terrify|terrified|terrifying|nervous|anxious|uneasy|uncomfortable|"
                    "alarm|alarmed|alarming|dread|paranoid|creepy|sinister|dodgy|bother|bothered|hate|dislike|unfair|"
                    "horrible|awful|terrible|appalling|outrageous|disgusting|wrong|suspicious|sceptical|skeptical|"
                    "distrust|mistrust|wary|mortified|risky|dangerous|fussed|angry|upset|unhappy|invasive|intrusive|worst|"
                    "frustrating|frustrated|annoying|annoyed|ridiculous|shocking|disgrace|furious|livid|gutted|horrified|horrify|"
                    "horrifying|horrendous|petrified|twitchy|jittery|iffy|apprehensive|unnerving|unsettling|disturbing|"
                    "troubling|troubled|dreadful|chilling|spooky|dubious|shady|murky|against|worrisome|panicky|queasy|"
                    "embarrassed|embarrassing|ashamed|humiliated|humiliating|mortifying|judgemental|judgmental")
_EVENT_CONCERN = ("sell|flog|hack|hacker|hacking|leak|breach|misuse|abuse|snoop|snooping|nosy|nosey|exploit|profiteer|"
                  "profiteering|judge|judged|stigma|stigmatise|cyberattack|spy|spying|creep|gossip|gossiping|blab")
_SUPPORT = ("happy|happily|glad|pleased|delighted|brilliant|excellent|fantastic|wonderful|sensible|useful|helpful|"
            "beneficial|worthwhile|valuable|reassure|reassuring|reassured|comfortable|keen|willing|welcome|agree|"
            "marvellous|superb|trust|trusted|lovely|great|supportive|positive|vital|essential|invaluable|ace|"
            "amazing|obvious|logical|reasonable|relieved|grateful")
CUES: list[tuple[str, str, float, dict]] = [
    ("concern", "flip", 1.0, {"lemmas": _FEELING_CONCERN.split("|")}),
    ("concern", "flip", 0.8, {"lemmas": ["risk", "a|the worry|problem|danger"]}),
    ("concern", "flip", 0.4, {"lemmas": ["problem|issue"]}),
    ("concern", "cancel", 0.8, {"lemmas": _EVENT_CONCERN.split("|")}),
    ("concern", "cancel", 0.8, {"lemmas": ["make|making|earn * money|fortune|killing|buck|mint|profit", "wrong hands",
                                           "big brother", "postcode lottery", "cash|cashing in", "line * pocket|pockets", "slippery slope", "alarm bells", "nightmare",
                                           "scandal", "rip -? off", "sold off", "in the dark", "last thing", "who * benefit|gain|profit"]}),
    ("concern", "fixed", 1.0, {"lemmas": ["nobody 's business", "no one 's business", "none of * business", "no way", "over my dead body",
                                          "not a chance", "no chance", "god no", "absolutely not", "hands off", "no thanks"]}),
    ("concern", "fixed", 0.8, {"lemmas": ["not|n't have? want|like|fancy|trust|believe", "nobody|never|noone * ask|asked|tell|told|explain|consult|inform",
                                          "no one * ask|asked|tell|told|explain|consult|inform"]}),
    # how worry is voiced in talk: idioms, rhetorical questions, hearsay about leaks and misuse
    ("concern", "fixed", 1.0, {"lemmas": ["blood boil", "keep|keeps|kept me up at night", "who be to say", "what be to stop|stops",
                                          "thin end of the wedge", "ca|can n't|not shake", "cannot shake", "send|sends shivers", "makes|make me shudder",
                                          "the thought of", "do n't|not like the sound|idea|thought", "not on", "sick of", "fed up"]}),
    ("concern", "cancel", 0.8, {"lemmas": ["hear|read about * leak|leaks|hack|hacks|breach|breaches|scandal|case|cases", "end up * wrong|in the wrong",
                                           "used against", "follow|follows|followed you|me|them|him|her around|forever|everywhere", "get|gets|got out",
                                           "fall|falls|fell into", "on the news|papers"]}),
    # sarcasm: praise that means the opposite ("oh brilliant", "what could possibly go wrong")
    ("concern", "sarcasm", 1.2, {"lemmas": ["oh|yeah|yes ,? great|brilliant|lovely|wonderful|marvellous|fantastic|perfect|terrific|super|smashing",
                                          "oh|yeah|yes ,? because", "great|brilliant|wonderful|lovely|marvellous|fantastic|perfect|terrific ,? another|more",
                                          "great|brilliant|wonderful|lovely|marvellous|fantastic|perfect|terrific ,? just what",
                                          "just what we|i|you need|needed",
                                          "what could * go wrong", "yeah|yes ,? right", "because|cause that|it * go|work|worked|went so well",
                                          "i 'm|am sure they 'll|will|would|wo n't", "famous last words", "surprise , surprise",
                                          "surprise surprise", "pull the other one", "do n't make me laugh", "good luck with that",
                                          "like they|that|the nhs have|has never", "has|have never * lose|lost|leak|leaked",
                                          "funny how", "tell that to", "heaven|god help|forbid", "i bet they"]}),
    # concern told as a story: it went missing, ended up somewhere, came back wrong
    ("concern", "fixed", 0.9, {"lemmas": ["end|ended up on|in|with|at", "turn|turned out", "find|found out * later|after|afterwards",
                                          "next thing", "never hear|heard back|anything", "never * the same", "left on a|the train|bus|seat",
                                          "go|went|gone missing", "sent to the wrong", "wrong person|address|patient|house",
                                          "someone|somebody else 's", "no one|nobody told|asked", "without * ask|asking|telling|permission",
                                          "sit right", "bad feeling", "gut say|says no", "disaster waiting", "claw * back",
                                          "never get * back", "once it 's|is out", "ca|can n't undo", "cannot undo", "no going back",
                                          "do n't|not sit right|well", "not for me", "no thank you|thanks",
                                          "nobody|noone|no one * know|knows who|where|what", "not know|knowing who|where|what",
                                          "did n't|not know * they|that", "look at the state of", "look what happen|happened",
                                          "two and two together", "to ransom", "scam|scams|scammer|scammers|fraud|fraudster",
                                          "where do|does * go|end up", "more than * need|needs", "what 's|has * get|got to do with",
                                          "what have * get|got to do with", "no business", "no idea who|where|what"]}),
    # disbelief that anyone could be at ease ("I don't see how anyone could be relaxed about that"), and
    # distrust told as what happened the last time ("last time I trusted them, my letters went astray")
    ("concern", "fixed", 1.0, {"lemmas": ["how * anyone|anybody|people|you|they could|can|would be|feel * relaxed|happy|comfortable|fine|ok|okay|calm|easy|trusting|sure|confident",
                                          "how * anyone|anybody|people|you|they could|can|would trust",
                                          "how could|can|would anyone|anybody|people|you|they * trust",
                                          "how could|can|would anyone|anybody|people|you|they be|feel * relaxed|happy|comfortable|fine|ok|okay|calm|easy|trusting|sure|confident",
                                          "last|one time i|we trust|trusted|believe|believed|let|give|gave|tell|told",
                                          "that 's|is the last time i|we", "never again", "learn|learnt|learned my|our lesson",
                                          "once bitten"]}),
    # a need asked about is a need doubted ("why does the chemist need to know?"); a need not seen is concern
    ("concern", "fixed", 1.0, {"lemmas": ["why|do|does|did|would|should ** need|needs to know|see|have",
                                          "should that|it really", "what good * do|does|will|would"], "when": "question"}),
    ("concern", "fixed", 1.0, {"lemmas": ["n't|not see|understand why ** need|needs|should|have to know|see|have",
                                          "i 'm|am out", "having a laugh", "not so much", "could have|'ve be|been anybody|anyone|anything",
                                          "look|looks|looked|looking at you|me|him|her|them funny|differently|sideways",
                                          "get|gets|got|getting caught look|looking|snoop|snooping|read|reading|peek|peeking",
                                          "between me and", "first i 've|have hear|heard", "the first thing on|in the|my|his|her",
                                          "what 's|is next", "what 's|is * data|it|that * worth"]}),
    ("concern", "fixed", 0.8, {"lemmas": ["not once", "through the roof", "be|'s|are * a joke", "delete|deleted|deleting it", "delete|deleted|deleting the|my|that app|account",
                                          "change|changing|changed|switch|switching|switched hospital|hospitals|surgery|surgeries|gp|gps|doctor|doctors|practice",
                                          "get|gets|got|getting hold of", "my call|choice|decision|business|body",
                                          "could|ca|can|would n't|not tell * who|what|where", "go|going to listen", "gon na listen",
                                          "less sure|keen|happy|comfortable|certain"]}),
    ("concern", "fixed", 0.8, {"lemmas": ["rather * n't|not", "what if", "stay|kept|keep out of", "not comfortable|happy|keen|sure about"]}),
    ("concern", "fixed", 0.9, {"lemmas": ["'m|am|be not have|having it|that|this|any", "not have|having any of it",
                                          "all over the? town|village|place|internet|facebook|street|school|estate",
                                          "get|got|gets their|his|her|its hands on", "that 's the end of it|that", "pass|passed on to",
                                          "give|giving|given * away for nothing|free", "for nothing",
                                          "just|only a number", "a number on a", "not a person", "stare|staring at the|a screen",
                                          "know|knows everyone|everybody", "a talker", "ulterior|agenda|agendas"]}),
    # privacy kept back ("I'd rather keep that to myself", "that's between us and the clinic"), a refusal
    # said politely ("I think I'll pass"), dread ("I'd die if my mum saw", "I lie awake"), things done
    # behind people's backs ("slip it in quietly", "get wind of", "sniffing around"), and rhetorical
    # questions that doubt ("who actually benefits?", "why would I believe them?", "who asked us?")
    ("concern", "fixed", 0.9, {"lemmas": ["keep|keeping|kept ** to myself|ourselves|yourself|himself|herself|themselves",
                                          "between us|you|him|her|them and", "i 'll|will|'d|would pass .|!|;", "i 'll|will|'d|would pass on that|this|it one? ,|.|!",
                                          "i 'd|would die", "lie|lay|lying|lain awake", "open season", "you watch",
                                          "slip|slips|slipped|slipping * in|through", "sniff|sniffs|sniffed|sniffing around|round",
                                          "get|gets|got|getting wind of", "not a spreadsheet|statistic|number|computer|machine"]}),
    ("concern", "fixed", 1.0, {"lemmas": ["who ** benefit|benefits|gain|gains|profit|profits", "why would|should i|we|you|anyone ** believe|trust",
                                          "how ** keep * safe|secure|private|confidential", "who ** ever|actually|even|exactly|bother|bothered ** ask|asked|consult|consulted",
                                          "who ask|asked|consult|consulted us|the public|patients|anyone|anybody"],
                               "when": "question"}),
    # support said by understatement or by asking what could be wrong with it ("what's the harm?",
    # "so what", "it's not the end of the world", "I'd rather they knew"), impatience for it ("get on and
    # do it", "long overdue"), and more ways information failed to travel (notes that never caught up,
    # "couldn't get his notes", "without knowing about his kidneys", the carer as the only one who knows,
    # scraps of paper carried between services)
    ("support", "fixed", 1.0, {"lemmas": ["what|where 's|is the harm", "so what .|,|!|?|;", "not the end of the world",
                                          "'d|would rather they|he|she|you|the|doctors|staff * know|knew|had|have|see|saw",
                                          "'d|would give|hand them|you|it * my", "get on and do it", "get on with it", "long overdue", "about time",
                                          "the whole point"]}),
    ("support", "fixed", 0.9, {"lemmas": ["could|ca|can n't|not get|find|access * notes|records|record|results|history|scan|scans|letter|letters|file",
                                          "ca|can|could n't|not just see|check|look",
                                          "without know|knowing|checking about? his|her|my|their|the",
                                          "n't|not know|knew * had|have be|been change|changed|stopped|started|increased|switched|stop",
                                          "take|took|taking * to catch up", "take|took|taking * to come through|arrive",
                                          "the only one|person who know|knows|knew", "back to square one", "back to the start|beginning",
                                          "bit|bits|scrap|scraps|piece|pieces of paper", "the filing system"]}),
    ("support", "flip", 1.0, {"lemmas": _SUPPORT.split("|"),
                              "not_preceded_by": ["hospital", "nhs", "foundation", "ambulance", "health", "care", "partnership",
                                                  "different", "every", "each", "acute", "mental"]}),
    ("support", "flip", 0.8, {"pattern": [{"LOWER": {"IN": ["fine", "great", "good", "ok", "okay", "alright"]}}],
                              "not_preceded_by": ["a", "the", "big", "hefty", "huge", "heavy", "parking", "pay"]}),
    ("support", "flip", 1.0, {"lemmas": ["make sense", "good idea|thing|cause", "no -? brainer", "all for", "in favour",
                                         "greater good", "go for it", "why not", "save|saving lives|life", "save|saves|saving * life|lives",
                                         "be * for it|that|this", "worth it", "make * more? sense", "common sense", 
                                         "why would n't you|we|i|they", "could n't|not care less", "fair enough", "fine by|with me",
                                         "pro|yes from me|us", "happy days", "sign me up", "crack on"]}),
    ("support", "fixed", 0.7, {"lemmas": ["n't|not|never see * problem|issue|harm|downside|objection", "n't|not|never see why not", "what the fuss",
                                          "no|nothing against", "not|n't against", "no harm", "nothing to hide"]}),
    ("support", "flip", 0.8, {"lemmas": ["of course", "would|could|will|might|can help|save|improve|benefit",
                                         "should|must|ought to? all? be share|shared|joined|linked|available|used|connected",
                                         "should|must|ought * one|same record|system", "should|must|ought to? all? be work|working off|from * one|same",
                                         "can have mine|it", "share whatever|anything|everything", "more than happy",
                                         "'d|would want|like them|it|everyone|everybody to", "'d|would want|like the? doctor|doctors|paramedic|paramedics|nurse|nurses to"]}),
    ("support", "fixed", 1.0, {"lemmas": ["no|n't problem|problems|issue|issues|objection|objections|qualms|worries",
                                          "not|n't|never mind"]}),
    # negated negations: "can't see why anyone wouldn't want", "no reason not to", "daft not to"
    ("support", "fixed", 1.0, {"lemmas": ["ca|can|do|could n't|not see|understand|imagine|think why ** n't|not",
                                          "cannot see|understand|imagine why ** n't|not", "no reason|excuse not to|why not",
                                          "why would|should * n't|not want|share|agree", "mad|daft|silly|crazy|stupid|foolish not to",
                                          "would|'d n't say no", "not that i|we * n't|not want|mind|trust|agree",
                                          "hard|difficult to argue|object against|with", "n't|not * against it|that|this|sharing",
                                          "ca|can|could n't|not think of * reason|reasons ** n't|not",
                                          "nobody|noone be|'s|is say|saying|argue|arguing ** n't|not",
                                          "no one be|'s|is say|saying|argue|arguing ** n't|not"]}),
    # a denied worry said whole ("nothing to be scared of", "I don't think there's anything to worry about"),
    # and the risk put on not sharing ("not sharing it is what's dangerous"): longer than the worry word
    # inside them, so they win over it
    ("support", "fixed", 1.0, {"lemmas": ["nothing to be? worry|worried|scared|afraid|frightened|fear|fret|concerned|nervous|panic about|of|over",
                                          "nothing to be? worry|scared|afraid|frightened|fear|fret|panic",
                                          "n't|not|never * anything to be? worry|worried|scared|afraid|frightened|fear|fret|concerned|nervous|panic",
                                          "no need to worry|fret|panic|fear|be",
                                          "not|n't share|sharing|link|linking|join|joining|connect|connecting * be|'s * dangerous|risky|worse|danger|risk|problem",
                                          "dangerous|risky|worse|riskier not to share|link|join|connect|tell|have",
                                          "the danger|risk|problem be|is|'s not share|sharing|link|linking|join|joining|connect|connecting"]}),
    # harm told as information that did not travel (the codebook's care_retelling, care_continuity,
    # care_emergency, consistency_areas): a story of repeating yourself, of staff who did not know, of
    # two services that might as well be on different planets, is an argument for sharing
    ("support", "fixed", 0.9, {"lemmas": ["tell|telling|told|explain|explaining|explained|repeat|repeating|go|going|list|listing|say|saying * all? over again",
                                          "tell|telling|explain|explaining|repeat|repeating|list|listing|say|saying * again and again",
                                          "tell|telling|explain|explaining|repeat|repeating|list|listing|say|saying * over and over",
                                          "tell|telling|explain|explaining|repeat|repeating|list|listing|say|saying * every|each time",
                                          "sick|tired of|with explain|explaining|repeat|repeating|tell|telling|say|saying|go|going|list|listing",
                                          "fed up of|with explain|explaining|repeat|repeating|tell|telling|say|saying|go|going|list|listing",
                                          "start|starting|started|begin|began all over again|from scratch|from square one|from zero",
                                          "all over again", "from scratch", "reel|reels|reeling|reeled * off", "rattle|rattling|rattled * off",
                                          "like i|we|he|she|they 'd|had never exist|existed|been",
                                          "nothing|none of it * come|came|get|got|go|went across|through|over",
                                          "left hand * know|knows|knew what the right",
                                          "different planet|planets|country|countries|universe|universes|world|worlds",
                                          "might|may as well be * different|separate|another",
                                          "no|n't have? clue|idea he|she|his|her",
                                          "n't|not even know|knew he|she|his|her", "n't|not even know|knew i|we 'd|had|was|were",
                                          "could|ca|can n't|not see * anything|thing|notes|records|record|results|history|scan|scans",
                                          "why ca|can|could|do|does|did|wo n't|not ** see|talk|speak|share|link|know",
                                          "nobody|noone have? tell|told|inform|informed|let|pass|passed * the|my|his|her gp|doctor|surgery|hospital|nurse|consultant|pharmacy|pharmacist|dentist|specialist|paramedic|paramedics|ambulance|practice|team",
                                          "no one have? tell|told|inform|informed|let|pass|passed * the|my|his|her gp|doctor|surgery|hospital|nurse|consultant|pharmacy|pharmacist|dentist|specialist|paramedic|paramedics|ambulance|practice|team",
                                          "should|must 've|have seen|spotted|flagged|picked", "ought to 've|have seen|spotted|flagged|picked", "should|must know|see",
                                          "save|saves|saved|saving you|me|them|us|everyone|everybody * say|saying|tell|telling|explain|explaining|repeat|repeating|time|hassle|trouble|bother|trip|trips|journey",
                                          "'d|would * want|like|prefer the|my? gp|gps|doctor|doctors|consultant|consultants|specialist|hospital|surgery|clinic|nurse|nurses|dentist|pharmacist|carer|carers|paramedic|paramedics|crew|team|staff|them|him|her to see|know|have|access|look",
                                          "nice|good|reassuring|comforting|handy to know|think|have",
                                          "sat|sit|sitting in a drawer", "sat|sit|sitting on a shelf", "gather|gathering|collect|collecting dust", "share away",
                                          "out cold", "unconscious", "knocked out", "in no fit state", "bat an eyelid|eye"]}),
    # "the dentist needs to know": a need stated is support, a need denied ("doesn't need to know") concern
    ("support", "flip", 0.9, {"lemmas": ["need|needs|needed to know|see|have"], "when": "statement",
                              "not_preceded_by": ["i", "we", "'d", "would", "you", "people", "public", "patients", "everyone", "everybody"]}),
    # both sides said at once: "part of me thinks great, and part of me thinks hang on", "in two minds"
    ("mixed", "fixed", 1.0, {"lemmas": ["and part of me", "other part of me", "half of me", "in two minds", "mixed feelings", "double - edged",
                                        "swings and roundabouts", "on the one hand"]}),
    # undecided between two sides, in everyday wording: "I'm torn", "it cuts both ways", "I'm on the fence"
    ("mixed", "fixed", 0.9, {"lemmas": ["be|'m|am|feel|feeling torn", "see|seeing both sides", "both sides of the argument|coin|story",
                                        "two sides to it|this|that|everything|the coin|the argument", "cut|cuts both ways",
                                        "pros and cons", "good and bad", "for and against", "'m|am on the fence", "sitting on the fence",
                                        "blessing and a curse", "yes and no", "go|goes either way", "a bit of both",
                                        "one part of me", "on the other hand",
                                        "upside * downside", "good side * bad side", "plus side * minus side", "catch - 22",
                                        "not sure which way", "go|going back and forth on|about", "can not make my mind up", "ca n't make my mind up",
                                        "ca n't decide", "can not decide", "have n't made up my mind"]}),
    ("support", "flip", 0.4, {"lemmas": ["definitely|absolutely"]}),
    ("support", "flip", 0.3, {"lemmas": ["yes|yeah"]}),   # a bare "Yes." depends on the question: not enough alone
    ("support", "flip", 0.4, {"lemmas": ["help|benefit|improve|better"]}),
    ("condition", "fixed", 1.0, {"lemmas": ["as|so long as", "provided|providing", "only * if|when|with|as|where|once",
                                            "on condition|understanding", "on the condition|understanding", "subject to",
                                            "assuming", "if * anonymise|anonymised|anonymous|depersonalised|pseudonymised|encrypted|secure|safe|protected",
                                            "if * de - identify|identified|personalised", "yes|yeah|fine|okay|ok|happy ,? but",
                                            "but only", "but not for|if|when|unless", "but as long", "but provided|providing", "n't|not mind if",
                                            "if they|you ask|asked|check", "if i be|'m asked|told|consulted",
                                            "with my|our|your|their consent|permission|agreement"]}),
    # conditions in the wordings people use: "long as" without "as", "alright with it if", "before I'd say yes",
    # "I'd trust it more if", "as long as ... then", "I'd say yes if"
    ("condition", "fixed", 1.0, {"lemmas": ["long as", "if and only if", "only on condition", "on * condition",
                                            "before i|they|we 'd|would|will|'ll|agree|say|sign|consent|give|share|hand|let",
                                            "before i be|'m|am * happy|comfortable|ok|okay|fine",
                                            "'d|would|will|'ll trust * more|better if|when|once",
                                            "'d|would|will|'ll be|feel * happier|keener|comfortable|happy|fine|better|okay|ok|alright|safer if|when|once",
                                            "alright|fine|happy|ok|okay|comfortable|content|glad|willing|good with * if|when|once|provided",
                                            "alright|fine|happy|ok|okay|comfortable|content|glad|willing|good if|when|once",
                                            "all right|ok|okay * if|when|once", "'d|would|will|'ll say yes|agree|share|sign|go along * if|when|once",
                                            "yes|yeah|sure|fine|okay|ok ,? if|once|when", "as long as * then", "as long as",
                                            "if * ask|asks|asked|tell|tells|told|check|checks * first|beforehand|before",
                                            "be|being ask|asked|told * first|beforehand", "ask|asks|asked|tell|tells|told me|us first",
                                            "if * do it properly|right|safely|carefully", "do it properly|right", "if * strip|strips|take|takes|taken",
                                            "only * need|needs|should|want|wants", "'d|would need|want to know|see * first|beforehand|before", "'d|would need|want to be told|asked * first|beforehand|before"]}),
    ("condition", "fixed", 0.8, {"lemmas": ["unless", "depend|depends on whether|if", "and nothing more|else", "no more than",
                                            "but in a|an? emergency|crisis", "in an emergency|emergencies ,? fair|fine|okay|ok|yes|yeah",
                                            "in a|an * emergency|emergencies ,? fair|fine|okay|ok|yes|yeah|then",
                                            # "charge them properly, then I'd be fine", "make it sackable and I'd sign up"
                                            "then i|we 'd|would|'ll|will be? fine|happy|ok|okay|alright|trust|share|agree|sign|say|feel|go",
                                            "and i|we 'd|would|'ll|will be? happy|fine|sign|agree|say yes|go along|feel",
                                            "yes|yeah|okay|ok|fine ,? in a|an? emergency|emergencies", "if * name|names * off|removed|out",
                                            "if * anonymous|anonymized|aggregated|coded", "fine|happy|ok|okay * if", "only the bits|parts|part|bit"]}),
]
#: phrases whose words are not stance cues ("as far as I'm concerned", "never mind", "bear in mind").
NEUTRAL_PHRASES = ["as far as * concerned", "never mind", "bear in mind", "in mind", "mind you", "no doubt",
                   "if you do n't mind", "to be honest", "help desk", "help line", "for better or worse"]
_VADER_NEUTRAL = ("care", "cancer", "death", "die", "dying", "emergency", "profit", "crash", "collapse", "pain", "ill",
                  "sick", "abuse", "share", "cure", "heart", "disease", "broken", "help", "trust", "no", "problem",
                  "mind", "worried", "happy", "fine", "risk", "leak", "safe", "secure", "benefit", "support")


@lru_cache(maxsize=1)
def _matchers():
    from engagement.coding.matching import AnchoredMatcher

    vocab = blank_nlp().vocab
    matcher, neutral, meta = AnchoredMatcher(vocab), AnchoredMatcher(vocab), {}
    for i, (polarity, mode, weight, raw) in enumerate(CUES):
        raw = dict(raw)
        when = raw.pop("when", None)   # "question" | "statement": the cue counts only in one kind of sentence
        rule = compile_rule(raw)
        matcher.add(f"cue{i}", [list(p) for p in rule.patterns])
        meta[f"cue{i}"] = (polarity, mode, weight, rule, when)
    neutral.add("neutral", [list(p) for p in compile_rule({"lemmas": NEUTRAL_PHRASES}).patterns])
    return matcher, neutral, meta


@lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    for word in _VADER_NEUTRAL:  # domain words VADER misreads, or that the lexicon above already handles
        analyzer.lexicon.pop(word, None)
    return analyzer


def stance_cues(text: str, tokens: str | None = None, lemmas: str | None = None,
                evidence: Iterable[str] = ()) -> list[tuple[str, float, str]]:
    """The stance cues in one segment: ``[(polarity, weight, description), ...]``.

    ``polarity`` is concern, support, condition or vader; a negated cue appears with its flipped
    polarity and the description "negated: <cue ... coded topic>". ``evidence`` (code evidence
    spans from the codings) lets a negated cue name what it was about.
    """
    matcher, neutral, meta = _matchers()
    doc, offsets = segment_doc(text, tokens, lemmas)
    docs = [d for d in (doc, surface_doc(doc)) if d is not None]
    bag = doc_bag(doc)
    blocked = {i for d in docs for _, s, e in neutral(d, bag) for i in range(s, e)}
    found = []
    question = is_question(text)
    for key, s, e in dict.fromkeys(m for d in docs for m in matcher(d, bag)):
        polarity, mode, weight, rule, when = meta[doc.vocab.strings[key]]
        if when is not None and (when == "question") != question:
            continue
        if s > 0 and {doc[s - 1].lemma_, doc[s - 1].lower_} & rule.not_preceded_by:
            continue
        if polarity != "condition" and blocked & set(range(s, e)):
            continue
        found.append((s, e, polarity, mode, weight))
    kept: list[tuple] = []
    for hit in sorted(found, key=lambda h: (-(h[1] - h[0]), h[0])):  # longest cue wins within a kind
        same_kind = [k for k in kept if (k[2] == "condition") == (hit[2] == "condition")]
        if all(hit[1] <= k[0] or hit[0] >= k[1] for k in same_kind):
            kept.append(hit)
    sarcastic = any(k[3] == "sarcasm" for k in kept)
    if sarcastic:
        # "Oh yes, because nothing ever goes wrong": the praise and the denied worry are the joke
        kept = [k for k in kept if k[2] != "support" and not (k[2] == "concern" and k[3] == "flip")]
    spans = [(text.find(ev), ev) for ev in evidence if ev and text.find(ev) >= 0]
    for m in _IF_THEN.finditer(text):
        kept.append((_tok_at(offsets, m.start()), _tok_at(offsets, m.end() - 1) + 1, "condition", "fixed", 1.0))
    turn, denial = _contrast(text, offsets)
    if turn is not None and any(s >= turn and p != "condition" for s, _, p, _, _ in kept):
        # "it's not X I'm wary of, it's Y": the clause after the turn decides; the first only sets the scene
        kept = [k for k in kept if k[0] >= turn or k[2] == "condition"]
    changed = _changed_mind(text, offsets)
    if changed is not None:
        # "I used to worry about it, but now ...": a view the speaker has left behind is not their view
        before = [k for k in kept if k[0] < changed and k[2] in ("support", "concern")]
        kept = [k for k in kept if k[0] >= changed or k[2] == "condition"]
        if not any(k[2] != "condition" for k in kept) and _NO_LONGER.match(text, offsets[changed][0]):
            # "I used to trust them, but not any more": the view left behind, turned round
            kept += [(s, e, "support" if p == "concern" else "concern", "no longer", w * FLIP_TO_CONCERN)
                     for s, e, p, _, w in before]
    buts = [i for i, t in enumerate(doc) if t.lower_ in ("but", "though", "although")]
    topical = bool(spans) or bool(_DATA_WORDS.search(text))
    out = []
    for s, e, polarity, mode, weight in sorted(kept):
        span = text[offsets[s][0]:offsets[e - 1][1]]
        if mode == "no longer":
            out.append((polarity, weight, f"no longer: {span} -> {polarity}"))
            continue
        if polarity == "support" and span.lower() in GENERIC_PRAISE:
            # "People are lovely, but they talk": praise before a "but" whose clause carries no cue of its
            # own only sets the scene; praise of something that is not data ("they were very good") is weak
            after = [b for b in buts if b >= e]
            if after and not any(k[0] > after[0] and k[2] != "condition" for k in kept):
                out.append((polarity, weight * GENERIC_WEIGHT, f"contrast: {span} (before '{doc[after[0]].text}')"))
                continue
            if not topical:
                out.append((polarity, weight * GENERIC_WEIGHT, f"support: {span} (not about data)"))
                continue
        cue = negation_cue(doc, s) if mode in ("flip", "cancel") else None
        if cue is not None and cue == denial:   # the "not" denies X, not the feeling: "not X I'm wary of"
            out.append((polarity, weight, f"contrast: {span}"))
            continue
        if cue is None:
            out.append((polarity, weight, f"{polarity}: {span}"))
            continue
        start, end = offsets[cue][0], offsets[e - 1][1]
        about = [(p, ev) for p, ev in spans if start <= p <= end + 40 and p + len(ev) > end
                 and not any(ch in text[end:p] for ch in ",.;!?")]
        if about:
            end = max(p + len(ev) for p, ev in about)
        said = text[start:end]
        if mode == "cancel":
            out.append(("negated", 0.0, f"negated: {said} -> cancelled"))
        else:
            flipped = "support" if polarity == "concern" else "concern"
            w = weight * (FLIP_TO_SUPPORT if flipped == "support" else FLIP_TO_CONCERN)
            out.append((flipped, w, f"negated: {said} -> {flipped}"))
    compound = _vader().polarity_scores(text)["compound"]
    if abs(compound) >= 0.4 and not sarcastic:
        out.append(("support" if compound > 0 else "concern", 0.4 * abs(compound), f"vader: {compound:+.2f}"))
    return out


#: praise words that say nothing about data unless the segment is about it (people, staff, a day can be lovely)
GENERIC_PRAISE = frozenset({"lovely", "great", "brilliant", "excellent", "fantastic", "wonderful", "amazing", "marvellous",
                            "superb", "ace", "good", "fine", "ok", "okay", "alright", "nice", "kind"})
GENERIC_WEIGHT = 0.35   # below THRESHOLD: generic praise alone no longer decides
_DATA_WORDS = re.compile(r"\b(?:shar(?:e|es|ed|ing)|records?|data|datum|information|info|notes|files?|details|systems?|"
                         r"access|join(?:ed|ing)? up|linked|idea|use[ds]?|using|research|anonymi[sz]ed|consent|opt(?:ed|ing)? out|"
                         r"app|nhs|doctors?|gp|hospital)\b", re.IGNORECASE)


_CONTRAST = re.compile(r"\b(?:it'?s|it is|that'?s|that is|it was|it's just)\s+(not)\b|\b(?:it|that) (isn'?t|wasn'?t)\b|"
                       r"^\s*(not) (?:the|that|so much)\b", re.IGNORECASE)
_TURN = re.compile(r"[,;:—–-]\s*(?:it'?s|it is|it was|but|just|rather|more|what)\b|\bbut\b", re.IGNORECASE)


_IF_THEN = re.compile(r"\bif\b[^.?!;]{3,80}?,\s*(?:then\s+)?(?:yes|yeah|fine|ok|okay|sure|great|go ahead|i'?m happy|"
                      r"that'?s fine|i'?d agree|i'?m in|no problem|i'?d (?:feel|be) (?:a lot |much |far |a bit )?"
                      r"(?:happier|better|easier|safer|more comfortable|fine|ok|okay|happy|comfortable)|"
                      r"i'?d (?:sign|go along|agree|share|trust|say yes))\b", re.IGNORECASE)


def _tok_at(offsets: list[tuple[int, int]], char: int) -> int:
    return next((i for i, (a, b) in enumerate(offsets) if a <= char < b or a > char), len(offsets) - 1)


def _contrast(text: str, offsets: list[tuple[int, int]]) -> tuple[int | None, int | None]:
    """For "it's not X ..., it's Y": the token where Y's clause starts, and the token of the denying "not"."""
    m = _CONTRAST.search(text)
    if not m:
        return None, None
    t = _TURN.search(text, m.end())
    if not t:
        return None, None
    g = next(i for i in (1, 2, 3) if m.group(i))
    neg_char = m.start(g) + (m.group(g).lower().find("n't") if "n't" in m.group(g).lower() else 0)
    turn = next((i for i, (a, _) in enumerate(offsets) if a >= t.end() - 1), None)
    denial = next((i for i, (a, b) in enumerate(offsets) if a <= neg_char < b or a >= neg_char), None)
    return turn, denial


#: a view told as the speaker's past one ("I used to worry", "at first I was against it") ...
_CHANGE = re.compile(r"\b(?:used to|at first|to begin with|to start with|initially|in the beginning|"
                     r"(?:i|we) was (?:dead |totally |really |very |a bit )?(?:against|for|sceptical|skeptical|"
                     r"worried|wary|nervous|unsure|keen|happy|fine|all for)\b[^.?!;]{0,60}?\b(?:before|till|until))\b",
                     re.IGNORECASE)
#: ... and the turn to the present one ("but now", "these days", "till the nurse explained", "not any more")
_CHANGE_TURN = re.compile(r"\b(?:but|now|nowadays|these days|whereas|then|till|until|not any ?more|no longer)\b",
                          re.IGNORECASE)


_NO_LONGER = re.compile(r"(?:but\s+)?(?:not any ?more|no longer|not now|not these days)\b", re.IGNORECASE)


def _changed_mind(text: str, offsets: list[tuple[int, int]]) -> int | None:
    """For "I used to worry, but now ...": the token where the present view starts, else None."""
    m = _CHANGE.search(text)
    if not m:
        return None
    t = _CHANGE_TURN.search(text, m.end())
    if not t:
        return None
    return next((i for i, (a, _) in enumerate(offsets) if a >= t.start()), None)


def is_contrast(text: str) -> bool:
    """Whether the clause after a turn holds the view: "it's not X ..., it's Y" ("not the X, but Y"), or a
    view left behind ("I used to worry, but now ...")."""
    m = _CONTRAST.search(text)
    if m and _TURN.search(text, m.end()):
        return True
    m = _CHANGE.search(text)
    return bool(m and _CHANGE_TURN.search(text, m.end()))


_TAG_QUESTION = re.compile(r"[,;]\s*(?:is|are|was|were|do|does|did|have|has|had|can|could|would|will|wo|should|must|ai)"
                           r"(?:n'?t| not)?\s+(?:it|they|we|you|he|she|i|there|that|ya)\s*\?\s*$", re.IGNORECASE)


def is_question(text: str) -> bool:
    """A real question ("Why does the chemist need to know?"), not a tag on a statement ("..., isn't it?")."""
    text = text.rstrip()
    return text.endswith("?") and not _TAG_QUESTION.search(text)


def decide(cues: list[tuple[str, float, str]]) -> tuple[str, float]:
    """Stance label and score in [0, 1] (strength of the deciding cues; 0 for neutral)."""
    if any(p == "mixed" for p, _, _ in cues) and not any(p == "condition" for p, _, _ in cues):
        return "mixed", max(w for p, w, _ in cues if p == "mixed")
    s = sum(w for p, w, _ in cues if p == "support")
    c = sum(w for p, w, _ in cues if p == "concern")
    cond = max((w for p, w, _ in cues if p == "condition"), default=0.0)
    strong_s = any(p == "support" and w >= STRONG for p, w, d in cues if not d.startswith("vader"))
    strong_c = any(p == "concern" and w >= STRONG for p, w, d in cues if not d.startswith("vader"))
    if cond and c - s < 1.5:
        return "conditional_support", round(min(1.0, cond * 0.7 + 0.3 * min(1.0, s)), 3)
    if strong_s and strong_c:
        return "mixed", round(min(1.0, min(s, c)), 3)
    if max(s, c) < THRESHOLD:
        return "neutral", 0.0
    if s == c:
        return "mixed", round(min(1.0, s), 3)
    return ("support", round(min(1.0, s - 0.5 * c), 3)) if s > c else ("concern", round(min(1.0, c - 0.5 * s), 3))
