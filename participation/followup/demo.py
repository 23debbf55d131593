"""Demo data of the follow-up: the strategic framework, last year's vote on the three
other QPV, and the projects of every published vote in each status.

The voting demo publishes a vote on Bastide - Pont-Vieux and La Conte; here an older
round (Le Viguier, Fleming, Grazailles) goes through the same services: ideas
submitted and retained (budget), ballots cast, counted, certified and published
(voting). Then every published winner becomes a project through
``create_projects_for_round`` and moves through ``transition_project``, with
milestones, news and drawn photos, at past dates. Nothing is built in a final state.
Demo content is data (French), not translatable text.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from PIL import Image, ImageDraw

from ..accounts.demo import ADMIN_EMAIL, RESIDENT_EMAIL, STAFF_EMAIL
from ..accounts.models import ResidentVerification, User, UserRole
from ..accounts.states import Role, Sex, VerificationLevel, VerificationMethod
from ..budget import services as budget
from ..budget.models import Envelope, Round
from ..budget.states import IdeaAction
from ..core.actors import SYSTEM, Actor
from ..core.time import PARIS, utcnow
from ..extensions import db
from ..territories.models import Territory, TerritoryKind, Theme
from ..voting import services as voting
from ..voting.states import BallotType, CountingRule, ResultAction
from . import follows, framework, queries, services
from .models import Objective, Project
from .states import ProjectAction

DAY = timedelta(days=1)

#: Carcassonne's draft 2024-2030 framework (three blocs, twelve objectives, three
#: transversal challenges), with a few operational objectives from the 2015-2020
#: tree placed under them: (code, label, parent code).
FRAMEWORK: tuple[tuple[str, str, str | None], ...] = (
    ("V1", "La vie des habitants : grandir", None),
    ("1", "Vivre en bonne santé", "V1"),
    (
        "2",
        "Réussir l'éducation des enfants et accompagner les parcours de jeunes"
        " vers l'autonomie",
        "V1",
    ),
    (
        "3",
        "Développer les pratiques culturelles et sportives et leur accessibilité",
        "V1",
    ),
    ("3.1", "Favoriser les pratiques sportives pour tous", "3"),
    ("3.2", "Favoriser les pratiques culturelles et l'accès aux équipements", "3"),
    ("4", "Favoriser les solidarités et l'accès aux droits", "V1"),
    ("V2", "La vie de quartier : habiter", None),
    ("5", "Apaiser les quartiers", "V2"),
    ("5.1", "Améliorer la sécurité et faire reculer le sentiment d'insécurité", "5"),
    ("6", "Entretenir et embellir les lieux de vie", "V2"),
    (
        "6.1",
        "Maintenir la propreté des espaces et une collecte des ordures adaptée",
        "6",
    ),
    ("6.2", "Aménager des espaces de vie extérieurs", "6"),
    (
        "7",
        "Aménager des quartiers à vivre pour toutes et tous et accompagner les"
        " « grands » projets",
        "V2",
    ),
    ("V3", "La vie économique : travailler", None),
    (
        "8",
        "Rapprocher les publics des QPV des opportunités économiques du"
        " « grand territoire »",
        "V3",
    ),
    ("9", "Ouvrir le champ des possibles des plus jeunes", "V3"),
    ("10", "Valoriser l'initiative économique des habitants", "V3"),
    ("11", "Dynamiser l'offre commerçante de proximité", "V3"),
    ("T", "Défis transversaux", None),
    ("T1", "Changement climatique", "T"),
    ("T2", "Mobilités", "T"),
    ("T3", "Main dans la main avec les habitants", "T"),
)

#: Approximate centres of the five QPV (WGS 84), for the demo's map points.
POINTS = {
    "Bastide": (Decimal("43.212500"), Decimal("2.353000")),
    "Conte": (Decimal("43.204500"), Decimal("2.370000")),
    "Viguier": (Decimal("43.222000"), Decimal("2.339000")),
    "Fleming": (Decimal("43.219000"), Decimal("2.370500")),
    "Grazailles": (Decimal("43.230000"), Decimal("2.340000")),
}


@dataclass(frozen=True)
class OldIdea:
    qpv: str
    title: str
    description: str
    cost: str
    themes: tuple[str, ...]
    place: str


#: Last year's round on the three QPV the voting demo does not cover.
OLD_IDEAS = (
    OldIdea(
        "Viguier",
        "Création d'une équipe de foot au Viguier Saint-Jacques",
        "Des maillots, des ballons et des buts mobiles pour une équipe de"
        " quartier encadrée par le club.",
        "3500",
        ("culture", "education_youth"),
        "City-stade du Viguier",
    ),
    OldIdea(
        "Viguier",
        "Panneaux d'information dans le quartier",
        "Trois panneaux pour annoncer les activités du centre social.",
        "2500",
        ("social_ties",),
        "Place du marché",
    ),
    OldIdea(
        "Fleming",
        "Composteurs en pied d'immeuble",
        "Quatre composteurs et une formation des habitants volontaires.",
        "2800",
        ("ecological_transition", "living_environment"),
        "Résidence Fleming",
    ),
    OldIdea(
        "Fleming",
        "Distribution de sacs pour déjections canines",
        "Des distributeurs de sacs le long des allées.",
        "1200",
        ("living_environment",),
        "Allées de la Reille",
    ),
    OldIdea(
        "Grazailles",
        "Bancs et tables de pique-nique",
        "Deux tables et quatre bancs sous les arbres, près de l'aire de jeux.",
        "4200",
        ("social_ties", "living_environment"),
        "Parc de Grazailles",
    ),
    OldIdea(
        "Grazailles",
        "Végétalisation de la cour d'école",
        "Des arbres et des bacs plantés dans la cour de l'école.",
        "2800",
        ("ecological_transition",),
        "École de Grazailles",
    ),
)
#: Ballots of last year's vote: indexes into OLD_IDEAS of each QPV.
OLD_BALLOTS = {
    "Viguier": [(0,), (0, 1), (0,), (1,), (0,)],
    "Fleming": [(0,), (0, 1), (0,), (0,)],
    "Grazailles": [(0,), (0, 1), (0,), (1,), (0,)],
}


@dataclass(frozen=True)
class Story:
    """What happens to a demo project: where it ends, how far, tagged to what."""

    path: str = "planned"
    progress: int = 100
    objectives: tuple[str, ...] = ()
    #: Spent above committed, with the reason recorded.
    over: bool = False
    #: Amina (the accounts demo's resident) follows it with her account.
    follow: bool = False


#: The story of each project, by the start of its title.
STORIES: dict[str, Story] = {
    "Création d'une équipe": Story("delivered", objectives=("3.1",)),
    "Panneaux": Story("delivered", objectives=("T3",)),
    "Composteurs": Story("delivered", objectives=("6.1", "T1"), over=True),
    "Bancs et tables": Story("abandoned", objectives=("6.2",)),
    "Distribution de sacs": Story("in_progress", 45, ("6.1",)),
    "Végétalisation": Story("in_progress", 70, ("T1",)),
    "Aire de jeux": Story("in_progress", 60, ("6.2",), follow=True),
    "Boîte à livres": Story("in_progress", 20, ("3.2",)),
    "Bancs et ombrages": Story("planned", objectives=("6.2", "T1")),
    "Table de ping-pong": Story("in_progress", 30, ("3.1",)),
    "Jardin partagé": Story("planned", objectives=("6.2", "T1")),
    "Fresque": Story("planned", objectives=("3.2",)),
}


def _picture(seed: int) -> bytes:
    """A small drawn picture standing for a photo of the works."""
    image = Image.new("RGB", (640, 420), (150, 200, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 300, 640, 420), fill=(105, 165, 85))
    hue = (seed * 67) % 200
    draw.rectangle((120, 180, 520, 300), fill=(200 - hue // 2, 120, 60 + hue // 2))
    draw.polygon([(100, 180), (320, 80), (540, 180)], fill=(170, 60, 50))
    draw.ellipse((540, 30, 610, 100), fill=(250, 210, 70))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _paris(moment: datetime, hour: int) -> datetime:
    local = moment.astimezone(PARIS).replace(hour=hour, minute=0, second=0)
    return local.replace(microsecond=0).astimezone(moment.tzinfo)


def _territories() -> dict[str, Territory]:
    found: dict[str, Territory] = {}
    for territory in db.session.scalars(
        sa.select(Territory).where(Territory.kind == TerritoryKind.QPV)
    ):
        for key in POINTS:
            if key.lower() in territory.name.lower() and key not in found:
                found[key] = territory
    return found


def load_framework(actor: Actor) -> dict[str, Objective]:
    nodes: dict[str, Objective] = {}
    for position, (code, label, parent) in enumerate(FRAMEWORK):
        nodes[code] = framework.create_objective(
            framework.ObjectiveData(
                code=code,
                label=label,
                parent_id=nodes[parent].id if parent else None,
                position=position,
            ),
            actor,
        )
    return nodes


def _voter(name: str, territory: Territory, year: int) -> User:
    person = User(
        pseudonym=name,
        territory_id=territory.id,
        birth_year=year,
        sex=Sex.FEMALE if year % 2 else Sex.MALE,
        data_notice_accepted_at=utcnow(),
    )
    person.roles = [UserRole(role=Role.RESIDENT)]
    person.verifications = [
        ResidentVerification(
            territory_id=territory.id,
            method=VerificationMethod.PROOF_IN_PERSON,
            note="Justificatif de domicile vu au centre social",
        )
    ]
    db.session.add(person)
    return person


def _old_round(qpv: dict[str, Territory], staff: User, now: datetime) -> Round:
    """Last year's round on the other QPV, voted and published at past dates."""
    start = now - 420 * DAY
    names = (
        "submission_opens_at",
        "submission_closes_at",
        "review_closes_at",
        "announcement_at",
        "vote_opens_at",
        "vote_closes_at",
    )
    offsets = (0, 30, 40, 45, 55, 65)
    dates = {
        name: _paris(start + days * DAY, 18 if name.endswith("closes_at") else 9)
        for name, days in zip(names, offsets, strict=True)
    }
    keys = ("Viguier", "Fleming", "Grazailles")
    round_ = Round(
        title=f"Budget participatif — printemps {start.astimezone(PARIS).year} (démo)",
        description="Le premier budget participatif du Viguier, de Fleming et de"
        " Grazailles.",
        rules_text="Un projet coûte entre 500 € et 6 000 €.",
        min_cost=Decimal("500"),
        max_cost=Decimal("6000"),
        published_at=dates["submission_opens_at"] - 5 * DAY,
        **dates,
    )
    round_.envelopes = [
        Envelope(territory_id=qpv[k].id, amount=Decimal("7000")) for k in keys
    ]
    round_.themes = list(db.session.scalars(sa.select(Theme)))
    db.session.add(round_)
    db.session.flush()
    themes = {t.code: t.id for t in round_.themes}
    ideas: dict[str, list[int]] = {k: [] for k in keys}
    for n, item in enumerate(OLD_IDEAS):
        author = _voter(f"Habitant·e {item.qpv} {n + 1:02d}", qpv[item.qpv], 1970 + n)
        db.session.flush()
        lat, lng = POINTS[item.qpv]
        idea = budget.create_idea(
            round_,
            budget.IdeaData(
                title=item.title,
                description=item.description,
                territory_id=qpv[item.qpv].id,
                place=item.place,
                latitude=lat + Decimal(n) / 1000,
                longitude=lng - Decimal(n) / 1000,
                theme_ids=[themes[c] for c in item.themes if c in themes],
                estimated_cost=Decimal(item.cost),
                accepted_rules=True,
            ),
            author=author,
            actor=author,
            submit=True,
            now=round_.submission_opens_at + (n + 1) * DAY,
        )
        reviewed = round_.submission_closes_at + DAY
        budget.transition(idea, IdeaAction.START_REVIEW, staff, now=reviewed)
        budget.transition(
            idea,
            IdeaAction.RETAIN,
            staff,
            final_cost=Decimal(item.cost),
            comment="Projet faisable, chiffré par les services techniques.",
            now=reviewed + DAY,
        )
        ideas[item.qpv].append(idea.id)
    voting.save_rules(
        round_,
        voting.RulesData(
            ballot_type=BallotType.APPROVAL,
            min_projects=1,
            max_projects=2,
            min_age=16,
            required_level=VerificationLevel.VERIFIED,
            counting_rule=CountingRule.GREEDY,
        ),
        staff,
        now=round_.announcement_at,
    )
    shares = voting.completed_ceremony(round_, staff, round_.vote_opens_at.date())
    during = round_.vote_opens_at + DAY
    for key, ballots in OLD_BALLOTS.items():
        for n, indexes in enumerate(ballots):
            person = _voter(f"Votant·e {key} {n + 1:02d}", qpv[key], 1948 + 7 * n)
            db.session.flush()
            voting.cast_ballot(
                person, round_, [(ideas[key][i], 1) for i in indexes], now=during
            )
    counted = round_.vote_closes_at + 2 * DAY
    voting.open_sealed_box(round_, list(shares[:2]), staff, counted)
    # Four eyes: the agent certifies, the administration publishes.
    admin = db.session.scalar(sa.select(User).where(User.email == ADMIN_EMAIL))
    for result in voting.compute_round(round_, staff, counted):
        voting.transition_result(result, ResultAction.CERTIFY, staff, now=counted)
        voting.transition_result(
            result, ResultAction.PUBLISH, admin or SYSTEM, now=counted + DAY
        )
    return round_


def _story(project: Project) -> Story:
    for start, story in STORIES.items():
        if project.title.startswith(start):
            return story
    return Story()


def _update(
    project: Project,
    staff: User,
    title: str,
    body: str,
    when: datetime,
    photo: int | None = None,
) -> None:
    services.publish_update(
        project,
        services.UpdateData(
            title=title,
            body=body,
            photo=_picture(photo) if photo is not None else None,
            photo_alt=f"Dessin : {project.title.lower()}, chantier" if photo else "",
            photo_consent=photo is not None,
        ),
        staff,
        now=when,
    )


def _money(
    project: Project, story: Story, progress: int, point: tuple[Decimal, Decimal]
) -> services.ProjectData:
    committed = project.amount_voted if story.path != "planned" else Decimal("0")
    spent = (committed * progress / 100).quantize(Decimal("0.01"))
    if story.over:
        spent = committed + Decimal("240.00")
    green = {"6.1", "6.2", "T1"} & set(story.objectives)
    return services.ProjectData(
        title=project.title,
        summary=project.summary,
        service_in_charge="Service des espaces verts"
        if green
        else "Service des sports et de la vie associative",
        progress_percent=progress,
        amount_committed=committed,
        amount_spent=spent,
        overspend_reason="Une dalle supplémentaire a été nécessaire pour poser"
        " les composteurs."
        if story.over
        else "",
        place=project.place or "Dans le quartier",
        latitude=point[0],
        longitude=point[1],
        objective_ids=[o.id for o in project.objectives],
    )


def _live(
    project: Project,
    staff: User,
    nodes: dict[str, Objective],
    now: datetime,
    point: tuple[Decimal, Decimal],
) -> None:
    """Move one project along its demo story, at past dates."""
    story = _story(project)
    # Events spread between the decision day and now: a year for last year's
    # round, a few hours for the vote the voting demo has just published.
    decided = datetime.combine(project.decided_on, datetime.min.time(), PARIS)
    span = now - decided

    def at(share: float) -> datetime:
        return decided + span * share

    project.objectives = [nodes[c] for c in story.objectives if c in nodes]
    services.update_project(project, _money(project, story, 0, point), staff)
    services.add_milestone(
        project,
        services.MilestoneData(
            title="Étude et commande",
            planned_on=(at(0.15) if story.path != "planned" else now + 45 * DAY).date(),
            actual_on=at(0.2).date() if story.path != "planned" else None,
        ),
        staff,
    )
    if story.path == "planned":
        return
    if story.path == "abandoned":
        services.transition_project(
            project,
            ProjectAction.ABANDON,
            staff,
            comment="Le terrain appartient au bailleur, qui n'a pas donné son"
            " accord : l'argent revient à l'enveloppe du quartier.",
            now=at(0.3),
        )
        return
    services.transition_project(project, ProjectAction.START, staff, now=at(0.25))
    _update(
        project,
        staff,
        "Les travaux ont commencé",
        "L'entreprise est sur place depuis ce matin. Le chantier est balisé.",
        at(0.3),
        photo=project.id,
    )
    delivered = story.path == "delivered"
    services.add_milestone(
        project,
        services.MilestoneData(
            title="Travaux",
            planned_on=(at(0.5) if delivered else now + 30 * DAY).date(),
            actual_on=at(0.55).date() if delivered else None,
        ),
        staff,
    )
    if delivered:
        services.transition_project(
            project,
            ProjectAction.DELIVER,
            staff,
            comment="Réception des travaux avec les habitants.",
            now=at(0.7),
        )
    services.update_project(
        project,
        _money(project, story, 100 if delivered else story.progress, point),
        staff,
    )
    if delivered:
        _update(
            project,
            staff,
            "C'est fini !",
            "Le projet est réalisé. Merci aux habitants qui l'ont proposé et voté.",
            at(0.75),
            photo=project.id + 50,
        )


def load() -> None:
    """Add the follow-up demo (called once by participation.demo, after voting)."""
    if db.session.scalar(sa.select(sa.func.count(Objective.id))):
        return
    staff = db.session.scalar(sa.select(User).where(User.email == STAFF_EMAIL))
    qpv = _territories()
    if staff is None or len(qpv) < len(POINTS):
        return  # the accounts or territories demo did not run
    now = utcnow()
    nodes = load_framework(staff)
    _old_round(qpv, staff, now)
    db.session.flush()
    for round_, _count in queries.rounds_with_pending_winners():
        if "(démo)" in round_.title:
            services.create_projects_for_round(round_, staff)
    db.session.flush()
    keys = {t.id: k for k, t in qpv.items()}
    projects = db.session.scalars(sa.select(Project).order_by(Project.id)).all()
    for n, project in enumerate(projects):
        lat, lng = POINTS[keys.get(project.territory_id, "Bastide")]
        point = (lat + Decimal(n % 3) / 1000, lng + Decimal(n % 2) / 1000)
        _live(project, staff, nodes, now, point)
    amina = db.session.scalar(sa.select(User).where(User.email == RESIDENT_EMAIL))
    for project in projects:
        if amina is not None and _story(project).follow:
            follows.follow_with_account(project, amina)
    delivered = [p for p in projects if _story(p).path == "delivered"]
    if delivered:
        # A neighbour without account follows by address and confirms the link.
        tokens: list[str] = []
        follows.request_follow_by_email(
            delivered[0], "voisine.conte@example.org", "fr", _keep(tokens)
        )
        follows.confirm_follow(tokens[0])
    db.session.flush()


def _keep(tokens: list[str]) -> Callable[[str], str]:
    def make_link(token: str) -> str:
        tokens.append(token)
        return f"/follows/confirm/{token}"

    return make_link
