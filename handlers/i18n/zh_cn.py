"""简体中文 catalog. Same keys and placeholders as en (a test checks it)."""

MESSAGES: dict[str, str] = {
    "auth.stranger": "您好！这是团队内部的销售助手，请向您的经理索取邀请链接。",
    "auth.deactivated": "您在本团队的访问已被停用，请联系管理员。",
    "start.welcome": (
        "👋 欢迎，<b>{name}</b>（{role}）。\n"
        "试试 <code>/add</code> 添加客户，<code>/find</code> 查找客户，"
        "<code>/log</code> 记录电话或拜访。/help 查看全部命令。"
    ),
    "role.rep": "销售", "role.manager": "经理", "role.admin": "管理员",
    "help.title": "<b>我能做什么</b>",
    "help.start": "开始，或用邀请加入",
    "help.help": "本列表",
    "help.cancel": "关闭正在填写的表单",
    "help.lang": "语言：English / 中文",
    "help.settings": "时区、工作时间、语言、外出、日报时间",
    "help.add": "添加联系人：/add 姓名, 公司, 电话, 邮箱",
    "help.find": "按姓名、拼音、公司或电话查找联系人",
    "help.contact": "查看联系人名片",
    "help.edit": "修改联系人：/edit 姓名 [字段 新值]",
    "help.log": "记录：/log 姓名 电话|拜访|会议|消息|邮件|备注 内容",
    "help.invite": "邀请成员：/invite rep|manager|admin",
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
    "add.ask_name": "新联系人。对方叫什么名字？",
    "add.ask_company": "公司？（可跳过）",
    "add.ask_phone": "电话？（可跳过）",
    "add.ask_email": "邮箱？（可跳过）",
    "add.created": "✅ 已添加 <b>{name}</b>。",
    "add.duplicate": "⚠️ <b>{name}</b> 可能已在客户库中：",
    "add.duplicate_line": "• {name}（{phone}）",
    "add.duplicate_hidden": "• 一位同事名下的联系人（电话、邮箱或姓名相同）",
    "contact.duplicate": "该联系人可能已在客户库中。",
    "find.usage": "要查找什么？示例：<code>/find 张伟</code>",
    "find.results": "“{query}”找到 {count} 位：",
    "contact.usage": "查看谁的名片？示例：<code>/contact 张伟</code>",
    "pick.choose": "有多位联系人匹配“{query}”，请选择：",
    "card.field": "{label}：{value}",
    "card.name": "姓名", "card.company": "公司", "card.title": "职位", "card.phone": "电话",
    "card.email": "邮箱", "card.city": "城市", "card.industry": "行业",
    "card.owner": "负责人：{owner}",
    "card.last_contacted": "最近联系：{when}",
    "card.recent": "<b>最近动态</b>",
    "card.no_activity": "还没有任何记录。",
    "edit.usage": "要修改谁？示例：<code>/edit 张伟 电话 13900139000</code>",
    "edit.choose_field": "要修改 <b>{name}</b> 的哪一项？",
    "edit.ask_value": "请输入 <b>{name}</b> 的新{field}（发送 - 清空）",
    "edit.saved": "✅ {field}已更新。",
    "kind.call": "电话", "kind.visit": "拜访", "kind.meeting": "会议",
    "kind.message": "消息", "kind.email": "邮件", "kind.note": "备注",
    "log.usage": (
        "用法：<code>/log 姓名 电话|拜访|会议|消息|邮件|备注 内容</code>\n"
        "示例：<code>/log 张伟 电话 询问报价</code>"
    ),
    "log.need_text": "发生了什么？请在类型后写几句话，例如 <code>/log 张伟 电话 需要50台</code>",
    "log.ask_text": "记录与 <b>{name}</b> 的{kind}：发生了什么？",
    "log.saved": "✅ 已记录{kind}。",
    "invite.usage": "用法：<code>/invite rep</code>、<code>/invite manager</code> 或 "
                    "<code>/invite admin</code>",
    "invite.created": (
        "{role}邀请（一次性，{days} 天内有效）：\n{link}\n"
        "发给同事，点开即可登录本助手。"
    ),
    "text.hint": "直接告诉我和客户发生了什么，例如“拜访了李娜，她想要报价，下周三跟进”，"
                 "或使用 <code>/log</code>、<code>/add</code>、<code>/find</code>。"
                 "/help 查看全部命令。",
    "button.cancel": "✖ 取消", "button.skip": "跳过 ➡", "button.edit": "✏️ 修改",
    "button.log_call": "📞 记电话", "button.log_visit": "🚗 记拜访",
    "button.log_note": "📝 备注", "button.open": "打开 {name}",
    "button.create_anyway": "仍然创建",
    "error.internal": "抱歉，我这边出了点问题，请再试一次。",
    "error.unknown_command": "我不认识 {command}。/help 查看我能做什么。",
    "error.forbidden": "您的角色不能使用 {command}。",
    "error.not_member": "您不是本团队成员。",
    "error.stale_button": "此按钮已失效。",
    "error.unsupported": "暂时无法处理这类消息。/help 查看我能做什么。",
    "error.too_long": "消息太长（{length} 字，上限 {limit} 字）。",
    "error.text_too_long": "内容太长（上限 {limit} 字）。",
    "error.no_match": "没有联系人匹配“{query}”。请检查拼写，或用 /add 添加。",
    "error.contact_not_found": "该联系人不存在，或不在您的可见范围内。",
    "error.member_not_found": "团队中没有这位成员。",
    "error.name_required": "联系人需要姓名。示例：<code>/add 张伟, 华东机械, 13800138000</code>",
    "error.phone": "“{value}”不是有效的电话号码。示例：13800138000 或 +86 138 0013 8000。",
    "error.email": "“{value}”不是有效的邮箱地址。示例：name@company.com",
    "error.field": "没有“{field}”这个字段。",
    "error.duplicate_value": "已有其他联系人使用 {value}。",
    "error.amount": "“{value}”不是有效金额。示例：50000、5万、50k、¥12,000.50",
    "error.amount_too_large": "“{value}”超出可记录的金额范围。",
    "error.language": "未知语言。",
    "error.invite_forbidden": "您的角色不能邀请该角色的成员。",
    "error.invite_invalid": "邀请链接无效或已被使用，请索取新的链接。",
    "error.invite_expired": "邀请链接已过期，请索取新的链接。",
    "error.already_member": "您已经是成员了。",
}
