"""The shared send budget as numbers: a schedule of send slots, one rate for every process.

The budget is one row per channel (kept by the store): the rate it runs at now, the base rate
it recovers to, and the instant (`next_at`, wall seconds) from which the next slot is free.
A grant of `count` slots starts at max(now, next_at) and moves `next_at` on by count / rate, so
slots never overlap whoever takes them: N processes together send at most rate * t (+ one
batch) in t seconds. A throttling answer halves the rate (at most once a `HOLD_S`); it then
regains a tenth of its base every `RECOVERY_S`. Pure: the caller gives the instants.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

RECOVERY_S = 10.0  # seconds between steps back up, each a tenth of the base rate
HOLD_S = 1.0  # throttles within this long of a slow-down are the same slow-down
SLOWEST = 1 / 64  # the rate never falls below this share of the base


@dataclass(frozen=True)
class Bucket:
    base: float  # messages a second when nothing throttles
    rate: float  # messages a second now
    next_at: float  # wall seconds: the first free slot
    changed_at: float  # wall seconds: the last slow-down or step back up

    @property
    def slowed(self) -> bool:
        return self.rate < self.base


@dataclass(frozen=True)
class Grant:
    start: float  # wall seconds: the first slot
    count: int  # slots, spaced 1 / rate apart
    rate: float


def fresh(base: float, now: float) -> Bucket:
    return Bucket(base, base, now, now)


def rebased(bucket: Bucket, base: float) -> Bucket:
    """The bucket on a new base rate (the setting or the account's rate changed)."""
    if bucket.base == base:
        return bucket
    return replace(bucket, base=base, rate=min(bucket.rate, base) if bucket.slowed else base)


def recovered(bucket: Bucket, now: float) -> Bucket:
    """A slowed rate a tenth of the base higher for each RECOVERY_S since its last change."""
    steps = int((now - bucket.changed_at) // RECOVERY_S)
    if not bucket.slowed or steps <= 0:
        return bucket
    rate = min(bucket.base, bucket.rate + bucket.base * 0.1 * steps)
    return replace(bucket, rate=rate, changed_at=bucket.changed_at + steps * RECOVERY_S)


def take(bucket: Bucket, count: int, now: float) -> tuple[Bucket, Grant]:
    """`count` slots from the first free one (after any recovery due)."""
    current = recovered(bucket, now)
    start = max(now, current.next_at)
    later = replace(current, next_at=start + count / current.rate)
    return later, Grant(start, count, current.rate)


def slowed(bucket: Bucket, now: float) -> Bucket:
    """Half the rate after a throttling answer; the next slot no sooner than one slot away.
    Throttles of slots granted before the last slow-down (within HOLD_S) do not halve again."""
    if bucket.slowed and now - bucket.changed_at < HOLD_S:
        return bucket
    rate = max(bucket.rate / 2, bucket.base * SLOWEST)
    return replace(bucket, rate=rate, changed_at=now, next_at=max(bucket.next_at, now + 1 / rate))
