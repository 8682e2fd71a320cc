"""Seller actions written back to the platform: agree, refuse, leave a message.

Every action goes the same way:

1. the **rules first**: the stored case (run to ``at``, so a deadline that passed has
   fired) must accept the action's event (:func:`aftersales.step`); the amount must be
   no more than the refund's, a text 2-200 characters. Otherwise
   :class:`ActionRefused` names the rule and **no call is made**;
2. the refund is read (``taobao.refund.get``): its ``refund_version`` (the platform's
   optimistic lock, which the casebook does not keep) and ``refund_phase``; the record
   is ingested and the rules checked again on the fresh case;
3. the action is **recorded** in the casebook (``sending``), then sent once
   (``write=True``: a write whose answer is lost is never sent again);
4. the answer **settles** it: ``done`` (the refund is read again and ingested, so the
   case takes the platform's own event), ``refused`` (the platform said no, and why),
   or ``unknown`` (the answer was lost). An unknown action is settled by the next
   sync from the refund's status (:func:`~aftersales.platform.settle_actions`);
   until then no other action on that refund is sent.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import pendulum

from ..casebook import Casebook
from ..core._case import Case, Kind, State
from ..core._engine import advance, step
from ..core._errors import AfterSalesError, IllegalEvent, InvalidInput
from ..core._events import Event, MessageLeft, SellerAgreed, SellerRefused
from ..core._money import Money, to_money
from ..core._policy import Policy
from ..messages._shop import ReturnAddress
from ._client import TopClient
from ._errors import CallerError, CallLimited, PlatformError, PlatformFailure, ProtocolError
from ._proof import PROOF_RULE, Proof, ProofRefused, read_proof
from ._sync import fetch_refund, ingest_record

__all__ = [
    "AGREE",
    "AGREE_RETURN",
    "MESSAGE",
    "REFUSE",
    "RETURNGOODS_REFUSE",
    "ActionRefused",
    "ActionResult",
    "agree",
    "agree_many",
    "agree_return",
    "message",
    "notify",
    "refuse",
    "settle_action",
]

AGREE = "taobao.rp.refunds.agree"
AGREE_RETURN = "taobao.rp.returngoods.agree"
REFUSE = "taobao.refund.refuse"
RETURNGOODS_REFUSE = "taobao.rp.returngoods.refuse"
MESSAGE = "taobao.refund.message.add"

#: Rule IDs of the checks made here, beside the engine's (the platform's API limits).
AMOUNT_RULE = "TOP-AGREE-AMOUNT"
TEXT_RULE = "TOP-TEXT-2-200"
UNSETTLED_RULE = "TOP-ACTION-UNSETTLED"
UNKNOWN_CASE_RULE = "TOP-CASE-UNKNOWN"
RETURN_RULE = "TOP-AGREE-RETURN"
BATCH_RULE = "TOP-AGREE-BATCH"

#: ``taobao.rp.refunds.agree`` per call: (refunds, total), Taobao and Tmall.
BATCH_LIMITS: Mapping[bool, tuple[int, Money]] = {
    False: (20, Money.of("6000")),
    True: (30, Money.of("10000")),
}
_RETURNS = frozenset({Kind.RETURN_AND_REFUND, Kind.EXCHANGE, Kind.QUALITY_CLAIM})

#: The platform asks for the SMS code it sent the seller (matched in its message).
_NEEDS_CODE = re.compile(r"验证码|sms|verif\w*[ _-]?code", re.I)
_CODE_HINT = (
    "the platform sent a verification code to the seller's phone: agree again with the "
    "code (`--code`) to complete it"
)
_RULE_IN_TEXT = re.compile(r"\(([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)\)")


class ActionRefused(PlatformError):
    """The action was refused before any call: the rules (``rule``) forbid it now."""

    def __init__(self, message: str, *, rule: str) -> None:
        super().__init__(f"{message} ({rule})")
        self.rule = rule


@attrs.frozen
class ActionResult:
    """How an action ended: ``done``, ``refused`` (by the platform) or ``unknown``."""

    action_id: str
    refund_id: str
    kind: str
    method: str
    status: str
    detail: str
    params: Mapping[str, str]


def _now() -> pendulum.DateTime:
    return pendulum.now("Asia/Shanghai")  # noqa: TID251  (the action is stamped when it is taken)


def _instant(at: _dt.datetime | None) -> pendulum.DateTime:
    if at is None:
        return _now()
    return pendulum.instance(at)


def _case(book: Casebook, refund_id: str) -> Case:
    stored = book.get(refund_id)
    if stored is None:
        raise ActionRefused(
            f"refund {refund_id} is not in the casebook: sync first", rule=UNKNOWN_CASE_RULE
        )
    return stored.case


def check(case: Case, event: Event, policy: Policy) -> Case:
    """The case after ``event``, or :class:`ActionRefused` naming the rule that forbids it.

    The case is first run to the event's time: a deadline that passed has fired, and
    its rule is the one named (the seller answered too late).
    """
    try:
        ran, _ = advance(case, event.at, policy)
    except AfterSalesError as exc:
        raise ActionRefused(f"case {case.id}: {exc}", rule="ENGINE") from None
    fired = ran.history[len(case.history) :]
    try:
        after, _ = step(case, event, policy)
    except IllegalEvent as exc:
        if fired:
            last = fired[-1]
            raise ActionRefused(
                f"case {case.id}: a deadline passed before {event.at.isoformat()}: "
                f"{last.trigger} moved it to {ran.state.value}; {exc}",
                rule=last.rule,
            ) from None
        found = _RULE_IN_TEXT.search(exc.reason or "")
        if found:
            rule = found[1]
        elif case.history:
            rule = case.history[-1].rule  # the rule that put the case where it is
        else:
            rule = "ENGINE"
        raise ActionRefused(str(exc), rule=rule) from None
    except (InvalidInput, AfterSalesError) as exc:
        raise ActionRefused(f"case {case.id}: {exc}", rule="ENGINE") from None
    return after


def _text_ok(name: str, text: str) -> None:
    if not 2 <= len(text.strip()) <= 200:
        raise ActionRefused(
            f"{name} must be 2-200 characters, got {len(text.strip())}", rule=TEXT_RULE
        )


def _unsettled(book: Casebook, refund_id: str) -> None:
    waiting = book.actions("sending", "unknown", refund_id=refund_id)
    if waiting:
        first = waiting[0]
        raise ActionRefused(
            f"refund {refund_id}: action {first['action_id']} ({first['kind']}) has an "
            "unknown outcome: run `aftersales sync` to settle it from the platform first",
            rule=UNSETTLED_RULE,
        )


def _action_id(book: Casebook, at: pendulum.DateTime, refund_id: str, kind: str) -> str:
    n = len(book.actions(refund_id=refund_id)) + 1
    return f"{at.in_timezone('UTC').format('YYYYMMDDTHHmmssSSSSSS')}-{refund_id}-{kind}-{n:03d}"


def _fen(value: object) -> int:
    return to_money(str(value)).fen if value not in (None, "") else 0


class _Action:
    def __init__(
        self, book: Casebook, client: TopClient, refund_id: str, kind: str, at: pendulum.DateTime
    ) -> None:
        self.book = book
        self.client = client
        self.refund_id = refund_id
        self.kind = kind
        self.at = at
        self.action_id = _action_id(book, at, refund_id, kind)
        self.before: dict[str, object] = {}
        #: File parts of the call (a refusal's proof): uploaded, never stored.
        self.files: dict[str, Proof] = {}
        #: Kept in the action's record beside what is sent (a text the API takes none of).
        self.kept: dict[str, str] = {}

    def event(self) -> Event:
        raise NotImplementedError

    def allowed(self, case: Case) -> None:
        """Checks beside the engine's, on the stored case (before any call)."""

    def prepare(self, case: Case, record: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
        raise NotImplementedError

    def succeeded(self, answer: Mapping[str, Any]) -> tuple[bool, str]:
        raise NotImplementedError

    def after(self) -> str:
        """Once done: the refund read again and ingested (the platform's own event)."""
        return ingest_record(self.book, fetch_refund(self.client, self.refund_id))

    def checked(self) -> None:
        """The checks on the stored case, before any call."""
        _unsettled(self.book, self.refund_id)
        case = _case(self.book, self.refund_id)
        check(case, self.event(), self.book.policy)
        self.allowed(case)

    def ready(self) -> tuple[str, dict[str, str]]:
        """The refund read (its version), ingested, checked again; the call to make."""
        book = self.book
        record = fetch_refund(self.client, self.refund_id)
        ingest_record(book, record)
        case = _case(book, self.refund_id)
        check(case, self.event(), book.policy)  # again, on the platform's latest
        self.allowed(case)
        method, params = self.prepare(case, record)
        self.before = {"status": record.get("status"), "modified": record.get("modified")}
        return method, params

    def record(self, method: str, params: Mapping[str, str]) -> dict[str, object]:
        """Stored before the call (``sending``)."""
        kept = dict(params)
        kept.update((name, proof.describe()) for name, proof in self.files.items())
        entry: dict[str, object] = {
            "action_id": self.action_id,
            "refund_id": self.refund_id,
            "kind": self.kind,
            "method": method,
            "params": kept,
            "at": self.at.isoformat(),
            "before": self.before,
            **self.kept,
            "status": "sending",
            "detail": "",
        }
        self.book.write_action(self.action_id, entry)
        return entry

    def settle(self, entry: dict[str, object], status: str, detail: str) -> ActionResult:
        """Stored after the answer; a done action brings the platform's record in."""
        if status == "done":
            try:
                detail = self.after()
            except (PlatformError, AfterSalesError) as exc:
                detail = f"done; the casebook is updated by the next sync ({exc})"
        entry.update(status=status, detail=detail, settled_by="answer")
        self.book.write_action(self.action_id, entry)
        params = entry["params"]
        assert isinstance(params, dict)
        return ActionResult(
            self.action_id, self.refund_id, self.kind, str(entry["method"]), status, detail, params
        )

    def run(self) -> ActionResult:
        self.checked()
        method, params = self.ready()
        entry = self.record(method, params)
        answer = _send(self.client, method, params, self.files)
        if isinstance(answer, tuple):
            return self.settle(entry, *answer)
        return self.settle(entry, *self.outcome(answer))

    def outcome(self, answer: Mapping[str, Any]) -> tuple[str, str]:
        """``done`` or ``refused``, from the platform's answer."""
        ok, said = self.succeeded(answer)
        if ok:
            return "done", said
        if _NEEDS_CODE.search(said):
            return "needs_code", f"{_CODE_HINT} ({said})"
        return "refused", f"the platform refused: {said}"


def _send(
    client: TopClient,
    method: str,
    params: Mapping[str, str],
    files: Mapping[str, Proof] | None = None,
) -> Mapping[str, Any] | tuple[str, str]:
    """The answer, or how the action ended without one (refused or unknown)."""
    try:
        return client.call(method, params, write=True, files=files or None)
    except CallerError as exc:
        if _NEEDS_CODE.search(f"{exc.msg} {exc.sub_code} {exc.sub_msg}"):
            return "needs_code", f"{_CODE_HINT} ({exc.sub_msg or exc.sub_code})"
        return "refused", f"the platform refused: {exc}"
    except CallLimited as exc:
        return "refused", f"not sent: {exc}"
    except (PlatformFailure, ProtocolError) as exc:
        return "unknown", f"the outcome is unknown: {exc}"


class _Agree(_Action):
    def __init__(
        self, *args: Any, amount: Money | None, tmall: bool = False, code: str | None = None
    ) -> None:
        super().__init__(*args)
        self.amount = amount
        self.tmall = tmall
        self.code = code
        self.fen = 0

    def event(self) -> Event:
        return SellerAgreed(id=f"act:{self.action_id}", at=self.at)

    def allowed(self, case: Case) -> None:
        if case.kind in _RETURNS and case.state is State.WAIT_SELLER_AGREE:
            raise ActionRefused(
                f"refund {self.refund_id} asks for the goods back ({case.kind.value}): agree "
                "to it with agree-return (taobao.rp.returngoods.agree, with the shop's return "
                "address); taobao.rp.refunds.agree would refund the money without the goods",
                rule=RETURN_RULE,
            )
        self.amount_ok(case.requested.fen - case.refunded.fen)

    def amount_ok(self, refundable: int) -> int:
        """The amount in fen, if it is within ``refundable`` and one call's total."""
        fen = refundable if self.amount is None else self.amount.fen
        if fen > refundable:
            raise ActionRefused(
                f"refund {self.refund_id}: {Money.from_fen(fen)} is more than the refundable "
                f"{Money.from_fen(refundable)}",
                rule=AMOUNT_RULE,
            )
        if fen <= 0:
            raise ActionRefused(
                f"refund {self.refund_id}: nothing to refund ({Money.from_fen(fen)})",
                rule=AMOUNT_RULE,
            )
        most = BATCH_LIMITS[self.tmall][1]
        if fen > most.fen:
            raise ActionRefused(
                f"refund {self.refund_id}: {Money.from_fen(fen)} is more than one call of "
                f"taobao.rp.refunds.agree may refund on {'Tmall' if self.tmall else 'Taobao'} "
                f"({most})",
                rule=BATCH_RULE,
            )
        return fen

    def prepare(self, case: Case, record: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
        # the stored case was checked before the read; the platform's refund_fee now
        fen = self.amount_ok(min(_fen(record.get("refund_fee")), case.requested.fen))
        self.fen = fen
        version = record.get("refund_version")
        if version in (None, ""):
            raise ProtocolError(f"refund {self.refund_id}: the platform gave no refund_version")
        info = f"{self.refund_id}|{fen}|{version}"
        if self.tmall:  # the phase is required on Tmall, not sent on Taobao (the API's doc)
            phase = record.get("refund_phase")
            if phase in (None, ""):
                raise ProtocolError(f"refund {self.refund_id}: the platform gave no refund_phase")
            info += f"|{phase}"
        params = {"refund_infos": info}
        if self.code is not None:
            params["code"] = self.code
        return AGREE, params

    def succeeded(self, answer: Mapping[str, Any]) -> tuple[bool, str]:
        results = answer.get("results")
        rows = results.get("refund_mapping_result") if isinstance(results, Mapping) else None
        if isinstance(rows, Mapping):
            rows = [rows]
        for row in rows if isinstance(rows, list) else []:
            if isinstance(row, Mapping) and str(row.get("refund_id")) == self.refund_id:
                ok = row.get("succ") in (True, "true")
                return ok, str(row.get("message") or answer.get("msg_code") or "")
        if answer.get("succ") in (True, "true"):
            return True, str(answer.get("msg_code") or "")
        raise_text = str(answer.get("message") or answer.get("msg_code") or "no result")
        return False, raise_text


_MOBILE = re.compile(r"1\d{10}")


class _AgreeReturn(_Action):
    def __init__(
        self,
        *args: Any,
        address: ReturnAddress,
        seller_address_id: int,
        post: str | None,
        remark: str,
        tmall: bool,
    ) -> None:
        super().__init__(*args)
        self.address = address
        self.seller_address_id = seller_address_id
        self.post = post
        self.remark = remark
        self.tmall = tmall

    def event(self) -> Event:
        return SellerAgreed(id=f"act:{self.action_id}", at=self.at)

    def allowed(self, case: Case) -> None:
        if case.kind not in _RETURNS:
            raise ActionRefused(
                f"refund {self.refund_id} does not ask for the goods back ({case.kind.value}): "
                "agree to it with agree (taobao.rp.refunds.agree)",
                rule=RETURN_RULE,
            )
        if self.tmall and not self.remark.strip():
            raise ActionRefused(
                "a Tmall return is agreed with a remark for the buyer", rule=TEXT_RULE
            )

    def prepare(self, case: Case, record: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
        phone = self.address.phone.replace(" ", "")
        params = {
            "refund_id": self.refund_id,
            "name": self.address.recipient,
            "address": self.address.address,
            "mobile" if _MOBILE.fullmatch(phone) else "tel": phone,
            "seller_address_id": str(self.seller_address_id),
        }
        if self.post:
            params["post"] = self.post
        if self.remark.strip():
            params["remark"] = self.remark.strip()
        if self.tmall:  # required on Tmall (the API's doc)
            for name in ("refund_phase", "refund_version"):
                if record.get(name) in (None, ""):
                    raise ProtocolError(f"refund {self.refund_id}: the platform gave no {name}")
                params[name] = str(record[name])
        return AGREE_RETURN, params

    def succeeded(self, answer: Mapping[str, Any]) -> tuple[bool, str]:
        ok = answer.get("is_success") in (True, "true") or answer.get("code") == "success"
        return ok, str(answer.get("msg") or ("" if ok else "the return was not agreed"))


class _Refuse(_Action):
    def __init__(
        self,
        *args: Any,
        text: str,
        reason_id: int | None,
        proof: Proof | None = None,
        tmall: bool = False,
    ) -> None:
        super().__init__(*args)
        self.text = text
        self.reason_id = reason_id
        self.proof = proof
        self.tmall = tmall

    def event(self) -> Event:
        return SellerRefused(id=f"act:{self.action_id}", at=self.at, reason=self.text)

    def method(self, case: Case) -> str:
        """Tmall refuses returned goods with its own API; everything else is refund.refuse."""
        if self.tmall and case.state is State.WAIT_SELLER_CONFIRM_GOODS:
            return RETURNGOODS_REFUSE
        return REFUSE

    def allowed(self, case: Case) -> None:
        method = self.method(case)
        if self.proof is None:
            if self.tmall:
                raise ActionRefused(
                    f"refund {self.refund_id}: a Tmall shop refuses with a proof image "
                    f"({method}): give --proof FILE (GIF, JPEG or PNG)",
                    rule=PROOF_RULE,
                )
            return
        try:
            self.proof.fits(method)
        except ProofRefused as exc:
            raise ActionRefused(str(exc), rule=PROOF_RULE) from None

    def prepare(self, case: Case, record: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
        method = self.method(case)
        params = {"refund_id": self.refund_id}
        if method == REFUSE:
            params["refuse_message"] = self.text.strip()
        else:  # returngoods.refuse takes no message: the action's record keeps it
            self.kept["message"] = self.text.strip()
        # refund.refuse: required on Tmall, sent when known; returngoods.refuse: required
        for name in ("refund_phase", "refund_version"):
            if record.get(name) not in (None, ""):
                params[name] = str(record[name])
            elif self.tmall:
                raise ProtocolError(f"refund {self.refund_id}: the platform gave no {name}")
        if self.reason_id is not None:
            params["refuse_reason_id"] = str(self.reason_id)
        if self.proof is not None:
            self.files = {"refuse_proof": self.proof}
        return method, params

    def succeeded(self, answer: Mapping[str, Any]) -> tuple[bool, str]:
        ok = any(answer.get(k) in (True, "true") for k in ("is_success", "result", "succ"))
        return ok, "" if ok else "the platform did not confirm the refusal"


class _Message(_Action):
    def __init__(self, *args: Any, text: str) -> None:
        super().__init__(*args)
        self.text = text

    def event(self) -> Event:
        return MessageLeft(
            id=f"act:{self.action_id}", at=self.at, party="seller", text=self.text.strip()
        )

    def prepare(self, case: Case, record: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
        return MESSAGE, {"refund_id": self.refund_id, "content": self.text.strip()}

    def succeeded(self, answer: Mapping[str, Any]) -> tuple[bool, str]:
        message = answer.get("refund_message")
        if isinstance(message, Mapping):
            return True, f"message {message.get('id')}"
        return False, "no refund_message in the answer"

    def after(self) -> str:
        """The platform's record does not show messages: the event is the shop's own."""
        self.book.append(self.refund_id, [self.event()])
        return "message left"


class _Notify(_Message):
    """A buyer notification (a worker's ``NotifyBuyer``) on the refund's message board.

    The platform keeps a refund's messages open in every state, so the engine's
    INT-MESSAGE check is not made; the case takes the ``MessageLeft`` only where the
    engine accepts one (during intervention)."""

    def checked(self) -> None:
        _unsettled(self.book, self.refund_id)
        _case(self.book, self.refund_id)

    def ready(self) -> tuple[str, dict[str, str]]:
        record = fetch_refund(self.client, self.refund_id)
        ingest_record(self.book, record)
        self.before = {"status": record.get("status"), "modified": record.get("modified")}
        return self.prepare(_case(self.book, self.refund_id), record)

    def after(self) -> str:
        try:
            return super().after()
        except AfterSalesError:
            return "notified (the case keeps no message outside intervention)"


def notify(
    book: Casebook,
    client: TopClient,
    refund_id: str,
    *,
    text: str,
    about: Mapping[str, str] | None = None,
    at: _dt.datetime | None = None,
) -> ActionResult:
    """Tell the buyer ``text`` on the refund (``taobao.refund.message.add``, kind
    ``notify``): recorded before the call, settled by the answer, as every action.
    ``about`` (the template and rule it was rendered from) is kept in the record.
    Raises :class:`ActionRefused` (no call made) for a text outside 2-200 characters
    or an earlier action on the refund whose outcome is unknown."""
    _text_ok("the notification", text)
    action = _Notify(book, client, refund_id, "notify", _instant(at), text=text)
    action.kept.update(about or {})
    return action.run()


def agree(
    book: Casebook,
    client: TopClient,
    refund_id: str,
    *,
    amount: Money | str | None = None,
    tmall: bool = False,
    code: str | None = None,
    at: _dt.datetime | None = None,
) -> ActionResult:
    """Agree to a refund (``taobao.rp.refunds.agree``), for ``amount`` yuan or the whole
    refund. When the platform asks for the SMS code it sent the seller, the action ends
    ``needs_code`` (parked); agreeing again with ``code`` completes it.
    Raises :class:`ActionRefused` (no call made) when the rules forbid it now."""
    money = None if amount is None else to_money(amount)
    action = _Agree(
        book, client, refund_id, "agree", _instant(at), amount=money, tmall=tmall, code=code
    )
    result = action.run()
    _complete(book, [result], code)
    return result


def _complete(book: Casebook, results: Sequence[ActionResult], code: str | None) -> None:
    """Actions parked for an SMS code, completed by a later action sent with one."""
    if code is None:
        return
    for result in results:
        if result.status != "done":
            continue
        for parked in book.actions("needs_code", refund_id=result.refund_id):
            parked.update(status="completed", detail=f"completed by {result.action_id}")
            book.write_action(str(parked["action_id"]), parked)


def batches(amounts: Sequence[int], count: int, total: int) -> list[list[int]]:
    """Indices of ``amounts`` (fen) in order, cut into runs of at most ``count`` whose sum
    is at most ``total`` (an amount above ``total`` alone is refused before this)."""
    runs: list[list[int]] = []
    held = 0
    for i, fen in enumerate(amounts):
        if not runs or len(runs[-1]) >= count or held + fen > total:
            runs.append([])
            held = 0
        runs[-1].append(i)
        held += fen
    return runs


def agree_many(
    book: Casebook,
    client: TopClient,
    refunds: Mapping[str, Money | str | None] | Sequence[str],
    *,
    tmall: bool = False,
    at: _dt.datetime | None = None,
    limits: tuple[int, Money] | None = None,
    code: str | None = None,
) -> list[ActionResult]:
    """Agree to several refunds (``refund_id -> amount``, None for the whole refund) in
    as few ``taobao.rp.refunds.agree`` calls as the platform's limits allow (20 refunds
    and ¥6,000 a call on Taobao, 30 and ¥10,000 on Tmall).

    Every refund is checked before any call: one the rules forbid raises
    :class:`ActionRefused` and nothing is sent. Each refund's result is read from
    ``refund_mapping_result``: a call that partly succeeds settles each refund as the
    platform says; a call whose answer is lost leaves each of its refunds unknown.
    ``limits`` (refunds, total) overrides the platform's per-call limits (lower only).
    """
    named = dict.fromkeys(refunds) if not isinstance(refunds, Mapping) else dict(refunds)
    when = _instant(at)
    actions = [
        _Agree(
            book,
            client,
            refund_id,
            "agree",
            when,
            amount=None if amount is None else to_money(amount),
            tmall=tmall,
            code=code,
        )
        for refund_id, amount in named.items()
    ]
    for action in actions:
        action.checked()
    prepared = [(action, action.ready()[1]["refund_infos"]) for action in actions]
    count, total = BATCH_LIMITS[tmall]
    if limits is not None:
        count, total = min(count, limits[0]), min(total, limits[1])
    results: list[ActionResult] = []
    for indices in batches([action.fen for action, _ in prepared], count, total.fen):
        batch = [prepared[i] for i in indices]
        params = {"refund_infos": ",".join(info for _, info in batch)}
        entries = [action.record(AGREE, params) for action, _ in batch]
        answer = _send(client, AGREE, params)
        for (action, _), entry in zip(batch, entries, strict=True):
            ended = answer if isinstance(answer, tuple) else action.outcome(answer)
            results.append(action.settle(entry, *ended))
    _complete(book, results, code)
    return results


def refuse(
    book: Casebook,
    client: TopClient,
    refund_id: str,
    *,
    text: str,
    reason_id: int | None = None,
    proof: Proof | Path | bytes | None = None,
    tmall: bool = False,
    at: _dt.datetime | None = None,
) -> ActionResult:
    """Refuse a refund (``taobao.refund.refuse``) with a message of 2-200 characters,
    and a proof image (``proof``: a path, bytes or :class:`Proof`; GIF, JPEG or PNG
    within the API's size, required on Tmall: TOP-PROOF). A Tmall shop refusing
    returned goods (``WAIT_SELLER_CONFIRM_GOODS``) calls ``taobao.rp.returngoods.refuse``
    (that API takes no message: the action's record keeps it).
    Raises :class:`ActionRefused` (no call made) when the rules forbid it now."""
    _text_ok("the refusal's message", text)
    try:
        if isinstance(proof, Path):
            proof = read_proof(proof)
        elif isinstance(proof, bytes):
            proof = Proof.of(proof)
    except ProofRefused as exc:
        raise ActionRefused(str(exc), rule=PROOF_RULE) from None
    return _Refuse(
        book,
        client,
        refund_id,
        "refuse",
        _instant(at),
        text=text,
        reason_id=reason_id,
        proof=proof,
        tmall=tmall,
    ).run()


def message(
    book: Casebook,
    client: TopClient,
    refund_id: str,
    *,
    text: str,
    at: _dt.datetime | None = None,
) -> ActionResult:
    """Leave a message on the refund (``taobao.refund.message.add``), 2-200 characters.
    Raises :class:`ActionRefused` (no call made) when the rules forbid it now."""
    _text_ok("the message", text)
    return _Message(book, client, refund_id, "message", _instant(at), text=text).run()


def agree_return(
    book: Casebook,
    client: TopClient,
    refund_id: str,
    *,
    address: ReturnAddress,
    seller_address_id: int,
    post: str | None = None,
    remark: str = "",
    tmall: bool = False,
    at: _dt.datetime | None = None,
) -> ActionResult:
    """Agree to a return (``taobao.rp.returngoods.agree``): the buyer sends the goods to
    the shop's return address (``shop.toml``'s ``return_address``; its recipient is the
    ``name``, its phone the ``mobile`` or ``tel``), under the platform's
    ``seller_address_id``. Raises :class:`ActionRefused` (no call made) when the rules
    forbid it now, or the case asks for no goods back."""
    action = _AgreeReturn(
        book,
        client,
        refund_id,
        "agree_return",
        _instant(at),
        address=address,
        seller_address_id=seller_address_id,
        post=post,
        remark=remark,
        tmall=tmall,
    )
    return action.run()


#: What a person may settle, and how.
SETTLEABLE = ("sending", "unknown", "needs_code")
SETTLED_BY_HAND = ("done", "not_done")


def settle_action(
    book: Casebook,
    action_id: str,
    outcome: str,
    *,
    note: str,
    by: str,
    at: _dt.datetime | None = None,
) -> dict[str, object]:
    """A person settles an action whose outcome the platform's answer did not give
    (``unknown``, ``sending`` left by a process that died, ``needs_code`` parked):
    ``done`` (it happened: the next sync brings the refund's record in) or
    ``not_done`` (it did not: act again if it is still wanted). ``note`` says what
    the person saw (the seller centre, the buyer's chat), ``by`` who they are.
    :class:`InvalidInput` for an action that does not exist or is settled already.
    Nothing is sent to the platform; unknown actions left alone are still settled by
    the next sync from the refund's status."""
    if outcome not in SETTLED_BY_HAND:
        raise InvalidInput(f"outcome {outcome!r}: one of {', '.join(SETTLED_BY_HAND)}")
    if not note.strip() or not by.strip():
        raise InvalidInput("settling by hand needs a note (what was seen) and who settles it")
    found = [a for a in book.actions() if a.get("action_id") == action_id]
    if not found:
        raise InvalidInput(f"no action {action_id} in the casebook (book.actions() lists them)")
    entry = found[0]
    status = str(entry.get("status"))
    if status not in SETTLEABLE:
        raise InvalidInput(
            f"action {action_id} is {status} already; only {', '.join(SETTLEABLE)} actions "
            "are settled by hand"
        )
    entry.update(
        status=outcome,
        detail=f"settled by hand by {by.strip()}: {note.strip()} (was {status})",
        settled_by="hand",
        settled_at=_instant(at).isoformat(),
        by=by.strip(),
    )
    book.write_action(action_id, entry)
    return entry
