"""The one workflow of an application (the table is ``fph.states.TRANSITIONS``)."""

from __future__ import annotations

from ..core.workflow import Workflow
from .models import ApplicationStateChange
from .states import TRANSITIONS, ApplicationAction, ApplicationState

APPLICATION_WORKFLOW: Workflow[ApplicationState, ApplicationAction] = Workflow(
    name="fph_application",
    transitions=TRANSITIONS,
    history=ApplicationStateChange,
)
