"""States, actions and the one transition table of a paper batch; marks of a ballot.

A paper batch (*paquet*) is a bundle of paper ballots of one desk, counted and keyed
twice by two different people (PRODUCT.md §4.3):

``open`` → (first keying finished) ``first_keyed`` → (second keying finished)
``second_keyed`` → (every mismatch resolved) ``reconciled`` → (its valid ballots put
in the ballot box, all at once) ``deposited``. Any batch not yet deposited can be
``cancelled`` (a wrong count, the wrong desk): its ballots are counted again in a new
batch. When the two keyings agree on every ballot, finishing the second one also
reconciles the batch. Anything not in ``TRANSITIONS`` is illegal.

Blank and void ballots (French practice, Code électoral art. L.65 and L.66, law
no. 2014-172): *bulletins blancs* and *bulletins nuls* are counted and reported
apart from the *suffrages exprimés* and never enter the count. Here they are recorded
in the batch (so the desk's sign-ins still match its paper ballots) and are not put in
the ballot box: only valid ballots reach it.
"""

from __future__ import annotations

from ...core.enums import LabelledEnum
from ...core.i18n import lazy_gettext as _l

#: Paper ballots are bundled by hundreds for the count (Code électoral art. L.65).
MAX_BATCH_SIZE = 100


class BatchState(LabelledEnum):
    """Where a paper batch stands."""

    OPEN = "open", _l("Being keyed")
    FIRST_KEYED = "first_keyed", _l("First keying finished")
    SECOND_KEYED = (
        "second_keyed",
        _l("Both keyings finished, differences to settle"),
    )
    RECONCILED = "reconciled", _l("Reconciled, ready for the ballot box")
    DEPOSITED = "deposited", _l("In the ballot box")
    CANCELLED = "cancelled", _l("Cancelled")


class BatchAction(LabelledEnum):
    """What happens to a paper batch."""

    FINISH_KEYING = "finish_keying", _l("Finish a keying")
    RECONCILE = "reconcile", _l("Reconcile the two keyings")
    DEPOSIT = "deposit", _l("Put the ballots in the ballot box")
    CANCEL = "cancel", _l("Cancel the batch")


#: (current state, action) -> next state. Anything not listed is forbidden; a
#: deposited or cancelled batch is final.
TRANSITIONS: dict[tuple[BatchState, BatchAction], BatchState] = {
    (BatchState.OPEN, BatchAction.FINISH_KEYING): BatchState.FIRST_KEYED,
    (BatchState.FIRST_KEYED, BatchAction.FINISH_KEYING): BatchState.SECOND_KEYED,
    (BatchState.SECOND_KEYED, BatchAction.RECONCILE): BatchState.RECONCILED,
    (BatchState.RECONCILED, BatchAction.DEPOSIT): BatchState.DEPOSITED,
    (BatchState.OPEN, BatchAction.CANCEL): BatchState.CANCELLED,
    (BatchState.FIRST_KEYED, BatchAction.CANCEL): BatchState.CANCELLED,
    (BatchState.SECOND_KEYED, BatchAction.CANCEL): BatchState.CANCELLED,
    (BatchState.RECONCILED, BatchAction.CANCEL): BatchState.CANCELLED,
}

#: States in which a keying may be started or edited.
KEYING_STATES = (BatchState.OPEN, BatchState.FIRST_KEYED)
#: States whose ballots are settled (counted on the desk's figures as such).
SETTLED_STATES = (BatchState.RECONCILED, BatchState.DEPOSITED)


class Mark(LabelledEnum):
    """What a keyer reads on one paper ballot."""

    #: Projects ticked (or points given) within the rules: goes to the ballot box.
    VALID = "valid", _l("Valid")
    #: Nothing ticked, or an empty envelope: *bulletin blanc*.
    BLANK = "blank", _l("Blank")
    #: Not a valid ballot (*bulletin nul*): see :class:`VoidReason`.
    VOID = "void", _l("Void")


class VoidReason(LabelledEnum):
    """Why a paper ballot is void (the usual grounds of a *bulletin nul*)."""

    TOO_MANY = "too_many", _l("Too many projects ticked")
    RULES = "rules", _l("Breaks another rule of the ballot (points, budget)")
    UNREADABLE = "unreadable", _l("Unreadable, torn or ambiguous")
    IDENTIFYING_MARK = (
        "identifying_mark",
        _l("Signed or bearing a mark that identifies the voter"),
    )
    NOT_OFFICIAL = (
        "not_official",
        _l("Not the ballot paper of this vote and neighbourhood"),
    )
