"""The index a long-running server answers from: always one whole generation, kept current.

An admin update swaps its new generation in at once; one written by another process (`newsqa
add` while the app runs) is picked up within RECHECK_SECONDS. Each request reads `.index` once,
so every answer comes from a single generation.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable

from .backend import open_store
from .records import Index


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class LiveIndex:
    RECHECK_SECONDS = 2.0

    def __init__(
        self, index: Index, log: Callable[[str], None] = _stderr,
        prepare: Callable[[Index], Index] = lambda index: index,
    ):  # fmt: skip
        """`prepare` is applied to every generation before it answers (the server's shared
        batching encoder)."""
        self._prepare = prepare
        self._index = prepare(index)
        self._checked = time.monotonic()
        self._lock = threading.Lock()
        self._log = log

    @property
    def index(self) -> Index:
        if time.monotonic() - self._checked > self.RECHECK_SECONDS:
            self._refresh()
        return self._index

    @index.setter
    def index(self, index: Index) -> None:
        self._index = self._prepare(index)

    def _refresh(self) -> None:
        if not self._lock.acquire(blocking=False):
            return  # another request is already reloading; keep answering from this one
        try:
            self._checked = time.monotonic()
            current = self._index
            store = open_store(current.settings)
            manifest = store.manifest()
            if manifest and store.version(manifest) > store.version(current.manifest):
                loaded = store.load(current.settings)
                # (an admin swap made while loading may be newer still)
                if store.version(loaded.manifest) > store.version(self._index.manifest):
                    self._index = self._prepare(loaded)
        except Exception as err:  # noqa: BLE001 - keep answering from the generation we have
            self._log(f"newsqa: keeping generation {self._index.generation}: {err}")
        finally:
            self._lock.release()
