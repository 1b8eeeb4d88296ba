"""The health events' burndown, in bulk SQL: a handful of set statements whatever the fleet's size.

Every function ARN ever listed on an event is one of its affected entities. An entity is PENDING
while a Zip function with that ARN is on the event's runtime in the event's account and Region,
RESOLVED otherwise; functions newly on the runtime there join the event as PENDING. An event is
closed once none of its entities is PENDING, upcoming before its start, open from it. A time
(the event's, an entity's) moves to `now` only when something about it changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, TextClause, bindparam, text

from notifier.core.health import Burndown
from notifier.store import state
from notifier.store.bulk import analyze, staged
from notifier.store.session import HEALTH_EVENT, writing

Dates = tuple[datetime | None, datetime | None]  # start, end

_WHEN = HEALTH_EVENT.c.last_updated_time.type

# (event ARN, function ARN) of every Zip function now on an event's runtime, account and Region.
_CURRENT = """
CREATE TEMPORARY TABLE health_now AS
SELECT DISTINCT e.arn AS event_arn, f.arn AS entity_value
FROM health_event e JOIN function f
  ON f.account_id = e.account_id AND f.runtime = e.runtime AND f.region = e.region
WHERE lower(f.package_type) = 'zip'
"""
_LISTED = (
    "EXISTS (SELECT 1 FROM health_now n WHERE n.event_arn = affected_entity.event_arn"
    " AND n.entity_value = affected_entity.entity_value)"
)
_NOT_LISTED = f"NOT {_LISTED}"
_KNOWN = (
    "EXISTS (SELECT 1 FROM affected_entity a WHERE a.event_arn = health_now.event_arn"
    " AND a.entity_value = health_now.entity_value)"
)
_STATUS = """CASE
  WHEN NOT EXISTS (SELECT 1 FROM health_pending p WHERE p.event_arn = health_event.arn)
    THEN 'closed'
  WHEN start_time IS NOT NULL AND start_time > :now THEN 'upcoming'
  ELSE 'open' END"""

_PG_STATUSES = """
WITH computed AS (
  SELECT e.arn, CASE
    WHEN p.event_arn IS NULL THEN 'closed'
    WHEN e.start_time IS NOT NULL AND e.start_time > :now THEN 'upcoming'
    ELSE 'open' END AS status_code
  FROM health_event e LEFT JOIN health_pending p ON p.event_arn = e.arn
), changed AS (
  UPDATE health_event SET status_code = c.status_code FROM computed c
  WHERE c.arn = health_event.arn AND health_event.status_code <> c.status_code
  RETURNING health_event.arn
)
INSERT INTO health_touched SELECT arn FROM changed
"""


def refresh(engine: Engine, now: datetime, dates: Mapping[str, Dates]) -> Burndown:
    """Bring every stored event and entity up to date with the inventory; one transaction.
    Skipped when nothing it reads changed since the last time (see `state`)."""
    with writing(engine) as session:
        connection = session.connection()
        seen = state.fingerprint(connection, dates)
        if state.unchanged_since_last(connection, seen, now):
            return Burndown(0, 0, 0, ())
        burndown = _burndown(connection, now, dates)
        state.remember(connection, seen, now)
    return burndown


def _burndown(connection: Connection, now: datetime, dates: Mapping[str, Dates]) -> Burndown:
    _run(connection, _CURRENT)
    _run(connection, "CREATE INDEX health_now_ix ON health_now (event_arn, entity_value)")
    _run(connection, "CREATE TEMPORARY TABLE health_touched (arn VARCHAR)")
    analyze(connection, "health_now")
    resolved = _entities(connection, now, "PENDING", "RESOLVED", _NOT_LISTED)
    reopened = _entities(connection, now, "RESOLVED", "PENDING", _LISTED)
    added = _add_new(connection, now)
    _dates(connection, dates)
    _statuses(connection, now)
    changed = _touch(connection, now)
    for name in ("health_now", "health_touched", "health_pending"):
        _run(connection, f"DROP TABLE {name}")
    return Burndown(resolved, reopened, added, changed)


def _run(connection: Connection, sql: str, **values: Any) -> int:
    statement: TextClause = text(sql)
    if "now" in values:
        statement = statement.bindparams(bindparam("now", type_=_WHEN))
    return int(connection.execute(statement, values).rowcount or 0)


def _entities(connection: Connection, now: datetime, old: str, new: str, test: str) -> int:
    where = f"status = '{old}' AND {test}"
    update = f"UPDATE affected_entity SET status = '{new}', last_updated_time = :now WHERE {where}"
    if connection.dialect.name == "postgresql":  # one pass: update, and note what changed
        returning = f"WITH changed AS ({update} RETURNING event_arn) "
        return _run(
            connection,
            returning + "INSERT INTO health_touched SELECT event_arn FROM changed",
            now=now,
        )
    _run(
        connection,
        f"INSERT INTO health_touched SELECT DISTINCT event_arn FROM affected_entity WHERE {where}",
    )
    return _run(connection, update, now=now)


def _add_new(connection: Connection, now: datetime) -> int:
    fresh = f"FROM health_now WHERE NOT {_KNOWN}"
    _run(connection, f"INSERT INTO health_touched SELECT DISTINCT event_arn {fresh}")
    return _run(
        connection,
        "INSERT INTO affected_entity (event_arn, entity_value, status, last_updated_time) "
        f"SELECT event_arn, entity_value, 'PENDING', :now {fresh}",
        now=now,
    )


def _dates(connection: Connection, dates: Mapping[str, Dates]) -> None:
    """The calendar decides each runtime's start and end; a moved date changes the event."""
    rows = [(runtime, start, end) for runtime, (start, end) in sorted(dates.items())]
    distinct = "IS NOT" if connection.dialect.name == "sqlite" else "IS DISTINCT FROM"
    moved = (
        f"d.runtime = health_event.runtime AND (health_event.start_time {distinct} d.start_time"
        f" OR health_event.end_time {distinct} d.end_time)"
    )
    columns = ("runtime", "start_time", "end_time")
    with staged(connection, HEALTH_EVENT, columns, rows) as name:
        _run(
            connection,
            f"INSERT INTO health_touched SELECT arn FROM health_event, {name} d WHERE {moved}",
        )
        _run(
            connection,
            f"UPDATE health_event SET start_time = d.start_time, end_time = d.end_time "
            f"FROM {name} d WHERE {moved}",
        )


def _statuses(connection: Connection, now: datetime) -> None:
    _run(
        connection,
        "CREATE TEMPORARY TABLE health_pending AS "
        "SELECT DISTINCT event_arn FROM affected_entity WHERE status = 'PENDING'",
    )
    _run(connection, "CREATE INDEX health_pending_ix ON health_pending (event_arn)")
    if connection.dialect.name == "postgresql":  # joins instead of a lookup per event
        _run(connection, _PG_STATUSES, now=now)
        return
    differs = f"status_code <> {_STATUS}"
    _run(
        connection,
        f"INSERT INTO health_touched SELECT arn FROM health_event WHERE {differs}",
        now=now,
    )
    _run(connection, f"UPDATE health_event SET status_code = {_STATUS} WHERE {differs}", now=now)


def _touch(connection: Connection, now: datetime) -> tuple[str, ...]:
    touched = "SELECT DISTINCT arn FROM health_touched"
    _run(
        connection,
        f"UPDATE health_event SET last_updated_time = :now WHERE arn IN ({touched})",
        now=now,
    )
    return tuple(sorted(connection.execute(text(touched)).scalars()))
