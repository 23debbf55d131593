"""News of a project (updates) and their photos: published, corrected, withdrawn;
the followers are e-mailed when news is published."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from ...core import audit
from ...core.actors import Actor, actor_id
from ...core.errors import Conflict, FieldErrors
from ...core.i18n import lazy_gettext as _l
from ...core.texts import TextsByLanguage, clean_texts_by_language
from ...core.time import utcnow
from ...core.uploads import UploadError, delete_upload, store_image
from ...extensions import db
from .. import follows
from ..models import Project, ProjectPhoto, ProjectUpdate
from . import PHOTO_FOLDER, check_staff

# ---------------------------------------------------------------------------
# Updates and photos
# ---------------------------------------------------------------------------


@dataclass
class UpdateData:
    title: str
    body: str
    #: The title and news in other languages: ``{"ar": {"title": ..., "body": ...}}``.
    texts_by_language: TextsByLanguage | None = None
    #: An uploaded file (or bytes), checked by content; None: no photo.
    photo: IO[bytes] | bytes | None = None
    photo_alt: str = ""
    #: Nobody can be recognised on the photo, or everyone who can agreed.
    photo_consent: bool = False


#: Longest text alternative and withdrawal reason (the columns' sizes).
ALT_MAX = 200
REASON_MAX = 300


def _check_text(data: UpdateData, errors: dict[str, Any]) -> None:
    if not data.title.strip():
        errors["title"] = _l("Give the news a title.")
    elif len(data.title.strip()) > 150:
        errors["title"] = _l("The title is too long (150 characters at most).")
    if not data.body.strip():
        errors["body"] = _l("Write the news.")
    clean_texts_by_language(
        data.texts_by_language, {"title": data.title, "body": data.body}, errors
    )


def _translations(data: UpdateData) -> TextsByLanguage | None:
    return clean_texts_by_language(
        data.texts_by_language, {"title": data.title, "body": data.body}
    )


def _check_photo(
    alt: str, consent: bool, errors: dict[str, Any], prefix: str = "photo_"
) -> None:
    if not alt.strip():
        errors[f"{prefix}alt"] = _l("Describe the photo for people who cannot see it.")
    elif len(alt.strip()) > ALT_MAX:
        errors[f"{prefix}alt"] = _l(
            "The description is too long (200 characters at most)."
        )
    if not consent:
        errors[f"{prefix}consent"] = _l(
            "Confirm that nobody can be recognised on the photo, or that everyone"
            " who can agreed to its publication."
        )


def _check_update(data: UpdateData) -> None:
    errors: dict[str, Any] = {}
    _check_text(data, errors)
    if data.photo is not None:
        _check_photo(data.photo_alt, data.photo_consent, errors)
    if errors:
        raise FieldErrors(errors)


def _store_photo(
    project: Project,
    update: ProjectUpdate,
    source: IO[bytes] | bytes,
    alt: str,
    now: datetime,
    field: str = "photo",
) -> ProjectPhoto:
    try:
        stored = store_image(source, PHOTO_FOLDER)
    except UploadError as error:
        raise FieldErrors({field: error.message}) from None
    photo = ProjectPhoto(
        project=project,
        update=update,
        name=stored.name,
        alt=alt.strip(),
        width=stored.width,
        height=stored.height,
        is_consent_confirmed=True,
        created_at=now,
    )
    db.session.add(photo)
    return photo


def publish_update(
    project: Project,
    data: UpdateData,
    actor: Actor,
    *,
    now: datetime | None = None,
) -> ProjectUpdate:
    """Publish a piece of news (with an optional photo) and e-mail the followers."""
    check_staff(actor)
    _check_update(data)
    now = now or utcnow()
    update = ProjectUpdate(
        project=project,
        title=data.title.strip(),
        body=data.body.strip(),
        texts_by_language=_translations(data),
        published_at=now,
        author_id=actor_id(actor),
    )
    db.session.add(update)
    if data.photo is not None:
        _store_photo(project, update, data.photo, data.photo_alt, now)
    db.session.flush()
    audit.record(
        "project.update_published",
        actor=actor,
        obj=project,
        update_id=update.id,
        photos=len(update.photos),
    )
    follows.notify_update(update)
    return update


def _check_live(update: ProjectUpdate) -> None:
    if update.is_withdrawn:
        raise Conflict(_l("This news was withdrawn: it can no longer change."))


def edit_update(
    update: ProjectUpdate,
    title: str,
    body: str,
    actor: Actor,
    *,
    texts_by_language: TextsByLanguage | None = None,
    now: datetime | None = None,
) -> None:
    """Correct the text of published news (the page says it was corrected; the
    followers are not written to again).

    *texts_by_language* replaces the translations; None keeps them.
    """
    check_staff(actor)
    _check_live(update)
    given = update.texts_by_language if texts_by_language is None else texts_by_language
    data = UpdateData(title=title, body=body, texts_by_language=given)
    errors: dict[str, Any] = {}
    _check_text(data, errors)
    if errors:
        raise FieldErrors(errors)
    translations = _translations(data)
    changed = [
        name
        for name, old, new in (
            ("title", update.title, title.strip()),
            ("body", update.body, body.strip()),
            ("texts_by_language", update.texts_by_language, translations),
        )
        if old != new
    ]
    if not changed:
        return
    update.title = title.strip()
    update.body = body.strip()
    update.texts_by_language = translations
    update.edited_at = now or utcnow()
    db.session.flush()
    audit.record(
        "project.update_edited",
        actor=actor,
        obj=update.project,
        update_id=update.id,
        changed=changed,
    )


def withdraw_update(
    update: ProjectUpdate, reason: str, actor: Actor, *, now: datetime | None = None
) -> None:
    """Take news off the public page, the feed and the open data (kept for staff)."""
    check_staff(actor)
    _check_live(update)
    text = reason.strip()
    if not text:
        raise FieldErrors({"reason": _l("Say why the news is withdrawn.")})
    if len(text) > REASON_MAX:
        raise FieldErrors(
            {"reason": _l("The reason is too long (300 characters at most).")}
        )
    update.withdrawn_at = now or utcnow()
    update.withdraw_reason = text
    db.session.flush()
    audit.record(
        "project.update_withdrawn",
        actor=actor,
        obj=update.project,
        update_id=update.id,
        reason=text,
    )


def add_photo(
    update: ProjectUpdate,
    source: IO[bytes] | bytes | None,
    alt: str,
    consent: bool,
    actor: Actor,
    *,
    now: datetime | None = None,
) -> ProjectPhoto:
    """Add a photo to published news (checked by content like the first one)."""
    check_staff(actor)
    _check_live(update)
    errors: dict[str, Any] = {}
    if source is None:
        errors["photo"] = _l("Choose a photo.")
    _check_photo(alt, consent, errors)
    if errors:
        raise FieldErrors(errors)
    assert source is not None
    photo = _store_photo(update.project, update, source, alt, now or utcnow())
    db.session.flush()
    audit.record(
        "project.photo_added",
        actor=actor,
        obj=update.project,
        update_id=update.id,
        photo_id=photo.id,
    )
    return photo


def edit_photo(photo: ProjectPhoto, alt: str, consent: bool, actor: Actor) -> None:
    """Change a photo's text alternative, or confirm the consent of the people on
    it (a photo without that confirmation is shown to staff only)."""
    check_staff(actor)
    if photo.update is not None:
        _check_live(photo.update)
    errors: dict[str, Any] = {}
    _check_photo(alt, consent, errors)
    if errors:
        raise FieldErrors(errors)
    changed = [
        name
        for name, old, new in (
            ("alt", photo.alt, alt.strip()),
            ("consent", photo.is_consent_confirmed, consent),
        )
        if old != new
    ]
    if not changed:
        return
    photo.alt = alt.strip()
    photo.is_consent_confirmed = consent
    db.session.flush()
    audit.record(
        "project.photo_edited",
        actor=actor,
        obj=photo.project,
        photo_id=photo.id,
        changed=changed,
    )


def remove_photo(photo: ProjectPhoto, actor: Actor) -> None:
    """Delete a photo and its file (a person asked, or it was the wrong one)."""
    check_staff(actor)
    project, photo_id, name = photo.project, photo.id, photo.name
    db.session.delete(photo)
    db.session.flush()
    audit.record("project.photo_removed", actor=actor, obj=project, photo_id=photo_id)
    delete_upload(PHOTO_FOLDER, name)
