"""Where a message goes, and how long it may be there.

Numbers here are the library's, each with where it comes from:

- ``CHAT_LIMIT`` (1000 characters) is the library's choice, not a platform
  limit (Qianniu does not publish one for its chat box): a guard against a
  template that runs away (a loop over a long list, an include gone wrong). The
  longest shipped template, the English return instructions with an address,
  is about 650. A shop passes ``chat_limit=`` to
  :func:`aftersales.messages.environment` to be stricter.
- ``SMS_SEGMENT`` (70) and ``SMS_LONG_SEGMENT`` (67) come from the SMS
  standard (3GPP TS 23.038/23.040): a segment carries 140 octets, which is 70
  UCS-2 characters, and a concatenated message spends 6 octets of each on its
  header, leaving 67. Chinese text and the 【】 signature brackets are outside
  the GSM 7-bit alphabet, so every message here is UCS-2. China's SMS gateways
  (Alibaba Cloud SMS among them) bill by the same count, signature included.
- ``SMS_MAX_SEGMENTS`` (2) is the library's choice: a notice that needs a third
  segment belongs in chat.
"""

from __future__ import annotations

import math
from typing import Final, Literal

__all__ = [
    "CHANNELS",
    "CHAT_LIMIT",
    "SMS_LONG_SEGMENT",
    "SMS_MAX_SEGMENTS",
    "SMS_SEGMENT",
    "Channel",
    "sms_segments",
    "sms_units",
]

Channel = Literal["chat", "sms"]
CHANNELS: Final = ("chat", "sms")

CHAT_LIMIT: Final = 1000
SMS_SEGMENT: Final = 70
SMS_LONG_SEGMENT: Final = 67
SMS_MAX_SEGMENTS: Final = 2


def sms_units(text: str) -> int:
    """UCS-2 characters: UTF-16 code units, so an emoji costs two."""
    return len(text.encode("utf-16-le")) // 2


def sms_segments(text: str) -> int:
    """How many SMS segments ``text`` takes (70 alone, 67 each when concatenated)."""
    units = sms_units(text)
    if units <= SMS_SEGMENT:
        return 1
    return math.ceil(units / SMS_LONG_SEGMENT)
