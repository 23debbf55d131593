"""Enumerations of the FPH feature and the one transition table of an application.

Application (*dossier*, PRODUCT.md §6): ``draft`` → ``submitted`` → ``complete``
(or ``incomplete``, back to the applicant with what is missing, who resubmits)
→ ``scheduled`` (on a committee agenda) → ``granted`` / ``granted_partially`` /
``deferred`` (back on a later agenda) / ``refused`` (with a reason) →
``paid_advance`` → ``report_due`` → ``report_submitted`` → ``closed`` (report
accepted, balance paid) or ``repayment_requested``; ``withdrawn`` at any time
before the decision. Anything not in :data:`TRANSITIONS` is illegal.
"""

from __future__ import annotations

from ..core.enums import LabelledEnum
from ..core.i18n import lazy_gettext as _l


class ApplicationState(LabelledEnum):
    """Where an application stands; codes in English, labels translated."""

    DRAFT = "draft", _l("Draft")
    SUBMITTED = "submitted", _l("Submitted")
    COMPLETE = "complete", _l("Complete")
    INCOMPLETE = "incomplete", _l("Incomplete")
    SCHEDULED = "scheduled", _l("On a committee agenda")
    GRANTED = "granted", _l("Granted")
    GRANTED_PARTIALLY = "granted_partially", _l("Partially granted")
    DEFERRED = "deferred", _l("Deferred")
    REFUSED = "refused", _l("Refused")
    PAID_ADVANCE = "paid_advance", _l("Advance paid")
    REPORT_DUE = "report_due", _l("Report due")
    REPORT_SUBMITTED = "report_submitted", _l("Report submitted")
    CLOSED = "closed", _l("Closed")
    REPAYMENT_REQUESTED = "repayment_requested", _l("Repayment requested")
    WITHDRAWN = "withdrawn", _l("Withdrawn")


class ApplicationAction(LabelledEnum):
    """What the applicant, staff or the committee can do to an application."""

    SUBMIT = "submit", _l("Submit the application")
    MARK_COMPLETE = "mark_complete", _l("Mark as complete")
    MARK_INCOMPLETE = "mark_incomplete", _l("Mark as incomplete")
    RESUBMIT = "resubmit", _l("Submit again with what was missing")
    SCHEDULE = "schedule", _l("Put on a committee agenda")
    UNSCHEDULE = "unschedule", _l("Take off the committee agenda")
    GRANT = "grant", _l("Grant")
    GRANT_PARTIALLY = "grant_partially", _l("Grant partially")
    DEFER = "defer", _l("Defer")
    REFUSE = "refuse", _l("Refuse")
    PAY_ADVANCE = "pay_advance", _l("Record the advance payment")
    REQUEST_REPORT = "request_report", _l("Ask for the report")
    SUBMIT_REPORT = "submit_report", _l("Submit the report")
    CLOSE = "close", _l("Accept the report and close")
    REQUEST_REPAYMENT = "request_repayment", _l("Request repayment")
    WITHDRAW = "withdraw", _l("Withdraw the application")


S = ApplicationState
A = ApplicationAction

#: (current state, action) -> next state. Anything not listed is forbidden.
TRANSITIONS: dict[tuple[ApplicationState, ApplicationAction], ApplicationState] = {
    (S.DRAFT, A.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, A.MARK_COMPLETE): S.COMPLETE,
    (S.SUBMITTED, A.MARK_INCOMPLETE): S.INCOMPLETE,
    (S.INCOMPLETE, A.RESUBMIT): S.SUBMITTED,
    (S.COMPLETE, A.SCHEDULE): S.SCHEDULED,
    # The meeting is cancelled or the file moved: back to waiting for an agenda.
    (S.SCHEDULED, A.UNSCHEDULE): S.COMPLETE,
    (S.SCHEDULED, A.GRANT): S.GRANTED,
    (S.SCHEDULED, A.GRANT_PARTIALLY): S.GRANTED_PARTIALLY,
    (S.SCHEDULED, A.DEFER): S.DEFERRED,
    (S.SCHEDULED, A.REFUSE): S.REFUSED,
    # A deferred file goes on a later committee's agenda.
    (S.DEFERRED, A.SCHEDULE): S.SCHEDULED,
    (S.GRANTED, A.PAY_ADVANCE): S.PAID_ADVANCE,
    (S.GRANTED_PARTIALLY, A.PAY_ADVANCE): S.PAID_ADVANCE,
    (S.PAID_ADVANCE, A.REQUEST_REPORT): S.REPORT_DUE,
    (S.REPORT_DUE, A.SUBMIT_REPORT): S.REPORT_SUBMITTED,
    (S.REPORT_SUBMITTED, A.CLOSE): S.CLOSED,
    (S.REPORT_SUBMITTED, A.REQUEST_REPAYMENT): S.REPAYMENT_REQUESTED,
    # The action did not take place: no report can come.
    (S.REPORT_DUE, A.REQUEST_REPAYMENT): S.REPAYMENT_REQUESTED,
    # Withdrawn at any time before the decision (a deferral is not a decision).
    (S.DRAFT, A.WITHDRAW): S.WITHDRAWN,
    (S.SUBMITTED, A.WITHDRAW): S.WITHDRAWN,
    (S.INCOMPLETE, A.WITHDRAW): S.WITHDRAWN,
    (S.COMPLETE, A.WITHDRAW): S.WITHDRAWN,
    (S.SCHEDULED, A.WITHDRAW): S.WITHDRAWN,
    (S.DEFERRED, A.WITHDRAW): S.WITHDRAWN,
}

#: Actions that need a reason (sent to the applicant, kept on the history).
ACTIONS_WITH_REASON = frozenset(
    {A.MARK_INCOMPLETE, A.DEFER, A.REFUSE, A.GRANT_PARTIALLY, A.REQUEST_REPAYMENT}
)

#: The actions the applicant (or the relay who filed) takes; staff take the others.
APPLICANT_ACTIONS = frozenset({A.SUBMIT, A.RESUBMIT, A.WITHDRAW, A.SUBMIT_REPORT})

#: States in which the applicant may still edit the file.
EDITABLE_STATES = frozenset({S.DRAFT, S.INCOMPLETE})

#: States after a grant decision: the file holds an amount granted.
GRANTED_STATES = frozenset(
    {
        S.GRANTED,
        S.GRANTED_PARTIALLY,
        S.PAID_ADVANCE,
        S.REPORT_DUE,
        S.REPORT_SUBMITTED,
        S.CLOSED,
        S.REPAYMENT_REQUESTED,
    }
)

#: States with a receipt number (everything once submitted).
FILED_STATES = frozenset(set(S) - {S.DRAFT})


class ApplicantKind(LabelledEnum):
    """Who applies: an informal group of residents or an association."""

    INFORMAL_GROUP = "informal_group", _l("An informal group of residents")
    ASSOCIATION = "association", _l("An association")


class FunderKind(LabelledEnum):
    """Who puts money in a fund."""

    STATE = "state", _l("The State")
    COMMUNE = "commune", _l("The commune")
    EPCI = "epci", _l("The agglomeration (EPCI)")
    REGION = "region", _l("The region")
    OTHER = "other", _l("Other funder")


class BudgetLineKind(LabelledEnum):
    """A line of the forecast budget."""

    EXPENSE = "expense", _l("Expense")
    RESOURCE = "resource", _l("Resource")


class PaymentKind(LabelledEnum):
    """An instalment of a grant, or money paid back."""

    ADVANCE = "advance", _l("Advance")
    BALANCE = "balance", _l("Balance")
    REPAYMENT = "repayment", _l("Repayment")


class Verdict(LabelledEnum):
    """The committee's verdict on a report (bilan)."""

    CONFORM = "conform", _l("Conform")
    NOT_CONFORM = "not_conform", _l("Not conform")


class ReportFileKind(LabelledEnum):
    """An attachment of a report: a receipt (private) or a photo."""

    RECEIPT = "receipt", _l("Receipt or invoice")
    PHOTO = "photo", _l("Photo")


class Channel(LabelledEnum):
    """How an application reached the fund."""

    ONLINE = "online", _l("Online")
    RELAY = "relay", _l("Online, through a relay")
    PAPER = "paper", _l("On paper, keyed in by staff")
