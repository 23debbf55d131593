"""The shared pieces every feature builds on: labelled enums, actors, field errors
and show_errors, the submit helper, the workflow table."""

from __future__ import annotations

import pickle

import pytest
import sqlalchemy as sa
from flask import get_flashed_messages
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.exceptions import Forbidden
from werkzeug.exceptions import NotFound as NotFoundPage
from wtforms import StringField

from participation.core.actors import SYSTEM, Person, actor_id, is_system
from participation.core.enums import LabelledEnum
from participation.core.errors import (
    Conflict,
    DomainError,
    FieldErrors,
    NotFound,
    PermissionDenied,
)
from participation.core.forms import show_errors
from participation.core.web import announce, submit
from participation.core.workflow import Workflow
from participation.extensions import db as _db
from participation.territories.models import Commune

# --- LabelledEnum ------------------------------------------------------------------


class Checked(LabelledEnum):
    DECLARED = "declared", _l("Declared")
    VERIFIED = "verified", _l("Verified")
    PLAIN = "plain"


def test_a_labelled_member_is_its_lowercase_value():
    assert Checked.VERIFIED == "verified"
    assert Checked.VERIFIED.value == "verified"
    assert Checked("declared") is Checked.DECLARED
    assert str(Checked.DECLARED) == "declared"


def test_the_label_is_translated_in_the_readers_language(app):
    with app.test_request_context():
        with force_locale("fr"):
            french = (Checked.DECLARED.label, Checked.VERIFIED.label)
        with force_locale("en"):
            english = (Checked.DECLARED.label, Checked.VERIFIED.label)

    assert french == ("Déclaré", "Vérifié")
    assert english == ("Declared", "Verified")


def test_a_member_without_label_shows_its_value():
    assert Checked.PLAIN.label == "plain"


def test_choices_are_value_label_pairs_in_declaration_order(app):
    with app.test_request_context(), force_locale("fr"):
        choices = Checked.choices()

    assert choices == [
        ("declared", "Déclaré"),
        ("verified", "Vérifié"),
        ("plain", "plain"),
    ]


# --- Actors ------------------------------------------------------------------------


def test_the_system_actor_is_one_explicit_object():
    assert is_system(SYSTEM)
    assert repr(SYSTEM) == "SYSTEM"
    # Jobs may carry it through a queue: it comes back as the same object.
    assert pickle.loads(pickle.dumps(SYSTEM)) is SYSTEM  # noqa: S301 (our own bytes)
    assert actor_id(SYSTEM) is None


def test_a_person_acts_under_their_id(db, make_user):
    user = make_user()

    assert isinstance(user, Person)
    assert not is_system(user)
    assert actor_id(user) == user.id
    assert not is_system(None)


# --- FieldErrors and show_errors -----------------------------------------------------


class NameForm(FlaskForm):
    name = StringField("Name")
    code = StringField("Code")


def test_field_errors_keep_every_message_and_lead_with_the_first():
    error = FieldErrors({"name": "Enter a name.", "code": "Wrong code."})

    assert error.messages_by_field() == {"name": "Enter a name.", "code": "Wrong code."}
    assert str(error) == "Enter a name."
    assert error.field == "name"
    with pytest.raises(ValueError, match="at least one"):
        FieldErrors({})


def test_one_domain_error_belongs_to_its_field_or_to_the_form():
    assert DomainError("Too late.").messages_by_field() == {None: "Too late."}
    assert DomainError("Bad.", field="code").messages_by_field() == {"code": "Bad."}
    assert Conflict("x").status_code == 409
    assert PermissionDenied("x").status_code == 403
    assert NotFound("x").status_code == 404


def test_show_errors_puts_messages_on_fields_and_the_rest_atop_the_form(app):
    with app.test_request_context(method="POST", data={}):
        form = NameForm()
        leftover = show_errors(
            form,
            FieldErrors(
                {"name": "Enter a name.", "elsewhere": "Not here.", None: "Whole form."}
            ),
        )

    assert form.name.errors == ["Enter a name."]
    assert not form.code.errors
    assert form.form_errors == ["Not here.", "Whole form."]
    assert leftover == ["Not here.", "Whole form."]


def test_show_errors_without_a_form_returns_every_message():
    leftover = show_errors(None, FieldErrors({"name": "Enter a name.", None: "And."}))

    assert leftover == ["Enter a name.", "And."]


# --- submit ------------------------------------------------------------------------


def _communes() -> list[str]:
    """Names committed so far, seen from another connection."""
    with _db.engine.connect() as connection:
        return list(connection.scalars(sa.select(Commune.name).order_by(Commune.id)))


def _add_commune(name: str, *, then_fail: DomainError | None = None) -> Commune:
    commune = Commune(insee_code=f"{len(name):05d}", name=name)
    _db.session.add(commune)
    _db.session.flush()
    if then_fail is not None:
        raise then_fail
    return commune


def test_submit_commits_flashes_and_redirects(app):
    with app.test_request_context(method="POST"):
        response = submit(
            lambda: _add_commune("Carcassonne"),
            success="Saved.",
            redirect_to=lambda commune: f"/communes/{commune.id}",
        )
        flashed = get_flashed_messages(with_categories=True)

    assert response is not None
    assert response.status_code == 302
    assert response.location.startswith("/communes/")
    assert flashed == [("success", "Saved.")]
    assert _communes() == ["Carcassonne"]


def test_a_refusal_rolls_back_and_shows_the_errors_on_the_form(app):
    with app.test_request_context(method="POST", data={"name": "x"}):
        form = NameForm()
        response = submit(
            lambda: _add_commune(
                "Trèbes", then_fail=FieldErrors({"name": "Taken.", "other": "And."})
            ),
            form=form,
            success="Saved.",
            redirect_to="/done",
        )
        flashed = get_flashed_messages()

    assert response is None  # the caller shows the page again
    assert form.name.errors == ["Taken."]
    assert form.form_errors == ["And."]
    assert flashed == []
    assert _communes() == []


@pytest.mark.parametrize(
    ("error", "page"),
    [(PermissionDenied("No."), Forbidden), (NotFound("Gone."), NotFoundPage)],
)
def test_permission_and_absence_become_403_and_404_pages(app, error, page):
    with app.test_request_context(method="POST"), pytest.raises(page):
        submit(lambda: _add_commune("Trèbes", then_fail=error), redirect_to="/done")

    assert _communes() == []


def test_without_a_form_the_messages_are_flashed_and_the_person_sent_back(app):
    with app.test_request_context(method="POST"):
        response = submit(
            lambda: _add_commune("Trèbes", then_fail=Conflict("Not now.")),
            redirect_to="/done",
            error_redirect="/back",
        )
        flashed = get_flashed_messages(with_categories=True)

    assert response is not None
    assert response.location == "/back"
    assert flashed == [("error", "Not now.")]
    assert _communes() == []


def test_without_a_form_nor_a_way_back_the_caller_renders(app):
    with app.test_request_context(method="POST"):
        response = submit(
            lambda: _add_commune("Trèbes", then_fail=Conflict("Not now.")),
            redirect_to="/done",
        )
        flashed = get_flashed_messages()

    assert response is None
    assert flashed == ["Not now."]


def test_announce_flashes_a_message_made_from_the_result(app):
    with app.test_request_context(method="POST"):
        response = submit(
            lambda: _add_commune("Limoux"),
            redirect_to=announce("/communes", lambda commune: f"{commune.name} added."),
        )
        quiet = submit(
            lambda: _add_commune("Quillan"),
            redirect_to=announce("/communes", lambda commune: None, "info"),
        )
        flashed = get_flashed_messages(with_categories=True)

    assert response is not None
    assert quiet is not None
    assert response.location == quiet.location == "/communes"
    assert flashed == [("success", "Limoux added.")]
    assert _communes() == ["Limoux", "Quillan"]


# --- Workflow table ------------------------------------------------------------------


class Door(LabelledEnum):
    OPEN = "open"
    CLOSED = "closed"
    LOCKED = "locked"


class Move(LabelledEnum):
    CLOSE = "close"
    OPEN = "open"
    LOCK = "lock"
    UNLOCK = "unlock"


DOOR = Workflow(
    name="door",
    transitions={
        (Door.OPEN, Move.CLOSE): Door.CLOSED,
        (Door.CLOSED, Move.OPEN): Door.OPEN,
        (Door.CLOSED, Move.LOCK): Door.LOCKED,
        (Door.LOCKED, Move.UNLOCK): Door.CLOSED,
    },
    history=object,
)


@pytest.mark.parametrize("state", list(Door))
@pytest.mark.parametrize("action", list(Move))
def test_every_state_and_action_pair_lands_or_is_refused(state, action):
    expected = DOOR.transitions.get((state, action))

    if expected is None:
        assert not DOOR.allows(state, action)
        with pytest.raises(Conflict):
            DOOR.next_state(state, action)
    else:
        assert DOOR.allows(state, action)
        assert DOOR.next_state(state, action) is expected


def test_actions_from_a_state_follow_the_table_order():
    assert DOOR.actions_from(Door.CLOSED) == [Move.OPEN, Move.LOCK]
    assert DOOR.actions_from(Door.OPEN) == [Move.CLOSE]
