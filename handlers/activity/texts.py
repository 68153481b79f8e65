"""Catalog of quick log and visit check-in: English (EN) and 简体中文 (ZH), same keys."""

EN: dict[str, str] = {
    "checkin.which": "📍 Visit check-in. Which customer are you visiting? (or type a name)",
    "checkin.note": "Visit check-in",
    "checkin.done": "✅ Visit checked in at {lat}, {lon}.",
    "checkin.bad_location": "That location could not be read. Share it again from the 📎 menu.",
    "checkin.no_contacts": "You have no customers yet. /add one first, then check in.",
    "error.undo_gone": "There is nothing left to undo here.",
    "ql.no_contact": "I couldn't tell which customer this is about. Mention their name, "
                     "e.g. “called 张伟 about the quote”, or use /log.",
    "ql.which_contact": "Which customer is this about?",
    "ql.proposal": "📝 Log a <b>{kind}</b> with <b>{name}</b>:",
    "ql.follow_up": "⏰ Follow-up: {when}",
    "ql.amount": "💰 Amount: {amount}",
    "ql.confirm": "✅ Confirm", "ql.edit": "✏️ Edit", "ql.undo": "↩️ Undo",
    "ql.open_card": "👤 Card",
    "ql.saved": "✅ {kind} logged.",
    "ql.saved_with_task": "✅ {kind} logged and follow-up set.",
    "ql.undone": "↩️ Undone: nothing of that quick log remains.",
    "ql.what_to_change": "What should change?",
    "ql.change_text": "📝 Text", "ql.drop_follow_up": "No follow-up", "ql.back": "⬅ Back",
    "ql.type_text": "Type the note as it should be saved:",
    "help.log": "log: /log name call|visit|meeting|message|email|note text",
    "kind.call": "call",
    "kind.visit": "visit",
    "kind.meeting": "meeting",
    "kind.message": "message",
    "kind.email": "email",
    "kind.note": "note",
    "log.usage": (
        "Usage: <code>/log name call|visit|meeting|message|email|note text</code>\n"
        "Example: <code>/log 张伟 call asked for a quote</code>"
    ),
    "log.need_text": (
        "What happened? Add a few words after the kind, e.g. <code>/log 张伟 call "
        "wants 50 units</code>"
    ),
    "log.ask_text": "Log a {kind} with <b>{name}</b>: what happened?",
    "log.saved": "✅ {kind} logged.",
    "text.hint": (
        "Tell me what happened with a customer, e.g. “called 张伟 about 50 units, "
        "follow up next friday”, or use <code>/log</code>, <code>/add</code>, "
        "<code>/find</code>. /help lists everything."
    ),
}

ZH: dict[str, str] = {
    "checkin.which": "📍 拜访签到。您在拜访哪位客户？（也可以直接输入姓名）",
    "checkin.note": "拜访签到",
    "checkin.done": "✅ 已签到拜访，位置 {lat}, {lon}。",
    "checkin.bad_location": "无法读取该位置，请通过 📎 菜单重新发送。",
    "checkin.no_contacts": "您还没有客户。请先用 /add 添加，再签到。",
    "error.undo_gone": "这里已经没有可撤销的内容了。",
    "ql.no_contact": "没认出是哪位客户。请写上客户姓名，例如“给张伟打电话谈报价”，或使用 /log。",
    "ql.which_contact": "这条记录是关于哪位客户的？",
    "ql.proposal": "📝 记录与 <b>{name}</b> 的<b>{kind}</b>：",
    "ql.follow_up": "⏰ 跟进：{when}",
    "ql.amount": "💰 金额：{amount}",
    "ql.confirm": "✅ 确认", "ql.edit": "✏️ 修改", "ql.undo": "↩️ 撤销",
    "ql.open_card": "👤 名片",
    "ql.saved": "✅ 已记录{kind}。",
    "ql.saved_with_task": "✅ 已记录{kind}，并设置了跟进提醒。",
    "ql.undone": "↩️ 已撤销：这条快速记录已全部删除。",
    "ql.what_to_change": "要修改什么？",
    "ql.change_text": "📝 内容", "ql.drop_follow_up": "不需要跟进", "ql.back": "⬅ 返回",
    "ql.type_text": "请输入要保存的记录内容：",
    "help.log": "记录：/log 姓名 电话|拜访|会议|消息|邮件|备注 内容",
    "kind.call": "电话",
    "kind.visit": "拜访",
    "kind.meeting": "会议",
    "kind.message": "消息",
    "kind.email": "邮件",
    "kind.note": "备注",
    "log.usage": (
        "用法：<code>/log 姓名 电话|拜访|会议|消息|邮件|备注 内容</code>\n"
        "示例：<code>/log 张伟 电话 询问报价</code>"
    ),
    "log.need_text": "发生了什么？请在类型后写几句话，例如 <code>/log 张伟 电话 需要50台</code>",
    "log.ask_text": "记录与 <b>{name}</b> 的{kind}：发生了什么？",
    "log.saved": "✅ 已记录{kind}。",
    "text.hint": (
        "直接告诉我和客户发生了什么，例如“拜访了李娜，她想要报价，下周三跟进”，"
        "或使用 <code>/log</code>、<code>/add</code>、<code>/find</code>。"
        "/help 查看全部命令。"
    ),
}
