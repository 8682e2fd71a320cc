"""Diagrams and reference pages generated from the workflow tables and the policy.

The docs are built from the same rows the engine dispatches on, so they cannot
drift; a test fails when a checked-in page differs from what this module makes.
"""

from __future__ import annotations

from collections import defaultdict

from ..core._case import Kind, State
from ..core._machine import Workflow
from ..core._policy import Policy, policy_fields, preset
from ..core._rules import RULES, SOURCES
from ..core._workflows import WORKFLOWS

__all__ = [
    "follow_up_dot",
    "graphviz_block",
    "malicious_dot",
    "rules_markdown",
    "table_page",
    "to_dot",
    "to_mermaid",
    "workflow_markdown",
]


def _edges(workflow: Workflow) -> list[tuple[State, State, str]]:
    edges: list[tuple[State, State, str]] = [
        (State.NO_REFUND, workflow.initial, "refund_requested [PRE-APPLY]")
    ]
    for row in workflow.rows:
        guard = f" if {row.guard.name}" if row.guard is not None else ""
        keep = " (timer kept)" if row.timer == "keep" else ""
        edges.append((row.source, row.target, f"{row.event}{guard}{keep} [{row.rule}]"))
    for state, timer in workflow.timers.items():
        edges.append((state, timer.target, f"timeout:{timer.name} [{timer.rule}]"))
    return edges


def to_mermaid(workflow: Workflow) -> str:
    """A Mermaid ``stateDiagram-v2`` of one workflow."""
    lines = ["stateDiagram-v2"]
    for source, target, label in _edges(workflow):
        start = "[*]" if source is State.NO_REFUND else source.value
        lines.append(f"    {start} --> {target.value}: {label}")
    lines.extend(
        f"    {state.value} --> [*]" for state in sorted(workflow.final, key=lambda s: s.value)
    )
    return "\n".join(lines) + "\n"


def to_dot(workflow: Workflow) -> str:
    """A Graphviz digraph of one workflow, laid out to stay readable at page width."""
    start, *rest = _edges(workflow)
    edges = [(s.value, t.value, label, label.startswith("timeout:")) for s, t, label in rest]
    finals = {state.value for state in workflow.final}
    return _dot(workflow.kind.value, [(start[1].value, start[2])], edges, finals)


#: From this many states, the same move to the same state is drawn as one arrow.
_SHARED_FROM = 3

#: A drawn edge: source, target, label, and whether a timer (not an event) moves it.
_DrawnEdge = tuple[str, str, str, bool]


def _dot(
    name: str, starts: list[tuple[str, str]], edges: list[_DrawnEdge], finals: set[str]
) -> str:
    """The common layout: top to bottom, so a long workflow grows down the page, not
    across it. Edges between the same two states share one arrow (one label line
    each), the same move from several states is one arrow from a note
    naming them,
    events that keep the state are listed in its box instead of as loops, and each
    state that ends the case gets its own small final box, so the lines into CLOSED
    or SUCCESS do not cross the whole drawing. Timers are dashed arrows."""
    stays: dict[str, list[str]] = defaultdict(list)
    merged: dict[tuple[str, str, bool], list[str]] = defaultdict(list)
    for source, target, label, timed in edges:
        if source == target:
            stays[source].append(label)
        else:
            merged[(source, target, timed)].append(label)
    lines = [
        f'digraph "{name}" {{',
        "    rankdir=TB; nodesep=0.25; ranksep=0.35;",
        '    node [shape=box, style=rounded, fontname="sans-serif", fontsize=11];',
        '    edge [fontname="sans-serif", fontsize=9, color="#555555"];',
        '    start [shape=point, width=0.15, label=""];',
    ]
    states = dict.fromkeys(
        [target for target, _ in starts]
        + [s for s, t, _, _ in edges if s not in finals]
        + [t for s, t, _, _ in edges if t not in finals]
    )
    for state in states:
        text = f"<b>{_html(state)}</b>" + "".join(
            f'<br/><font point-size="9">&#8635; {_html(label)}</font>' for label in stays[state]
        )
        lines.append(f'    "{state}" [label=<{text}>];')
    for target, label in starts:
        lines.append(f'    start -> "{target}" [label="{label}"];')
    shared: dict[tuple[str, bool, tuple[str, ...]], list[str]] = defaultdict(list)
    for (source, target, timed), labels in merged.items():
        shared[(target, timed, tuple(labels))].append(source)
    for (target, timed, moves), starts_from in shared.items():
        sources = list(starts_from)
        style = ', style=dashed, color="#1565c0", fontcolor="#1565c0"' if timed else ""
        text = "\\n".join(_wrap(label) for label in moves)
        if len(starts_from) >= _SHARED_FROM:
            # one arrow for many states, from a note naming them,
            # placed under the last of them
            group = f"from:{len(states)}"
            states[group] = None
            named = "\\l".join(sources)
            lines.append(
                f'    "{group}" [shape=note, fontsize=9, label="from any of\\l{named}\\l"];'
            )
            lines.append(f'    "{sources[-1]}" -> "{group}" [style=invis];')
            sources = [group]
        for source in sources:
            node = f"{target}:{source}" if target in finals else target
            if node not in states:
                states[node] = None
                lines.append(
                    f'    "{node}" [label="{target}", style="rounded,filled", '
                    'fillcolor="#eeeeee", peripheries=2];'
                )
            lines.append(f'    "{source}" -> "{node}" [label="{text}"{style}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _wrap(label: str) -> str:
    """An edge label on narrow lines: the event, its guard, its rule."""
    return label.replace(" if ", "\\nif ").replace(" [", "\\n[")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_TITLES = {
    Kind.REFUND_BEFORE_SHIPMENT: "Refund before shipment",
    Kind.REFUND_ONLY: "Refund only (shipped, and refused at delivery)",
    Kind.RETURN_AND_REFUND: "Return and refund",
    Kind.EXPRESS_REFUND: "Express refund",
    Kind.EXCHANGE: "Exchange and reissue",
    Kind.QUALITY_CLAIM: "Quality claim",
}


def workflow_markdown(kind: Kind, policy: Policy | None = None) -> str:
    """The reference page of one workflow: diagram, timers, transitions."""
    policy = policy if policy is not None else preset("taobao")
    workflow = WORKFLOWS[kind]
    out = [
        f"# {_TITLES[kind]} (`{kind.value}`)",
        "",
        "<!-- generated by `python docs/generate.py` from the workflow table; do not edit -->",
        "",
        graphviz_block(to_dot(workflow), f"state diagram of {kind.value}"),
        "## Timers",
        "",
        "| state | deadline | who must act | length (taobao) | policy field | on expiry | rule |",
        "|---|---|---|---|---|---|---|",
    ]
    for state, timer in workflow.timers.items():
        lengths = ", ".join(f"{getattr(policy, f)}" for f in timer.fields)
        # rule IDs as code: a table cell never breaks RET-RESPOND-5D at its hyphens
        fields = ", ".join(f"`{f}` (`{policy.rule_of(f)}`)" for f in timer.fields)
        out.append(
            f"| `{state.value}` | `{timer.name}` | {timer.waits_for.value} | {lengths} | {fields} "
            f"| {timer.on_expiry} -> `{timer.target.value}` | `{timer.rule}` |"
        )
    out += [
        "",
        "## Events",
        "",
        "| in state | event | guard | goes to | rule |",
        "|---|---|---|---|---|",
    ]
    for row in workflow.rows:
        guard = row.guard.name if row.guard is not None else ""
        if row.timer == "keep":
            guard = f"{guard} (deadline kept)"
        source, target = row.source.value, row.target.value
        out.append(f"| `{source}` | `{row.event}` | {guard} | `{target}` | `{row.rule}` |")
    out.append("")
    return "\n".join(out)


def rules_markdown() -> str:
    """``docs/rules.md``: every rule the code cites, its source and the field holding its number."""
    cited: dict[str, set[str]] = defaultdict(set)
    for workflow in WORKFLOWS.values():
        for row in workflow.rows:
            cited[row.rule].add(f"{workflow.kind.value} transition")
        for timer in workflow.timers.values():
            cited[timer.rule].add(f"{workflow.kind.value} timer")
    fields: dict[str, list[str]] = defaultdict(list)
    defaults = preset("taobao")
    for field in policy_fields():
        rule_id = field.metadata["rule"]
        fields[rule_id].append(f"`{field.name}` = {getattr(defaults, field.name)}")
        cited[rule_id].add("policy")
    out = [
        "# Rules the library implements",
        "",
        "<!-- generated by `python docs/generate.py`; do not edit -->",
        "",
        "Every rule ID the code cites, with its source (seed article `000`-`004`, or `ext`",
        "for a widely published platform rule kept as a configurable default) and the",
        "policy field that holds its number in the `taobao` preset.",
        "",
        "| source | meaning |",
        "|---|---|",
        *(f"| `{code}` | {meaning} |" for code, meaning in SOURCES.items()),
        "",
        "A seed article's code may carry the section a rule is cited from (`002 C.1`:",
        "article 002, section C.1); several codes are listed when the articles agree.",
        "",
        "| rule | source | summary | policy field (taobao) | used by |",
        "|---|---|---|---|---|",
    ]
    for rule_id in sorted(cited):
        r = RULES[rule_id]
        out.append(
            f"| `{r.id}` | {r.source} | {r.summary} | {'; '.join(fields.get(rule_id, []))} "
            f"| {', '.join(sorted(cited[rule_id]))} |"
        )
    out += [
        "",
        "Rules known to the registry but not yet implemented by a workflow are listed by",
        "`aftersales rules`.",
        "",
    ]
    return "\n".join(out)


def malicious_dot() -> str:
    """The malicious-order handling table (``MAL_ROWS``, ``MAL_TIMEOUTS``) as Graphviz dot."""
    from ..orders._malicious import MAL_ROWS, MAL_TIMEOUTS, MalState

    edges: list[_DrawnEdge] = []
    for (source, trigger), (target, rule, _action) in MAL_ROWS.items():
        edges.append((source.value, target.value, f"{trigger} [{rule}]", False))
        if trigger == "appeal_decided":
            rejected = MalState.APPEAL_REJECTED.value
            edges.append((source.value, rejected, f"{trigger} (rejected) [{rule}]", False))
    for source, (name, rule, target) in MAL_TIMEOUTS.items():
        edges.append((source.value, target.value, f"timeout:{name} [{rule}]", True))
    starts = [(MalState.UNPAID_WATCH.value, "unpaid"), (MalState.PAID_HANDLING.value, "paid")]
    sources = {source for source, _, _, _ in edges}
    finals = {state.value for state in MalState if state.value not in sources}
    return _dot("malicious_order", starts, edges, finals)


def follow_up_dot() -> str:
    """The negative-review follow-up table (``FOLLOW_UP_ROWS``) as Graphviz dot."""
    from ..reviews._followup import FOLLOW_UP_ROWS, FollowUpState

    edges: list[_DrawnEdge] = []
    for row in FOLLOW_UP_ROWS:
        guard = f" if {row.guard_name}" if row.guard_name else ""
        label = f"{row.trigger}{guard} [{row.rule}]"
        edge = (row.source.value, row.target.value, label, row.trigger.startswith("timeout:"))
        if edge not in edges:
            edges.append(edge)
    finals = {FollowUpState.CLOSED.value}
    return _dot("review_follow_up", [(FollowUpState.NEW.value, "review")], edges, finals)


def graphviz_block(dot: str, alt: str) -> str:
    """A MyST ``graphviz`` directive: Sphinx renders it to SVG at build, no script needed."""
    return f"```{{graphviz}}\n:alt: {alt}\n\n{dot.rstrip()}\n```\n"


def table_page(title: str, intro: str, dot: str) -> str:
    """A generated page for a table that is not a refund workflow."""
    return (
        f"# {title}\n\n<!-- generated by docs/generate.py from the table; do not edit -->\n\n"
        f"{intro}\n\n{graphviz_block(dot, f'state diagram: {title}')}"
    )
