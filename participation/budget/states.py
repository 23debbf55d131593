"""States, actions and the one transition table of the idea workflow; round phases.

Idea workflow (PRODUCT.md §3.3). Anything not in ``TRANSITIONS`` is illegal.
Who may do what is the second small table, ``AUTHOR_ACTIONS`` / ``STAFF_ACTIONS``;
phase rules (deadline, vote) live in ``services.can_perform``.
"""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class IdeaState(StrEnum):
    """Where an idea stands. Codes in English, labels translated (French first)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    TRANSFERRED = "transferred"
    MERGED = "merged"
    WITHDRAWN = "withdrawn"
    HIDDEN = "hidden"
    SELECTED = "selected"
    NOT_SELECTED = "not_selected"

    @property
    def label(self) -> str:
        return str(IDEA_STATE_LABELS[self])


IDEA_STATE_LABELS = {
    IdeaState.DRAFT: _l("Draft"),
    IdeaState.SUBMITTED: _l("Submitted"),
    IdeaState.IN_REVIEW: _l("Under review"),
    IdeaState.ELIGIBLE: _l("Retained for the vote"),
    IdeaState.INELIGIBLE: _l("Ineligible"),
    IdeaState.TRANSFERRED: _l("Transferred to the competent service"),
    IdeaState.MERGED: _l("Merged"),
    IdeaState.WITHDRAWN: _l("Withdrawn"),
    IdeaState.HIDDEN: _l("Hidden by moderation"),
    IdeaState.SELECTED: _l("Winning project"),
    IdeaState.NOT_SELECTED: _l("Not selected by the vote"),
}


class IdeaAction(StrEnum):
    """What can happen to an idea."""

    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    START_REVIEW = "start_review"
    RETAIN = "retain"
    DECLARE_INELIGIBLE = "declare_ineligible"
    TRANSFER = "transfer"
    MERGE = "merge"
    HIDE = "hide"
    UNHIDE = "unhide"
    REOPEN = "reopen"
    SELECT = "select"
    NOT_SELECT = "not_select"

    @property
    def label(self) -> str:
        return str(IDEA_ACTION_LABELS[self])


IDEA_ACTION_LABELS = {
    IdeaAction.SUBMIT: _l("Submit"),
    IdeaAction.WITHDRAW: _l("Withdraw"),
    IdeaAction.START_REVIEW: _l("Start the review"),
    IdeaAction.RETAIN: _l("Retain for the vote"),
    IdeaAction.DECLARE_INELIGIBLE: _l("Declare ineligible"),
    IdeaAction.TRANSFER: _l("Transfer to the competent service"),
    IdeaAction.MERGE: _l("Merge into another idea"),
    IdeaAction.HIDE: _l("Hide"),
    IdeaAction.UNHIDE: _l("Show again"),
    IdeaAction.REOPEN: _l("Reopen the review"),
    IdeaAction.SELECT: _l("Mark as winning project"),
    IdeaAction.NOT_SELECT: _l("Mark as not selected"),
}

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
#: States shown on the announcement page, with their reason when not retained.
ANNOUNCED_STATES = frozenset({S.ELIGIBLE, S.INELIGIBLE, S.TRANSFERRED})


class TransferStatus(StrEnum):
    """Follow-up of an idea sent to the competent service (voirie, bailleur...)."""

    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return str(TRANSFER_STATUS_LABELS[self])


TRANSFER_STATUS_LABELS = {
    TransferStatus.SENT: _l("Sent to the service"),
    TransferStatus.ACKNOWLEDGED: _l("Acknowledged by the service"),
    TransferStatus.IN_PROGRESS: _l("In progress"),
    TransferStatus.DONE: _l("Done"),
    TransferStatus.DECLINED: _l("Declined by the service"),
}


class RoundPhase(StrEnum):
    """Where a round stands, derived from its dates (and the results publication)."""

    DRAFT = "draft"  # not opened by staff yet: not public
    UPCOMING = "upcoming"
    SUBMISSION = "submission"  # dépôt des idées
    REVIEW = "review"  # instruction
    ANNOUNCEMENT = "announcement"  # annonce of the projects put to the vote
    VOTE = "vote"
    COUNTING = "counting"  # vote closed, results not published yet
    RESULTS = "results"
    DELIVERY = "delivery"  # réalisation

    @property
    def label(self) -> str:
        return str(ROUND_PHASE_LABELS[self])


ROUND_PHASE_LABELS = {
    RoundPhase.DRAFT: _l("Being prepared"),
    RoundPhase.UPCOMING: _l("Coming soon"),
    RoundPhase.SUBMISSION: _l("Submission of ideas"),
    RoundPhase.REVIEW: _l("Technical review"),
    RoundPhase.ANNOUNCEMENT: _l("Announcement of the projects"),
    RoundPhase.VOTE: _l("Voting"),
    RoundPhase.COUNTING: _l("Counting"),
    RoundPhase.RESULTS: _l("Results"),
    RoundPhase.DELIVERY: _l("Delivery of the projects"),
}

#: Phases in calendar order, for comparisons ("before the vote").
PHASE_ORDER = tuple(RoundPhase)


def phase_rank(phase: RoundPhase) -> int:
    """Position of *phase* in the calendar (DRAFT first)."""
    return PHASE_ORDER.index(phase)
