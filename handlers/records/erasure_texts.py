"""Catalog of the privacy area: English (EN) and 简体中文 (ZH) side by side, same keys."""

EN: dict[str, str] = {
    "help.erase": "erase a contact's personal data (admins) — /erase &lt;contact&gt;",
    "erasure.erase_usage": (
        "Usage: <code>/erase contact</code>, e.g. <code>/erase 张伟</code> or "
        "<code>/erase #42</code>; deleted contacts are found too. You get their data export "
        "first, then a Confirm button."
    ),
    "erasure.deleted_mark": "🗑 (deleted)",
    "erasure.erase_deleted_note": (
        "This contact was deleted on {date}. It stays deleted; /restore could bring back only "
        "the anonymous record."
    ),
    "erasure.export_caption": "Everything stored about {name} (JSON), before erasure.",
    "erasure.erase_confirm": (
        "Erase the personal data of <b>{name}</b> (#{id})?\n"
        "Name, phone, email, title, city, birthday, tags and every note, interaction and "
        "feedback text are blanked, also in the audit trail. Amounts, counts and dates stay, "
        "so reports still add up. This cannot be undone."
    ),
    "erasure.button_confirm": "🗑 Erase",
    "erasure.button_mentions": "🗑 Erase and blank {count} mentions",
    "erasure.mentions": (
        "⚠️ {count} notes, texts or history entries of <i>other</i> customers name this "
        "person. “Erase and blank” replaces the name, phone and e-mail there too; "
        "“Erase” leaves those records as they are."
    ),
    "erasure.mentions_blanked": "The person was also blanked in {count} other records.",
    "erasure.erased": (
        "Done: contact #{id} is now “Erased contact #{id}”. Personal data was removed from "
        "{interactions} interactions; {orders} orders keep their amounts."
    ),
    "flood.warning": (
        "You are sending messages very fast (over {limit} a minute). I'll pause for a "
        "moment: please wait a minute, then carry on."
    ),
}

ZH: dict[str, str] = {
    "help.erase": "删除联系人的个人信息（仅管理员）— /erase 联系人",
    "erasure.erase_usage": (
        "用法：<code>/erase 联系人</code>，例如 <code>/erase 张伟</code> 或 "
        "<code>/erase #42</code>；已删除的联系人也能找到。会先发给您其数据导出，再显示确认按钮。"
    ),
    "erasure.deleted_mark": "🗑（已删除）",
    "erasure.erase_deleted_note": (
        "该联系人已于 {date} 删除，清除后仍保持删除状态；/restore 只能恢复匿名记录。"
    ),
    "erasure.export_caption": "删除前，关于 {name} 的全部存储数据（JSON）。",
    "erasure.erase_confirm": (
        "确定删除 <b>{name}</b>（#{id}）的个人信息吗？\n"
        "姓名、电话、邮箱、职务、城市、生日、标签以及所有备注、跟进和反馈文字都会被清空，"
        "审计记录中的也一样。金额、数量和日期保留，报表合计不变。此操作无法撤销。"
    ),
    "erasure.button_confirm": "🗑 删除",
    "erasure.button_mentions": "🗑 删除并清除 {count} 处提及",
    "erasure.mentions": (
        "⚠️ <i>其他</i>客户的 {count} 条备注、文字或历史记录提到了此人。"
        "“删除并清除”会把那些地方的姓名、电话和邮箱一并替换；“删除”则不改动那些记录。"
    ),
    "erasure.mentions_blanked": "另有 {count} 条其他记录中的此人信息也已清除。",
    "erasure.erased": (
        "完成：联系人 #{id} 已改为“Erased contact #{id}”。已从 {interactions} 条跟进记录中"
        "删除个人信息；{orders} 个订单保留金额。"
    ),
    "flood.warning": (
        "您发送消息太快了（每分钟超过 {limit} 条）。我先暂停一下：请稍等一分钟再继续。"
    ),
}
