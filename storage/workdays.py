"""Working days and working hours: when the bot may send scheduled messages.

Nothing scheduled goes out at a weekend, on a bank holiday of the partnership's
nation (the ``holidays`` package, subdivisions ENG and WLS of GB) or in its
quiet hours; something due then goes out at the start of the next working
morning. Everything here works on *local* calendar dates and wall-clock times
in the partnership's zone, which is what makes the March and October clock
changes harmless: a day is a day whether it has 23, 24 or 25 hours.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@lru_cache(maxsize=16)
def _bank_holidays(nation: str, year: int) -> dict[dt.date, str]:
    """The bank holidays of one nation in one year (cached: the package builds them lazily)."""
    found = holidays.country_holidays("GB", subdiv=nation, years=year)
    return {day: str(name) for day, name in found.items()}


class WorkingCalendar:
    """A partnership's working days and sending hours."""

    def __init__(
        self,
        nation: str = "ENG",
        zone: str | ZoneInfo = "Europe/London",
        opens: dt.time = dt.time(9, 0),
        closes: dt.time = dt.time(18, 0),
    ) -> None:
        self.nation = nation
        self.zone = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
        self.opens = opens
        self.closes = closes

    def holiday(self, day: dt.date) -> str | None:
        """The bank holiday's name, or None."""
        return _bank_holidays(self.nation, day.year).get(day)

    def is_working_day(self, day: dt.date) -> bool:
        """Monday to Friday and not a bank holiday."""
        return day.weekday() < 5 and self.holiday(day) is None

    def on_or_after(self, day: dt.date) -> dt.date:
        """``day`` if it is a working day, else the next one."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def on_or_before(self, day: dt.date) -> dt.date:
        """``day`` if it is a working day, else the one before."""
        while not self.is_working_day(day):
            day -= dt.timedelta(days=1)
        return day

    def shift(self, day: dt.date, working_days: int) -> dt.date:
        """The working day ``working_days`` after ``day`` (before it when negative).

        Counting starts from the day itself, which need not be a working day:
        5 working days before a Monday meeting is the Monday before it.
        """
        step = dt.timedelta(days=1 if working_days >= 0 else -1)
        left = abs(working_days)
        if left == 0:
            return self.on_or_after(day)
        while left:
            day += step
            if self.is_working_day(day):
                left -= 1
        return day

    def local(self, moment: dt.datetime) -> dt.datetime:
        """An aware moment as local wall-clock time."""
        return moment.astimezone(self.zone)

    def is_open(self, moment: dt.datetime) -> bool:
        """Whether a scheduled message may be sent at this moment."""
        here = self.local(moment)
        return self.is_working_day(here.date()) and self.opens <= here.time() < self.closes

    def next_open(self, moment: dt.datetime) -> dt.datetime:
        """The first moment at or after ``moment`` when sending is allowed (aware, UTC)."""
        if self.is_open(moment):
            return moment
        here = self.local(moment)
        day = here.date()
        if here.time() >= self.opens:
            day += dt.timedelta(days=1)
        day = self.on_or_after(day)
        opening = dt.datetime.combine(day, self.opens, tzinfo=self.zone)
        return opening.astimezone(dt.UTC)
