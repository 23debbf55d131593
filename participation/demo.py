"""Demo data: Carcassonne Agglomération's five QPV and people for every role.

Each feature contributes a ``demo.load()`` step, run in dependency order. The whole
load is idempotent: it does nothing when the demo is already there.
"""

from __future__ import annotations

import importlib

from .extensions import db

#: Features with a ``demo.py`` exposing ``load() -> None``, in dependency order.
DEMO_FEATURES = (
    "territories",
    "accounts",
    "eligibility",
    "budget",
    "review",
    "voting",
    "voting.desks",
)


def load_demo() -> bool:
    """Load every feature's demo data once; return False when it was already loaded."""
    from .territories.models import Commune

    if db.session.query(Commune.id).filter_by(insee_code="11069").first() is not None:
        return False
    for feature in DEMO_FEATURES:
        importlib.import_module(f"participation.{feature}.demo").load()
        db.session.flush()
    db.session.commit()
    return True
