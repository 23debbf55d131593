"""Voting operations: rules, who may vote, casting, sealing, counting, publishing.

Services flush; the calling view (or CLI command) commits. They never read the
request: the voter, the actor (a person, or ``core.actors.SYSTEM`` for an import or
the demo) and the inputs are arguments. The modules follow the vote's course:

- ``permissions``: who may set the rules, count, certify and publish;
- ``rules``: the rules of a round's vote, frozen by the first ballot;
- ``eligibility``: ``check_can_vote(person, round_, channel=..., now=...)`` → the
  person's envelope, or :class:`VoteRefused` with a ``reason`` code and a message
  saying exactly why not;
- ``choices``: the projects on a ballot and ``validate_choices`` (the pure check is
  ``voting.ballots``);
- ``casting``: ``sign_in_voter`` (the émargement alone, a walk-in voter at a desk),
  ``deposit_ballot`` (a ballot in the box alone, a reconciled paper ballot, until the
  count is certified) and ``cast_ballot`` (both, in one transaction, online);
- ``ceremony``: the key ceremony, sealing each online ballot, opening the box;
- ``ballot_box``: reading the box for the count, sealing it, its turnout;
- ``results``: ``compute_result`` and ``transition_result`` (certify, publish), the
  result's workflow.

Other parts of the product (the polling desks above all) import from this package.
"""

from __future__ import annotations

from ..ballots import ballot_set_hash, canonical_ballot
from ..models import new_ballot_id
from ..receipts import (
    RECEIPT_LENGTH,
    new_receipt_code,
    normalise_receipt,
    receipt_code_for,
    receipt_hash,
)
from .ballot_box import (
    counts_by_channel,
    load_ballots,
    participation_of,
    result_of,
    seal_ballot_box,
    vacuum_ballot_box,
)
from .casting import (
    CastReceipt,
    ballot_with_receipt,
    cast_ballot,
    deposit_ballot,
    sign_in_voter,
)
from .ceremony import (
    check_ceremony,
    completed_ceremony,
    erase_traces,
    is_sealed,
    key_of,
    open_sealed_box,
    public_fingerprints,
    start_ceremony,
    trustee_candidates,
)
from .choices import (
    VOTED_STATES,
    BallotSummary,
    ballot_projects,
    ballot_sheet,
    summarise,
    validate_choices,
)
from .eligibility import (
    RefusalReason,
    VoteRefused,
    already_voted,
    check_can_vote,
    check_vote_window,
    envelope_of,
    find_sign_in,
    refusal_to_vote,
    voter_age,
)
from .permissions import (
    can_certify,
    can_count,
    can_manage_votes,
    can_perform_result,
    can_publish,
    can_recompute,
    can_view_result,
)
from .results import (
    RESULT_WORKFLOW,
    compute_result,
    compute_round,
    count_envelope,
    count_refusals,
    transition_result,
)
from .rules import (
    RulesData,
    change_vote_close,
    check_rules_data,
    get_rules,
    result_exists,
    save_rules,
    vote_has_opened,
)

__all__ = [
    "RECEIPT_LENGTH",
    "RESULT_WORKFLOW",
    "VOTED_STATES",
    "BallotSummary",
    "CastReceipt",
    "RefusalReason",
    "RulesData",
    "VoteRefused",
    "already_voted",
    "ballot_projects",
    "ballot_set_hash",
    "ballot_sheet",
    "ballot_with_receipt",
    "can_certify",
    "can_count",
    "can_manage_votes",
    "can_perform_result",
    "can_publish",
    "can_recompute",
    "can_view_result",
    "canonical_ballot",
    "cast_ballot",
    "change_vote_close",
    "check_can_vote",
    "check_ceremony",
    "check_rules_data",
    "check_vote_window",
    "completed_ceremony",
    "compute_result",
    "compute_round",
    "count_envelope",
    "count_refusals",
    "counts_by_channel",
    "deposit_ballot",
    "envelope_of",
    "erase_traces",
    "find_sign_in",
    "get_rules",
    "is_sealed",
    "key_of",
    "load_ballots",
    "new_ballot_id",
    "new_receipt_code",
    "normalise_receipt",
    "open_sealed_box",
    "participation_of",
    "public_fingerprints",
    "receipt_code_for",
    "receipt_hash",
    "refusal_to_vote",
    "result_exists",
    "result_of",
    "save_rules",
    "seal_ballot_box",
    "sign_in_voter",
    "start_ceremony",
    "summarise",
    "transition_result",
    "trustee_candidates",
    "vacuum_ballot_box",
    "validate_choices",
    "vote_has_opened",
    "voter_age",
]
