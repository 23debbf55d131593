"""The application as a server runs it: ``gunicorn participation.wsgi:app``.

Built once per worker, then the garbage collector is settled for serving
(``core.runtime.settle_for_serving``): the objects of the built app are frozen out
of the collections, and the youngest generation is collected less often.
Configuration comes from ``instance/config.py`` and ``PARTICIPATION_*`` variables,
as for ``create_app()``.
"""

from __future__ import annotations

from . import create_app
from .core.runtime import settle_for_serving

app = create_app()
settle_for_serving()
