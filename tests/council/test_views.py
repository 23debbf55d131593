"""Council pages: who sees what, forms and their errors, files (.ics, PDF)."""

from __future__ import annotations

import html
import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from icalendar import Calendar
from pypdf import PdfReader

from participation.accounts.states import Sex
from participation.core.actors import SYSTEM
from participation.core.models import OutboxMessage
from participation.council.models import (
    Attendance,
    Council,
    CouncilDraw,
    Deliberation,
    Meeting,
    MinutesRevision,
)
from participation.council.services import (
    deliberations,
    meetings,
    minutes,
    seats,
)
from participation.council.states import (
    AgendaItemKind,
    AttendanceStatus,
    MeetingState,
    MinutesAction,
    MinutesState,
)

from .conftest import voting_item


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def count(db, model, *where) -> int:
    query = sa.select(sa.func.count()).select_from(model)
    return db.session.scalar(query.where(*where) if where else query)


def make_secretary(member):
    seats.update_member(
        member,
        seats.SeatChanges(
            mandate_starts_on=member.mandate_starts_on,
            mandate_ends_on=None,
            is_voting=True,
            is_secretary=True,
            substitute_rank=None,
        ),
        SYSTEM,
    )
    return member.user


@pytest.fixture
def published(db, council, members, make_meeting, open_meeting):
    """A closed public meeting with a decision and locked minutes."""
    held = open_meeting(make_meeting(council, title="Plénière de mars"), members)
    deliberations.record_deliberation(
        voting_item(held),
        deliberations.VoteData(
            motion="Créer un jardin partagé rue Barbès.",
            votes_for=5,
            votes_against=1,
            abstentions=0,
        ),
        SYSTEM,
    )
    meetings.close_meeting(held, SYSTEM)
    record = minutes.start_minutes(held, SYSTEM)
    minutes.transition(record, MinutesAction.PROPOSE, SYSTEM)
    later = make_meeting(
        council, starts_at=held.starts_at + timedelta(days=20), items=()
    )
    item = meetings.add_item(
        later,
        meetings.ItemData(
            kind=AgendaItemKind.MINUTES_APPROVAL, title="PV", minutes_id=record.id
        ),
        SYSTEM,
    )
    open_meeting(later, members)
    deliberations.record_deliberation(
        item,
        deliberations.VoteData(
            motion="PV", votes_for=6, votes_against=0, abstentions=0
        ),
        SYSTEM,
    )
    minutes.transition(record, MinutesAction.PUBLISH, SYSTEM)
    minutes.transition(record, MinutesAction.LOCK, SYSTEM)
    db.session.commit()
    return held


# --- Public pages ---------------------------------------------------------------


def test_visitors_read_the_council_the_archive_and_the_minutes_pdf(
    client, council, published
):
    assert client.get("/councils/").status_code == 200
    page = client.get(f"/councils/{council.id}")
    assert page.status_code == 200
    archive = text_of(client.get(f"/councils/{council.id}/archive"))
    assert "Plénière de mars" in archive
    assert "Créer un jardin partagé rue Barbès." in archive

    minutes_page = client.get(f"/councils/meetings/{published.id}/minutes")
    assert minutes_page.status_code == 200
    assert "minutes-edit" not in text_of(minutes_page)
    pdf = client.get(f"/councils/meetings/{published.id}/minutes.pdf")
    assert pdf.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Créer un jardin partagé rue Barbès." in text


def test_the_archive_is_searchable_by_word_and_date(client, council, published):
    day = published.starts_paris.date()

    def titles(**args) -> str:
        return text_of(client.get(f"/councils/{council.id}/archive", query_string=args))

    assert "Plénière de mars" in titles(q="JARDIN barbès")
    assert "No meeting matches" in titles(q="piscine")
    assert "Plénière de mars" in titles(since=day.isoformat(), until=day.isoformat())
    assert "No meeting matches" in titles(since=(day + timedelta(days=1)).isoformat())


def test_the_ical_feed_parses_and_holds_the_public_meetings_in_paris_time(
    client, council, members, make_meeting
):
    public = make_meeting(council, title="Publique")
    make_meeting(council, title="Interne", is_public=False)

    response = client.get(f"/councils/{council.id}/meetings.ics")

    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    events = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == [f"{council.name} — Publique"]
    start = events[0].decoded("DTSTART")
    assert start.tzinfo == ZoneInfo("Europe/Paris")
    assert start == public.starts_at
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Paris"


def test_internal_meetings_are_for_members_and_staff(
    client, login_as, council, members, make_meeting, resident, staff
):
    internal = make_meeting(council, is_public=False)
    url = f"/councils/meetings/{internal.id}"

    assert client.get(url).status_code == 302  # visitors are asked to sign in
    login_as(resident)
    assert client.get(url).status_code == 403
    assert client.get(f"{url}/invitation.ics").status_code == 403
    login_as(members[0].user)
    assert client.get(url).status_code == 200
    login_as(staff)
    assert client.get(url).status_code == 200


def test_draft_minutes_are_not_public(
    client, login_as, council, members, make_meeting, open_meeting, resident
):
    meeting = open_meeting(make_meeting(council), members)
    minutes.start_minutes(meeting, SYSTEM)
    url = f"/councils/meetings/{meeting.id}/minutes"

    login_as(resident)
    assert client.get(url).status_code == 403
    assert client.get(f"{url}.pdf").status_code == 403
    login_as(members[1].user)
    assert client.get(url).status_code == 403  # members read them once proposed
    assert client.get("/councils/meetings/999/minutes").status_code == 404


# --- Rights on the staff and secretary pages ---------------------------------------


def test_residents_get_403_on_every_management_page_and_nothing_changes(
    db, client, login_as, council, members, make_meeting, resident
):
    meeting = make_meeting(council)
    item = voting_item(meeting)
    login_as(resident)
    gets = [
        "/councils/admin",
        "/councils/new",
        f"/councils/{council.id}/edit",
        f"/councils/{council.id}/rules",
        f"/councils/{council.id}/members",
        f"/councils/{council.id}/members/new",
        f"/councils/members/{members[0].id}/edit",
        f"/councils/{council.id}/composition",
        f"/councils/{council.id}/draws",
        f"/councils/{council.id}/draws/new",
        f"/councils/{council.id}/meetings",
        f"/councils/{council.id}/meetings/new",
        f"/councils/meetings/{meeting.id}/manage",
        f"/councils/meetings/{meeting.id}/attendance",
        f"/councils/meetings/{meeting.id}/convocations",
        f"/councils/items/{item.id}/vote",
    ]
    for url in gets:
        assert client.get(url).status_code == 403, url
    posts = [
        "/councils/new",
        f"/councils/{council.id}/members/new",
        f"/councils/{council.id}/compositions",
        f"/councils/meetings/{meeting.id}/convene",
        f"/councils/meetings/{meeting.id}/open",
        f"/councils/meetings/{meeting.id}/attendance",
        f"/councils/items/{item.id}/delete",
        f"/councils/items/{item.id}/vote",
        f"/councils/meetings/{meeting.id}/minutes",
    ]
    for url in posts:
        assert client.post(url, data={"name": "x"}).status_code == 403, url
    assert meeting.state is MeetingState.PLANNED
    assert count(db, Council) == 1
    assert len(meeting.items) == 2


def test_visitors_are_sent_to_sign_in_for_management_pages(client, council):
    response = client.get(f"/councils/{council.id}/members")

    assert response.status_code == 302
    assert "/signin" in response.headers["Location"]


# --- Staff forms ------------------------------------------------------------------


def test_staff_create_a_council_and_errors_sit_next_to_the_fields(
    db, client, login_as, staff, make_territory
):
    territory = make_territory()
    login_as(staff)

    bad = client.post(
        "/councils/new",
        data={
            "name": "",
            "scope": "qpv",
            "territory_id": "",
            "resident_seats": "-1",
            "local_actor_seats": "6",
            "min_residents_share": "50",
            "name_display": "pseudonym",
        },
    )
    assert bad.status_code == 200
    page = text_of(bad)
    assert 'id="error-summary"' in page
    assert 'id="name-error"' in page
    assert 'id="resident_seats-error"' in page
    assert count(db, Council) == 0

    good = client.post(
        "/councils/new",
        data={
            "name": "CC Viguier",
            "scope": "qpv",
            "territory_id": str(territory.id),
            "resident_seats": "10",
            "local_actor_seats": "6",
            "min_residents_share": "50",
            "is_draw_required": "y",
            "is_parity_required": "y",
            "name_display": "initials",
        },
    )
    assert good.status_code == 302
    council = db.session.scalars(sa.select(Council)).one()
    assert council.name_display.value == "initials"
    assert good.headers["Location"].endswith(f"/councils/{council.id}/rules")


def test_a_csv_with_bad_rows_shows_line_numbers_by_the_field_and_imports_nothing(
    db, client, login_as, staff, council
):
    login_as(staff)
    data = {
        "title": "Tirage 2026",
        "by_sex": "y",
        "titulars_per_stratum": "2",
        "substitutes_per_stratum": "1",
        "pool_file": (io.BytesIO(b"reference;sexe\nA;F\nB;Z\n;M\n"), "liste.csv"),
    }

    response = client.post(
        f"/councils/{council.id}/draws/new",
        data=data,
        content_type="multipart/form-data",
    )

    page = text_of(response)
    assert response.status_code == 200
    assert 'id="pool_file-error"' in page
    assert "line 3: the sex must be F or M" in page
    assert "line 4: the reference is missing" in page
    assert count(db, CouncilDraw) == 0


def test_staff_import_and_draw_through_the_pages(db, client, login_as, staff, council):
    login_as(staff)
    pool = "reference;sexe\n" + "".join(f"F{i};F\nM{i};M\n" for i in range(6))
    response = client.post(
        f"/councils/{council.id}/draws/new",
        data={
            "title": "Tirage 2026",
            "by_sex": "y",
            "titulars_per_stratum": "2",
            "substitutes_per_stratum": "2",
            "pool_file": (io.BytesIO(pool.encode()), "liste.csv"),
        },
        content_type="multipart/form-data",
    )
    draw = db.session.scalars(sa.select(CouncilDraw)).one()
    assert response.headers["Location"].endswith(f"/councils/draws/{draw.id}")

    one_witness = client.post(
        f"/councils/draws/{draw.id}", data={"seed": "1 2 3", "witnesses": "Mme A"}
    )
    assert 'id="witnesses-error"' in text_of(one_witness)
    done = client.post(
        f"/councils/draws/{draw.id}", data={"seed": "1 2 3", "witnesses": "Mme A\nM. B"}
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert draw.is_drawn
    assert draw.seed == "1 2 3"
    report = client.get(f"/councils/draws/{draw.id}/report.pdf")
    assert report.data.startswith(b"%PDF")


def test_convening_from_the_page_queues_the_emails(
    db, client, login_as, staff, council, members, make_meeting
):
    meeting = make_meeting(council)
    login_as(staff)

    response = client.post(f"/councils/meetings/{meeting.id}/convene")

    assert response.status_code == 302
    assert count(db, OutboxMessage) == len(members)
    again = client.post(
        f"/councils/meetings/{meeting.id}/convene", follow_redirects=True
    )
    assert "This is not possible at this stage" in text_of(again)
    assert count(db, OutboxMessage) == len(members)


# --- The secretary's pages ------------------------------------------------------


def attendance_form(members, **overrides):
    data = {}
    for member in members:
        data[f"status_{member.id}"] = "present"
        data[f"holder_{member.id}"] = ""
    data.update(overrides)
    return data


def test_the_secretary_records_a_proxy_and_sees_the_quorum(
    db, client, login_as, council, members, make_meeting, convene
):
    meeting = convene(make_meeting(council))
    secretary = make_secretary(members[0])
    db.session.commit()
    a, b, c, *_ = members
    login_as(secretary)

    too_many = client.post(
        f"/councils/meetings/{meeting.id}/attendance",
        data=attendance_form(
            members,
            **{
                f"status_{b.id}": "represented",
                f"holder_{b.id}": str(a.id),
                f"status_{c.id}": "represented",
                f"holder_{c.id}": str(a.id),
            },
        ),
    )
    page = text_of(too_many)
    assert too_many.status_code == 200
    assert f'id="holder_{c.id}-error"' in page
    assert count(db, Attendance) == 0

    saved = client.post(
        f"/councils/meetings/{meeting.id}/attendance",
        data=attendance_form(
            members, **{f"status_{b.id}": "represented", f"holder_{b.id}": str(a.id)}
        ),
        follow_redirects=True,
    )
    page = text_of(saved)
    assert 'data-met="yes"' in page
    assert "6 counted for 3 required (5 present, 1 represented" in page
    assert count(db, Attendance) == len(members)


def test_a_vote_without_quorum_shows_its_reason_by_the_counts(
    db, client, login_as, council, members, make_meeting, open_meeting
):
    meeting = open_meeting(make_meeting(council), members[:2])
    secretary = make_secretary(members[0])
    db.session.commit()
    item = voting_item(meeting)
    login_as(secretary)

    response = client.post(
        f"/councils/items/{item.id}/vote",
        data={
            "motion": "Adopter.",
            "method": "show_of_hands",
            "votes_for": "2",
            "votes_against": "0",
            "abstentions": "0",
            "submit": "y",
        },
    )

    page = text_of(response)
    assert 'id="votes_for-error"' in page
    assert "No quorum: 2 of the 3" in page
    assert count(db, Deliberation) == 0
    not_held = client.post(
        f"/councils/items/{item.id}/vote",
        data={"motion": "Adopter.", "method": "show_of_hands", "no_quorum": "y"},
    )
    assert not_held.status_code == 302
    assert (
        db.session.scalars(sa.select(Deliberation)).one().outcome.value == "no_quorum"
    )


def test_a_vote_is_adopted_through_the_page(
    db, client, login_as, council, members, make_meeting, open_meeting
):
    meeting = open_meeting(make_meeting(council), members)
    secretary = make_secretary(members[0])
    db.session.commit()
    item = voting_item(meeting)
    login_as(secretary)

    client.post(
        f"/councils/items/{item.id}/vote",
        data={
            "motion": "Adopter.",
            "method": "show_of_hands",
            "votes_for": "3",
            "votes_against": "1",
            "abstentions": "1",
            "recused": [str(members[5].id)],
        },
    )
    result = client.get(f"/councils/items/{item.id}/vote")

    assert 'data-outcome="adopted"' in text_of(result)
    recorded = db.session.scalars(sa.select(Deliberation)).one()
    assert recorded.recused_count == 1
    assert recorded.entitled_count == 5


def test_a_vote_on_a_closed_meeting_is_refused(
    db, client, login_as, staff, council, members, make_meeting, open_meeting
):
    meeting = open_meeting(make_meeting(council), members)
    meetings.close_meeting(meeting, SYSTEM)
    db.session.commit()
    item = voting_item(meeting)
    login_as(staff)

    response = client.post(
        f"/councils/items/{item.id}/vote",
        data={
            "motion": "Adopter.",
            "method": "show_of_hands",
            "votes_for": "4",
            "votes_against": "1",
            "abstentions": "1",
        },
    )

    assert response.status_code == 200
    assert "record is locked" in text_of(response)
    assert count(db, Deliberation) == 0


def test_locked_minutes_cannot_be_edited_from_the_page(
    db, client, login_as, staff, published
):
    login_as(staff)
    record = published.minutes
    before = count(db, MinutesRevision)

    response = client.post(
        f"/councils/minutes/{record.id}/edit",
        data={"body": "Tout autre chose", "comment": ""},
    )

    assert response.status_code == 200
    assert 'id="body-error"' in text_of(response)
    assert "add an erratum" in text_of(response)
    assert count(db, MinutesRevision) == before
    erratum = client.post(
        f"/councils/minutes/{record.id}/errata",
        data={"text": "Lire rue Barbès.", "noted_at_meeting_id": ""},
    )
    assert erratum.status_code == 302
    db.session.expire_all()
    assert [e.text for e in record.errata] == ["Lire rue Barbès."]
    assert record.state is MinutesState.LOCKED


def test_the_member_space_lists_meetings_proxies_and_minutes_to_review(
    db, client, login_as, council, members, make_meeting, convene
):
    meeting = convene(make_meeting(council, title="Séance de juin"))
    a, b, *_ = members
    login_as(b.user)

    form = client.get(f"/councils/meetings/{meeting.id}/proxy")
    assert form.status_code == 200
    client.post(f"/councils/meetings/{meeting.id}/proxy", data={"holder": str(a.id)})
    space = text_of(client.get("/councils/me"))

    assert "Séance de juin" in space
    assert f"You gave your proxy to {a.user.pseudonym}" in space
    line = db.session.scalars(sa.select(Attendance)).one()
    assert line.status is AttendanceStatus.REPRESENTED
    login_as(a.user)
    assert "You hold the proxy of" in text_of(client.get("/councils/me"))


def test_the_composition_page_draws_the_chart_with_its_table(
    client, login_as, staff, council, make_member
):
    make_member(council, sex=Sex.FEMALE)
    login_as(staff)

    page = text_of(client.get(f"/councils/{council.id}/composition"))

    assert '<svg class="council-chart"' in page
    assert 'aria-labelledby="chart-title chart-desc"' in page
    assert 'id="composition-table"' in page
    assert "<caption" in page


@pytest.mark.french
def test_pages_speak_french_by_default(client, council):
    page = text_of(client.get("/councils/"))

    assert "Conseil citoyen" in page
    assert 'lang="fr"' in page


def test_meetings_listing_for_staff_includes_internal_ones(
    client, login_as, staff, council, make_meeting
):
    make_meeting(council, title="Réunion interne", is_public=False)
    login_as(staff)

    page = text_of(client.get(f"/councils/{council.id}/meetings"))

    assert "Réunion interne" in page
    assert db_meeting_count(council) == 1


def db_meeting_count(council) -> int:
    from participation.extensions import db

    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Meeting)
        .where(Meeting.council_id == council.id)
    )
