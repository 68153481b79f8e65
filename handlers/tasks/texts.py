"""Catalog of the tasks area: English (EN) and 简体中文 (ZH) side by side, same keys."""

EN: dict[str, str] = {
    "help.followup": "follow-up: /followup name when text (tomorrow 3pm, 明天下午3点)",
    "help.today": "today's agenda: overdue and due follow-ups, deals closing soon",
    "help.tasks": "open follow-ups (managers: /tasks team)",
    "help.done": "close a follow-up: /done name or /done #id",
    # /followup
    "followup.usage": (
        "Usage: <code>/followup name when text</code>\n"
        "Examples: <code>/followup 张伟 tomorrow 3pm send the quote</code>, "
        "<code>/followup John next tue 10am call back</code>"
    ),
    "followup.no_when": (
        "I couldn't find a time in that. Say when, e.g. <code>/followup 张伟 tomorrow 3pm "
        "send the quote</code> or <code>in 3 days</code>."
    ),
    "followup.past": (
        "That time has already passed. Pick a time ahead, e.g. <code>tomorrow 10am</code> "
        "or <code>next tue 3pm</code>."
    ),
    "followup.past_at": (
        "{when} has already passed. Pick a time ahead, e.g. <code>tomorrow 10am</code> "
        "or <code>next tue 3pm</code>."
    ),
    "followup.too_far": "That is more than five years away. Pick a nearer time.",
    "followup.need_contact": (
        "With whom? Put the contact before the time, e.g. "
        "<code>/followup 张伟 tomorrow 3pm send the quote</code>"
    ),
    "followup.default_text": "Follow up",
    "followup.saved": "⏰ Follow-up with <b>{name}</b> on {when}: {text}",
    "followup.ask": (
        "⏰ Follow-up with <b>{name}</b>: when and what?\n"
        "e.g. <code>tomorrow 3pm send the quote</code> or <code>明天下午3点 发报价</code>"
    ),
    "followup.ask_again": (
        "I couldn't find a time in that. Try e.g. <code>tomorrow 3pm send the quote</code>, "
        "or /cancel."
    ),
    "followup.card_title": "<b>⏰ Open follow-ups</b>",
    "followup.button": "⏰ Follow-up",
    # /today
    "today.title": "📅 <b>Today, {day}</b>",
    "today.overdue": "<b>⚠️ Overdue</b>",
    "today.due": "<b>🕘 Due today</b>",
    "today.deals": "<b>💼 Deals closing within 7 days</b>",
    "today.deal_line": "• {contact} · {title} · {amount} · {stage} · closes {date}",
    "today.empty": "Nothing due today and nothing overdue. Enjoy a clear day! 🌤\n"
                   "Plan the next step with <code>/followup</code>.",
    "today.more": "…and {count} more: /tasks",
    # /tasks and /done
    "tasks.title": "<b>Your open follow-ups</b> ({total})",
    "tasks.team_title": "<b>Your team's open follow-ups</b> ({total})",
    "tasks.empty": "No open follow-ups. Add one with <code>/followup name when text</code>.",
    "tasks.team_only_managers": "Only managers and admins can see the team's follow-ups.",
    "tasks.usage": "Try <code>/tasks</code>, or <code>/tasks team</code> for your team's.",
    "tasks.page": "Showing {first}–{last} of {total}.",
    "tasks.next": "Next ▶",
    "tasks.prev": "◀ Back",
    "tasks.button_done": "✅ {label}",
    "tasks.done": "✅ Done: {label}",
    "tasks.not_found": "That follow-up does not exist or is not yours.",
    "tasks.already_done": "That follow-up is already done.",
    "tasks.late_days": "{count} d late",
    "tasks.late_hours": "{count} h late",
    "tasks.late_minutes": "{count} min late",
    "tasks.when": "{weekday} {day} {month} {time}",
    "tasks.when_year": "{weekday} {day} {month} {year} {time}",
    "tasks.day": "{weekday} {day} {month}",
    "tasks.weekdays": "Mon Tue Wed Thu Fri Sat Sun",
    "tasks.months": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
    "tasks.no_contact": "(no contact)",
    "done.choose": "Which follow-up is done?",
    "done.none_for_contact": "<b>{name}</b> has no open follow-ups.",
    "done.nothing_open": "No open follow-ups — nothing to close.",
}

ZH: dict[str, str] = {
    "help.followup": "安排跟进：/followup 姓名 时间 内容（明天下午3点、tomorrow 3pm）",
    "help.today": "今日日程：逾期和今天到期的跟进、即将成交的商机",
    "help.tasks": "未完成的跟进（经理：/tasks team）",
    "help.done": "完成跟进：/done 姓名 或 /done #编号",
    # /followup
    "followup.usage": (
        "用法：<code>/followup 姓名 时间 内容</code>\n"
        "例如：<code>/followup 张伟 明天下午3点 发报价</code>、"
        "<code>/followup 李娜 下周二上午 回访</code>"
    ),
    "followup.no_when": (
        "没有找到时间。请写明时间，例如 <code>/followup 张伟 明天下午3点 发报价</code> "
        "或 <code>3天后</code>。"
    ),
    "followup.past": (
        "这个时间已经过去了。请选一个将来的时间，例如 <code>明天上午10点</code> "
        "或 <code>下周二下午3点</code>。"
    ),
    "followup.past_at": (
        "{when} 已经过去了。请选一个将来的时间，例如 <code>明天上午10点</code> "
        "或 <code>下周二下午3点</code>。"
    ),
    "followup.too_far": "这个时间在五年之后，请选一个近一些的时间。",
    "followup.need_contact": (
        "跟进谁？请把联系人写在时间前面，例如 <code>/followup 张伟 明天下午3点 发报价</code>"
    ),
    "followup.default_text": "跟进",
    "followup.saved": "⏰ 已安排跟进 <b>{name}</b>：{when}，{text}",
    "followup.ask": (
        "⏰ 跟进 <b>{name}</b>：什么时间、做什么？\n"
        "例如 <code>明天下午3点 发报价</code> 或 <code>tomorrow 3pm send the quote</code>"
    ),
    "followup.ask_again": "没有找到时间。例如 <code>明天下午3点 发报价</code>，或 /cancel 取消。",
    "followup.card_title": "<b>⏰ 待办跟进</b>",
    "followup.button": "⏰ 跟进",
    # /today
    "today.title": "📅 <b>今天 {day}</b>",
    "today.overdue": "<b>⚠️ 已逾期</b>",
    "today.due": "<b>🕘 今天到期</b>",
    "today.deals": "<b>💼 7天内预计成交的商机</b>",
    "today.deal_line": "• {contact} · {title} · {amount} · {stage} · 预计 {date} 成交",
    "today.empty": "今天没有到期或逾期的跟进，轻松的一天！🌤\n"
                   "用 <code>/followup</code> 安排下一步。",
    "today.more": "……还有 {count} 条：/tasks",
    # /tasks and /done
    "tasks.title": "<b>你的待办跟进</b>（{total}）",
    "tasks.team_title": "<b>团队的待办跟进</b>（{total}）",
    "tasks.empty": "没有待办跟进。用 <code>/followup 姓名 时间 内容</code> 添加。",
    "tasks.team_only_managers": "只有经理和管理员可以查看团队的跟进。",
    "tasks.usage": "试试 <code>/tasks</code>，或用 <code>/tasks team</code> 查看团队的跟进。",
    "tasks.page": "第 {first}–{last} 条，共 {total} 条。",
    "tasks.next": "下一页 ▶",
    "tasks.prev": "◀ 上一页",
    "tasks.button_done": "✅ {label}",
    "tasks.done": "✅ 已完成：{label}",
    "tasks.not_found": "这条跟进不存在，或不属于你。",
    "tasks.already_done": "这条跟进已经完成了。",
    "tasks.late_days": "逾期{count}天",
    "tasks.late_hours": "逾期{count}小时",
    "tasks.late_minutes": "逾期{count}分钟",
    "tasks.when": "{month}月{day}日（{weekday}）{time}",
    "tasks.when_year": "{year}年{month}月{day}日（{weekday}）{time}",
    "tasks.day": "{month}月{day}日（{weekday}）",
    "tasks.weekdays": "周一 周二 周三 周四 周五 周六 周日",
    "tasks.months": "1 2 3 4 5 6 7 8 9 10 11 12",
    "tasks.no_contact": "（无联系人）",
    "done.choose": "完成了哪一条跟进？",
    "done.none_for_contact": "<b>{name}</b> 没有待办跟进。",
    "done.nothing_open": "没有待办跟进。",
}
