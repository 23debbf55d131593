"""Enumerations of the accounts feature: roles, verification levels, sex."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from ..core.roles import Role as Role  # re-exported: accounts names its roles


class VerificationLevel(StrEnum):
    """How sure the city is that a person lives in their QPV (weakest first)."""

    DECLARED = "declared"
    VERIFIED = "verified"

    @property
    def label(self) -> str:
        return str(VERIFICATION_LABELS[self])


VERIFICATION_LABELS = {
    VerificationLevel.DECLARED: _l("Declared"),
    VerificationLevel.VERIFIED: _l("Verified"),
}


class VerificationMethod(StrEnum):
    """How a residence was checked. The proof itself is never stored."""

    PROOF_IN_PERSON = "proof_in_person"
    IMPORTED_LIST = "imported_list"

    @property
    def label(self) -> str:
        return str(METHOD_LABELS[self])


METHOD_LABELS = {
    VerificationMethod.PROOF_IN_PERSON: _l("Proof of address checked in person"),
    VerificationMethod.IMPORTED_LIST: _l("Matched an imported list"),
}


class Sex(StrEnum):
    """Optional answer, used only for parity and participation statistics."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(SEX_LABELS[self])


SEX_LABELS = {
    Sex.FEMALE: _l("Woman"),
    Sex.MALE: _l("Man"),
    Sex.OTHER: _l("Other / prefer to describe"),
}
