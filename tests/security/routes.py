"""The URL map as test cases: every route, with real ids from the demo data.

Used by the route x role matrix and by the fuzz test, so that a route added later
is covered by both without anyone listing it. A URL argument whose name a
resolver knows gets a real id (or value) from the demo; any other gets a large
and a small integer (or a plain word for text arguments).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Flask
from werkzeug.routing import AnyConverter, Rule

from participation.accounts import demo as accounts_demo
from participation.accounts.models import ResidentVerification, User
from participation.accounts.services.sessions import open_session
from participation.budget.models import Envelope, Idea, IdeaCoAuthor, Round
from participation.budget.states import IdeaState
from participation.core.converters import MAX_DB_INT
from participation.core.time import today_paris
from participation.council.models import (
    AgendaItem,
    Council,
    CouncilDraw,
    CouncilMember,
    Meeting,
    Minutes,
)
from participation.eligibility.models import Grid
from participation.extensions import db
from participation.followup.models import (
    Milestone,
    Objective,
    Project,
    ProjectPhoto,
    ProjectUpdate,
)
from participation.fph.models import Application, Report, ReportFile
from participation.territories.models import Commune, Territory, Theme
from participation.voting.desks.models import PaperBatch, PaperKeying
from participation.voting.models import PollingDesk

#: Who asks: a visitor, then one demo person per role.
ROLES = ("visitor", "resident", "relay", "reviewer", "staff", "admin")
DEMO_LOGINS = {
    "resident": accounts_demo.RESIDENT_EMAIL,
    "relay": accounts_demo.RELAY_EMAIL,
    "reviewer": accounts_demo.REVIEWER_EMAIL,
    "staff": accounts_demo.STAFF_EMAIL,
    "admin": accounts_demo.ADMIN_EMAIL,
}
#: What an unknown integer argument is tried with.
UNKNOWN_INTS = (MAX_DB_INT, 0)


def _first(model: Any, *where: Any) -> Any:
    return db.session.scalar(sa.select(model.id).where(*where).order_by(model.id))


def _other_resident() -> int:
    """Karim: a resident the relay did not create nor helps (IDOR for a relay,
    another resident's page for Amina)."""
    return db.session.scalar(
        sa.select(User.id).where(User.phone == accounts_demo.RESIDENT_PHONE)
    )


def _draft_of_someone_else() -> int | None:
    """A draft idea whose author is not the demo resident (IDOR for Amina)."""
    amina = db.session.scalar(
        sa.select(User.id).where(User.email == accounts_demo.RESIDENT_EMAIL)
    )
    return _first(Idea, Idea.state == IdeaState.DRAFT, Idea.author_id != amina) or (
        _first(Idea)
    )


def _grid_version() -> int:
    return 1


def _private_receipt() -> int | None:
    """A receipt of a bilan (never public): the relay's group's, not the resident's."""
    return _first(ReportFile, ReportFile.is_public.is_(False))


def _fph_file() -> int | None:
    """The FPH file the receipt belongs to (a decided one, filed by the relay), so
    that its committee, payment, letter and bilan pages all have something."""
    receipt = _private_receipt()
    if receipt is not None:
        return db.session.scalar(
            sa.select(Report.application_id)
            .join(ReportFile, ReportFile.report_id == Report.id)
            .where(ReportFile.id == receipt)
        )
    return _first(Application, Application.decided_at.is_not(None)) or _first(
        Application
    )


def _fph_fund() -> int | None:
    application = _fph_file()
    if application is None:
        return None
    return db.session.scalar(
        sa.select(Application.fund_id).where(Application.id == application)
    )


def _project_update() -> int | None:
    """A news item of the project that ``project_id`` resolves to."""
    return _first(ProjectUpdate, ProjectUpdate.project_id == _first(Project))


#: URL argument name -> its value in the demo data.
RESOLVERS: dict[str, Callable[[], Any]] = {
    "person_id": _other_resident,
    "idea_id": _draft_of_someone_else,
    "round_id": lambda: _first(Round),
    "territory_id": lambda: _first(Territory),
    "commune_id": lambda: _first(Commune),
    "theme_id": lambda: _first(Theme),
    "envelope_id": lambda: _first(Envelope),
    "desk_id": lambda: _first(PollingDesk),
    "batch_id": lambda: _first(PaperBatch),
    "keying_id": lambda: _first(PaperKeying),
    "grid_id": lambda: _first(Grid),
    "verification_id": lambda: _first(ResidentVerification),
    "invitation_id": lambda: _first(IdeaCoAuthor),
    "council_id": lambda: _first(Council),
    "meeting_id": lambda: _first(Meeting),
    "item_id": lambda: _first(AgendaItem),
    "member_id": lambda: _first(CouncilMember),
    "draw_id": lambda: _first(CouncilDraw),
    "minutes_id": lambda: _first(Minutes),
    "action": lambda: "publish",
    "project_id": lambda: _first(Project),
    "milestone_id": lambda: _first(Milestone),
    "objective_id": lambda: _first(Objective),
    "photo_id": lambda: _first(
        ProjectPhoto, ProjectPhoto.project_id == _first(Project)
    ),
    "update_id": _project_update,
    "application_id": _fph_file,
    "fund_id": _fph_fund,
    "file_id": _private_receipt,
    "step": lambda: 1,
    "kind": lambda: "notification",
    "year": lambda: today_paris().year,
    "month": lambda: today_paris().month,
    "name": lambda: "projects",
    "number": _grid_version,
    "position": lambda: 1,
    "token": lambda: "not-a-valid-token",
    "code": lambda: "fr",
    "role": lambda: "reviewer",
}


@dataclass(frozen=True)
class Case:
    """One request: a route, a method and the values of its arguments."""

    endpoint: str
    rule: str
    method: str
    values: tuple[tuple[str, Any], ...]

    @property
    def key(self) -> str:
        """The expectation's key: ``METHOD endpoint`` (``rule`` when ambiguous)."""
        return f"{self.method} {self.endpoint}"

    @property
    def label(self) -> str:
        args = ",".join(f"{k}={v}" for k, v in self.values)
        return f"{self.method} {self.rule} [{args}]"

    def url(self, app: Flask) -> str:
        with app.test_request_context():
            adapter = app.url_map.bind("localhost")
            return adapter.build(self.endpoint, dict(self.values), method=self.method)


def _choices(rule: Rule, name: str) -> list[Any]:
    converter = rule._converters[name]
    if isinstance(converter, AnyConverter):
        return [sorted(converter.items)[0]]
    resolver = RESOLVERS.get(name)
    if resolver is not None:
        value = resolver()
        if value is not None:
            return [value]
    if converter.regex == "[0-9]+":
        return list(UNKNOWN_INTS)
    return ["x"]


def routes(app: Flask) -> Iterator[Rule]:
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
        if rule.endpoint != "static":
            yield rule


def cases(app: Flask) -> list[Case]:
    """Every (route, method, argument values) of *app*, with demo values."""
    found: list[Case] = []
    for rule in routes(app):
        names = sorted(rule.arguments - set(rule.defaults or {}))
        options = [[(name, v) for v in _choices(rule, name)] for name in names]
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            for values in itertools.product(*options):
                found.append(Case(rule.endpoint, rule.rule, method, tuple(values)))
    return found


def endpoint_keys(app: Flask) -> set[str]:
    return {
        f"{method} {rule.endpoint}"
        for rule in routes(app)
        for method in (rule.methods or set()) & {"GET", "POST"}
    }


def client_for(app: Flask, role: str) -> Any:
    """A test client signed in as the demo person of *role* (second factor done)."""
    client = app.test_client()
    if role == "visitor":
        return client
    user = db.session.scalar(sa.select(User).where(User.email == DEMO_LOGINS[role]))
    user_id = f"{user.id}:{open_session(user)}"
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
        session["lang"] = "en"
    return client
