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
from .managed import (
    ManagedAccount,
    create_managed_account,
    redeem_setup_code,
    regenerate_setup_code,
    setup_code_matches,
)
from .lookup import issue_pass, pass_is_valid
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
    "SignInStep",
    "attach_territory",
    "complete_second_factor",
    "detach_territory",
    "end_session",
    "issue_pass",
    "next_step",
    "open_session",
    "pass_is_valid",
    "record_help",
    "served_territories",
    "sign_in",
    "sign_out_everywhere",
    "PersonDetails",
    "ProfileChanges",
    "ProfileResult",
    "Registration",
    "TokenError",
    "authenticate",
    "change_password",
    "confirm_email",
    "create_managed_account",
    "email_confirmation_token",
    "find_by_login",
    "grant_role",
    "normalize_email",
    "normalize_phone",
    "password_reset_token",
    "redeem_setup_code",
    "regenerate_setup_code",
    "register",
    "request_password_reset",
    "reset_password",
    "revoke_role",
    "revoke_verification",
    "send_email_confirmation",
    "setup_code_matches",
    "update_profile",
    "verify_resident",
]
