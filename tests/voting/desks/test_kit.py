"""The paper kit: the printable ballots of an envelope (PDF, French)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from participation.voting.desks import services
from participation.voting.states import BallotType


def url_of(vote, envelope=None) -> str:
    envelope = envelope or vote.envelope
    return f"/desks/rounds/{vote.round.id}/envelopes/{envelope.id}/ballots.pdf"


def pdf_text(data: bytes) -> str:
    """The text of every page (pypdf), spaces normalised."""
    reader = PdfReader(io.BytesIO(data))
    pages = (page.extract_text() or "" for page in reader.pages)
    return " ".join(" ".join(text.split()) for text in pages)


def test_staff_print_the_ballot_with_numbers_titles_costs_and_the_rule(
    db, login_as, vote, staff
):
    client = login_as(staff)

    response = client.get(url_of(vote))

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    text = pdf_text(response.data)
    numbers = services.ballot_numbers(vote.envelope)
    for idea in vote.projects:
        assert f"n° {numbers[idea.id]} {idea.title}" in text
    assert vote.other_project.title not in text
    assert vote.not_retained.title not in text
    assert vote.here.name in text
    assert vote.round.title in text
    # French, whatever the staff member's language; the rule of the vote (max 3).
    assert "Bulletin de vote" in text
    assert "Cochez entre 1 et 3 projets." in text
    assert "3 000,00" in text  # the first project's cost


def test_the_same_ballot_prints_in_arabic_on_request(db, login_as, vote, staff):
    client = login_as(staff)

    arabic = client.get(url_of(vote) + "?lang=ar")
    unknown = client.get(url_of(vote) + "?lang=xx")

    assert arabic.status_code == 200
    assert b"/Lang (ar)" in arabic.data
    assert "Bulletin de vote" not in pdf_text(arabic.data)
    assert "Bulletin de vote" in pdf_text(unknown.data)


def test_the_other_neighbourhood_has_its_own_ballot(db, login_as, vote, relay):
    response = login_as(relay).get(url_of(vote, vote.other_envelope))

    assert response.status_code == 200
    text = pdf_text(response.data)
    assert f"n° 1 {vote.other_project.title}" in text
    assert vote.projects[0].title not in text


def test_a_cumulative_vote_prints_its_points(db, login_as, make_vote, staff):
    vote = make_vote(
        rules={
            "ballot_type": BallotType.CUMULATIVE,
            "total_points": 5,
            "max_points_per_project": 3,
        }
    )

    text = pdf_text(login_as(staff).get(url_of(vote)).data)

    assert "Vous avez 5 points à répartir entre les projets, 3 au maximum" in text
    assert "Écrivez dans la case de chaque projet" in text


def test_the_round_page_links_each_envelope_ballots(db, login_as, vote, staff):
    page = login_as(staff).get(f"/desks/rounds/{vote.round.id}").get_data(True)

    assert f'href="{url_of(vote)}"' in page
    assert f'href="{url_of(vote, vote.other_envelope)}"' in page


def test_the_desk_page_links_its_neighbourhood_ballots(db, login_as, vote, desk, relay):
    page = login_as(relay).get(f"/desks/{desk.id}").get_data(True)

    assert 'id="desk-ballots-pdf"' in page
    assert f'href="{url_of(vote)}"' in page
    assert url_of(vote, vote.other_envelope) not in page


@pytest.mark.parametrize("who", ["anonymous", "resident"])
def test_visitors_and_residents_cannot_print_ballots(
    db, client, login_as, vote, resident, who
):
    if who == "resident":
        client = login_as(resident)

    response = client.get(url_of(vote))

    assert response.status_code == (302 if who == "anonymous" else 403)
    assert not response.data.startswith(b"%PDF")


def test_an_envelope_of_another_round_is_not_found(db, login_as, make_vote, staff):
    one, two = make_vote(), make_vote()

    response = login_as(staff).get(url_of(one, two.envelope))

    assert response.status_code == 404


def test_before_the_announcement_nothing_is_printed(db, login_as, vote, staff):
    vote.round.published_at = None
    db.session.commit()

    response = login_as(staff).get(url_of(vote))

    assert response.status_code == 409
    assert not response.data.startswith(b"%PDF")
