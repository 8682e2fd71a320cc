"""REV-NO-INDUCE as a lint: wording that ties a benefit to a review.

Cash back, red packets or coupons for a good review or a review change
("好评返现") are forbidden by the market regulator (网络交易监督管理办法, 2021,
art. 14) and the platform's rating rules. Staff write templates; this lint
reads every template source, shipped or the shop's, and flags the phrases that
make such a deal, in Chinese and English. It reads sources line by line, so it
also catches a deal hidden in a branch a test never renders.

A clean lint is not a permission: wording the patterns miss is still
forbidden. The patterns are tuned to the deal (a benefit *for* a review), so a
template may still ask, once the problem is solved, whether the buyer would
update the review, as REV-NO-INDUCE allows.

The lint also flags a template that could never render, whatever the wording:
a symbolic link out of the folder (TEMPLATE-LINK-OUT), a file that is not UTF-8
(TEMPLATE-NOT-UTF8) or too large (TEMPLATE-TOO-BIG), a syntax error
(TEMPLATE-SYNTAX).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import attrs
import jinja2

from ._env import MessageEnvironment
from ._errors import TemplateError
from ._limits import ConfinedLoader, OutsideFolder, TemplateLimits

__all__ = ["INDUCEMENT_PATTERNS", "LintFinding", "lint_templates"]

_ZH_REVIEW = r"(?:好评|差评|中评|评价|追评|评论|五星|5星|晒图)"
_ZH_CHANGE = r"(?:改|修改|更改|删除|删掉|删|撤销|撤回|追加|追|补|给|打|写|晒)"
_ZH_BENEFIT = r"(?:返现|返|红包|优惠券|券|现金|退款|补偿|赠品|礼品|礼物|送|奖励|免单|包邮)"
_EN_CHANGE = r"(?:chang|updat|revis|edit|delet|remov|withdraw|improv|upgrad|leav|writ|post|giv)\w*"
_EN_BENEFIT = (
    r"(?:refund|coupon|gift|cash|red[- ]packet|money|discount|voucher|reward|bonus|"
    r"free|rebate|compensation|credit)\w*"
)
_EN_REVIEW = r"(?:review|rating|feedback|5[- ]star|five[- ]star)s?"

#: (pattern, what it catches); matched case-insensitively against each source line.
INDUCEMENT_PATTERNS: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(pattern, re.IGNORECASE), why)
    for pattern, why in (
        (
            r"(?:好评|追评|晒图|带图评价|五星|5星)(?:就|即|可|都|后)?(?:返现|返|送|领|有礼|有红包)",
            "a benefit for a good review",
        ),
        (r"(?:返现|红包|礼品|赠品)(?:换|求)好评", "a benefit in exchange for a good review"),
        (
            _ZH_CHANGE + r".{0,4}" + _ZH_REVIEW + r".{0,20}?" + _ZH_BENEFIT,
            "a review change followed by a benefit",
        ),
        (
            _ZH_BENEFIT
            + r".{0,20}?(?:修改|更改|删除|删掉|撤销|撤回|改成|改为|改)(?:一下)?(?:成|为)?"
            + _ZH_REVIEW,
            "a benefit conditioned on a review change",
        ),
        (
            r"\b" + _EN_CHANGE + r"\b.{0,40}\b" + _EN_REVIEW + r"\b.{0,60}\b" + _EN_BENEFIT,
            "a review change followed by a benefit",
        ),
        (
            r"\b" + _EN_BENEFIT + r"\b.{0,60}\b(?:if|when|once|after|for|in exchange for|"
            r"in return for)\b.{0,40}\b(?:" + _EN_CHANGE + r"|positive|good|better|5[- ]star|"
            r"five[- ]star)\b.{0,30}\b" + _EN_REVIEW + r"\b",
            "a benefit conditioned on a review",
        ),
    )
)


@attrs.frozen
class LintFinding:
    """One line of a template that ties a benefit to a review (REV-NO-INDUCE), or a
    template that cannot render (``TEMPLATE-*``; ``line`` is 0 when it is the file)."""

    template: str
    line: int
    text: str
    why: str
    rule: str = "REV-NO-INDUCE"

    def __str__(self) -> str:
        return f"{self.template}:{self.line}: {self.rule}: {self.why}: {self.text!r}"


def lint_source(name: str, source: str) -> Iterator[LintFinding]:
    """The findings in one template's source."""
    for number, line in enumerate(source.splitlines(), start=1):
        for pattern, why in INDUCEMENT_PATTERNS:
            match = pattern.search(line)
            if match is not None:
                yield LintFinding(name, number, match.group(0), why)
                break


def lint_templates(source: MessageEnvironment | Path) -> list[LintFinding]:
    """Lint every template an environment can load (the shop's folder and the
    package's), or every ``*.txt`` under a folder."""
    if isinstance(source, MessageEnvironment):
        roots, env = source.roots, source
    else:
        roots, env = (Path(source),), None
    findings: list[LintFinding] = []
    for root in roots:
        findings.extend(_lint_root(Path(root), env))
    return findings


_SUFFIXES: Final = (".txt", ".j2", ".jinja")


def _lint_root(root: Path, env: MessageEnvironment | None) -> Iterator[LintFinding]:
    limits = env.limits if env is not None else TemplateLimits()
    loader = ConfinedLoader([root], limits)
    parser = env if env is not None else jinja2.Environment(autoescape=False)
    real_root = os.path.realpath(root)
    for folder, subfolders, files in sorted(os.walk(root)):  # links to folders are not walked
        for name in sorted(subfolders):
            path = os.path.join(folder, name)
            if os.path.islink(path) and not _inside(os.path.realpath(path), real_root):
                yield LintFinding(
                    _name(path, root),
                    0,
                    os.path.realpath(path),
                    "a folder linked from outside the templates folder: never read",
                    "TEMPLATE-LINK-OUT",
                )
        for name in sorted(files):
            if name.endswith(_SUFFIXES):
                yield from _lint_file(_name(os.path.join(folder, name), root), loader, parser)


def _lint_file(
    name: str, loader: ConfinedLoader, parser: jinja2.Environment
) -> Iterator[LintFinding]:
    try:
        text, _, _ = loader.get_source(parser, name)
    except OutsideFolder as exc:
        yield LintFinding(
            name, 0, str(exc), "a link out of the templates folder", "TEMPLATE-LINK-OUT"
        )
        return
    except TemplateError as exc:
        rule = "TEMPLATE-NOT-UTF8" if "UTF-8" in exc.reason else "TEMPLATE-TOO-BIG"
        yield LintFinding(name, exc.line or 0, exc.reason, "the file cannot be read", rule)
        return
    except jinja2.TemplateNotFound:  # a broken link
        yield LintFinding(name, 0, name, "a link to nothing", "TEMPLATE-LINK-OUT")
        return
    yield from lint_source(name, text)
    try:
        parser.parse(text, name)
    except jinja2.TemplateSyntaxError as exc:
        yield LintFinding(name, exc.lineno, exc.message or "", "a syntax error", "TEMPLATE-SYNTAX")
    except RecursionError:
        yield LintFinding(name, 0, "", "nested too deeply to compile", "TEMPLATE-SYNTAX")


def _name(path: str, root: Path) -> str:
    return Path(path).relative_to(root).as_posix()


def _inside(path: str, root: str) -> bool:
    return os.path.commonpath([path, root]) == root
