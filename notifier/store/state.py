"""Named generations and markers in the `store_state` table.

The health burndown reads the inventory, the stored events and the calendar's dates. Every
write to the first two bumps the `health_inputs` generation in its own transaction; the
burndown records the generation, a digest of the dates, its instant and the next moment a status
could change by the clock alone (the nearest event start still ahead). A burndown asked again with
all three unchanged would change nothing, so it is skipped: a second run on the same day costs
a couple of reads instead of a dozen set statements over the whole fleet.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from notifier.store.session import HEALTH_EVENT, table, upsert

STATE = table("store_state")
HEALTH_INPUTS = "health_inputs"
HEALTH_SEEN = "health_refreshed"


def bump(connection: Connection, name: str = HEALTH_INPUTS) -> None:
    """Add one to the generation `name`, in the connection's transaction."""
    insert = upsert(connection.engine, STATE).values(name=name, generation=1)
    connection.execute(
        insert.on_conflict_do_update(
            index_elements=["name"], set_={"generation": STATE.c.generation + 1}
        )
    )


def fingerprint(connection: Connection, dates: Mapping[str, Any]) -> str:
    """The inputs' generation and a digest of the dates, as one string."""
    query = select(STATE.c.generation).where(STATE.c.name == HEALTH_INPUTS)
    generation = connection.execute(query).scalar_one_or_none() or 0
    digest = hashlib.sha256(repr(sorted(dates.items())).encode()).hexdigest()[:32]
    return f"{generation}:{digest}"


def unchanged_since_last(connection: Connection, seen: str, now: datetime) -> bool:
    """Whether the last burndown saw the same inputs and no event has started since."""
    query = select(STATE.c.value).where(STATE.c.name == HEALTH_SEEN)
    value = connection.execute(query).scalar_one_or_none()
    if value is None:
        return False
    parts = value.split("|")
    if len(parts) != 3 or parts[0] != seen or now < datetime.fromisoformat(parts[1]):
        return False  # other inputs, or an earlier instant (a run --as-of a day gone by)
    return not parts[2] or now < datetime.fromisoformat(parts[2])


def remember(connection: Connection, seen: str, now: datetime) -> None:
    """Record what this burndown saw, and until when the clock alone changes nothing."""
    query = select(func.min(HEALTH_EVENT.c.start_time)).where(HEALTH_EVENT.c.start_time > now)
    until: datetime | None = connection.execute(query).scalar_one_or_none()
    value = f"{seen}|{now.isoformat()}|{until.isoformat() if until else ''}"
    insert = upsert(connection.engine, STATE).values(name=HEALTH_SEEN, value=value)
    connection.execute(insert.on_conflict_do_update(index_elements=["name"], set_={"value": value}))
