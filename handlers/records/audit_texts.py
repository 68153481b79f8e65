"""Catalog of the audit area: English (EN) and 简体中文 (ZH) side by side, same keys."""

EN: dict[str, str] = {
    "help.audit": "who changed what on a customer: /audit name",
    "help.restore": "bring back deleted customers, deals, orders: /restore [name]",
    "help.delete": "delete a customer (restorable for 30 days): /delete name",
    "audit.usage": "Usage: <code>/audit name</code> — the change history of a customer.",
    "audit.title": "🕘 <b>History of {name}</b> (newest first)",
    "audit.deleted_note": "<i>This customer is deleted; /restore brings them back.</i>",
    "audit.empty": "No recorded changes for {name} yet.",
    "audit.more": "More ⬇",
    "audit.system": "system",
    "audit.line": "{time} · {actor} · {action} {entity} #{id}",
    "audit.action.create": "created",
    "audit.action.update": "changed",
    "audit.action.delete": "deleted",
    "audit.action.restore": "restored",
    "audit.action.snooze": "snoozed",
    "audit.action.erase": "erased the personal data of",
    "audit.action.export": "exported the data of",
    "audit.action.reassign": "reassigned",
    "audit.action.deactivate": "deactivated",
    "audit.action.reactivate": "switched back on",
    "audit.action.revoke": "revoked",
    "audit.entity.contact": "contact",
    "audit.entity.deal": "deal",
    "audit.entity.order": "order",
    "audit.entity.payment": "payment",
    "audit.entity.task": "follow-up",
    "audit.entity.interaction": "interaction",
    "audit.entity.feedback": "feedback",
    "audit.field.name": "name",
    "audit.field.phone": "phone",
    "audit.field.email": "email",
    "audit.field.title": "title",
    "audit.field.city": "city",
    "audit.field.industry": "industry",
    "audit.field.company_id": "company",
    "audit.field.owner_id": "owner",
    "audit.field.stage": "stage",
    "audit.field.status": "status",
    "audit.field.probability": "probability",
    "audit.field.amount_minor": "amount",
    "audit.field.paid_minor": "paid",
    "audit.field.margin_minor": "margin",
    "audit.field.expected_close": "expected close",
    "audit.field.lost_reason": "lost reason",
    "audit.field.due_at": "due",
    "audit.field.done_at": "done",
    "audit.field.text": "text",
    "audit.field.kind": "kind",
    "audit.field.severity": "severity",
    "audit.field.resolution": "resolution",
    "audit.field.deleted_at": "deleted",
    "audit.restore.title": "♻️ <b>Deleted in the last {days} days</b> (tap to restore)",
    "audit.restore.none": "Nothing you can see was deleted in the last {days} days.",
    "audit.restore.line_contact": "👤 {name} · deleted {when}",
    "audit.restore.line_deal": "💼 {title} · {name} · {amount} · deleted {when}",
    "audit.restore.line_order": "🧾 Order #{id} · {name} · {amount} · deleted {when}",
    "audit.restore.button": "♻️ {label}",
    "audit.restore.no_match": (
        "No customer deleted in the last {days} days matches “{query}”. "
        "Send /restore to see everything you can restore."
    ),
    "audit.restore.choose": "Several deleted customers match “{query}”. Which one?",
    "audit.restore.not_found": "There is nothing to restore there: it is not deleted, "
                         "was deleted over 30 days ago, or is not yours to see.",
    "audit.restore.contact_first": (
        "{name} is deleted: restore the customer first (/restore {name})."
    ),
    "audit.restore.duplicate_phone": (
        "Cannot restore {name}: the phone {value} now belongs to {other}. "
        "Change one of the phones first."
    ),
    "audit.restore.duplicate_phone_hidden": (
        "Cannot restore {name}: another customer in the team now has the phone {value}."
    ),
    "audit.restore.duplicate_email": (
        "Cannot restore {name}: the email {value} now belongs to {other}. "
        "Change one of the emails first."
    ),
    "audit.restore.duplicate_email_hidden": (
        "Cannot restore {name}: another customer in the team now has the email {value}."
    ),
    "audit.restore.duplicate_name": (
        "Cannot restore {name}: {other} at {company} is now in the team, most likely the same "
        "person. Add what you need to {other} instead, or rename one of them first."
    ),
    "audit.restore.duplicate_name_hidden": (
        "Cannot restore {name}: another customer at {company} with a near-identical name is "
        "now in the team."
    ),
    "audit.restore.done_contact": "♻️ {name} is back, with the deals and orders deleted with them.",
    "audit.restore.done_deal": "♻️ Deal “{title}” of {name} is back.",
    "audit.restore.done_order": "♻️ Order #{id} of {name} is back.",
    "audit.restore.open_contact": "Open {name}",
    "audit.delete.usage": "Usage: <code>/delete name</code> — you can /restore it for 30 days.",
    "audit.delete.confirm": (
        "Delete <b>{name}</b>? Their open and closed deals and orders are hidden with them. "
        "/restore brings everything back within {days} days."
    ),
    "audit.delete.button": "🗑 Delete",
    "audit.delete.done": "🗑 {name} is deleted. /restore brings them back within {days} days.",
    "audit.delete.undo": "♻️ Undo",
}

ZH: dict[str, str] = {
    "help.audit": "查看客户的修改记录：/audit 姓名",
    "help.restore": "恢复已删除的客户、商机、订单：/restore [姓名]",
    "help.delete": "删除客户（30 天内可恢复）：/delete 姓名",
    "audit.usage": "用法：<code>/audit 姓名</code> —— 查看客户的修改记录。",
    "audit.title": "🕘 <b>{name} 的修改记录</b>（最新在前）",
    "audit.deleted_note": "<i>该客户已删除；可用 /restore 恢复。</i>",
    "audit.empty": "{name} 暂无修改记录。",
    "audit.more": "更多 ⬇",
    "audit.system": "系统",
    "audit.line": "{time} · {actor} · {action}{entity} #{id}",
    "audit.action.create": "创建了",
    "audit.action.update": "修改了",
    "audit.action.delete": "删除了",
    "audit.action.restore": "恢复了",
    "audit.action.snooze": "推迟了",
    "audit.action.erase": "清除了个人信息：",
    "audit.action.export": "导出了数据：",
    "audit.action.reassign": "转交了",
    "audit.action.deactivate": "停用了",
    "audit.action.reactivate": "重新启用了",
    "audit.action.revoke": "撤销了",
    "audit.entity.contact": "联系人",
    "audit.entity.deal": "商机",
    "audit.entity.order": "订单",
    "audit.entity.payment": "收款",
    "audit.entity.task": "跟进",
    "audit.entity.interaction": "互动",
    "audit.entity.feedback": "反馈",
    "audit.field.name": "姓名",
    "audit.field.phone": "电话",
    "audit.field.email": "邮箱",
    "audit.field.title": "职位/标题",
    "audit.field.city": "城市",
    "audit.field.industry": "行业",
    "audit.field.company_id": "公司",
    "audit.field.owner_id": "负责人",
    "audit.field.stage": "阶段",
    "audit.field.status": "状态",
    "audit.field.probability": "赢率",
    "audit.field.amount_minor": "金额",
    "audit.field.paid_minor": "已付",
    "audit.field.margin_minor": "毛利",
    "audit.field.expected_close": "预计成交",
    "audit.field.lost_reason": "丢单原因",
    "audit.field.due_at": "到期",
    "audit.field.done_at": "完成",
    "audit.field.text": "内容",
    "audit.field.kind": "类型",
    "audit.field.severity": "严重程度",
    "audit.field.resolution": "处理结果",
    "audit.field.deleted_at": "删除时间",
    "audit.restore.title": "♻️ <b>最近 {days} 天删除的记录</b>（点按钮恢复）",
    "audit.restore.none": "最近 {days} 天没有您可见的已删除记录。",
    "audit.restore.line_contact": "👤 {name} · 删除于 {when}",
    "audit.restore.line_deal": "💼 {title} · {name} · {amount} · 删除于 {when}",
    "audit.restore.line_order": "🧾 订单 #{id} · {name} · {amount} · 删除于 {when}",
    "audit.restore.button": "♻️ {label}",
    "audit.restore.no_match": (
        "最近 {days} 天没有与“{query}”匹配的已删除客户。发送 /restore 查看可恢复的全部记录。"
    ),
    "audit.restore.choose": "有多个已删除客户与“{query}”匹配，请选择：",
    "audit.restore.not_found": (
        "没有可恢复的记录：它未被删除、删除已超过 30 天，或不在您的可见范围内。"
    ),
    "audit.restore.contact_first": "{name} 已被删除：请先恢复该客户（/restore {name}）。",
    "audit.restore.duplicate_phone": (
        "无法恢复 {name}：电话 {value} 现属于 {other}。请先修改其中一个电话。"
    ),
    "audit.restore.duplicate_phone_hidden": (
        "无法恢复 {name}：团队中另一位客户现在使用电话 {value}。"
    ),
    "audit.restore.duplicate_email": (
        "无法恢复 {name}：邮箱 {value} 现属于 {other}。请先修改其中一个邮箱。"
    ),
    "audit.restore.duplicate_email_hidden": (
        "无法恢复 {name}：团队中另一位客户现在使用邮箱 {value}。"
    ),
    "audit.restore.duplicate_name": (
        "无法恢复 {name}：团队中已有 {company} 的 {other}，很可能是同一个人。"
        "请直接在 {other} 上补充信息，或先修改其中一个的名字。"
    ),
    "audit.restore.duplicate_name_hidden": (
        "无法恢复 {name}：团队中已有 {company} 的一位同名（或几乎同名）客户。"
    ),
    "audit.restore.done_contact": "♻️ 已恢复 {name}，连同与其一起删除的商机和订单。",
    "audit.restore.done_deal": "♻️ 已恢复 {name} 的商机“{title}”。",
    "audit.restore.done_order": "♻️ 已恢复 {name} 的订单 #{id}。",
    "audit.restore.open_contact": "打开 {name}",
    "audit.delete.usage": "用法：<code>/delete 姓名</code> —— 30 天内可用 /restore 恢复。",
    "audit.delete.confirm": (
        "删除 <b>{name}</b>？其商机和订单会一并隐藏。{days} 天内可用 /restore 全部恢复。"
    ),
    "audit.delete.button": "🗑 删除",
    "audit.delete.done": "🗑 已删除 {name}。{days} 天内可用 /restore 恢复。",
    "audit.delete.undo": "♻️ 撤销",
}
