"""Catalog of the team_stats area: English (EN) and 简体中文 (ZH) side by side, same keys."""

EN: dict[str, str] = {
    "help.team": "team activity per rep: /team today|week|month",
    "team_activity.usage": (
        "Usage: <code>/team today</code>, <code>/team week</code> or "
        "<code>/team month</code> (week is the default)."
    ),
    "team_activity.period": "{name} ({dates})",
    "team_activity.period_d": "today",
    "team_activity.period_w": "this week",
    "team_activity.period_m": "this month",
    "team_activity.title": "<b>Team activity — {period}</b>",
    "team_activity.legend": (
        "📞 calls · 🚗 visits · 🤝 meetings · 👤 new contacts · "
        "💼 new deals · ↗ stage moves · ⏰ overdue follow-ups · ⚠️ open complaints"
    ),
    "team_activity.figures": (
        "📞 {calls} · 🚗 {visits} · 🤝 {meetings} · 👤 {contacts} · "
        "💼 {deals} · ↗ {moves} · ⏰ {overdue} · ⚠️ {complaints}"
    ),
    "team_activity.won": "won {amount} ({n})",
    "team_activity.rep_line": "{n}. <b>{name}</b> — {won}",
    "team_activity.total_line": "<b>Total</b> ({reps} members) — {won}",
    "team_activity.rep_title": "<b>{name}</b> — {period}",
    "team_activity.d_calls": "📞 Calls: {n}",
    "team_activity.d_visits": "🚗 Visits: {n}",
    "team_activity.d_meetings": "🤝 Meetings: {n}",
    "team_activity.d_contacts": "👤 New contacts: {n}",
    "team_activity.d_deals": "💼 New deals: {n}",
    "team_activity.d_moves": "↗ Stage moves: {n}",
    "team_activity.d_won": "🏆 Deals {won}",
    "team_activity.d_overdue": "⏰ Overdue follow-ups now: {n}",
    "team_activity.d_complaints": "⚠️ Open complaints now: {n}",
    "team_activity.d_open_deals": "📂 Open deals now: {n} ({amount})",
    "team_activity.recent_title": "<b>Latest interactions</b>",
    "team_activity.recent_line": "{icon} {when} {kind} · <b>{name}</b>: {text}",
    "team_activity.no_recent": "No interactions logged yet.",
    "team_activity.button_d": "Today",
    "team_activity.button_w": "This week",
    "team_activity.button_m": "This month",
    "team_activity.button_rep": "🔍 {name}",
    "team_activity.button_back": "⬅ Team",
}

ZH: dict[str, str] = {
    "help.team": "团队每人的活动：/team 今天|本周|本月",
    "team_activity.usage": (
        "用法：<code>/team 今天</code>、<code>/team 本周</code> 或 "
        "<code>/team 本月</code>（默认本周）。"
    ),
    "team_activity.period": "{name}（{dates}）",
    "team_activity.period_d": "今天",
    "team_activity.period_w": "本周",
    "team_activity.period_m": "本月",
    "team_activity.title": "<b>团队活动 — {period}</b>",
    "team_activity.legend": (
        "📞 电话 · 🚗 拜访 · 🤝 会议 · 👤 新联系人 · 💼 新商机 · "
        "↗ 阶段推进 · ⏰ 逾期跟进 · ⚠️ 未处理投诉"
    ),
    "team_activity.figures": (
        "📞 {calls} · 🚗 {visits} · 🤝 {meetings} · 👤 {contacts} · "
        "💼 {deals} · ↗ {moves} · ⏰ {overdue} · ⚠️ {complaints}"
    ),
    "team_activity.won": "赢单 {amount}（{n} 单）",
    "team_activity.rep_line": "{n}. <b>{name}</b> — {won}",
    "team_activity.total_line": "<b>合计</b>（{reps} 人）— {won}",
    "team_activity.rep_title": "<b>{name}</b> — {period}",
    "team_activity.d_calls": "📞 电话：{n}",
    "team_activity.d_visits": "🚗 拜访：{n}",
    "team_activity.d_meetings": "🤝 会议：{n}",
    "team_activity.d_contacts": "👤 新联系人：{n}",
    "team_activity.d_deals": "💼 新商机：{n}",
    "team_activity.d_moves": "↗ 阶段推进：{n}",
    "team_activity.d_won": "🏆 {won}",
    "team_activity.d_overdue": "⏰ 当前逾期跟进：{n}",
    "team_activity.d_complaints": "⚠️ 当前未处理投诉：{n}",
    "team_activity.d_open_deals": "📂 当前进行中的商机：{n}（{amount}）",
    "team_activity.recent_title": "<b>最近的互动</b>",
    "team_activity.recent_line": "{icon} {when} {kind} · <b>{name}</b>：{text}",
    "team_activity.no_recent": "还没有记录互动。",
    "team_activity.button_d": "今天",
    "team_activity.button_w": "本周",
    "team_activity.button_m": "本月",
    "team_activity.button_rep": "🔍 {name}",
    "team_activity.button_back": "⬅ 团队",
}
