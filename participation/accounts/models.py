"""People and what the city knows about them: roles, residence verification,
sessions and second factor, and which relay serves whom."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.time import UTCDateTime, utcnow
from ..extensions import Base
from .states import Role, Sex, VerificationLevel, VerificationMethod

if TYPE_CHECKING:
    from ..territories.models import Territory


class User(Base):
    """A person with an account: e-mail, phone, both, or neither (managed account)."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-cased; unique when present.
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    #: Normalised E.164-like (+33...); unique when present.
    phone: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    #: argon2 hash; None until a managed account sets its password.
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    #: Public name shown on the site (safety: real names stay with staff).
    pseudonym: Mapped[str] = mapped_column(sa.String(60), unique=True)
    real_name: Mapped[str | None] = mapped_column(sa.String(120))
    #: QPV of residence, or the "hors QPV" territory.
    territory_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("territory.id", ondelete="SET NULL"), index=True
    )
    birth_year: Mapped[int | None]
    sex: Mapped[Sex | None]
    locale: Mapped[str] = mapped_column(sa.String(5), default="fr")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_signin_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_active: Mapped[bool] = mapped_column(default=True)
    #: A managed account was created by a relay for a person without e-mail or phone.
    is_managed: Mapped[bool] = mapped_column(default=False)
    managed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    #: Hash of the printed one-time code a managed person uses to set a password.
    setup_code_hash: Mapped[str | None] = mapped_column(sa.String(255))
    setup_code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Bumped to invalidate sessions and tokens (password change, reset).
    security_stamp: Mapped[int] = mapped_column(default=0)
    #: When the person (or, for a managed account, the relay with them) accepted the
    #: personal-data notice.
    data_notice_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When the relay recorded that the person agreed to a managed account.
    managed_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Printed on a managed account's sheet: a relay finds the account by it.
    account_code: Mapped[str | None] = mapped_column(sa.String(16))
    #: Two-factor sign-in: the TOTP secret, encrypted with a key derived from the
    #: instance secret; confirmed once the person typed a first code.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(255))
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The last time step accepted: a code works once.
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    #: When the inactive-account warning was sent (purge after three years).
    inactivity_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Set when the person deleted the account: what remains is "former account".
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    territory: Mapped[Territory | None] = relationship(foreign_keys=[territory_id])
    managed_by: Mapped[User | None] = relationship(
        foreign_keys=[managed_by_id], remote_side=[id]
    )
    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        lazy="selectin",
        foreign_keys="UserRole.user_id",
    )
    verifications: Mapped[list[ResidentVerification]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        foreign_keys="ResidentVerification.user_id",
        order_by="ResidentVerification.id",
    )

    __table_args__ = (
        sa.CheckConstraint(
            "birth_year IS NULL OR (birth_year >= 1900 AND birth_year <= 2100)",
            name="birth_year_range",
        ),
        # A managed account exists only with the person's recorded consent.
        sa.CheckConstraint(
            "NOT is_managed OR managed_consent_at IS NOT NULL",
            name="managed_has_consent",
        ),
        # An index, not a constraint: adding it does not rebuild the table on SQLite.
        sa.Index("uq_user_account_code", "account_code", unique=True),
    )

    # Flask-Login protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """The session's identifier: the account and a server-side session token.

        Signing out deletes the session row, so the cookie (and the remember
        cookie, which carries the same identifier) no longer signs anyone in.
        """
        from .services.sessions import open_session, session_token

        token = session_token(self) or open_session(self)
        return f"{self.id}:{token}"

    @property
    def has_second_factor(self) -> bool:
        return self.totp_confirmed_at is not None

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(r.role for r in self.roles)

    def has_role(self, *roles: Role) -> bool:
        """True when the person holds at least one of *roles*."""
        return not self.role_set.isdisjoint(roles)

    def verification_level(
        self, territory_id: int | None = None
    ) -> VerificationLevel | None:
        """Level for *territory_id* (default: their own QPV), None if not declared."""
        territory_id = territory_id if territory_id is not None else self.territory_id
        if territory_id is None:
            return None
        if self.active_verification(territory_id) is not None:
            return VerificationLevel.VERIFIED
        if territory_id == self.territory_id:
            return VerificationLevel.DECLARED
        return None

    def active_verification(
        self, territory_id: int | None = None
    ) -> ResidentVerification | None:
        """The standing verification for *territory_id* (default: their own QPV)."""
        territory_id = territory_id if territory_id is not None else self.territory_id
        for verification in self.verifications:
            if (
                verification.territory_id == territory_id
                and verification.revoked_at is None
            ):
                return verification
        return None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.pseudonym!r}>"


class UserRole(Base):
    """One role held by one person."""

    __tablename__ = "user_role"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    role: Mapped[Role]
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(back_populates="roles", foreign_keys=[user_id])

    __table_args__ = (sa.UniqueConstraint("user_id", "role"),)


class ResidentVerification(Base):
    """An agent or relay checked that a person lives in a QPV. No document is stored."""

    __tablename__ = "resident_verification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territory.id"))
    method: Mapped[VerificationMethod]
    verified_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    #: The role the verifier acted as (relay or staff), shown to the person.
    verified_by_role: Mapped[Role | None]
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Free note on how (for example "quittance de loyer"), never the document.
    note: Mapped[str | None] = mapped_column(sa.String(200))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(
        back_populates="verifications", foreign_keys=[user_id]
    )
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])
    territory: Mapped[Territory] = relationship()

    __table_args__ = (
        # At most one standing verification per person and QPV: a double click
        # cannot record two.
        sa.Index(
            "uq_resident_verification_active",
            "user_id",
            "territory_id",
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        ),
    )

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class UserSession(Base):
    """One signed-in browser: deleted at sign-out, so its cookies stop working."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    #: SHA-256 of the random token the cookies carry (the token itself is not kept).
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Last request (at most a minute old): staff sessions end when idle.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    is_remembered: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship()


class RecoveryCode(Base):
    """A single-use code that replaces the authenticator app once (kept hashed)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RelayTerritory(Base):
    """A QPV a relay serves (their social centre, their desks): they verify there."""

    __tablename__ = "relay_territory"

    id: Mapped[int] = mapped_column(primary_key=True)
    relay_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    territory_id: Mapped[int] = mapped_column(
        sa.ForeignKey("territory.id", ondelete="CASCADE")
    )
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    territory: Mapped[Territory] = relationship()

    __table_args__ = (sa.UniqueConstraint("relay_id", "territory_id"),)


class RelayHelp(Base):
    """A relay helps a person who has their own account, with their consent."""

    __tablename__ = "relay_help"

    id: Mapped[int] = mapped_column(primary_key=True)
    relay_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: How the person agreed (for example "in person at the social centre").
    consent_note: Mapped[str] = mapped_column(sa.String(200))

    person: Mapped[User] = relationship(foreign_keys=[person_id])
    relay: Mapped[User] = relationship(foreign_keys=[relay_id])

    __table_args__ = (sa.UniqueConstraint("relay_id", "person_id"),)
