"""Sample data for `crm-bot demo` and `crm-bot console --demo`: Chinese and English names."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from crm_store.clock import utcnow
from crm_store.contacts import contacts
from crm_store.models import Contact, InteractionKind, Member, Role
from crm_store.sales import activity
from crm_store.team import members as team

DEMO_MEMBERS = (
    (900_000_001, "王强 (Manager)", Role.MANAGER, None),
    (900_000_002, "李明 (Rep)", Role.REP, 900_000_001),
    (900_000_003, "Emma Davis (Rep)", Role.REP, 900_000_001),
)
DEMO_CONTACTS = (
    # name, company, phone, email, city, owner telegram id (None = the admin)
    ("张伟", "华东机械有限公司", "13800138000", "zhangwei@hdjx.cn", "上海", None),
    ("李娜", "星河科技", "13912345678", "lina@xinghe.com", "杭州", None),
    ("王芳", "上海瑞达贸易", "13611112222", None, "上海", 900_000_002),
    ("曾志伟", "深圳曾氏电子", "13722223333", "zeng@zsdz.cn", "深圳", 900_000_002),
    ("欧阳娜娜", "北京欧阳文化传媒", "13533334444", None, "北京", 900_000_002),
    ("单丽", "南京单氏包装", "13844445555", None, "南京", None),
    ("陈静", "广州陈记食品", "13955556666", "chenjing@cjfood.cn", "广州", 900_000_003),
    ("John Smith", "Acme Ltd", "+44 20 7946 0958", "john.smith@acme.co.uk", "London", None),
    ("Emily Chen", "Pacific Foods", "+1 415 555 0132", "emily@pacificfoods.com",
     "San Francisco", 900_000_003),
    ("Michael Brown", "Northwind Traders", "+1 212 555 0187", "mbrown@northwind.com",
     "New York", 900_000_003),
)
DEMO_NOTES = (
    ("张伟", InteractionKind.VISIT, "拜访工厂，讨论50台设备的报价", 3),
    ("张伟", InteractionKind.CALL, "确认交期，下周发正式报价", 1),
    ("李娜", InteractionKind.MEETING, "产品演示，对方很感兴趣", 5),
    ("John Smith", InteractionKind.EMAIL, "Sent the price list and case studies", 2),
    ("王芳", InteractionKind.CALL, "老客户回访，询问新品", 10),
)


def load_demo(session: Session, *, admin: Member) -> int:
    """Add demo members, contacts and interactions to the admin's team; skip if already there."""
    existing = session.exec(select(Contact).where(Contact.team_id == admin.team_id)).first()
    if existing is not None:
        return 0
    members: dict[int | None, Member] = {None: admin}
    for telegram_id, name, role, manager_tg in DEMO_MEMBERS:
        member = team.member_by_telegram_id(session, telegram_id) or Member(
            team_id=admin.team_id, telegram_user_id=telegram_id, display_name=name, role=role,
            manager_id=members[manager_tg].id if manager_tg else None,
            language="zh-CN" if "(" in name and not name.isascii() else "en",
        )
        session.add(member)
        session.flush()
        members[telegram_id] = member
    by_name = {}
    for name, company, phone, email, city, owner_tg in DEMO_CONTACTS:
        data = contacts.NewContact(name=name, company=company, phone=phone, email=email,
                                   city=city, source="demo")
        contact = contacts.create_contact(session, actor=members[owner_tg], data=data,
                                          region="CN", force=True)
        by_name[name] = contact
    now = utcnow()
    for name, kind, text, days_ago in DEMO_NOTES:
        contact = by_name[name]
        owner = session.get(Member, contact.owner_id)
        assert owner is not None
        activity.log_interaction(session, actor=owner, contact_id=contact.id or 0, kind=kind,
                                 text=text, at=now - timedelta(days=days_ago))
    return len(by_name)
