"""Write the example shop: March 2026 of a small Taobao shop, as the platform exports it.

Deterministic: a seeded ``random.Random``, no clock, the standard library and
``aftersales`` only. Run it from anywhere::

    python examples/shop/generate.py            # rewrites examples/shop/
    python examples/shop/generate.py OUT_DIR    # writes somewhere else

The shop is meant to be viewed at ``VIEW_AT`` (2026-03-31 18:00, Beijing time);
the exports were pulled half an hour earlier. See README.md next to this file.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from aftersales import preset
from aftersales.adapters.taobao import import_records

HERE = Path(__file__).resolve().parent
SEED = 20260331
#: Beijing time. Asia/Shanghai has kept +08:00 all year since 1991.
SH = timezone(timedelta(hours=8), "Asia/Shanghai")
VIEW_AT = datetime(2026, 3, 31, 18, 0, tzinfo=SH)
PULLED_AT = datetime(2026, 3, 31, 17, 30, tzinfo=SH)
SHOP_NICK = "森屿家居小铺"
RETURN_ADDRESS = "浙江省金华市义乌市稠城街道工人北路 森屿家居售后 收 13800000000"

Record = dict[str, Any]

#: title, price (yuan)
CATALOG: tuple[tuple[str, str], ...] = (
    ("北欧ins风陶瓷马克杯 带盖勺 350ml", "29.90"),
    ("纯棉四件套 1.5m床 简约条纹 被套床单", "239.00"),
    ("加厚珊瑚绒毛毯 1.5×2米 冬季午睡毯", "89.00"),
    ("竹纤维毛巾 3条装 吸水不掉毛", "39.90"),
    ("实木衣架 10只装 防滑无痕", "25.00"),
    ("LED护眼台灯 三档调光 宿舍学习", "128.00"),
    ("香薰蜡烛 礼盒装 200g 无烟", "59.00"),
    ("亚麻抱枕套 45x45 不含芯", "19.90"),
    ("硅胶洗碗刷 2只装 可挂式", "12.80"),
    ("不锈钢保鲜盒 3件套 带密封盖", "45.00"),
    ("北欧风陶瓷餐盘 4件套", "129.00"),
    ("棉麻收纳筐 大号 可折叠", "35.90"),
    ("玻璃密封罐 6件套 厨房储物", "49.90"),
    ("记忆棉枕头 护颈 单只装", "99.00"),
    ("浴室防滑地垫 50x80 吸水速干", "32.00"),
)
MUG, BEDDING, BLANKET, TOWELS, HANGERS, LAMP, CANDLE, CUSHION = range(8)
BRUSH, BOXES, PLATES, BASKET, JARS, PILLOW, MAT = range(8, 15)

#: carrier, waybill prefix, digits after it
CARRIERS = (
    ("中通快递", "78", 12),
    ("圆通速递", "YT", 13),
    ("韵达快递", "43", 11),
    ("申通快递", "77", 10),
)

GOOD_TEXTS = (
    "质量很好，和图片一样，物流也快，好评！",
    "第二次回购了，家里人都说好用",
    "包装很用心，没有破损，客服态度很好",
    "颜色很正，摸起来很舒服，性价比高",
    "发货快，第二天就到了，东西不错",
    "做工细致，没有异味，推荐购买",
    "还没用，看着挺好的，用了再来追评",
    "好评！",
    "此用户没有填写评价。",
    "评价方未及时做出评价,系统默认好评!",
)


def yuan(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def ts(at: datetime) -> str:
    """The platform's 'yyyy-MM-dd HH:mm:ss', Beijing time."""
    return at.astimezone(SH).strftime("%Y-%m-%d %H:%M:%S")


def bj(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, tzinfo=SH)


class Shop:
    """Builds the month's records. Every random draw goes through ``self.rng``."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.trades: list[Record] = []
        self.refunds: list[Record] = []
        self.rates: list[Record] = []
        self.used: set[str] = set()
        self.bad_refund_id = ""
        self.stuck: Record = {}

    # -- small draws --------------------------------------------------------------------

    def number(self, prefix: str, digits: int) -> str:
        while True:
            value = prefix + "".join(self.rng.choice("0123456789") for _ in range(digits))
            if value not in self.used:
                self.used.add(value)
                return value

    def tid(self) -> str:
        return self.number("40", 17)  # 19 digits

    def nick(self) -> str:
        first = self.rng.choice("tjwlzxcmyshq小大阿糖甜")
        last = self.rng.choice(["_8", "9", "n", "3", "猫", "妈", "y", "_1", "6", "子", "a"])
        return f"{first}**{last}"

    def seconds(self, low: int, high: int) -> timedelta:
        return timedelta(seconds=self.rng.randint(low, high))

    def waybill(self) -> tuple[str, str]:
        carrier, prefix, digits = self.rng.choice(CARRIERS)
        return carrier, self.number(prefix, digits)

    # -- trades -------------------------------------------------------------------------

    def trade(
        self,
        items: Sequence[tuple[int, int]],
        paid: datetime,
        *,
        status: str,
        shipped: datetime | None = None,
        end: datetime | None = None,
        modified: datetime | None = None,
        unshipped: Sequence[int] = (),
    ) -> Record:
        """A trade of ``items`` (catalog index, quantity); ``unshipped`` lines stay behind."""
        tid = self.tid()
        lines = []
        total = Decimal(0)
        parcel = self.waybill() if shipped is not None else ("", "")  # one parcel a trade
        for i, (index, num) in enumerate(items):
            title, price = CATALOG[index]
            payment = Decimal(price) * num
            total += payment
            line: Record = {
                "oid": tid if len(items) == 1 else str(int(tid) + 1 + i),
                "num_iid": str(738_201_556_340 + 7_919 * index),  # the listing's item ID
                "num": num,
                "price": price,
                "payment": yuan(payment),
                "total_fee": yuan(payment),
                "title": title,
                "status": status,
                "refund_status": "NO_REFUND",
                "seller_type": "C",
            }
            if shipped is not None and i not in unshipped:
                carrier, waybill = parcel
                line |= {
                    "status": status
                    if status != "SELLER_CONSIGNED_PART"
                    else "WAIT_BUYER_CONFIRM_GOODS",
                    "consign_time": ts(shipped),
                    "shipping_type": "express",
                    "logistics_company": carrier,
                    "invoice_no": waybill,
                }
            elif i in unshipped:
                line["status"] = "WAIT_SELLER_SEND_GOODS"
            if end is not None:
                line["end_time"] = ts(end)
            lines.append(line)
        record: Record = {
            "tid": tid,
            "status": status,
            "type": "fixed",
            "buyer_nick": self.nick(),
            "seller_nick": SHOP_NICK,
            "created": ts(paid - self.seconds(20, 900)),
            "pay_time": ts(paid),
        }
        if shipped is not None:
            record["consign_time"] = ts(shipped)
        if end is not None:
            record["end_time"] = ts(end)
        record |= {
            "modified": ts(modified or end or shipped or paid),
            "shipping_type": "express",
            "payment": yuan(total),
            "total_fee": yuan(total),
            "post_fee": "0.00",
            "orders": {"order": lines},
        }
        self.trades.append(record)
        return record

    def ordinary_month(self, count: int) -> None:
        """Trades paid 1-28 March: shipped within two days, most confirmed by now."""
        for _ in range(count):
            day = self.rng.randint(1, 28)
            hour = self.rng.choice([9, 10, 11, 12, 13, 14, 15, 19, 20, 20, 21, 21, 22, 22, 23])
            paid = bj(day, hour) + self.seconds(0, 3599)
            lines = [(self.rng.randrange(len(CATALOG)), self.rng.choice([1, 1, 1, 1, 2]))]
            if self.rng.random() < 0.15:
                other = self.rng.randrange(len(CATALOG))
                if other != lines[0][0]:
                    lines.append((other, 1))
            shipped = paid + self.seconds(3 * 3600, 40 * 3600)
            confirm = shipped + self.seconds(2 * 86400, 6 * 86400)
            if self.rng.random() < 0.35:
                confirm = shipped + timedelta(days=10)  # the system confirms (TRADE-AUTO-CONFIRM)
            if confirm <= PULLED_AT:
                self.trade(lines, paid, status="TRADE_FINISHED", shipped=shipped, end=confirm)
            else:
                self.trade(lines, paid, status="WAIT_BUYER_CONFIRM_GOODS", shipped=shipped)

    # -- refunds ------------------------------------------------------------------------

    def refund(
        self,
        trade: Record,
        *,
        status: str,
        good_status: str,
        has_good_return: bool,
        created: datetime,
        modified: datetime | None = None,
        reason: str,
        desc: str = "",
        line: int = 0,
        amount: str | None = None,
        cs_status: int = 1,
        returned: datetime | None = None,
    ) -> Record:
        sub = trade["orders"]["order"][line]
        fee = amount or sub["payment"]
        final = status in ("SUCCESS", "CLOSED")
        record: Record = {
            "refund_id": self.number("21", 17),
            "tid": trade["tid"],
            "oid": sub["oid"],
            "title": sub["title"],
            "num": sub["num"],
            "buyer_nick": trade["buyer_nick"],
            "seller_nick": SHOP_NICK,
            "status": status,
            "good_status": good_status,
            "has_good_return": has_good_return,
            "refund_fee": fee,
            "total_fee": sub["payment"],
            "payment": yuan(Decimal(sub["payment"]) - Decimal(fee))
            if status == "SUCCESS"
            else sub["payment"],
            "created": ts(created),
            "modified": ts(modified or created),
            "refund_phase": "onsale",
            "refund_version": int(created.timestamp() * 1000),
            "cs_status": cs_status,
            "order_status": trade["status"],
            "reason": reason,
            "desc": desc,
            "shipping_type": "express",
        }
        if returned is not None:
            carrier, waybill = self.waybill()
            record |= {"good_return_time": ts(returned), "company_name": carrier, "sid": waybill}
        if status == "WAIT_BUYER_RETURN_GOODS":
            record["address"] = RETURN_ADDRESS
        record["refund_remind_timeout"] = {"exist_timeout": False} if final else None
        trade["modified"] = max(trade["modified"], record["modified"])
        sub["refund_status"] = status
        sub["refund_id"] = record["refund_id"]
        self.refunds.append(record)
        return record

    # -- rate records -------------------------------------------------------------------

    def rate(
        self,
        trade: Record,
        result: str,
        created: datetime,
        content: str,
        reply: str = "",
    ) -> None:
        sub = trade["orders"]["order"][0]
        self.rates.append(
            {
                "tid": trade["tid"],
                "oid": sub["oid"],
                "role": "buyer",
                "nick": trade["buyer_nick"],
                "rated_nick": SHOP_NICK,
                "result": result,
                "created": ts(created),
                "item_title": sub["title"],
                "item_price": sub["price"],
                "content": content,
                "reply": reply,
                "valid_score": True,
            }
        )

    def good_ratings(self) -> None:
        """Most buyers of a finished trade leave a good rating within a day or two."""
        for trade in self.trades:
            if trade["status"] != "TRADE_FINISHED" or any(
                r["tid"] == trade["tid"] for r in self.rates
            ):
                continue
            if self.rng.random() < 0.35:
                continue
            end = datetime.strptime(trade["end_time"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=SH)
            created = end + self.seconds(60, 36 * 3600)
            if created > PULLED_AT:
                continue
            self.rate(trade, "good", created, self.rng.choice(GOOD_TEXTS))


def build(seed: int = SEED) -> Shop:
    shop = Shop(seed)
    shop.ordinary_month(78)

    # -- paid, waiting to ship (SHIP-48H) ---------------------------------------------------
    shop.trade([(BEDDING, 1)], bj(29, 10, 12, 33), status="WAIT_SELLER_SEND_GOODS")  # late
    shop.trade([(LAMP, 1)], bj(29, 20, 41, 5), status="WAIT_SELLER_SEND_GOODS")  # 2h41m left
    shop.trade([(JARS, 1), (BOXES, 1)], bj(30, 22, 15, 40), status="WAIT_SELLER_SEND_GOODS")
    shop.trade([(MAT, 2)], bj(31, 11, 2, 18), status="WAIT_SELLER_SEND_GOODS")
    # paid, then the buyer asks for the money back before shipment (PRE-AUTO-2D: today)
    ordered_wrong = shop.trade([(PILLOW, 1)], bj(30, 8, 20, 7), status="WAIT_SELLER_SEND_GOODS")
    shop.refund(
        ordered_wrong,
        status="WAIT_SELLER_AGREE",
        good_status="BUYER_NOT_RECEIVED",
        has_good_return=False,
        created=bj(30, 8, 47, 51),
        reason="拍错了/订单信息错误",
        desc="拍成单只装了，想要两只装的，麻烦退款我重新拍",
    )
    # partly shipped: the mugs left this morning, the blanket is out of stock
    partial = shop.trade(
        [(MUG, 2), (BLANKET, 1)],
        bj(30, 14, 5, 12),
        status="SELLER_CONSIGNED_PART",
        shipped=bj(31, 10, 30, 0),
        unshipped=[1],
    )
    shop.refund(
        partial,
        line=1,
        status="WAIT_SELLER_AGREE",
        good_status="BUYER_NOT_RECEIVED",
        has_good_return=False,
        created=bj(31, 12, 10, 44),
        reason="缺货",
        desc="客服说毛毯要等一周才有货，不等了，毛毯退款，杯子照发",
    )

    # -- after shipment ---------------------------------------------------------------------
    # a return waiting for the seller's answer (RET-RESPOND-5D)
    too_big = shop.trade(
        [(BEDDING, 1)],
        bj(24, 21, 3, 9),
        status="WAIT_BUYER_CONFIRM_GOODS",
        shipped=bj(25, 16, 40, 0),
    )
    shop.refund(
        too_big,
        status="WAIT_SELLER_AGREE",
        good_status="BUYER_RECEIVED",
        has_good_return=True,
        created=bj(28, 15, 20, 31),
        reason="七天无理由退换货",
        desc="床是1.8米的，拍错尺寸了，包装未拆",
    )
    # a parcel stuck at 'collected' (see tracking/): the buyer asks for a refund only
    stuck = shop.trade(
        [(CANDLE, 1)],
        bj(26, 19, 0, 45),
        status="WAIT_BUYER_CONFIRM_GOODS",
        shipped=bj(27, 18, 40, 0),
    )
    shop.stuck = stuck
    shop.refund(
        stuck,
        status="WAIT_SELLER_AGREE",
        good_status="BUYER_NOT_RECEIVED",
        has_good_return=False,
        created=bj(30, 20, 10, 3),
        reason="快递/物流一直未送到",
        desc="物流三天了一直显示已揽收，问快递说没收到件",
    )
    # agreed; the buyer has 7 days to send it back (RET-BUYER-SHIP-WINDOW)
    lamp = shop.trade(
        [(LAMP, 1)], bj(22, 20, 15, 0), status="WAIT_BUYER_CONFIRM_GOODS", shipped=bj(23, 14, 2, 0)
    )
    shop.refund(
        lamp,
        status="WAIT_BUYER_RETURN_GOODS",
        good_status="BUYER_RECEIVED",
        has_good_return=True,
        created=bj(26, 20, 15, 37),
        modified=bj(27, 9, 30, 12),
        reason="质量问题",
        desc="调光按钮按下去没反应，只有最亮一档",
    )
    # the goods are on their way back: confirm receipt in 10 days (RET-CONFIRM-10D: today)
    plates = shop.trade(
        [(PLATES, 1)],
        bj(16, 13, 44, 0),
        status="WAIT_BUYER_CONFIRM_GOODS",
        shipped=bj(17, 11, 5, 0),
    )
    shop.refund(
        plates,
        status="WAIT_SELLER_CONFIRM_GOODS",
        good_status="BUYER_RETURNED_GOODS",
        has_good_return=True,
        created=bj(19, 13, 2, 11),
        modified=bj(22, 9, 10, 26),
        returned=bj(22, 9, 10, 26),
        reason="收到商品破损",
        desc="四个盘子碎了两个，外箱有明显压痕，已拍照",
    )
    # refused: the buyer has 7 days to modify or ask customer service (REFUSED-BUYER-7D)
    towels = shop.trade(
        [(TOWELS, 2)],
        bj(21, 22, 31, 0),
        status="WAIT_BUYER_CONFIRM_GOODS",
        shipped=bj(22, 15, 0, 0),
    )
    shop.refund(
        towels,
        status="SELLER_REFUSE_BUYER",
        good_status="BUYER_RECEIVED",
        has_good_return=False,
        created=bj(27, 8, 55, 2),
        modified=bj(28, 16, 0, 40),
        amount="30.00",
        reason="商品与描述不符",
        desc="颜色比图片深很多，要求退一半差价",
    )
    # a dispute: refused, then customer service stepped in (cs_status 3, INT-EVIDENCE-3D)
    pillow = shop.trade(
        [(PILLOW, 1)],
        bj(23, 9, 12, 0),
        status="WAIT_BUYER_CONFIRM_GOODS",
        shipped=bj(23, 17, 30, 0),
    )
    shop.refund(
        pillow,
        status="SELLER_REFUSE_BUYER",
        good_status="BUYER_RECEIVED",
        has_good_return=True,
        created=bj(26, 14, 0, 9),
        modified=bj(30, 10, 30, 55),
        cs_status=3,
        reason="质量问题",
        desc="枕头有很重的化学味，睡了两晚头疼；卖家说是正常气味拒绝退货",
    )

    # -- finished refunds earlier in the month -------------------------------------------
    changed_mind = shop.trade(
        [(HANGERS, 2)], bj(6, 21, 0, 30), status="TRADE_CLOSED", end=bj(7, 9, 15, 0)
    )
    shop.refund(
        changed_mind,
        status="SUCCESS",
        good_status="BUYER_NOT_RECEIVED",
        has_good_return=False,
        created=bj(6, 21, 32, 10),
        modified=bj(7, 9, 15, 0),
        reason="不想要了",
    )
    jars = shop.trade(
        [(JARS, 1)],
        bj(7, 12, 30, 0),
        status="TRADE_CLOSED",
        shipped=bj(8, 10, 0, 0),
        end=bj(14, 11, 20, 0),
    )
    shop.refund(
        jars,
        status="SUCCESS",
        good_status="BUYER_RETURNED_GOODS",
        has_good_return=True,
        created=bj(10, 19, 40, 0),
        modified=bj(14, 11, 20, 0),
        returned=bj(11, 15, 2, 0),
        reason="七天无理由退换货",
    )
    boxes = shop.trade(
        [(BOXES, 1)],
        bj(9, 20, 5, 0),
        status="TRADE_FINISHED",
        shipped=bj(10, 9, 40, 0),
        end=bj(20, 9, 40, 0),
    )
    shop.refund(
        boxes,
        status="SUCCESS",
        good_status="BUYER_RECEIVED",
        has_good_return=False,
        created=bj(12, 18, 20, 0),
        modified=bj(12, 19, 5, 0),
        amount="10.00",
        reason="少件/漏发",
        desc="少了一个小号的盖子，补10元就行",
    )
    basket = shop.trade(
        [(BASKET, 1)],
        bj(13, 10, 10, 0),
        status="TRADE_FINISHED",
        shipped=bj(13, 18, 0, 0),
        end=bj(23, 18, 0, 0),
    )
    shop.refund(
        basket,
        status="CLOSED",
        good_status="BUYER_RECEIVED",
        has_good_return=True,
        created=bj(15, 21, 0, 0),
        modified=bj(16, 8, 30, 0),
        reason="七天无理由退换货",
        desc="",
    )
    ships_anyway = shop.trade(
        [(CUSHION, 3)],
        bj(10, 9, 0, 0),
        status="TRADE_FINISHED",
        shipped=bj(11, 10, 0, 0),
        end=bj(21, 10, 0, 0),
    )
    shop.refund(
        ships_anyway,
        status="CLOSED",
        good_status="BUYER_NOT_RECEIVED",
        has_good_return=False,
        created=bj(10, 21, 0, 0),
        modified=bj(11, 10, 0, 0),
        reason="不想要了",
        desc="",
    )
    # a dispute customer service ruled for the buyer (cs_status 8): a dispute refund
    steel = shop.trade(
        [(BOXES, 2)],
        bj(3, 19, 30, 0),
        status="TRADE_CLOSED",
        shipped=bj(4, 11, 0, 0),
        end=bj(17, 16, 0, 0),
    )
    shop.refund(
        steel,
        status="SUCCESS",
        good_status="BUYER_RECEIVED",
        has_good_return=False,
        created=bj(6, 10, 0, 0),
        modified=bj(17, 16, 0, 0),
        cs_status=8,
        reason="商品与描述不符",
        desc="页面写的304不锈钢，磁铁能吸住",
    )
    # the one malformed record (see README): refund_fee came through a spreadsheet as a float
    brushes = shop.trade(
        [(BRUSH, 1)], bj(18, 22, 40, 0), status="TRADE_CLOSED", end=bj(19, 8, 5, 0)
    )
    bad = shop.refund(
        brushes,
        status="SUCCESS",
        good_status="BUYER_NOT_RECEIVED",
        has_good_return=False,
        created=bj(18, 23, 1, 0),
        modified=bj(19, 8, 5, 0),
        reason="拍错了/订单信息错误",
    )
    bad["refund_fee"] = 12.8
    shop.bad_refund_id = bad["refund_id"]

    # -- unpaid -----------------------------------------------------------------------------
    shop.trade([(BRUSH, 5)], bj(31, 16, 48, 0), status="WAIT_BUYER_PAY")
    unpaid = shop.trades[-1]
    del unpaid["pay_time"]
    unpaid["created"] = ts(bj(31, 16, 48, 0))

    # -- ratings ----------------------------------------------------------------------------
    cracked = shop.trade(
        [(MUG, 1)],
        bj(26, 21, 5, 0),
        status="TRADE_FINISHED",
        shipped=bj(27, 15, 0, 0),
        end=bj(31, 10, 5, 0),
    )
    shop.rate(
        cracked,
        "bad",
        bj(31, 10, 20, 14),
        "杯子收到杯口就有一道裂缝，倒热水会渗，客服半天才回，差评",
    )
    shedding = shop.trade(
        [(BLANKET, 1)],
        bj(22, 13, 30, 0),
        status="TRADE_FINISHED",
        shipped=bj(23, 10, 0, 0),
        end=bj(29, 21, 2, 0),
    )
    shop.rate(
        shedding,
        "neutral",
        bj(29, 21, 30, 48),
        "毯子挺软的，就是掉毛有点严重，洗了一次洗衣机里全是毛",
    )
    late = shop.trade(
        [(CANDLE, 2)],
        bj(5, 20, 0, 0),
        status="TRADE_FINISHED",
        shipped=bj(7, 18, 0, 0),
        end=bj(12, 9, 0, 0),
    )
    shop.rate(
        late,
        "neutral",
        bj(12, 9, 30, 0),
        "发货太慢了，下单两天才发，蜡烛味道还可以",
        reply="亲，非常抱歉，三八节期间订单较多发货慢了，已经给您备注下次优先发货。",
    )
    shop.good_ratings()
    return shop


def _timeouts(shop: Shop) -> None:
    """The platform's own deadline on every open refund (refund_remind_timeout).

    Taken from the library's classic schedule, which this shop is on, so the
    example shows no deadline disagreement (PLATFORM-TIMEOUT)."""
    remind = {
        "WAIT_SELLER_AGREE": 1,
        "WAIT_BUYER_RETURN_GOODS": 3,
        "WAIT_SELLER_CONFIRM_GOODS": 4,
        "SELLER_REFUSE_BUYER": 5,
    }
    good = [r for r in shop.refunds if r["refund_id"] != shop.bad_refund_id]
    result = import_records(refunds=good, trades=shop.trades, policy=preset("taobao"))
    if result.problems:
        raise SystemExit("\n".join(str(p) for p in result.problems))
    due = {c.case.id: c.case.deadline for c in result.cases}
    for record in shop.refunds:
        if record["refund_remind_timeout"] is not None:
            continue
        deadline = due[record["refund_id"]]
        assert deadline is not None, record["refund_id"]
        record["refund_remind_timeout"] = {
            "timeout": ts(deadline.due),
            "remind_type": remind[record["status"]],
            "exist_timeout": True,
        }


def _envelope(name: str, path: Sequence[str], records: list[Record]) -> Record:
    inner: Record = {path[-1]: records}
    return {
        name: {
            "total_results": len(records),
            "has_next": False,
            path[0]: inner,
        }
    }


def _stuck_at_collected(trade: Record) -> Record:
    """An order scenario (examples/orders format): tracking from the carrier, not TOP."""
    line = trade["orders"]["order"][0]
    return {
        "policy": "taobao",
        "order": {"id": trade["tid"], "paid": trade["payment"], "paid_at": _iso(trade["pay_time"])},
        "events": [
            {
                "type": "shipped",
                "at": _iso(line["consign_time"]),
                "carrier": line["logistics_company"],
                "tracking": line["invoice_no"],
            },
            {
                "type": "scan",
                "at": _iso(trade["consign_time"], minutes=75),
                "status": "collected",
                "place": "义乌 网点 已揽收",
            },
        ],
        "at": VIEW_AT.isoformat(),
    }


def _iso(text: str, *, minutes: int = 0) -> str:
    at = datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=SH)
    return (at + timedelta(minutes=minutes)).isoformat()


def _dump(doc: object) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


EXAMPLE_TOML = """\
# What this example folder says of itself (read by the aftersales commands, not a shop file).
# The exports were pulled at 17:30 on the month's last evening: `aftersales board
# examples/shop` judges them at this instant when --at is absent, and says so.
as_of = 2026-03-31T18:00:00+08:00

# Kept on purpose: how a record the library cannot use is reported (and why `ingest`
# exits 1). Reports label it as a deliberate example.
[deliberately_rejected]
"refunds_receive_get.json[8]" = "its refund_fee is the float 12.8, and money must be yuan as text"
"""

SHOP_TOML = """\
# The shop, for the messages the board renders (aftersales board finds this file).
name = "小林家居"
signature = "小林家居"
contact_hours = "9:00–23:00"

[return_address]
recipient = "小林家居售后部"
phone = "0571-88886666"
address = "浙江省杭州市余杭区仓前街道文一西路 1001 号 2 号仓"
"""


def _malicious_order() -> Record:
    """A paid order that looks like a scalping ring's (MAL-KINDS): ten of the 9.90 promoted
    phone cases on a three-day-old account whose address two other new accounts used for
    the same item this week. The shop put it on record and contacted the buyer; it must
    ship by the ship-by time (MAL-SHIP-IN-TIME), so the board lists it."""
    address = "广东省深圳市宝安区西乡街道固戍二路 88 号 3 栋 1206"
    item = "602233445566"

    def record(order_id: str, buyer: str, created: str, quantity: int, account: str) -> Record:
        return {
            "order_id": order_id,
            "buyer": buyer,
            "item_id": item,
            "unit_price": "9.90",
            "quantity": quantity,
            "created_at": created,
            "paid_at": created,
            "promoted": True,
            "address": address,
            "phone": "",
            "account_created_at": account,
            "past_claims": 0,
        }

    return {
        "policy": "taobao",
        "malicious_order": {
            **record(
                "4031000000000000001",
                "z**_0328",
                "2026-03-31T09:02:11+08:00",
                10,
                "2026-03-28T20:15:00+08:00",
            ),
            "phone": "138****0428",
        },
        "history": [
            record(
                "4031000000000000002",
                "q**_0327",
                "2026-03-29T21:40:05+08:00",
                5,
                "2026-03-27T11:00:00+08:00",
            ),
            record(
                "4031000000000000003",
                "m**_0329",
                "2026-03-30T22:05:47+08:00",
                5,
                "2026-03-29T08:30:00+08:00",
            ),
        ],
        "opened_at": "2026-03-31T09:30:00+08:00",
        "events": [
            {
                "type": "recorded_with_platform",
                "id": "mal-0331-0940",
                "at": "2026-03-31T09:40:00+08:00",
                "handler": "平台客服 工号 7731",
                "reference": "KF20260331-0094",
            },
            {
                "type": "buyer_contacted",
                "id": "mal-0331-1005",
                "at": "2026-03-31T10:05:00+08:00",
                "channel": "wangwang",
                "note": "告知现货、48小时内发出，以及不满意可按规则退货",
            },
        ],
    }


def files(seed: int = SEED) -> dict[str, str]:
    """Every file of the example shop: relative path -> text."""
    shop = build(seed)
    _timeouts(shop)
    stuck = shop.stuck
    trades = sorted(shop.trades, key=lambda t: t["created"], reverse=True)  # newest first, as TOP
    refunds = sorted(shop.refunds, key=lambda r: r["modified"], reverse=True)
    rates = sorted(shop.rates, key=lambda r: r["created"], reverse=True)
    return {
        "trades_sold_get.json": _dump(
            _envelope("trades_sold_get_response", ("trades", "trade"), trades)
        ),
        "refunds_receive_get.json": _dump(
            _envelope("refunds_receive_get_response", ("refunds", "refund"), refunds)
        ),
        "traderates_get.json": _dump(
            _envelope("traderates_get_response", ("trade_rates", "trade_rate"), rates)
        ),
        f"tracking/{stuck['tid']}-stuck-at-collected.json": _dump(_stuck_at_collected(stuck)),
        "malicious/4031000000000000001-promo-phone-cases.json": _dump(_malicious_order()),
        # the shop itself, for the board's messages (aftersales board finds it here)
        "shop.toml": SHOP_TOML,
        "example.toml": EXAMPLE_TOML,
    }


def main(out: Path = HERE) -> list[Path]:
    written = []
    for name, text in files().items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(path)
