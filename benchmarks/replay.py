"""Replaying event logs into cases, and the JSON round trip of a finished case."""

from __future__ import annotations

from aftersales import Case, replay
from aftersales.core import case_from_json, case_to_json

from . import engine
from ._timing import Figure, per_second


def run(*, quick: bool) -> list[Figure]:
    batch = engine.scripts(200)
    cases: list[Case] = []
    for req, evs, until in batch:
        case = replay((req, *evs), engine.POLICY, until=until)
        cases.append(case)
    logs = [(case.log, case.changed_at) for case in cases]
    events = sum(len(log) for log, _ in logs)
    assert [case_from_json(case_to_json(case)) for case in cases] == cases
    repeats = 5 if quick else 15

    def replaying() -> int:
        for log, until in logs:
            replay(log, engine.POLICY, until=until)
        return events

    def round_trip() -> int:
        for case in cases:
            case_from_json(case_to_json(case))
        return len(cases)

    return [
        Figure("replay", "replay", per_second(replaying, repeats=repeats), "events/s", repeats),
        Figure(
            "replay",
            "JSON round trip (case_to_json, case_from_json)",
            per_second(round_trip, repeats=repeats),
            "cases/s",
            repeats,
            f"cases of {events / len(cases):.1f} events",
        ),
    ]
