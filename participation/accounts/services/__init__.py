"""Account operations: registration, sign-in, e-mailed links, profile, managed
accounts, resident verification and roles. Services flush; the calling view or
command commits.

Callers import this package (``from ..accounts import services``); each topic
lives in its own module below. The pure rules of what people type are in
:mod:`participation.accounts.rules`, who may do what in
:mod:`participation.accounts.permissions`.
"""

from __future__ import annotations

from ..rules import normalize_phone
from .checks import PersonDetails, normalize_email
from .links import (
    TokenError,
    confirm_email,
    email_confirmation_token,
    password_reset_token,
    request_password_reset,
    reset_password,
    send_email_confirmation,
)
from .lookup import issue_pass, pass_is_valid
from .managed import (
    ManagedAccount,
    create_managed_account,
    redeem_setup_code,
    regenerate_setup_code,
    setup_code_matches,
)
from .profile import ProfileChanges, ProfileResult, update_profile
from .registration import Registration, register
from .relays import (
    attach_territory,
    detach_territory,
    record_help,
    served_territories,
)
from .roles import grant_role, revoke_role
from .sessions import end_session, open_session, sign_out_everywhere
from .signin import (
    NextStep,
    SignInStep,
    authenticate,
    change_password,
    complete_second_factor,
    find_by_login,
    next_step,
    sign_in,
)
from .verification import revoke_verification, verify_resident

__all__ = [
    "ManagedAccount",
    "NextStep",
    "PersonDetails",
    "ProfileChanges",
    "ProfileResult",
    "Registration",
    "SignInStep",
    "TokenError",
    "attach_territory",
    "authenticate",
    "change_password",
    "complete_second_factor",
    "confirm_email",
    "create_managed_account",
    "detach_territory",
    "email_confirmation_token",
    "end_session",
    "find_by_login",
    "grant_role",
    "issue_pass",
    "next_step",
    "normalize_email",
    "normalize_phone",
    "open_session",
    "pass_is_valid",
    "password_reset_token",
    "record_help",
    "redeem_setup_code",
    "regenerate_setup_code",
    "register",
    "request_password_reset",
    "reset_password",
    "revoke_role",
    "revoke_verification",
    "send_email_confirmation",
    "served_territories",
    "setup_code_matches",
    "sign_in",
    "sign_out_everywhere",
    "update_profile",
    "verify_resident",
]
