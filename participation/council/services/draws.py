"""Draws by lot: import a pseudonymised pool, then draw in front of witnesses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ...accounts.states import Sex
from ...core.actors import Actor, actor_id
from ...core.errors import Conflict, DomainError, FieldErrors
from ...core.i18n import lazy_gettext as _l
from ...core.time import utcnow
from ...extensions import db
from .. import draw as lottery
from ..models import Council, CouncilDraw, DrawEntry
from ..permissions import can_manage_councils
from ..pool import parse_pool
from ..states import DrawOutcome
from .common import clean_text, collect, record, require

MAX_SEATS_PER_STRATUM = 50
MIN_WITNESSES = 2
MAX_WITNESS_LENGTH = 120
SEX_LABELS = {"female": _l("women"), "male": _l("men")}


def stratum_label(stratum: str) -> str:
    """A stratum as people read it: ``women · 16-29``."""
    parts = stratum.split("|") if stratum else []
    return " · ".join(str(SEX_LABELS.get(part, part or "—")) for part in parts) or str(
        _l("whole pool")
    )


def draw_error_message(error: lottery.DrawError) -> Any:
    """The translated reason a draw cannot be made."""
    label = stratum_label("|".join(error.stratum))
    if error.kind == "empty_stratum":
        return _l(
            "The stratum “%(stratum)s” has nobody in the pool: every stratum needs"
            " people to draw from.",
            stratum=label,
        )
    if error.kind == "small_stratum":
        return _l(
            "The stratum “%(stratum)s” has %(size)d people for %(needed)d titular"
            " seats.",
            stratum=label,
            size=error.size,
            needed=error.needed,
        )
    if error.kind == "empty_seed":
        return _l("Type the seed chosen in front of the witnesses.")
    if error.kind == "duplicate_reference":
        return _l("A reference appears twice in the pool.")
    if error.kind == "unknown_sex":
        return _l("The draw stratifies by sex: each person is F or M.")
    return _l("At least one titular seat per stratum.")


@dataclass(frozen=True)
class PoolImport:
    title: str
    data: bytes
    titulars_per_stratum: int
    substitutes_per_stratum: int
    source: str = ""
    by_sex: bool = True
    by_age_band: bool = False
    by_qpv: bool = False

    @property
    def spec(self) -> lottery.StrataSpec:
        return lottery.StrataSpec(
            by_sex=self.by_sex, by_age_band=self.by_age_band, by_qpv=self.by_qpv
        )


def _check_import(council: Council, data: PoolImport) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {}
    values["title"] = collect(
        errors, "title", lambda: clean_text(data.title, "title", max_length=160)
    )
    values["source"] = collect(
        errors,
        "source",
        lambda: clean_text(data.source, "source", max_length=300, required=False),
    )
    if not 1 <= data.titulars_per_stratum <= MAX_SEATS_PER_STRATUM:
        errors["titulars_per_stratum"] = _l(
            "Between 1 and %(n)d seats.", n=MAX_SEATS_PER_STRATUM
        )
    if not 0 <= data.substitutes_per_stratum <= MAX_SEATS_PER_STRATUM:
        errors["substitutes_per_stratum"] = _l(
            "Between 0 and %(n)d substitutes.", n=MAX_SEATS_PER_STRATUM
        )
    if council.is_parity_required and not data.by_sex:
        errors["by_sex"] = _l(
            "The council's policy requires parity: the draw is stratified by sex."
        )
    if errors:
        raise FieldErrors(errors)
    return values


def import_pool(council: Council, data: PoolImport, actor: Actor) -> CouncilDraw:
    """Store the pool of a coming draw; every line is good or nothing is imported.

    :raises PoolErrors: bad lines, by number (field ``pool_file``).
    """
    require(
        can_manage_councils(actor),
        _l("Only the politique de la ville staff organise draws."),
    )
    values = _check_import(council, data)
    people = parse_pool(data.data)
    try:
        lottery.check_pool(people, data.spec, data.titulars_per_stratum)
    except lottery.DrawError as error:
        raise DomainError(draw_error_message(error), field="pool_file") from None
    spec = data.spec
    draw = CouncilDraw(
        council_id=council.id,
        title=values["title"],
        source=values["source"],
        by_sex=data.by_sex,
        by_age_band=data.by_age_band,
        by_qpv=data.by_qpv,
        titulars_per_stratum=data.titulars_per_stratum,
        substitutes_per_stratum=data.substitutes_per_stratum,
        pool_size=len(people),
        pool_fingerprint=lottery.pool_fingerprint(people),
        is_draw_required=council.is_draw_required,
        is_parity_required=council.is_parity_required,
        imported_by_id=actor_id(actor),
    )
    draw.entries = [
        DrawEntry(
            line_number=number,
            reference=person.reference,
            sex=Sex(person.sex),
            age_band=person.age_band,
            qpv=person.qpv,
            stratum="|".join(spec.stratum_of(person)),
        )
        for number, person in enumerate(people, start=1)
    ]
    db.session.add(draw)
    db.session.flush()
    record(
        "draw_imported",
        actor,
        draw,
        council_id=council.id,
        pool_size=draw.pool_size,
        fingerprint=draw.pool_fingerprint,
    )
    return draw


def pool_of(draw: CouncilDraw) -> list[lottery.PoolPerson]:
    return [
        lottery.PoolPerson(
            reference=entry.reference,
            sex=entry.sex.value,
            age_band=entry.age_band,
            qpv=entry.qpv,
        )
        for entry in draw.entries
    ]


def spec_of(draw: CouncilDraw) -> lottery.StrataSpec:
    return lottery.StrataSpec(
        by_sex=draw.by_sex, by_age_band=draw.by_age_band, by_qpv=draw.by_qpv
    )


def redo(draw: CouncilDraw, seed: str | None = None) -> lottery.DrawResult:
    """Run the draw's algorithm again (with its own seed unless another is given)."""
    return lottery.draw(
        pool_of(draw),
        seed if seed is not None else draw.seed or "",
        titulars=draw.titulars_per_stratum,
        substitutes=draw.substitutes_per_stratum,
        spec=spec_of(draw),
    )


def _witnesses(text: str) -> list[str]:
    names = [" ".join(line.split()) for line in text.splitlines()]
    names = [name for name in names if name]
    if len(names) < MIN_WITNESSES:
        raise DomainError(
            _l("Name at least two witnesses, one per line."), field="witnesses"
        )
    if any(len(name) > MAX_WITNESS_LENGTH for name in names):
        raise DomainError(
            _l("At most %(n)d characters per name.", n=MAX_WITNESS_LENGTH),
            field="witnesses",
        )
    return names


def perform_draw(
    draw: CouncilDraw,
    seed: str,
    witnesses: str,
    actor: Actor,
    *,
    now: datetime | None = None,
) -> lottery.DrawResult:
    """Draw with the public *seed* in front of the named *witnesses*; final."""
    require(
        can_manage_councils(actor),
        _l("Only the politique de la ville staff organise draws."),
    )
    if draw.is_drawn:
        raise Conflict(_l("This draw has already been made: it cannot be redone."))
    errors: dict[str, Any] = {}
    names = collect(errors, "witnesses", lambda: _witnesses(witnesses))
    seed_text = lottery.normalise_seed(seed)
    if not seed_text:
        errors["seed"] = _l("Type the seed chosen in front of the witnesses.")
    elif len(seed_text) > 200:
        errors["seed"] = _l("At most %(n)d characters.", n=200)
    if errors:
        raise FieldErrors(errors)
    try:
        result = redo(draw, seed_text)
    except lottery.DrawError as error:
        raise DomainError(draw_error_message(error), field="seed") from None
    placements = result.placements()
    for entry in draw.entries:
        placed = placements.get(entry.reference)
        if placed is None:
            entry.outcome, entry.rank = DrawOutcome.NOT_DRAWN, None
        else:
            entry.outcome, entry.rank = DrawOutcome(placed[0]), placed[1]
    draw.seed = result.seed
    draw.master_key = result.master_key
    draw.witnesses = "\n".join(names or [])
    draw.drawn_at = now or utcnow()
    draw.drawn_by_id = actor_id(actor)
    db.session.flush()
    record(
        "draw_performed",
        actor,
        draw,
        council_id=draw.council_id,
        seed=result.seed,
        fingerprint=result.fingerprint,
        master_key=result.master_key,
        witnesses=names,
    )
    return result
