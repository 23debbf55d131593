"""An idea's page read as rows (``queries.load_idea_page``): what it shows, in order,
and a number of statements that does not grow with the idea's lists."""

from __future__ import annotations

from datetime import timedelta

from core.querycount import count_queries

from participation.budget.models import IdeaCoAuthor, IdeaStateChange
from participation.budget.states import IdeaAction, IdeaState
from participation.core.time import utcnow


def _idea_with_lists(db, make_round, make_idea, make_theme, make_user, *, extra=0):
    """An ineligible idea with two themes, co-authors (one only invited), two
    merged ideas and three steps of history (+ *extra* of each list)."""
    suffix = f"_{extra}" if extra else ""
    # An unrenamed default theme (its label is translated) and a custom one.
    health = make_theme(code="health" if not extra else "sport", name="Santé (base)")
    custom = make_theme(code=f"jardins{suffix}", name="Jardins partagés", position=1)
    health.position = 2
    round_ = make_round("review", themes=[health, custom])
    idea = make_idea(round_, state=IdeaState.INELIGIBLE, themes=[health, custom])
    now = utcnow()
    accepted = [make_user(pseudonym=f"coautrice{suffix}{n}") for n in range(1 + extra)]
    invited = make_user(pseudonym=f"invitee{suffix}")
    for person in accepted:
        db.session.add(IdeaCoAuthor(idea=idea, user=person, accepted_at=now))
    db.session.add(IdeaCoAuthor(idea=idea, user=invited))
    merged = [
        make_idea(
            round_, state=IdeaState.MERGED, merged_into=idea, title=f"Doublon {n}"
        )
        for n in range(2 + extra)
    ]
    steps = [
        (IdeaState.DRAFT, IdeaState.SUBMITTED, IdeaAction.SUBMIT, None),
        (IdeaState.SUBMITTED, IdeaState.IN_REVIEW, IdeaAction.START_REVIEW, None),
        (
            IdeaState.IN_REVIEW,
            IdeaState.INELIGIBLE,
            IdeaAction.DECLARE_INELIGIBLE,
            "Terrain privé du bailleur.",
        ),
    ] + [
        (
            IdeaState.INELIGIBLE,
            IdeaState.INELIGIBLE,
            IdeaAction.DECLARE_INELIGIBLE,
            None,
        )
    ] * extra
    for n, (before, after, action, comment) in enumerate(steps):
        db.session.add(
            IdeaStateChange(
                idea=idea,
                from_state=before,
                to_state=after,
                action=action,
                comment=comment,
                changed_at=now - timedelta(days=10 - n),
            )
        )
    db.session.commit()
    return idea, merged


def test_the_page_shows_the_lists_it_read_as_rows(
    client, db, make_round, make_idea, make_theme, make_user
):
    idea, merged = _idea_with_lists(db, make_round, make_idea, make_theme, make_user)

    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)

    # Themes in their order, an unrenamed default one by its translated label.
    assert "<dd>Jardins partagés, Health</dd>" in page
    authors = page.split('id="idea-authors"')[1].split("</dd>")[0]
    assert f"{idea.author.pseudonym}, coautrice0" in authors
    assert "invitee" not in authors  # invited, not yet accepted: not named
    listed = page.split('id="merged-ideas"')[1].split("</ul>")[0]
    assert listed.index("Doublon 0") < listed.index("Doublon 1")
    assert f'href="/ideas/{merged[1].id}"' in listed
    history = page.split('id="idea-history"')[1].split("</ol>")[0]
    assert history.count("<li>") == 3
    assert history.index("Submitted") < history.index("Ineligible")
    # The reason of the current state comes from the history's last comment.
    reason = page.split('id="public-reason"')[1].split("</p>")[0]
    assert "Terrain privé du bailleur." in reason


def test_the_page_reads_the_same_number_of_statements_however_long_its_lists(
    client, db, make_round, make_idea, make_theme, make_user
):
    short, _ = _idea_with_lists(db, make_round, make_idea, make_theme, make_user)
    long, _ = _idea_with_lists(
        db, make_round, make_idea, make_theme, make_user, extra=4
    )
    client.application.config["PAGE_CACHE_ENABLED"] = False  # count the rendering
    short_url, long_url = f"/ideas/{short.id}", f"/ideas/{long.id}"
    client.get(short_url)  # first request of the app: startup reads

    with count_queries(db) as for_short:
        assert client.get(short_url).status_code == 200
    with count_queries(db) as for_long:
        page = client.get(long_url).get_data(as_text=True)

    assert page.count("coautrice_4") == 5
    assert len(for_long) == len(for_short)


def test_an_unknown_idea_is_not_found(client, db):
    assert client.get("/ideas/999999").status_code == 404
