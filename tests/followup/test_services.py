"""Projects from the vote, money and progress, milestones, news with photos."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from PIL import Image

from participation.budget.states import IdeaState
from participation.core.actors import SYSTEM
from participation.core.errors import Conflict, FieldErrors, PermissionDenied
from participation.core.models import OutboxMessage
from participation.core.time import PARIS, today_paris
from participation.core.uploads import upload_path
from participation.followup import follows, services
from participation.followup.models import Project, ProjectFollow, ProjectUpdate
from participation.followup.states import ProjectState, SourceKind

from .conftest import png_bytes


def _data(project, **changes):
    values = {
        "title": project.title,
        "summary": project.summary,
        "service_in_charge": "Espaces verts",
        "progress_percent": 10,
        "amount_committed": Decimal("3000.00"),
        "amount_spent": Decimal("1000.00"),
    }
    values.update(changes)
    return services.ProjectData(**values)


# --- From the vote to projects ------------------------------------------------


def test_every_published_winner_becomes_a_planned_project(db, published, staff):
    created = services.create_projects_for_round(published.round, staff)

    assert {p.idea_id for p in created} == {i.id for i in published.winners}
    first = next(p for p in created if p.idea_id == published.ideas[0].id)
    assert first.state is ProjectState.PLANNED
    assert first.source_kind is SourceKind.BUDGET_IDEA
    assert first.source_id == first.idea_id
    assert first.amount_voted == Decimal("3000.00")
    assert first.territory_id == published.here.id
    assert first.latitude == Decimal("43.206500")
    assert first.decided_on == today_paris()
    assert published.ideas[2].state is IdeaState.NOT_SELECTED


def test_creating_the_projects_twice_creates_nothing_more(db, published, staff):
    services.create_projects_for_round(published.round, staff)

    again = services.create_projects_for_round(published.round, staff)

    assert again == []
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == 3


def test_the_authors_of_the_idea_follow_its_project(db, published, staff):
    created = services.create_projects_for_round(published.round, staff)

    follow = db.session.scalar(
        sa.select(ProjectFollow).where(ProjectFollow.project_id == created[0].id)
    )
    assert follow is not None
    assert follow.user_id == published.author.id
    assert follow.is_automatic
    assert follow.is_confirmed


def test_no_project_before_the_results_are_published(db, make_published, staff):
    unpublished = make_published(publish=False)

    with pytest.raises(Conflict):
        services.create_projects_for_round(unpublished.round, staff)
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == 0


def test_a_resident_cannot_create_the_projects(db, published, resident):
    with pytest.raises(PermissionDenied):
        services.create_projects_for_round(published.round, resident)


# --- Money and progress -------------------------------------------------------


def test_staff_save_money_progress_and_place(db, project, staff):
    services.update_project(
        project,
        _data(project, latitude=Decimal("43.2"), longitude=Decimal("2.35")),
        staff,
    )

    assert project.progress_percent == 10
    assert project.amount_committed == Decimal("3000.00")
    assert project.amount_spent == Decimal("1000.00")
    assert project.service_in_charge == "Espaces verts"
    assert project.latitude == Decimal("43.2")


def test_a_progress_over_100_is_refused_next_to_its_field(db, project, staff):
    with pytest.raises(FieldErrors) as error:
        services.update_project(project, _data(project, progress_percent=101), staff)

    assert set(error.value.messages_by_field()) == {"progress_percent"}
    assert project.progress_percent == 0


def test_spent_above_committed_needs_a_reason(db, project, staff):
    with pytest.raises(FieldErrors) as error:
        services.update_project(
            project, _data(project, amount_spent=Decimal("3500.00")), staff
        )
    assert set(error.value.messages_by_field()) == {"amount_spent", "overspend_reason"}

    services.update_project(
        project,
        _data(
            project,
            amount_spent=Decimal("3500.00"),
            overspend_reason="Une dalle en plus.",
        ),
        staff,
    )
    assert project.amount_spent == Decimal("3500.00")
    assert project.overspend_reason == "Une dalle en plus."


def test_the_reason_is_dropped_when_the_spending_is_back_under(db, project, staff):
    services.update_project(
        project,
        _data(project, amount_spent=Decimal("3500.00"), overspend_reason="Dalle."),
        staff,
    )

    services.update_project(project, _data(project), staff)

    assert project.overspend_reason is None


def test_negative_amounts_are_refused(db, project, staff):
    with pytest.raises(FieldErrors) as error:
        services.update_project(
            project, _data(project, amount_committed=Decimal("-1")), staff
        )
    assert "amount_committed" in error.value.messages_by_field()


def test_a_delivered_project_keeps_its_100_percent(db, project, staff):
    from participation.followup.states import ProjectAction

    services.transition_project(project, ProjectAction.START, staff)
    services.transition_project(project, ProjectAction.DELIVER, staff)

    with pytest.raises(FieldErrors) as error:
        services.update_project(project, _data(project, progress_percent=90), staff)
    assert "progress_percent" in error.value.messages_by_field()


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("progress_percent", 101),
        ("progress_percent", -1),
        ("amount_spent", Decimal("99999.00")),
        ("amount_committed", Decimal("-5.00")),
    ],
)
def test_the_database_refuses_what_the_service_refuses(db, project, column, value):
    setattr(project, column, value)

    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_database_refuses_an_abandoned_project_without_reason(db, project):
    project.state = ProjectState.ABANDONED  # bypassing the applier on purpose

    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_database_refuses_a_second_project_for_one_idea(db, project):
    db.session.add(
        Project(
            title="Doublon",
            territory_id=project.territory_id,
            source_kind=SourceKind.BUDGET_IDEA,
            source_id=project.idea_id,
            idea_id=project.idea_id,
            decided_on=project.decided_on,
        )
    )

    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_project_may_have_no_source_yet(db, project):
    other = Project(
        title="Projet d'une autre origine",
        territory_id=project.territory_id,
        decided_on=project.decided_on,
    )
    db.session.add(other)
    db.session.flush()

    assert other.id is not None
    other.source_kind = SourceKind.BUDGET_IDEA  # a kind without its id
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


# --- Milestones ---------------------------------------------------------------


def test_a_milestone_dated_before_the_vote_is_refused(db, project, published, staff):
    before = published.round.vote_closes_at.astimezone(PARIS).date() - timedelta(days=1)

    with pytest.raises(FieldErrors) as error:
        services.add_milestone(
            project,
            services.MilestoneData(title="Étude", planned_on=before, actual_on=before),
            staff,
        )

    assert set(error.value.messages_by_field()) == {"planned_on", "actual_on"}
    assert published.round.title in str(error.value.messages_by_field()["planned_on"])
    assert project.milestones == []


def test_a_milestone_of_a_project_without_a_vote_is_not_before_its_decision(
    db, project, staff
):
    """An FPH grant (or any project no vote decided) starts on its decision day."""
    grant = Project(
        title="Repas de quartier",
        territory_id=project.territory_id,
        decided_on=today_paris() - timedelta(days=10),
    )
    db.session.add(grant)
    db.session.flush()
    before = grant.decided_on - timedelta(days=1)

    with pytest.raises(FieldErrors) as error:
        services.add_milestone(
            grant,
            services.MilestoneData(title="Achats", planned_on=before, actual_on=before),
            staff,
        )

    assert set(error.value.messages_by_field()) == {"planned_on", "actual_on"}
    assert grant.milestones == []
    services.add_milestone(
        grant,
        services.MilestoneData(
            title="Achats", planned_on=grant.decided_on, actual_on=grant.decided_on
        ),
        staff,
    )
    assert [m.title for m in grant.milestones] == ["Achats"]


def test_a_milestone_cannot_be_reached_in_the_future(db, project, staff):
    later = today_paris() + timedelta(days=3)

    with pytest.raises(FieldErrors) as error:
        services.add_milestone(
            project,
            services.MilestoneData(title="Pose", planned_on=later, actual_on=later),
            staff,
        )
    assert set(error.value.messages_by_field()) == {"actual_on"}


def test_milestones_are_added_then_reached(db, project, staff):
    planned = today_paris() + timedelta(days=10)
    milestone = services.add_milestone(
        project,
        services.MilestoneData(title="Pose des bancs", planned_on=planned),
        staff,
    )
    assert not milestone.is_done

    services.update_milestone(
        milestone,
        services.MilestoneData(
            title="Pose des bancs", planned_on=planned, actual_on=today_paris()
        ),
        staff,
    )

    assert milestone.is_done
    assert project.milestones == [milestone]


# --- News and photos ----------------------------------------------------------


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (80, 60), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (43.0, 12.0, 30.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_news_with_a_photo_is_stored_cleaned_and_sent(db, project, published, staff):
    update = services.publish_update(
        project,
        services.UpdateData(
            title="Les travaux commencent",
            body="L'entreprise arrive lundi.",
            photo=_jpeg_with_gps(),
            photo_alt="Le square avant les travaux",
            photo_consent=True,
        ),
        staff,
    )

    photo = update.photos[0]
    stored = upload_path(services.PHOTO_FOLDER, photo.name).read_bytes()
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
    assert (photo.width, photo.height) == (80, 60)
    message = db.session.scalar(
        sa.select(OutboxMessage)
        .where(OutboxMessage.to_address == published.author.email)
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    assert message is not None
    assert "Les travaux commencent" in message.subject
    assert "L'entreprise arrive lundi." in message.body_text


def test_news_with_a_file_that_is_not_an_image_is_refused(db, project, staff):
    with pytest.raises(FieldErrors) as error:
        services.publish_update(
            project,
            services.UpdateData(
                title="Photo",
                body="Voici.",
                photo=b"%PDF-1.4 not an image",
                photo_alt="Un document",
                photo_consent=True,
            ),
            staff,
        )

    assert set(error.value.messages_by_field()) == {"photo"}


def test_a_photo_needs_its_text_alternative_and_the_consent_of_the_people_shown(
    db, project, staff
):
    with pytest.raises(FieldErrors) as error:
        services.publish_update(
            project,
            services.UpdateData(title="Photo", body="Voici.", photo=png_bytes()),
            staff,
        )
    assert set(error.value.messages_by_field()) == {"photo_alt", "photo_consent"}
    assert db.session.scalar(sa.select(sa.func.count(ProjectUpdate.id))) == 0


def test_news_goes_only_to_confirmed_followers(db, project, published):
    follows.request_follow_by_email(project, "pending@suivi.test", "fr", str)
    before = db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)))

    services.publish_update(
        project, services.UpdateData(title="Nouvelle", body="Texte."), SYSTEM
    )

    sent = db.session.scalars(
        sa.select(OutboxMessage.to_address).where(OutboxMessage.id > before)
    ).all()
    assert sent == [published.author.email]
