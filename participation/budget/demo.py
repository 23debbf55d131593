"""Demo data of the budget feature: three rounds on Carcassonne's five QPV.

One round in submission (dépôt), one in review (instruction), one announced, with
ideas residents asked for in the design documents. Dates are relative to now, so
the phases are right whenever the demo is loaded. Demo content is data (French),
not translatable text (``demo_data``). The steps of each idea, ``(action, args)``
pairs that ``services.transition`` applies as the system, dated in the past, so
the public histories look lived-in.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from PIL import Image, ImageDraw

from ..accounts.models import User, UserRole
from ..accounts.states import Role
from ..core.actors import SYSTEM
from ..core.time import PARIS, utcnow
from ..core.uploads import store_image
from ..extensions import db
from ..territories.models import Territory, TerritoryKind, Theme
from . import services
from .demo_data import (
    ANNOUNCED_IDEAS,
    ENVELOPES,
    EXTRA_RESIDENTS,
    REVIEW_IDEAS,
    RULES,
    RULES_AR,
    SUBMISSION_IDEAS,
    DemoIdea,
)
from .models import Envelope, Idea, Round

DAY = timedelta(days=1)


def _paris_quarter_title(opens_at: datetime) -> str:
    local = opens_at.astimezone(PARIS)
    quarter = (local.month - 1) // 3 + 1
    label = "1er" if quarter == 1 else f"{quarter}e"
    return f"Budget participatif — {label} trimestre {local.year}"


def _draw(kind: str) -> bytes:
    """A simple drawn picture standing for a photo."""
    image = Image.new("RGB", (800, 600), (135, 190, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 420, 800, 600), fill=(110, 170, 90))
    if kind in ("garden", "books"):
        for x in range(60, 760, 140):
            draw.rectangle((x, 380, x + 110, 460), fill=(140, 90, 50))
            for dx in (20, 55, 90):
                draw.ellipse((x + dx - 15, 340, x + dx + 15, 385), fill=(40, 140, 60))
    if kind == "bench":
        for x in (80, 460):
            draw.rectangle((x, 380, x + 260, 400), fill=(120, 80, 40))
            draw.rectangle((x, 340, x + 260, 355), fill=(120, 80, 40))
            draw.rectangle((x + 20, 400, x + 35, 450), fill=(60, 60, 60))
            draw.rectangle((x + 225, 400, x + 240, 450), fill=(60, 60, 60))
        draw.rectangle((370, 200, 400, 430), fill=(100, 70, 40))
        draw.ellipse((270, 80, 500, 260), fill=(50, 130, 60))
    if kind == "playground":
        draw.polygon(
            [(200, 430), (420, 250), (450, 270), (240, 440)], fill=(230, 80, 60)
        )
        draw.rectangle((420, 250, 440, 440), fill=(80, 80, 200))
        draw.ellipse((560, 360, 640, 440), fill=(250, 200, 40))
    if kind == "lamp":
        draw.rectangle((0, 0, 800, 420), fill=(30, 35, 70))
        for x in (150, 400, 650):
            draw.rectangle((x, 180, x + 12, 430), fill=(90, 90, 90))
            draw.ellipse((x - 30, 150, x + 42, 200), fill=(255, 230, 120))
    if kind == "fresco":
        colours = [(230, 60, 60), (250, 170, 40), (60, 160, 90), (40, 110, 200)]
        for i, colour in enumerate(colours):
            draw.rectangle((100 + i * 150, 120, 250 + i * 150, 420), fill=colour)
        draw.ellipse((300, 180, 500, 380), fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _theme_ids(codes: tuple[str, ...], allowed: dict[str, Theme]) -> list[int]:
    return [allowed[c].id for c in codes if c in allowed]


def _residents(qpv: dict[str, Territory]) -> list[User]:
    """Demo authors: the accounts demo's residents, plus a few of our own."""
    people = list(
        db.session.scalars(
            sa.select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.RESIDENT, User.is_managed.is_(False))
            .order_by(User.id)
        ).unique()
    )
    existing = {u.pseudonym for u in people}
    territories = list(qpv.values())
    for i, pseudonym in enumerate(EXTRA_RESIDENTS):
        if pseudonym in existing:
            continue
        user = User(
            pseudonym=pseudonym,
            territory_id=territories[i % len(territories)].id,
            locale="fr",
        )
        user.roles = [UserRole(role=Role.RESIDENT)]
        db.session.add(user)
        people.append(user)
    db.session.flush()
    return people


def _one_with_role(role: Role) -> User | None:
    return db.session.scalar(
        sa.select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role)
        .order_by(User.id)
        .limit(1)
    )


def _make_round(
    quarter_of: datetime,
    offsets: tuple[int, int, int, int, int, int],
    now: datetime,
    qpv: dict[str, Territory],
    themes: list[Theme],
    staff: User | None,
) -> Round:
    names = services.CALENDAR
    # Round to the hour (Paris): deadlines at 18:00 read better than 14:37.
    dates = {
        name: (now + days * DAY)
        .astimezone(PARIS)
        .replace(minute=0, second=0, microsecond=0)
        for name, days in zip(names, offsets, strict=True)
    }
    for name in names:
        # Phases open at 9:00 and close at 18:00, Paris time.
        hour = 18 if name.endswith("closes_at") else 9
        dates[name] = dates[name].replace(hour=hour)
    round_ = Round(
        title=_paris_quarter_title(quarter_of),
        description=(
            "Proposez des idées pour votre quartier. Les projets retenus seront soumis "
            "au vote des habitants du quartier."
        ),
        rules_text=RULES,
        texts_by_language={"ar": {"rules_text": RULES_AR}},
        min_cost=Decimal("500"),
        max_cost=Decimal("12000"),
        is_carry_over_enabled=True,
        published_at=now - 200 * DAY,
        created_by_id=staff.id if staff else None,
        **{name: value.astimezone(now.tzinfo) for name, value in dates.items()},
    )
    round_.themes = themes
    round_.envelopes = [
        Envelope(territory_id=territory.id, amount=ENVELOPES[key])
        for key, territory in qpv.items()
    ]
    db.session.add(round_)
    db.session.flush()
    return round_


def _apply_steps(
    idea: Idea, demo: DemoIdea, by_title: dict[str, Idea], start: datetime
) -> None:
    """Walk *idea* through its steps, then its follow-up, one a day, as the system."""
    moment = start
    for action, arguments in demo.steps:
        moment += DAY
        if "into" in arguments:  # a merge names its target by its title
            arguments = {**arguments, "into": by_title[arguments["into"]]}
        services.transition(idea, action, SYSTEM, now=moment, **arguments)
    for follow_up, arguments in demo.follow_up:
        moment += 3 * DAY
        services.update_transfer(idea, follow_up, SYSTEM, now=moment, **arguments)


def _add_ideas(
    round_: Round,
    ideas: tuple[DemoIdea, ...],
    qpv: dict[str, Territory],
    authors: list[User],
    relay: User | None,
    managed: User | None,
    photos: dict[str, str],
) -> None:
    allowed = {t.code: t for t in round_.themes}
    by_title: dict[str, Idea] = {}
    by_pseudonym = {u.pseudonym: u for u in authors}
    for number, demo in enumerate(ideas):
        author = authors[number % len(authors)]
        actor = author
        consent = None
        if demo.on_behalf and relay is not None and managed is not None:
            author, actor, consent = managed, relay, "Accord donné au centre social."
        submitted_at = round_.submission_opens_at + (2 + number) * DAY
        photo_name = None
        if demo.photo:
            if demo.photo not in photos:
                photos[demo.photo] = store_image(
                    _draw(demo.photo), services.PHOTO_FOLDER
                ).name
            photo_name = photos[demo.photo]
        data = services.IdeaData(
            title=demo.title,
            description=demo.description,
            territory_id=qpv[demo.qpv].id,
            place=demo.place,
            theme_ids=_theme_ids(demo.themes, allowed),
            estimated_cost=Decimal(demo.cost) if demo.cost else None,
            association_name=demo.association,
            co_author_ids=[
                by_pseudonym[p].id for p in demo.co_authors if p in by_pseudonym
            ],
            accepted_rules=True,
            photo_name=photo_name,
            photo_alt=f"Dessin : {demo.title.lower()}" if photo_name else None,
        )
        idea = services.create_idea(
            round_,
            data,
            author=author,
            actor=actor,
            submit=not demo.draft,
            consent_note=consent,
            now=submitted_at,
        )
        by_title[demo.title] = idea
        review_start = max(submitted_at, round_.submission_closes_at)
        _apply_steps(idea, demo, by_title, review_start)


def _qpv_by_key() -> dict[str, Territory]:
    territories = db.session.scalars(
        sa.select(Territory)
        .where(Territory.kind == TerritoryKind.QPV, Territory.is_active.is_(True))
        .order_by(Territory.id)
    ).all()
    found: dict[str, Territory] = {}
    for key in ENVELOPES:
        for territory in territories:
            if key.lower() in territory.name.lower():
                found[key] = territory
                break
    return found


def load() -> None:
    """Add the three demo rounds and their ideas (called once by participation.demo)."""
    if db.session.scalar(sa.select(sa.func.count(Round.id))):
        return
    qpv = _qpv_by_key()
    if len(qpv) < len(ENVELOPES):
        return  # the territories demo did not run: nothing sensible to show
    themes = list(
        db.session.scalars(
            sa.select(Theme).where(Theme.is_active.is_(True)).order_by(Theme.position)
        )
    )
    staff = _one_with_role(Role.STAFF)
    relay = _one_with_role(Role.RELAY)
    managed = None
    if relay is not None:
        managed = db.session.scalar(
            sa.select(User)
            .where(User.managed_by_id == relay.id)
            .order_by(User.id)
            .limit(1)
        )
    authors = _residents(qpv)
    now = utcnow()
    photos: dict[str, str] = {}

    announced = _make_round(
        services.add_months(now, -3),
        (-100, -70, -40, -30, 5, 19),
        now,
        qpv,
        themes,
        staff,
    )
    _add_ideas(announced, ANNOUNCED_IDEAS, qpv, authors, relay, managed, photos)
    in_review = _make_round(now, (-40, -5, 15, 20, 30, 44), now, qpv, themes, staff)
    in_review.previous_round = announced
    _add_ideas(in_review, REVIEW_IDEAS, qpv, authors, relay, managed, photos)
    in_submission = _make_round(
        services.add_months(now, 3), (-10, 20, 50, 60, 70, 84), now, qpv, themes, staff
    )
    in_submission.previous_round = in_review
    _add_ideas(in_submission, SUBMISSION_IDEAS, qpv, authors, relay, managed, photos)
    db.session.flush()
    for round_ in (in_review, in_submission):
        services.refresh_carry_over(round_, SYSTEM)
    db.session.flush()
