"""Document dates (`date_field=`) and the periods they fall in (`period=week|month`).

A date is read from an ISO 8601 string (`2024-03-05`, `2024-03-05T14:30:00Z`, `2024-03-05 14:30:00+02:00`) or
a date/datetime object (Parquet), and kept as the calendar date written there (the time and zone dropped, so
a post dated 23:30 local time stays on its own day). Numbers are refused: seconds or milliseconds since 1970
cannot be told apart.
"""
from __future__ import annotations

import datetime as dt

PERIODS = ("week", "month")


def parse_date(value: object) -> str:
    """The ISO calendar date (YYYY-MM-DD) of a date field's value; ValueError naming the value otherwise."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str):  # a bad value in the input, reported as file:line like any other
        kind = "a number" if isinstance(value, (bool, int, float)) else "not a string"
        message = f"date {value!r} is {kind}; expected an ISO 8601 date string (YYYY-MM-DD[THH:MM[:SS]])"
        raise ValueError(message)  # noqa: TRY004
    text = value.strip()
    if text.endswith(("Z", "z")):  # Python 3.10's fromisoformat does not read the Z suffix
        text = text[:-1] + "+00:00"
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text).isoformat()
        return dt.datetime.fromisoformat(text).date().isoformat()
    except ValueError:
        raise ValueError(f"date {value!r} is not an ISO 8601 date (YYYY-MM-DD[THH:MM[:SS]])") from None


def period_of(date: str, period: str) -> tuple[str, str]:
    """(label, first day) of the period holding an ISO date: ISO weeks start on Monday ("2024-W10"),
    months on the 1st ("2024-03")."""
    day = dt.date.fromisoformat(date)
    if period == "week":
        year, week, weekday = day.isocalendar()
        return f"{year}-W{week:02d}", (day - dt.timedelta(days=weekday - 1)).isoformat()
    if period == "month":
        return f"{day.year}-{day.month:02d}", day.replace(day=1).isoformat()
    raise ValueError(f"period={period!r}: expected one of {', '.join(PERIODS)}")


def period_range(first_day: str, last_day: str, period: str) -> list[tuple[str, str]]:
    """Every period from the one holding `first_day` to the one holding `last_day`, empty ones included,
    so a plot over time shows a gap where nothing was written."""
    start = period_of(first_day, period)[1]
    end = period_of(last_day, period)[1]
    periods = []
    day = dt.date.fromisoformat(start)
    while day.isoformat() <= end:
        periods.append(period_of(day.isoformat(), period))
        if period == "week":
            day += dt.timedelta(days=7)
        else:
            day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return periods
