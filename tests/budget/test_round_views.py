"""Round pages: public list and calendar, staff creation, envelopes, next round."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from participation.accounts.states import Role
from participation.budget.models import Round
from participation.budget.states import IdeaState


def test_public_list_shows_open_rounds_only(client, make_round):
    shown = make_round("submission", title="Campagne ouverte")
    hidden = make_round("submission", title="Campagne en préparation", published=False)

    page = client.get("/rounds").get_data(as_text=True)

    assert f"round-{shown.id}" in page
    assert f"round-{hidden.id}" not in page
    assert client.get(f"/rounds/{hidden.id}").status_code == 404


def test_staff_see_rounds_in_preparation(client, login_as, staff, make_round):
    hidden = make_round("submission", published=False)
    login_as(staff)

    assert client.get(f"/rounds/{hidden.id}").status_code == 200
    assert f"round-{hidden.id}" in client.get("/rounds").get_data(as_text=True)


def test_round_page_shows_calendar_current_phase_and_envelopes(
    client, make_round, make_territory
):
    territory = make_territory(name="La Conte \u2013 Ozanam")
    round_ = make_round("review", territories=[territory], amount=Decimal("12500"))

    page = client.get(f"/rounds/{round_.id}").get_data(as_text=True)

    assert page.count('aria-current="step"') == 1
    current = page.split('aria-current="step"')[0].rsplit("<li", 1)[1]
    assert 'data-phase="review"' in current
    assert "La Conte \u2013 Ozanam" in page
    assert "12" in page
    assert "500" in page


def _round_form(**overrides):
    values = {
        "title": "Budget participatif — 2e trimestre 2027",
        "submission_opens_at": "2027-04-01T09:00",
        "submission_closes_at": "2027-04-30T18:00",
        "review_closes_at": "2027-05-20T18:00",
        "announcement_at": "2027-05-25T12:00",
        "vote_opens_at": "2027-06-01T09:00",
        "vote_closes_at": "2027-06-15T18:00",
        "min_cost": "500",
        "max_cost": "20 000,00",
        "is_carry_over_enabled": "y",
        "grid_version_id": "",
    }
    values.update(overrides)
    return values


def test_staff_create_a_round_through_the_form(client, login_as, staff, make_theme):
    theme = make_theme()
    login_as(staff)

    response = client.post("/rounds/new", data=_round_form(theme_ids=[str(theme.id)]))

    assert response.status_code == 302
    round_ = (
        client.application.extensions["sqlalchemy"]
        .session.scalars(sa.select(Round))
        .one()
    )
    assert round_.max_cost == Decimal("20000.00")
    # 09:00 in Paris in April is 07:00 UTC.
    assert round_.submission_opens_at.hour == 7
    assert [t.id for t in round_.themes] == [theme.id]


def test_round_form_errors_are_shown_by_the_field(client, login_as, staff, db):
    login_as(staff)

    response = client.post(
        "/rounds/new",
        data=_round_form(vote_closes_at="2027-01-01T00:00", max_cost="abc"),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="vote_closes_at-error"' in page or 'id="max_cost-error"' in page
    assert 'id="max_cost-error"' in page
    assert 'value="Budget participatif — 2e trimestre 2027"' in page
    assert db.session.scalar(sa.select(sa.func.count(Round.id))) == 0


def test_residents_cannot_manage_rounds(client, login_as, resident, make_round, db):
    round_ = make_round("upcoming", published=False)
    login_as(resident)

    assert client.get("/rounds/new").status_code == 403
    assert client.post("/rounds/new", data=_round_form()).status_code == 403
    assert client.post(f"/rounds/{round_.id}/next").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Round.id))) == 1


def test_staff_set_envelopes_and_open_the_round(
    client, login_as, staff, make_round, make_territory, db
):
    t1 = make_territory()
    round_ = make_round("upcoming", territories=[], published=False)
    login_as(staff)

    response = client.post(
        f"/rounds/{round_.id}/envelopes", data={f"amount_{t1.id}": "7 500"}
    )
    assert response.status_code == 302
    response = client.post(f"/rounds/{round_.id}/publish")

    assert response.status_code == 302
    db.session.expire_all()
    round_ = db.session.get(Round, round_.id)
    assert round_.is_published
    assert [(e.territory_id, e.amount) for e in round_.envelopes] == [
        (t1.id, Decimal("7500.00"))
    ]


def test_negative_envelope_is_explained(client, login_as, staff, make_round):
    round_ = make_round("upcoming", published=False)
    territory_id = round_.envelopes[0].territory_id
    login_as(staff)

    response = client.post(
        f"/rounds/{round_.id}/envelopes", data={f"amount_{territory_id}": "-10"}
    )

    assert response.status_code == 200
    assert f'id="amount_{territory_id}-error"' in response.get_data(as_text=True)


def test_next_round_in_one_action_shows_the_carry_over_on_both(
    client, login_as, staff, make_round, make_idea, db
):
    previous = make_round("results")
    make_idea(previous, state=IdeaState.SELECTED, final_cost=Decimal("7000.00"))
    login_as(staff)

    first = client.post(f"/rounds/{previous.id}/next")
    second = client.post(f"/rounds/{previous.id}/next")

    assert first.status_code == second.status_code == 302
    rounds = db.session.scalars(sa.select(Round).order_by(Round.id)).all()
    assert len(rounds) == 2
    new = rounds[1]
    assert new.envelopes[0].carried_over_in == Decimal("3000.00")
    old_page = client.get(f"/rounds/{previous.id}").get_data(as_text=True)
    new_page = client.get(f"/rounds/{new.id}").get_data(as_text=True)
    for page in (old_page, new_page):
        assert "3,000.00" in page or "3 000,00" in page or "3\u202f000,00" in page


def test_announcement_lists_retained_and_refused_ideas(
    client, make_round, make_idea, make_user
):
    round_ = make_round("announcement")
    territory_id = round_.envelopes[0].territory_id
    retained = make_idea(
        round_,
        state=IdeaState.ELIGIBLE,
        title="Aire de jeux",
        final_cost=Decimal("8000"),
    )
    refused = make_idea(
        round_,
        state=IdeaState.INELIGIBLE,
        title="Parking privé",
        public_reason="Terrain privé : hors compétence de la ville.",
    )
    pending = make_idea(round_, state=IdeaState.WITHDRAWN, title="Idée retirée")

    page = client.get(f"/rounds/{round_.id}/announcement/{territory_id}").get_data(
        as_text=True
    )

    retained_part = page.split('id="retained"')[1].split("</ul>")[0]
    refused_part = page.split('id="not-retained"')[1].split("</ul>")[0]
    assert retained.title in retained_part
    assert (
        "8,000.00" in retained_part
        or "8 000,00" in retained_part
        or "8\u202f000,00" in retained_part
    )
    assert refused.title in refused_part
    assert "Terrain privé : hors compétence de la ville." in refused_part
    assert pending.title not in page


def test_announcement_waits_for_its_date(client, login_as, make_round, staff):
    round_ = make_round("review")
    url = f"/rounds/{round_.id}/announcement/{round_.envelopes[0].territory_id}"

    assert client.get(url).status_code == 404
    login_as(staff)
    assert client.get(url).status_code == 200  # staff preview


def test_reviewer_is_not_staff_for_rounds(client, login_as, make_user):
    login_as(make_user(roles=(Role.REVIEWER,)))

    assert client.get("/rounds/new").status_code == 403


def test_announcement_shows_failed_criteria_from_the_review(
    client, monkeypatch, make_round, make_idea
):
    from types import SimpleNamespace

    from participation.budget import queries

    round_ = make_round("announcement")
    refused = make_idea(round_, state=IdeaState.INELIGIBLE, public_reason="Hors champ.")
    criterion = SimpleNamespace(public_label="Dépense d'investissement")
    monkeypatch.setattr(
        queries, "failed_criteria", lambda ids: {refused.id: [criterion]}
    )
    url = f"/rounds/{round_.id}/announcement/{round_.envelopes[0].territory_id}"

    page = client.get(url).get_data(as_text=True)

    assert "Dépense d&#39;investissement" in page.split('id="not-retained"')[1]


def test_announcement_issues_the_same_queries_for_5_and_50_ideas(
    client, db, make_round, make_idea
):
    from sqlalchemy import event

    round_ = make_round("announcement")
    url = f"/rounds/{round_.id}/announcement/{round_.envelopes[0].territory_id}"

    def count() -> int:
        statements: list[str] = []

        def listener(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    def add(n: int) -> None:
        for i in range(n):
            state = IdeaState.ELIGIBLE if i % 2 else IdeaState.INELIGIBLE
            make_idea(round_, state=state, public_reason="Raison.")

    add(5)
    with_5 = count()
    add(45)

    assert count() == with_5


@pytest.mark.french
def test_staff_give_the_rules_in_other_languages_and_readers_get_theirs(
    client, login_as, staff
):
    login_as(staff)
    client.post(
        "/rounds/new",
        data=_round_form(
            rules_text="Un projet d'intérêt général.",
            rules_text_ar="  مشروع للمصلحة العامة.  ",
            description_en="   ",
        ),
    )
    round_ = (
        client.application.extensions["sqlalchemy"]
        .session.scalars(sa.select(Round))
        .one()
    )
    # Trimmed; an empty text is no translation.
    assert round_.texts_by_language == {"ar": {"rules_text": "مشروع للمصلحة العامة."}}
    edit = client.get(f"/rounds/{round_.id}/edit").get_data(as_text=True)
    assert "مشروع للمصلحة العامة.</textarea>" in edit

    def rules(language: str) -> str:
        with client.session_transaction() as session:
            session["lang"] = language
        page = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
        start = page.index('id="round-rules"')
        return page[start : page.index("</div>", start)]

    assert '<p dir="auto">مشروع للمصلحة العامة.</p>' in rules("ar")
    # No English rules: the French ones, marked as French.
    assert '<p lang="fr" dir="auto">Un projet d&#39;intérêt général.</p>' in rules("en")


def test_rules_in_arabic_without_the_french_rules_are_refused_and_kept(
    client, login_as, staff
):
    login_as(staff)
    page = client.post(
        "/rounds/new",
        data=_round_form(rules_text="", rules_text_ar="مشروع للمصلحة العامة."),
    )

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'id="rules_text-error"' in text
    assert "Write this text in French too" in text
    assert "مشروع للمصلحة العامة.</textarea>" in text
    assert 'value="Budget participatif — 2e trimestre 2027"' in text
    assert 'id="round-other-languages" open' in text
    session = client.application.extensions["sqlalchemy"].session
    assert session.scalar(sa.select(sa.func.count(Round.id))) == 0
