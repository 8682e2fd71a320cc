"""The shape of a workflow table, and the static checks every table must pass.

A workflow is data: rows ``(state, event type) -> guard, target, action, rule``
and, per waiting state, the one timer that starts on entry with what happens
when it runs out. Dispatch is a dict lookup; diagrams and docs read the same
rows, so they cannot drift from what the engine does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, Literal

import attrs
import pendulum

from ._case import PLATFORM_STATUS, Case, Kind, Party, State
from ._effects import Effect
from ._events import Event
from ._policy import Policy
from ._rules import RULES

__all__ = ["Action", "Guard", "Row", "Timer", "Workflow", "check_workflow"]

Changes = dict[str, Any]
#: An action returns the case fields it changes and the effects it emits.
Action = Callable[
    [Case, Event | None, Policy, pendulum.DateTime], tuple[Changes, tuple[Effect, ...]]
]


@attrs.frozen
class Guard:
    """A named condition; ``check`` returns None when it holds, else why not."""

    name: str
    check: Callable[[Case, Event, Policy], str | None] = attrs.field(eq=False)


@attrs.frozen(kw_only=True)
class Row:
    source: State
    event: str
    target: State
    rule: str
    guard: Guard | None = None
    action: Action | None = attrs.field(default=None, eq=False)
    #: "keep": a self-loop that leaves the running deadline alone.
    timer: Literal["restart", "keep"] = "restart"


@attrs.frozen(kw_only=True)
class Timer:
    """The deadline a state starts on entry."""

    name: str
    waits_for: Party
    #: Picks the policy field holding the length (e.g. surface mail gets 30 days).
    length: Callable[[Case, Policy], str] = attrs.field(eq=False)
    #: Every policy field ``length`` may pick, for docs and checks.
    fields: tuple[str, ...]
    on_expiry: str
    target: State
    rule: str
    #: The rule an after-sale case's expiry cites instead (AFTER-AUTO-AGREE).
    aftersale_rule: str | None = None
    action: Action | None = attrs.field(default=None, eq=False)
    #: When the count starts, given the case on entry and the entry instant; the
    #: entry itself when None.
    starts: Callable[[Case, pendulum.DateTime], pendulum.DateTime] | None = attrs.field(
        default=None, eq=False
    )

    @property
    def trigger(self) -> str:
        """What the history records as the cause of the expiry."""
        return f"timeout:{self.name}"


def fixed(field: str) -> Callable[[Case, Policy], str]:
    return lambda _case, _policy: field


@attrs.frozen(kw_only=True)
class Workflow:
    kind: Kind
    initial: State
    rows: tuple[Row, ...]
    timers: Mapping[State, Timer]
    final: frozenset[State]
    #: Actions run whenever a state is left, whatever the trigger.
    on_exit: Mapping[State, Action] = attrs.field(factory=dict, eq=False)
    #: Runs when the case opens (an express refund pays the buyer at once).
    on_open: Action | None = attrs.field(default=None, eq=False)
    #: Waiting states with no timer of their own, and whom they wait for.
    waits: Mapping[State, Party] = attrs.field(factory=dict)
    #: Every message template a ``NotifyBuyer`` from this table (or from opening the
    #: case) can name. The engine never reads it; ``aftersales.messages`` and the tests do.
    templates: frozenset[str] = frozenset()
    dispatch: Mapping[tuple[State, str], tuple[Row, ...]] = attrs.field(
        init=False, eq=False, repr=False
    )
    allowed: Mapping[State, frozenset[str]] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        dispatch: dict[tuple[State, str], list[Row]] = {}
        for row in self.rows:
            dispatch.setdefault((row.source, row.event), []).append(row)
        allowed: dict[State, set[str]] = {}
        for source, event in dispatch:
            allowed.setdefault(source, set()).add(event)
        object.__setattr__(
            self, "dispatch", MappingProxyType({k: tuple(v) for k, v in dispatch.items()})
        )
        object.__setattr__(
            self, "allowed", MappingProxyType({k: frozenset(v) for k, v in allowed.items()})
        )

    @property
    def states(self) -> frozenset[State]:
        found = {self.initial, *self.final, *self.timers, *self.waits}
        for row in self.rows:
            found.update((row.source, row.target))
        found.update(timer.target for timer in self.timers.values())
        return frozenset(found)


def check_workflow(workflow: Workflow, event_types: Iterable[str]) -> list[str]:  # noqa: PLR0912
    """Problems with a table: an empty list means it is sound.

    Every non-final state has exactly one timer (someone is always on the
    clock); final states accept nothing; every state is reachable; every rule
    ID and policy field exists; every row's event type is known.
    """
    problems: list[str] = []
    known_events = set(event_types)
    policy_fields = attrs.fields_dict(Policy)
    for state in sorted(workflow.states, key=lambda s: s.value):
        if state in workflow.final:
            if state in workflow.timers or state in workflow.waits:
                problems.append(f"{state.value} is final but waits")
            if workflow.allowed.get(state):
                problems.append(f"{state.value} is final but accepts events")
        elif (state in workflow.timers) == (state in workflow.waits):
            problems.append(
                f"{state.value} waits with no deadline"
                if state not in workflow.timers
                else f"{state.value} has both a deadline and a party it waits for"
            )
    if PLATFORM_STATUS[workflow.initial] is None:
        problems.append(f"{workflow.initial.value} starts a case but has no platform status")
    reachable = {workflow.initial}
    frontier = [workflow.initial]
    while frontier:
        state = frontier.pop()
        targets = [row.target for row in workflow.rows if row.source == state]
        if state in workflow.timers:
            targets.append(workflow.timers[state].target)
        for target in targets:
            if target not in reachable:
                reachable.add(target)
                frontier.append(target)
    problems.extend(
        f"{state.value} is unreachable"
        for state in sorted(workflow.states - reachable, key=lambda s: s.value)
    )
    for row in workflow.rows:
        if row.rule not in RULES:
            problems.append(f"row {row.source.value}/{row.event} cites unknown rule {row.rule}")
        if row.event not in known_events:
            problems.append(f"row {row.source.value}/{row.event}: unknown event type")
        if row.timer == "keep" and row.source != row.target:
            problems.append(f"row {row.source.value}/{row.event} keeps a timer across states")
    for state, timer in workflow.timers.items():
        if timer.rule not in RULES or timer.aftersale_rule not in (None, *RULES):
            problems.append(f"timer {timer.name} in {state.value} cites unknown rule {timer.rule}")
        problems.extend(
            f"timer {timer.name} reads unknown policy field {field}"
            for field in timer.fields
            if field not in policy_fields or "rule" not in policy_fields[field].metadata
        )
    return problems
