"""The what-if simulator (``aftersales.scenarios``): scenario, order and review files, run.

A scenario is a JSON document: a policy, a case or an order, the events in time
order and an instant to advance to. It is read, run through the engine or the
shipping watch, and reported as JSON-ready data (``aftersales timeline``,
``aftersales review``). See docs/scenarios.md.
"""

from typing import TYPE_CHECKING

from ..core._lazy import lazy_exports

if TYPE_CHECKING:
    from ._reviews import describe_follow_up, follow_up_from_document, review_report
    from ._scenario import (
        ScenarioError,
        describe,
        describe_watch,
        load_policy,
        order_scenario_watch,
        run_order_scenario,
        run_scenario,
        scenario_case,
        scenario_schema,
    )

__all__ = [
    "ScenarioError",
    "describe",
    "describe_follow_up",
    "describe_watch",
    "follow_up_from_document",
    "load_policy",
    "order_scenario_watch",
    "review_report",
    "run_order_scenario",
    "run_scenario",
    "scenario_case",
    "scenario_schema",
]

#: Each module and the names it defines, imported on first use (``core._lazy``):
#: ``aftersales timeline`` runs a scenario without the review classifier.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "_reviews": ("describe_follow_up", "follow_up_from_document", "review_report"),
    "_scenario": (
        "ScenarioError",
        "describe",
        "describe_watch",
        "load_policy",
        "order_scenario_watch",
        "run_order_scenario",
        "run_scenario",
        "scenario_case",
        "scenario_schema",
    ),
}

if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
