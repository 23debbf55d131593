"""Pages of the polling desks (paper voting): desks, walk-in sign-ins, paper batches.

Every writing page goes through ``core.web.submit``: the service's messages land
next to the form's fields (or in a flash), the transaction commits once, then the
person is redirected. Where the message after a success depends on what the
service did (a batch's number, a keying's outcome), the redirect target flashes it.
The blueprint lives in ``common``; ``desks``, ``batches``, ``kit`` (the printable
ballots) and ``papers`` (the desk's sign-in sheet and procès-verbal) add their
pages to it.
"""

from __future__ import annotations

from . import batches, desks, kit, papers
from .common import bp

__all__ = ["batches", "bp", "desks", "kit", "papers"]
