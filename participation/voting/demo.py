"""Demo data of the voting feature: a vote in progress, a finished vote, an archive.

- A round whose vote opened two days ago on Bastide - Pont-Vieux and La Conte, with
  retained projects; Amina (accounts demo, verified) and Samir (verified in La Conte,
  password on the demo home page) can vote; a few neighbours already did.
- A finished round on the same QPV, ballots cast through ``services.cast_ballot``
  during its vote, counted, certified and published; its unspent money carries over to
  the round the budget demo announces.
- Each demo round has a completed key ceremony (2 of 3 demo trustees); the shares
  are written to ``instance/demo-trustee-shares.txt`` so that a demo user can open
  the ballot box and count.
- When ``../shared/`` is present, the Toulouse 2022 Mirail-Université pabulib file as an
  archive round (never copied into the repository).

Dates are relative to now. Ideas go through budget's services at past dates; the
vote's rules, counts and publications are made by the system actor
(``core.actors.SYSTEM``) through the voting services. Demo content is data (French),
not translatable text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from .. import PROJECT_ROOT
from ..accounts.demo import ADMIN_EMAIL, STAFF_EMAIL, main_qpv
from ..accounts.models import ResidentVerification, User, UserRole
from ..accounts.passwords import hash_password
from ..accounts.states import Role, Sex, VerificationLevel, VerificationMethod
from ..budget import services as budget_services
from ..budget.models import Envelope, Idea, Round
from ..budget.states import IdeaAction
from ..core.actors import SYSTEM
from ..core.time import PARIS, utcnow
from ..extensions import db
from ..territories.models import Territory, TerritoryKind
from . import archive, pabulib, services
from .counting import CountingRule
from .models import VoteRules
from .states import BallotType, ResultAction

DAY = timedelta(days=1)

#: The second demo voter whose password the demo home page shows (accounts.demo).
CONTE_VOTER_EMAIL = "samir@example.org"
CONTE_VOTER_PASSWORD = "votant-conte-demo"  # noqa: S105 - a demo password, shown publicly
#: The demo trustees' shares, in the instance folder (README: "Demo").
SHARES_FILE = "demo-trustee-shares.txt"
#: The archive imported when ../shared/ is beside the checkout.
TOULOUSE_FILE = (
    "data/pabulib/France_Toulouse_2022_17_-_Mirail-Universite_Reynerie_Bellefontaine.pb"
)
SHARED_DIR = PROJECT_ROOT.parent / "shared"


@dataclass(frozen=True)
class DemoProject:
    title: str
    description: str
    cost: str


FINISHED = {
    "main": (
        DemoProject(
            "Aire de jeux rue Voltaire",
            "Remplacer les jeux abîmés du square par des jeux pour les 3-10 ans.",
            "9000",
        ),
        DemoProject(
            "Bancs et ombrages quai Riquet",
            "Six bancs et trois arbres le long du quai, pour s'asseoir à l'ombre.",
            "4500",
        ),
        DemoProject(
            "Boîte à livres place Carnot",
            "Une boîte à livres en bois, fabriquée avec le centre social.",
            "800",
        ),
        DemoProject(
            "Fresque du passage du Pont-Vieux",
            "Une fresque peinte avec les jeunes du quartier sur le mur du passage.",
            "3500",
        ),
    ),
    "conte": (
        DemoProject(
            "Jardin partagé Ozanam",
            "Des bacs de culture et un récupérateur d'eau au pied des immeubles.",
            "6000",
        ),
        DemoProject(
            "Éclairage du chemin de l'école",
            "Des lampadaires solaires sur le chemin piéton vers l'école.",
            "7000",
        ),
        DemoProject(
            "Table de ping-pong",
            "Une table de ping-pong en béton près du city-stade.",
            "2500",
        ),
    ),
}

OPEN = {
    "main": (
        DemoProject(
            "Fontaine à eau square Gambetta",
            "Une fontaine d'eau potable pour l'été, accessible en fauteuil.",
            "5000",
        ),
        DemoProject(
            "Parcours sportif des berges",
            "Cinq agrès de sport en accès libre le long de l'Aude.",
            "11000",
        ),
        DemoProject(
            "Abri vélos sécurisé",
            "Un abri fermé pour vingt vélos près de la place Carnot.",
            "7500",
        ),
        DemoProject(
            "Bibliothèque de rue",
            "Des étagères couvertes et des coussins devant la médiathèque.",
            "2000",
        ),
    ),
    "conte": (
        DemoProject(
            "Terrain de pétanque",
            "Un terrain stabilisé et deux bancs derrière la maison de quartier.",
            "3000",
        ),
        DemoProject(
            "Fresque de la Conte",
            "Une fresque avec les enfants de l'école sur le mur du gymnase.",
            "4000",
        ),
        DemoProject(
            "Bacs à compost partagés",
            "Trois bacs à compost et un atelier d'initiation.",
            "1500",
        ),
    ),
}

#: Ballots of the finished round, per QPV: project indexes of each voter.
FINISHED_BALLOTS = {
    "main": [
        (0, 1),
        (0, 2),
        (0, 1, 2),
        (1, 2),
        (0,),
        (2, 3),
        (0, 3),
        (1, 2, 3),
        (0, 2),
    ],
    "conte": [(0, 2), (1,), (0, 1), (0, 2), (2,), (1, 2)],
}
#: Neighbours who already voted in the open round (their ballots stay secret).
OPEN_BALLOTS = {"main": [(0, 3), (1,), (0, 2, 3)], "conte": [(0,), (1, 2)]}


def _paris(moment: datetime, hour: int) -> datetime:
    local = moment.astimezone(PARIS).replace(hour=hour, minute=0, second=0)
    return local.replace(microsecond=0).astimezone(moment.tzinfo)


def _make_round(
    title: str, offsets: tuple[int, ...], qpv: dict[str, Territory], now: datetime
) -> Round:
    names = (
        "submission_opens_at",
        "submission_closes_at",
        "review_closes_at",
        "announcement_at",
        "vote_opens_at",
        "vote_closes_at",
    )
    dates = {
        name: _paris(now + days * DAY, 18 if name.endswith("closes_at") else 9)
        for name, days in zip(names, offsets, strict=True)
    }
    round_ = Round(
        title=title,
        description=(
            "Les habitants du quartier votent pour les projets retenus après l'étude "
            "des services de la ville."
        ),
        rules_text="Un projet coûte entre 500 € et 12 000 €.",
        min_cost=Decimal("500"),
        max_cost=Decimal("12000"),
        is_carry_over_enabled=True,
        published_at=dates["submission_opens_at"] - 5 * DAY,
        **dates,
    )
    round_.envelopes = [
        Envelope(territory_id=qpv["main"].id, amount=Decimal("15000")),
        Envelope(territory_id=qpv["conte"].id, amount=Decimal("10000")),
    ]
    db.session.add(round_)
    db.session.flush()
    return round_


def _retain(
    round_: Round,
    projects: dict[str, tuple[DemoProject, ...]],
    qpv: dict[str, Territory],
    authors: dict[str, User],
    staff: User | None,
) -> dict[str, list[Idea]]:
    """Submit, review and retain each project at past dates, through budget."""
    submitted_at = round_.submission_opens_at + DAY
    reviewed_at = round_.submission_closes_at + DAY
    out: dict[str, list[Idea]] = {}
    for key, items in projects.items():
        out[key] = []
        for n, item in enumerate(items):
            data = budget_services.IdeaData(
                title=item.title,
                description=item.description,
                territory_id=qpv[key].id,
                estimated_cost=Decimal(item.cost),
                accepted_rules=True,
            )
            idea = budget_services.create_idea(
                round_,
                data,
                author=authors[key],
                actor=authors[key],
                submit=True,
                now=submitted_at + n * timedelta(minutes=7),
            )
            budget_services.transition(
                idea, IdeaAction.START_REVIEW, staff or SYSTEM, now=reviewed_at
            )
            budget_services.transition(
                idea,
                IdeaAction.RETAIN,
                staff or SYSTEM,
                final_cost=Decimal(item.cost),
                comment="Projet faisable, chiffré par les services techniques.",
                now=reviewed_at + DAY,
            )
            out[key].append(idea)
    return out


def _voter(
    pseudonym: str,
    territory: Territory,
    verifier: User | None,
    birth_year: int,
    *,
    email: str | None = None,
    password: str | None = None,
) -> User:
    person = User(
        pseudonym=pseudonym,
        email=email,
        territory_id=territory.id,
        birth_year=birth_year,
        sex=Sex.FEMALE if birth_year % 2 else Sex.MALE,
        password_hash=hash_password(password) if password else None,
        data_notice_accepted_at=utcnow(),
    )
    person.roles = [UserRole(role=Role.RESIDENT)]
    person.verifications = [
        ResidentVerification(
            territory_id=territory.id,
            method=VerificationMethod.PROOF_IN_PERSON,
            verified_by_id=verifier.id if verifier else None,
            verified_by_role=Role.RELAY if verifier else None,
            note="Justificatif de domicile vu au centre social",
        )
    ]
    db.session.add(person)
    return person


def _qpv() -> dict[str, Territory] | None:
    main = main_qpv()
    conte = db.session.scalar(
        sa.select(Territory)
        .where(
            Territory.kind == TerritoryKind.QPV,
            Territory.name.ilike("%conte%"),
            Territory.id != main.id,
        )
        .order_by(Territory.id)
        .limit(1)
    )
    if conte is None:
        return None
    return {"main": main, "conte": conte}


def _set_rules(round_: Round) -> None:
    services.save_rules(
        round_,
        services.RulesData(
            ballot_type=BallotType.APPROVAL,
            min_projects=1,
            max_projects=3,
            min_age=16,
            required_level=VerificationLevel.VERIFIED,
            counting_rule=CountingRule.GREEDY,
        ),
        SYSTEM,
        # Set before voting opens (the rules are locked from then on).
        now=round_.announcement_at,
    )


def _neighbours(qpv: dict[str, Territory], relay: User | None) -> dict[str, list[User]]:
    """Twelve verified neighbours per QPV, and Samir (the demo home page's voter)."""
    neighbours = {
        key: [
            _voter(f"Voisin·e {label} {n:02d}", territory, relay, 1950 + 3 * n)
            for n in range(1, 13)
        ]
        for key, territory, label in (
            ("main", qpv["main"], "Pont-Vieux"),
            ("conte", qpv["conte"], "Conte"),
        )
    }
    _voter(
        "Samir de la Conte",
        qpv["conte"],
        relay,
        1990,
        email=CONTE_VOTER_EMAIL,
        password=CONTE_VOTER_PASSWORD,
    )
    db.session.flush()
    return neighbours


@dataclass(frozen=True)
class _Demo:
    """What every demo round shares: the two QPV, the projects' authors, staff, now."""

    qpv: dict[str, Territory]
    authors: dict[str, User]
    staff: User | None
    now: datetime
    #: The trustees' shares of each demo round's key (published for the demo only).
    shares: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _ceremony(round_: Round, demo: _Demo) -> tuple[str, ...]:
    """A completed key ceremony (2 of 3) for *round_* the day before its vote.

    The demo publishes the shares (:data:`SHARES_FILE`) so that a demo user can open
    the box and count.
    """
    day = (round_.vote_opens_at - DAY).astimezone(PARIS).date()
    return services.completed_ceremony(round_, demo.staff, day)


def _write_shares(shares: dict[str, tuple[str, ...]]) -> None:
    """Publish the demo rounds' shares in the instance folder (named in README).

    Only in demo mode (``make run``): a test loading the demo writes nothing.
    """
    if not current_app.config.get("DEMO"):
        return
    lines = [
        "Parts des garant·es des votes de démonstration"
        " (2 parts sur 3 ouvrent l'urne).",
        "Demo trustees' shares (any 2 of 3 open the ballot box). DEMO ONLY.",
        "",
    ]
    for title, items in shares.items():
        lines.append(title)
        lines.extend(f"  {share}" for share in items)
        lines.append("")
    path = Path(current_app.instance_path) / SHARES_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def _vote(
    demo: _Demo,
    title: str,
    offsets: tuple[int, ...],
    projects: dict[str, tuple[DemoProject, ...]],
    ballots: dict[str, list[tuple[int, ...]]],
    voters: dict[str, list[User]],
    cast_at: Callable[[Round], datetime],
) -> Round:
    """A round with its retained projects and rules; *voters* cast *ballots*."""
    round_ = _make_round(title, offsets, demo.qpv, demo.now)
    ideas = _retain(round_, projects, demo.qpv, demo.authors, demo.staff)
    _set_rules(round_)
    demo.shares[round_.title] = _ceremony(round_, demo)
    for key, choices_of in ballots.items():
        for person, indexes in zip(voters[key], choices_of, strict=True):
            choices = [(ideas[key][i].id, 1) for i in indexes]
            services.cast_ballot(person, round_, choices, now=cast_at(round_))
    return round_


def _finished_vote(demo: _Demo, neighbours: dict[str, list[User]]) -> Round:
    """A vote that ended, counted and certified by the agent, published by the admin
    (two different staff members: four eyes on every result)."""
    finished = _vote(
        demo,
        "Budget participatif — vote terminé (démo)",
        (-130, -110, -100, -90, -80, -73),
        FINISHED,
        FINISHED_BALLOTS,
        {
            key: people[: len(FINISHED_BALLOTS[key])]
            for key, people in neighbours.items()
        },
        cast_at=lambda round_: round_.vote_opens_at + DAY,
    )
    services.open_sealed_box(
        finished, list(demo.shares[finished.title][:2]), SYSTEM, demo.now
    )
    staff = db.session.scalar(sa.select(User).where(User.email == STAFF_EMAIL))
    admin = db.session.scalar(sa.select(User).where(User.email == ADMIN_EMAIL))
    certifier, publisher = staff or SYSTEM, admin or SYSTEM
    for result in services.compute_round(finished, certifier, demo.now):
        services.transition_result(
            result, ResultAction.CERTIFY, certifier, now=demo.now
        )
        services.transition_result(
            result, ResultAction.PUBLISH, publisher, now=demo.now
        )
    return finished


def _open_vote(demo: _Demo, neighbours: dict[str, list[User]]) -> None:
    """A vote in progress: Amina and Samir can vote; a few neighbours already did
    (the last ones: the first ones author the projects)."""
    _vote(
        demo,
        "Budget participatif — vote en cours (démo)",
        (-50, -30, -20, -10, -2, 5),
        OPEN,
        OPEN_BALLOTS,
        {key: people[-len(OPEN_BALLOTS[key]) :] for key, people in neighbours.items()},
        cast_at=lambda _round: demo.now,
    )
    # Amina (accounts demo, verified in the main QPV) has not voted: she votes herself.


def load() -> None:
    """Add the voting demo (called once by participation.demo, after budget)."""
    if db.session.scalar(sa.select(sa.func.count(VoteRules.id))):
        return
    qpv = _qpv()
    if qpv is None:
        return  # the territories demo did not run
    now = utcnow()
    staff = db.session.scalar(sa.select(User).where(User.email == STAFF_EMAIL))
    relay = db.session.scalar(
        sa.select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.RELAY)
        .limit(1)
    )
    neighbours = _neighbours(qpv, relay)
    authors = {key: people[0] for key, people in neighbours.items()}
    demo = _Demo(qpv=qpv, authors=authors, staff=staff, now=now)
    finished = _finished_vote(demo, neighbours)
    # The budget demo's announced round continues this one: its carry-over shows.
    announced = db.session.scalar(
        sa.select(Round)
        .where(Round.vote_opens_at > now, Round.previous_round_id.is_(None))
        .order_by(Round.vote_opens_at)
        .limit(1)
    )
    if announced is not None:
        announced.previous_round = finished
        db.session.flush()
        budget_services.refresh_carry_over(announced, staff or SYSTEM)
    _open_vote(demo, neighbours)
    _write_shares(demo.shares)
    # The Toulouse archive, when the shared data is beside the checkout.
    path = SHARED_DIR / TOULOUSE_FILE
    if path.exists():
        archive.import_election(pabulib.read(path), now=now)
    db.session.flush()
