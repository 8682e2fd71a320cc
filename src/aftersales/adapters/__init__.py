"""Adapters: platform data in, library values out.

Each adapter reads what a platform's API returns and turns it into the
library's values (cases, orders, reviews), reporting every record it cannot
read instead of dropping it. The engine never sees platform field names.

- :mod:`aftersales.adapters.taobao`: the Taobao Open Platform (refunds, Tmall
  disputes, trades, rate records), Taobao and Tmall shops.
"""

from __future__ import annotations

from . import taobao

__all__ = ["taobao"]
