"""The health events' upkeep: their text rewritten when dates move, and the burndown in bulk
SQL, a handful of set statements whatever the fleet's size.

Every function ARN ever listed on an event is one of its affected entities. An entity is PENDING
while a Zip function with that ARN is on the event's runtime in the event's account and Region,
RESOLVED otherwise; functions newly on the runtime there join the event as PENDING. An event is
closed once none of its entities is PENDING, upcoming before its start, open from it; a closed
event ends at the instant it closed, any other when the calendar says. A time (the event's, an
entity's) moves to `now` only when something about it changed. This is core/lifecycle.py's rule
applied to every event at once; a table-driven test holds the two equal.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, TextClause, bindparam, func, select, text, update

from notifier.core.health import Burndown
from notifier.core.lifecycle import Schedule
from notifier.store import state
from notifier.store.bulk import analyze, staged
from notifier.store.guard import SqlRole, guarded
from notifier.store.session import HEALTH_EVENT, reading, writing

_E = HEALTH_EVENT.c
_WHEN = _E.last_updated_time.type
Text = tuple[str, str | None, Mapping[str, str]]  # arn, description (None: kept), metadata

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
# The events whose status changes, with their new status and end (the closing instant, or the
# calendar's planned end; without the runtime in the calendar, a reopened event has none).
_STATUSES = """
CREATE TEMPORARY TABLE health_status AS
SELECT arn, status_code, CASE WHEN status_code = 'closed' THEN :now ELSE planned END AS end_time
FROM (
  SELECT e.arn, e.status_code AS was, CASE
      WHEN p.event_arn IS NULL THEN 'closed'
      WHEN e.start_time IS NOT NULL AND e.start_time > :now THEN 'upcoming'
      ELSE 'open' END AS status_code,
    CASE WHEN d.runtime IS NOT NULL THEN d.end_time
      WHEN e.status_code = 'closed' THEN NULL ELSE e.end_time END AS planned
  FROM health_event e LEFT JOIN health_pending p ON p.event_arn = e.arn
  LEFT JOIN {dates} d ON d.runtime = e.runtime
) s WHERE status_code <> was
"""
_SET_STATUSES = """
UPDATE health_event SET status_code = s.status_code, end_time = s.end_time
FROM health_status s WHERE s.arn = health_event.arn
"""


class SqlHealthUpkeep(SqlRole):
    """The HealthUpkeep port in SQL: the burndown, and the events' text kept up to date."""

    @guarded
    def refresh_health(self, now: datetime, dates: Mapping[str, Schedule]) -> Burndown:
        """Bring every stored event and entity up to date with the inventory; one transaction.
        Skipped when nothing it reads changed since the last time (see `state`)."""
        with writing(self.engine) as session:
            connection = session.connection()
            seen = state.fingerprint(connection, dates)
            if state.unchanged_since_last(connection, seen, now):
                return Burndown(0, 0, 0, ())
            burndown = _burndown(connection, now, dates)
            state.remember(connection, seen, now)
        return burndown

    @guarded
    def health_metadata_versions(self) -> list[tuple[str, str]]:
        """Each distinct (runtime, metadata JSON) the events hold: a few per runtime."""
        query = select(_E.runtime, _E["metadata"]).distinct().order_by(_E.runtime)
        with reading(self.engine) as session:
            return [(r, m) for r, m in session.connection().execute(query)]

    @guarded
    def health_events_with_metadata(self, runtime: str, metadata: str) -> list[tuple[str, str]]:
        """(ARN, account id) of the events of `runtime` holding exactly `metadata`."""
        query = select(_E.arn, _E.account_id).where(
            _E.runtime == runtime, _E["metadata"] == metadata
        )
        with reading(self.engine) as session:
            return [(a, b) for a, b in session.connection().execute(query.order_by(_E.arn))]

    @guarded
    def rewrite_health_texts(self, texts: Sequence[Text], at: datetime) -> None:
        """Set each event's description and metadata and move its lastUpdatedTime to `at`."""
        if not texts:
            return
        statement = (
            update(HEALTH_EVENT)
            .where(_E.arn == bindparam("key"))
            .values(
                description=func.coalesce(bindparam("text"), _E.description),
                metadata=bindparam("meta"),
                last_updated_time=at,
            )
        )
        rows = [
            {"key": a, "text": d, "meta": json.dumps(dict(m), sort_keys=True)} for a, d, m in texts
        ]
        with writing(self.engine) as session:
            session.connection().execute(statement, rows)
            state.bump(session.connection())


def _burndown(connection: Connection, now: datetime, dates: Mapping[str, Schedule]) -> Burndown:
    _run(connection, _CURRENT)
    _run(connection, "CREATE INDEX health_now_ix ON health_now (event_arn, entity_value)")
    _run(connection, "CREATE TEMPORARY TABLE health_touched (arn VARCHAR)")
    analyze(connection, "health_now")
    resolved = _entities(connection, now, "PENDING", "RESOLVED", _NOT_LISTED)
    reopened = _entities(connection, now, "RESOLVED", "PENDING", _LISTED)
    added = _add_new(connection, now)
    rows = [(r, plan.start_time, plan.planned_end) for r, plan in sorted(dates.items())]
    with staged(connection, HEALTH_EVENT, ("runtime", "start_time", "end_time"), rows) as name:
        _dates(connection, name)
        _statuses(connection, now, name)
    changed = _touch(connection, now)
    for name in ("health_now", "health_touched", "health_pending", "health_status"):
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


def _dates(connection: Connection, dates: str) -> None:
    """The calendar decides each runtime's start, and the end of events not closed; a moved
    date changes the event."""
    distinct = "IS NOT" if connection.dialect.name == "sqlite" else "IS DISTINCT FROM"
    e = "health_event"
    moved = (
        f"d.runtime = {e}.runtime AND ({e}.start_time {distinct} d.start_time"
        f" OR ({e}.status_code <> 'closed' AND {e}.end_time {distinct} d.end_time))"
    )
    end = f"CASE WHEN {e}.status_code = 'closed' THEN {e}.end_time ELSE d.end_time END"
    _run(connection, f"INSERT INTO health_touched SELECT arn FROM {e}, {dates} d WHERE {moved}")
    _run(
        connection,
        f"UPDATE {e} SET start_time = d.start_time, end_time = {end} FROM {dates} d WHERE {moved}",
    )


def _statuses(connection: Connection, now: datetime, dates: str) -> None:
    """New statuses by the rule; a closing event ends now, a reopened one as planned."""
    _run(
        connection,
        "CREATE TEMPORARY TABLE health_pending AS "
        "SELECT DISTINCT event_arn FROM affected_entity WHERE status = 'PENDING'",
    )
    _run(connection, "CREATE INDEX health_pending_ix ON health_pending (event_arn)")
    _run(connection, _STATUSES.format(dates=dates), now=now)
    _run(connection, "INSERT INTO health_touched SELECT arn FROM health_status")
    _run(connection, _SET_STATUSES)


def _touch(connection: Connection, now: datetime) -> tuple[str, ...]:
    touched = "SELECT DISTINCT arn FROM health_touched"
    _run(
        connection,
        f"UPDATE health_event SET last_updated_time = :now WHERE arn IN ({touched})",
        now=now,
    )
    return tuple(sorted(connection.execute(text(touched)).scalars()))
