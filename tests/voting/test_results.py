"""Counting, certifying, publishing; the public results page; receipts; exports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.budget.states import IdeaState
from participation.core.actors import SYSTEM
from participation.core.errors import Conflict, PermissionDenied
from participation.core.models import AuditEntry
from participation.voting import pabulib, services
from participation.voting.models import Ballot, VoteResult, VoteResultStateChange
from participation.voting.states import Channel, ResultAction, ResultState

pytestmark = pytest.mark.usefixtures("english")


def _closed_vote_with_ballots(db, make_vote, make_voter, choices_list):
    """A closed vote whose ballots were cast during the vote; returns vote, codes."""
    vote = make_vote("counting")
    during = vote.round.vote_opens_at + timedelta(days=1)
    codes = []
    for indexes in choices_list:
        person = make_voter(vote.here)
        receipt = services.cast_ballot(
            person, vote.round, vote.ids(*indexes), now=during
        )
        codes.append(receipt.code)
    db.session.commit()
    vote.open_box()  # two trustees open the sealed box: the count may run
    return vote, codes


@pytest.fixture
def closed(db, make_vote, make_voter):
    # Support: p0 3, p1 2, p2 2, p3 1; costs 3000, 4000, 5000, 6000; budget 10,000.
    return _closed_vote_with_ballots(
        db, make_vote, make_voter, [(0, 1), (0, 2), (0, 1, 2), (3,)]
    )


def _publish(db, vote, actor):
    results = services.compute_round(vote.round, actor)
    for result in results:
        services.transition_result(result, ResultAction.CERTIFY, actor)
        services.transition_result(result, ResultAction.PUBLISH, vote.publisher)
    db.session.commit()
    return {r.envelope_id: r for r in results}


def test_count_follows_greedy_and_publication_moves_the_ideas(db, closed):
    vote, _ = closed

    results = _publish(db, vote, vote.staff)

    result = results[vote.envelope.id]
    p = vote.projects
    assert result.winners == [str(p[0].id), str(p[1].id)]  # 3,000 + 4,000; p2 over
    assert result.support == {
        str(p[0].id): 3,
        str(p[1].id): 2,
        str(p[2].id): 2,
        str(p[3].id): 1,
    }
    assert result.allocated + result.amount_left == result.budget
    assert str(result.amount_left) == "3000.00"
    db.session.expire_all()
    assert [i.state for i in p] == [
        IdeaState.SELECTED,
        IdeaState.SELECTED,
        IdeaState.NOT_SELECTED,
        IdeaState.NOT_SELECTED,
    ]
    assert vote.round.results_published_at is not None
    assert result.participation == {"online": {"sign_ins": 4, "ballots": 4}}


def test_round_is_marked_published_only_when_every_qpv_is(db, closed):
    vote, _ = closed
    results = services.compute_round(vote.round, vote.staff)
    here = next(r for r in results if r.envelope_id == vote.envelope.id)

    services.transition_result(here, ResultAction.CERTIFY, vote.staff)
    services.transition_result(here, ResultAction.PUBLISH, vote.publisher)

    assert vote.round.results_published_at is None


def test_only_staff_certify_and_publish(db, closed, make_voter, login_as):
    vote, _ = closed
    result = services.compute_result(vote.envelope, vote.staff)
    db.session.commit()
    resident = make_voter(vote.here)

    with pytest.raises(PermissionDenied):
        services.transition_result(result, ResultAction.CERTIFY, resident)
    client = login_as(resident)
    for action in ("certify", "publish", "recompute"):
        assert client.post(f"/results/{vote.envelope.id}/{action}").status_code == 403
    assert client.post(f"/rounds/{vote.round.id}/results/compute").status_code == 403

    db.session.expire_all()
    assert db.session.get(VoteResult, result.id).state is ResultState.COMPUTED


def test_staff_count_certify_publish_through_the_pages(db, closed, login_as):
    vote, _ = closed
    client = login_as(vote.staff)
    confirm = {"confirm": "y"}

    computed = client.post(f"/rounds/{vote.round.id}/results/compute", data=confirm)
    certified = client.post(f"/results/{vote.envelope.id}/certify", data=confirm)
    publisher = login_as(vote.publisher)
    published = publisher.post(f"/results/{vote.envelope.id}/publish", data=confirm)

    assert computed.status_code == certified.status_code == published.status_code == 302
    result = db.session.scalar(
        sa.select(VoteResult).where(VoteResult.envelope_id == vote.envelope.id)
    )
    assert result.state is ResultState.PUBLISHED
    assert result.certified_by_id == vote.staff.id
    assert result.published_by_id == vote.publisher.id


def test_the_certifier_cannot_publish_the_same_result(db, closed, login_as):
    vote, _ = closed
    result = services.compute_result(vote.envelope, vote.staff)
    services.transition_result(result, ResultAction.CERTIFY, vote.staff)
    db.session.commit()

    with pytest.raises(Conflict, match="another staff member must publish"):
        services.transition_result(result, ResultAction.PUBLISH, vote.staff)
    db.session.rollback()
    page = login_as(vote.staff).post(
        f"/results/{vote.envelope.id}/publish",
        data={"confirm": "y"},
        follow_redirects=True,
    )

    assert "another staff member must publish" in page.get_data(as_text=True)
    # The result's page offers the certifier no publish button, and says why;
    # the second staff member gets the button.
    detail = login_as(vote.staff).get(f"/results/{vote.envelope.id}")
    body = detail.get_data(as_text=True)
    assert 'id="result-publish"' not in body
    assert 'id="four-eyes"' in body
    other = login_as(vote.publisher).get(f"/results/{vote.envelope.id}")
    assert 'id="result-publish"' in other.get_data(as_text=True)
    db.session.expire_all()
    again = db.session.get(VoteResult, result.id)
    assert again.state is ResultState.CERTIFIED
    assert again.published_by_id is None


def test_published_result_is_immutable(db, closed):
    vote, _ = closed
    result = _publish(db, vote, vote.staff)[vote.envelope.id]

    for action in ResultAction:
        with pytest.raises(Conflict):
            services.transition_result(result, action, vote.staff)
    with pytest.raises(Conflict):
        services.compute_result(vote.envelope, vote.staff)
    with pytest.raises(Conflict):
        services.deposit_ballot(vote.envelope, vote.ids(0), channel=Channel.PAPER)
    db.session.rollback()
    with pytest.raises(sa.exc.DatabaseError):
        db.session.execute(sa.update(VoteResult).values(winners=[]))
    db.session.rollback()
    with pytest.raises(sa.exc.DatabaseError):
        db.session.execute(
            sa.delete(Ballot).where(Ballot.envelope_id == vote.envelope.id)
        )
    db.session.rollback()
    with pytest.raises(sa.exc.DatabaseError):
        db.session.execute(
            sa.insert(Ballot).values(
                id=services.new_ballot_id(),
                envelope_id=vote.envelope.id,
                channel=Channel.PAPER,
            )
        )
    db.session.rollback()


def test_a_ballot_added_after_the_count_blocks_certification(db, closed):
    vote, _ = closed
    result = services.compute_result(vote.envelope, vote.staff)
    services.deposit_ballot(vote.envelope, vote.ids(3), channel=Channel.PAPER)

    with pytest.raises(Conflict, match="changed"):
        services.transition_result(result, ResultAction.CERTIFY, vote.staff)

    services.transition_result(result, ResultAction.RECOMPUTE, vote.staff)
    assert result.num_ballots == 5
    services.transition_result(result, ResultAction.CERTIFY, vote.staff)
    assert result.state is ResultState.CERTIFIED


def test_count_before_the_close_is_refused(db, vote, voter):
    services.cast_ballot(voter, vote.round, vote.ids(0))

    with pytest.raises(Conflict, match="not closed"):
        services.compute_result(vote.envelope, vote.staff)


def test_public_results_page_shows_everything(db, closed, client):
    vote, codes = closed
    result = _publish(db, vote, vote.staff)[vote.envelope.id]

    page = client.get(f"/results/{vote.envelope.id}")

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="winners"' in html
    assert vote.projects[0].title in html
    assert 'id="steps"' in html
    assert html.count('class="step-') == len(result.trace)
    assert "over-budget" in html  # the row of the project that no longer fitted
    assert result.ballot_set_hash in html
    for code in codes:
        assert services.receipt_hash(code) in html
    assert 'id="participation-by-channel"' in html
    assert f'<th scope="row">{Channel.ONLINE.label}</th><td>4</td><td>4</td>' in html
    assert "in order of support" in html  # the rule in plain words


def test_unpublished_result_is_hidden_from_the_public(db, closed, client):
    vote, _ = closed
    services.compute_result(vote.envelope, vote.staff)
    db.session.commit()

    assert client.get(f"/results/{vote.envelope.id}").status_code == 404
    assert client.get(f"/results/{vote.envelope.id}/results.csv").status_code == 404
    assert client.get(f"/results/{vote.envelope.id}/election.pb").status_code == 404


def test_receipt_check_says_whether_the_ballot_was_counted(db, closed, client):
    vote, codes = closed
    _publish(db, vote, vote.staff)

    found = client.post(
        f"/results/{vote.envelope.id}/receipt",
        data={"code": codes[1].lower().replace("-", " ")},
    )
    missing = client.post(
        f"/results/{vote.envelope.id}/receipt", data={"code": "AAAAA-BBBBB"}
    )
    empty = client.post(f"/results/{vote.envelope.id}/receipt", data={"code": ""})

    assert 'id="receipt-found"' in found.get_data(as_text=True)
    assert 'id="receipt-missing"' in missing.get_data(as_text=True)
    assert "Type the code" in empty.get_data(as_text=True)
    assert found.headers["Cache-Control"] == "no-store"


def test_csv_export_lists_every_project(db, closed, client):
    vote, _ = closed
    _publish(db, vote, vote.staff)

    response = client.get(f"/results/{vote.envelope.id}/results.csv")

    text = response.get_data(as_text=True)
    assert text.startswith("\ufeffproject_id;title;")  # for a French spreadsheet
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert {r["project_id"] for r in rows} == {str(p.id) for p in vote.projects}
    assert {r["project_id"] for r in rows if r["selected"] == "1"} == {
        str(vote.projects[0].id),
        str(vote.projects[1].id),
    }


def test_pb_export_is_anonymous_accepted_by_the_checker_and_matches_the_hash(
    db, closed, client
):
    from pabulib.checker import Checker

    vote, _ = closed
    result = _publish(db, vote, vote.staff)[vote.envelope.id]

    text = client.get(f"/results/{vote.envelope.id}/election.pb").get_data(as_text=True)

    election = pabulib.parse(text)
    assert len(election.votes) == 4
    voter_ids = [v.voter_id for v in election.votes]
    assert len(set(voter_ids)) == 4
    assert all(len(v) == 12 for v in voter_ids)
    recomputed = services.ballot_set_hash(
        services.canonical_ballot((p, 1) for p in v.vote) for v in election.votes
    )
    assert recomputed == result.ballot_set_hash
    report = Checker().process_files([text])
    assert report["metadata"]["valid"] == 1, report


def _result_in(db, make_vote, make_voter, state: ResultState):
    """A counted result of a closed vote, brought to *state* through the services."""
    vote, _ = _closed_vote_with_ballots(db, make_vote, make_voter, [(0, 1)])
    result = services.compute_result(vote.envelope, vote.staff)
    if state is not ResultState.COMPUTED:
        services.transition_result(result, ResultAction.CERTIFY, vote.staff)
    if state is ResultState.PUBLISHED:
        services.transition_result(result, ResultAction.PUBLISH, vote.publisher)
    db.session.commit()
    return vote, result


def _history(db, result: VoteResult) -> list[tuple[object, ...]]:
    return [
        (change.action, change.from_state, change.to_state, change.actor_id)
        for change in db.session.scalars(
            sa.select(VoteResultStateChange)
            .where(VoteResultStateChange.result_id == result.id)
            .order_by(VoteResultStateChange.id)
        )
    ]


def _audited(db, result: VoteResult) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry.action)
            .where(
                AuditEntry.object_type == "vote_result",
                AuditEntry.object_id == str(result.id),
            )
            .order_by(AuditEntry.id)
        )
    )


@pytest.mark.parametrize("state", list(ResultState))
@pytest.mark.parametrize("action", list(ResultAction))
def test_every_result_state_and_action_pair(db, make_vote, make_voter, state, action):
    """Legal pairs land where the table says, with history and audit; others raise."""
    vote, result = _result_in(db, make_vote, make_voter, state)
    history, audited = _history(db, result), _audited(db, result)
    expected = services.RESULT_WORKFLOW.transitions.get((state, action))

    actor = vote.publisher if action is ResultAction.PUBLISH else vote.staff
    if expected is None:
        with pytest.raises(Conflict):
            services.transition_result(result, action, actor)
        db.session.rollback()
        assert db.session.get(VoteResult, result.id).state is state
        assert _history(db, result) == history
        assert _audited(db, result) == audited
        return
    assert services.transition_result(result, action, actor) is expected
    db.session.commit()

    assert db.session.get(VoteResult, result.id).state is expected
    assert _history(db, result) == [*history, (action, state, expected, actor.id)]
    assert _audited(db, result) == [*audited, f"vote_result.{action.value}"]


def test_the_first_count_creates_the_result_and_the_system_can_count(
    db, make_vote, make_voter
):
    vote, _ = _closed_vote_with_ballots(db, make_vote, make_voter, [(0,)])

    result = services.compute_result(vote.envelope, SYSTEM)
    services.transition_result(result, ResultAction.CERTIFY, SYSTEM)
    db.session.commit()

    assert result.state is ResultState.CERTIFIED
    assert result.computed_by_id is None
    assert _history(db, result) == [
        (ResultAction.CERTIFY, ResultState.COMPUTED, ResultState.CERTIFIED, None)
    ]
    assert _audited(db, result) == ["vote_result.compute", "vote_result.certify"]


def test_the_idea_list_reads_support_from_published_results_only(db, closed, login_as):
    from participation.voting.queries import published_support

    vote, _ = closed
    result = services.compute_result(vote.envelope, vote.staff)
    services.transition_result(result, ResultAction.CERTIFY, vote.staff)
    db.session.commit()
    assert published_support() == {}

    services.transition_result(result, ResultAction.PUBLISH, vote.publisher)
    db.session.commit()
    expected = {int(k): int(v) for k, v in result.support.items()}
    assert expected
    assert published_support() == expected
