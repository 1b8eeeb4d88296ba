"""Render + build rate of notices (NoticeRenderer.render, then mime.build_message), per size.

    python tests/rendering_bench.py                      # this checkout
    git archive HEAD | tar -x -C /tmp/before && python tests/rendering_bench.py /tmp/before

Each size renders and builds the six situations in turn; the rate is the best of five rounds of
CPU time (process_time), so that other work on the machine disturbs it less than wall time.
At 51 functions and more, the message carries the CSV attachment (default max_functions 50).
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

SIZES = (5, 20, 200)


def rate(root: Path, count: int, messages: int) -> float:
    sys.path.insert(0, str(root))
    from notifier.rendering.mime import build_message
    from notifier.rendering.notice import NoticeRenderer
    from tests.rendering_helpers import SITUATIONS, notice

    renderer = NoticeRenderer()
    samples = [notice(phase=p, days_before=d, count=count) for p, d in SITUATIONS.values()]
    sent_at = datetime(2026, 10, 1, tzinfo=UTC)
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        for index in range(messages):
            sample = samples[index % len(samples)]
            message_id = sample.key.message_id("bench.example")
            rendered = renderer.render(sample)
            build_message(
                sample, rendered, message_id=message_id, sender="n@example.com", sent_at=sent_at
            )
        best = min(best, time.process_time() - started)
    return messages / best


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[1])
    for count in SIZES:
        per_s = rate(root.resolve(), count, 600 if count < 100 else 300)
        print(f"{root}: {count:>4} functions: {per_s:7.0f} messages/s", flush=True)


if __name__ == "__main__":
    main()
