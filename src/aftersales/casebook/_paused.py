"""The cyclic garbage collector paused over one page of work."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """A page of cases (ingest's 500 records, a worker's pass) makes many small objects
    and almost no cycles: a collection in the middle walks every object alive and frees
    nothing (about a sixth of an ingest). Reference counting frees them as usual; the
    collector runs again once the page is done."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
