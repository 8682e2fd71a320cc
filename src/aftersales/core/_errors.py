"""The error hierarchy.

Every error the library raises derives from :class:`AfterSalesError`; the leaf
names say whose fault it was, as h11 does with local/remote protocol errors:

- :class:`InvalidInput`: the caller handed over a value that cannot be right
  (a negative amount, a naive datetime, a refund above what was paid);
- :class:`IllegalEvent`: the event is well-formed but the case's state does not
  allow it (the platform would refuse the same click);
- :class:`OutOfOrderEvent`: the event is older than the case's last change;
- :class:`CalendarHorizonError`: a deadline needs a year the work calendar does
  not know yet (the State Council publishes each year's notice in November);
- :class:`RequestNotAllowed`: the buyer may not open this request (outside the
  after-sale window, a second after-sale request);
- :class:`PolicyError`: a policy override names an unknown field or a bad value.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "AfterSalesError",
    "CalendarHorizonError",
    "IllegalEvent",
    "InvalidInput",
    "OutOfOrderEvent",
    "PolicyError",
    "RequestNotAllowed",
]


class AfterSalesError(Exception):
    """Base of every error raised by aftersales."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(AfterSalesError, ValueError):
    """A value handed to the library is malformed or out of range."""


class RequestNotAllowed(InvalidInput):
    """The platform would not let the buyer open this request; ``rule`` says why."""

    def __init__(self, message: str, *, rule: str) -> None:
        super().__init__(f"{message} ({rule})")
        self.rule = rule


class PolicyError(InvalidInput):
    """A policy or one of its overrides is invalid."""


class CalendarHorizonError(AfterSalesError, LookupError):
    """The work calendar has no data for the year a deadline falls in."""

    def __init__(self, year: int, known: Iterable[int]) -> None:
        self.year = year
        self.known = tuple(sorted(known))
        span = f"{self.known[0]}-{self.known[-1]}" if self.known else "none"
        super().__init__(
            f"the work calendar has no holiday data for {year} (known years: {span}); "
            "add the year's State Council holiday notice as a calendar file "
            "(see docs/calendar.md) or choose an explicit fallback"
        )


class IllegalEvent(AfterSalesError):
    """The case's current state does not accept this event."""

    def __init__(
        self,
        *,
        case_id: str,
        state: str,
        event_type: str,
        allowed: Iterable[str],
        reason: str | None = None,
    ) -> None:
        self.case_id = case_id
        self.state = state
        self.event_type = event_type
        self.allowed = tuple(sorted(allowed))
        self.reason = reason
        allowed_text = ", ".join(self.allowed) if self.allowed else "none (the case is final)"
        why = f": {reason}" if reason else ""
        super().__init__(
            f"case {case_id}: {event_type!r} is not allowed in state {state}{why}; "
            f"allowed events: {allowed_text}"
        )


class OutOfOrderEvent(AfterSalesError):
    """The event happened before the case's last change: time cannot go back."""

    def __init__(self, *, case_id: str, event_id: str, at: str, last_change: str) -> None:
        self.case_id = case_id
        self.event_id = event_id
        self.at = at
        self.last_change = last_change
        super().__init__(
            f"case {case_id}: event {event_id!r} at {at} is older than the case's "
            f"last change at {last_change}; events must arrive in time order"
        )
