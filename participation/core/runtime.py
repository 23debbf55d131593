"""How a serving process runs: the garbage collector tuned for many short requests.

Measured with ``bench/bench_ideas.py`` in process (issue 14): with CPython's
defaults a page spent about a quarter of its time in the cyclic collector, which
ran a young collection every 700 allocations and walked again and again the
long-lived objects of the app (mappers, templates, catalogues: about 270,000).
Freezing those once the app is built, and collecting the youngest generation
every 10,000 allocations instead of 700, took the idea list and an idea's page
from about 6 ms to about 4.7 ms. Reference counting still frees almost
everything at once; the collector only looks for cycles.
"""

from __future__ import annotations

import gc

#: Allocations between two collections of the youngest generation (CPython: 700).
YOUNG_THRESHOLD = 10_000


def settle_for_serving(young_threshold: int = YOUNG_THRESHOLD) -> None:
    """Call once the app is built, before the first request of a worker.

    ``gc.freeze()`` moves every object alive now into a permanent generation that
    no collection visits; objects made later are collected as usual.
    """
    gc.collect()
    gc.freeze()
    _old_young, middle, old = gc.get_threshold()
    gc.set_threshold(young_threshold, middle, old)
