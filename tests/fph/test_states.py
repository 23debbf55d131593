"""The transition table: every (state, action) pair lands where the table says or
raises; the table is the one of the issue."""

from __future__ import annotations

from decimal import Decimal

import pytest

from participation.core.actors import SYSTEM
from participation.core.errors import Conflict
from participation.fph.models import Application
from participation.fph.services import submit_application, transition
from participation.fph.states import (
    GRANTED_STATES,
    TRANSITIONS,
    ApplicationAction,
    ApplicationState,
)

S = ApplicationState
A = ApplicationAction


def test_the_main_path_of_the_issue() -> None:
    path = [
        (S.DRAFT, A.SUBMIT, S.SUBMITTED),
        (S.SUBMITTED, A.MARK_COMPLETE, S.COMPLETE),
        (S.COMPLETE, A.SCHEDULE, S.SCHEDULED),
        (S.SCHEDULED, A.GRANT, S.GRANTED),
        (S.GRANTED, A.PAY_ADVANCE, S.PAID_ADVANCE),
        (S.PAID_ADVANCE, A.REQUEST_REPORT, S.REPORT_DUE),
        (S.REPORT_DUE, A.SUBMIT_REPORT, S.REPORT_SUBMITTED),
        (S.REPORT_SUBMITTED, A.CLOSE, S.CLOSED),
    ]
    for state, action, target in path:
        assert TRANSITIONS[(state, action)] is target


def test_withdrawn_only_before_the_decision() -> None:
    before = {s for (s, a) in TRANSITIONS if a is A.WITHDRAW}
    assert before == {
        S.DRAFT,
        S.SUBMITTED,
        S.INCOMPLETE,
        S.COMPLETE,
        S.SCHEDULED,
        S.DEFERRED,
    }


def test_closed_refused_withdrawn_and_repayment_are_final() -> None:
    finals = {S.CLOSED, S.REFUSED, S.WITHDRAWN, S.REPAYMENT_REQUESTED}
    assert not [key for key in TRANSITIONS if key[0] in finals]


#: Actions that bring a submitted application into each state.
PATHS: dict[ApplicationState, list[ApplicationAction]] = {
    S.SUBMITTED: [],
    S.COMPLETE: [A.MARK_COMPLETE],
    S.INCOMPLETE: [A.MARK_INCOMPLETE],
    S.SCHEDULED: [A.MARK_COMPLETE, A.SCHEDULE],
    S.GRANTED: [A.MARK_COMPLETE, A.SCHEDULE, A.GRANT],
    S.GRANTED_PARTIALLY: [A.MARK_COMPLETE, A.SCHEDULE, A.GRANT_PARTIALLY],
    S.DEFERRED: [A.MARK_COMPLETE, A.SCHEDULE, A.DEFER],
    S.REFUSED: [A.MARK_COMPLETE, A.SCHEDULE, A.REFUSE],
    S.PAID_ADVANCE: [A.MARK_COMPLETE, A.SCHEDULE, A.GRANT, A.PAY_ADVANCE],
    S.REPORT_DUE: [
        A.MARK_COMPLETE,
        A.SCHEDULE,
        A.GRANT,
        A.PAY_ADVANCE,
        A.REQUEST_REPORT,
    ],
    S.REPORT_SUBMITTED: [
        A.MARK_COMPLETE,
        A.SCHEDULE,
        A.GRANT,
        A.PAY_ADVANCE,
        A.REQUEST_REPORT,
        A.SUBMIT_REPORT,
    ],
    S.CLOSED: [
        A.MARK_COMPLETE,
        A.SCHEDULE,
        A.GRANT,
        A.PAY_ADVANCE,
        A.REQUEST_REPORT,
        A.SUBMIT_REPORT,
        A.CLOSE,
    ],
    S.REPAYMENT_REQUESTED: [
        A.MARK_COMPLETE,
        A.SCHEDULE,
        A.GRANT,
        A.PAY_ADVANCE,
        A.REQUEST_REPORT,
        A.REQUEST_REPAYMENT,
    ],
    S.WITHDRAWN: [A.WITHDRAW],
}


def _step(application: Application, action: ApplicationAction) -> None:
    if action is A.SUBMIT and application.state is S.DRAFT:
        submit_application(application, SYSTEM)
        return
    if TRANSITIONS.get((application.state, action)) in GRANTED_STATES:
        application.amount_granted = Decimal("500.00")
    transition(application, action, SYSTEM)


def test_the_paths_reach_every_state() -> None:
    for state, path in PATHS.items():
        current = S.SUBMITTED
        for action in path:
            current = TRANSITIONS[(current, action)]
        assert current is state
    assert set(PATHS) | {S.DRAFT} == set(ApplicationState)


@pytest.mark.parametrize("state", list(ApplicationState), ids=str)
def test_every_pair_lands_where_the_table_says_or_is_refused(
    db, fund, make_application, make_user, state: ApplicationState
) -> None:
    """For each action from *state*: a fresh file brought there, then the action."""
    for action in ApplicationAction:
        application = make_application(
            fund, owner=make_user(), submit=state is not S.DRAFT
        )
        for step in PATHS.get(state, []):
            _step(application, step)
        assert application.state is state
        before = len(application.history)
        expected = TRANSITIONS.get((state, action))
        if expected is None:
            with pytest.raises(Conflict):
                _step(application, action)
            assert application.state is state, action
            assert len(application.history) == before
        else:
            _step(application, action)
            assert application.state is expected, action
            assert application.history[-1].to_state is expected
            assert application.history[-1].action is action
