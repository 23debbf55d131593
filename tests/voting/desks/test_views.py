"""Desk pages: rights, walk-in sign-ins, the keying grid, reconciliation, figures."""

from __future__ import annotations

import html
import re

import sqlalchemy as sa
from core.querycount import count_queries

from participation.accounts.models import User
from participation.accounts.states import Role
from participation.core.time import today_paris
from participation.voting import services as voting
from participation.voting.desks import services
from participation.voting.desks.models import (
    PaperBatch,
    PaperKeyedBallot,
    PaperKeying,
    PaperResolution,
)
from participation.voting.desks.states import BatchState
from participation.voting.models import Ballot, PollingDesk, SignIn
from participation.voting.states import Channel

from .conftest import typed, voter_url


def count(db, model, *where) -> int:
    stmt = sa.select(sa.func.count()).select_from(model)
    if where:
        stmt = stmt.where(*where)
    return db.session.scalar(stmt)


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# ---------------------------------------------------------------------------
# Rights
# ---------------------------------------------------------------------------


def test_resident_gets_403_everywhere_and_nothing_changes(
    db, client, login_as, vote, signed_desk, make_batch, relay, resident, key_batch
):
    desk = signed_desk(1)
    batch = make_batch(desk, 1)
    login_as(resident)
    gets = [
        "/desks/",
        f"/desks/rounds/{vote.round.id}",
        f"/desks/rounds/{vote.round.id}/new",
        f"/desks/{desk.id}",
        f"/desks/{desk.id}/voters?q=a",
        f"/desks/{desk.id}/voters/new",
        f"/desks/{desk.id}/batches/new",
        f"/desks/batches/{batch.id}",
    ]
    for url in gets:
        assert client.get(url).status_code == 403, url
    posts = {
        f"/desks/rounds/{vote.round.id}/new": {
            "territory": str(vote.here.id),
            "place": "Chez moi",
            "opens_on": today_paris().isoformat(),
        },
        f"/desks/{desk.id}/close": {},
        f"/desks/{desk.id}/voters/{resident.id}": {"proof_checked": "y"},
        f"/desks/{desk.id}/batches/new": {"declared_count": "3"},
        f"/desks/batches/{batch.id}/keyings": {},
        f"/desks/batches/{batch.id}/deposit": {},
        f"/desks/batches/{batch.id}/reconcile": {},
        f"/desks/batches/{batch.id}/cancel": {"reason": "Pour voir"},
    }
    for url, data in posts.items():
        assert client.post(url, data=data).status_code == 403, url

    assert count(db, PollingDesk) == 1
    assert count(db, SignIn) == 1
    assert count(db, PaperBatch) == 1
    assert count(db, PaperKeying) == 0
    db.session.refresh(batch)
    assert batch.state is BatchState.OPEN


def test_anonymous_visitor_is_sent_to_sign_in(client, desk):
    response = client.get(f"/desks/{desk.id}")

    assert response.status_code == 302
    assert "/signin" in response.headers["Location"]


def test_menu_shows_desks_to_relays_only(client, login_as, relay, resident):
    login_as(resident)
    assert 'id="nav-desks"' not in client.get("/").get_data(as_text=True)
    login_as(relay)
    assert 'id="nav-desks"' in client.get("/").get_data(as_text=True)


# ---------------------------------------------------------------------------
# Desks
# ---------------------------------------------------------------------------


def test_relay_opens_a_desk_from_the_round_page(db, client, login_as, vote, relay):
    login_as(relay)
    assert client.get("/desks/").status_code == 200
    page = client.get(f"/desks/rounds/{vote.round.id}/new")
    assert page.status_code == 200

    response = client.post(
        f"/desks/rounds/{vote.round.id}/new",
        data={
            "territory": str(vote.here.id),
            "place": "Maison de quartier",
            "opens_on": today_paris().isoformat(),
        },
    )

    desk = db.session.scalars(sa.select(PollingDesk)).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/desks/{desk.id}")
    assert desk.place == "Maison de quartier"


def test_bad_desk_input_is_explained_and_kept(db, client, login_as, vote, relay):
    login_as(relay)

    response = client.post(
        f"/desks/rounds/{vote.round.id}/new",
        data={
            "territory": str(vote.here.id),
            "place": "Maison de quartier",
            "opens_on": "2001-01-01",
        },
    )

    body = text_of(response)
    assert response.status_code == 200
    assert 'id="error-summary"' in body
    assert 'id="opens_on-error"' in body
    assert 'value="Maison de quartier"' in body
    assert count(db, PollingDesk) == 0


def test_closing_a_desk_then_signing_in_is_refused(
    db, client, login_as, vote, desk, voter, relay
):
    login_as(relay)
    assert client.post(f"/desks/{desk.id}/close").status_code == 302

    response = client.post(voter_url(desk, voter, relay), data={})

    assert response.status_code == 403
    assert count(db, SignIn) == 0
    page = client.get(voter_url(desk, voter, relay))
    assert 'id="desk-closed"' in page.get_data(as_text=True)


# ---------------------------------------------------------------------------
# Walk-in voters
# ---------------------------------------------------------------------------


def test_relay_finds_a_voter_and_signs_them_in(
    db, client, login_as, vote, desk, make_voter, relay
):
    person = make_voter(vote.here, pseudonym="Karim_du_Viguier", real_name="Karim Z.")
    login_as(relay)

    # A relay finds a person by their exact e-mail, phone or account code only.
    nothing = client.get(f"/desks/{desk.id}/voters", query_string={"q": "Karim Z"})
    assert f'id="voter-{person.id}"' not in nothing.get_data(as_text=True)
    found = client.get(f"/desks/{desk.id}/voters", query_string={"q": person.email})
    assert f'id="voter-{person.id}"' in found.get_data(as_text=True)
    assert "Karim Z." not in found.get_data(as_text=True)
    assert client.post(f"/desks/{desk.id}/voters/{person.id}").status_code == 403
    response = client.post(voter_url(desk, person, relay), data={})

    assert response.status_code == 302
    sign_in = db.session.get(SignIn, (vote.round.id, person.id))
    assert sign_in.desk_id == desk.id
    page = client.get(f"/desks/{desk.id}")
    body = page.get_data(as_text=True)
    assert "Karim_du_Viguier" in body
    assert 'id="figure-sign-ins">1<' in body


def test_search_shows_who_already_voted_online(
    db, client, login_as, vote, desk, voter, relay
):
    voting.cast_ballot(voter, vote.round, vote.ids(0))
    db.session.commit()
    login_as(relay)

    found = client.get(f"/desks/{desk.id}/voters", query_string={"q": voter.email})
    body = text_of(found)
    assert "Already voted" in body

    response = client.post(voter_url(desk, voter, relay), data={})
    assert response.status_code == 200
    assert "already voted online" in text_of(response)
    assert count(db, SignIn) == 1
    assert count(db, SignIn, SignIn.desk_id == desk.id) == 0


def test_unverified_voter_is_signed_in_with_the_proof_box(
    db, client, login_as, vote, desk, make_voter, relay
):
    person = make_voter(vote.here, verified=False)
    login_as(relay)

    refused = client.post(voter_url(desk, person, relay), data={})
    assert refused.status_code == 200
    assert 'id="proof_checked-error"' in refused.get_data(as_text=True)
    assert count(db, SignIn) == 0

    response = client.post(voter_url(desk, person, relay), data={"proof_checked": "y"})
    assert response.status_code == 302
    assert count(db, SignIn) == 1


def test_walk_in_account_is_created_and_its_code_shown_once(
    db, client, login_as, vote, desk, relay
):
    login_as(relay)
    data = {
        "pseudonym": "Mme Garcia",
        "real_name": "Josefa Garcia",
        "birth_year": "1948",
        "sex": "",
        "locale": "fr",
        "proof_checked": "y",
        "consent": "y",
    }

    response = client.post(f"/desks/{desk.id}/voters/new", data=data)

    assert response.status_code == 302
    person = db.session.scalars(sa.select(User).filter_by(pseudonym="Mme Garcia")).one()
    assert person.is_managed
    assert person.active_verification(vote.here.id) is not None
    assert db.session.get(SignIn, (vote.round.id, person.id)).desk_id == desk.id
    first = client.get(f"/desks/{desk.id}").get_data(as_text=True)
    code = re.search(r'id="new-account-code">([^<]+)<', first)
    assert code is not None
    assert account_code_matches(person, code.group(1))
    second = client.get(f"/desks/{desk.id}").get_data(as_text=True)
    assert 'id="new-account-code"' not in second


def account_code_matches(person: User, code: str) -> bool:
    from participation.accounts import services as account_services

    return account_services.setup_code_matches(person, code)


def test_walk_in_without_proof_keeps_what_was_typed(db, client, login_as, desk, relay):
    login_as(relay)

    response = client.post(
        f"/desks/{desk.id}/voters/new",
        data={"pseudonym": "Mme Garcia", "locale": "fr", "consent": "y"},
    )

    body = text_of(response)
    assert response.status_code == 200
    assert 'id="proof_checked-error"' in body
    assert 'value="Mme Garcia"' in body
    assert count(db, User, User.pseudonym == "Mme Garcia") == 0


# ---------------------------------------------------------------------------
# Keying, reconciliation, deposit
# ---------------------------------------------------------------------------


def grid(*readings) -> dict[str, str]:
    data = {}
    for position, entry in typed(*readings).items():
        data[f"b{position}_choices"] = entry.choices
        data[f"b{position}_mark"] = entry.mark
    return data


def start(client, batch) -> str:
    response = client.post(f"/desks/batches/{batch.id}/keyings")
    assert response.status_code == 302
    return response.headers["Location"]


def test_bad_paper_ballots_are_explained_next_to_the_entry_with_everything_kept(
    db, client, login_as, vote, signed_desk, make_batch, relay
):
    batch = make_batch(signed_desk(4), 4)
    login_as(relay)
    url = start(client, batch)
    too_many = "1, 2, 3, 4"
    # The project's id, typed instead of its ballot number, is no number on it.
    an_id = str(vote.projects[3].id)
    data = grid(vote.numbers(0), "424242", an_id, too_many)

    response = client.post(url, data=data)

    body = text_of(response)
    assert response.status_code == 200
    assert 'id="error-summary"' in body
    errors = dict(re.findall(r'id="b(\d)_choices-error">([^<]*)<', body))
    assert set(errors) == {"2", "3", "4"}
    assert "There is no n° 424242 on this ballot" in errors["2"]
    assert f"There is no n° {an_id} on this ballot" in errors["3"]
    assert "(1 to 4)" in errors["3"]
    assert "at most 3" in errors["4"]
    for position, entry in enumerate(["424242", an_id, too_many], start=2):
        field = re.search(rf'<input[^>]*name="b{position}_choices"[^>]*>', body)
        assert field is not None
        assert f'value="{entry}"' in field.group(0)
    assert count(db, PaperKeyedBallot) == 0


def test_keying_is_blind_to_the_other_pass(
    db, client, login_as, vote, signed_desk, make_batch, relay, relay2
):
    batch = make_batch(signed_desk(1), 1)
    keying = services.start_keying(batch, relay)
    db.session.commit()
    login_as(relay2)

    response = client.get(f"/desks/batches/{batch.id}/keyings/{keying.id}")

    assert response.status_code == 403


def test_two_people_key_a_batch_and_staff_settles_the_difference(
    db, client, login_as, vote, signed_desk, make_batch, relay, relay2, staff
):
    desk = signed_desk(3)
    batch = make_batch(desk, 3)
    p = [vote.numbers(i) for i in range(len(vote.projects))]
    titles = [idea.title for idea in vote.projects]

    login_as(relay)
    url = start(client, batch)
    saved = client.post(url, data=grid(p[0], ("", "blank"), ""))
    assert saved.status_code == 302  # saved, not finished
    # Shown back by ballot number (1), not by id.
    again = client.get(url).get_data(as_text=True)
    field = re.search(r'<input[^>]*name="b1_choices"[^>]*>', again)
    assert field is not None
    assert 'value="1"' in field.group(0)
    assert f"<strong>n° 1</strong> {titles[0]}" in again
    finished = client.post(
        url, data={**grid(p[0], ("", "blank"), f"{p[1]}, {p[2]}"), "finish": "y"}
    )
    assert finished.status_code == 302
    db.session.refresh(batch)
    assert batch.state is BatchState.FIRST_KEYED
    # The same person cannot key the second pass.
    assert client.post(f"/desks/batches/{batch.id}/keyings").status_code == 403

    login_as(relay2)
    url = start(client, batch)
    client.post(url, data={**grid(p[0], ("", "blank"), p[1]), "finish": "y"})
    db.session.refresh(batch)
    assert batch.state is BatchState.SECOND_KEYED

    page = client.get(f"/desks/batches/{batch.id}/reconciliation")
    body = page.get_data(as_text=True)
    assert re.findall(r'id="mismatch-(\d+)"', body) == ["3"]
    assert f"<td>n° 2 {titles[1]}; n° 3 {titles[2]}</td>" in body
    assert f"<td>n° 2 {titles[1]}</td>" in body
    assert 'id="third-person"' in body
    assert (
        client.post(
            f"/desks/batches/{batch.id}/reconciliation/3", data={"p3-source": "first"}
        ).status_code
        == 403
    )
    assert client.post(f"/desks/batches/{batch.id}/deposit").status_code == 302
    assert count(db, Ballot) == 0

    login_as(staff)
    bad = client.post(
        f"/desks/batches/{batch.id}/reconciliation/3",
        data={"p3-source": "other", "p3-choices": "abc", "p3-mark": "valid"},
    )
    assert bad.status_code == 400
    assert 'value="abc"' in text_of(bad)
    settled = client.post(
        f"/desks/batches/{batch.id}/reconciliation/3", data={"p3-source": "second"}
    )
    assert settled.status_code == 302
    resolution = db.session.scalars(sa.select(PaperResolution)).one()
    assert resolution.choices == f"{vote.projects[1].id}:1"
    assert client.post(f"/desks/batches/{batch.id}/reconcile").status_code == 302
    assert client.post(f"/desks/batches/{batch.id}/deposit").status_code == 302

    db.session.refresh(batch)
    assert batch.state is BatchState.DEPOSITED
    assert count(db, Ballot) == 2
    desk_page = client.get(f"/desks/{desk.id}").get_data(as_text=True)
    assert 'id="figure-deposited">2<' in desk_page
    assert 'id="figure-blank">1<' in desk_page
    assert 'data-difference="0"' in desk_page


def test_round_view_flags_a_desk_whose_figures_differ(
    db, client, login_as, vote, signed_desk, make_batch, staff
):
    desk = signed_desk(3)
    make_batch(desk, 2)
    login_as(staff)

    response = client.get(f"/desks/rounds/{vote.round.id}")

    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="desk-row-{desk.id}" class="desk-row-mismatch"' in body
    assert 'data-difference="-1"' in body
    assert 'id="total-sign-ins">3<' in body
    assert 'id="total-ballots">2<' in body


def test_round_and_desk_pages_queries_do_not_grow_with_rows(
    db,
    client,
    login_as,
    vote,
    signed_desk,
    make_desk,
    make_batch,
    make_voter,
    make_user,
    staff,
):
    desk = signed_desk(1)
    services.start_keying(make_batch(desk, 1), make_user(roles=(Role.RELAY,)))
    db.session.commit()
    login_as(staff)
    pages = [f"/desks/rounds/{vote.round.id}", f"/desks/{desk.id}", "/desks/"]

    def measure() -> list[int]:
        sizes = []
        for url in pages:
            db.session.expire_all()  # nothing cached from the test's own session
            with count_queries(db) as statements:
                assert client.get(url).status_code == 200
            sizes.append(len(statements))
        return sizes

    before = measure()
    for n in range(3):
        make_desk(vote, place=f"Bureau {n}")
        person = make_voter(vote.here)
        db.session.add(
            SignIn(
                round_id=vote.round.id,
                person_id=person.id,
                territory_id=vote.here.id,
                channel=Channel.PAPER,
                desk_id=desk.id,
                signed_on=today_paris(),
            )
        )
        batch = make_batch(desk, 1)
        services.start_keying(batch, make_user(roles=(Role.RELAY,)))
    db.session.commit()
    after = measure()

    assert after == before
