"""Catalog of the general area: English (EN) and 简体中文 (ZH) side by side, same keys."""

EN: dict[str, str] = {
    "start.welcome": (
        "👋 Welcome, <b>{name}</b> ({role}).\n"
        "Try <code>/add</code> to add a customer, <code>/find</code> to look one up, "
        "<code>/log</code> to record a call or visit. /help lists everything."
    ),
    "help.title": "<b>What I can do</b>",
    "help.start": "start, or join with an invite",
    "help.help": "this list",
    "help.cancel": "close the open form",
    "help.lang": "language: English / 中文",
    "help.settings": "time zone, working hours, language, away, digest hour",
    "cancel.done": "Cancelled.",
    "cancel.nothing": "Nothing to cancel.",
    "lang.choose": "Choose your language:",
    "lang.switched": "Language set to {language}.",
    "lang.unknown": "I don't know the language “{value}”. Try /lang en or /lang zh.",
    "settings.show": (
        "<b>Settings</b>\nLanguage: {language}\nTime zone: {tz}\n"
        "Working hours: {start}:00–{end}:00\n"
        "Change with <code>/settings tz Asia/Shanghai</code>, <code>/settings hours 9-18</code>, "
        "<code>/settings lang zh</code>."
    ),
    "settings.usage": "Try /settings tz Asia/Shanghai, /settings hours 9-18 or /settings lang en.",
    "settings.saved": "Saved.",
    "settings.bad_tz": "“{value}” is not a time zone I know. Example: Asia/Shanghai.",
    "settings.bad_hours": "“{value}” is not a range of hours. Example: 9-18.",
}

ZH: dict[str, str] = {
    "start.welcome": (
        "👋 欢迎，<b>{name}</b>（{role}）。\n"
        "试试 <code>/add</code> 添加客户，<code>/find</code> 查找客户，"
        "<code>/log</code> 记录电话或拜访。/help 查看全部命令。"
    ),
    "help.title": "<b>我能做什么</b>",
    "help.start": "开始，或用邀请加入",
    "help.help": "本列表",
    "help.cancel": "关闭正在填写的表单",
    "help.lang": "语言：English / 中文",
    "help.settings": "时区、工作时间、语言、外出、日报时间",
    "cancel.done": "已取消。",
    "cancel.nothing": "没有需要取消的操作。",
    "lang.choose": "请选择语言：",
    "lang.switched": "语言已设置为 {language}。",
    "lang.unknown": "不认识语言“{value}”。试试 /lang zh 或 /lang en。",
    "settings.show": (
        "<b>设置</b>\n语言：{language}\n时区：{tz}\n工作时间：{start}:00–{end}:00\n"
        "修改示例：<code>/settings tz Asia/Shanghai</code>、<code>/settings hours 9-18</code>、"
        "<code>/settings lang en</code>。"
    ),
    "settings.usage": (
        "试试 /settings tz Asia/Shanghai、/settings hours 9-18 或 /settings lang zh。"
    ),
    "settings.saved": "已保存。",
    "settings.bad_tz": "“{value}”不是有效的时区。示例：Asia/Shanghai。",
    "settings.bad_hours": "“{value}”不是有效的时间段。示例：9-18。",
}
