"""Pausing Python's cyclic garbage collector around bulk work.

A batch of reads allocates hundreds of thousands of short-lived tuples, none of them in reference cycles.
Each allocation burst triggers collections that walk every tracked object in the process (the batch, the
caches), which measured as more than half of the ingest time. Reference counting still frees everything at
once; the collector runs again when the batch is done.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
