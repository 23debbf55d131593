"""The bilan of a granted action: participants, actual expenses, narrative, files.

Filed by the applicant (or the relay who filed, or staff) once asked for
(``report_due``). Actual expenses are given against the forecast lines; receipts
are private and checked by content (PDF or image, ``fph.attachments``); photos are
public only when the group consented. At least one receipt is required.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO

from ..core.actors import Actor, actor_id, is_system
from ..core.database import write_lock
from ..core.errors import Conflict, FieldErrors, PermissionDenied
from ..core.i18n import lazy_gettext as _l
from ..core.permissions import is_staff
from ..core.time import utcnow
from ..core.uploads import UploadError
from ..core.workflow import apply_transition
from ..extensions import db
from . import attachments
from .models import Application, Report, ReportExpense, ReportFile
from .states import ApplicationAction, ApplicationState, BudgetLineKind, ReportFileKind
from .workflow import APPLICATION_WORKFLOW

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Upload:
    stream: IO[bytes] | bytes
    filename: str = ""


@dataclass(frozen=True)
class ReportData:
    held_on: date | None
    actual_participants: int | None
    narrative: str
    #: budget line id -> actual amount spent (None: not given).
    actual: Mapping[int, Decimal | None]
    is_photo_consent: bool = False
    receipts: Sequence[Upload] = field(default_factory=tuple)
    photos: Sequence[Upload] = field(default_factory=tuple)


def can_file_report(actor: Actor, application: Application) -> bool:
    user_id = getattr(actor, "id", None)
    return (
        is_system(actor)
        or is_staff(actor)
        or (
            user_id is not None
            and user_id in (application.owner_id, application.filed_by_id)
        )
    )


def _check(application: Application, data: ReportData) -> dict[str, object]:
    errors: dict[str, object] = {}
    if data.held_on is None:
        errors["held_on"] = _l("Enter the day the action took place.")
    if data.actual_participants is None or data.actual_participants < 0:
        errors["actual_participants"] = _l("How many people took part (0 or more).")
    narrative = (data.narrative or "").strip()
    if len(narrative) < 20:
        errors["narrative"] = _l("Tell how the action went, in a few sentences.")
    elif len(narrative) > 10_000:
        errors["narrative"] = _l("At most %(n)d characters.", n=10_000)
    for line in application.budget_lines:
        if line.kind is not BudgetLineKind.EXPENSE:
            continue
        value = data.actual.get(line.id)
        if value is None or value < 0:
            errors[f"actual_{line.id}"] = _l("The amount actually spent (0 or more).")
    if not data.receipts:
        errors["receipts"] = _l("Add at least one receipt or invoice.")
    return errors


def submit_report(application: Application, data: ReportData, actor: Actor) -> Report:
    """File the bilan with its files: ``report_submitted``.

    :raises FieldErrors: missing or wrong fields, a receipt that is not a PDF or an
        image (field ``receipts``), a photo that is not an image (``photos``).
    """
    if not can_file_report(actor, application):
        raise PermissionDenied(_l("Only the applicant or staff file the bilan."))
    write_lock()
    if application.state is not ApplicationState.REPORT_DUE:
        raise Conflict(_l("The bilan is filed once the fund asks for it."))
    errors = _check(application, data)
    stored: list[tuple[ReportFileKind, attachments.StoredFile, str]] = []
    try:
        for kind, uploads, name in (
            (ReportFileKind.RECEIPT, data.receipts, "receipts"),
            (ReportFileKind.PHOTO, data.photos, "photos"),
        ):
            for upload in uploads:
                try:
                    saved = (
                        attachments.store_receipt(upload.stream)
                        if kind is ReportFileKind.RECEIPT
                        else attachments.store_photo(upload.stream)
                    )
                except UploadError as error:
                    errors.setdefault(
                        name,
                        _l(
                            "%(file)s: %(why)s",
                            file=upload.filename or "?",
                            why=error.message,
                        ),
                    )
                    continue
                stored.append((kind, saved, upload.filename))
        if errors:
            raise FieldErrors(errors)
        report = application.report or Report(application=application)
        report.held_on = data.held_on
        report.actual_participants = data.actual_participants
        report.narrative = data.narrative.strip()
        report.is_photo_consent = data.is_photo_consent
        report.submitted_at = utcnow()
        report.submitted_by_id = actor_id(actor)
        for line in application.budget_lines:
            if line.kind is BudgetLineKind.EXPENSE:
                report.expenses.append(
                    ReportExpense(
                        budget_line_id=line.id,
                        label=line.label,
                        amount=data.actual[line.id] or ZERO,
                    )
                )
        for kind, saved, filename in stored:
            report.files.append(
                ReportFile(
                    kind=kind,
                    stored_name=saved.name,
                    original_name=(filename or "")[:200],
                    content_type=saved.content_type,
                    size_bytes=saved.size,
                    is_public=kind is ReportFileKind.PHOTO and data.is_photo_consent,
                    uploaded_by_id=actor_id(actor),
                )
            )
        db.session.add(report)
        db.session.flush()
        apply_transition(
            APPLICATION_WORKFLOW,
            application,
            ApplicationAction.SUBMIT_REPORT,
            actor,
            permission=lambda who, file, _action: can_file_report(who, file),
        )
    except Exception:
        for kind, saved, _filename in stored:
            folder = (
                attachments.RECEIPTS
                if kind is ReportFileKind.RECEIPT
                else attachments.PHOTOS
            )
            attachments.remove(folder, saved.name)
        raise
    return report


def actual_total(report: Report) -> Decimal:
    return sum((e.amount for e in report.expenses), ZERO)


def folder_of(file: ReportFile) -> str:
    return (
        attachments.RECEIPTS
        if file.kind is ReportFileKind.RECEIPT
        else attachments.PHOTOS
    )
