"""Polling desk operations: desks, walk-in sign-ins, paper batches keyed twice.

Services flush; the calling view (or CLI command, or the demo) commits. They never
read the request: the actor (a relay or staff member) and the inputs are arguments,
and every one re-checks its permission predicate. The modules: ``permissions``,
``desks``, ``numbers`` (the ballot numbers keyers type), ``signins`` (walk-in
voters), ``keying``, ``reconciliation``, ``batches`` and ``workflow`` (the one
writer of a batch's state); what a keyer typed is read by the pure
``desks.readings``.

The sign-in list and the ballot box belong to the voting feature, whose services do
the real work: ``sign_in_voter`` (one sign-in per person and round, whatever the
channel), ``validate_choices`` (a keyed ballot against the frozen rules) and
``deposit_ballot`` (a reconciled paper ballot into the box). Managed accounts and
resident verification belong to the accounts feature.

How a desk counts (PRODUCT.md §4.3):

1. a relay or staff member opens a desk (round, QPV, place, day) and signs walk-in
   voters in (finding them, or creating a managed account after checking a proof
   of address), then closes the desk;
2. the paper ballots are bundled in batches of at most 100, counted by hand and
   numbered 1 to N in pencil;
3. two different people key every ballot of a batch (pass 1 and pass 2), each
   blind to the other's entries;
4. the positions where the two readings differ are listed; a third person (staff
   or relay) who keyed neither pass settles each with the paper in hand;
5. a reconciled batch is deposited: each valid ballot through ``deposit_ballot``,
   in random order, all in one transaction. Blank and void ballots stay in the
   batch's counts (see ``states``) and never reach the box.

Individual sign-ins are not written to the audit log (as for online votes): the
sign-in list itself records who signed whom in, and only the day.
"""

from __future__ import annotations

from ..readings import (
    CHOICES_MAX_LENGTH,
    Reading,
    ReadingInvalid,
    Typed,
    mark_value,
    parse_choices,
    parse_mark,
    read_ballot,
)
from .batches import REASON_MAX_LENGTH, cancel_batch, create_batch, deposit_batch
from .desks import (
    MINUTES_MAX_LENGTH,
    PLACE_MAX_LENGTH,
    PLACE_MIN_LENGTH,
    BallotContext,
    close_desk,
    count_sign_ins,
    desk_envelope,
    open_desk,
    paper_rules,
    record_minutes,
)
from .keying import (
    KeyingSaved,
    finish_keying,
    key_ballots,
    keyed_count,
    save_readings,
    start_keying,
)
from .numbers import (
    ballot_numbers,
    is_numbering_final,
    keep_assigned_numbers,
    number_round,
    stored_numbers,
)
from .permissions import (
    can_cancel,
    can_close_desk,
    can_create_batch,
    can_deposit,
    can_key,
    can_perform,
    can_reconcile,
    can_resolve,
    can_run_desks,
    can_sign_in_at,
    can_view_mismatches,
    is_keyer_of,
)
from .reconciliation import (
    Mismatch,
    describe,
    final_readings,
    mismatches,
    readings_of,
    reconcile_batch,
    resolutions_of,
    resolve_position,
)
from .signins import (
    SignInRefused,
    WalkIn,
    refusal_for_relay,
    sign_in_at_desk,
    sign_in_walk_in,
)
from .workflow import BATCH_WORKFLOW, transition

__all__ = [
    "BATCH_WORKFLOW",
    "CHOICES_MAX_LENGTH",
    "MINUTES_MAX_LENGTH",
    "PLACE_MAX_LENGTH",
    "PLACE_MIN_LENGTH",
    "REASON_MAX_LENGTH",
    "BallotContext",
    "KeyingSaved",
    "Mismatch",
    "Reading",
    "ReadingInvalid",
    "SignInRefused",
    "Typed",
    "WalkIn",
    "ballot_numbers",
    "can_cancel",
    "can_close_desk",
    "can_create_batch",
    "can_deposit",
    "can_key",
    "can_perform",
    "can_reconcile",
    "can_resolve",
    "can_run_desks",
    "can_sign_in_at",
    "can_view_mismatches",
    "cancel_batch",
    "close_desk",
    "count_sign_ins",
    "create_batch",
    "deposit_batch",
    "describe",
    "desk_envelope",
    "final_readings",
    "finish_keying",
    "is_keyer_of",
    "is_numbering_final",
    "keep_assigned_numbers",
    "key_ballots",
    "keyed_count",
    "mark_value",
    "mismatches",
    "number_round",
    "open_desk",
    "paper_rules",
    "parse_choices",
    "parse_mark",
    "read_ballot",
    "readings_of",
    "reconcile_batch",
    "record_minutes",
    "refusal_for_relay",
    "resolutions_of",
    "resolve_position",
    "save_readings",
    "sign_in_at_desk",
    "sign_in_walk_in",
    "start_keying",
    "stored_numbers",
    "transition",
]
