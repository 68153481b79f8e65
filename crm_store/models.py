"""SQLModel tables: one family per entity; money in minor units, times in UTC."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, UniqueConstraint
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from crm_store.clock import utcnow


def enum_column(enum: type[StrEnum]) -> Column[str]:
    """Store an enum as its lowercase value in a VARCHAR, readable from plain SQL."""
    return Column(
        SAEnum(enum, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        nullable=False,
    )


class Role(StrEnum):
    """What a member may see and do."""

    REP = "rep"
    MANAGER = "manager"
    ADMIN = "admin"


class InteractionKind(StrEnum):
    """How a rep was in touch with a customer."""

    CALL = "call"
    VISIT = "visit"
    MEETING = "meeting"
    MESSAGE = "message"
    EMAIL = "email"
    NOTE = "note"


class DealStatus(StrEnum):
    """Whether a deal is still being worked."""

    OPEN = "open"
    WON = "won"
    LOST = "lost"


class TaskStatus(StrEnum):
    """Where a follow-up stands."""

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class FeedbackKind(StrEnum):
    """What a customer told us."""

    COMPLAINT = "complaint"
    PRAISE = "praise"
    SUGGESTION = "suggestion"
    QUESTION = "question"
    RATING = "rating"  # a CSAT or NPS score on its own


class Team(SQLModel, table=True):
    """A sales team: the unit of data ownership."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    currency: str = Field(default="CNY", max_length=3)
    # Reminder rules (SLA hours, churn multiple, care holidays…); defaults live in
    # crm_store.messaging.reminder_rules, so an empty dict means "the defaults".
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class Member(SQLModel, table=True):
    """A Telegram user who works in a team."""

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    telegram_user_id: int = Field(sa_column=Column(BigInteger, unique=True, nullable=False))
    display_name: str = Field(max_length=120)
    username: str | None = Field(default=None, max_length=64)
    role: Role = Field(default=Role.REP, sa_column=enum_column(Role))
    manager_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    language: str = Field(default="en", max_length=8)
    timezone: str = Field(default="Asia/Shanghai", max_length=64)
    work_start: int = Field(default=9)
    work_end: int = Field(default=18)
    out_of_office_until: datetime | None = None
    digest_hour: int | None = Field(default=None, ge=0, le=23)  # managers' daily digest
    active: bool = Field(default=True)
    # Admin because ADMIN_TELEGRAM_IDS lists them (not by invite): leaving the list demotes.
    listed_admin: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)


class Invite(SQLModel, table=True):
    """A single-use, expiring token that lets a new member join a team."""

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(unique=True, max_length=64)
    team_id: int = Field(foreign_key="team.id")
    role: Role = Field(sa_column=enum_column(Role))
    created_by_id: int | None = Field(default=None, foreign_key="member.id")
    manager_id: int | None = Field(default=None, foreign_key="member.id")
    expires_at: datetime
    used_by_id: int | None = Field(default=None, foreign_key="member.id")
    used_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Company(SQLModel, table=True):
    """A customer organisation."""

    __table_args__ = (UniqueConstraint("team_id", "name_key"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    name: str = Field(max_length=200)
    name_key: str = Field(max_length=200)
    industry: str | None = Field(default=None, max_length=80)
    # Team-entered standing in its industry, 1 (minor) to 5 (leader): future-value input.
    industry_position: int | None = Field(default=None, ge=1, le=5)
    created_at: datetime = Field(default_factory=utcnow)


class Contact(SQLModel, table=True):
    """A person the team sells to, with precomputed search keys."""

    __table_args__ = (
        Index("ix_contact_team_owner", "team_id", "owner_id"),
        Index("ix_contact_team_phone", "team_id", "phone"),
        Index("ix_contact_team_email", "team_id", "email"),
        Index("ix_contact_team_created", "team_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    owner_id: int = Field(foreign_key="member.id")
    company_id: int | None = Field(default=None, foreign_key="company.id", index=True)
    name: str = Field(max_length=120)
    pinyin_full: str = Field(default="", max_length=400)
    pinyin_initials: str = Field(default="", max_length=120)
    phone: str | None = Field(default=None, max_length=20)
    email: str | None = Field(default=None, max_length=254)
    title: str | None = Field(default=None, max_length=80)
    city: str | None = Field(default=None, max_length=80)
    region: str | None = Field(default=None, max_length=80)
    industry: str | None = Field(default=None, max_length=80)
    birthday: date | None = None
    birthday_lunar: bool = Field(default=False)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    source: str | None = Field(default=None, max_length=40)
    lifecycle_stage: str = Field(default="prospect", max_length=20)
    telegram_user_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    last_contacted_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    deleted_at: datetime | None = None


class Interaction(SQLModel, table=True):
    """One touch with a contact: a call, visit, meeting, message, email or note."""

    __table_args__ = (
        Index("ix_interaction_contact_at", "contact_id", "occurred_at"),
        # Covering: the period counts (digest, /team, /report) never visit the table.
        Index("ix_interaction_team_at", "team_id", "occurred_at", "member_id", "kind",
              "contact_id", "deleted_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    contact_id: int = Field(foreign_key="contact.id")
    member_id: int = Field(foreign_key="member.id", index=True)
    kind: InteractionKind = Field(sa_column=enum_column(InteractionKind))
    direction: str = Field(default="out", max_length=8)
    text: str = Field(default="", max_length=4000)
    latitude: float | None = None
    longitude: float | None = None
    amount_minor: int | None = Field(default=None, sa_column=Column(BigInteger))
    occurred_at: datetime = Field(default_factory=utcnow)
    deleted_at: datetime | None = None


class PipelineStage(SQLModel, table=True):
    """One stage of a team's sales pipeline (teams without rows use the default pipeline)."""

    __table_args__ = (UniqueConstraint("team_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    key: str = Field(max_length=30)
    position: int
    probability: int = Field(ge=0, le=100)
    stale_days: int = Field(default=14)


class Deal(SQLModel, table=True):
    """A deal: what we hope to sell to a contact, for how much, and where it stands."""

    __table_args__ = (Index("ix_deal_team_owner_status", "team_id", "owner_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    owner_id: int = Field(foreign_key="member.id")
    contact_id: int = Field(foreign_key="contact.id", index=True)
    title: str = Field(max_length=200)
    amount_minor: int = Field(sa_column=Column(BigInteger, nullable=False))
    currency: str = Field(default="CNY", max_length=3)
    stage: str = Field(max_length=30)
    probability: int = Field(default=10)
    status: DealStatus = Field(default=DealStatus.OPEN, sa_column=enum_column(DealStatus))
    expected_close: date | None = None
    lost_reason: str | None = Field(default=None, max_length=300)
    stage_entered_at: datetime = Field(default_factory=utcnow)
    last_activity_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    deleted_at: datetime | None = None


class StageChange(SQLModel, table=True):
    """Every move of a deal between stages, with who and when (funnel history)."""

    __table_args__ = (Index("ix_stagechange_team_at", "team_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    deal_id: int = Field(foreign_key="deal.id", index=True)
    from_stage: str | None = Field(default=None, max_length=30)
    to_stage: str = Field(max_length=30)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    at: datetime = Field(default_factory=utcnow)


class Task(SQLModel, table=True):
    """A follow-up: something a rep promised to do for a contact by a time."""

    __table_args__ = (Index("ix_task_owner_status_due", "owner_id", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    owner_id: int = Field(foreign_key="member.id")
    contact_id: int | None = Field(default=None, foreign_key="contact.id", index=True)
    deal_id: int | None = Field(default=None, foreign_key="deal.id")
    text: str = Field(default="", max_length=1000)
    due_at: datetime
    status: TaskStatus = Field(default=TaskStatus.OPEN, sa_column=enum_column(TaskStatus))
    done_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Order(SQLModel, table=True):
    """A purchase by a contact; payments settle it."""

    __tablename__ = "sales_order"  # "order" is a reserved word in SQL
    __table_args__ = (
        Index("ix_order_team_contact", "team_id", "contact_id"),
        # Covering for the period's order count and sum (digest, report).
        Index("ix_order_team_ordered", "team_id", "ordered_at", "owner_id", "status",
              "deleted_at", "amount_minor"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    owner_id: int = Field(foreign_key="member.id", index=True)
    contact_id: int = Field(foreign_key="contact.id")
    deal_id: int | None = Field(default=None, foreign_key="deal.id")
    amount_minor: int = Field(sa_column=Column(BigInteger, nullable=False))
    margin_minor: int | None = Field(default=None, sa_column=Column(BigInteger))
    paid_minor: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    currency: str = Field(default="CNY", max_length=3)
    status: str = Field(default="open", max_length=10)  # open | paid | cancelled
    note: str = Field(default="", max_length=500)
    ordered_at: datetime = Field(default_factory=utcnow)
    created_at: datetime = Field(default_factory=utcnow)
    deleted_at: datetime | None = None


class Payment(SQLModel, table=True):
    """Money received against an order."""

    __table_args__ = (Index("ix_payment_team_paid", "team_id", "paid_at", "order_id",
                            "amount_minor"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    order_id: int = Field(foreign_key="sales_order.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    amount_minor: int = Field(sa_column=Column(BigInteger, nullable=False))
    paid_at: datetime = Field(default_factory=utcnow)


class Feedback(SQLModel, table=True):
    """A complaint, praise, suggestion, question or score from a customer."""

    __table_args__ = (Index("ix_feedback_team_kind_status", "team_id", "kind", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    contact_id: int = Field(foreign_key="contact.id", index=True)
    owner_id: int = Field(foreign_key="member.id")
    member_id: int = Field(foreign_key="member.id")
    kind: FeedbackKind = Field(sa_column=enum_column(FeedbackKind))
    severity: str | None = Field(default=None, max_length=10)  # low | medium | high | critical
    text: str = Field(default="", max_length=4000)
    status: str = Field(default="open", max_length=10)  # open | resolved
    csat: int | None = Field(default=None, ge=1, le=5)
    nps: int | None = Field(default=None, ge=0, le=10)
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    resolution: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)


class OutboxStatus(StrEnum):
    """Where a reminder stands."""

    PENDING = "pending"  # waiting for due_at (or for a lease to expire)
    HELD = "held"  # due while the member was out of office; folded into a catch-up
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Outbox(SQLModel, table=True):
    """A reminder or notification to push into a member's chat, exactly once."""

    __table_args__ = (Index("ix_outbox_status_due", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    kind: str = Field(max_length=30)
    dedupe_key: str = Field(max_length=160, unique=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    due_at: datetime
    status: OutboxStatus = Field(default=OutboxStatus.PENDING,
                                 sa_column=enum_column(OutboxStatus))
    lease_owner: str | None = Field(default=None, max_length=60)
    lease_until: datetime | None = None
    attempts: int = Field(default=0)
    sent_at: datetime | None = None
    message_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)


class Inbox(SQLModel, table=True):
    """A raw update, committed before Telegram is told it arrived."""

    __table_args__ = (Index("ix_inbox_chat_update", "chat_id", "status", "update_id"),)

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    payload: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True))
    )
    status: str = Field(default="new", max_length=12, index=True)
    replies: list[dict[str, Any]] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True))
    )
    chat_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    attempts: int = Field(default=0)
    error: str | None = Field(default=None, max_length=500)
    received_at: datetime = Field(default_factory=utcnow)
    handled_at: datetime | None = None
    # Several processes share the inbox: one claims a row (a lease) before handling it, and a
    # row waits while an earlier row of the same chat is unfinished (updates stay in order).
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = None


class ContactVersion(SQLModel, table=True):
    """A stamp that changes whenever a team's searchable contact data changes.

    Database triggers (migration 0009) set a new random stamp on every insert, delete and
    change of a contact's name, company, phone, email, pinyin, owner or deletion, and of a
    company's name, whichever code path writes them. Search keeps a team's keys in memory for
    as long as the stamp it read them at is current. Random, not a counter: a stamp seen inside
    a transaction that then rolled back never comes back.
    """

    __tablename__ = "contact_version"

    team_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    stamp: int = Field(sa_column=Column(BigInteger, nullable=False))


class DialogState(SQLModel, table=True):
    """Where a multi-step form or a pending confirmation stands for one user in one chat."""

    __table_args__ = (UniqueConstraint("chat_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    flow: str = Field(max_length=40)
    step: str = Field(default="", max_length=40)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


class AuditLog(SQLModel, table=True):
    """Who changed what, and how it looked before and after."""

    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int | None = Field(default=None, foreign_key="team.id")
    actor_id: int | None = Field(default=None, foreign_key="member.id")
    action: str = Field(max_length=20)
    entity: str = Field(max_length=30)
    entity_id: int
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    at: datetime = Field(default_factory=utcnow)


class ProfileSnapshot(SQLModel, table=True):
    """A big team's customer profiles computed at one moment, and under which settings.

    Each team has one rolling snapshot (`closing` false), refreshed through the day, and
    closing ones fixed at the end of its last week and month, for reports of those periods.
    """

    __tablename__ = "profile_snapshot"
    __table_args__ = (Index("ix_profile_snapshot_team", "team_id", "closing", "as_of"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    closing: bool = False  # fixed at a period's end (a past week's or month's report)
    as_of: datetime  # the "now" the profiles were computed at
    settings_key: str = Field(max_length=2000)  # window, weights, rules: a change voids it
    seconds: float = 0.0  # how long the computation took


class ProfileRow(SQLModel, table=True):
    """One customer's segment figures in a ProfileSnapshot (crm_store/profiles.py)."""

    __tablename__ = "customer_profile"
    __table_args__ = {"sqlite_with_rowid": False}  # rows are found by (snapshot, contact) only

    snapshot_id: int = Field(foreign_key="profile_snapshot.id", primary_key=True)
    contact_id: int = Field(primary_key=True)  # no foreign key: a deleted contact is left out
    first_at: datetime | None = None
    last_at: datetime | None = None
    frequency: int = 0
    revenue: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    value: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    stage: str = Field(max_length=16)
    r: int | None = None
    f: int | None = None
    m: int | None = None
    segment: str = Field(max_length=24)
    tier: str = Field(max_length=8)
    score_raw: float | None = None
    own_gap: float | None = None  # median days between orders (churn)
    team_gap: float | None = None
    orders: int = 0  # all live orders, for churn
    value_365: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))


class LoyaltyEntry(SQLModel, table=True):
    """One change to a customer's points: manual, earned by an order, or an admin override."""

    __tablename__ = "loyalty_entry"
    __table_args__ = (
        Index("ix_loyalty_contact", "contact_id", "created_at"),
        # An order earns its points once, however often the award is attempted.
        UniqueConstraint("order_id", name="uq_loyalty_order"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    contact_id: int = Field(foreign_key="contact.id")
    member_id: int | None = Field(default=None, foreign_key="member.id")
    order_id: int | None = Field(default=None, foreign_key="sales_order.id")
    kind: str = Field(max_length=12)  # manual | order | override
    delta: int
    balance_after: int
    reason: str = Field(default="", max_length=200)
    expires_at: datetime | None = None  # earned points lapse then (care reminders warn first)
    created_at: datetime = Field(default_factory=utcnow)


class Coupon(SQLModel, table=True):
    """A discount issued to a customer; redeemed at most once."""

    __table_args__ = (
        UniqueConstraint("team_id", "code", name="uq_coupon_team_code"),
        Index("ix_coupon_contact", "contact_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    contact_id: int = Field(foreign_key="contact.id")
    code: str = Field(max_length=16)
    value_minor: int = Field(sa_column=Column(BigInteger, nullable=False))
    currency: str = Field(default="CNY", max_length=3)
    note: str = Field(default="", max_length=200)
    issued_by_id: int = Field(foreign_key="member.id")
    issued_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    redeemed_at: datetime | None = None
    redeemed_by_id: int | None = Field(default=None, foreign_key="member.id")


class Campaign(SQLModel, table=True):
    """A marketing push over a segment: who to reach, how, and how long an order counts."""

    __table_args__ = (UniqueConstraint("team_id", "name", name="uq_campaign_team_name"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    created_by_id: int = Field(foreign_key="member.id")
    name: str = Field(max_length=80)
    goal: str = Field(default="", max_length=200)
    # The analytics filters the audience was chosen by (crm_store/campaigns.py Audience).
    audience: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    channel: str = Field(max_length=12)  # call | visit | message | email | wechat
    template: str = Field(default="", max_length=1000)
    starts_at: datetime
    ends_at: datetime
    conversion_days: int = 30  # an order within this many days of the start converts
    control_pct: int = 0  # share of the audience held out, to measure the lift
    created_at: datetime = Field(default_factory=utcnow)


class CampaignTarget(SQLModel, table=True):
    """One customer of a campaign: whose to reach, held out or not, and what came of it."""

    __tablename__ = "campaign_target"
    __table_args__ = (
        UniqueConstraint("campaign_id", "contact_id", name="uq_campaign_target"),
        Index("ix_campaign_target_owner", "campaign_id", "owner_id", "control"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id")
    contact_id: int = Field(foreign_key="contact.id")
    owner_id: int = Field(foreign_key="member.id")
    control: bool = False  # held out: not reached, compared against
    outcome: str = Field(default="pending", max_length=16)
    outcome_at: datetime | None = None
