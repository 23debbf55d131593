"""Freeze the voting guards (database triggers) into the initial revision.

Autogenerate does not see triggers; ``bin/regenerate-migration`` calls this to copy
``participation.voting.models.TRIGGERS`` / ``DROP_TRIGGERS`` into the revision as
literals, so the revision does not change when the models module does.
"""

from __future__ import annotations

import pprint
import sys
from pathlib import Path

from participation.voting.models import DROP_TRIGGERS, TRIGGERS


def main(path: str) -> None:
    source = Path(path).read_text()
    literals = (
        "\n\n#: Guards of the voting tables, per dialect (voting.models.TRIGGERS).\n"
        f"TRIGGERS = {pprint.pformat(TRIGGERS, width=88)}\n"
        f"DROP_TRIGGERS = {pprint.pformat(DROP_TRIGGERS, width=88)}\n"
    )
    upgrade_end = (
        "\n    for statement in TRIGGERS.get(op.get_bind().dialect.name, []):\n"
        "        op.execute(statement)\n"
    )
    downgrade_start = (
        "def downgrade():\n"
        "    for statement in DROP_TRIGGERS.get(op.get_bind().dialect.name, []):\n"
        "        op.execute(statement)\n"
    )
    head, _, rest = source.partition("\n\ndef upgrade():\n")
    upgrade_body, _, downgrade_body = rest.partition("\n\ndef downgrade():\n")
    if not upgrade_body or not downgrade_body:
        sys.exit("unexpected revision layout")
    source = (
        head
        + literals
        + "\n\ndef upgrade():\n"
        + upgrade_body.rstrip("\n")
        + "\n"
        + upgrade_end
        + "\n\n"
        + downgrade_start
        + downgrade_body
    )
    Path(path).write_text(source)


if __name__ == "__main__":
    main(sys.argv[1])
