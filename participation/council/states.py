"""Enumerations of the council feature and its two transition tables.

Meeting (*séance*): ``planned`` → (convocation sent) ``convened`` → (session opened,
quorum taken) ``open`` → ``closed``; a meeting not yet open can be ``cancelled``.
Minutes (*compte rendu / procès-verbal*): ``draft`` → ``proposed`` to the members →
``approved`` by a vote at a later meeting → ``published`` → ``locked``; proposed
minutes can go back to ``draft`` for changes. Anything not in a table is illegal;
corrections to locked minutes are errata, never edits.
"""

from __future__ import annotations

from ..core.enums import LabelledEnum
from ..core.i18n import lazy_gettext as _l


class CouncilScope(LabelledEnum):
    """One council per QPV, or one council for the whole agglomeration."""

    QPV = "qpv", _l("One priority neighbourhood")
    AGGLOMERATION = "agglomeration", _l("The whole agglomeration")


class College(LabelledEnum):
    """The two collèges of the loi Lamy (2014), art. 7."""

    RESIDENTS = "residents", _l("Residents")
    LOCAL_ACTORS = "local_actors", _l("Associations and local actors")


class NameDisplay(LabelledEnum):
    """How residents are named in published minutes and their PDF."""

    PSEUDONYM = "pseudonym", _l("Their public pseudonym")
    INITIALS = "initials", _l("Their initials")


class QuorumKind(LabelledEnum):
    """A quorum: a number of members, or a fraction of the voting members in office."""

    NUMBER = "number", _l("A number of members")
    FRACTION = "fraction", _l("A fraction of the voting members in office")


class MajorityRule(LabelledEnum):
    """When a motion is adopted (see ``council.quorum.outcome``)."""

    SIMPLE = "simple", _l("Simple majority: more votes for than against")
    ABSOLUTE = (
        "absolute",
        _l(
            "Absolute majority: more than half of the voting members present or"
            " represented"
        ),
    )
    TWO_THIRDS = "two_thirds", _l("Two-thirds majority of the votes cast")


class DecisionKind(LabelledEnum):
    """Kinds of decision; the règlement intérieur sets a majority rule for each."""

    ORDINARY = "ordinary", _l("Ordinary decision")
    MINUTES_APPROVAL = "minutes_approval", _l("Approval of minutes")
    FPH_GRANT = "fph_grant", _l("Residents' fund (FPH) decision")
    RULES_CHANGE = "rules_change", _l("Change of the internal rules")


class LeaveReason(LabelledEnum):
    """Why a member left the council (CGET Q&A 2016: triggers for a substitute)."""

    RESIGNED = "resigned", _l("Resigned")
    REFUSED = "refused", _l("Refused to sit after the draw")
    MOVED_OUT = "moved_out", _l("Moved out of the neighbourhood")
    ABSENCES = "absences", _l("Repeated absences without excuse")
    MANDATE_ENDED = "mandate_ended", _l("End of mandate")


class DrawOutcome(LabelledEnum):
    """What the draw made of one person of the pool."""

    TITULAR = "titular", _l("Titular member")
    SUBSTITUTE = "substitute", _l("Substitute")
    NOT_DRAWN = "not_drawn", _l("Not drawn")


class MeetingKind(LabelledEnum):
    """Kinds of meeting; the FPH committee is a meeting of the council."""

    PLENARY = "plenary", _l("Plenary meeting")
    FPH_COMMITTEE = "fph_committee", _l("Residents' fund (FPH) committee")
    WORKING_GROUP = "working_group", _l("Working group")


class MeetingState(LabelledEnum):
    PLANNED = "planned", _l("Planned")
    CONVENED = "convened", _l("Members convened")
    OPEN = "open", _l("In session")
    CLOSED = "closed", _l("Closed")
    CANCELLED = "cancelled", _l("Cancelled")


class MeetingAction(LabelledEnum):
    CONVENE = "convene", _l("Send the convocation")
    OPEN = "open", _l("Open the session")
    CLOSE = "close", _l("Close the session")
    CANCEL = "cancel", _l("Cancel the meeting")


MEETING_TRANSITIONS: dict[tuple[MeetingState, MeetingAction], MeetingState] = {
    (MeetingState.PLANNED, MeetingAction.CONVENE): MeetingState.CONVENED,
    (MeetingState.CONVENED, MeetingAction.OPEN): MeetingState.OPEN,
    (MeetingState.OPEN, MeetingAction.CLOSE): MeetingState.CLOSED,
    (MeetingState.PLANNED, MeetingAction.CANCEL): MeetingState.CANCELLED,
    (MeetingState.CONVENED, MeetingAction.CANCEL): MeetingState.CANCELLED,
}

#: States in which the agenda may still change.
AGENDA_EDITABLE_STATES = frozenset({MeetingState.PLANNED, MeetingState.CONVENED})
#: States in which attendance is recorded (before the opening and during it).
ATTENDANCE_STATES = frozenset({MeetingState.CONVENED, MeetingState.OPEN})
#: States in which members may give or withdraw a proxy.
PROXY_STATES = frozenset({MeetingState.PLANNED, MeetingState.CONVENED})


class AgendaItemKind(LabelledEnum):
    """Kinds of agenda item. FPH files are linked to their item by the FPH feature."""

    INFORMATION = "information", _l("Information")
    DELIBERATION = "deliberation", _l("Deliberation")
    FPH_FILE = "fph_file", _l("Residents' fund (FPH) file")
    MINUTES_APPROVAL = "minutes_approval", _l("Approval of earlier minutes")


#: Items on which a vote is recorded (a tuple: the CHECK constraint's text is fixed).
VOTING_ITEM_KINDS = (
    AgendaItemKind.DELIBERATION,
    AgendaItemKind.FPH_FILE,
    AgendaItemKind.MINUTES_APPROVAL,
)


class ConvocationChannel(LabelledEnum):
    EMAIL = "email", _l("E-mail with a calendar invitation")
    PAPER = "paper", _l("Printed letter")


class AttendanceStatus(LabelledEnum):
    PRESENT = "present", _l("Present")
    EXCUSED = "excused", _l("Excused")
    ABSENT = "absent", _l("Absent")
    REPRESENTED = "represented", _l("Represented (proxy)")


class VoteMethod(LabelledEnum):
    SHOW_OF_HANDS = "show_of_hands", _l("Show of hands (counts)")
    ROLL_CALL = "roll_call", _l("Roll call (each member's vote)")


class VoteChoice(LabelledEnum):
    FOR = "for", _l("For")
    AGAINST = "against", _l("Against")
    ABSTAIN = "abstain", _l("Abstention")


class Outcome(LabelledEnum):
    ADOPTED = "adopted", _l("Adopted")
    REJECTED = "rejected", _l("Rejected")
    NO_QUORUM = "no_quorum", _l("Not held: no quorum")


class MinutesState(LabelledEnum):
    DRAFT = "draft", _l("Draft")
    PROPOSED = "proposed", _l("Proposed to the members")
    APPROVED = "approved", _l("Approved")
    PUBLISHED = "published", _l("Published")
    LOCKED = "locked", _l("Published and locked")


class MinutesAction(LabelledEnum):
    PROPOSE = "propose", _l("Propose to the members")
    RETURN_TO_DRAFT = "return_to_draft", _l("Back to draft for changes")
    APPROVE = "approve", _l("Approve (vote of a later meeting)")
    PUBLISH = "publish", _l("Publish")
    LOCK = "lock", _l("Lock")


MINUTES_TRANSITIONS: dict[tuple[MinutesState, MinutesAction], MinutesState] = {
    (MinutesState.DRAFT, MinutesAction.PROPOSE): MinutesState.PROPOSED,
    (MinutesState.PROPOSED, MinutesAction.RETURN_TO_DRAFT): MinutesState.DRAFT,
    (MinutesState.PROPOSED, MinutesAction.APPROVE): MinutesState.APPROVED,
    (MinutesState.APPROVED, MinutesAction.PUBLISH): MinutesState.PUBLISHED,
    (MinutesState.PUBLISHED, MinutesAction.LOCK): MinutesState.LOCKED,
}

#: Minutes whose text may still change (each change is a revision).
MINUTES_EDITABLE_STATES = frozenset({MinutesState.DRAFT, MinutesState.PROPOSED})
#: Minutes members can read (and review while proposed).
MINUTES_MEMBER_STATES = frozenset(set(MinutesState) - {MinutesState.DRAFT})
#: Minutes the public reads (for public meetings).
MINUTES_PUBLIC_STATES = frozenset({MinutesState.PUBLISHED, MinutesState.LOCKED})
#: Actions the secretary or staff take from the minutes page (approval is a vote).
MINUTES_MANUAL_ACTIONS = (
    MinutesAction.PROPOSE,
    MinutesAction.RETURN_TO_DRAFT,
    MinutesAction.PUBLISH,
    MinutesAction.LOCK,
)
