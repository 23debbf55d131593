"""Demo data of the FPH: each demo QPV's fund for the current year (3,000 €, as in
Alès), its règlement, a coming committee, and applications in several states.

Everything goes through the services (the demo takes no shortcut past the rules);
fph2's step adds the past committee's decisions, the paid grant and its bilan.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from ..accounts.demo import RELAY_EMAIL, RESIDENT_EMAIL, STAFF_EMAIL
from ..accounts.models import User
from ..core.actors import SYSTEM
from ..core.time import PARIS
from ..council.models import Council, Meeting
from ..council.services import meetings
from ..council.states import MeetingKind
from ..extensions import db
from ..territories.models import Territory
from . import services
from .models import Application, Fund
from .states import ApplicantKind, FunderKind

ENVELOPE = Decimal("3000.00")
#: A valid IBAN (check digits hold) for the demo holders.
DEMO_IBAN = "FR7630006000011234567890189"

REGLEMENT = """Article 1. Objet. Le fonds de participation des habitants (FPH) finance \
des projets portés par des habitants du quartier, qui créent du lien social : fête de \
quartier, repas partagé, sortie, atelier, embellissement d'un lieu.

Article 2. Qui peut déposer. Un groupe d'au moins trois habitants majeurs du quartier, \
avec une personne à contacter, ou une petite association du quartier (numéro RNA ou \
SIRET).

Article 3. Montant. L'aide est de 1 000 € au plus par projet et ne dépasse pas 80 % \
du coût total ; le budget prévisionnel est équilibré. Un groupe reçoit au plus deux \
aides par an.

Article 4. Calendrier. La commission du FPH se réunit chaque mois ; un dossier doit \
être déposé au moins 30 jours avant sa réunion.

Article 5. Versement et bilan. Une avance est versée après la décision, le solde \
après le bilan de l'action (participants, dépenses, justificatifs, photos)."""

PROJECTS = [
    (
        "Repas partagé de la rue",
        "Un grand repas entre voisins au pied des immeubles.",
        "Les habitants de la rue et leurs enfants.",
        "Square central",
        80,
        [("Nourriture et boissons", "450"), ("Location de tables", "150")],
        [("Participation des habitants", "120")],
        "480",
    ),
    (
        "Atelier vélo solidaire",
        "Réparer les vélos du quartier avec un bénévole.",
        "Les jeunes de 10 à 18 ans.",
        "Local de la maison de quartier",
        25,
        [("Pièces détachées", "300"), ("Outils", "200")],
        [("Don d'un commerçant", "100")],
        "400",
    ),
    (
        "Sortie familiale à la mer",
        "Une journée à la plage pour les familles.",
        "Les familles qui ne partent pas en vacances.",
        "Gruissan",
        50,
        [("Location d'un car", "900"), ("Goûter", "100")],
        [("Participation des familles", "250")],
        "750",
    ),
    (
        "Fresque du passage",
        "Peindre une fresque avec les enfants du quartier.",
        "Les enfants de l'école et leurs parents.",
        "Passage des Tilleuls",
        40,
        [("Peinture", "350"), ("Intervention d'une artiste", "250")],
        [("Autofinancement", "150")],
        "450",
    ),
    (
        "Jardin des voisins",
        "Des bacs à légumes en pied d'immeuble.",
        "Les locataires de la résidence.",
        "Résidence des Lilas",
        30,
        [("Bacs et terreau", "400"), ("Graines et plants", "100")],
        [("Bailleur social", "150")],
        "350",
    ),
]


def _paris(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


#: The fund's help text in Arabic (the demo's example of a translated staff text).
HELP_TEXT_AR = (
    "يساعدكم منسّقو المركز الاجتماعي على ملء الملف، عبر الإنترنت أو على الورق،"
    " يومَي الثلاثاء والخميس من الساعة 14 إلى الساعة 17."
)


def _by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _fund(territory: Territory, council: Council, year: int, staff: User) -> Fund:
    fund = services.create_fund(
        services.FundData(
            name=f"FPH {territory.name} {year}",
            year=year,
            territory_id=territory.id,
            envelope=ENVELOPE,
            council_id=council.id,
            managing_body=f"Conseil citoyen {territory.name}",
            help_text=(
                "Les relais du centre social vous aident à remplir le dossier, en ligne"
                " ou sur papier, le mardi et le jeudi de 14 h à 17 h."
            ),
            contact="Centre social, 04 68 00 00 00",
            # One text given in Arabic too: Arabic pages show it, not the French.
            texts_by_language={"ar": {"help_text": HELP_TEXT_AR}},
        ),
        staff,
    )
    services.set_funders(
        fund,
        [
            services.FunderData(
                "État (politique de la ville)", FunderKind.STATE, Decimal("50")
            ),
            services.FunderData("Carcassonne Agglo", FunderKind.EPCI, Decimal("50")),
        ],
        staff,
    )
    services.adopt_reglement(
        fund,
        REGLEMENT,
        "Délibération du conseil communautaire n° 2025-112",
        date(year - 1, 12, 11),
        staff,
    )
    return fund


def _committee(council: Council, day: date) -> Meeting:
    starts = _paris(day, 18)
    return meetings.create_meeting(
        council,
        meetings.MeetingData(
            title="Commission du fonds de participation des habitants",
            kind=MeetingKind.FPH_COMMITTEE,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            place="Maison des associations, salle du rez-de-chaussée",
        ),
        SYSTEM,
    )


def _application(
    fund: Fund,
    owner: User,
    n: int,
    today: date,
    *,
    upto: int = 5,
    for_group: bool = True,
) -> Application:
    title, what, whom, place, people, expenses, resources, asked = PROJECTS[
        n % len(PROJECTS)
    ]
    relay = for_group and services.can_file_on_behalf(owner)
    application = services.start_application(
        fund,
        owner,
        for_group=relay,
        consent_note="Accord du groupe recueilli au centre social" if relay else None,
    )
    services.accept_reglement(application, True, owner)
    if upto >= 2:
        services.save_applicant(
            application,
            services.ApplicantData(
                kind=ApplicantKind.INFORMAL_GROUP,
                name=f"Les voisins n° {n + 1}",
                contact_name="Fatima B.",
                contact_phone="06 12 34 56 78",
                members_count=6,
                adult_names=["Fatima B.", "Jean-Pierre M.", "Sofia L.", "Karim D."],
            ),
            owner,
        )
    if upto >= 3:
        services.save_project(
            application,
            services.ProjectData(
                title=title,
                description=what,
                audience=whom,
                starts_on=today + timedelta(days=80 + n),
                place=place,
                expected_participants=people,
            ),
            owner,
        )
    if upto >= 4:
        services.save_budget(
            application,
            [services.LineData(label, Decimal(a)) for label, a in expenses],
            [services.LineData(label, Decimal(a)) for label, a in resources],
            Decimal(asked),
            owner,
        )
    if upto >= 5:
        services.save_holder(
            application,
            services.HolderData(name="Fatima B.", iban=DEMO_IBAN),
            owner,
        )
    return application


def load() -> None:
    """A fund per demo QPV that has a council (does nothing where one exists)."""
    staff = _by_email(STAFF_EMAIL)
    relay = _by_email(RELAY_EMAIL)
    resident = _by_email(RESIDENT_EMAIL)
    if staff is None or relay is None:
        return  # the accounts demo did not run
    today = datetime.now(PARIS).date()
    councils = db.session.scalars(
        sa.select(Council)
        .join(Territory, Territory.id == Council.territory_id)
        .order_by(Territory.code)
    ).all()
    for index, council in enumerate(councils):
        territory = council.territory
        assert territory is not None
        exists = db.session.scalar(
            sa.select(Fund.id).where(
                Fund.territory_id == territory.id, Fund.year == today.year
            )
        )
        if exists is not None:
            continue
        fund = _fund(territory, council, today.year, staff)
        # Complete before any committee date is set: it waits for the next one.
        waiting = _application(fund, relay, index, today)
        services.submit_application(waiting, relay)
        services.mark_complete(waiting, staff)
        _committee(council, today + timedelta(days=45))
        _committee(council, today + timedelta(days=75))
        owner = (
            resident if (resident and resident.territory_id == territory.id) else relay
        )
        submitted = _application(fund, owner, index + 1, today, for_group=False)
        services.submit_application(submitted, owner)
        incomplete = _application(fund, relay, index + 2, today)
        services.submit_application(incomplete, relay)
        services.mark_incomplete(
            incomplete,
            "Il manque le devis de la location du car et la liste signée des membres.",
            staff,
        )
        scheduled = _application(fund, relay, index + 3, today)
        services.submit_application(scheduled, relay)
        services.mark_complete(scheduled, staff)
        _application(fund, owner, index + 4, today, upto=3, for_group=False)
        db.session.flush()
