"""A channel's schedule: parsing `/interview schedule ...` and the date arithmetic of a round."""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import holidays as holiday_calendars

EXAMPLE = "/interview schedule 09:30 Europe/Berlin weekdays reveal 16:00 holidays DE-BY"
DEFAULT_ANSWER_WINDOW = timedelta(hours=6)
MIN_ANSWER_WINDOW = timedelta(minutes=5)
# A round started by hand close to the reveal time still gets this long to answer.
MIN_UNSCHEDULED_WINDOW = timedelta(minutes=30)
MAX_ANSWER_WINDOW = timedelta(hours=23)

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
_DURATION = re.compile(r"^(?:(\d{1,2})h)?(?:(\d{1,4})m?)?$")
_HOLIDAYS = re.compile(r"^([A-Za-z]{2,3})(?:-([A-Za-z0-9]{1,5}))?$")


class ScheduleError(ValueError):
    """User input that is not a valid schedule; the message says what and shows an example."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"{problem}\nExample: `{EXAMPLE}`")
        self.problem = problem


@dataclass(frozen=True)
class Schedule:
    post_time: time
    timezone: str
    days: str = "weekdays"  # weekdays | daily
    reveal_time: time | None = None
    reveal_after: timedelta | None = None
    holidays: str | None = None  # "DE" or "DE-BY"
    categories: tuple[str, ...] = ()  # empty: the whole bank

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_practice_day(self, local_date: date) -> bool:
        """False on weekends (for `weekdays`) and on the configured public holidays."""
        if self.days == "weekdays" and local_date.weekday() >= 5:
            return False
        return not (self.holidays and local_date in holiday_calendar(self.holidays))

    def post_at(self, local_date: date) -> datetime:
        """The UTC instant of the post on that local date (a time skipped by DST moves forward)."""
        return local_instant(local_date, self.post_time, self.zone)

    def reveal_deadline(
        self, posted_at: datetime, minimum: timedelta = MIN_ANSWER_WINDOW
    ) -> datetime:
        """When a round posted at `posted_at` is revealed: the day's reveal time, but never
        sooner than `minimum` after the post (a round started at 15:59 for a 16:00 reveal
        gets the minimum, not one minute)."""
        if self.reveal_time is not None:
            local_post = posted_at.astimezone(self.zone)
            deadline = local_instant(local_post.date(), self.reveal_time, self.zone)
            if deadline > posted_at:
                return max(deadline, posted_at + minimum)
        return posted_at + (self.reveal_after or DEFAULT_ANSWER_WINDOW)

    def describe(self) -> str:
        days = "every weekday" if self.days == "weekdays" else "every day"
        text = f"{days} at {self.post_time:%H:%M} ({self.timezone})"
        if self.reveal_time is not None:
            text += f", reveal at {self.reveal_time:%H:%M}"
        else:
            text += f", reveal after {format_duration(self.reveal_after or DEFAULT_ANSWER_WINDOW)}"
        if self.holidays:
            text += f", skipping public holidays in {self.holidays}"
        if self.categories:
            text += f", questions from {', '.join(self.categories)}"
        return text


def local_instant(local_date: date, at: time, zone: ZoneInfo) -> datetime:
    """UTC instant for a wall-clock time. fold=0 moves a time skipped by DST forward (02:30 ->
    03:30) and picks the first of a repeated time, so each local date has exactly one instant."""
    return datetime.combine(local_date, at, tzinfo=zone).astimezone(UTC)


@lru_cache(maxsize=64)
def holiday_calendar(code: str) -> holiday_calendars.HolidayBase:
    country, _, subdiv = code.partition("-")
    return holiday_calendars.country_holidays(country, subdiv=subdiv or None)


def format_duration(value: timedelta) -> str:
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours}h{minutes:02d}m"
    return f"{hours}h" if hours else f"{minutes}m"


def parse_time(text: str) -> time | None:
    match = _TIME.match(text)
    return time(int(match.group(1)), int(match.group(2))) if match else None


def parse_duration(text: str) -> timedelta | None:
    match = _DURATION.match(text.lower())
    if not match or not any(match.groups()):
        return None
    hours = int(match.group(1) or 0)
    minutes = int(match.group(2) or 0)
    if text.lower().endswith("m") or match.group(1):
        return timedelta(hours=hours, minutes=minutes)
    return None  # a bare number is ambiguous


@lru_cache(maxsize=1)
def _zones_by_lower() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def resolve_zone(text: str) -> str | None:
    """The canonical IANA name for `text` (case-insensitive), or None."""
    name = _zones_by_lower().get(text.lower())
    if name is None or name in ("localtime", "Factory"):  # not places: the server's zone, a stub
        return None
    try:
        ZoneInfo(name)
    except ZoneInfoNotFoundError:
        return None
    return name


# Abbreviations people type for a zone, with the places to use instead. Some are zone names
# too (`EST` is UTC-5 all year, even in New York's summer), so they are refused before lookup.
_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "est": ("America/New_York",),
    "edt": ("America/New_York",),
    "est5edt": ("America/New_York",),
    "cst": ("America/Chicago", "Asia/Shanghai"),
    "cdt": ("America/Chicago",),
    "cst6cdt": ("America/Chicago",),
    "mst": ("America/Denver", "America/Phoenix"),
    "mdt": ("America/Denver",),
    "mst7mdt": ("America/Denver",),
    "pst": ("America/Los_Angeles",),
    "pdt": ("America/Los_Angeles",),
    "pst8pdt": ("America/Los_Angeles",),
    "hst": ("Pacific/Honolulu",),
    "ist": ("Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"),
    "bst": ("Europe/London", "Asia/Dhaka"),
    "cet": ("Europe/Berlin", "Europe/Paris"),
    "cest": ("Europe/Berlin", "Europe/Paris"),
    "aest": ("Australia/Sydney",),
    "aedt": ("Australia/Sydney",),
    "jst": ("Asia/Tokyo",),
}
# Abbreviations that mean more than one time.
_AMBIGUOUS = {
    "cst": "US Central or China Standard Time",
    "ist": "India, Irish or Israel Standard Time",
    "bst": "British Summer Time or Bangladesh Standard Time",
}
# `UTC+2`, `GMT-5`, `UTC+05:30`, `Etc/GMT-2`: one offset all year. Plain `UTC` is no offset.
_FIXED_OFFSET = re.compile(r"^(etc/)?(?:utc|gmt)\s*([+-])\s*(\d{1,2}(?::?[0-5]\d)?)$", re.I)
# Cities that are no zone's name, and the zone they are in.
_CITY_ZONES = {
    "san_francisco": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "boston": "America/New_York",
    "washington": "America/New_York",
    "munich": "Europe/Berlin",
    "beijing": "Asia/Shanghai",
    "mumbai": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "bengaluru": "Asia/Kolkata",
}
# Suggestions are Region/City names only: not `Etc/GMT+2` (its sign is inverted) nor legacy
# names like `US/Pacific`.
_REGIONS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)
# `new york`, `ho chi minh`: the longest city names are three words.
_CITY_WORDS = 3


@lru_cache(maxsize=1)
def _places_by_lower() -> dict[str, str]:
    return {low: name for low, name in _zones_by_lower().items() if name.split("/")[0] in _REGIONS}


def suggest_zone(text: str) -> str | None:
    """The Region/City zone `text` most likely means: the zone written with spaces
    (`America/New York`), a city (`new york`), or a typo (`Europe/Berln`); None if none."""
    return _zone_of_place(text) or _zone_of_typo(text)


def _zone_of_place(text: str) -> str | None:
    name = text.strip().lower().replace(" ", "_")
    places = _places_by_lower()
    if name in places:
        return places[name]
    if name in _CITY_ZONES:
        return _CITY_ZONES[name]
    by_city = sorted(zone for low, zone in places.items() if low.endswith("/" + name))
    return by_city[0] if by_city else None


def _zone_of_typo(text: str) -> str | None:
    name = text.strip().lower().replace(" ", "_")
    if "/" not in name:  # a lone word close to a city's name is as likely a typo of a keyword
        return None
    places = _places_by_lower()
    close = difflib.get_close_matches(name, places, n=1, cutoff=0.8)
    return places[close[0]] if close else None


def zone_problem(text: str) -> str | None:
    """Why `text` can't be a channel's zone (with the zone to use instead), or None."""
    problem = _not_a_place(text)
    if problem is None and resolve_zone(text) is None:
        return _unknown_zone(text)
    return problem


def _not_a_place(text: str) -> str | None:
    """Why an abbreviation or a fixed offset is no zone for a schedule, or None."""
    places = _ABBREVIATIONS.get(text.lower())
    if places:
        meaning = _AMBIGUOUS.get(text.lower())
        means = f" (it can mean {meaning})" if meaning else ""
        *others, last = [f"`{place}`" for place in places]
        suggestions = f"{', '.join(others)} or {last}" if others else last
        return (
            f"`{text}` is an abbreviation, not a place{means}; a schedule follows a place's "
            f"clocks, daylight saving time included. Use a place instead, e.g. {suggestions}."
        )
    offset = _FIXED_OFFSET.match(text)
    if offset:
        etc, sign, hours = offset.groups()
        inverted = "+" if sign == "-" else "-"
        means = f" (UTC{inverted}{hours}: `Etc/` signs are inverted)" if etc else ""
        return (
            f"`{text}` is a fixed offset{means}; it ignores daylight saving time, so wherever "
            "the clocks change the question would come an hour off half the year. Use a place "
            "instead, e.g. `Europe/Berlin`."
        )
    return None


def _unknown_zone(text: str) -> str:
    guess = suggest_zone(text)
    hint = f" Did you mean `{guess}`?" if guess else ""
    return (
        f"`{text}` is not a time zone I know.{hint} Use a Region/City name like "
        "`Europe/Berlin` or `America/New_York`."
    )


def _word_problem(word: str, following: list[str]) -> str:
    """What is wrong with a word that is neither an option nor a zone to use. An unknown word
    may start a city's name (`new york`): the zone it is in is suggested."""
    problem = _not_a_place(word)
    if problem:
        return problem
    for count in range(1, _CITY_WORDS + 1):
        phrase = " ".join([word, *following[: count - 1]])
        if _zone_of_place(phrase):
            return _unknown_zone(phrase)
    if "/" in word or _zone_of_typo(word):
        return _unknown_zone(word)
    return f"I don't understand `{word}` in a schedule."


def parse_schedule(
    args: list[str], default_timezone: str, known_categories: Collection[str] = ()
) -> Schedule:
    """Parse the words after `/interview schedule`; raise ScheduleError with a fix.
    Besides the documented grammar, `categories a,b` limits the channel to those categories."""
    if not args:
        raise ScheduleError("Tell me when to post, e.g. `09:30`.")
    post_time = parse_time(args[0])
    if post_time is None:
        raise ScheduleError(f"`{args[0]}` is not a time of day; use 24-hour HH:MM such as `09:30`.")
    timezone, days = default_timezone, "weekdays"
    reveal_time: time | None = None
    reveal_after: timedelta | None = None
    holidays: str | None = None
    categories: tuple[str, ...] = ()
    words = list(args[1:])
    while words:
        word = words.pop(0)
        low = word.lower()
        if low in ("weekdays", "daily"):
            days = low
        elif low == "reveal":
            value = words.pop(0) if words else ""
            reveal_time = parse_time(value)
            if reveal_time is None:
                raise ScheduleError(f"`reveal` needs a time of day like `16:00`, got `{value}`.")
        elif low == "reveal-after":
            value = words.pop(0) if words else ""
            reveal_after = parse_duration(value)
            if reveal_after is None:
                raise ScheduleError(
                    f"`reveal-after` needs a duration like `2h` or `90m`, got `{value}`."
                )
            if not MIN_ANSWER_WINDOW <= reveal_after <= MAX_ANSWER_WINDOW:
                raise ScheduleError("`reveal-after` must be between 5m and 23h.")
        elif low == "holidays":
            value = words.pop(0) if words else ""
            holidays = parse_holidays(value)
        elif low in ("categories", "category"):
            value = words.pop(0) if words else ""
            categories = parse_categories(value, known_categories)
        elif zone_problem(word) is None:
            timezone = resolve_zone(word) or word
        else:
            raise ScheduleError(_word_problem(word, words))
    if timezone is default_timezone and zone_problem(default_timezone):
        raise ScheduleError(
            f"Your Slack time zone (`{default_timezone}`) is not one I can schedule in; add a "
            "zone to the command, e.g. `/interview schedule 09:30 Europe/Berlin`."
        )
    if reveal_time is not None and reveal_after is not None:
        raise ScheduleError("Use either `reveal HH:MM` or `reveal-after 2h`, not both.")
    if reveal_time is not None and (
        datetime.combine(date.min, reveal_time) - datetime.combine(date.min, post_time)
        < MIN_ANSWER_WINDOW
    ):
        raise ScheduleError(
            f"The reveal ({reveal_time:%H:%M}) must be later the same day than the post "
            f"({post_time:%H:%M}), by at least 5 minutes."
        )
    return Schedule(post_time, timezone, days, reveal_time, reveal_after, holidays, categories)


def parse_categories(value: str, known: Collection[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(c.strip().lower() for c in value.split(",") if c.strip()))
    if not chosen:
        raise ScheduleError("`categories` needs category names like `system-design,databases`.")
    unknown = [c for c in chosen if known and c not in known]
    if unknown:
        valid = ", ".join(f"`{c}`" for c in sorted(known))
        raise ScheduleError(f"Unknown category `{unknown[0]}`; choose from {valid}.")
    return chosen


def parse_holidays(value: str) -> str:
    match = _HOLIDAYS.match(value)
    if not match:
        raise ScheduleError(f"`holidays` needs a country code like `DE` or `DE-BY`, got `{value}`.")
    code = match.group(1).upper() + (f"-{match.group(2).upper()}" if match.group(2) else "")
    try:
        holiday_calendar(code)
    except NotImplementedError:
        raise ScheduleError(
            f"I have no public-holiday calendar for `{code}`; use an ISO country code such as "
            "`US`, `GB`, `DE` with an optional subdivision (`DE-BY`)."
        ) from None
    return code


class ScheduleFieldError(ScheduleError):
    """A schedule form field that is wrong; `field` names the input block for the modal."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(problem)
        self.field = field


def parse_schedule_form(
    fields: dict[str, str | None], known_categories: Collection[str] = ()
) -> Schedule:
    """The schedule form, validated exactly like `/interview schedule`'s words (an empty or
    missing categories field means every category)."""
    zone_text = (fields.get("timezone") or "").strip() or "UTC"
    problem = zone_problem(zone_text)
    zone = resolve_zone(zone_text)
    if problem or zone is None:
        raise ScheduleFieldError("timezone", (problem or "").replace("`", ""))
    words: dict[str, list[str]] = {
        "time": [(fields.get("time") or "").strip()],
        "timezone": [zone],
        "days": [fields.get("days") or "weekdays"],
    }
    reveal = (fields.get("reveal") or "").strip().lower()
    if reveal:
        after = reveal.removeprefix("after").strip()
        words["reveal"] = ["reveal", reveal] if parse_time(reveal) else ["reveal-after", after]
    holidays = (fields.get("holidays") or "").strip()
    if holidays:
        words["holidays"] = ["holidays", holidays]
    categories = (fields.get("categories") or "").replace(" ", "")
    if categories:
        words["categories"] = ["categories", categories]
    for field, value in words.items():  # find the field at fault, one at a time
        base = [] if field == "time" else ["09:00"]
        try:
            parse_schedule(base + value if field != "time" else value, "UTC", known_categories)
        except ScheduleError as exc:
            if not (field == "reveal" and "must be later" in exc.problem):
                raise ScheduleFieldError(field, exc.problem) from None
    try:
        return parse_schedule(
            [w for value in words.values() for w in value], "UTC", known_categories
        )
    except ScheduleError as exc:
        raise ScheduleFieldError("reveal", exc.problem) from None
