"""The calendar in use and the inputs a plan is made from."""

from __future__ import annotations

from datetime import date

from notifier.config import Settings
from notifier.core.domain import Calendar
from notifier.parsing.calendar import load_calendar
from notifier.service.planning import PlanInputs


def calendar(settings: Settings) -> Calendar:
    return load_calendar(settings.calendar)


def plan_inputs(settings: Settings, cal: Calendar, as_of: date) -> PlanInputs:
    return PlanInputs(as_of, cal, settings.schedule, settings.recipients)
