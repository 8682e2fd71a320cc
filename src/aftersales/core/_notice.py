"""The State Council's yearly holiday notice, read from pasted text.

The notice (国务院办公厅关于YYYY年部分节假日安排的通知) comes out weeks before the
package that transcribes it. A shop pastes it from any news page, and
:func:`parse_notice` turns it into the calendar file the library already reads
(:meth:`Notice.to_toml`) and a summary a person checks against the notice
(:meth:`Notice.summary`).

It reads only what the notice states. A holiday line it cannot read, a count that
does not add up, a make-up day on a weekday or a date given twice is an error naming
the line: a refused paste costs a minute, a misread holiday costs wrong deadlines
for a week.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import unicodedata
from collections.abc import Iterator

import attrs

from ._errors import InvalidInput
from ._script import to_simplified

__all__ = [
    "DayCountMismatch",
    "DuplicateDate",
    "HolidayPeriod",
    "MakeupDayNotWeekend",
    "NoHolidaySections",
    "Notice",
    "NoticeError",
    "NoticeYearError",
    "SectionOrderError",
    "UnreadableHolidayLine",
    "WeekdayMismatch",
    "parse_notice",
]

_SATURDAY = 5
_ONE_DAY = _dt.timedelta(days=1)
_WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


# -- errors ----------------------------------------------------------------------


class NoticeError(InvalidInput):
    """A notice the parser refuses; ``line`` and ``text`` say where, the message what is allowed."""

    def __init__(self, problem: str, *, line: int | None, text: str, allowed: str) -> None:
        self.line = line
        self.text = text
        self.problem = problem
        self.allowed = allowed
        where = f"line {line}: " if line is not None else ""
        quoted = f"{_clip(text)!r}: " if text else ""
        super().__init__(f"{where}{quoted}{problem}; {allowed}")


class NoticeYearError(NoticeError):
    """The notice's year is missing (no title, no ``year=``) or contradicts itself."""


class NoHolidaySections(NoticeError):
    """No "一、元旦：…" section was found: this is not a holiday notice, or it was cut."""


class SectionOrderError(NoticeError):
    """Section numbers skip or repeat: a section was lost, or the notice is pasted twice."""


class UnreadableHolidayLine(NoticeError):
    """A sentence inside a holiday section that the parser cannot read: never guessed."""


class WeekdayMismatch(NoticeError):
    """A date's weekday annotation (（周六）) is not that date's weekday."""


class DayCountMismatch(NoticeError):
    """The days counted from the dates differ from the notice's own "共N天"."""


class MakeupDayNotWeekend(NoticeError):
    """A make-up working day (上班) that is not a Saturday or Sunday."""


class DuplicateDate(NoticeError):
    """A date given twice, in two holidays or as both a day off and a working day."""


def _clip(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# -- the value ---------------------------------------------------------------------


@attrs.frozen
class HolidayPeriod:
    """One section of the notice: a holiday's days off and its make-up working days.

    ``days_off`` holds every day of the continuous rest, weekend days inside it
    included (the calendar's meaning of a holiday), also when they fall in the
    adjacent year. ``stated_days`` is the notice's own count ("共8天", "放假1天"),
    None where it states none ("与周末连休").
    """

    name: str
    first: _dt.date
    last: _dt.date
    days_off: frozenset[_dt.date]
    workdays: tuple[_dt.date, ...]
    stated_days: int | None
    line: int = attrs.field(default=0, eq=False)
    """Where the section starts in the pasted text (not part of the value)."""


@attrs.frozen
class Notice:
    """A parsed notice: its year, its title as the source, and its holiday sections."""

    year: int
    source: str
    holidays: tuple[HolidayPeriod, ...]
    remarks: tuple[str, ...] = ()
    """Sentences that arrange nothing ("鼓励…"), kept for the summary."""

    @property
    def days_off(self) -> frozenset[_dt.date]:
        """The days off in the notice's own year."""
        return frozenset(d for p in self.holidays for d in p.days_off if d.year == self.year)

    @property
    def workdays(self) -> frozenset[_dt.date]:
        """The make-up working days in the notice's own year."""
        return frozenset(d for p in self.holidays for d in p.workdays if d.year == self.year)

    @property
    def outside_year(self) -> tuple[tuple[_dt.date, str, str], ...]:
        """(date, "off" or "work", holiday name) for the days that fall in another year."""
        found = [(d, "off", p.name) for p in self.holidays for d in p.days_off]
        found += [(d, "work", p.name) for p in self.holidays for d in p.workdays]
        return tuple(sorted(item for item in found if item[0].year != self.year))

    def to_toml(self) -> str:
        """The calendar file (docs/calendar.md) for the notice's year.

        Only the notice's own year is written: a ``[years.YYYY]`` table replaces that
        year's data whole, so a table for the adjacent year holding only the two
        cross-year days would wipe the rest of it. Those days are listed as comments
        and in :meth:`summary`; that year's own data must hold them.
        """
        lines = [
            f"# {self.source}",
            "# Written by aftersales.parse_notice: compare with the notice before use.",
            f"[years.{self.year}]",
            f"source = {json.dumps(self.source, ensure_ascii=False)}",
            "holidays = [",
        ]
        for period in self.holidays:
            for first, last in _runs(d for d in period.days_off if d.year == self.year):
                span = first.isoformat() if first == last else f"{first}..{last}"
                lines.append(f'    "{span}",  # {period.name}')
        lines += ["]", "workdays = ["]
        for period in self.holidays:
            lines.extend(
                f'    "{d.isoformat()}",  # {period.name}'
                for d in period.workdays
                if d.year == self.year
            )
        lines.append("]")
        for day, kind, name in self.outside_year:
            what = "day off" if kind == "off" else "make-up working day"
            lines.append(
                f"# not written: {day.isoformat()} ({name}, {what}) belongs to {day.year}'s data"
            )
        return "\n".join(lines) + "\n"

    def summary(self) -> str:
        """A text to hold against the notice: each holiday's days, count and make-up days."""
        off, work = self.days_off, self.workdays
        out = [
            self.source,
            (
                f"{self.year}: {len(self.holidays)} holidays, {len(off)} days off, "
                f"{len(work)} make-up working days"
            ),
        ]
        for period in self.holidays:
            span = _day(period.first)
            if period.last != period.first:
                span += f" to {_day(period.last)}"
            count = len(period.days_off)
            stated = "" if period.stated_days is None else f" (notice: {period.stated_days})"
            out.append(f"- {period.name}: {span}, {count} day{'s' * (count != 1)} off{stated}")
            made_up = ", ".join(_day(d) for d in period.workdays) or "none"
            out.append(f"    make-up working days: {made_up}")
        outside = self.outside_year
        if outside:
            out.append(
                f"Outside {self.year} (not in the calendar file; that year's data must have them):"
            )
            for day, kind, name in outside:
                what = "day off" if kind == "off" else "make-up working day"
                out.append(f"- {_day(day)}: {what} ({name})")
        out.extend(f"Note: {remark}" for remark in self.remarks)
        return "\n".join(out)


def _day(day: _dt.date) -> str:
    return f"{day.isoformat()} ({_WEEKDAYS[day.weekday()]})"


def _runs(days: Iterator[_dt.date] | frozenset[_dt.date]) -> list[tuple[_dt.date, _dt.date]]:
    runs: list[tuple[_dt.date, _dt.date]] = []
    for day in sorted(days):
        if runs and runs[-1][1] + _ONE_DAY == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


# -- the text ----------------------------------------------------------------------


@attrs.frozen
class _Flat:
    """The text with every space and line break removed, each character knowing its line.

    News copies wrap lines anywhere, even inside a date or the title; Chinese needs
    no spaces, so the parser reads one string and reports the line a match began on.
    """

    chars: str
    lines: tuple[int, ...]

    def line_at(self, index: int) -> int:
        return self.lines[min(index, len(self.lines) - 1)] if self.lines else 1


def _flatten(text: str) -> _Flat:
    chars: list[str] = []
    lines: list[int] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = to_simplified(unicodedata.normalize("NFKC", raw))
        for ch in line:
            if ch.isspace() or ch in "\u200b\u200c\u200d\ufeff":
                continue
            chars.append(ch)
            lines.append(number)
    return _Flat("".join(chars), tuple(lines))


_TITLE = re.compile(r"关于(\d{4})年部分节假日安排的?通知")
_DOC_NUMBER = re.compile(r"国办发明电[〔\[(【](\d{4})[〕\])】](\d{1,3})号")
_NAME = r"(?:元旦|[\u4e00-\u9fff]{1,4}节)"
_HEADER = re.compile(rf"([一二三四五六七八九十]{{1,3}})、({_NAME}(?:、{_NAME})*):")
_NUMERALS = "一二三四五六七八九"


def _date_pattern(p: str) -> str:
    return (
        rf"(?:(?P<{p}y>\d{{4}})年)?(?:(?P<{p}m>\d{{1,2}})月)?(?P<{p}d>\d{{1,2}})日"
        rf"(?:\((?P<{p}a>[^()]*)\))?"
    )


_DATE = re.compile(_date_pattern(""))
_OFF = re.compile(
    _date_pattern("s")
    + rf"(?:至{_date_pattern('e')})?"
    + r"放假(?P<adj>调休)?(?:(?P<n>\d{1,2})天(?:\((?P<na>[^()]*)\))?)?(?P<tail>(?:,[^,]*)*)"
)
_COUNT = re.compile(r"共(\d{1,2})天")
_WEEKDAY_NOTE = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天])")
_N = "一二三四五六七八九"
_LUNAR_DAY = rf"(?:初[{_N}十]|十[{_N}]?|二十[{_N}]?|廿[{_N}]|三十)"
_LUNAR_NOTE = re.compile(
    rf"(?:农历)?(?:除夕|大年(?:三十|{_LUNAR_DAY})|(?:正|腊|冬|闰?[{_N}十]{{1,2}})月{_LUNAR_DAY}"
    rf"|{_LUNAR_DAY})"
)
_ARRANGES = re.compile(r"\d{1,2}日.*(?:上班|放假|补休|调休)|(?:上班|放假|补休|调休).*\d{1,2}日")

_ALLOWED_OFF = (
    "a holiday reads like '1月28日(周二)至2月4日(周二)放假调休,共8天', "
    "'1月1日放假1天,不调休', '6月10日放假,与周末连休' or '4月5日放假,4月6日(星期一)补休'"
)
_ALLOWED_WORK = "make-up days read like '1月26日(周日)、2月8日(周六)上班'"
_ALLOWED_NOTES = (
    "a note after a date gives its weekday (周六, 星期日) or lunar day (农历除夕, 正月初七)"
)


def _ordinal(numeral: str) -> int:
    tens, _, units = numeral.rpartition("十")
    if "十" not in numeral:
        return _NUMERALS.index(numeral) + 1
    value = (_NUMERALS.index(tens) + 1 if tens else 1) * 10
    return value + (_NUMERALS.index(units) + 1 if units else 0)


# -- parsing -------------------------------------------------------------------------


def parse_notice(text: str, *, year: int | None = None) -> Notice:
    """Read a pasted holiday notice: simplified or traditional, full- or half-width.

    ``year`` is needed only when the paste has no title (关于YYYY年部分节假日安排的通知);
    given with a title, the two must agree.
    """
    if not isinstance(text, str):
        raise InvalidInput(f"a notice must be text (str), got {type(text).__name__}")
    flat = _flatten(text)
    year = _notice_year(flat, year)
    headers = list(_HEADER.finditer(flat.chars))
    if not headers:
        raise NoHolidaySections(
            "no holiday section found",
            line=None,
            text="",
            allowed="paste the notice's sections, each starting like '一、元旦:' or '二、春节:'",
        )
    for expected, header in enumerate(headers, start=1):
        if _ordinal(header.group(1)) != expected:
            numerals = f"{header.group(1)}、"
            raise SectionOrderError(
                f"section {numerals} where section {expected} was expected",
                line=flat.line_at(header.start()),
                text=header.group(0),
                allowed="sections are numbered 一、二、三… once each; paste the notice once, whole",
            )
    reader = _Reader(flat, year)
    periods: list[HolidayPeriod] = []
    for i, header in enumerate(headers):
        end = headers[i + 1].start() if i + 1 < len(headers) else len(flat.chars)
        periods.append(
            reader.section(header.group(2), header.end(), end, last=i + 1 == len(headers))
        )
    doc = _DOC_NUMBER.search(flat.chars)
    source = f"国务院办公厅关于{year}年部分节假日安排的通知"
    if doc:
        source += f"（国办发明电〔{doc.group(1)}〕{doc.group(2)}号）"
    return Notice(year=year, source=source, holidays=tuple(periods), remarks=tuple(reader.remarks))


def _notice_year(flat: _Flat, given: int | None) -> int:
    found: dict[int, re.Match[str]] = {}
    for match in _TITLE.finditer(flat.chars):
        found.setdefault(int(match.group(1)), match)  # each year's first title
    if given is not None:
        if isinstance(given, bool) or not isinstance(given, int) or not 1901 <= given <= 2099:
            raise NoticeYearError(
                f"year={given!r} is not a year", line=None, text="", allowed="give an int like 2027"
            )
        if found and given not in found:
            title = next(iter(found.values()))
            raise NoticeYearError(
                f"the title is for {title.group(1)} but year={given} was given",
                line=flat.line_at(title.start()),
                text=title.group(0),
                allowed="give the year of the notice's title, or leave year= out",
            )
        return given
    if len(found) == 1:
        return next(iter(found))
    if not found:
        raise NoticeYearError(
            "the notice's year is unknown: no title '关于YYYY年部分节假日安排的通知' found",
            line=None,
            text="",
            allowed="paste the title with the notice, or pass year=",
        )
    second = list(found.values())[1]
    raise NoticeYearError(
        f"titles for several years ({', '.join(str(y) for y in sorted(found))})",
        line=flat.line_at(second.start()),
        text=second.group(0),
        allowed="paste one notice, or pass year= to say which it is",
    )


@attrs.define
class _Token:
    """A date as written: any part may be missing until the context fills it in."""

    year: int | None
    month: int | None
    day: int
    note: str | None


def _token(match: re.Match[str], p: str = "") -> _Token:
    y, m, note = match.group(f"{p}y"), match.group(f"{p}m"), match.group(f"{p}a")
    return _Token(int(y) if y else None, int(m) if m else None, int(match.group(f"{p}d")), note)


class _Reader:
    """Reads the sections one by one, remembering every date seen for the twice-check."""

    def __init__(self, flat: _Flat, year: int) -> None:
        self.flat = flat
        self.year = year
        self.seen: dict[_dt.date, tuple[str, int]] = {}
        self.remarks: list[str] = []
        self.line = 0
        self.sentence = ""

    # errors name the sentence being read
    def fail(self, kind: type[NoticeError], problem: str, allowed: str) -> NoticeError:
        return kind(problem, line=self.line, text=self.sentence, allowed=allowed)

    def section(self, name: str, start: int, end: int, *, last: bool) -> HolidayPeriod:
        line = self.flat.line_at(start)
        off: frozenset[_dt.date] | None = None
        stated: int | None = None
        workdays: list[_dt.date] = []
        for at, sentence in _sentences(self.flat.chars, start, end):
            self.line, self.sentence = self.flat.line_at(at), sentence
            if off is None:
                off, stated = self.days_off(sentence)
                if stated is not None and stated != len(off):
                    raise self.fail(
                        DayCountMismatch,
                        f"the dates give {len(off)} days off but the notice says {stated}",
                        "the range's days, weekend days inside it included, must add up "
                        "to the notice's own count",
                    )
                self.claim(off, f"{name} day off")
            elif sentence.endswith("上班"):
                days = self.workdays(sentence[:-2], off)
                self.claim(days, f"{name} make-up working day")
                workdays.extend(days)
            elif sentence.startswith("鼓励"):
                self.remarks.append(sentence + "。")
            elif last and not _ARRANGES.search(sentence):
                break  # the closing paragraph ("节假日期间…") or the page after it
            else:
                raise self.fail(
                    UnreadableHolidayLine,
                    f"cannot read this sentence of the {name} section",
                    f"{_ALLOWED_OFF}, then {_ALLOWED_WORK}",
                )
        if off is None:
            raise UnreadableHolidayLine(
                f"the {name} section gives no days off",
                line=line,
                text=name,
                allowed=_ALLOWED_OFF,
            )
        return HolidayPeriod(
            name=name,
            first=min(off),
            last=max(off),
            days_off=off,
            workdays=tuple(sorted(workdays)),
            stated_days=stated,
            line=line,
        )

    def days_off(self, sentence: str) -> tuple[frozenset[_dt.date], int | None]:
        match = _OFF.fullmatch(sentence)
        if match is None:
            raise self.fail(UnreadableHolidayLine, "cannot read the days off", _ALLOWED_OFF)
        first_token = _token(match, "s")
        if match.group("ed") is not None:
            first, last = self.range(first_token, _token(match, "e"))
        else:
            first = last = self.resolve(first_token, self.year)
        days = {first + _ONE_DAY * i for i in range((last - first).days + 1)}
        stated = int(match.group("n")) if match.group("n") else None
        if match.group("na"):
            if first != last:
                raise self.fail(
                    UnreadableHolidayLine,
                    "a weekday note after '放假N天' fits a single day, not a range",
                    _ALLOWED_OFF,
                )
            self.check_note(first, match.group("na"))
        clauses = [c for c in match.group("tail").split(",") if c]
        for clause in clauses:
            count = _COUNT.fullmatch(clause)
            if count:
                if stated is not None and stated != int(count.group(1)):
                    raise self.fail(
                        DayCountMismatch,
                        f"the sentence gives two counts, {stated} and {count.group(1)}",
                        "give one count",
                    )
                stated = int(count.group(1))
            elif clause == "不调休":
                pass
            elif clause == "与周末连休":
                days |= self.bridge(first, last)
            elif clause.endswith("补休") and (lieu := _DATE.fullmatch(clause[:-2])):
                days |= self.in_lieu(min(days), max(days), _token(lieu))
            else:
                raise self.fail(
                    UnreadableHolidayLine, f"cannot read {clause!r} after 放假", _ALLOWED_OFF
                )
        return frozenset(days), stated

    def workdays(self, text: str, off: frozenset[_dt.date]) -> list[_dt.date]:
        """'1月26日(周日)、2月8日(周六)上班'; a day without a year is the one by its holiday.

        A make-up day sits next to its holiday, so '12月29日(星期日)上班' in a New
        Year section means the December before the notice's year.
        """
        days: list[_dt.date] = []
        pos = 0
        month: int | None = None
        while True:
            match = _DATE.match(text, pos)
            if match is None:
                raise self.fail(
                    UnreadableHolidayLine, "cannot read the make-up days", _ALLOWED_WORK
                )
            token = _token(match)
            if token.month is None:
                token.month = month  # "2月2日、3日上班": the month carries over
            day = self.check(self.nearest(token, off), token)
            month = day.month
            if day.weekday() < _SATURDAY:
                raise self.fail(
                    MakeupDayNotWeekend,
                    f"{day.isoformat()} is a {_WEEKDAYS[day.weekday()]}, not a weekend day",
                    "a make-up working day (上班) is a Saturday or Sunday",
                )
            days.append(day)
            pos = match.end()
            if pos == len(text):
                return days
            if text[pos] not in "、,和及":
                raise self.fail(
                    UnreadableHolidayLine, "cannot read the make-up days", _ALLOWED_WORK
                )
            pos += 1

    def range(self, start: _Token, end: _Token) -> tuple[_dt.date, _dt.date]:
        """A range's two dates; a year given on either end carries to the other."""
        if end.month is None:
            if end.year is not None:
                raise self.fail(
                    UnreadableHolidayLine, "a year without a month", "write 'YYYY年M月D日'"
                )
            end.month = start.month  # "4月4日至6日"
            end.year = start.year
        if start.year is None and end.year is None:
            first = self.make(start, self.year)
            last = self.make(end, self.year)
            if last < first:
                raise self.fail(
                    UnreadableHolidayLine,
                    "the range crosses the year's end but gives no year",
                    "write the year on either date, e.g. '2023年12月30日至2024年1月1日'",
                )
        elif start.year is None:
            last = self.make(end, self.year)
            first = self.make(start, last.year)
            if first > last:
                first = self.make(start, last.year - 1)
        else:
            first = self.make(start, self.year)
            last = self.make(end, first.year)
            if end.year is None and last < first:
                last = self.make(end, first.year + 1)
        if last < first:
            raise self.fail(
                UnreadableHolidayLine,
                f"the range ends ({last.isoformat()}) before it starts ({first.isoformat()})",
                _ALLOWED_OFF,
            )
        return self.check(first, start), self.check(last, end)

    def resolve(self, token: _Token, default_year: int) -> _dt.date:
        """The date, checked: it exists, its notes fit it, it lies by the notice's year."""
        return self.check(self.make(token, default_year), token)

    def nearest(self, token: _Token, off: frozenset[_dt.date]) -> _dt.date:
        if token.year is not None:
            return self.make(token, token.year)
        first, last = min(off), max(off)
        candidates: list[tuple[int, _dt.date]] = []
        for year in (self.year - 1, self.year, self.year + 1):
            try:
                day = self.make(token, year)
            except UnreadableHolidayLine:
                continue  # 2月29日 in a year without one
            candidates.append((min(abs((day - first).days), abs((day - last).days)), day))
        if not candidates:
            return self.make(token, self.year)  # raises, naming the date
        return min(candidates)[1]

    def make(self, token: _Token, default_year: int) -> _dt.date:
        if token.month is None:
            raise self.fail(
                UnreadableHolidayLine,
                f"'{token.day}日' has no month",
                "give the month on a range's first date and on each make-up day",
            )
        year = token.year if token.year is not None else default_year
        try:
            return _dt.date(year, token.month, token.day)
        except ValueError:
            raise self.fail(
                UnreadableHolidayLine,
                f"{year}年{token.month}月{token.day}日 is not a date",
                "check the date against the notice",
            ) from None

    def check(self, day: _dt.date, token: _Token) -> _dt.date:
        if not (
            day.year == self.year
            or (day.year == self.year - 1 and day.month == 12)
            or (day.year == self.year + 1 and day.month == 1)
        ):
            raise self.fail(
                UnreadableHolidayLine,
                f"{day.isoformat()} is outside the {self.year} notice",
                f"dates lie in {self.year}, or in the December before or January after it",
            )
        if token.note is not None:
            self.check_note(day, token.note)
        return day

    def check_note(self, day: _dt.date, note: str) -> None:
        for item in re.split(r"[、,]", note):
            weekday = _WEEKDAY_NOTE.fullmatch(item)
            if weekday:
                index = "一二三四五六日天".index(weekday.group(1))
                if min(index, 6) != day.weekday():
                    raise self.fail(
                        WeekdayMismatch,
                        f"{day.isoformat()} is a {_WEEKDAYS[day.weekday()]}, "
                        f"but the notice says {item}",
                        "check the date and the notice's year",
                    )
            elif item and not _LUNAR_NOTE.fullmatch(item):
                raise self.fail(
                    UnreadableHolidayLine, f"cannot read the note ({item})", _ALLOWED_NOTES
                )

    def bridge(self, first: _dt.date, last: _dt.date) -> set[_dt.date]:
        """'与周末连休': the weekend next to the day off joins the holiday."""
        if first != last:
            raise self.fail(
                UnreadableHolidayLine, "'与周末连休' after a range", "it follows a single day"
            )
        weekday = first.weekday()
        offsets = {4: (1, 2), 0: (-2, -1), 5: (1,), 6: (-1,)}.get(weekday)
        if offsets is None:
            raise self.fail(
                UnreadableHolidayLine,
                f"{first.isoformat()} is a {_WEEKDAYS[weekday]}: it has no weekend next to it",
                "'与周末连休' follows a day off on a Friday, Saturday, Sunday or Monday",
            )
        return {first + _ONE_DAY * k for k in offsets}

    def in_lieu(self, first: _dt.date, last: _dt.date, token: _Token) -> set[_dt.date]:
        """'4月6日(星期一)补休': the weekday off in lieu, and the weekend between, join."""
        day = self.resolve(token, first.year)
        if day.weekday() >= _SATURDAY:
            raise self.fail(
                UnreadableHolidayLine,
                f"the day in lieu {day.isoformat()} is a {_WEEKDAYS[day.weekday()]}",
                "a day off in lieu (补休) is a weekday next to the holiday's weekend",
            )
        lo, hi = (last, day) if day > last else (day, first)
        between = [lo + _ONE_DAY * i for i in range(1, (hi - lo).days)]
        if hi <= lo or any(d.weekday() < _SATURDAY for d in between):
            raise self.fail(
                UnreadableHolidayLine,
                f"the day in lieu {day.isoformat()} is not next to the holiday",
                "a day off in lieu (补休) joins the holiday across a weekend at most",
            )
        return {day, *between}

    def claim(self, days: frozenset[_dt.date] | list[_dt.date], what: str) -> None:
        for day in sorted(days):
            earlier = self.seen.get(day)
            if earlier is not None:
                raise self.fail(
                    DuplicateDate,
                    f"{day.isoformat()} is given twice: as {earlier[0]} (line {earlier[1]}) "
                    f"and as {what}",
                    "each date is a day off or a working day in one section only",
                )
            self.seen[day] = (what, self.line)


def _sentences(chars: str, start: int, end: int) -> Iterator[tuple[int, str]]:
    """The sentences between ``start`` and ``end``, with where each begins."""
    pos = start
    while pos < end:
        stop = chars.find("。", pos, end)
        if stop == -1:
            stop = end
        if stop > pos:
            yield pos, chars[pos:stop]
        pos = stop + 1
