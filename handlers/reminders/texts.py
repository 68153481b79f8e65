"""Catalog of reminders and their settings: English (EN) and 简体中文 (ZH) side by side."""

EN: dict[str, str] = {
    # reminder messages
    "reminders.today": "today",
    "reminders.tomorrow": "tomorrow",
    "reminders.followup_due": "⏰ Follow up with <b>{name}</b>: {text} (due {when})",
    "reminders.followup_overdue": (
        "⚠️ Overdue: follow up with <b>{name}</b>: {text} (was due {when}) — {late}"
    ),
    "reminders.late_days": "{days} days late",
    "reminders.late_day": "1 day late",
    "reminders.late_today": "late",
    "reminders.stale_deal": (
        "💤 Deal <b>{title}</b> with <b>{name}</b>: no activity for {days} days\n"
        "Stage: {stage} · {amount}"
    ),
    "reminders.sla_first_response": (
        "🚨 Complaint from <b>{name}</b> ({severity}): no first response after {hours} h."
    ),
    "reminders.sla_resolution": (
        "🚨 Complaint from <b>{name}</b> ({severity}) is still unresolved after {hours} h."
    ),
    "reminders.escalated": "⬆️ Escalated to you — owner: {owner}",
    "reminders.birthday": "🎂 Birthday {when}: {star}<b>{name}</b>",
    "reminders.birthday_lunar": "🎂 Lunar-calendar birthday {when}: {star}<b>{name}</b>",
    "reminders.anniversary": (
        "🤝 {star}<b>{name}</b> has been our customer for {years} years (since {since})."
    ),
    "reminders.suggested": "💬 Suggested: <i>{text}</i>",
    "reminders.greet_birthday": (
        "Happy birthday, {name}! Wishing you good health and a wonderful year ahead."
    ),
    "reminders.greet_anniversary": (
        "{name}, thank you for {years} years of working together — here's to many more!"
    ),
    "reminders.greet_holiday": (
        "Happy {holiday}! Thank you for your support — best wishes to you and your family."
    ),
    "reminders.holiday": "🎉 <b>{holiday}</b> {when} — customers to greet ({count}):",
    "reminders.holiday_spring": "Spring Festival",
    "reminders.holiday_new_year_eve": "Chinese New Year's Eve",
    "reminders.holiday_mid_autumn": "Mid-Autumn Festival",
    "reminders.holiday_d618": "618",
    "reminders.holiday_d11": "Double 11",
    "reminders.holiday_national": "National Day",
    "reminders.holiday_new_year": "New Year's Day",
    "reminders.holiday_dragon_boat": "Dragon Boat Festival",
    "reminders.holiday_labour": "Labour Day",
    "reminders.holiday_qingming": "Qingming Festival",
    "reminders.more": "…and {count} more",
    "reminders.churn": "📉 Churn risk: <b>{name}</b>",
    "reminders.reason_gap": "no order for {days} days — usually every {usual}",
    "reminders.reason_gap_plain": "no order for {days} days",
    "reminders.reason_complaint_open": "open complaint",
    "reminders.reason_low_csat": "low satisfaction",
    "reminders.churn_value": "Customer value: {value}",
    "reminders.digest_day": "📊 <b>Daily digest — {date}</b>",
    "reminders.digest_week": "📊 <b>Weekly digest — week of {date}</b>",
    "reminders.digest_month": "📊 <b>Monthly digest — {date}</b>",
    "reminders.digest_empty": "Nothing to report.",
    "reminders.fig_new_contacts": "New contacts",
    "reminders.fig_interactions": "Interactions",
    "reminders.fig_calls": "Calls",
    "reminders.fig_visits": "Visits",
    "reminders.fig_meetings": "Meetings",
    "reminders.fig_tasks_done": "Follow-ups done",
    "reminders.fig_tasks_overdue": "Follow-ups overdue",
    "reminders.fig_new_deals": "New deals",
    "reminders.fig_stage_moves": "Stage moves",
    "reminders.fig_deals_won": "Deals won",
    "reminders.fig_deals_lost": "Deals lost",
    "reminders.fig_won_minor": "Won",
    "reminders.fig_pipeline_minor": "Open pipeline",
    "reminders.fig_orders": "Orders",
    "reminders.fig_orders_minor": "Order value",
    "reminders.fig_payments_minor": "Payments",
    "reminders.fig_receivables_minor": "Receivables",
    "reminders.fig_complaints_new": "New complaints",
    "reminders.fig_complaints_open": "Open complaints",
    "reminders.fig_sla_breaches": "SLA breaches",
    "reminders.fig_at_risk": "At risk",
    "reminders.catch_up": "📬 <b>While you were away</b> — {count} reminder(s):",
    "reminders.kind_followup_due": "Follow-up",
    "reminders.kind_followup_overdue": "Overdue follow-up",
    "reminders.kind_stale_deal": "Stale deal",
    "reminders.kind_sla_first_response": "Complaint without response",
    "reminders.kind_sla_resolution": "Complaint unresolved",
    "reminders.kind_birthday": "Birthday",
    "reminders.kind_anniversary": "Anniversary",
    "reminders.kind_holiday": "Holiday",
    "reminders.kind_churn": "Churn risk",
    "reminders.kind_digest": "Digest",
    "reminders.kind_catch_up": "Catch-up",
    "reminders.kind_handover": "Customers handed over to you",
    "reminders.generic": "🔔 Reminder: <b>{name}</b>",
    # buttons and what pressing them says
    "reminders.done": "✅ Done",
    "reminders.snooze_hour": "💤 1 h",
    "reminders.snooze_tomorrow": "💤 Tomorrow",
    "reminders.log": "📝 Log",
    "reminders.card": "👤 Card",
    "reminders.open_today": "📅 Today",
    "reminders.done_status": "✅ Done",
    "reminders.snoozed_status": "💤 Snoozed until {when}",
    "reminders.not_yours": "This reminder is not yours, or it is gone.",
    "reminders.bad_snooze": "I can't snooze to that time.",
    "reminders.log_ask": (
        "📝 What happened with <b>{name}</b>? Start with call, visit, meeting, message or "
        "email to say how (otherwise it is saved as a note)."
    ),
    "reminders.log_need_text": "Please add a few words about what happened (or /cancel).",
    # /settings away | back | digest
    "settings.away_set": (
        "🌴 Out of office until the end of {date}. Reminders that fall due meanwhile wait and "
        "arrive as one list when you are back (<code>/settings back</code> to return early)."
    ),
    "settings.away_bad": (
        "I couldn't read “{value}” as a day. Try <code>/settings away 2026-12-01</code> or "
        "<code>/settings away 3 days</code>."
    ),
    "settings.away_past": "That day has already passed. Pick a day ahead.",
    "settings.away_too_far": "That is more than a year away. Pick a nearer day.",
    "settings.back": "👋 Welcome back! Reminders are on again.",
    "settings.back_catch_up": (
        "👋 Welcome back! What came up while you were away arrives in a moment, as one list."
    ),
    "settings.digest_set": "📊 Your daily digest will come at {hour}:00.",
    "settings.digest_managers": "Only managers and admins get a daily digest.",
    "settings.bad_digest": (
        "“{value}” is not an hour. Use a number from 0 to 23, e.g. "
        "<code>/settings digest 18</code>."
    ),
    "settings.away_line": "Out of office: until the end of {date} (<code>/settings back</code>)",
    "settings.present_line": "Out of office: no (<code>/settings away 2026-12-01</code>)",
    "settings.digest_line": "Daily digest: {hour}:00 (<code>/settings digest 18</code>)",
    "settings.usage_more": (
        "Reminders: <code>/settings away 2026-12-01</code> (or <code>away 3 days</code>), "
        "<code>/settings back</code>, <code>/settings digest 18</code>."
    ),
}

ZH: dict[str, str] = {
    # reminder messages
    "reminders.today": "今天",
    "reminders.tomorrow": "明天",
    "reminders.followup_due": "⏰ 跟进 <b>{name}</b>：{text}（{when} 到期）",
    "reminders.followup_overdue": "⚠️ 逾期：跟进 <b>{name}</b>：{text}（原定 {when}）— {late}",
    "reminders.late_days": "已逾期 {days} 天",
    "reminders.late_day": "已逾期 1 天",
    "reminders.late_today": "已逾期",
    "reminders.stale_deal": (
        "💤 商机 <b>{title}</b>（<b>{name}</b>）已 {days} 天没有进展\n阶段：{stage} · {amount}"
    ),
    "reminders.sla_first_response": (
        "🚨 <b>{name}</b> 的投诉（{severity}）已 {hours} 小时未首次响应。"
    ),
    "reminders.sla_resolution": "🚨 <b>{name}</b> 的投诉（{severity}）已 {hours} 小时仍未解决。",
    "reminders.escalated": "⬆️ 已升级给您 — 负责人：{owner}",
    "reminders.birthday": "🎂 {when}生日：{star}<b>{name}</b>",
    "reminders.birthday_lunar": "🎂 {when}农历生日：{star}<b>{name}</b>",
    "reminders.anniversary": (
        "🤝 {star}<b>{name}</b> 成为我们的客户已满 {years} 年（自 {since} 起）。"
    ),
    "reminders.suggested": "💬 建议话术：<i>{text}</i>",
    "reminders.greet_birthday": "{name}您好，祝您生日快乐！身体健康，万事如意！",
    "reminders.greet_anniversary": "{name}您好，感谢您{years}年来的信任与支持，期待继续携手合作！",
    "reminders.greet_holiday": "祝您{holiday}快乐，阖家幸福！感谢您一直以来的支持。",
    "reminders.holiday": "🎉 <b>{holiday}</b>（{when}）— 需要问候的客户（{count}）：",
    "reminders.holiday_spring": "春节",
    "reminders.holiday_new_year_eve": "除夕",
    "reminders.holiday_mid_autumn": "中秋节",
    "reminders.holiday_d618": "618",
    "reminders.holiday_d11": "双十一",
    "reminders.holiday_national": "国庆节",
    "reminders.holiday_new_year": "元旦",
    "reminders.holiday_dragon_boat": "端午节",
    "reminders.holiday_labour": "劳动节",
    "reminders.holiday_qingming": "清明节",
    "reminders.more": "……还有 {count} 项",
    "reminders.churn": "📉 流失风险：<b>{name}</b>",
    "reminders.reason_gap": "已 {days} 天没有下单——通常每 {usual} 天一单",
    "reminders.reason_gap_plain": "已 {days} 天没有下单",
    "reminders.reason_complaint_open": "有未解决的投诉",
    "reminders.reason_low_csat": "满意度低",
    "reminders.churn_value": "客户价值：{value}",
    "reminders.digest_day": "📊 <b>日报 — {date}</b>",
    "reminders.digest_week": "📊 <b>周报 — {date} 当周</b>",
    "reminders.digest_month": "📊 <b>月报 — {date}</b>",
    "reminders.digest_empty": "暂无数据。",
    "reminders.fig_new_contacts": "新增客户",
    "reminders.fig_interactions": "互动",
    "reminders.fig_calls": "电话",
    "reminders.fig_visits": "拜访",
    "reminders.fig_meetings": "会议",
    "reminders.fig_tasks_done": "完成跟进",
    "reminders.fig_tasks_overdue": "逾期跟进",
    "reminders.fig_new_deals": "新增商机",
    "reminders.fig_stage_moves": "阶段推进",
    "reminders.fig_deals_won": "赢单",
    "reminders.fig_deals_lost": "输单",
    "reminders.fig_won_minor": "赢单金额",
    "reminders.fig_pipeline_minor": "在途商机",
    "reminders.fig_orders": "订单",
    "reminders.fig_orders_minor": "订单金额",
    "reminders.fig_payments_minor": "回款",
    "reminders.fig_receivables_minor": "应收",
    "reminders.fig_complaints_new": "新增投诉",
    "reminders.fig_complaints_open": "未结投诉",
    "reminders.fig_sla_breaches": "超时投诉",
    "reminders.fig_at_risk": "流失风险",
    "reminders.catch_up": "📬 <b>您不在期间</b>共有 {count} 条提醒：",
    "reminders.kind_followup_due": "跟进",
    "reminders.kind_followup_overdue": "逾期跟进",
    "reminders.kind_stale_deal": "停滞商机",
    "reminders.kind_sla_first_response": "投诉未响应",
    "reminders.kind_sla_resolution": "投诉未解决",
    "reminders.kind_birthday": "生日",
    "reminders.kind_anniversary": "合作周年",
    "reminders.kind_holiday": "节日问候",
    "reminders.kind_churn": "流失风险",
    "reminders.kind_digest": "日报",
    "reminders.kind_catch_up": "汇总",
    "reminders.kind_handover": "转交给你的客户",
    "reminders.generic": "🔔 提醒：<b>{name}</b>",
    # buttons and what pressing them says
    "reminders.done": "✅ 完成",
    "reminders.snooze_hour": "💤 1小时后",
    "reminders.snooze_tomorrow": "💤 明天",
    "reminders.log": "📝 记录",
    "reminders.card": "👤 名片",
    "reminders.open_today": "📅 今日待办",
    "reminders.done_status": "✅ 已完成",
    "reminders.snoozed_status": "💤 已推迟到 {when}",
    "reminders.not_yours": "这条提醒不是发给您的，或已不存在。",
    "reminders.bad_snooze": "无法推迟到这个时间。",
    "reminders.log_ask": (
        "📝 与 <b>{name}</b> 的情况如何？可用“电话”“拜访”“会议”“微信”“邮件”开头说明方式"
        "（否则记为备注）。"
    ),
    "reminders.log_need_text": "请写几句发生了什么（或 /cancel 取消）。",
    # /settings away | back | digest
    "settings.away_set": (
        "🌴 已设置外出至 {date} 结束。期间到期的提醒会先保留，回来后汇总成一条发给您"
        "（提前回来：<code>/settings back</code>）。"
    ),
    "settings.away_bad": (
        "无法把“{value}”识别为日期。试试 <code>/settings away 2026-12-01</code> 或 "
        "<code>/settings away 3天</code>。"
    ),
    "settings.away_past": "这一天已经过去了，请选择之后的日期。",
    "settings.away_too_far": "超过一年了，请选择近一点的日期。",
    "settings.back": "👋 欢迎回来！提醒已恢复。",
    "settings.back_catch_up": "👋 欢迎回来！您不在期间的提醒马上会汇总成一条发给您。",
    "settings.digest_set": "📊 您的日报将在 {hour}:00 发送。",
    "settings.digest_managers": "只有经理和管理员会收到日报。",
    "settings.bad_digest": (
        "“{value}”不是有效的小时，请用 0 到 23 的数字，例如 <code>/settings digest 18</code>。"
    ),
    "settings.away_line": "外出：至 {date} 结束（<code>/settings back</code>）",
    "settings.present_line": "外出：否（<code>/settings away 2026-12-01</code>）",
    "settings.digest_line": "日报时间：{hour}:00（<code>/settings digest 18</code>）",
    "settings.usage_more": (
        "提醒相关：<code>/settings away 2026-12-01</code>（或 <code>away 3天</code>）、"
        "<code>/settings back</code>、<code>/settings digest 18</code>。"
    ),
}
