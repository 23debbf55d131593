"""Review pages: who may see and do what, bad input by the field, query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from core.querycount import count_queries
from flask import render_template_string

from participation.budget.states import IdeaState
from participation.eligibility.models import Assessment
from participation.eligibility.states import Check
from participation.review import services
from participation.review.models import IdeaReview
from participation.review.services import ReviewData

from .conftest import count_rows, passing_answers


def form_answers(**overrides):
    """The POST body of a complete review form."""
    data = {
        f"criterion_{code}": (value.value if isinstance(value, Check) else str(value))
        for code, value in passing_answers(**overrides).items()
        if value is not None
    }
    data.update(
        cost_estimate="12 500,00",
        feasibility_note="Faisable.",
        land_owner="Ville",
        land_maintainer="Espaces verts",
        public_justification="Utile à tous.",
        hand_in="1",
    )
    return data


@pytest.fixture
def assigned(db, review_round, make_idea, started, staff, reviewer):
    idea = make_idea(review_round, title="Jardin partagé")
    started()
    review = services.assign(idea, reviewer, staff)
    db.session.commit()
    return review


def hand_in(review, reviewer, db, **overrides):
    data = ReviewData(
        answers=passing_answers(**overrides),
        cost_estimate=Decimal("12000"),
        public_justification="Utile.",
    )
    services.save_review(review, data, reviewer, submit=True)
    db.session.commit()


# --- reviewer pages ---------------------------------------------------------


def test_reviewer_sees_only_their_assignments(
    db, client, login_as, assigned, review_round, make_idea, staff, other_reviewer
):
    other = make_idea(review_round, title="Fresque du city stade")
    services.assign(other, other_reviewer, staff)
    db.session.commit()

    page = login_as(assigned.reviewer).get("/review/")

    assert page.status_code == 200
    assert b"Jardin partag" in page.data
    assert b"Fresque du city stade" not in page.data


def test_review_form_renders_the_round_grid(client, login_as, assigned):
    page = login_as(assigned.reviewer).get(f"/review/ideas/{assigned.idea_id}/form")

    assert page.status_code == 200
    assert b'name="criterion_in_qpv"' in page.data
    assert b'name="criterion_social_link"' in page.data
    assert b'name="criterion_links"' in page.data


def test_reviewing_an_idea_not_assigned_to_you_is_refused_and_changes_nothing(
    db, client, login_as, assigned, other_reviewer
):
    login_as(other_reviewer)

    get = client.get(f"/review/ideas/{assigned.idea_id}/form")
    post = client.post(f"/review/ideas/{assigned.idea_id}/form", data=form_answers())
    detail = client.get(f"/review/ideas/{assigned.idea_id}")

    assert (get.status_code, post.status_code, detail.status_code) == (403, 403, 403)
    db.session.expire_all()
    assert db.session.get(IdeaReview, assigned.id).submitted_at is None
    assert count_rows(db, Assessment) == 0


def test_residents_cannot_open_review_pages(client, login_as, make_user, assigned):
    login_as(make_user())

    assert client.get("/review/").status_code == 403
    assert client.get(f"/review/ideas/{assigned.idea_id}/form").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, assigned):
    page = client.get("/review/")

    assert page.status_code == 302
    assert "/signin" in page.headers["Location"]


def test_handing_in_a_complete_review(db, client, login_as, assigned):
    page = login_as(assigned.reviewer).post(
        f"/review/ideas/{assigned.idea_id}/form", data=form_answers()
    )

    assert page.status_code == 302
    db.session.expire_all()
    review = db.session.get(IdeaReview, assigned.id)
    assert review.is_done
    assert review.cost_estimate == Decimal("12500.00")
    assert review.assessment.answer_values()["social_link"] == 3


def test_missing_answers_are_shown_next_to_their_fields_and_typed_text_is_kept(
    db, client, login_as, assigned
):
    data = form_answers(investment=None, inclusion=None)

    page = login_as(assigned.reviewer).post(
        f"/review/ideas/{assigned.idea_id}/form", data=data
    )

    assert page.status_code == 200
    assert b'id="criterion_investment-error"' in page.data
    assert b'id="criterion_inclusion-error"' in page.data
    assert b'id="criterion_in_qpv-error"' not in page.data
    assert b"Faisable." in page.data
    db.session.expire_all()
    assert db.session.get(IdeaReview, assigned.id).submitted_at is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cost_estimate", "douze mille"),
        ("cost_estimate", "-5"),
        ("criterion_social_link", "7"),
        ("criterion_in_qpv", "maybe"),
    ],
)
def test_bad_values_are_refused_by_the_field(
    db, client, login_as, assigned, field, value
):
    data = form_answers()
    data[field] = value

    page = login_as(assigned.reviewer).post(
        f"/review/ideas/{assigned.idea_id}/form", data=data
    )

    assert page.status_code == 200
    assert f'id="{field}-error"'.encode() in page.data
    assert count_rows(db, Assessment) == 0


def test_saving_a_draft_keeps_it_pending(db, client, login_as, assigned):
    data = {"criterion_in_qpv": "pass", "save": "1", "cost_estimate": ""}

    page = login_as(assigned.reviewer).post(
        f"/review/ideas/{assigned.idea_id}/form", data=data
    )

    assert page.status_code == 302
    db.session.expire_all()
    review = db.session.get(IdeaReview, assigned.id)
    assert review.submitted_at is None
    assert review.assessment.answer_values() == {"in_qpv": Check.PASS}


# --- staff decisions --------------------------------------------------------


def test_deciding_without_the_staff_role_is_refused_and_changes_nothing(
    db, client, login_as, assigned, make_user
):
    hand_in(assigned, assigned.reviewer, db)
    for person in (assigned.reviewer, make_user()):
        login_as(person)
        for decision, data in [
            ("retain", {"retain-final_cost": "12000"}),
            ("ineligible", {"ineligible-comment": "Non"}),
            ("transfer", {"transfer-transfer_service": "voirie"}),
        ]:
            page = client.post(
                f"/review/ideas/{assigned.idea_id}/decide/{decision}", data=data
            )
            assert page.status_code == 403

    db.session.expire_all()
    assert db.session.get(IdeaReview, assigned.id).idea.state is IdeaState.IN_REVIEW


def test_decision_cost_out_of_bounds_is_shown_by_the_field(
    db, client, login_as, assigned, staff
):
    hand_in(assigned, assigned.reviewer, db)

    page = login_as(staff).post(
        f"/review/ideas/{assigned.idea_id}/decide/retain",
        data={"retain-final_cost": "45 000"},
    )

    assert page.status_code == 200
    assert b'id="retain-final_cost-error"' in page.data
    assert b'value="45 000"' in page.data
    db.session.expire_all()
    idea = db.session.get(IdeaReview, assigned.id).idea
    assert idea.state is IdeaState.IN_REVIEW
    assert idea.final_cost is None


def test_staff_retain_an_idea(db, client, login_as, assigned, staff):
    hand_in(assigned, assigned.reviewer, db)

    page = login_as(staff).post(
        f"/review/ideas/{assigned.idea_id}/decide/retain",
        data={"retain-final_cost": "12 000,50"},
    )

    assert page.status_code == 302
    db.session.expire_all()
    idea = db.session.get(IdeaReview, assigned.id).idea
    assert idea.state is IdeaState.ELIGIBLE
    assert idea.final_cost == Decimal("12000.50")


def test_ineligible_idea_page_shows_the_failed_criteria(
    app, db, client, login_as, assigned, staff
):
    hand_in(assigned, assigned.reviewer, db, investment=Check.FAIL)
    login_as(staff).post(
        f"/review/ideas/{assigned.idea_id}/decide/ineligible",
        data={"ineligible-comment": "Ce n'est pas un investissement."},
    )
    db.session.expire_all()
    idea = db.session.get(IdeaReview, assigned.id).idea

    with app.test_request_context("/"):
        html = render_template_string(
            '{% include "review/_public_outcome.html" %}', idea=idea
        )

    assert idea.state is IdeaState.INELIGIBLE
    assert "It is an investment" in html


def test_transfer_then_update_the_follow_up(db, client, login_as, assigned, staff):
    login_as(staff)

    missing = client.post(
        f"/review/ideas/{assigned.idea_id}/decide/transfer",
        data={"transfer-transfer_service": "other"},
    )
    done = client.post(
        f"/review/ideas/{assigned.idea_id}/decide/transfer",
        data={"transfer-transfer_service": "bailleur"},
    )
    follow = client.post(
        f"/review/ideas/{assigned.idea_id}/transfer-status",
        data={"status-action": "complete", "status-comment": "Halls repeints."},
    )

    assert missing.status_code == 200
    assert b'id="transfer-other_service-error"' in missing.data
    assert done.status_code == follow.status_code == 302
    db.session.expire_all()
    idea = db.session.get(IdeaReview, assigned.id).idea
    assert idea.transfer_service == "Bailleur social"
    assert idea.transfer_status.value == "done"
    public = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    history = public.split('id="transfer-history"')[1].split("</ol>")[0]
    assert "Sent to the service" in history
    assert "Done</strong>: Halls repeints." in history


def test_follow_up_offers_only_what_the_table_allows(
    db, client, login_as, assigned, staff
):
    login_as(staff)
    url = f"/review/ideas/{assigned.idea_id}/transfer-status"
    client.post(
        f"/review/ideas/{assigned.idea_id}/decide/transfer",
        data={"transfer-transfer_service": "voirie"},
    )

    forged = client.post(url, data={"status-action": "send"})
    declined = client.post(url, data={"status-action": "decline"})
    after_the_end = client.post(url, data={"status-action": "complete"})
    page = client.get(f"/review/ideas/{assigned.idea_id}").get_data(as_text=True)

    assert forged.status_code == 200
    assert b'id="status-action-error"' in forged.data
    assert declined.status_code == 302
    assert after_the_end.status_code == 200
    db.session.expire_all()
    idea = db.session.get(IdeaReview, assigned.id).idea
    assert idea.transfer_status.value == "declined"
    assert [c.action.value for c in idea.transfer_history] == ["send", "decline"]
    assert "The follow-up is finished." in page


def test_staff_idea_page_shows_the_review_and_the_decisions(
    db, client, login_as, assigned, staff
):
    hand_in(assigned, assigned.reviewer, db)

    page = login_as(staff).get(f"/review/ideas/{assigned.idea_id}")

    assert page.status_code == 200
    assert b"/decide/retain" in page.data
    assert b"/decide/ineligible" in page.data


def _ineligible_box(html: str) -> str:
    return html.split('id="ineligible-comment"')[1].split("</textarea>")[0]


def test_a_favourable_review_does_not_prefill_the_ineligibility_box(
    db, client, login_as, assigned, staff
):
    hand_in(assigned, assigned.reviewer, db)  # every criterion met: "Utile."

    html = login_as(staff).get(f"/review/ideas/{assigned.idea_id}").get_data(True)

    assert "Utile." not in _ineligible_box(html)


def test_an_unfavourable_review_prefills_the_ineligibility_box(
    db, client, login_as, assigned, staff
):
    hand_in(assigned, assigned.reviewer, db, in_qpv=Check.FAIL)

    html = login_as(staff).get(f"/review/ideas/{assigned.idea_id}").get_data(True)

    assert "Utile." in _ineligible_box(html)


def test_assigned_reviewer_reads_the_idea_page_without_decision_buttons(
    db, client, login_as, assigned
):
    page = login_as(assigned.reviewer).get(f"/review/ideas/{assigned.idea_id}")

    assert page.status_code == 200
    assert b"/decide/" not in page.data


# --- staff: start, assignments, overview -----------------------------------


def test_staff_start_the_review_and_assign_by_hand(
    db, client, login_as, review_round, make_idea, staff, reviewer
):
    idea = make_idea(review_round)
    db.session.commit()
    login_as(staff)

    start = client.post(f"/review/rounds/{review_round.id}/start")
    save = client.post(
        f"/review/rounds/{review_round.id}/assignments",
        data={f"idea_{idea.id}": str(reviewer.id)},
    )

    assert start.status_code == save.status_code == 302
    db.session.expire_all()
    review = db.session.scalar(sa.select(IdeaReview))
    assert review.idea_id == idea.id
    assert review.reviewer_id == reviewer.id


def test_assigning_to_someone_who_is_not_a_reviewer_is_shown_by_the_row(
    db, client, login_as, review_round, make_idea, started, staff, make_user
):
    idea = make_idea(review_round)
    started()
    resident = make_user()
    db.session.commit()

    page = login_as(staff).post(
        f"/review/rounds/{review_round.id}/assignments",
        data={f"idea_{idea.id}": str(resident.id)},
    )

    assert page.status_code == 200
    assert f'id="idea_{idea.id}-error"'.encode() in page.data
    assert count_rows(db, IdeaReview) == 0


def test_staff_assign_by_theme_through_the_pages(
    db, client, login_as, review_round, make_idea, make_theme, started, staff, reviewer
):
    theme = make_theme()
    idea = make_idea(review_round, themes=[theme])
    started()
    db.session.commit()
    login_as(staff)

    client.post(
        f"/review/rounds/{review_round.id}/rules",
        data={"theme_id": str(theme.id), "reviewer_id": str(reviewer.id)},
    )
    page = client.post(f"/review/rounds/{review_round.id}/rules/apply")

    assert page.status_code == 302
    review = db.session.scalar(sa.select(IdeaReview))
    assert (review.idea_id, review.reviewer_id) == (idea.id, reviewer.id)


def test_reviewers_cannot_open_staff_pages(client, login_as, assigned, review_round):
    login_as(assigned.reviewer)

    for url in (
        "/review/rounds",
        f"/review/rounds/{review_round.id}",
        f"/review/rounds/{review_round.id}/assignments",
    ):
        assert client.get(url).status_code == 403
    assert client.post(f"/review/rounds/{review_round.id}/start").status_code == 403


def _fill_round(db, review_round, make_idea, territories, staff, reviewers, n):
    for i in range(n):
        idea = make_idea(review_round, territory=territories[i % 2])
        services.start_review(review_round, staff)
        review = services.assign(idea, reviewers[i % 2], staff)
        if i % 3 == 0:
            services.save_review(
                review,
                ReviewData(
                    answers=passing_answers(),
                    cost_estimate=Decimal("5000"),
                    public_justification="Oui.",
                ),
                reviewers[i % 2],
                submit=True,
            )
            services.retain(idea, staff, final_cost=Decimal("5000"))
    db.session.commit()


@pytest.mark.parametrize(
    "url", ["/review/rounds/{id}", "/review/rounds/{id}/assignments"]
)
def test_staff_pages_run_the_same_number_of_queries_for_few_or_many_ideas(
    db,
    client,
    login_as,
    review_round,
    make_idea,
    territories,
    staff,
    reviewer,
    other_reviewer,
    url,
):
    reviewers = [reviewer, other_reviewer]
    login_as(staff)
    _fill_round(db, review_round, make_idea, territories, staff, reviewers, 3)
    # Warm-up: sends the notifications queued by the set-up, loads the session.
    client.get(url.format(id=review_round.id))
    with count_queries(db) as few:
        assert client.get(url.format(id=review_round.id)).status_code == 200

    _fill_round(db, review_round, make_idea, territories, staff, reviewers, 15)
    client.get(url.format(id=review_round.id))  # the same warm-up (sends the outbox)
    with count_queries(db) as many:
        page = client.get(url.format(id=review_round.id))

    assert page.status_code == 200
    assert len(many) == len(few)


def test_overview_sums_retained_costs_against_each_envelope(
    db,
    client,
    login_as,
    review_round,
    make_idea,
    territories,
    staff,
    reviewer,
    other_reviewer,
):
    _fill_round(
        db, review_round, make_idea, territories, staff, [reviewer, other_reviewer], 6
    )

    from participation.review import queries

    overview = queries.overview(review_round)

    # Ideas 0 and 3 are retained at 5,000 €: idea 0 in the first QPV, 3 in the second.
    by_territory = {use.envelope.territory_id: use for use in overview.envelopes}
    assert by_territory[territories[0].id].retained_cost == Decimal("5000.00")
    assert by_territory[territories[1].id].retained_cost == Decimal("5000.00")
    assert by_territory[territories[0].id].remaining == Decimal("35000.00")
    assert overview.count(territories[0].id, IdeaState.ELIGIBLE) == 1
    assert overview.count(territories[0].id, IdeaState.IN_REVIEW) == 2
    loads = {load.reviewer.id: load for load in overview.reviewer_loads}
    # Even ideas go to the first reviewer, odd ones to the other; 0 and 3 are done.
    assert (loads[reviewer.id].done, loads[reviewer.id].pending) == (1, 2)
    assert (loads[other_reviewer.id].done, loads[other_reviewer.id].pending) == (1, 2)
    assert overview.unassigned == 0
