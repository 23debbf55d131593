"""Following a project by address or account, confirming, unsubscribing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from participation.core.errors import FieldErrors, NotFound
from participation.core.models import OutboxMessage
from participation.followup import follows
from participation.followup.models import ProjectFollow


def _links(tokens):
    def make_link(token):
        tokens.append(token)
        return f"https://example.test/follows/confirm/{token}"

    return make_link


def _outbox_count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) or 0


def test_a_malformed_address_is_refused_next_to_its_field(db, project):
    before = _outbox_count(db)

    with pytest.raises(FieldErrors) as error:
        follows.request_follow_by_email(project, "not-an-address@", "fr", str)

    assert set(error.value.messages_by_field()) == {"email"}
    assert _outbox_count(db) == before
    assert (
        db.session.scalar(
            sa.select(sa.func.count(ProjectFollow.id)).where(
                ProjectFollow.email.is_not(None)
            )
        )
        == 0
    )


def test_an_address_follows_once_confirmed(db, project):
    tokens: list[str] = []
    follows.request_follow_by_email(
        project, " Voisine@Suivi.test ", "en", _links(tokens)
    )

    follow = db.session.scalar(
        sa.select(ProjectFollow).where(ProjectFollow.email == "voisine@suivi.test")
    )
    assert follow is not None
    assert not follow.is_confirmed
    message = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.to_address == "voisine@suivi.test")
    )
    assert message is not None
    assert tokens[0] in message.body_text

    follows.confirm_follow(tokens[0])

    assert follow.is_confirmed
    assert follows.follower_count(project) == 2  # with the idea's author


def test_asking_twice_keeps_one_follow_per_address(db, project):
    tokens: list[str] = []
    for _ in range(2):
        follows.request_follow_by_email(
            project, "twice@suivi.test", "fr", _links(tokens)
        )
    follows.confirm_follow(tokens[-1])
    follows.request_follow_by_email(project, "twice@suivi.test", "fr", _links(tokens))

    count = db.session.scalar(
        sa.select(sa.func.count(ProjectFollow.id)).where(
            ProjectFollow.email == "twice@suivi.test"
        )
    )
    assert count == 1
    assert len(tokens) == 2  # no new link once confirmed


def test_the_database_keeps_one_follow_per_address_and_project(db, project):
    for _ in range(2):
        db.session.add(ProjectFollow(project_id=project.id, email="dup@suivi.test"))

    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_follow_is_an_account_or_an_address_not_both(db, project, resident):
    db.session.add(
        ProjectFollow(project_id=project.id, user_id=resident.id, email="x@suivi.test")
    )

    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_tampered_confirmation_link_is_refused(db, project):
    tokens: list[str] = []
    follows.request_follow_by_email(project, "t@suivi.test", "fr", _links(tokens))

    with pytest.raises(NotFound):
        follows.confirm_follow(tokens[0][:-2] + "xx")


def test_unsubscribing_by_the_link_in_a_message(db, project, resident):
    follow = follows.follow_with_account(project, resident)
    token = follows.unsubscribe_token(follow)

    assert follows.unsubscribe(token) == project
    assert follows.follow_of(project, resident) is None
    assert follows.unsubscribe(token) is None  # a second click changes nothing


def test_following_with_an_account_is_idempotent(db, project, resident):
    first = follows.follow_with_account(project, resident)
    second = follows.follow_with_account(project, resident)

    assert first.id == second.id
    assert first.is_confirmed


def test_a_managed_account_without_address_gets_no_message(db, project, make_user):
    person = make_user(email=None, pseudonym="sans_adresse")
    follows.follow_with_account(project, person)

    sent = follows.notify_status(project, None)

    assert sent == 1  # the idea's author only
