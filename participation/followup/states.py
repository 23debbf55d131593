"""States, actions and the one transition table of a project; where it comes from.

Project workflow (PRODUCT.md §5): ``planned`` (à lancer) → ``in_progress`` (en cours)
→ ``delivered`` (réalisé), or ``abandoned`` (abandonné, with a public reason).
Anything not in :data:`TRANSITIONS` is illegal; only staff (or the system) act.
"""

from __future__ import annotations

from ..core.enums import LabelledEnum
from ..core.i18n import lazy_gettext as _l


class ProjectState(LabelledEnum):
    """Where a project stands; codes in English, labels translated."""

    PLANNED = "planned", _l("To be started")
    IN_PROGRESS = "in_progress", _l("In progress")
    DELIVERED = "delivered", _l("Delivered")
    ABANDONED = "abandoned", _l("Abandoned")


class ProjectAction(LabelledEnum):
    """What staff can do to a project's status."""

    START = "start", _l("Start the works")
    DELIVER = "deliver", _l("Mark as delivered")
    ABANDON = "abandon", _l("Abandon the project")
    REOPEN = "reopen", _l("Reopen the project")


S = ProjectState
A = ProjectAction

#: (current state, action) -> next state. Anything not listed is forbidden.
TRANSITIONS: dict[tuple[ProjectState, ProjectAction], ProjectState] = {
    (S.PLANNED, A.START): S.IN_PROGRESS,
    (S.PLANNED, A.ABANDON): S.ABANDONED,
    (S.IN_PROGRESS, A.DELIVER): S.DELIVERED,
    (S.IN_PROGRESS, A.ABANDON): S.ABANDONED,
    # A correction: works resume after a delivery, or an abandoned project comes back.
    (S.DELIVERED, A.REOPEN): S.IN_PROGRESS,
    (S.ABANDONED, A.REOPEN): S.PLANNED,
}

#: Actions that need a public reason in plain language.
ACTIONS_WITH_REASON = frozenset({A.ABANDON, A.REOPEN})

#: Order of the states on public pages (groups by status).
STATE_ORDER = (S.IN_PROGRESS, S.PLANNED, S.DELIVERED, S.ABANDONED)


class SourceKind(LabelledEnum):
    """Where a project comes from: a winning idea, or a grant of a residents' fund."""

    BUDGET_IDEA = "budget_idea", _l("Participatory budget")
    FPH_GRANT = "fph_grant", _l("Residents' fund (FPH)")
