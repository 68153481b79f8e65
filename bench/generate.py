"""A deterministic synthetic sales team for benchmarks and cross-checks (bulk inserts, fast).

`generate_dataset(engine, customers=100_000)` fills an already migrated database with one team
(an admin, 3 managers, `reps` reps under them) and customers with two years of history:
interactions, orders with margins and payments, deals with their full StageChange history
through the default pipeline, complaints with response/resolution times, CSAT/NPS ratings and
follow-ups. Rows go in with SQLAlchemy Core `insert()` executemany, a block of customers per
transaction, with explicit ids (PostgreSQL sequences are moved past them at the end).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.engine import Connection, Engine

from crm_store.clock import utcnow
from crm_store.contacts.normalize import company_key
from crm_store.contacts.search_keys import name_keys
from crm_store.models import (
    Company,
    Contact,
    Deal,
    DealStatus,
    Feedback,
    FeedbackKind,
    Interaction,
    InteractionKind,
    Member,
    Order,
    Payment,
    Role,
    StageChange,
    Task,
    TaskStatus,
    Team,
)

CHUNK_ROWS = 5_000  # rows per executemany
BLOCK_CUSTOMERS = 2_000  # customers per transaction
HISTORY = timedelta(days=729)  # every dated event falls within the last two years
DAY = 86_400.0

# Surnames in rough order of frequency, with weights (王李张刘陈 are ~30% of the population).
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曾彭萧蔡潘田董袁于余叶蒋"
            "杜苏魏程吕丁沈任姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史"
            "龙陶贺顾毛郝龚邵万钱严赖覃洪武莫孔单解区仇朴查")
SURNAME_WEIGHTS = [max(1.0, 7.5 / (1 + i * 0.35)) for i in range(len(SURNAMES))]
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官")
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志东晓永天良文斌"
         "婷雪琳慧颖佳欣怡宇浩然博文轩梓涵子豪俊峰海燕凤春梅云飞鑫淑珍金亮成晨思雨嘉琪")
FIRST = ("John Jane James Mary Robert Patricia Michael Linda William Elizabeth David Barbara "
         "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa "
         "Emily Oliver Sophie Henry Grace Lucas Chloe Ethan Amelia Noah Olivia Liam Emma").split()
LAST = ("Smith Johnson Williams Brown Jones Garcia Miller Davis Wilson Anderson Taylor Moore "
        "Jackson Martin Lee Thompson White Harris Clark Lewis Walker Hall Young King Wright "
        "Green Baker Adams Nelson Carter Mitchell Roberts Turner Phillips Campbell Parker").split()
# city, region, latitude, longitude, weight for Chinese names, weight for English names
CITIES = (
    ("上海", "华东", 31.23, 121.47, 18, 4), ("北京", "华北", 39.90, 116.40, 14, 3),
    ("深圳", "华南", 22.54, 114.06, 12, 2), ("杭州", "华东", 30.27, 120.15, 9, 1),
    ("广州", "华南", 23.13, 113.26, 10, 1), ("成都", "西南", 30.57, 104.07, 7, 0),
    ("南京", "华东", 32.06, 118.80, 6, 0), ("武汉", "华中", 30.59, 114.31, 6, 0),
    ("苏州", "华东", 31.30, 120.59, 5, 0), ("重庆", "西南", 29.56, 106.55, 4, 0),
    ("西安", "西北", 34.34, 108.94, 4, 0), ("天津", "华北", 39.34, 117.36, 3, 0),
    ("London", "UK", 51.51, -0.13, 1, 14), ("New York", "US", 40.71, -74.01, 1, 12),
    ("Singapore", "SG", 1.35, 103.82, 1, 6), ("Hong Kong", "HK", 22.32, 114.17, 2, 5),
    ("San Francisco", "US", 37.77, -122.42, 0, 5),
)
INDUSTRIES = ("机械制造", "电子", "化工", "食品饮料", "纺织服装", "物流", "医疗器械", "建材",
              "汽车配件", "零售", "Software", "Logistics", "Retail", "Manufacturing")
CN_PLACES = ("上海 北京 深圳 杭州 广州 成都 南京 武汉 苏州 "
             "华东 华南 中原 东方 江南 长江 西部").split()
CN_BRANDS = ("华瑞 瑞达 星河 宏远 金诚 恒信 天成 鑫源 中科 汇通 永达 盛世 博远 新纪元 联创 "
             "锦程 鼎盛 嘉禾 安泰 华美 宏图 振华 海纳 聚丰 广源 启明 卓越 佳和 万通 荣昌 "
             "隆基 信达 东升 长城 鸿运 明德 同心 福泰 凯旋 力拓").split()
CN_TRADES = "机械 电子 科技 贸易 食品 包装 化工 物流 医疗 建材 纺织 汽配".split()
CN_SUFFIXES = ("有限公司", "股份有限公司", "集团")
EN_HEADS = ("Acme Northwind Pacific Globex Blue-River Summit Evergreen Silverline Redwood "
            "Harbor Atlas Pioneer Crescent Maple Granite Horizon").split()
EN_TRADES = "Foods Traders Logistics Systems Industries Electronics Packaging Supplies".split()
EN_SUFFIXES = ("Ltd", "Inc", "LLC", "Group", "GmbH", "Co")
TAGS = ("VIP", "经销商", "老客户", "展会", "distributor", "OEM", "key account", "价格敏感", "海外")
SOURCES = ("referral", "exhibition", "website", "cold call", "wechat", "partner")
TITLES = ("采购经理", "总经理", "技术总监", "Purchasing Manager", "CEO", "Operations Director")
KINDS = (
    (InteractionKind.CALL, 35), (InteractionKind.MESSAGE, 25), (InteractionKind.EMAIL, 15),
    (InteractionKind.VISIT, 10), (InteractionKind.MEETING, 8), (InteractionKind.NOTE, 7),
)
NOTES_ZH = ("电话沟通报价", "拜访客户工厂", "发送产品目录", "确认交期", "跟进付款", "讨论合同条款",
            "产品演示，对方很感兴趣", "微信沟通需求", "老客户回访，询问新品", "寄送样品")
NOTES_EN = ("Call about the quote", "Sent the price list", "Site visit",
            "Discussed contract terms", "Followed up on payment", "Demo of the new line",
            "Checked delivery dates")
DEAL_TITLES_ZH = ("设备采购", "年度供货合同", "新品试单", "包装材料框架协议", "生产线升级",
                  "备件采购")
DEAL_TITLES_EN = ("Annual supply contract", "Pilot order", "Equipment upgrade",
                  "Framework agreement", "Spare parts")
LOST_REASONS = ("价格太高", "选择了竞争对手", "预算取消", "项目延期", "Price too high",
                "Chose a competitor", "No budget")
COMPLAINTS = ("交货延迟", "产品质量问题", "发票错误", "售后响应慢", "Late delivery",
              "Quality issue", "Wrong invoice", "Slow support")
TASKS = ("回电确认报价", "发送合同", "跟进付款", "Send the quote", "Call back about samples")
MANAGERS = (("王强", "zh-CN"), ("Emma Davis", "en"), ("刘洋", "zh-CN"))
OPEN_STAGES = ("lead", "qualified", "proposal", "negotiation")
PROBABILITY = {"lead": 10, "qualified": 20, "proposal": 50, "negotiation": 80}
# At each open stage: chance to move on, to be lost; the rest stay stuck there.
STAGE_ODDS = {"lead": (0.62, 0.23), "qualified": (0.66, 0.2), "proposal": (0.6, 0.24),
              "negotiation": (0.66, 0.2)}
TABLE_ORDER = (Company, Contact, Deal, StageChange, Interaction, Order, Payment,
               Feedback, Task)


@dataclass(frozen=True)
class DatasetInfo:
    """What generate_dataset inserted: the team, its members and how many rows of each kind."""

    team_id: int
    admin_id: int
    manager_ids: list[int]
    rep_ids: list[int]
    admin_telegram_id: int
    manager_telegram_ids: list[int]
    rep_telegram_ids: list[int]
    now: datetime
    customers: int
    companies: int
    interactions: int
    orders: int
    payments: int
    deals: int
    stage_changes: int
    complaints: int
    ratings: int
    tasks: int
    seconds: float
    first_contact_id: int = 0

    def counts(self) -> dict[str, int]:
        """Row counts by kind."""
        keys = ("customers", "companies", "interactions", "orders", "payments", "deals",
                "stage_changes", "complaints", "ratings", "tasks")
        data = asdict(self)
        return {key: data[key] for key in keys}


@dataclass
class _Rows:
    """Rows waiting to be inserted, per table, plus the next id of each table."""

    next_id: dict[str, int]
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)

    def add(self, table: Table, row: dict[str, Any]) -> int:
        """Queue a row with the table's next id and return that id."""
        row_id = self.next_id[table.name]
        self.next_id[table.name] = row_id + 1
        row["id"] = row_id
        self.rows.setdefault(table.name, []).append(row)
        self.totals[table.name] = self.totals.get(table.name, 0) + 1
        return row_id

    def flush(self, conn: Connection) -> None:
        """Insert everything queued, parents before children, in executemany chunks."""
        for model in TABLE_ORDER:
            table = _table(model)
            rows = self.rows.pop(table.name, [])
            for start in range(0, len(rows), CHUNK_ROWS):
                conn.execute(insert(table), rows[start:start + CHUNK_ROWS])


def _table(model: Any) -> Table:
    return model.__table__  # type: ignore[no-any-return]


def _geometric(rng: random.Random, mean: float) -> int:
    """A count >= 0 with the given mean (geometric distribution)."""
    if mean <= 0:
        return 0
    keep_going = mean / (1 + mean)
    count = 0
    while rng.random() < keep_going:
        count += 1
    return count


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _yuan(value: float) -> int:
    """Minor units of an amount rounded to 10 yuan (at least 10)."""
    return max(10, int(round(value / 10)) * 10) * 100


class _Generator:
    """Draws one customer after another from a single random.Random(seed)."""

    def __init__(self, rng: random.Random, now: datetime, team_id: int, reps: list[int],
                 companies: list[tuple[int, str | None]], rows: _Rows, params: dict[str, float]):
        self.rng, self.now, self.team_id, self.rows, self.p = rng, now, team_id, rows, params
        self.reps = reps
        self.rep_weights = [rng.uniform(0.5, 1.5) for _ in reps]
        self.companies = companies
        self.start = now - HISTORY
        self.complaints = self.ratings = 0
        buyer_share = min(0.7, params["orders"]) if params["orders"] > 0 else 0.0
        self.buyer_share = buyer_share
        self.orders_per_buyer = params["orders"] / buyer_share if buyer_share else 0.0

    # -- helpers ---------------------------------------------------------------------------
    def _between(self, low: datetime, high: datetime) -> datetime:
        span = max((high - low).total_seconds(), 0.0)
        return low + timedelta(seconds=self.rng.random() * span)

    def _person(self) -> tuple[str, bool]:
        rng = self.rng
        if rng.random() < 0.75:
            if rng.random() < 0.01:
                surname = rng.choice(COMPOUND_SURNAMES)
            else:
                surname = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
            given = "".join(rng.choice(GIVEN) for _ in range(1 if rng.random() < 0.3 else 2))
            return surname + given, True
        return f"{rng.choice(FIRST)} {rng.choice(LAST)}", False

    def _phone(self, city_region: str) -> str:
        rng = self.rng
        if city_region == "UK":
            return f"+44207946{rng.randrange(10_000):04d}"
        if city_region == "US":
            return f"+1{rng.choice(('212', '415', '646'))}555{rng.randrange(100, 200):03d}" \
                   f"{rng.randrange(10)}"
        if city_region == "SG":
            return f"+658{rng.randrange(10_000_000):07d}"
        if city_region == "HK":
            return f"+8529{rng.randrange(10_000_000):07d}"
        return f"+861{rng.choice('3456789')}{rng.randrange(10**9):09d}"

    # -- one customer ----------------------------------------------------------------------
    def customer(self) -> None:
        """Queue one customer with all of their history."""
        rng, now = self.rng, self.now
        name, chinese = self._person()
        city, region, lat, lon, *_ = rng.choices(
            CITIES, weights=[c[4] if chinese else c[5] for c in CITIES])[0]
        company_id, industry = (rng.choice(self.companies) if self.companies
                                and rng.random() < 0.75 else (None, None))
        owner = rng.choices(self.reps, weights=self.rep_weights)[0]
        orders_at, churned = self._order_times()
        if orders_at:
            created = orders_at[0] - timedelta(days=rng.uniform(1, 120))
        else:
            created = now - timedelta(days=730 * rng.random() ** 1.5 + 0.5)
        full, initials = name_keys(name)
        contact = {
            "team_id": self.team_id, "owner_id": owner, "company_id": company_id, "name": name,
            "pinyin_full": full, "pinyin_initials": initials, "phone": self._phone(region),
            "email": (f"{full[:30]}{self.rows.next_id['contact']}@example.com"
                      if rng.random() < 0.5 else None),
            "title": rng.choice(TITLES) if rng.random() < 0.6 else None,
            "city": city, "region": region,
            "industry": industry or (rng.choice(INDUSTRIES) if rng.random() < 0.5 else None),
            "birthday": (date(rng.randrange(1960, 2000), rng.randrange(1, 13),
                              rng.randrange(1, 29)) if rng.random() < 0.3 else None),
            "birthday_lunar": chinese and rng.random() < 0.1,
            "tags": rng.sample(TAGS, _geometric(rng, 0.6) % 4),
            "source": rng.choice(SOURCES), "telegram_user_id": None,
            "lifecycle_stage": ("prospect" if not orders_at else
                                "lost" if now - orders_at[-1] > timedelta(days=365) else
                                "active"),
            "created_at": created, "updated_at": created, "deleted_at": None,
        }
        contact_id = self.rows.add(_table(Contact), contact)
        won_orders = self._deals(contact_id, owner, created, chinese)
        scale = math.exp(rng.gauss(math.log(15_000), 1.1))
        for at in orders_at:
            self._order(contact_id, owner, at, _yuan(scale * rng.uniform(0.6, 1.4)), None)
        for at, amount, deal_id in won_orders:
            self._order(contact_id, owner, at, amount, deal_id)
        end = (orders_at[-1] + timedelta(days=rng.uniform(0, 60))) if churned else now
        contact["last_contacted_at"] = self._interactions(
            contact_id, owner, max(created, self.start), min(end, now), chinese, lat, lon,
            weight=0.6 if not orders_at else 0.9 if churned else 1.3)
        self._feedback(contact_id, owner, max(created, self.start))
        self._tasks(contact_id, owner)

    def _order_times(self) -> tuple[list[datetime], bool]:
        rng, now = self.rng, self.now
        if rng.random() >= self.buyer_share:
            return [], False
        extra = max(self.orders_per_buyer - 1, 0.0)
        count = 1 + (round(rng.expovariate(1 / extra)) if extra > 0 else 0)
        gap = min(max(math.exp(rng.gauss(math.log(45), 0.6)), 7.0), 365.0)
        if count > 1:
            gap = min(gap, 600 / (count - 1))
        churned = rng.random() < 0.25
        span = gap * (count - 1) * 1.25
        if churned:
            since_last = rng.uniform(max(3 * gap, 60), max(3 * gap, 60) + 300)
        else:
            since_last = rng.uniform(0, gap * 1.2)
        since_last = min(since_last, max(HISTORY.days - span, 0.0))
        last = now - timedelta(days=since_last)
        times = [last - timedelta(days=j * gap * rng.uniform(0.75, 1.25)) for j in range(count)]
        return sorted(max(t, self.start + timedelta(hours=1)) for t in times), churned

    def _order(self, contact_id: int, owner: int, at: datetime, amount: int,
               deal_id: int | None) -> None:
        rng, now = self.rng, self.now
        age_days = (now - at).total_seconds() / DAY
        roll = rng.random()
        if age_days > 60:
            status = "paid" if roll < 0.9 else "open" if roll < 0.97 else "cancelled"
        else:
            status = "paid" if roll < 0.5 else "open" if roll < 0.95 else "cancelled"
        margin = int(amount * rng.uniform(0.08, 0.45)) if rng.random() < 0.85 else None
        row = {"team_id": self.team_id, "owner_id": owner, "contact_id": contact_id,
               "deal_id": deal_id, "amount_minor": amount, "margin_minor": margin,
               "paid_minor": 0, "currency": "CNY", "status": status, "note": "",
               "ordered_at": at, "created_at": at, "deleted_at": None}
        order_id = self.rows.add(_table(Order), row)
        if status == "paid":
            parts = [amount] if rng.random() < 0.7 else [amount // 2, amount - amount // 2]
        elif status == "open" and rng.random() < 0.6:
            parts = [amount * rng.randrange(3, 8) // 10]
        else:
            parts = []
        paid_at = at
        for part in parts:
            paid_at = min(paid_at + timedelta(days=rng.uniform(1, 30)), now)
            self.rows.add(_table(Payment), {"team_id": self.team_id, "order_id": order_id,
                                             "member_id": owner, "amount_minor": part,
                                             "paid_at": paid_at})
        row["paid_minor"] = sum(parts)

    def _deals(self, contact_id: int, owner: int, created: datetime, chinese: bool
               ) -> list[tuple[datetime, int, int]]:
        """Queue the customer's deals with their stage history; return won ones to invoice."""
        rng, now = self.rng, self.now
        won: list[tuple[datetime, int, int]] = []
        for _ in range(_geometric(rng, self.p["deals"])):
            opened = self._between(max(created, self.start), now)
            amount = _yuan(math.exp(rng.gauss(math.log(40_000), 1.0)))
            title = rng.choice(DEAL_TITLES_ZH if chinese else DEAL_TITLES_EN)
            moves: list[tuple[str | None, str, datetime]] = [(None, "lead", opened)]
            stage, at, status = "lead", opened, DealStatus.OPEN
            while status == DealStatus.OPEN:
                advance, lose = STAGE_ODDS[stage]
                roll = rng.random()
                if roll >= advance + lose:
                    break  # stuck in this stage
                step = at + timedelta(days=rng.expovariate(1 / 12) + 0.05)
                if step > now:
                    break  # still being worked
                if roll < advance:
                    position = OPEN_STAGES.index(stage)
                    if position == len(OPEN_STAGES) - 1:
                        target, status = "won", DealStatus.WON
                    elif position < 2 and rng.random() < 0.05:
                        target = OPEN_STAGES[position + 2]  # skipped a stage
                    else:
                        target = OPEN_STAGES[position + 1]
                else:
                    target, status = "lost", DealStatus.LOST
                moves.append((stage, target, step))
                stage, at = target, step
            deal = {
                "team_id": self.team_id, "owner_id": owner, "contact_id": contact_id,
                "title": title, "amount_minor": amount, "currency": "CNY", "stage": stage,
                "probability": {"won": 100, "lost": 0}.get(stage, PROBABILITY.get(stage, 10)),
                "status": status,
                "expected_close": (opened + timedelta(days=rng.uniform(20, 120))).date(),
                "lost_reason": rng.choice(LOST_REASONS) if status == DealStatus.LOST else None,
                "stage_entered_at": at, "last_activity_at": at,
                "closed_at": at if status != DealStatus.OPEN else None,
                "created_at": opened, "updated_at": at, "deleted_at": None,
            }
            deal_id = self.rows.add(_table(Deal), deal)
            for from_stage, to_stage, moved_at in moves:
                self.rows.add(_table(StageChange), {
                    "team_id": self.team_id, "deal_id": deal_id, "from_stage": from_stage,
                    "to_stage": to_stage, "member_id": owner, "at": moved_at})
            if status == DealStatus.WON:
                invoiced = at + timedelta(days=rng.uniform(0, 5))
                if invoiced <= now:
                    won.append((invoiced, amount, deal_id))
        return won

    def _interactions(self, contact_id: int, owner: int, low: datetime, high: datetime,
                      chinese: bool, lat: float, lon: float, weight: float) -> datetime | None:
        rng = self.rng
        count = round(self.p["interactions"] * weight / 1.02 * rng.uniform(0.5, 1.5))
        if high <= low:
            return None
        notes = NOTES_ZH if chinese else NOTES_EN
        table = _table(Interaction)
        latest: datetime | None = None
        for _ in range(count):
            at = self._between(low, high)
            kind = _weighted(rng, KINDS)
            visit = kind == InteractionKind.VISIT
            self.rows.add(table, {
                "team_id": self.team_id, "contact_id": contact_id,
                "member_id": owner if rng.random() < 0.92 else rng.choice(self.reps),
                "kind": kind, "direction": "in" if rng.random() < 0.2 else "out",
                "text": rng.choice(notes),
                "latitude": lat + rng.uniform(-0.05, 0.05) if visit else None,
                "longitude": lon + rng.uniform(-0.05, 0.05) if visit else None,
                "amount_minor": None, "occurred_at": at, "deleted_at": None})
            latest = at if latest is None or at > latest else latest
        return latest

    def _feedback(self, contact_id: int, owner: int, low: datetime) -> None:
        rng, now = self.rng, self.now
        table = _table(Feedback)
        base = {"team_id": self.team_id, "contact_id": contact_id, "owner_id": owner,
                "member_id": owner, "severity": None, "status": "open", "csat": None,
                "nps": None, "first_response_at": None, "resolved_at": None,
                "resolution": None}
        for _ in range(_geometric(rng, self.p["complaints"])):
            created = self._between(low, now)
            row = {**base, "kind": FeedbackKind.COMPLAINT, "text": rng.choice(COMPLAINTS),
                   "severity": rng.choice(("low", "medium", "medium", "high", "critical")),
                   "created_at": created}
            answered = created + timedelta(hours=math.exp(rng.gauss(math.log(4), 1.0)))
            if answered <= now and rng.random() < 0.93:
                row["first_response_at"] = answered
                resolved = answered + timedelta(hours=math.exp(rng.gauss(math.log(40), 0.9)))
                if resolved <= now and rng.random() < 0.9:
                    row.update(status="resolved", resolved_at=resolved,
                               resolution="已更换 / replaced")
            self.rows.add(table, row)
            self.complaints += 1
        for _ in range(_geometric(rng, self.p["ratings"] * 0.6)):
            csat = _weighted(rng, ((5, 40), (4, 30), (3, 15), (2, 8), (1, 7)))
            self.rows.add(table, {**base, "kind": FeedbackKind.RATING, "text": "",
                                  "status": "resolved", "csat": csat,
                                  "created_at": self._between(low, now)})
            self.ratings += 1
        for _ in range(_geometric(rng, self.p["ratings"] * 0.4)):
            nps = _weighted(rng, ((10, 25), (9, 20), (8, 16), (7, 14), (6, 8), (5, 6), (4, 4),
                                  (3, 3), (2, 2), (1, 1), (0, 1)))
            self.rows.add(table, {**base, "kind": FeedbackKind.RATING, "text": "",
                                  "status": "resolved", "nps": nps,
                                  "created_at": self._between(low, now)})
            self.ratings += 1

    def _tasks(self, contact_id: int, owner: int) -> None:
        rng, now = self.rng, self.now
        for _ in range(_geometric(rng, self.p["tasks"])):
            due = now + timedelta(days=rng.uniform(-60, 30))
            status, done_at = TaskStatus.OPEN, None
            if due < now:
                roll = rng.random()
                if roll < 0.72:
                    status = TaskStatus.DONE
                    done_at = min(due + timedelta(days=rng.uniform(-2, 3)), now)
                elif roll < 0.75:
                    status = TaskStatus.CANCELLED
            self.rows.add(_table(Task), {
                "team_id": self.team_id, "owner_id": owner, "contact_id": contact_id,
                "deal_id": None, "text": rng.choice(TASKS), "due_at": due,
                "status": status, "done_at": done_at,
                "created_at": due - timedelta(days=rng.uniform(1, 14))})


def _next_ids(conn: Connection) -> dict[str, int]:
    return {_table(m).name: (conn.execute(select(func.max(_table(m).c.id))).scalar() or 0) + 1
            for m in (Team, Member, *TABLE_ORDER)}


def _companies(rng: random.Random, count: int) -> Iterator[tuple[str, str]]:
    """Distinct (name, industry) pairs, mostly Chinese."""
    seen: set[str] = set()
    attempts = 0
    while len(seen) < count and attempts < count * 20:
        attempts += 1
        if rng.random() < 0.85:
            trade = rng.choice(CN_TRADES)
            name = (rng.choice(CN_PLACES) + rng.choice(CN_BRANDS) + trade
                    + rng.choice(CN_SUFFIXES))
            industry = {"机械": "机械制造", "电子": "电子", "化工": "化工", "食品": "食品饮料",
                        "纺织": "纺织服装", "物流": "物流", "医疗": "医疗器械",
                        "建材": "建材", "汽配": "汽车配件"}.get(trade, rng.choice(INDUSTRIES))
        else:
            trade = rng.choice(EN_TRADES)
            name = f"{rng.choice(EN_HEADS)} {trade} {rng.choice(EN_SUFFIXES)}".replace("-", " ")
            industry = {"Logistics": "Logistics", "Foods": "食品饮料"}.get(trade, "Manufacturing")
        key = company_key(name)
        if key in seen:
            continue
        seen.add(key)
        yield name, industry


def _members(conn: Connection, rng: random.Random, now: datetime, reps: int,
             admin_telegram_id: int, ids: dict[str, int]) -> tuple[int, int, list[int], list[int]]:
    """Find or create the admin (and team); add managers and reps. Return their ids."""
    member_t, team_t = _table(Member), _table(Team)
    found = conn.execute(select(member_t.c.id, member_t.c.team_id, member_t.c.role)
                         .where(member_t.c.telegram_user_id == admin_telegram_id)).first()
    joined = now - timedelta(days=800)
    base = {"username": None, "timezone": "Asia/Shanghai", "work_start": 9, "work_end": 18,
            "out_of_office_until": None, "digest_hour": None, "active": True,
            "created_at": joined}
    if found is not None:
        if found.role != Role.ADMIN:
            raise ValueError(f"telegram user {admin_telegram_id} exists and is not an admin")
        admin_id, team_id = found.id, found.team_id
    else:
        team_id = ids["team"]
        conn.execute(insert(team_t), [{"id": team_id, "name": "Sales", "currency": "CNY",
                                        "settings": {}, "created_at": joined}])
        admin_id = ids["member"]
        conn.execute(insert(member_t), [{**base, "id": admin_id, "team_id": team_id,
                                          "telegram_user_id": admin_telegram_id,
                                          "display_name": "Ada Admin", "role": Role.ADMIN,
                                          "manager_id": None, "language": "en"}])
    next_member = max(ids["member"], admin_id + 1)
    managers = [next_member + i for i in range(len(MANAGERS))]
    conn.execute(insert(member_t), [
        {**base, "id": mid, "team_id": team_id, "telegram_user_id": admin_telegram_id + 100 + i,
         "display_name": name, "role": Role.MANAGER, "manager_id": None, "language": language,
         "digest_hour": 18}
        for i, (mid, (name, language)) in enumerate(zip(managers, MANAGERS, strict=True))])
    rep_ids = [managers[-1] + 1 + i for i in range(reps)]
    rep_rows = []
    for i, rid in enumerate(rep_ids):
        chinese = rng.random() < 0.8
        if chinese:
            name = rng.choice(SURNAMES[:30]) + "".join(rng.choice(GIVEN) for _ in range(2))
        else:
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        rep_rows.append({**base, "id": rid, "team_id": team_id,
                         "telegram_user_id": admin_telegram_id + 200 + i, "display_name": name,
                         "role": Role.REP, "manager_id": managers[i % len(managers)],
                         "language": "zh-CN" if chinese else "en"})
    if rep_rows:
        conn.execute(insert(member_t), rep_rows)
    return team_id, admin_id, managers, rep_ids


def _move_sequences(conn: Connection) -> None:
    """After explicit ids, let PostgreSQL's serial sequences continue past them."""
    if conn.dialect.name != "postgresql":
        return
    for model in (Team, Member, *TABLE_ORDER):
        name = _table(model).name
        conn.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM \"{name}\"), false)"))


def _analyze(engine: Engine) -> None:
    """Give PostgreSQL the statistics autovacuum would gather after a bulk load.

    SQLite is left alone: the app never runs ANALYZE there, so neither does the benchmark.
    """
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as conn:
        for model in (Member, *TABLE_ORDER):
            conn.execute(text(f'ANALYZE "{_table(model).name}"'))
        conn.commit()


def generate_dataset(
    engine: Engine, *, customers: int, seed: int = 7, interactions_per_customer: float = 10,
    orders_per_customer: float = 2, deals_per_customer: float = 0.3,
    complaints_per_customer: float = 0.03, ratings_per_customer: float = 0.1,
    tasks_per_customer: float = 0.2, reps: int = 20, now: datetime | None = None,
    admin_telegram_id: int = 1001, progress: bool = False,
) -> DatasetInfo:
    """Fill a migrated database with one synthetic team and its customers' two-year history."""
    if customers < 0 or reps < 1:
        raise ValueError("customers must be >= 0 and reps >= 1")
    started = time.perf_counter()
    now = (now or utcnow()).astimezone(UTC)
    rng = random.Random(seed)
    params = {"interactions": interactions_per_customer, "orders": orders_per_customer,
              "deals": deals_per_customer, "complaints": complaints_per_customer,
              "ratings": ratings_per_customer, "tasks": tasks_per_customer}
    with engine.begin() as conn:
        ids = _next_ids(conn)
        team_id, admin_id, managers, rep_ids = _members(conn, rng, now, reps,
                                                        admin_telegram_id, ids)
        rows = _Rows(next_id=ids)
        company_list: list[tuple[int, str | None]] = []
        for name, industry in _companies(rng, max(customers // 4, 1) if customers else 0):
            company_id = rows.add(_table(Company), {
                "team_id": team_id, "name": name, "name_key": company_key(name),
                "industry": industry,
                "industry_position": rng.randrange(1, 6) if rng.random() < 0.6 else None,
                "created_at": now - HISTORY - timedelta(days=30)})
            company_list.append((company_id, industry))
        rows.flush(conn)
    first_contact_id = rows.next_id["contact"]
    generator = _Generator(rng, now, team_id, rep_ids, company_list, rows, params)
    for block_start in range(0, customers, BLOCK_CUSTOMERS):
        for _ in range(min(BLOCK_CUSTOMERS, customers - block_start)):
            generator.customer()
        with engine.begin() as conn:
            rows.flush(conn)
        if progress:
            done = min(block_start + BLOCK_CUSTOMERS, customers)
            print(f"  {done:,} customers, {rows.totals.get('interaction', 0):,} interactions "
                  f"({time.perf_counter() - started:.1f}s)", flush=True)
    with engine.begin() as conn:
        _move_sequences(conn)
    if customers >= 1_000:
        _analyze(engine)
    totals = rows.totals
    return DatasetInfo(
        team_id=team_id, admin_id=admin_id, manager_ids=managers, rep_ids=rep_ids,
        admin_telegram_id=admin_telegram_id,
        manager_telegram_ids=[admin_telegram_id + 100 + i for i in range(len(managers))],
        rep_telegram_ids=[admin_telegram_id + 200 + i for i in range(len(rep_ids))], now=now,
        customers=totals.get("contact", 0), companies=totals.get("company", 0),
        interactions=totals.get("interaction", 0), orders=totals.get("sales_order", 0),
        payments=totals.get("payment", 0), deals=totals.get("deal", 0),
        stage_changes=totals.get("stagechange", 0),
        complaints=generator.complaints, ratings=generator.ratings,
        tasks=totals.get("task", 0), seconds=time.perf_counter() - started,
        first_contact_id=first_contact_id,
    )

