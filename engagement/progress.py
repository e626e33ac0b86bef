"""Progress bars for the long stages, with an estimate of the time left.

Every long stage (reading files, de-identification, segmentation, coding batches, embeddings,
topics) reports through :func:`bar`. A bar is shown on a terminal only; it stays quiet when the
output is not a TTY, under CI (``$CI`` set), under pytest, and inside a notebook or a papermill
run, unless asked for: ``--progress`` on the command line, ``ENGAGEMENT_PROGRESS=1``, or
``progress=True`` in the call. ``ENGAGEMENT_PROGRESS=0`` silences it everywhere.

Bars write to standard error (never into a table or a notebook's output) and use plain
``tqdm`` text, so an asked-for bar in a notebook is a line of text, not a widget.

Example:
    >>> from engagement.progress import bar
    >>> total = 0
    >>> for n in bar(range(3), desc="counting", enabled=False):
    ...     total += n
    >>> total
    3
"""

from __future__ import annotations

import os
import sys
from typing import Iterable, TextIO

ENV = "ENGAGEMENT_PROGRESS"
_ON = {"1", "true", "yes", "on"}
_OFF = {"0", "false", "no", "off"}


def in_notebook() -> bool:
    """True inside a Jupyter kernel (which is also where papermill runs a notebook)."""
    # a process that imported papermill (the batch driver, a test) is not a notebook: its kernels are
    if "PAPERMILL_INPUT_PATH" in os.environ:
        return True
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    try:
        ip = shell.get_ipython()
    except Exception:  # noqa: BLE001 - an IPython without a running shell
        return False
    return ip is not None and "IPKernelApp" in getattr(ip, "config", {})


def progress_enabled(requested: bool | None = None, stream: TextIO | None = None) -> bool:
    """Whether a bar should be drawn.

    Args:
        requested: True or False decides; None asks the environment (``ENGAGEMENT_PROGRESS``,
            then quiet under CI, pytest or a notebook, else shown when ``stream`` is a terminal).
        stream: where the bar would go (default standard error).
    """
    if requested is not None:
        return bool(requested)
    env = os.environ.get(ENV, "").strip().lower()
    if env in _ON:
        return True
    if env in _OFF:
        return False
    if os.environ.get("CI") or "PYTEST_CURRENT_TEST" in os.environ or in_notebook():
        return False
    stream = stream if stream is not None else sys.stderr
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def bar(iterable: Iterable | None = None, *, desc: str, total: int | None = None, unit: str = "it",
        enabled: bool | None = None, stream: TextIO | None = None, **options):
    """A tqdm bar (elapsed, rate, time left) over ``iterable``, or a manual one to ``update(n)``.

    Args:
        iterable: what to iterate over; None for a bar advanced by ``update``.
        desc: the stage's name, shown first ("reading", "de-identifying", "embedding").
        total: how many items (taken from ``len(iterable)`` when it has one).
        unit: what an item is ("file", "session", "turn", "sentence").
        enabled: force on/off; None: :func:`progress_enabled`.
        stream: where to draw (default standard error).
        **options: passed to ``tqdm`` (``leave=True`` keeps the finished bar on screen).

    Returns:
        A ``tqdm`` object; disabled bars cost nothing and print nothing.
    """
    from tqdm.std import tqdm

    stream = stream if stream is not None else sys.stderr
    show = progress_enabled(enabled, stream)
    if total is None and iterable is not None and hasattr(iterable, "__len__"):
        total = len(iterable)
    try:
        terminal = bool(stream.isatty())
    except (AttributeError, ValueError):
        terminal = False
    # off a terminal (asked for in a log or a notebook) a fixed width keeps the stage's name whole
    width = {"dynamic_ncols": True} if terminal else {"ncols": 100}
    settings = {"leave": False, "mininterval": 0.5, "smoothing": 0.1, **width, **options}
    return tqdm(iterable, desc=desc, total=total, unit=unit, file=stream, disable=not show, **settings)
