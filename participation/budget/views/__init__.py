"""Pages of the budget feature: rounds, envelopes, ideas, moderation, announcements.

One blueprint (``common.bp``); importing the page modules registers their routes.
"""

from __future__ import annotations

from . import ideas, moderation, rounds
from .common import bp

__all__ = ["bp", "ideas", "moderation", "rounds"]
