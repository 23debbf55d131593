"""Demo data: Carcassonne Agglomération's five QPV and people for every role.

Each feature contributes a ``demo.load()`` step, run in dependency order. The whole
load is idempotent: it does nothing when the demo is already there.
"""

from __future__ import annotations

from .extensions import db


def load_demo() -> bool:
    """Load every feature's demo data once; return False when it was already loaded."""
    from .territories.models import Commune

    if db.session.query(Commune.id).filter_by(insee_code="11069").first() is not None:
        return False
    from .accounts import demo as accounts
    from .budget import demo as budget
    from .council import demo as council
    from .eligibility import demo as eligibility
    from .followup import demo as followup
    from .fph import demo as fph
    from .fph import fph2_demo
    from .review import demo as review
    from .territories import demo as territories
    from .voting import demo as voting
    from .voting.desks import demo as desks

    # In dependency order: places, people, grids, rounds and ideas, reviews, votes,
    # then the citizens' councils, their residents' funds and the projects of the
    # published votes.
    features = (
        territories,
        accounts,
        eligibility,
        budget,
        review,
        voting,
        desks,
        council,
        fph,
        fph2_demo,
        followup,
    )
    for feature in features:
        feature.load()
        db.session.flush()
    # The ballot numbers of the rounds announced by any step (archives included).
    desks.number_ballots()
    db.session.commit()
    return True
