"""Demo people for every role; their passwords are shown on the demo home page only.

The residents live in the demo's main QPV, which the territories demo loads first
(looked up by name, see MAIN_QPV_NAMES). If no QPV exists yet, a minimal Carcassonne
and its largest QPV are created so that this step never fails on its own.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ..core.i18n import lazy_gettext as _l
from ..core.time import utcnow
from ..extensions import db
from ..territories.models import Commune, Territory, TerritoryKind
from .models import RelayTerritory, ResidentVerification, User, UserRole
from .passwords import hash_password
from .services import twofactor
from .states import Role, Sex, VerificationMethod


@dataclass(frozen=True)
class DemoPerson:
    """A demo account as shown on the demo home page."""

    #: The role, or a lazily translated description of a resident.
    role: Role | Any
    login: str
    password: str

    @property
    def role_label(self) -> str:
        """What the account is, in the reader's language."""
        return self.role.label if isinstance(self.role, Role) else str(self.role)


#: The main demo QPV, by name (any of these spellings), largest QPV as a fallback.
MAIN_QPV_NAMES = (
    "Bastide \u2013 Pont-Vieux",
    "Bastide - Pont-Vieux",
    "Bastide Pont Vieux",
)

#: Sign-in of the demo people, for other features' demo data to look them up.
ADMIN_EMAIL = "admin@example.org"
STAFF_EMAIL = "agent@example.org"
REVIEWER_EMAIL = "instructeur@example.org"
RELAY_EMAIL = "relais@example.org"
RESIDENT_EMAIL = "amina@example.org"
RESIDENT_PHONE = "+33612345678"
MANAGED_PSEUDONYM = "Rose du Pont-Vieux"

#: Filled by the accounts feature; shown only when DEMO is on.
DEMO_PEOPLE: list[DemoPerson] = [
    DemoPerson(_l("Resident (verified residence)"), RESIDENT_EMAIL, "habitante-demo"),
    DemoPerson(
        _l("Resident (phone only, declared)"), "06 12 34 56 78", "habitant-demo"
    ),
    DemoPerson(
        _l("Resident (account made by a relay)"), MANAGED_PSEUDONYM, "rose-demo-2027"
    ),
    # Added by the voting demo (participation.voting.demo), which creates the account.
    DemoPerson(
        _l("Resident of La Conte (verified, can vote)"),
        "samir@example.org",
        "votant-conte-demo",
    ),
    DemoPerson(Role.RELAY, RELAY_EMAIL, "relais-demo-1"),
    DemoPerson(Role.REVIEWER, REVIEWER_EMAIL, "instructeur-demo"),
    DemoPerson(Role.STAFF, STAFF_EMAIL, "agent-demo-pv"),
    DemoPerson(Role.ADMIN, ADMIN_EMAIL, "admin-demo-1"),
]


#: The published second factor of the demo staff and administrator: their
#: authenticator secret (base32), shown with the current code on the demo home
#: page. Demo only: production accounts enrol their own at first sign-in.
DEMO_TOTP_SECRET = "PARTICIPATIONDEMOSTAFFSECRETKEY2"  # noqa: S105 (a published demo value)
#: The demo managed account's code (printed on its sheet).
DEMO_ACCOUNT_CODE = "ROSE-2027"


def demo_second_factor() -> dict[str, str]:
    """The demo staff's authenticator secret and the code it gives right now."""
    import pyotp

    return {"secret": DEMO_TOTP_SECRET, "code": pyotp.TOTP(DEMO_TOTP_SECRET).now()}


def _folded(text: str) -> str:
    """Compare names without accents, case or dash style."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace("\u2013", " ").replace("-", " ").lower().split())


def main_qpv() -> Territory:
    """The QPV the demo residents live in (created minimally when missing)."""
    qpvs = list(
        db.session.scalars(
            sa.select(Territory)
            .where(Territory.kind == TerritoryKind.QPV, Territory.is_active.is_(True))
            .order_by(Territory.population.desc().nulls_last(), Territory.id)
        )
    )
    wanted = {_folded(name) for name in MAIN_QPV_NAMES}
    for territory in qpvs:
        if _folded(territory.name) in wanted:
            return territory
    if qpvs:
        return qpvs[0]
    # The territories demo has not run: stand-in data so that accounts still load.
    commune = db.session.scalar(sa.select(Commune).where(Commune.insee_code == "11069"))
    if commune is None:
        commune = Commune(insee_code="11069", name="Carcassonne", population=46513)
        db.session.add(commune)
    territory = Territory(
        commune=commune,
        kind=TerritoryKind.QPV,
        code="QN01101M",
        name=MAIN_QPV_NAMES[0],
        population=3873,
    )
    db.session.add(territory)
    db.session.flush()
    return territory


def _person(
    *,
    pseudonym: str,
    password: str,
    roles: tuple[Role, ...],
    territory: Territory | None,
    **values: Any,
) -> User:
    now = utcnow()
    user = User(
        pseudonym=pseudonym,
        password_hash=hash_password(password),
        territory_id=territory.id if territory else None,
        data_notice_accepted_at=now,
        **values,
    )
    if user.email:
        user.email_confirmed_at = now
    user.roles = [UserRole(role=role) for role in roles]
    db.session.add(user)
    return user


#: Sign-in -> password of every demo account.
_PASSWORDS = {person.login: person.password for person in DEMO_PEOPLE}


def _staff_member(email: str, pseudonym: str, real_name: str, *roles: Role) -> User:
    user = _person(
        email=email,
        pseudonym=pseudonym,
        real_name=real_name,
        password=_PASSWORDS[email],
        roles=roles,
        territory=None,  # they work for the city; they do not declare a home
    )
    if twofactor.requires_second_factor(user):
        twofactor.set_secret(user, DEMO_TOTP_SECRET, confirmed=True)
    return user


def _attach_relay(relay: User) -> None:
    """The demo relay serves every demo QPV (desks and verification)."""
    for territory in db.session.scalars(
        sa.select(Territory).where(Territory.kind == TerritoryKind.QPV)
    ):
        relay_territory = RelayTerritory(relay_id=relay.id, territory_id=territory.id)
        db.session.add(relay_territory)


def _residents(qpv: Territory, relay: User) -> None:
    """Amina (verified by the relay), Karim (phone only) and Rose (managed)."""
    amina = _person(
        email=RESIDENT_EMAIL,
        pseudonym="Amina",
        real_name="Amina Haddad",
        password=_PASSWORDS[RESIDENT_EMAIL],
        roles=(Role.RESIDENT,),
        territory=qpv,
        birth_year=1984,
        sex=Sex.FEMALE,
    )
    _person(
        phone=RESIDENT_PHONE,
        pseudonym="Karim11",
        password=_PASSWORDS["06 12 34 56 78"],
        roles=(Role.RESIDENT,),
        territory=qpv,
        birth_year=2001,
        sex=Sex.MALE,
    )
    now = utcnow()
    _person(
        pseudonym=MANAGED_PSEUDONYM,
        real_name="Rose Garcia",
        password=_PASSWORDS[MANAGED_PSEUDONYM],
        roles=(Role.RESIDENT,),
        territory=qpv,
        birth_year=1949,
        sex=Sex.FEMALE,
        is_managed=True,
        managed_by_id=relay.id,
        managed_consent_at=now,
        account_code=DEMO_ACCOUNT_CODE,
    )
    db.session.flush()
    amina.verifications.append(
        ResidentVerification(
            territory_id=qpv.id,
            method=VerificationMethod.PROOF_IN_PERSON,
            verified_by_id=relay.id,
            verified_by_role=Role.RELAY,
            verified_at=now,
            note="Quittance de loyer",
        )
    )


def load() -> None:
    """Create the demo people (called once by participation.demo)."""
    if (
        db.session.scalar(sa.select(User.id).where(User.email == ADMIN_EMAIL))
        is not None
    ):
        return
    qpv = main_qpv()
    _staff_member(
        ADMIN_EMAIL, "Administration", "Claire Martin", Role.ADMIN, Role.STAFF
    )
    _staff_member(STAFF_EMAIL, "Agent politique de la ville", "Julien Roux", Role.STAFF)
    _staff_member(REVIEWER_EMAIL, "Instructeur voirie", "Sophie Bernard", Role.REVIEWER)
    relay = _staff_member(
        RELAY_EMAIL, "Relais centre social", "Nadia Benali", Role.RELAY
    )
    db.session.flush()
    _attach_relay(relay)
    _residents(qpv, relay)
    db.session.flush()
