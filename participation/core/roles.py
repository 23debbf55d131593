"""The global roles a person may hold; below accounts, so every layer can read them."""

from __future__ import annotations

from .enums import LabelledEnum
from .i18n import lazy_gettext as _l


class Role(LabelledEnum):
    """Global roles; a person may hold several."""

    RESIDENT = "resident", _l("Resident")
    RELAY = "relay", _l("Relay")
    REVIEWER = "reviewer", _l("Reviewer")
    STAFF = "staff", _l("Staff")
    ADMIN = "admin", _l("Administrator")
