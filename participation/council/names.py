"""How members are named: real names for staff, pseudonyms or initials in public."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .states import College, NameDisplay

if TYPE_CHECKING:
    from .models import CouncilMember


def initials(text: str) -> str:
    """``Amina Haddad`` → ``A. H.``; hyphenated names keep their hyphen."""
    parts = []
    for word in text.split():
        pieces = [p for p in word.split("-") if p]
        if pieces:
            parts.append("-".join(f"{p[0].upper()}." for p in pieces))
    return " ".join(parts)


def public_name(member: CouncilMember, display: NameDisplay) -> str:
    """The name used in public minutes and their PDF.

    Residents appear as their pseudonym, or their initials when the council chose
    so; local actors with the organisation they represent.
    """
    user = member.user
    if member.college is College.RESIDENTS and display is NameDisplay.INITIALS:
        name = initials(user.real_name or user.pseudonym)
    else:
        name = user.pseudonym
    if member.college is College.LOCAL_ACTORS and member.organisation:
        return f"{name} ({member.organisation})"
    return name


def staff_name(member: CouncilMember) -> str:
    """Pseudonym and real name, for staff and the secretary's working pages."""
    user = member.user
    if user.real_name:
        return f"{user.pseudonym} — {user.real_name}"
    return user.pseudonym
