"""Schedules: parsing `/interview schedule ...`, post and reveal instants across DST, next post."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import permutations
from zoneinfo import ZoneInfo

import pytest

from bot.channels.schedule import (
    DEFAULT_ANSWER_WINDOW,
    EXAMPLE,
    Schedule,
    ScheduleError,
    local_instant,
    parse_schedule,
)
from bot.channels.service import next_post
from tests.helpers import BERLIN, NEW_YORK, local, utc


def parse(text: str, default_timezone: str = "UTC") -> Schedule:
    return parse_schedule(text.split(), default_timezone)


# -- parsing: happy paths ----------------------------------------------------------------------


def test_only_a_time_uses_the_default_zone_weekdays_and_the_default_window() -> None:
    assert parse("09:30", "America/New_York") == Schedule(
        post_time=time(9, 30),
        timezone="America/New_York",
        days="weekdays",
        reveal_time=None,
        reveal_after=None,
        holidays=None,
    )


def test_every_option_at_once() -> None:
    schedule = parse("07:05 Europe/Berlin daily reveal 18:45 holidays DE-BY", "UTC")
    assert schedule == Schedule(time(7, 5), "Europe/Berlin", "daily", time(18, 45), None, "DE-BY")


@pytest.mark.parametrize(
    "options",
    list(permutations(["DAILY", "reveal-after 1h30m", "holidays de-by", "asia/TOKYO"])),
    ids=lambda options: " ".join(options),
)
def test_options_in_any_order_and_any_case(options: tuple[str, ...]) -> None:
    schedule = parse("9:30 " + " ".join(options), "Europe/Berlin")
    assert schedule == Schedule(
        post_time=time(9, 30),
        timezone="Asia/Tokyo",  # canonical IANA spelling, not what was typed
        days="daily",
        reveal_time=None,
        reveal_after=timedelta(minutes=90),
        holidays="DE-BY",
    )


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("europe/berlin", "Europe/Berlin"),
        ("AMERICA/NEW_YORK", "America/New_York"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
        ("utc", "UTC"),
        ("UTC", "UTC"),
    ],
)
def test_zone_names_are_case_insensitive(typed: str, zone: str) -> None:
    assert parse(f"09:30 {typed}", "Europe/Berlin").timezone == zone


@pytest.mark.parametrize(
    ("typed", "window"),
    [
        ("90m", timedelta(minutes=90)),
        ("2h", timedelta(hours=2)),
        ("2H", timedelta(hours=2)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("5m", timedelta(minutes=5)),  # the shortest window
        ("23h", timedelta(hours=23)),  # the longest window
    ],
)
def test_reveal_after_durations(typed: str, window: timedelta) -> None:
    schedule = parse(f"09:30 reveal-after {typed}")
    assert schedule.reveal_after == window
    assert schedule.reveal_time is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("09:30", time(9, 30)), ("9:30", time(9, 30)), ("09.30", time(9, 30)), ("00:00", time(0, 0))],
)
def test_post_time_spellings(typed: str, expected: time) -> None:
    assert parse(typed).post_time == expected


def test_later_words_of_the_same_kind_win() -> None:
    assert parse("09:30 daily weekdays").days == "weekdays"


BANK_CATEGORIES = ("api-design", "databases", "security", "system-design")


@pytest.mark.parametrize(
    ("text", "categories"),
    [
        ("09:30 categories databases", ("databases",)),
        ("09:30 categories databases,System-Design", ("databases", "system-design")),
        ("09:30 category security", ("security",)),
        ("09:30 categories databases,databases,security", ("databases", "security")),
        ("09:30", ()),  # the whole bank
    ],
)
def test_categories(text: str, categories: tuple[str, ...]) -> None:
    assert parse_schedule(text.split(), "UTC", BANK_CATEGORIES).categories == categories


# -- parsing: errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "Tell me when to post"),
        ("noon", "`noon` is not a time of day"),
        ("25:00", "`25:00` is not a time of day"),
        ("9:75", "`9:75` is not a time of day"),
        ("Europe/Berlin 09:30", "`Europe/Berlin` is not a time of day"),
        ("09:30 reveal", "`reveal` needs a time of day like `16:00`, got ``"),
        ("09:30 reveal 4pm", "`reveal` needs a time of day like `16:00`, got `4pm`"),
        ("09:30 reveal weekdays", "got `weekdays`"),
        ("09:30 reveal-after", "`reveal-after` needs a duration like `2h` or `90m`, got ``"),
        ("09:30 reveal-after 90", "got `90`"),  # a bare number is ambiguous
        ("09:30 reveal-after soon", "got `soon`"),
        ("09:30 reveal-after 4m", "`reveal-after` must be between 5m and 23h"),
        ("09:30 reveal-after 0h", "`reveal-after` must be between 5m and 23h"),
        ("09:30 reveal-after 24h", "`reveal-after` must be between 5m and 23h"),
        ("09:30 holidays", "`holidays` needs a country code like `DE` or `DE-BY`, got ``"),
        ("09:30 holidays Bavaria", "got `Bavaria`"),
        ("09:30 holidays ZZ", "no public-holiday calendar for `ZZ`"),
        ("09:30 holidays de-xx", "no public-holiday calendar for `DE-XX`"),
        ("09:30 Mars/Olympus_Mons", "`Mars/Olympus_Mons` is not a time zone I know"),
        ("09:30 fortnightly", "I don't understand `fortnightly`"),
        ("09:30 Berlin", "Did you mean `Europe/Berlin`?"),
        ("09:30 EST", "Use a place instead, e.g. `America/New_York`"),
        ("09:30 reveal 16:00 reveal-after 2h", "either `reveal HH:MM` or `reveal-after 2h`"),
        (
            "09:30 reveal 09:30",
            "The reveal (09:30) must be later the same day than the post (09:30)",
        ),
        ("09:30 reveal 08:00", "The reveal (08:00) must be later the same day than the post"),
    ],
)
def test_errors_say_what_is_wrong_and_show_the_example(text: str, says: str) -> None:
    with pytest.raises(ScheduleError) as info:
        parse(text, "Europe/Berlin")
    message = str(info.value)
    assert says in message
    assert says in info.value.problem
    assert f"Example: `{EXAMPLE}`" in message
    assert isinstance(info.value, ValueError)


ABBREVIATION = "is an abbreviation, not a place"
OFFSET = "is a fixed offset"
DST = (
    "ignores daylight saving time, so wherever the clocks change the question would come an "
    "hour off half the year. Use a place instead, e.g. `Europe/Berlin`."
)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("GMT+2", f"`GMT+2` {OFFSET}; it {DST}"),
        ("UTC-5", f"`UTC-5` {OFFSET}; it {DST}"),
        ("UTC+02:00", f"`UTC+02:00` {OFFSET}; it {DST}"),
        ("utc+5:30", f"`utc+5:30` {OFFSET}; it {DST}"),
        ("Etc/GMT-2", f"`Etc/GMT-2` {OFFSET} (UTC+2: `Etc/` signs are inverted); it {DST}"),
        ("Etc/GMT+2", f"`Etc/GMT+2` {OFFSET} (UTC-2: `Etc/` signs are inverted); it {DST}"),
    ],
)
def test_fixed_offsets_are_refused_for_a_place(typed: str, says: str) -> None:
    with pytest.raises(ScheduleError) as info:
        parse(f"09:30 {typed}")
    assert info.value.problem == says
    assert "Did you mean" not in info.value.problem  # never an `Etc/` zone


@pytest.mark.parametrize(
    ("typed", "places"),
    [
        ("HST", "`Pacific/Honolulu`"),
        ("EST", "`America/New_York`"),
        ("edt", "`America/New_York`"),
        ("EST5EDT", "`America/New_York`"),
        ("CDT", "`America/Chicago`"),
        ("MST", "`America/Denver` or `America/Phoenix`"),
        ("MDT", "`America/Denver`"),
        ("PST", "`America/Los_Angeles`"),
        ("PDT", "`America/Los_Angeles`"),
        ("CET", "`Europe/Berlin` or `Europe/Paris`"),
        ("CEST", "`Europe/Berlin` or `Europe/Paris`"),
        ("AEST", "`Australia/Sydney`"),
        ("AEDT", "`Australia/Sydney`"),
        ("JST", "`Asia/Tokyo`"),
    ],
)
def test_abbreviations_are_refused_with_the_place_to_use(typed: str, places: str) -> None:
    with pytest.raises(ScheduleError) as info:
        parse(f"09:30 {typed}")
    assert info.value.problem == (
        f"`{typed}` {ABBREVIATION}; a schedule follows a place's clocks, daylight saving time "
        f"included. Use a place instead, e.g. {places}."
    )


@pytest.mark.parametrize(
    ("typed", "means", "places"),
    [
        ("CST", "US Central or China Standard Time", "`America/Chicago` or `Asia/Shanghai`"),
        (
            "IST",
            "India, Irish or Israel Standard Time",
            "`Asia/Kolkata`, `Europe/Dublin` or `Asia/Jerusalem`",
        ),
        (
            "BST",
            "British Summer Time or Bangladesh Standard Time",
            "`Europe/London` or `Asia/Dhaka`",
        ),
    ],
)
def test_ambiguous_abbreviations_say_what_they_can_mean(
    typed: str, means: str, places: str
) -> None:
    with pytest.raises(ScheduleError) as info:
        parse(f"09:30 {typed}")
    assert info.value.problem.startswith(f"`{typed}` {ABBREVIATION} (it can mean {means}); ")
    assert info.value.problem.endswith(f"Use a place instead, e.g. {places}.")


@pytest.mark.parametrize("typed", ["UTC", "Etc/UTC", "GMT", "Etc/GMT"])
def test_utc_itself_is_a_zone(typed: str) -> None:
    assert parse(f"09:30 {typed}").timezone == typed


@pytest.mark.parametrize(
    ("text", "typed", "zone"),
    [
        ("09:30 Berlin", "Berlin", "Europe/Berlin"),
        ("09:30 new york", "new york", "America/New_York"),
        ("09:30 new york daily reveal 16:00", "new york", "America/New_York"),
        ("09:30 daily Sao Paulo", "Sao Paulo", "America/Sao_Paulo"),
        ("09:30 Ho Chi Minh weekdays", "Ho Chi Minh", "Asia/Ho_Chi_Minh"),
        ("09:30 San Francisco", "San Francisco", "America/Los_Angeles"),  # no zone's name
        ("09:30 America/New York", "America/New York", "America/New_York"),
        ("09:30 Europe/Berln", "Europe/Berln", "Europe/Berlin"),  # a typo
        ("09:30 america/sao_paolo", "america/sao_paolo", "America/Sao_Paulo"),
    ],
)
def test_a_place_that_is_no_zone_name_gets_the_zone_to_use(
    text: str, typed: str, zone: str
) -> None:
    with pytest.raises(ScheduleError) as info:
        parse(text)
    assert info.value.problem == (
        f"`{typed}` is not a time zone I know. Did you mean `{zone}`? Use a Region/City name "
        "like `Europe/Berlin` or `America/New_York`."
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("09:30 GMT+2 daily", "`GMT+2` is a fixed offset"),  # not `Etc/GMT+2`, which is UTC-2
        ("09:30 Pacific", "I don't understand `Pacific`"),  # not the legacy `US/Pacific`
        ("09:30 Etc/GMT+20", "`Etc/GMT+20` is a fixed offset"),
        ("09:30 Mars/Olympus_Mons", "`Mars/Olympus_Mons` is not a time zone I know. Use a"),
        ("09:30 new fortnightly", "I don't understand `new`"),
    ],
)
def test_suggestions_are_region_city_zones_only(text: str, says: str) -> None:
    with pytest.raises(ScheduleError) as info:
        parse(text)
    assert says in info.value.problem
    assert "Etc/" not in info.value.problem.partition("Did you mean")[2]
    assert "US/" not in info.value.problem


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("09:30 categories", "`categories` needs category names like `system-design,databases`"),
        ("09:30 categories ,", "`categories` needs category names"),
        (
            "09:30 categories databases,cooking",
            "Unknown category `cooking`; choose from `api-design`",
        ),
    ],
)
def test_category_errors_name_the_valid_categories(text: str, says: str) -> None:
    with pytest.raises(ScheduleError) as info:
        parse_schedule(text.split(), "UTC", BANK_CATEGORIES)
    assert says in str(info.value)
    assert f"Example: `{EXAMPLE}`" in str(info.value)


def test_the_example_itself_parses() -> None:
    words = EXAMPLE.split()[2:]  # drop "/interview schedule"
    assert parse_schedule(words, "UTC") == Schedule(
        time(9, 30), "Europe/Berlin", "weekdays", time(16, 0), None, "DE-BY"
    )


# -- post and reveal instants across DST --------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "local_date", "post_time", "expected_utc"),
    [
        # Europe/Berlin springs forward on 2026-03-29 at 02:00 (02:00-03:00 does not exist).
        (BERLIN, date(2026, 3, 28), time(9, 0), utc(2026, 3, 28, 8, 0)),
        (BERLIN, date(2026, 3, 29), time(9, 0), utc(2026, 3, 29, 7, 0)),
        (BERLIN, date(2026, 3, 29), time(2, 30), utc(2026, 3, 29, 1, 30)),  # 03:30 CEST
        # ... and falls back on 2026-10-25 at 03:00 (02:00-03:00 happens twice).
        (BERLIN, date(2026, 10, 25), time(2, 30), utc(2026, 10, 25, 0, 30)),  # the first 02:30
        (BERLIN, date(2026, 10, 25), time(9, 0), utc(2026, 10, 25, 8, 0)),
        (BERLIN, date(2026, 10, 26), time(9, 0), utc(2026, 10, 26, 8, 0)),
        # America/New_York: 2026-03-08 forward, 2026-11-01 back.
        (NEW_YORK, date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7, 30)),  # 03:30 EDT
        (NEW_YORK, date(2026, 3, 8), time(9, 0), utc(2026, 3, 8, 13, 0)),
        (NEW_YORK, date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30)),  # the first 01:30
        (NEW_YORK, date(2026, 11, 1), time(9, 0), utc(2026, 11, 1, 14, 0)),
    ],
)
def test_post_at_across_dst(
    zone: ZoneInfo, local_date: date, post_time: time, expected_utc: datetime
) -> None:
    schedule = Schedule(post_time, zone.key, "daily")
    assert schedule.post_at(local_date) == expected_utc
    assert schedule.post_at(local_date).tzinfo is UTC
    assert local_instant(local_date, post_time, zone) == expected_utc
    # The instant always falls on the local date it is for.
    assert schedule.post_at(local_date).astimezone(zone).date() == local_date


@pytest.mark.parametrize("zone", [BERLIN, NEW_YORK, ZoneInfo("Australia/Sydney")])
def test_every_local_date_of_a_year_has_one_post_instant_a_day_apart(zone: ZoneInfo) -> None:
    """Across both DST changes: one instant per date, 23-25 hours apart, at the wall-clock
    time whenever that time exists."""
    for post_time in (time(2, 30), time(9, 0)):
        schedule = Schedule(post_time, zone.key, "daily")
        days = [date(2026, 1, 1) + timedelta(days=n) for n in range(366)]
        instants = [schedule.post_at(d) for d in days]
        for earlier, later in zip(instants, instants[1:], strict=False):
            assert timedelta(hours=23) <= later - earlier <= timedelta(hours=25)
        for local_date, instant in zip(days, instants, strict=True):
            local = instant.astimezone(zone)
            assert local.date() == local_date
            if local.time() != post_time:  # only in the spring-forward gap
                assert local.time() == time(post_time.hour + 1, post_time.minute)


@pytest.mark.parametrize(
    ("schedule", "posted_at", "expected"),
    [
        # reveal HH:MM is wall-clock time on the day of the post, whatever the offset that day.
        (parse("09:00 Europe/Berlin reveal 16:00"), utc(2026, 3, 28, 8), utc(2026, 3, 28, 15)),
        (parse("09:00 Europe/Berlin reveal 16:00"), utc(2026, 3, 29, 7), utc(2026, 3, 29, 14)),
        (parse("09:00 Europe/Berlin reveal 16:00"), utc(2026, 10, 25, 8), utc(2026, 10, 25, 15)),
        # reveal-after is elapsed time, also across the change.
        (
            parse("02:30 Europe/Berlin daily reveal-after 2h"),
            utc(2026, 10, 25, 0, 30),  # the first 02:30 (CEST)
            utc(2026, 10, 25, 2, 30),  # 03:30 CET
        ),
        (
            parse("01:00 Europe/Berlin daily reveal-after 90m"),
            utc(2026, 3, 29, 0, 0),  # 01:00 CET
            utc(2026, 3, 29, 1, 30),  # 03:30 CEST
        ),
        # Without a reveal option the default window applies.
        (
            parse("09:00 Europe/Berlin"),
            utc(2026, 3, 29, 7),
            utc(2026, 3, 29, 7) + DEFAULT_ANSWER_WINDOW,
        ),
        # A post made after the reveal time (a late catch-up) gets a window, not a past deadline.
        (
            parse("09:00 Europe/Berlin reveal 10:00"),
            local(BERLIN, 2026, 1, 12, 10, 15),
            local(BERLIN, 2026, 1, 12, 10, 15) + DEFAULT_ANSWER_WINDOW,
        ),
    ],
)
def test_reveal_deadline(schedule: Schedule, posted_at: datetime, expected: datetime) -> None:
    assert schedule.reveal_deadline(posted_at) == expected


# -- next post: weekends, holidays, DST --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        # Before today's post time on a weekday: today.
        (
            "09:30 Europe/Berlin",
            local(BERLIN, 2026, 1, 12, 9, 29),
            local(BERLIN, 2026, 1, 12, 9, 30),
        ),
        # Exactly at the post time: that one is now, the next is tomorrow.
        (
            "09:30 Europe/Berlin",
            local(BERLIN, 2026, 1, 12, 9, 30),
            local(BERLIN, 2026, 1, 13, 9, 30),
        ),
        # Friday afternoon and Saturday: Monday.
        (
            "09:30 Europe/Berlin weekdays",
            local(BERLIN, 2026, 1, 16, 12, 0),
            local(BERLIN, 2026, 1, 19, 9, 30),
        ),
        (
            "09:30 Europe/Berlin weekdays",
            local(BERLIN, 2026, 1, 17, 8, 0),
            local(BERLIN, 2026, 1, 19, 9, 30),
        ),
        # `daily` posts on the weekend.
        (
            "09:30 Europe/Berlin daily",
            local(BERLIN, 2026, 1, 16, 12, 0),
            local(BERLIN, 2026, 1, 17, 9, 30),
        ),
        # Epiphany (Tue 2026-01-06) is a public holiday in Bavaria only.
        (
            "09:30 Europe/Berlin holidays DE-BY",
            local(BERLIN, 2026, 1, 5, 12, 0),
            local(BERLIN, 2026, 1, 7, 9, 30),
        ),
        (
            "09:30 Europe/Berlin holidays DE-BE",
            local(BERLIN, 2026, 1, 5, 12, 0),
            local(BERLIN, 2026, 1, 6, 9, 30),
        ),
        # Christmas (Fri 2026-12-25), then the weekend: Monday the 28th.
        (
            "09:30 Europe/Berlin holidays DE",
            local(BERLIN, 2026, 12, 24, 12, 0),
            local(BERLIN, 2026, 12, 28, 9, 30),
        ),
        # A holiday is skipped on `daily` schedules too (2026-12-26 is the second day of Christmas).
        (
            "09:30 Europe/Berlin daily holidays DE",
            local(BERLIN, 2026, 12, 24, 12, 0),
            local(BERLIN, 2026, 12, 27, 9, 30),
        ),
        # The next post on the spring-forward day at a skipped time: 03:30 CEST.
        ("02:30 Europe/Berlin daily", utc(2026, 3, 28, 12, 0), utc(2026, 3, 29, 1, 30)),
        # The next post on the fall-back day: the first 02:30.
        ("02:30 Europe/Berlin daily", utc(2026, 10, 24, 12, 0), utc(2026, 10, 25, 0, 30)),
        # After the first 02:30 on that day, during the repeated hour: tomorrow, not again today.
        ("02:30 Europe/Berlin daily", utc(2026, 10, 25, 1, 0), utc(2026, 10, 26, 1, 30)),
        # Local "today" is in the channel's zone: Tokyo is already on Tuesday.
        ("09:00 Asia/Tokyo", utc(2026, 1, 12, 23, 30), utc(2026, 1, 13, 0, 0)),
        ("09:00 Asia/Tokyo", utc(2026, 1, 13, 0, 0), utc(2026, 1, 14, 0, 0)),
    ],
)
def test_next_post(text: str, now: datetime, expected: datetime) -> None:
    assert next_post(parse(text), now) == expected


def test_next_post_gives_up_beyond_its_horizon() -> None:
    friday_noon = local(BERLIN, 2026, 1, 16, 12, 0)
    weekdays = parse("09:30 Europe/Berlin weekdays")
    assert next_post(weekdays, friday_noon, days_ahead=2) is None  # Sat, Sun only
    assert next_post(weekdays, friday_noon, days_ahead=3) == local(BERLIN, 2026, 1, 19, 9, 30)


@pytest.mark.parametrize(
    ("text", "day", "practice"),
    [
        ("09:30 Europe/Berlin weekdays", date(2026, 1, 10), False),  # Saturday
        ("09:30 Europe/Berlin weekdays", date(2026, 1, 11), False),  # Sunday
        ("09:30 Europe/Berlin weekdays", date(2026, 1, 12), True),
        ("09:30 Europe/Berlin daily", date(2026, 1, 10), True),
        ("09:30 Europe/Berlin holidays DE-BY", date(2026, 1, 6), False),  # Epiphany
        ("09:30 Europe/Berlin holidays DE-BY", date(2026, 12, 25), False),  # Christmas
        ("09:30 Europe/Berlin holidays DE", date(2026, 1, 6), True),  # not national
        ("09:30 America/New_York holidays US", date(2026, 7, 3), False),  # observed 4th of July
        ("09:30 America/New_York holidays US", date(2026, 7, 6), True),
    ],
)
def test_is_practice_day(text: str, day: date, practice: bool) -> None:
    assert parse(text).is_practice_day(day) is practice


def test_a_reveal_needs_at_least_five_minutes_after_the_post() -> None:
    with pytest.raises(ScheduleError, match="by at least 5 minutes"):
        parse_schedule(["09:30", "reveal", "09:31"], "UTC")
    assert parse_schedule(["09:30", "reveal", "09:35"], "UTC").reveal_time is not None


def test_server_local_and_stub_zones_are_not_places() -> None:
    for zone in ("localtime", "Factory"):
        with pytest.raises(ScheduleError):
            parse_schedule(["09:30", zone], "UTC")
    assert parse_schedule(["09:30", "japan"], "UTC").timezone == "Japan"
