"""Demo data of the citizens' councils: one council per demo QPV, each with a past
draw by lot and its report, both collèges, two past meetings (attendance, votes,
minutes approved at the next meeting, published and locked for the first), and a
coming meeting already convened.

Everything goes through the services and the transition applier, with a simulated
clock for the past; the demo content is data (French), not translatable text.
Runs after the accounts demo (the relay hands over the paper convocations).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from ..accounts.models import User, UserRole
from ..accounts.passwords import hash_password
from ..accounts.states import Role, Sex
from ..core.actors import SYSTEM
from ..core.time import PARIS, utcnow
from ..extensions import db
from ..territories.models import Territory, TerritoryKind
from .models import Council, CouncilMember, DrawEntry, Meeting, Minutes
from .services import (
    attendance,
    councils,
    deliberations,
    draws,
    meetings,
    minutes,
    seats,
)
from .states import (
    AgendaItemKind,
    AttendanceStatus,
    College,
    DrawOutcome,
    MeetingKind,
    MinutesAction,
)

RELAY_EMAIL = "relais@example.org"
RESIDENT_EMAIL = "amina@example.org"
#: The secretary of the council of the main demo QPV (signs in for the demo).
SECRETARY_EMAIL = "secretaire.cc@example.org"
# A demo password, like the accounts demo's ones.
SECRETARY_PASSWORD = "secretaire-cc-demo"  # noqa: S105
#: A titular member of the same council who can sign in.
MEMBER_EMAIL = "conseiller.cc@example.org"
MEMBER_PASSWORD = "conseiller-cc-demo"  # noqa: S105 (a demo password)
#: The QPV whose council gets the demo sign-ins (the main demo QPV).
MAIN_QPV_CODE = "QN01101M"
RESIDENTS_PER_SEX = 5
SUBSTITUTES_PER_SEX = 3
RULES_TEXT = """Règlement intérieur du conseil citoyen

Article 1 — Le conseil citoyen se réunit en séance plénière au moins une fois par
trimestre, et en commission du fonds de participation des habitants autant que
nécessaire. La convocation, avec l'ordre du jour, est adressée dix jours avant.

Article 2 — Le conseil délibère valablement lorsque la moitié au moins de ses
membres votants sont présents ou représentés. Chaque membre peut détenir un pouvoir.

Article 3 — Les décisions sont prises à la majorité simple des suffrages exprimés ;
la modification du présent règlement requiert les deux tiers.

Article 4 — Le compte rendu, rédigé par le ou la secrétaire de séance, est soumis
aux membres puis approuvé au début de la séance suivante, avant sa publication.
"""
WOMEN = (
    "Nadia",
    "Fatima",
    "Sylvie",
    "Josiane",
    "Leïla",
    "Maryse",
    "Khadija",
    "Chantal",
)
MEN = (
    "Karim",
    "Jean-Pierre",
    "Mehdi",
    "Bernard",
    "Youssef",
    "Patrick",
    "Ali",
    "Gérard",
)
SURNAMES = ("Benali", "Martin", "Garcia", "Roux", "Haddad", "Fabre", "Ouali", "Mas")
ASSOCIATIONS = (
    ("Régie de quartier", Sex.FEMALE),
    ("Amicale des locataires", Sex.MALE),
    ("Centre social", Sex.FEMALE),
    ("Club de foot du quartier", Sex.MALE),
    ("Association des parents d'élèves", Sex.FEMALE),
    ("Jardins partagés", Sex.MALE),
)


def _paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def _by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _person(
    pseudonym: str,
    real_name: str,
    sex: Sex,
    territory: Territory,
    *,
    email: str | None,
    relay: User | None,
    password: str | None = None,
) -> User:
    now = utcnow()
    user = User(
        pseudonym=pseudonym,
        real_name=real_name,
        email=email,
        sex=sex,
        territory_id=territory.id,
        data_notice_accepted_at=now,
        email_confirmed_at=now if email else None,
        password_hash=hash_password(password) if password else None,
        is_managed=email is None,
        managed_by_id=relay.id if (email is None and relay) else None,
        managed_consent_at=now if email is None else None,
    )
    user.roles = [UserRole(role=Role.RESIDENT)]
    db.session.add(user)
    db.session.flush()
    return user


def _pool(code: str) -> bytes:
    lines = ["reference;nom;sexe"]
    for sex, letter in (("F", "F"), ("M", "H")):
        for n in range(1, 13):
            lines.append(
                f"{code}-{letter}{n:02d};(nom dans la liste du bailleur);{sex}"
            )
    return ("\n".join(lines) + "\n").encode()


def _council(territory: Territory, start: date) -> Council:
    council = councils.create_council(
        councils.CouncilData(
            name=f"Conseil citoyen {territory.name}",
            territory_id=territory.id,
            description=(
                "Habitantes et habitants tirés au sort et acteurs associatifs du"
                " quartier : le conseil donne son avis sur le contrat de ville et"
                " attribue le fonds de participation des habitants."
            ),
            resident_seats=2 * RESIDENTS_PER_SEX,
            local_actor_seats=len(ASSOCIATIONS),
        ),
        SYSTEM,
    )
    councils.adopt_rules(
        council,
        councils.RulesData(text=RULES_TEXT, adopted_on=start, notice_days=10),
        SYSTEM,
    )
    return council


def _seat_draw(
    council: Council, territory: Territory, start: date, relay: User | None, n: int
) -> list[CouncilMember]:
    """Import the pool, draw in front of two witnesses, seat the drawn residents."""
    code = territory.code or f"T{territory.id}"
    draw = draws.import_pool(
        council,
        draws.PoolImport(
            title=f"Tirage au sort du collège habitants — {territory.name}",
            source="Locataires du bailleur social et volontaires de l'appel public",
            data=_pool(code),
            titulars_per_stratum=RESIDENTS_PER_SEX,
            substitutes_per_stratum=SUBSTITUTES_PER_SEX,
        ),
        SYSTEM,
    )
    draws.perform_draw(
        draw,
        "3 6 1 5 2 4",
        "Mme Josette Cazals, habitante\nM. Rachid Amrani, délégué du préfet",
        SYSTEM,
        now=_paris(start, 18),
    )
    seated = []
    drawn = [e for e in draw.entries if e.outcome is not DrawOutcome.NOT_DRAWN]
    for i, entry in enumerate(
        sorted(drawn, key=lambda e: (e.stratum, e.outcome or "", e.rank or 0))
    ):
        user = _drawn_person(entry, territory, relay, i + n)
        seated.append(
            seats.add_member(
                council,
                seats.MemberData(
                    person=user.email or user.pseudonym,
                    college=College.RESIDENTS,
                    sex=entry.sex,
                    mandate_starts_on=start,
                    mandate_ends_on=start + timedelta(days=3 * 365),
                    substitute_rank=entry.rank
                    if entry.outcome is DrawOutcome.SUBSTITUTE
                    else None,
                    is_secretary=user.email == SECRETARY_EMAIL,
                    draw_entry_id=entry.id,
                ),
                SYSTEM,
            )
        )
    return seated


def _drawn_person(
    entry: DrawEntry, territory: Territory, relay: User | None, i: int
) -> User:
    """The account of a drawn resident; the last titular of each sex has no e-mail
    (paper convocations through the relay); in the main QPV the first titular
    woman is the secretary and the first titular man a member who signs in."""
    code = territory.code or f"T{territory.id}"
    titular = entry.outcome is DrawOutcome.TITULAR
    email: str | None = f"cc.{code.lower()}.{entry.reference.lower()}@example.org"
    password = None
    if territory.code == MAIN_QPV_CODE and titular and entry.rank == 1:
        email, password = (
            (SECRETARY_EMAIL, SECRETARY_PASSWORD)
            if entry.sex is Sex.FEMALE
            else (MEMBER_EMAIL, MEMBER_PASSWORD)
        )
    elif titular and entry.rank == RESIDENTS_PER_SEX:
        email = None
    first = (WOMEN if entry.sex is Sex.FEMALE else MEN)[i % 8]
    surname = SURNAMES[i % 8]
    return _person(
        f"{first} {surname[0]}. ({code[-3:]}-{entry.rank}{entry.sex.value[0]})",
        f"{first} {surname}",
        entry.sex,
        territory,
        email=email,
        relay=relay,
        password=password,
    )


def _local_actors(
    council: Council, territory: Territory, start: date
) -> list[CouncilMember]:
    code = (territory.code or f"T{territory.id}").lower()
    seated = []
    for i, (association, sex) in enumerate(ASSOCIATIONS):
        first = (WOMEN if sex is Sex.FEMALE else MEN)[(i + 3) % 8]
        user = _person(
            f"{first} ({association}, {code[-3:]})",
            f"{first} {SURNAMES[(i + 5) % 8]}",
            sex,
            territory,
            email=f"asso.{code}.{i}@example.org",
            relay=None,
        )
        seated.append(
            seats.add_member(
                council,
                seats.MemberData(
                    person=user.email or "",
                    college=College.LOCAL_ACTORS,
                    sex=sex,
                    organisation=f"{association} {territory.name}",
                    mandate_starts_on=start,
                    mandate_ends_on=start + timedelta(days=3 * 365),
                ),
                SYSTEM,
            )
        )
    return seated


def _link(meeting: Meeting) -> str:
    return f"/councils/meetings/{meeting.id}"


def _hold(
    meeting: Meeting,
    titulars: list[CouncilMember],
    votes: list[tuple[str, tuple[int, int, int]]],
) -> None:
    """Attendance (one proxy, two excused, one absent), opening, votes, closing."""
    start = meeting.starts_at
    # The history before the site: convened outside it (no e-mail goes out now).
    meetings.convene(
        meeting,
        SYSTEM,
        meeting_url=_link,
        now=start - timedelta(days=12),
        send_emails=False,
    )
    lines = []
    for i, member in enumerate(titulars):
        if i == 1:
            status, holder = AttendanceStatus.REPRESENTED, titulars[0].id
        elif i in (2, 3):
            status, holder = AttendanceStatus.EXCUSED, None
        elif i == 4:
            status, holder = AttendanceStatus.ABSENT, None
        else:
            status, holder = AttendanceStatus.PRESENT, None
        lines.append(attendance.LineData(member.id, status, proxy_holder_id=holder))
    attendance.record_attendance(meeting, lines, SYSTEM)
    meetings.open_meeting(meeting, SYSTEM, now=start + timedelta(minutes=10))
    voting = [item for item in meeting.items if item.is_voting]
    for n, (item, (motion, (yes, no, abstain))) in enumerate(
        zip(voting, votes, strict=True)
    ):
        deliberations.record_deliberation(
            item,
            deliberations.VoteData(
                motion=motion, votes_for=yes, votes_against=no, abstentions=abstain
            ),
            SYSTEM,
            now=start + timedelta(minutes=30 + 20 * n),
        )
    meetings.close_meeting(meeting, SYSTEM, now=start + timedelta(hours=2))


def _plan(
    council: Council,
    title: str,
    starts_at: datetime,
    kind: MeetingKind,
    items: list[tuple[AgendaItemKind, str, int | None]],
) -> Meeting:
    meeting = meetings.create_meeting(
        council,
        meetings.MeetingData(
            title=title,
            kind=kind,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            place="Maison des associations, salle du rez-de-chaussée",
        ),
        SYSTEM,
        now=starts_at - timedelta(days=20),
    )
    for kind_, item_title, minutes_id in items:
        meetings.add_item(
            meeting,
            meetings.ItemData(kind=kind_, title=item_title, minutes_id=minutes_id),
            SYSTEM,
        )
    return meeting


def _spring(council: Council, titulars: list[CouncilMember], today: date) -> Minutes:
    """A plenary 100 days ago: a vote adopted, minutes drafted, edited, proposed."""
    meeting = _plan(
        council,
        "Séance plénière du printemps",
        _paris(today - timedelta(days=100), 18),
        MeetingKind.PLENARY,
        [
            (AgendaItemKind.INFORMATION, "Présentation du contrat de ville", None),
            (AgendaItemKind.DELIBERATION, "Avis sur le projet de jardin partagé", None),
        ],
    )
    _hold(meeting, titulars, [("Avis favorable au jardin partagé.", (9, 1, 1))])
    record = minutes.start_minutes(meeting, SYSTEM)
    minutes.edit_minutes(
        record,
        record.body
        + "\nÉchanges sur l'entretien du jardin et l'accès des écoles du quartier.\n",
        SYSTEM,
        comment="Débats complétés par la secrétaire",
    )
    minutes.transition(
        record, MinutesAction.PROPOSE, SYSTEM, now=meeting.ends_at, notify=False
    )
    return record


def _committee(
    council: Council, titulars: list[CouncilMember], today: date, spring: Minutes
) -> Minutes:
    """The FPH committee 50 days ago: approves the spring minutes (then published
    and locked) and grants a file; its own minutes are proposed."""
    meeting = _plan(
        council,
        "Commission du fonds de participation des habitants",
        _paris(today - timedelta(days=50), 18, 30),
        MeetingKind.FPH_COMMITTEE,
        [
            (AgendaItemKind.MINUTES_APPROVAL, "Compte rendu du printemps", spring.id),
            (
                AgendaItemKind.FPH_FILE,
                "Dossier FPH : sortie au lac de la Cavayère",
                None,
            ),
        ],
    )
    _hold(
        meeting,
        titulars,
        [
            ("Le compte rendu de la séance du printemps est approuvé.", (10, 0, 1)),
            ("Une aide de 800 € est accordée à la sortie familiale.", (8, 2, 1)),
        ],
    )
    published = meeting.ends_at + timedelta(days=1)
    minutes.transition(spring, MinutesAction.PUBLISH, SYSTEM, now=published)
    minutes.transition(spring, MinutesAction.LOCK, SYSTEM, now=published)
    record = minutes.start_minutes(meeting, SYSTEM)
    minutes.transition(
        record, MinutesAction.PROPOSE, SYSTEM, now=meeting.ends_at, notify=False
    )
    return record


def _coming(council: Council, today: date, to_approve: Minutes) -> None:
    """A plenary in twelve days, convened now (e-mails and paper letters)."""
    coming = _plan(
        council,
        "Séance plénière de rentrée",
        _paris(today + timedelta(days=12), 18),
        MeetingKind.PLENARY,
        [
            (
                AgendaItemKind.MINUTES_APPROVAL,
                "Compte rendu de la commission",
                to_approve.id,
            ),
            (AgendaItemKind.INFORMATION, "Point sur le budget participatif", None),
            (AgendaItemKind.DELIBERATION, "Avis sur la programmation de l'année", None),
        ],
    )
    meetings.convene(coming, SYSTEM, meeting_url=_link)


def load() -> None:
    """One council per demo QPV (does nothing for a QPV that already has one)."""
    relay = _by_email(RELAY_EMAIL)
    today = datetime.now(PARIS).date()
    start = today - timedelta(days=300)
    territories = db.session.scalars(
        sa.select(Territory)
        .where(Territory.kind == TerritoryKind.QPV, Territory.is_active.is_(True))
        .order_by(Territory.code)
    ).all()
    for n, territory in enumerate(territories):
        exists = db.session.scalar(
            sa.select(Council.id).where(Council.territory_id == territory.id)
        )
        if exists is not None:
            continue
        council = _council(territory, start)
        residents = _seat_draw(council, territory, start, relay, n)
        actors = _local_actors(council, territory, start)
        seats.add_facilitator(
            council,
            seats.FacilitatorData(
                name="Rachid Amrani",
                organisation="Délégué du préfet",
                starts_on=start,
                ends_on=start + timedelta(days=360),
            ),
            SYSTEM,
        )
        titulars = [m for m in residents + actors if m.is_titular]
        councils.record_composition(
            council,
            SYSTEM,
            recognition_reference=f"Arrêté préfectoral n° 11-{start.year}-{n + 1:03d}",
            recognised_on=start + timedelta(days=30),
        )
        spring = _spring(council, titulars, today)
        _coming(council, today, _committee(council, titulars, today, spring))
        db.session.flush()
