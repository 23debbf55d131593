"""The one workflow of an application, as the part-B modules import it.

The table is ``fph.states.TRANSITIONS`` and the Workflow instance is the one of
``fph.services.applications`` (stamps and the default permission included).
"""

from __future__ import annotations

from .services.applications import WORKFLOW as APPLICATION_WORKFLOW

__all__ = ["APPLICATION_WORKFLOW"]
