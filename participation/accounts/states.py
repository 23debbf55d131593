"""Enumerations of the accounts feature: roles, verification levels, sex."""

from __future__ import annotations

from ..core.enums import LabelledEnum
from ..core.i18n import lazy_gettext as _l
from ..core.roles import Role as Role  # re-exported: accounts names its roles


class VerificationLevel(LabelledEnum):
    """How sure the city is that a person lives in their QPV (weakest first)."""

    DECLARED = "declared", _l("Declared")
    VERIFIED = "verified", _l("Verified")


class VerificationMethod(LabelledEnum):
    """How a residence was checked. The proof itself is never stored."""

    PROOF_IN_PERSON = "proof_in_person", _l("Proof of address checked in person")
    IMPORTED_LIST = "imported_list", _l("Matched an imported list")


class Sex(LabelledEnum):
    """Optional answer, used only for parity and participation statistics."""

    FEMALE = "female", _l("Woman")
    MALE = "male", _l("Man")
    OTHER = "other", _l("Other / prefer to describe")
