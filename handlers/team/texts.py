"""Catalog of the members area: English (EN) and 简体中文 (ZH) side by side, same keys."""

EN: dict[str, str] = {
    "help.members": "the team tree: roles, who is active, what each member owns",
    "help.deactivate": (
        "switch a member off and hand over their records: "
        "/deactivate &lt;member&gt; [to &lt;member&gt;]"
    ),
    "help.reassign": (
        "give records to another member: /reassign &lt;contact&gt; to &lt;member&gt;, "
        "/reassign all from &lt;member&gt; to &lt;member&gt;"
    ),
    "members.title": "👥 <b>Team</b> — {count} members",
    "members.legend": "<i>👤 contacts · 💼 open deals · ⏰ open tasks</i>",
    "members.deactivated_mark": "🚫 <i>deactivated</i>",
    "members.count_contact": "• Contacts: {n}",
    "members.count_deal": "• Open deals: {n}",
    "members.count_task": "• Open tasks: {n}",
    "members.count_order": "• Orders with a balance due: {n}",
    "members.count_feedback": "• Open feedback: {n}",
    "members.confirm": "✅ Confirm",
    "members.deactivate_usage": (
        "Whom should I deactivate? /deactivate &lt;member&gt; [to &lt;member&gt;], "
        "e.g. /deactivate Bob to Carol. Without “to”, the records go "
        "to their manager."
    ),
    "members.reassign_usage": (
        "Usage: /reassign &lt;contact&gt; to &lt;member&gt;, or "
        "/reassign all from &lt;member&gt; to &lt;member&gt;."
    ),
    "members.deactivate_confirm": (
        "Deactivate <b>{source}</b> and give <b>{target}</b> "
        "what they own?"
    ),
    "members.deactivate_warning": "{source} will no longer be able to use the bot.",
    "members.credit_stays": (
        "<i>Paid and cancelled orders, won and lost deals and answered "
        "feedback stay credited to {source}; the new owner still sees "
        "every order of their customers.</i>"
    ),
    "members.book_confirm": "Give everything <b>{source}</b> owns to <b>{target}</b>?",
    "members.deactivated": "✅ <b>{source}</b> is deactivated. Moved to <b>{target}</b>:",
    "members.book_moved": "✅ Moved from <b>{source}</b> to <b>{target}</b>:",
    "members.contact_moved": (
        "✅ <b>{name}</b> now belongs to <b>{target}</b> "
        "(was {source}), with its open deals and tasks:"
    ),
    "members.target_told": "{target} has been told.",
    "members.kept_by_you": "They are yours now.",
    "members.nothing_to_move": "{source} owns nothing to move.",
    "members.member_unknown": "No member called “{name}” among those you manage.",
    "members.member_ambiguous": "“{name}” could be {names}. Use the full name or @username.",
    "members.same_member": "{name} would give the records to themselves. Name someone else.",
    "members.already_owner": "{contact} already belongs to {name}.",
    "members.target_inactive": "{name} is deactivated and cannot receive records.",
    "members.already_inactive": "{name} is already deactivated.",
    "members.last_admin": (
        "{name} is the team's only active admin. Make someone else an admin "
        "first."
    ),
    "members.not_yourself": "You cannot deactivate yourself. Ask another admin.",
    "members.admin_only": "Only an admin can deactivate members.",
    "members.managers_only": "Only managers and admins can reassign records.",
    "members.notice_book": (
        "📦 {by} gave you {source}'s customers — contacts: {contact}, "
        "open deals: {deal}, open tasks: {task}, orders with a balance "
        "due: {order}, open feedback: {feedback}. /find and /today show "
        "them."
    ),
    "members.notice_leaver": (
        "📦 {source} has left; {by} gave you their customers — contacts: "
        "{contact}, open deals: {deal}, open tasks: {task}, orders "
        "with a balance due: {order}, open feedback: {feedback}. /find "
        "and /today show them."
    ),
    "members.notice_contact": (
        "📦 {by} gave you <b>{name}</b> (was {source}), with {deal} open "
        "deals and {task} open tasks."
    ),
    "help.reactivate": (
        "switch a deactivated member back on (e.g. after they unblocked the "
        "bot): /reactivate &lt;member&gt;"
    ),
    "members.reactivate_usage": (
        "Whom should I switch back on? /reactivate &lt;member&gt;, e.g. "
        "/reactivate Bob."
    ),
    "members.reactivated": (
        "✅ <b>{name}</b> can use the bot again. Records handed over "
        "earlier stay with their new owners; /reassign gives some back."
    ),
    "members.already_active": "{name} is active already.",
    "members.admin_only_reactivate": "Only an admin can switch members back on.",
    "members.notice_unreachable": (
        "⚠️ The bot can no longer reach <b>{name}</b> (they blocked "
        "it or left Telegram), so they were switched off; their "
        "records stay theirs. Once they can be reached again: "
        "/reactivate {name}"
    ),
    "help.invite": "invite a member: /invite rep|manager|admin",
    "invite.usage": (
        "Usage: <code>/invite rep</code>, <code>/invite manager</code> or "
        "<code>/invite admin</code>"
    ),
    "invite.created": (
        "Invite for a {role} (single use, valid {days} days):\n{link}\n"
        "Send it to your colleague; it opens this bot and signs them in."
    ),
}

ZH: dict[str, str] = {
    "help.members": "团队结构：角色、是否在职、每人名下的客户与工作",
    "help.deactivate": "停用成员并移交其名下记录：/deactivate &lt;成员&gt; [to &lt;成员&gt;]",
    "help.reassign": (
        "把记录转给其他成员：/reassign &lt;联系人&gt; to &lt;成员&gt;，"
        "/reassign all from &lt;成员&gt; to &lt;成员&gt;"
    ),
    "members.title": "👥 <b>团队</b> — 共 {count} 人",
    "members.legend": "<i>👤 联系人 · 💼 进行中的商机 · ⏰ 待办任务</i>",
    "members.deactivated_mark": "🚫 <i>已停用</i>",
    "members.count_contact": "• 联系人：{n}",
    "members.count_deal": "• 进行中的商机：{n}",
    "members.count_task": "• 待办任务：{n}",
    "members.count_order": "• 未收清款项的订单：{n}",
    "members.count_feedback": "• 待处理的客户反馈：{n}",
    "members.confirm": "✅ 确认",
    "members.deactivate_usage": (
        "要停用谁？/deactivate &lt;成员&gt; [to &lt;成员&gt;]，例如 "
        "/deactivate 王伟 to 李娜。不写接收人时，记录交给其经理。"
    ),
    "members.reassign_usage": (
        "用法：/reassign &lt;联系人&gt; to &lt;成员&gt;，或 "
        "/reassign all from &lt;成员&gt; to &lt;成员&gt;。"
    ),
    "members.deactivate_confirm": "停用 <b>{source}</b>，并把其名下记录交给 <b>{target}</b>？",
    "members.deactivate_warning": "停用后{source}将无法再使用本机器人。",
    "members.credit_stays": (
        "<i>已付清和已取消的订单、已赢单和已输单的商机以及已处理的反馈"
        "仍记在{source}名下；新负责人仍可看到其客户的全部订单。</i>"
    ),
    "members.book_confirm": "把 <b>{source}</b> 名下的全部记录交给 <b>{target}</b>？",
    "members.deactivated": "✅ 已停用 <b>{source}</b>，以下记录已转给 <b>{target}</b>：",
    "members.book_moved": "✅ 已从 <b>{source}</b> 转给 <b>{target}</b>：",
    "members.contact_moved": (
        "✅ <b>{name}</b> 现归 <b>{target}</b> 负责（原为{source}），"
        "其进行中的商机和任务一并转移："
    ),
    "members.target_told": "已通知{target}。",
    "members.kept_by_you": "这些记录现由您负责。",
    "members.nothing_to_move": "{source}名下没有可转移的记录。",
    "members.member_unknown": "在您管理的成员中找不到“{name}”。",
    "members.member_ambiguous": "“{name}”可能是：{names}。请写全名或 @用户名。",
    "members.same_member": "接收人不能是{name}本人，请换一位成员。",
    "members.already_owner": "{contact}已经由{name}负责。",
    "members.target_inactive": "{name}已停用，不能接收记录。",
    "members.already_inactive": "{name}已经停用。",
    "members.last_admin": "{name}是团队唯一在职的管理员，请先任命另一位管理员。",
    "members.not_yourself": "不能停用自己，请让另一位管理员操作。",
    "members.admin_only": "只有管理员可以停用成员。",
    "members.managers_only": "只有经理和管理员可以转移记录。",
    "members.notice_book": (
        "📦 {by}把{source}的客户交给了您——联系人：{contact}，"
        "进行中的商机：{deal}，待办任务：{task}，未收清款项的订单："
        "{order}，待处理的客户反馈：{feedback}。可用 /find 和 /today 查看。"
    ),
    "members.notice_leaver": (
        "📦 {source}已离开团队，{by}把其客户交给了您——联系人：{contact}，"
        "进行中的商机：{deal}，待办任务：{task}，未收清款项的订单："
        "{order}，待处理的客户反馈：{feedback}。可用 /find 和 /today 查看。"
    ),
    "members.notice_contact": (
        "📦 {by}把 <b>{name}</b> 交给了您（原为{source}负责），"
        "含 {deal} 个进行中的商机和 {task} 个待办任务。"
    ),
    "help.reactivate": "重新启用已停用的成员（例如对方解除屏蔽后）：/reactivate &lt;成员&gt;",
    "members.reactivate_usage": "要重新启用谁？/reactivate &lt;成员&gt;，例如 /reactivate 王伟。",
    "members.reactivated": (
        "✅ <b>{name}</b> 已可重新使用本机器人。之前移交的记录仍归新负责人，"
        "可用 /reassign 转回。"
    ),
    "members.already_active": "{name}目前在职，无需重新启用。",
    "members.admin_only_reactivate": "只有管理员可以重新启用成员。",
    "members.notice_unreachable": (
        "⚠️ 机器人无法再联系 <b>{name}</b>（对方屏蔽了机器人或已注销"
        "Telegram），已自动停用；其名下记录保持不变。可联系上后发送："
        "/reactivate {name}"
    ),
    "help.invite": "邀请成员：/invite rep|manager|admin",
    "invite.usage": (
        "用法：<code>/invite rep</code>、<code>/invite manager</code> 或 "
        "<code>/invite admin</code>"
    ),
    "invite.created": (
        "{role}邀请（一次性，{days} 天内有效）：\n{link}\n"
        "发给同事，点开即可登录本助手。"
    ),
}
