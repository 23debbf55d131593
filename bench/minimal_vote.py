"""The minimal vote endpoint the full vote path is compared with (``make bench``).

Same gunicorn settings, same database (``PARTICIPATION_SQLALCHEMY_DATABASE_URI``),
same tables: one POST, one transaction inserting a sign-in row and a sealed ballot row,
nothing else (no session, no CSRF, no rules, no template). What the real path costs
beyond this is what it spends on being a web application.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import uuid
from datetime import date

import sqlalchemy as sa
from flask import Flask, request

from participation.core.runtime import settle_for_serving

app = Flask(__name__)
engine = sa.create_engine(
    os.environ.get("PARTICIPATION_SQLALCHEMY_DATABASE_URI", "sqlite://"),
    pool_size=8,
)
SIGN_IN = sa.text(
    "INSERT INTO sign_in (round_id, person_id, territory_id, channel, signed_on)"
    " VALUES (:round_id, :person_id, :territory_id, 'online', :signed_on)"
)
BALLOT = sa.text(
    "INSERT INTO sealed_ballot (id, envelope_id, sealed, fingerprint)"
    " VALUES (:id, :envelope_id, :sealed, :fingerprint)"
)


@app.get("/")
def ready() -> str:
    return "ready"


@app.post("/vote")
def vote() -> tuple[str, int]:
    form = request.form
    # A sealed ballot's size (the real one is sealed with the round's key).
    sealed = secrets.token_bytes(96)
    fingerprint = hashlib.sha256(sealed).hexdigest()
    with engine.begin() as connection:
        connection.execute(
            SIGN_IN,
            {
                "round_id": int(form["round"]),
                "person_id": int(form["person"]),
                "territory_id": int(form["territory"]),
                "signed_on": date.today(),  # noqa: DTZ011 (a bench row)
            },
        )
        connection.execute(
            BALLOT,
            {
                "id": uuid.uuid4(),
                "envelope_id": int(form["envelope"]),
                "sealed": sealed,
                "fingerprint": fingerprint,
            },
        )
    return "recorded", 201


# The same runtime as the app's WSGI entry (participation/wsgi.py).
settle_for_serving()
