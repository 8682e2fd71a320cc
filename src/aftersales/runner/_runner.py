"""The runner: the engine plus a structlog audit trail, one record per transition.

This is a shell. It holds a policy and a logger, calls the pure engine, and
writes what changed. It keeps no state of its own: the case is the state.
"""

from __future__ import annotations

from typing import Any

import pendulum
import structlog

from ..core._case import Case, RefundRequested
from ..core._effects import Effect
from ..core._engine import advance, open_case, step
from ..core._events import Event
from ..core._policy import Policy

__all__ = ["Runner"]


class Runner:
    """Apply events and timers to cases, logging each transition."""

    def __init__(self, policy: Policy, logger: Any | None = None) -> None:
        self.policy = policy
        self.logger = logger if logger is not None else structlog.get_logger("aftersales")

    def open(self, request: RefundRequested) -> tuple[Case, tuple[Effect, ...]]:
        case, effects = open_case(request, self.policy)
        self._audit(None, case)
        return case, effects

    def apply(self, case: Case, event: Event) -> tuple[Case, tuple[Effect, ...]]:
        after, effects = step(case, event, self.policy)
        if after is case:
            self.logger.debug("duplicate_event", case=case.id, event_id=event.id)
        self._audit(case, after)
        return after, effects

    def advance(self, case: Case, now: pendulum.DateTime) -> tuple[Case, tuple[Effect, ...]]:
        after, effects = advance(case, now, self.policy)
        self._audit(case, after)
        return after, effects

    def _audit(self, before: Case | None, after: Case) -> None:
        start = 0 if before is None else len(before.history)
        for record in after.history[start:]:
            self.logger.info(
                "transition",
                case=after.id,
                kind=after.kind.value,
                at=record.at.isoformat(),
                **{"from": record.source.value, "to": record.target.value},
                trigger=record.trigger,
                event_id=record.event_id,
                rule=record.rule,
            )
