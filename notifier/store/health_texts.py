"""The stored text of health events (description, metadata), rewritten when dates move."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import Engine, bindparam, func, select, update

from notifier.store import state
from notifier.store.session import HEALTH_EVENT, reading, writing

_E = HEALTH_EVENT.c
Text = tuple[str, str | None, Mapping[str, str]]  # arn, description (None: kept), metadata


def metadata_versions(engine: Engine) -> list[tuple[str, str]]:
    """Each distinct (runtime, metadata JSON) the events hold: a few per runtime."""
    query = select(_E.runtime, _E["metadata"]).distinct().order_by(_E.runtime)
    with reading(engine) as session:
        return [(r, m) for r, m in session.connection().execute(query)]


def events_with_metadata(engine: Engine, runtime: str, metadata: str) -> list[tuple[str, str]]:
    """(ARN, account id) of the events of `runtime` holding exactly `metadata`."""
    query = select(_E.arn, _E.account_id).where(_E.runtime == runtime, _E["metadata"] == metadata)
    with reading(engine) as session:
        return [(a, b) for a, b in session.connection().execute(query.order_by(_E.arn))]


def rewrite(engine: Engine, texts: Sequence[Text], at: datetime) -> None:
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
    rows = [{"key": a, "text": d, "meta": json.dumps(dict(m), sort_keys=True)} for a, d, m in texts]
    with writing(engine) as session:
        session.connection().execute(statement, rows)
        state.bump(session.connection())
