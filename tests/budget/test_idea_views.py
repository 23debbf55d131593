"""Idea pages: submit, drafts, bad input, rights, photos, relays, moderation, list."""

from __future__ import annotations

import io
import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from participation.accounts.states import Role
from participation.budget.models import Idea
from participation.budget.states import IdeaState
from participation.core.models import OutboxMessage
from participation.core.uploads import uploads_root

from .conftest import jpeg_bytes


def _form(round_, **overrides):
    values = {
        "token": "tok-" + "x" * 20,
        "title": "Des bancs à l'ombre place Saint-Jacques",
        "description": "Installer quatre bancs et planter deux arbres pour l'ombre.",
        "territory_id": str(round_.envelopes[0].territory_id),
        "place": "Place Saint-Jacques",
        "theme_ids": [str(round_.themes[0].id)],
        "estimated_cost": "4 500",
        "accepted_rules": "y",
        "submit": "Submit the idea",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def _ideas(db):
    db.session.expire_all()
    return db.session.scalars(sa.select(Idea).order_by(Idea.id)).all()


def test_resident_submits_an_idea(client, login_as, resident, make_round, db):
    round_ = make_round("submission")
    login_as(resident)

    response = client.post(f"/rounds/{round_.id}/ideas/new", data=_form(round_))

    [idea] = _ideas(db)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/ideas/{idea.id}")
    assert idea.state is IdeaState.SUBMITTED
    assert idea.author_id == resident.id
    assert idea.estimated_cost == Decimal("4500.00")
    assert idea.accepted_rules_at is not None
    assert [t.id for t in idea.themes] == [round_.themes[0].id]
    assert [c.to_state for c in idea.history] == [IdeaState.SUBMITTED]
    assert db.session.scalar(sa.select(OutboxMessage.to_address)) == resident.email


def test_draft_is_saved_then_submitted(client, login_as, resident, make_round, db):
    round_ = make_round("submission")
    login_as(resident)

    client.post(
        f"/rounds/{round_.id}/ideas/new",
        data=_form(
            round_, submit=None, save_draft="Save", territory_id="", accepted_rules=None
        ),
    )
    [draft] = _ideas(db)
    assert draft.state is IdeaState.DRAFT
    assert client.get(f"/ideas/{draft.id}").status_code == 200
    client.get("/")  # a visitor-free check below uses a fresh client

    response = client.post(f"/ideas/{draft.id}/edit", data=_form(round_, token=None))

    assert response.status_code == 302
    [idea] = _ideas(db)
    assert idea.state is IdeaState.SUBMITTED


def test_draft_is_private(app, client, login_as, resident, make_round, make_idea):
    idea = make_idea(make_round("submission"), state=IdeaState.DRAFT, submitted_at=None)

    assert client.get(f"/ideas/{idea.id}").status_code == 404
    login_as(idea.author)
    assert client.get(f"/ideas/{idea.id}").status_code == 200


def test_double_submission_creates_one_idea(client, login_as, resident, make_round, db):
    round_ = make_round("submission")
    login_as(resident)

    first = client.post(f"/rounds/{round_.id}/ideas/new", data=_form(round_))
    second = client.post(f"/rounds/{round_.id}/ideas/new", data=_form(round_))

    assert len(_ideas(db)) == 1
    assert first.headers["Location"] == second.headers["Location"]


@pytest.mark.parametrize(
    ("overrides", "field", "phase"),
    [
        ({}, None, "review"),  # after the deadline
        ({"estimated_cost": "-10"}, "estimated_cost", "submission"),
        ({"estimated_cost": "25000"}, "estimated_cost", "submission"),
        ({"estimated_cost": "beaucoup"}, "estimated_cost", "submission"),
        ({"territory_id": ""}, "territory_id", "submission"),
        ({"accepted_rules": None}, "accepted_rules", "submission"),
        ({"latitude": "43.21"}, "latitude", "submission"),
        ({"title": ""}, "title", "submission"),
        ({"co_authors": "personne_inconnue"}, "co_authors", "submission"),
    ],
    ids=[
        "deadline",
        "negative-cost",
        "cost-above-max",
        "cost-not-a-number",
        "missing-qpv",
        "rules-not-accepted",
        "half-a-point",
        "no-title",
        "unknown-co-author",
    ],
)
def test_bad_input_is_explained_and_everything_typed_is_kept(
    overrides, field, phase, client, login_as, resident, make_round, db
):
    round_ = make_round(phase)
    login_as(resident)
    data = _form(round_, **overrides)

    response = client.post(f"/rounds/{round_.id}/ideas/new", data=data)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="error-summary"' in page
    if field:
        assert f'id="{field}-error"' in page
    if data.get("title"):
        assert 'value="Des bancs à l&#39;ombre place Saint-Jacques"' in page
    assert "Installer quatre bancs et planter deux arbres" in page
    assert 'value="Place Saint-Jacques"' in page
    assert _ideas(db) == []


def test_editing_a_draft_with_bad_input_keeps_the_draft(
    client, login_as, make_round, make_idea, db
):
    idea = make_idea(make_round("submission"), state=IdeaState.DRAFT, submitted_at=None)
    login_as(idea.author)

    response = client.post(
        f"/ideas/{idea.id}/edit",
        data=_form(idea.round, estimated_cost="-5", title="Nouveau titre"),
    )

    assert response.status_code == 200
    assert 'id="estimated_cost-error"' in response.get_data(as_text=True)
    assert 'value="Nouveau titre"' in response.get_data(as_text=True)
    [stored] = _ideas(db)
    assert (stored.state, stored.title) == (IdeaState.DRAFT, idea.title)


def test_html_in_the_description_is_shown_as_text(
    client, login_as, resident, make_round, db
):
    round_ = make_round("submission")
    login_as(resident)
    hostile = '<script>alert("x")</script><b>gras</b>'

    client.post(
        f"/rounds/{round_.id}/ideas/new", data=_form(round_, description=hostile)
    )
    [idea] = _ideas(db)
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)

    assert idea.description == hostile
    assert "<script>alert" not in page
    assert (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;gras&lt;/b&gt;" in page
    )


def test_editing_someone_elses_idea_is_forbidden(
    client, login_as, make_user, make_round, make_idea, db
):
    idea = make_idea(make_round("submission"))
    login_as(make_user())

    assert client.get(f"/ideas/{idea.id}/edit").status_code == 403
    response = client.post(
        f"/ideas/{idea.id}/edit", data=_form(idea.round, title="Piraté")
    )
    withdraw = client.post(f"/ideas/{idea.id}/withdraw")

    assert response.status_code == 403
    assert withdraw.status_code == 403
    [stored] = _ideas(db)
    assert (stored.title, stored.state) == (idea.title, IdeaState.SUBMITTED)


def test_author_edits_until_the_deadline_only(
    client, login_as, make_round, make_idea, db
):
    idea = make_idea(make_round("review"))
    login_as(idea.author)

    response = client.post(
        f"/ideas/{idea.id}/edit", data=_form(idea.round, title="Trop tard")
    )

    assert response.status_code == 200
    assert 'id="error-summary"' in response.get_data(as_text=True)
    assert _ideas(db)[0].title == idea.title


def test_author_withdraws_until_review_starts(
    client, login_as, make_round, make_idea, db
):
    round_ = make_round("submission")
    idea = make_idea(round_)
    in_review = make_idea(round_, state=IdeaState.IN_REVIEW, author=idea.author)
    login_as(idea.author)

    client.post(f"/ideas/{idea.id}/withdraw")
    refused = client.post(f"/ideas/{in_review.id}/withdraw")

    assert refused.status_code == 302
    states = {i.id: i.state for i in _ideas(db)}
    assert states[idea.id] is IdeaState.WITHDRAWN
    assert states[in_review.id] is IdeaState.IN_REVIEW


# --- photos -------------------------------------------------------------------


def test_photo_is_cleaned_of_its_gps_position_and_served(
    app, client, login_as, resident, make_round, db
):
    round_ = make_round("submission")
    login_as(resident)
    original = jpeg_bytes((2400, 1200), exif_gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)

    data = _form(
        round_, photo=(io.BytesIO(original), "banc.jpg"), photo_alt="Le banc cassé"
    )
    client.post(
        f"/rounds/{round_.id}/ideas/new", data=data, content_type="multipart/form-data"
    )

    [idea] = _ideas(db)
    stored = uploads_root() / "ideas" / idea.photo_name
    with Image.open(stored) as image:
        assert image.format == "JPEG"
        assert max(image.size) == 1600
        assert not image.getexif()
        assert "exif" not in image.info
    assert idea.photo_alt == "Le banc cassé"
    with client.get(f"/ideas/{idea.id}/photo") as served:
        assert served.status_code == 200
        assert served.data == stored.read_bytes()
    assert idea.photo_name.endswith(".jpg")
    assert "banc" not in idea.photo_name


def test_draft_photo_is_private(app, client, login_as, make_round, make_idea):
    from participation.core.uploads import store_image

    name = store_image(jpeg_bytes(), "ideas").name
    idea = make_idea(
        make_round("submission"),
        state=IdeaState.DRAFT,
        submitted_at=None,
        photo_name=name,
    )

    assert client.get(f"/ideas/{idea.id}/photo").status_code == 404
    login_as(idea.author)
    with client.get(f"/ideas/{idea.id}/photo") as response:
        assert response.status_code == 200
        assert "no-store" in response.headers["Cache-Control"]


def test_text_file_renamed_jpg_is_refused_by_the_field(
    client, login_as, resident, make_round, db
):
    round_ = make_round("submission")
    login_as(resident)
    data = _form(
        round_, photo=(io.BytesIO(b"just some text, not a picture\n"), "photo.jpg")
    )

    response = client.post(
        f"/rounds/{round_.id}/ideas/new", data=data, content_type="multipart/form-data"
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="photo-error"' in page
    assert "JPEG" in page.split('id="photo-error"')[1].split("</p>")[0]
    assert 'value="Place Saint-Jacques"' in page
    assert _ideas(db) == []


def _post_photo(client, round_, size: int):
    photo = b"\xff\xd8\xff\xe0" + b"\0" * size
    fields = MultiDict(_form(round_))
    fields.add("photo", FileStorage(io.BytesIO(photo), filename="grande.jpg"))
    # Encoded in memory: the test client's own on-disk body would never be closed.
    boundary, body = encode_multipart(fields)
    return client.post(
        f"/rounds/{round_.id}/ideas/new",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_a_9_mb_photo_gets_a_message_not_a_413_page(
    client, login_as, resident, make_round, db
):
    round_ = make_round("submission")
    login_as(resident)

    response = _post_photo(client, round_, 9 * 1024 * 1024)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="photo-error"' in page
    assert "8" in page.split('id="photo-error"')[1].split("</p>")[0]
    assert "Installer quatre bancs" in page
    assert _ideas(db) == []


def test_a_30_mb_body_is_refused_with_the_limit(
    client, login_as, resident, make_round, db
):
    round_ = make_round("submission")
    login_as(resident)

    response = _post_photo(client, round_, 30 * 1024 * 1024)

    assert response.status_code == 413
    assert "10 MB" in response.get_data(as_text=True)
    assert _ideas(db) == []


# --- relays -------------------------------------------------------------------


def test_relay_enters_an_idea_for_a_managed_account(
    client, login_as, make_user, make_round, db
):
    round_ = make_round("submission")
    relay = make_user(roles=(Role.RELAY,), pseudonym="relais_conte")
    person = make_user(email=None, pseudonym="mme_b", managed_by_id=relay.id)
    login_as(relay)

    found = client.get(f"/rounds/{round_.id}/ideas/for-someone").get_data(as_text=True)
    assert "mme_b" in found  # their managed accounts are offered first
    assert "mme_b" in client.get(
        f"/rounds/{round_.id}/ideas/for-someone?q=mme"
    ).get_data(as_text=True)
    response = client.post(
        f"/rounds/{round_.id}/ideas/new?for={person.id}",
        data=_form(
            round_, consent="y", consent_note="Lu à voix haute au centre social."
        ),
    )

    assert response.status_code == 302
    [idea] = _ideas(db)
    assert idea.author_id == person.id
    assert idea.submitted_on_behalf_by_id == relay.id
    assert idea.consent_recorded_at is not None
    assert idea.consent_note == "Lu à voix haute au centre social."
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0
    mine = client.get("/my/ideas").get_data(as_text=True)
    assert 'id="entered-ideas"' in mine
    assert idea.title.replace("'", "&#39;") in mine


def test_relay_must_record_consent(client, login_as, make_user, make_round, db):
    round_ = make_round("submission")
    relay = make_user(roles=(Role.RELAY,))
    person = make_user(email=None, managed_by_id=relay.id)
    login_as(relay)

    response = client.post(
        f"/rounds/{round_.id}/ideas/new?for={person.id}", data=_form(round_)
    )

    assert response.status_code == 200
    assert 'id="consent-error"' in response.get_data(as_text=True)
    assert _ideas(db) == []


def test_resident_cannot_enter_an_idea_for_someone_else(
    client, login_as, resident, make_user, make_round, db
):
    round_ = make_round("submission")
    other = make_user()
    login_as(resident)

    response = client.post(
        f"/rounds/{round_.id}/ideas/new?for={other.id}", data=_form(round_, consent="y")
    )

    assert response.status_code == 403
    assert client.get(f"/rounds/{round_.id}/ideas/for-someone").status_code == 403
    assert _ideas(db) == []


# --- moderation ---------------------------------------------------------------


def test_staff_hide_an_idea_with_a_public_reason(
    client, login_as, staff, make_round, make_idea, db
):
    idea = make_idea(
        make_round("review"), description="Texte injurieux envers un voisin."
    )
    login_as(staff)

    response = client.post(
        f"/ideas/{idea.id}/hide", data={"comment": "Propos injurieux."}
    )

    assert response.status_code == 302
    client.get("/")
    with client.session_transaction() as session:
        session.clear()
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    listing = client.get("/ideas").get_data(as_text=True)
    assert "Propos injurieux." in page
    assert "Texte injurieux" not in page
    assert f'id="idea-{idea.id}"' in listing
    assert "Propos injurieux." in listing
    assert idea.title not in listing


def test_hiding_without_staff_role_is_forbidden(
    client, login_as, resident, make_round, make_idea, db
):
    idea = make_idea(make_round("review"))
    login_as(resident)

    response = client.post(f"/ideas/{idea.id}/hide", data={"comment": "Non."})

    assert response.status_code == 403
    assert _ideas(db)[0].state is IdeaState.SUBMITTED


def test_staff_merge_duplicates_and_both_pages_link(
    client, login_as, staff, make_round, make_idea, db
):
    round_ = make_round("review")
    target = make_idea(round_, title="Jardin partagé")
    duplicate = make_idea(round_, title="Potager partagé")
    login_as(staff)

    response = client.post(
        f"/ideas/{duplicate.id}/merge",
        data={"into": str(target.id), "comment": "Même projet."},
    )

    assert response.status_code == 302
    original_page = client.get(f"/ideas/{duplicate.id}").get_data(as_text=True)
    target_page = client.get(f"/ideas/{target.id}").get_data(as_text=True)
    assert f'href="/ideas/{target.id}"' in original_page.split('id="merged-into"')[1]
    assert f'href="/ideas/{duplicate.id}"' in target_page.split('id="merged-ideas"')[1]
    assert duplicate.author.pseudonym in target_page.split('id="idea-authors"')[1]


# --- the public list ----------------------------------------------------------


def test_list_filters_and_counts(client, make_round, make_idea, make_territory):
    t1, t2 = make_territory(), make_territory()
    round_ = make_round("review", territories=[t1, t2])
    for _ in range(3):
        make_idea(round_, territory_id=t1.id)
    make_idea(round_, territory_id=t2.id, state=IdeaState.IN_REVIEW)
    make_idea(round_, state=IdeaState.DRAFT, submitted_at=None)

    everything = client.get("/ideas").get_data(as_text=True)
    by_qpv = client.get(f"/ideas?qpv={t1.id}").get_data(as_text=True)
    by_state = client.get("/ideas?state=in_review").get_data(as_text=True)
    by_theme = client.get(f"/ideas?theme={round_.themes[0].id}").get_data(as_text=True)

    assert everything.count('class="card idea-card"') == 4
    assert by_qpv.count('class="card idea-card"') == 3
    assert by_state.count('class="card idea-card"') == 1
    assert by_theme.count('class="card idea-card"') == 0
    assert client.get("/ideas?page=abc&qpv=zz&state=bogus").status_code == 200


def test_list_is_paginated(client, make_round, make_idea):
    round_ = make_round("review")
    for _ in range(25):
        make_idea(round_)

    first = client.get("/ideas").get_data(as_text=True)
    second = client.get("/ideas?page=2").get_data(as_text=True)

    assert first.count('class="card idea-card"') == 20
    assert second.count('class="card idea-card"') == 5
    assert 'rel="next"' in first


def _count_queries(app, client, url):
    from sqlalchemy import event

    from participation.extensions import db

    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


@pytest.mark.parametrize("url", ["/ideas", "/rounds"])
def test_list_pages_issue_the_same_queries_for_5_and_50_ideas(
    url, app, client, db, make_round, make_idea, make_theme
):
    round_ = make_round("review")
    for _ in range(5):
        idea = make_idea(round_)
        idea.themes = list(round_.themes)
    db.session.commit()
    with_5 = _count_queries(app, client, url)

    for _ in range(45):
        idea = make_idea(round_)
        idea.themes = list(round_.themes)
    db.session.commit()
    with_50 = _count_queries(app, client, url)

    assert with_5 == with_50
    assert with_5 < 12


def test_two_identical_posts_at_once_create_one_idea(app, db, resident, make_round):
    round_ = make_round("submission")
    data = _form(round_)
    url = f"/rounds/{round_.id}/ideas/new"
    user_id = resident.get_id()
    db.session.commit()  # no open read transaction (SQLite snapshot) in this thread
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def post() -> None:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
        barrier.wait()
        statuses.append(client.post(url, data=dict(data)).status_code)

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [302, 302]
    assert len(_ideas(db)) == 1


def test_a_2_mb_description_gets_a_message_by_its_field_not_a_413_page(
    client, login_as, resident, make_round, db
):
    round_ = make_round("submission")
    login_as(resident)
    fields = MultiDict(_form(round_))
    fields["description"] = "Un très long texte. " * 100_000  # 2 MB
    # The form has a photo field: browsers send it as multipart, as here.
    boundary, body = encode_multipart(fields)

    response = client.post(
        f"/rounds/{round_.id}/ideas/new",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="description-error"' in page
    assert "5000" in page.split('id="description-error"')[1].split("</p>")[0]
    assert 'maxlength="5000"' in page  # the browser stops typing at the limit
    assert _ideas(db) == []
