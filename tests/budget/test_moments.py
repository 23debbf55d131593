"""The action of the moment: what residents can do now in their QPV, and until when.

One query (budget.queries.moments_by_territory) feeds the home page, the QPV page
and the account page; a round's page shows the button of its phase; the votes page
lists the votes to come; signing in tells a person that their neighbourhood votes.
"""

from __future__ import annotations

from participation.budget import queries


def test_moments_follow_the_phase_most_pressing_first(make_round, make_territory):
    place = make_territory(name="Bastide")
    elsewhere = make_territory(name="Conte")
    voting = make_round("vote", territories=[place])
    proposing = make_round("submission", territories=[place, elsewhere])
    make_round("results", territories=[place])
    make_round("submission", territories=[place], published=False)

    by_place = dict(queries.moments_by_territory())
    kinds = [(m.kind, m.round.id) for m in by_place[place]]
    assert kinds[:2] == [("vote", voting.id), ("propose", proposing.id)]
    assert kinds[2][0] == "results"
    assert len(kinds) == 3  # the unpublished round is not shown
    assert by_place[place][0].until == voting.vote_closes_at
    assert by_place[place][1].until == proposing.submission_closes_at
    assert [m.kind for m in by_place[elsewhere]] == ["propose"]
    only = queries.moments_by_territory([elsewhere.id])
    assert [t for t, _ in only] == [elsewhere]


def test_visitor_home_shows_each_neighbourhood_and_its_vote(
    client, make_round, make_territory
):
    place = make_territory(name="Bastide")
    voting = make_round("vote", territories=[place])
    html = client.get("/").get_data(as_text=True)
    assert 'id="moments"' in html
    assert "Bastide" in html
    assert f"/rounds/{voting.id}/vote" in html
    assert "Vote (until" in html


def test_resident_sees_only_their_neighbourhood(
    client, db, login_as, make_user, make_round, make_territory
):
    home, other = make_territory(name="Bastide"), make_territory(name="Conte")
    mine = make_round("submission", territories=[home])
    theirs = make_round("vote", territories=[other])
    resident = make_user(territory=home)
    db.session.commit()
    login_as(resident)
    for url in ("/", "/account"):
        html = client.get(url).get_data(as_text=True)
        assert f"/rounds/{mine.id}/ideas/new" in html, url
        assert "Propose an idea (until" in html
        assert f"/rounds/{theirs.id}/vote" not in html, url


def test_qpv_page_shows_its_moments(client, make_round, make_territory):
    place = make_territory(name="Bastide")
    round_ = make_round("results", territories=[place])
    html = client.get(f"/territories/{place.id}").get_data(as_text=True)
    assert 'id="moments"' in html
    assert f"/rounds/{round_.id}/results" in html


def test_round_page_has_the_button_of_its_phase(client, make_round):
    voting = make_round("vote")
    html = client.get(f"/rounds/{voting.id}").get_data(as_text=True)
    assert 'id="round-vote"' in html
    assert "Sign in to propose an idea" not in html
    published = make_round("results")
    html = client.get(f"/rounds/{published.id}").get_data(as_text=True)
    assert 'id="round-results"' in html
    assert 'id="round-vote"' not in html


def test_announced_round_folds_its_call_for_ideas(client, make_round):
    round_ = make_round("announcement", description="Proposez des idées !")
    html = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert 'id="round-presentation"' in html
    assert "The vote opens on" in html


def test_votes_page_lists_the_votes_to_come(client, make_round):
    coming = make_round("announcement")
    open_now = make_round("vote")
    html = client.get("/votes").get_data(as_text=True)
    upcoming = html.split('id="upcoming-votes"')[1].split("</ul>")[0]
    assert f"/rounds/{coming.id}" in upcoming
    assert f'/rounds/{open_now.id}"' not in upcoming


def test_signing_in_tells_a_voter_their_neighbourhood_votes(
    client, db, make_user, make_round, make_territory
):
    place = make_territory(name="Bastide")
    make_round("vote", territories=[place], title="Budget d'hiver")
    make_user(territory=place, email="voter@example.org", password="pw-long-1234")
    db.session.commit()
    response = client.post(
        "/signin",
        data={"identifier": "voter@example.org", "password": "pw-long-1234"},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "A vote is open in Bastide until" in html
    assert "Budget d&#39;hiver" in html
