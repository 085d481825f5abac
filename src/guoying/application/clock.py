"""The time commands are decided at: China's wall clock, and the date it shows there."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]

CHINA = ZoneInfo("Asia/Shanghai")


def china_now() -> datetime:
    return datetime.now(tz=CHINA)


def today_in_china(clock: Clock) -> date:
    return clock().astimezone(CHINA).date()
