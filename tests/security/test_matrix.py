"""The route x role matrix: every endpoint of the URL map, for a visitor and for the
demo person of each role, with the status each one must get.

The cases are generated from the URL map (``routes.py``), so a route added later
is in the matrix at once; with no line below, the test fails and names it. Real
ids come from the demo: ``person_id`` is a resident the relay did not create
(another resident's page for the resident role), ``idea_id`` a draft of someone
else; unknown integer arguments are tried with 2^31-1 and 0. Each role runs on a
fresh copy of the demo, so what one role's POSTs change does not reach another.
No cell may answer 5xx, whatever its expectation.
"""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from participation.accounts import demo as accounts_demo
from participation.accounts.models import User
from participation.budget.models import Idea
from participation.budget.states import IdeaState
from participation.extensions import db

from . import routes
from .conftest import build_demo_app, demo_database_uri

#: Statuses in the order of routes.ROLES:
#: visitor, resident, relay, reviewer, staff, admin.
PUBLIC = (200, 200, 200, 200, 200, 200)
SIGNED_IN = (302, 200, 200, 200, 200, 200)
STAFF_ONLY = (302, 403, 403, 403, 200, 200)
ADMIN_ONLY = (302, 403, 403, 403, 403, 200)
RELAYS = (302, 403, 200, 403, 200, 200)

#: ``"METHOD endpoint"`` (or ``"METHOD endpoint /rule"`` where one endpoint has
#: several rules) -> the statuses per role.
EXPECTED: dict[str, tuple[int, ...]] = {
    "GET accounts.admin_people": ADMIN_ONLY,
    "GET accounts.admin_person": ADMIN_ONLY,
    "GET accounts.email_confirm": PUBLIC,
    "GET accounts.managed_create": RELAYS,
    "GET accounts.managed_sheet": (302, 403, 403, 403, 403, 403),
    "GET accounts.managed_sheet_pdf": (302, 403, 403, 403, 403, 403),
    "GET accounts.my_data": SIGNED_IN,
    "GET accounts.password_change": SIGNED_IN,
    "GET accounts.password_forgot": PUBLIC,
    "GET accounts.password_reset": PUBLIC,
    "GET accounts.people_search": RELAYS,
    "GET accounts.person_data": (302, 403, 403, 403, 403, 403),
    "GET accounts.person_detail": STAFF_ONLY,
    "GET accounts.profile": SIGNED_IN,
    "GET accounts.profile_edit": SIGNED_IN,
    "GET accounts.recovery_codes": (302, 302, 302, 302, 302, 302),
    "GET accounts.register": (200, 302, 302, 302, 302, 302),
    "GET accounts.setup_code": PUBLIC,
    "GET accounts.signin": PUBLIC,
    "GET accounts.signin_code": (302, 302, 302, 302, 302, 302),
    "GET accounts.signin_enrol": (302, 302, 302, 302, 302, 302),
    "GET accounts.two_factor": SIGNED_IN,
    "GET accounts.two_factor_setup": (302, 200, 200, 200, 302, 302),
    "GET budget.coauthor_invitations": SIGNED_IN,
    "GET budget.idea_create": SIGNED_IN,
    "GET budget.idea_detail": (404, 404, 404, 404, 200, 200),
    "GET budget.idea_edit": (302, 404, 404, 404, 403, 403),
    # ``idea_id`` is a draft: staff cannot hide, merge or reopen it and are sent
    # back to the idea with the reason (302), never a 500.
    "GET budget.idea_hide": (302, 403, 403, 403, 302, 302),
    "GET budget.idea_list": PUBLIC,
    "GET budget.idea_merge": (302, 403, 403, 403, 302, 302),
    "GET budget.idea_photo": (404, 404, 404, 404, 404, 404),
    "GET budget.idea_relay_search": RELAYS,
    "GET budget.my_ideas": SIGNED_IN,
    "GET budget.round_announcement": PUBLIC,
    "GET budget.round_create": STAFF_ONLY,
    "GET budget.round_detail": PUBLIC,
    "GET budget.round_edit": STAFF_ONLY,
    "GET budget.round_envelopes": STAFF_ONLY,
    "GET budget.round_list": PUBLIC,
    "GET core.accessibility": PUBLIC,
    "GET core.audit_list": STAFF_ONLY,
    "GET core.home": PUBLIC,
    "GET core.legal": PUBLIC,
    "GET core.personal_data": PUBLIC,
    # The demo's first round sets no vote rules: no ballot to print (409, said why).
    "GET desks.ballots_pdf": (302, 403, 409, 403, 409, 409),
    "GET desks.batch_cancel": STAFF_ONLY,
    "GET desks.batch_create": RELAYS,
    "GET desks.batch_detail": RELAYS,
    "GET desks.batch_deposit_confirm": RELAYS,
    "GET desks.desk_create": RELAYS,
    "GET desks.desk_close_confirm": RELAYS,
    "GET desks.desk_detail": RELAYS,
    "GET desks.desk_index": RELAYS,
    "GET desks.keying_form": (302, 403, 200, 403, 403, 403),
    "GET desks.minutes_pdf": RELAYS,
    "GET desks.reconciliation": RELAYS,
    "GET desks.round_desks": RELAYS,
    "GET desks.sign_in_sheet_pdf": RELAYS,
    "GET desks.voter_search": RELAYS,
    "GET desks.voter_sign_in": STAFF_ONLY,
    "GET desks.walk_in": RELAYS,
    "GET eligibility.criterion_create": STAFF_ONLY,
    "GET eligibility.criterion_edit": (302, 403, 403, 403, 404, 404),
    "GET eligibility.grid_copy": STAFF_ONLY,
    "GET eligibility.grid_create": STAFF_ONLY,
    "GET eligibility.grid_detail": STAFF_ONLY,
    "GET eligibility.grid_edit": STAFF_ONLY,
    "GET eligibility.grid_list": STAFF_ONLY,
    "GET eligibility.version_detail": STAFF_ONLY,
    "GET review.idea_review": STAFF_ONLY,
    "GET review.my_reviews": (302, 403, 403, 200, 200, 200),
    "GET review.review_form": (302, 403, 403, 403, 403, 403),
    "GET review.round_assignments": STAFF_ONLY,
    "GET review.round_list": STAFF_ONLY,
    "GET review.round_overview": STAFF_ONLY,
    "GET territories.commune_create": ADMIN_ONLY,
    "GET territories.commune_edit": ADMIN_ONLY,
    "GET territories.territory_admin": ADMIN_ONLY,
    "GET territories.territory_create": ADMIN_ONLY,
    "GET territories.territory_edit": ADMIN_ONLY,
    "GET territories.territory_list": PUBLIC,
    "GET territories.theme_admin": ADMIN_ONLY,
    "GET territories.theme_edit": ADMIN_ONLY,
    "GET voting.result_csv": (404, 404, 404, 404, 404, 404),
    "GET voting.result_detail": (404, 404, 404, 404, 404, 404),
    "GET voting.result_pb": (404, 404, 404, 404, 404, 404),
    "GET voting.result_receipts": (404, 404, 404, 404, 404, 404),
    "GET voting.round_results": PUBLIC,
    "GET voting.rules_edit": STAFF_ONLY,
    "GET voting.vote_ballot": (200, 403, 403, 403, 403, 403),
    "GET voting.vote_index": PUBLIC,
    "GET voting.vote_receipt": (302, 302, 302, 302, 302, 302),
    "POST accounts.email_confirm": (400, 400, 400, 400, 400, 400),
    "POST accounts.email_confirm_resend": (302, 302, 302, 302, 302, 302),
    "POST accounts.help_record": (302, 403, 403, 403, 403, 403),
    "POST accounts.managed_create": RELAYS,
    "POST accounts.managed_sheet_close": (302, 302, 302, 302, 302, 302),
    "POST accounts.my_account_delete": (302, 400, 400, 400, 400, 400),
    "POST accounts.my_data_download": SIGNED_IN,
    "POST accounts.password_change": SIGNED_IN,
    "POST accounts.password_forgot": PUBLIC,
    "POST accounts.password_reset": PUBLIC,
    "POST accounts.person_data_download": (302, 403, 403, 403, 403, 403),
    "POST accounts.person_delete": (302, 403, 403, 403, 403, 403),
    "POST accounts.profile_edit": SIGNED_IN,
    "POST accounts.recovery_codes_renew": (302, 302, 302, 302, 302, 302),
    "POST accounts.register": (200, 302, 302, 302, 302, 302),
    "POST accounts.relay_territory_attach": (302, 403, 403, 403, 403, 302),
    "POST accounts.relay_territory_detach": (302, 403, 403, 403, 403, 302),
    "POST accounts.role_change": (302, 403, 403, 403, 403, 302),
    "POST accounts.setup_code": PUBLIC,
    "POST accounts.setup_code_regenerate": (302, 403, 403, 403, 403, 403),
    "POST accounts.signin": PUBLIC,
    "POST accounts.signin_code": (302, 302, 302, 302, 302, 302),
    "POST accounts.signin_enrol": (302, 302, 302, 302, 302, 302),
    "POST accounts.signout": (302, 302, 302, 302, 302, 302),
    "POST accounts.signout_everywhere": (302, 302, 302, 302, 302, 302),
    "POST accounts.two_factor_disable": (302, 302, 302, 302, 302, 302),
    "POST accounts.two_factor_setup": (302, 200, 200, 200, 302, 302),
    "POST accounts.verification_create": STAFF_ONLY,
    "POST accounts.verification_revoke": (302, 404, 404, 404, 404, 404),
    "POST budget.coauthor_answer": (302, 404, 404, 404, 404, 404),
    "POST budget.idea_create": SIGNED_IN,
    "POST budget.idea_edit": (302, 404, 404, 404, 403, 403),
    "POST budget.idea_hide": (302, 403, 403, 403, 302, 302),
    "POST budget.idea_merge": (302, 403, 403, 403, 302, 302),
    "POST budget.idea_unhide": (302, 403, 403, 403, 302, 302),
    "POST budget.idea_withdraw": (302, 404, 404, 404, 403, 403),
    "POST budget.round_create": STAFF_ONLY,
    "POST budget.round_create_next": (302, 403, 403, 403, 302, 302),
    "POST budget.round_edit": STAFF_ONLY,
    "POST budget.round_envelopes": (302, 403, 403, 403, 302, 302),
    "POST budget.round_publish": (302, 403, 403, 403, 302, 302),
    "POST desks.batch_cancel": STAFF_ONLY,
    "POST desks.batch_create": RELAYS,
    "POST desks.batch_deposit": (302, 403, 302, 403, 302, 302),
    "POST desks.batch_reconcile": (302, 403, 302, 403, 302, 302),
    "POST desks.desk_close": (302, 403, 302, 403, 302, 302),
    "POST desks.desk_minutes": RELAYS,
    "POST desks.desk_create": RELAYS,
    "POST desks.keying_form": (302, 403, 409, 403, 403, 403),
    "POST desks.keying_start": (302, 403, 403, 403, 403, 302),
    "POST desks.resolve": (302, 403, 403, 403, 403, 403),
    "POST desks.voter_sign_in": (302, 403, 403, 403, 403, 403),
    "POST desks.walk_in": RELAYS,
    "POST eligibility.criterion_create": STAFF_ONLY,
    "POST eligibility.criterion_delete": (302, 403, 403, 403, 404, 404),
    "POST eligibility.criterion_edit": (302, 403, 403, 403, 404, 404),
    "POST eligibility.criterion_move": (302, 403, 403, 403, 404, 404),
    "POST eligibility.grid_copy": STAFF_ONLY,
    "POST eligibility.grid_create": STAFF_ONLY,
    "POST eligibility.grid_edit": STAFF_ONLY,
    "POST review.idea_decide": STAFF_ONLY,
    "POST review.idea_reopen": (302, 403, 403, 403, 302, 302),
    "POST review.idea_transfer_status": STAFF_ONLY,
    "POST review.review_form": (302, 403, 403, 403, 403, 403),
    "POST review.round_assignments_save": (302, 403, 403, 403, 302, 302),
    "POST review.round_start": (302, 403, 403, 403, 302, 302),
    "POST review.rule_create": STAFF_ONLY,
    "POST review.rule_delete": (302, 403, 403, 403, 404, 404),
    "POST review.rules_apply": (302, 403, 403, 403, 302, 302),
    "POST territories.commune_create": ADMIN_ONLY,
    "POST territories.commune_edit": (302, 403, 403, 403, 403, 302),
    "POST territories.territory_create": ADMIN_ONLY,
    "POST territories.territory_edit": (302, 403, 403, 403, 403, 302),
    "POST territories.theme_admin": ADMIN_ONLY,
    "POST territories.theme_defaults": (302, 403, 403, 403, 403, 302),
    "POST territories.theme_edit": ADMIN_ONLY,
    "POST territories.theme_move": (302, 403, 403, 403, 403, 302),
    "POST territories.theme_toggle": (302, 403, 403, 403, 403, 302),
    "POST voting.result_receipt_check": (404, 404, 404, 404, 404, 404),
    "POST voting.result_transition": (302, 403, 403, 403, 404, 404),
    "POST voting.results_compute": (302, 403, 403, 403, 302, 302),
    "POST voting.rules_edit": STAFF_ONLY,
    "POST voting.vote_ballot": (200, 403, 403, 403, 403, 403),
    "POST voting.vote_confirm": (302, 400, 400, 400, 400, 400),
    "POST voting.vote_review": (302, 403, 403, 403, 403, 403),
    # The councils, the project follow-up and the open data (real demo ids).
    "GET council.attendance_sheet": STAFF_ONLY,
    "GET council.composition": STAFF_ONLY,
    "GET council.convocation_list": STAFF_ONLY,
    "GET council.convocation_pdf": STAFF_ONLY,
    "GET council.council_admin": STAFF_ONLY,
    "GET council.council_archive": PUBLIC,
    "GET council.council_create": STAFF_ONLY,
    "GET council.council_detail": PUBLIC,
    "GET council.council_edit": STAFF_ONLY,
    "GET council.council_feed": PUBLIC,
    "GET council.council_list": PUBLIC,
    "GET council.draw_create": STAFF_ONLY,
    "GET council.draw_detail": STAFF_ONLY,
    "GET council.draw_list": STAFF_ONLY,
    "GET council.draw_report": STAFF_ONLY,
    "GET council.erratum_create": STAFF_ONLY,
    "GET council.facilitator_create": STAFF_ONLY,
    "GET council.item_create": STAFF_ONLY,
    "GET council.meeting_cancel": STAFF_ONLY,
    "GET council.meeting_create": STAFF_ONLY,
    "GET council.meeting_detail": PUBLIC,
    "GET council.meeting_edit": STAFF_ONLY,
    "GET council.meeting_ics": PUBLIC,
    "GET council.meeting_list": STAFF_ONLY,
    "GET council.meeting_manage": STAFF_ONLY,
    "GET council.member_create": STAFF_ONLY,
    "GET council.member_edit": STAFF_ONLY,
    "GET council.member_leave": STAFF_ONLY,
    "GET council.member_list": STAFF_ONLY,
    "GET council.member_replace": STAFF_ONLY,
    "GET council.member_space": SIGNED_IN,
    "GET council.minutes_detail": PUBLIC,
    "GET council.minutes_edit": STAFF_ONLY,
    "GET council.minutes_pdf": PUBLIC,
    "GET council.minutes_revisions": STAFF_ONLY,
    "GET council.proxy_give": (302, 403, 403, 403, 403, 403),
    "GET council.rules_edit": STAFF_ONLY,
    "GET council.vote": STAFF_ONLY,
    "GET followup.follow_confirm": PUBLIC,
    "GET followup.milestone_create": STAFF_ONLY,
    "GET followup.milestone_edit": STAFF_ONLY,
    "GET followup.objective_create": STAFF_ONLY,
    "GET followup.objective_edit": STAFF_ONLY,
    "GET followup.objective_list": STAFF_ONLY,
    "GET followup.project_detail": PUBLIC,
    "GET followup.project_edit": STAFF_ONLY,
    "GET followup.project_list": PUBLIC,
    "GET followup.project_photo": PUBLIC,
    "GET followup.project_transition": STAFF_ONLY,
    "GET followup.unsubscribe": (404, 404, 404, 404, 404, 404),
    "GET followup.update_create": STAFF_ONLY,
    "GET publishing.atom_feed": PUBLIC,
    "GET publishing.dashboard": STAFF_ONLY,
    "GET publishing.dataset_csv": PUBLIC,
    "GET publishing.dataset_json": PUBLIC,
    "GET publishing.dataset_schema": PUBLIC,
    "GET publishing.ideas_outcome": PUBLIC,
    "GET publishing.indicators_file": PUBLIC,
    "GET publishing.opendata_index": PUBLIC,
    "GET territories.territory_detail": PUBLIC,
    "POST council.attendance_all_present": (302, 403, 403, 403, 302, 302),
    "POST council.attendance_sheet": STAFF_ONLY,
    "POST council.composition_record": (302, 403, 403, 403, 302, 302),
    "POST council.council_create": STAFF_ONLY,
    "POST council.council_edit": STAFF_ONLY,
    "POST council.draw_create": STAFF_ONLY,
    "POST council.draw_detail": STAFF_ONLY,
    "POST council.erratum_create": STAFF_ONLY,
    "POST council.facilitator_create": STAFF_ONLY,
    "POST council.item_create": STAFF_ONLY,
    "POST council.item_delete": (302, 403, 403, 403, 302, 302),
    "POST council.item_move": (302, 403, 403, 403, 302, 302),
    "POST council.meeting_cancel": STAFF_ONLY,
    "POST council.meeting_close": (302, 403, 403, 403, 302, 302),
    "POST council.meeting_convene": (302, 403, 403, 403, 302, 302),
    "POST council.meeting_create": STAFF_ONLY,
    "POST council.meeting_edit": STAFF_ONLY,
    "POST council.meeting_open": (302, 403, 403, 403, 302, 302),
    "POST council.member_create": STAFF_ONLY,
    "POST council.member_edit": STAFF_ONLY,
    "POST council.member_leave": STAFF_ONLY,
    "POST council.member_replace": STAFF_ONLY,
    "POST council.minutes_action": (302, 403, 403, 403, 302, 302),
    "POST council.minutes_edit": STAFF_ONLY,
    "POST council.minutes_start": (302, 403, 403, 403, 302, 302),
    "POST council.proxy_give": (302, 403, 403, 403, 403, 403),
    "POST council.proxy_withdraw": (302, 302, 302, 302, 302, 302),
    "POST council.rules_edit": STAFF_ONLY,
    "POST council.vote": STAFF_ONLY,
    "POST followup.follow_confirm": (404, 404, 404, 404, 404, 404),
    "POST followup.milestone_create": STAFF_ONLY,
    "POST followup.milestone_edit": STAFF_ONLY,
    "POST followup.objective_create": STAFF_ONLY,
    "POST followup.objective_edit": STAFF_ONLY,
    "POST followup.project_edit": STAFF_ONLY,
    "POST followup.project_follow": (200, 302, 302, 302, 302, 302),
    "POST followup.project_transition": STAFF_ONLY,
    "POST followup.project_unfollow": (403, 302, 302, 302, 302, 302),
    "POST followup.projects_create": (302, 403, 403, 403, 302, 302),
    "POST followup.unsubscribe": (404, 404, 404, 404, 404, 404),
    "POST followup.update_create": STAFF_ONLY,
    "GET followup.photo_add": STAFF_ONLY,
    "GET followup.photo_edit": STAFF_ONLY,
    "GET followup.update_edit": STAFF_ONLY,
    "GET followup.update_withdraw": STAFF_ONLY,
    "POST followup.photo_add": STAFF_ONLY,
    "POST followup.photo_edit": STAFF_ONLY,
    "POST followup.photo_remove": (302, 403, 403, 403, 302, 302),
    "POST followup.update_edit": (302, 403, 403, 403, 302, 302),
    "POST followup.update_withdraw": STAFF_ONLY,
    # FPH: the file is the relay's group's (decided, paid, its bilan filed); the
    # resident and the reviewer are neither its applicant nor staff.
    "GET fph.application_detail": (302, 404, 200, 404, 200, 200),
    "GET fph.application_step": (302, 404, 409, 404, 409, 409),
    "GET fph.fund_create": STAFF_ONLY,
    "GET fph.fund_detail": PUBLIC,
    "GET fph.fund_edit": STAFF_ONLY,
    "GET fph.fund_list": PUBLIC,
    "GET fph.manage_fund": STAFF_ONLY,
    "GET fph.manage_funds": STAFF_ONLY,
    "GET fph.my_applications": SIGNED_IN,
    "GET fph.paper_form": PUBLIC,
    "GET fph.public_file": PUBLIC,
    "GET fph.reglement_adopt": STAFF_ONLY,
    "GET fph.review": STAFF_ONLY,
    "POST fph.application_start": (302, 302, 302, 302, 302, 302),
    "POST fph.application_step": (302, 404, 409, 404, 409, 409),
    "POST fph.application_withdraw": (302, 404, 302, 404, 302, 302),
    "POST fph.fund_create": (302, 403, 403, 403, 400, 400),
    "POST fph.fund_edit": (302, 403, 403, 403, 302, 302),
    "POST fph.paper_start": (302, 403, 403, 403, 302, 302),
    "POST fph.reglement_adopt": (302, 403, 403, 403, 400, 400),
    "POST fph.review_complete": (302, 403, 403, 403, 302, 302),
    "POST fph.review_incomplete": (302, 403, 403, 403, 400, 400),
    "POST fph.review_schedule": (302, 403, 403, 403, 400, 400),
    "GET fph2.committee_file": STAFF_ONLY,
    "GET fph2.fund_ledger": STAFF_ONLY,
    "GET fph2.fund_statement": STAFF_ONLY,
    "GET fph2.letter_pdf": (302, 403, 200, 403, 200, 200),
    "GET fph2.payments_file": STAFF_ONLY,
    "GET fph2.report_attachment": (404, 404, 200, 404, 200, 200),
    "GET fph2.report_file": (302, 403, 200, 403, 200, 200),
    "GET fph2.scdl_export": PUBLIC,
    "POST fph2.committee_file": STAFF_ONLY,
    "POST fph2.committee_schedule": (302, 403, 403, 403, 302, 302),
    "POST fph2.payments_file": STAFF_ONLY,
    "POST fph2.report_file": (302, 403, 200, 403, 200, 200),
    # The demo's first round has no ceremony yet: its box cannot be opened (404).
    "GET voting.ceremony": STAFF_ONLY,
    "GET voting.results_compute_confirm": STAFF_ONLY,
    "GET voting.vote_close_edit": STAFF_ONLY,
    "POST voting.vote_close_edit": STAFF_ONLY,
    "GET voting.result_transition_confirm": (302, 403, 403, 403, 404, 404),
    "GET voting.fingerprints": PUBLIC,
    "GET voting.open_box": (302, 403, 403, 403, 404, 404),
    "POST voting.ceremony": STAFF_ONLY,
    "POST voting.open_box": (302, 403, 403, 403, 404, 404),
    "POST core.set_language /language": (404, 404, 404, 404, 404, 404),
    "POST core.set_language /language/<code>": (302, 302, 302, 302, 302, 302),
}


def expected_for(case: routes.Case) -> tuple[int, ...] | None:
    return EXPECTED.get(f"{case.key} {case.rule}") or EXPECTED.get(case.key)


def test_every_endpoint_has_an_expectation(app):
    """A new route fails here until its line is added to EXPECTED."""
    known = {key.split(" /")[0] for key in EXPECTED}
    missing = sorted(routes.endpoint_keys(app) - known)
    stale = sorted(known - routes.endpoint_keys(app))

    assert not missing, "no expectation for: " + ", ".join(missing)
    assert not stale, "expectations for routes that are gone: " + ", ".join(stale)


@pytest.fixture(scope="module", params=routes.ROLES)
def role_app(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"matrix-{request.param}")
    uri = demo_database_uri(request, folder, f"matrix_{request.param}")
    yield from build_demo_app(folder, uri)


def test_route_role_matrix(role_app, request, caplog):
    role = request.node.callspec.params["role_app"]
    column = routes.ROLES.index(role)
    caplog.set_level(logging.CRITICAL)  # 5xx are counted below, not logged
    wrong, errors, cells = [], [], 0
    # Every GET before any POST: a POST may delete what a GET of the same role
    # then opens (a photo deleted, a file closed), in the order of the URL map.
    for case in sorted(routes.cases(role_app), key=lambda c: c.method != "GET"):
        expected = expected_for(case)
        if expected is None:
            continue  # reported by test_every_endpoint_has_an_expectation
        response = routes.client_for(role_app, role).open(
            case.url(role_app), method=case.method
        )
        response.close()  # a served file's handle is closed at once
        cells += 1
        if response.status_code >= 500:
            errors.append(f"{case.label}: {response.status_code}")
        elif response.status_code != expected[column]:
            wrong.append(
                f"{case.label}: {response.status_code}, not {expected[column]}"
            )

    assert cells > 150
    assert not errors, "server errors:\n" + "\n".join(errors)
    assert not wrong, f"as {role}:\n" + "\n".join(wrong)


def _person(**where) -> User:
    return db.session.scalars(sa.select(User).filter_by(**where)).one()


@pytest.fixture(scope="module")
def idor_app(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("idor")
    yield from build_demo_app(folder, demo_database_uri(request, folder, "idor"))


def test_objects_of_others_are_refused(idor_app):
    """IDOR cases beside the matrix: what one person may open of another's."""
    karim = _person(phone=accounts_demo.RESIDENT_PHONE)
    rose = _person(pseudonym=accounts_demo.MANAGED_PSEUDONYM)
    amina = _person(email=accounts_demo.RESIDENT_EMAIL)
    draft = db.session.scalars(
        sa.select(Idea).where(Idea.state == IdeaState.DRAFT)
    ).first()
    relay = routes.client_for(idor_app, "relay")
    resident = routes.client_for(idor_app, "resident")

    # A relay opens the account they created, not one they neither made nor help.
    assert relay.get(f"/people/{rose.id}").status_code == 200
    assert relay.get(f"/people/{karim.id}").status_code == 403
    assert relay.get(f"/people/{karim.id}/data").status_code == 403
    listed = relay.get("/people", query_string={"q": "a"}).get_data(as_text=True)
    assert f'"/people/{karim.id}"' not in listed
    assert f'"/people/{karim.id}?' not in listed
    assert "Amina Haddad" not in listed
    # A resident opens neither another person's page nor their draft.
    assert resident.get(f"/people/{karim.id}").status_code == 403
    assert draft is not None
    assert draft.author_id != amina.id
    assert resident.get(f"/ideas/{draft.id}").status_code == 404
    assert resident.get(f"/ideas/{draft.id}/edit").status_code == 404
    # Filing an idea in someone else's name: only for the people a relay serves.
    round_id = draft.round_id
    staff_admin = _person(email=accounts_demo.ADMIN_EMAIL)
    as_admin = relay.get(f"/rounds/{round_id}/ideas/new?for={staff_admin.id}")
    assert as_admin.status_code == 403
