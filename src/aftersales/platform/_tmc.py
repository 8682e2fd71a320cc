"""Push: the platform's TMC messages name refunds; the client fetches them, ingest applies.

A ``taobao_refund_*`` message (``RefundCreated``, ``RefundSellerAgreeAgreement``,
``RefundSuccess``...) carries ``refund_id``, ``tid``, ``oid``, ``refund_fee``,
``modified`` and ``refund_phase``, but no status (research notes
``taobao_rules.md`` §2.5; the TMC typings ``tmc.js`` ``types/taobao.d.ts``), so a
message is never applied as it is: :func:`refund_ids_from_tmc` reads the refunds
it names, and :func:`~aftersales.platform.ingest_refunds` reads each whole
(``taobao.refund.get``) and ingests it, as a sync does. A refund pushed and also
listed by the next sync is a duplicate there, never a second case.

The timeout reminder topic (``taobao_refund_RefundTimeoutRemind``) is retired
(PLATFORM-TIMEOUT): deadlines come from the engine and ``refund_remind_timeout``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from ._errors import ProtocolError

__all__ = ["REFUND_TOPICS", "refund_ids_from_tmc"]

#: The topic prefix of the refund messages.
REFUND_TOPICS = "taobao_refund_"


def _content(message: Mapping[str, Any]) -> Mapping[str, Any]:
    content = message.get("content")
    if isinstance(content, str):
        try:  # 19-digit IDs stay exact integers; nothing goes through float
            content = json.loads(content, parse_float=str)
        except ValueError:
            raise ProtocolError(f"TMC {message.get('topic')}: content is not JSON") from None
    if not isinstance(content, Mapping):
        raise ProtocolError(f"TMC {message.get('topic')}: content is not an object")
    return content


def refund_ids_from_tmc(messages: Iterable[Mapping[str, Any]]) -> list[str]:
    """The refund IDs the messages name, in order, each once.

    A message is ``{"topic": ..., "content": ...}`` as TMC delivers it (``content``
    a JSON text or an object). Other topics are passed over; a refund topic that
    names no refund is a :class:`ProtocolError`, never a silent miss.
    """
    found: dict[str, None] = {}
    for message in messages:
        topic = str(message.get("topic") or "")
        if not topic.startswith(REFUND_TOPICS):
            continue
        refund_id = _content(message).get("refund_id")
        text = str(refund_id) if isinstance(refund_id, (int, str)) else ""
        if not text.isdigit():
            raise ProtocolError(f"TMC {topic}: no refund_id in the message ({refund_id!r})")
        found.setdefault(text)
    return list(found)
