"""Where the per-session and per-batch stages run: this process, or a Dask cluster.

The stages are plain functions of one session's (or one batch's) data. An engine maps such a
function over a list of items and returns the results in the items' order, so the driver that
combines them (numbering placeholders, fitting topics, writing tables) is the same on every
engine and the outputs are too.

- ``local`` (the default): in this process, one item after another; for a big corpus the
  stages open a :class:`ProcessEngine`, a pool of worker processes on this machine, for their
  heaviest per-piece work.
- ``dask``: on a ``dask.distributed`` cluster, at ``--scheduler ADDRESS`` (or ``engine.scheduler``
  in the config), else on a :class:`~distributed.LocalCluster` started for the run and closed
  after it. Dask is imported only here, only when this engine is asked for.

Workers never download anything: every task runs with ``HF_HUB_OFFLINE=1`` (and the other
offline switches) set, whatever the worker's own environment says.

Example:
    >>> from engagement.engine import open_engine
    >>> with open_engine("local") as engine:
    ...     engine.map(len, ["ab", "c"], desc="measuring")
    [2, 1]
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence

from engagement.errors import ConfigError
from engagement.progress import bar

ENGINES = ("local", "dask")

#: Below this many characters prepare runs in this process: starting workers costs more than it saves
#: (at 560,000 characters, 100,000 words, two workers were 1.4 times faster on 2 cores).
AUTO_PARALLEL_CHARS = 500_000
#: Memory one spaCy worker process needs (the small English model, its batch and Python).
WORKER_MEMORY = 700 * 2**20

#: Set in every worker task: nothing downloads at run time.
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1",
               "TOKENIZERS_PARALLELISM": "false", "HF_DATASETS_OFFLINE": "1"}


def _offline_call(fn: Callable, item: Any) -> Any:
    """Run ``fn(item)`` with the offline switches set (the task a worker runs)."""
    os.environ.update(OFFLINE_ENV)
    os.environ["ENGAGEMENT_WORKER"] = "1"   # e.g. the embedding cache: add shards, never merge them
    return fn(item)


class LocalEngine:
    """Runs each item in this process, in order."""

    name = "local"
    distributed = False

    def map(self, fn: Callable, items: Sequence, *, desc: str = "working", unit: str = "item",
            progress: bool | None = None) -> list:
        """``[fn(x) for x in items]`` with a progress bar."""
        return [fn(x) for x in bar(items, desc=desc, unit=unit, enabled=progress)]

    def close(self) -> None:
        pass


class ProcessEngine:
    """Runs the items on a pool of worker processes on this machine; results come back in order.

    The local engine's way to use more than one core for work that is mostly Python (the
    detector's rules, segmentation): each worker gets whole pieces and sends back only their
    results, where spaCy's own ``n_process`` would pickle every Doc back to the driver. Workers
    start with ``spawn`` (nothing of the driver's state, threads or open models is inherited) and
    run each task with the offline switches set, as Dask workers do.

    Args:
        workers: worker processes (default: the usable cores).
    """

    name = "local"
    distributed = True   # items go to other processes: stages send them whole, as to Dask

    def __init__(self, workers: int | None = None):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.workers = max(1, workers or usable_cores())
        self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))

    def map(self, fn: Callable, items: Sequence, *, desc: str = "working", unit: str = "item",
            progress: bool | None = None) -> list:
        """``[fn(x) for x in items]`` on the pool; the first failing item's error (in order) is raised."""
        items = list(items)
        if not items:
            return []
        futures = [self._pool.submit(_offline_call, fn, x) for x in items]
        out: list = []
        try:
            with bar(desc=desc, total=len(items), unit=unit, enabled=progress) as shown:
                for future in futures:   # in order: the error met first is the one the local engine meets
                    out.append(future.result())
                    shown.update(1)
        except BaseException:
            for future in futures:
                future.cancel()
            raise
        return out

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskEngine:
    """Runs each item as a task on a ``dask.distributed`` cluster; results come back in order.

    Args:
        scheduler: the scheduler's address (``tcp://host:8786``); None starts a LocalCluster.
        workers: LocalCluster worker processes (default: the usable cores, at least 2).
    """

    name = "dask"
    distributed = True

    def __init__(self, scheduler: str | None = None, *, workers: int | None = None):
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - dask is in requirements.txt
            raise ConfigError("--engine dask needs dask[distributed] (pip install -r requirements.txt)") from exc
        self._cluster = None
        os.environ.update(OFFLINE_ENV)  # inherited by LocalCluster worker processes
        if scheduler:
            try:
                self.client = Client(scheduler, timeout="30s")
            except (OSError, TimeoutError) as exc:
                raise ConfigError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        else:
            n = workers or max(2, usable_cores())
            self._cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                                         dashboard_address=None, env=dict(OFFLINE_ENV), silence_logs=40,
                                         # its status page on a free local port, never a fixed public one
                                         scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})
            self.client = Client(self._cluster)

    @property
    def n_workers(self) -> int:
        return len(self.client.scheduler_info().get("workers", {}))

    def map(self, fn: Callable, items: Sequence, *, desc: str = "working", unit: str = "item",
            progress: bool | None = None) -> list:
        """``[fn(x) for x in items]`` on the cluster, gathered in the items' order.

        If tasks fail, the error of the first failing item (in the items' order, as on the local
        engine) is raised here, after every task has finished; an ``EngagementError`` keeps its
        message naming the file and line.
        """
        from distributed import as_completed

        if not items:
            return []
        futures = self.client.map(_offline_call, [fn] * len(items), list(items), pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        out: list = [None] * len(items)
        failed: dict[int, BaseException] = {}
        try:
            with bar(desc=desc, total=len(items), unit=unit, enabled=progress) as shown:
                for future in as_completed(futures):
                    i = index[future.key]
                    if future.status == "error":
                        failed[i] = future.exception()
                    else:
                        out[i] = future.result()
                    future.release()
                    shown.update(1)
        except BaseException:
            self.client.cancel(futures)
            raise
        if failed:  # the first item's error, as the local engine would have met it
            raise failed[min(failed)]
        return out

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, else ``os.cpu_count()``)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _available_memory() -> int | None:
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def worker_count(cfg, n_chars: int) -> int:
    """Worker processes for a pass over ``n_chars`` characters on this machine.

    The config's ``n_process`` wins; ``auto`` is one for small runs (under
    :data:`AUTO_PARALLEL_CHARS`), else one per usable core, as many as the free memory holds
    (:data:`WORKER_MEMORY` each), at most four.
    """
    n = cfg.settings.get("n_process", "auto")
    if n != "auto":
        return int(n)
    if n_chars < AUTO_PARALLEL_CHARS:
        return 1
    memory = _available_memory()
    by_memory = max(1, memory // WORKER_MEMORY) if memory else 1
    return max(1, min(usable_cores(), by_memory, 4))


def engine_settings(cfg, engine: str | None = None, scheduler: str | None = None) -> tuple[str, str | None]:
    """The engine and scheduler address: the arguments, else the config's ``engine`` block."""
    block = cfg.settings.get("engine") or {}
    name = engine or block.get("name") or "local"
    if name not in ENGINES:
        raise ConfigError(f"unknown engine '{name}' (choose {' or '.join(ENGINES)})")
    return name, (scheduler or block.get("scheduler") or None) if name == "dask" else None


@contextmanager
def open_engine(name: str = "local", scheduler: str | None = None, *, workers: int | None = None
                ) -> Iterator[LocalEngine | DaskEngine]:
    """An engine for the length of a ``with`` block (a LocalCluster it started is closed after)."""
    if name not in ENGINES:
        raise ConfigError(f"unknown engine '{name}' (choose {' or '.join(ENGINES)})")
    engine = LocalEngine() if name == "local" else DaskEngine(scheduler, workers=workers)
    try:
        yield engine
    finally:
        engine.close()
