"""notifier: tells cloud account owners, ahead of time, that their functions need a new runtime.

from datetime import date
from notifier import Notifier

nt = Notifier("notifier.toml", sample_data=False)
nt.dry_run(as_of=date(2027, 1, 15)).to_json()
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from notifier.api.notifier import Notifier
    from notifier.api.previews import Gallery, TemplatesCheck
    from notifier.api.results import (
        CalendarCheck,
        CalendarView,
        DryRun,
        History,
        PlannedNotice,
        Resend,
        SetupCheck,
        Suppressions,
    )
    from notifier.config import Settings
    from notifier.core.errors import (
        ChannelDown,
        ConfigError,
        InputError,
        NotifierError,
        Problem,
        RunLockedError,
        RunLockLost,
        StoreError,
    )
    from notifier.core.records import InventorySummary
    from notifier.service.dashboard import DashboardSummary
    from notifier.service.feedback import FeedbackSummary
    from notifier.service.imports import AccountsSummary
    from notifier.service.preview import Preview
    from notifier.service.setup import ChannelCheck
    from notifier.service.summary import ChannelStats, RunSummary

__version__ = "0.1.0"

__all__ = [
    "AccountsSummary",
    "CalendarCheck",
    "CalendarView",
    "ChannelCheck",
    "ChannelDown",
    "ChannelStats",
    "ConfigError",
    "DashboardSummary",
    "DryRun",
    "FeedbackSummary",
    "Gallery",
    "History",
    "InputError",
    "InventorySummary",
    "Notifier",
    "NotifierError",
    "PlannedNotice",
    "Preview",
    "Problem",
    "Resend",
    "RunLockLost",
    "RunLockedError",
    "RunSummary",
    "Settings",
    "SetupCheck",
    "StoreError",
    "Suppressions",
    "TemplatesCheck",
    "__version__",
]

# Where each public name lives: imported when first used, so that `import notifier` (and every
# worker process) stays cheap.
_HOMES = {
    "Notifier": "notifier.api.notifier",
    "Gallery": "notifier.api.previews",
    "TemplatesCheck": "notifier.api.previews",
    **dict.fromkeys(
        (
            *("CalendarCheck", "CalendarView", "DryRun", "History", "PlannedNotice"),
            *("Resend", "SetupCheck", "Suppressions"),
        ),
        "notifier.api.results",
    ),
    "Settings": "notifier.config",
    **dict.fromkeys(
        ("ConfigError", "InputError", "NotifierError", "Problem", "RunLockedError"),
        "notifier.core.errors",
    ),
    "RunLockLost": "notifier.core.errors",
    "StoreError": "notifier.core.errors",
    "ChannelDown": "notifier.core.errors",
    "Suppressions": "notifier.api.results",
    "ChannelCheck": "notifier.service.setup",
    "InventorySummary": "notifier.core.records",
    "DashboardSummary": "notifier.service.dashboard",
    "FeedbackSummary": "notifier.service.feedback",
    "AccountsSummary": "notifier.service.imports",
    "Preview": "notifier.service.preview",
    "RunSummary": "notifier.service.summary",
    "ChannelStats": "notifier.service.summary",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'notifier' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
