"""What each publishing channel last posted of every health event (its lastUpdatedTime)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

from sqlalchemy import select

from notifier.store.guard import SqlRole, guarded
from notifier.store.session import chunks, reading, table, upsert, writing

PUBLICATION = table("health_publication")
_P = PUBLICATION.c


class SqlPublications(SqlRole):
    """The Publications port in SQL."""

    @guarded
    def published_versions(self, channel: str, arns: Collection[str]) -> dict[str, datetime]:
        """The version (lastUpdatedTime) of each of `arns` that `channel` last posted."""
        found: dict[str, datetime] = {}
        with reading(self.engine) as session:
            connection = session.connection()
            for chunk in chunks(sorted(set(arns))):
                query = select(_P.event_arn, _P.last_updated_time).where(
                    _P.channel == channel, _P.event_arn.in_(chunk)
                )
                found.update({arn: when for arn, when in connection.execute(query)})
        return found

    @guarded
    def mark_published(self, channel: str, versions: Mapping[str, datetime]) -> None:
        """Remember which version of each event `channel` has posted; one transaction."""
        if not versions:
            return
        insert = upsert(self.engine, PUBLICATION)
        statement = insert.on_conflict_do_update(
            index_elements=["event_arn", "channel"],
            set_={"last_updated_time": insert.excluded.last_updated_time},
        )
        rows = [
            {"event_arn": arn, "channel": channel, "last_updated_time": when}
            for arn, when in versions.items()
        ]
        with writing(self.engine) as session:
            session.connection().execute(statement, rows)
