"""States, actions and the one transition table of the idea workflow; round phases.

Idea workflow (PRODUCT.md §3.3). Anything not in ``TRANSITIONS`` is illegal.
Who may do what is the second small table, ``AUTHOR_ACTIONS`` / ``STAFF_ACTIONS``;
phase rules (deadline, vote) live in ``services.permissions.check_can_perform``.
The follow-up of a transferred idea is a second workflow, ``TRANSFER_TRANSITIONS``.
"""

from __future__ import annotations

from ..core.enums import LabelledEnum
from ..core.i18n import lazy_gettext as _l


class IdeaState(LabelledEnum):
    """Where an idea stands. Codes in English, labels translated (French first)."""

    DRAFT = "draft", _l("Draft")
    SUBMITTED = "submitted", _l("Submitted")
    IN_REVIEW = "in_review", _l("Under review")
    ELIGIBLE = "eligible", _l("Retained for the vote")
    INELIGIBLE = "ineligible", _l("Ineligible")
    TRANSFERRED = "transferred", _l("Transferred to the competent service")
    MERGED = "merged", _l("Merged")
    WITHDRAWN = "withdrawn", _l("Withdrawn")
    HIDDEN = "hidden", _l("Hidden by moderation")
    SELECTED = "selected", _l("Winning project")
    NOT_SELECTED = "not_selected", _l("Not selected by the vote")


class IdeaAction(LabelledEnum):
    """What can happen to an idea."""

    SUBMIT = "submit", _l("Submit")
    WITHDRAW = "withdraw", _l("Withdraw")
    START_REVIEW = "start_review", _l("Start the review")
    RETAIN = "retain", _l("Retain for the vote")
    DECLARE_INELIGIBLE = "declare_ineligible", _l("Declare ineligible")
    TRANSFER = "transfer", _l("Transfer to the competent service")
    MERGE = "merge", _l("Merge into another idea")
    HIDE = "hide", _l("Hide")
    UNHIDE = "unhide", _l("Show again")
    REOPEN = "reopen", _l("Reopen the review")
    SELECT = "select", _l("Mark as winning project")
    NOT_SELECT = "not_select", _l("Mark as not selected")


S = IdeaState
A = IdeaAction

#: (current state, action) -> next state. Anything not listed is forbidden.
TRANSITIONS: dict[tuple[IdeaState, IdeaAction], IdeaState] = {
    # The author (or the relay who entered it) submits and withdraws.
    (S.DRAFT, A.SUBMIT): S.SUBMITTED,
    (S.DRAFT, A.WITHDRAW): S.WITHDRAWN,  # a draft discarded; never public
    (S.SUBMITTED, A.WITHDRAW): S.WITHDRAWN,  # only until its review starts
    # Staff run the review and decide.
    (S.SUBMITTED, A.START_REVIEW): S.IN_REVIEW,
    (S.IN_REVIEW, A.RETAIN): S.ELIGIBLE,
    (S.IN_REVIEW, A.DECLARE_INELIGIBLE): S.INELIGIBLE,
    (S.SUBMITTED, A.TRANSFER): S.TRANSFERRED,  # plainly a job for another service
    (S.IN_REVIEW, A.TRANSFER): S.TRANSFERRED,
    (S.SUBMITTED, A.MERGE): S.MERGED,
    (S.IN_REVIEW, A.MERGE): S.MERGED,
    (S.ELIGIBLE, A.MERGE): S.MERGED,
    # A decision can be reconsidered until the vote opens (phase rule).
    (S.ELIGIBLE, A.REOPEN): S.IN_REVIEW,
    (S.INELIGIBLE, A.REOPEN): S.IN_REVIEW,
    (S.TRANSFERRED, A.REOPEN): S.IN_REVIEW,
    # Moderation: hidden ideas stay listed with the reason; showing one again
    # sends it back to the start of the review (its earlier state is in the history).
    (S.SUBMITTED, A.HIDE): S.HIDDEN,
    (S.IN_REVIEW, A.HIDE): S.HIDDEN,
    (S.ELIGIBLE, A.HIDE): S.HIDDEN,
    (S.INELIGIBLE, A.HIDE): S.HIDDEN,
    (S.TRANSFERRED, A.HIDE): S.HIDDEN,
    (S.HIDDEN, A.UNHIDE): S.SUBMITTED,
    # After the vote (voting feature).
    (S.ELIGIBLE, A.SELECT): S.SELECTED,
    (S.ELIGIBLE, A.NOT_SELECT): S.NOT_SELECTED,
}

#: Actions the author, or the relay who entered the idea for them, may take.
AUTHOR_ACTIONS = frozenset({A.SUBMIT, A.WITHDRAW})
#: Actions reserved to staff (or the system: CLI, demo, vote results).
STAFF_ACTIONS = frozenset(set(IdeaAction) - AUTHOR_ACTIONS)

#: States whose content is public once submitted (all but drafts and hidden ideas).
CONTENT_HIDDEN_STATES = frozenset({S.DRAFT, S.HIDDEN})
#: States in which the author may still change the text (until the deadline).
EDITABLE_STATES = frozenset({S.DRAFT, S.SUBMITTED})
#: States that need a final cost (CHECK constraint on the idea table).
COSTED_STATES = frozenset({S.ELIGIBLE, S.SELECTED, S.NOT_SELECTED})
#: States of an idea that can receive a merge (the one it is merged into).
MERGE_TARGET_STATES = frozenset({S.SUBMITTED, S.IN_REVIEW, S.ELIGIBLE})
#: States shown on the announcement page, with their reason when not retained.
ANNOUNCED_STATES = frozenset({S.ELIGIBLE, S.INELIGIBLE, S.TRANSFERRED})


class TransferStatus(LabelledEnum):
    """Follow-up of an idea sent to the competent service (voirie, bailleur...)."""

    SENT = "sent", _l("Sent to the service")
    ACKNOWLEDGED = "acknowledged", _l("Acknowledged by the service")
    IN_PROGRESS = "in_progress", _l("In progress")
    DONE = "done", _l("Done")
    DECLINED = "declined", _l("Declined by the service")


class TransferAction(LabelledEnum):
    """What the competent service reports; staff record it on the idea."""

    #: Entering the follow-up: the idea's TRANSFER action sends it (not in the table).
    SEND = "send", _l("Send to the service")
    ACKNOWLEDGE = "acknowledge", _l("The service acknowledged it")
    START = "start", _l("The service started the work")
    COMPLETE = "complete", _l("The service did it")
    DECLINE = "decline", _l("The service declined it")


T = TransferStatus
TA = TransferAction

#: The follow-up moves forward only, and may skip steps (a service that answers
#: "done" straight away). Done and declined are final: a new transfer of the idea
#: (after reopening its review) starts a new follow-up at "sent".
TRANSFER_TRANSITIONS: dict[tuple[TransferStatus, TransferAction], TransferStatus] = {
    (T.SENT, TA.ACKNOWLEDGE): T.ACKNOWLEDGED,
    (T.SENT, TA.START): T.IN_PROGRESS,
    (T.ACKNOWLEDGED, TA.START): T.IN_PROGRESS,
    (T.SENT, TA.COMPLETE): T.DONE,
    (T.ACKNOWLEDGED, TA.COMPLETE): T.DONE,
    (T.IN_PROGRESS, TA.COMPLETE): T.DONE,
    (T.SENT, TA.DECLINE): T.DECLINED,
    (T.ACKNOWLEDGED, TA.DECLINE): T.DECLINED,
    (T.IN_PROGRESS, TA.DECLINE): T.DECLINED,
}


class RoundPhase(LabelledEnum):
    """Where a round stands, derived from its dates (and the results publication)."""

    DRAFT = "draft", _l("Being prepared")  # not opened by staff yet: not public
    UPCOMING = "upcoming", _l("Coming soon")
    SUBMISSION = "submission", _l("Submission of ideas")  # dépôt des idées
    REVIEW = "review", _l("Technical review")  # instruction
    #: Annonce of the projects put to the vote.
    ANNOUNCEMENT = "announcement", _l("Announcement of the projects")
    VOTE = "vote", _l("Voting")
    #: The vote is closed, the results are not published yet.
    COUNTING = "counting", _l("Counting")
    RESULTS = "results", _l("Results")
    DELIVERY = "delivery", _l("Delivery of the projects")  # réalisation


#: Phases in calendar order, for comparisons ("before the vote").
PHASE_ORDER = tuple(RoundPhase)


def phase_rank(phase: RoundPhase) -> int:
    """Position of *phase* in the calendar (DRAFT first)."""
    return PHASE_ORDER.index(phase)
