"""Catalog of the deals area: English (EN) and 简体中文 (ZH) side by side, same keys."""

EN: dict[str, str] = {
    "help.deal": "new deal: /deal name title amount [close date]",
    "help.deals": "your open deals by stage",
    "help.won": "mark a deal won: /won [deal or contact]",
    "help.lost": "mark a deal lost: /lost reason",
    "help.stages": "show or change the pipeline stages",
    "stage.lead": "Lead", "stage.qualified": "Qualified", "stage.proposal": "Proposal",
    "stage.negotiation": "Negotiation", "stage.won": "Won", "stage.lost": "Lost",
    "deal.status_open": "open", "deal.status_won": "won 🏆", "deal.status_lost": "lost",
    # creating
    "deal.usage": (
        "Usage: <code>/deal contact title amount [close date]</code>\n"
        "Example: <code>/deal 张伟 ERP upgrade 5万 close 2026-12-31</code>\n"
        "Or send /deal alone and I will ask step by step."
    ),
    "deal.need_amount": "I can't find the amount. Put it after the title, e.g. "
                        "<code>/deal 张伟 ERP upgrade 50000</code>",
    "deal.need_title": "What is the deal about? Put a title between the contact and the amount, "
                       "e.g. <code>/deal 张伟 ERP upgrade 50000</code>",
    "deal.amount_negative": "A deal amount can't be negative. Examples: 50000, 5万, 50k.",
    "deal.amount_zero": "A deal amount must be more than zero. Examples: 50000, 5万, 50k.",
    "deal.bad_date": "I can't read “{value}” as a date. Examples: 2026-12-31, next friday, "
                     "下周五.",
    "deal.close_past": "{date} is in the past; the expected close date must be today or later.",
    "deal.title_required": "The deal needs a title, e.g. “ERP upgrade”.",
    "deal.title_too_long": "The title is too long (limit {limit} characters).",
    "deal.ask_contact": "New deal. Which contact? (name, phone or company)",
    "deal.ask_title": "New deal with <b>{name}</b>. What is it about? (a short title)",
    "deal.ask_amount": "Amount? e.g. 50000, 5万, 50k",
    "deal.ask_close": "Expected close date? e.g. 2026-12-31, next friday, 下周五 — or Skip.",
    "deal.created": "✅ Deal <b>{title}</b> created in {stage}.",
    # the card
    "deal.card_title": "💼 <b>{title}</b>",
    "deal.card_contact": "Contact: {name}",
    "deal.card_owner": "Owner: {owner}",
    "deal.card_amount": "Amount: {amount}",
    "deal.card_stage": "Stage: {stage} ({probability}%)",
    "deal.card_stage_removed": "Stage: {stage} ({probability}%, no longer in the pipeline)",
    "deal.card_weighted": "Weighted: {amount}",
    "deal.card_close": "Expected close: {date}",
    "deal.card_status": "Status: {status}",
    "deal.card_days": "Days in this stage: {days}",
    "deal.card_lost_reason": "Lost because: {reason}",
    "deal.card_history": "<b>Stage history</b>",
    "deal.history_created": "{when} — created in {stage} by {member}",
    "deal.history_move": "{when} — {from_stage} → {to_stage} by {member}",
    "deal.button_move": "➡ {stage}",
    "deal.button_won": "🏆 Won", "deal.button_lost": "❌ Lost",
    "deal.button_close": "📅 Set close date", "deal.button_contact": "👤 {name}",
    "deal.button_new": "💼 New deal",
    # moving and closing
    "deal.not_found": "That deal does not exist or is not yours to see.",
    "deal.closed": "This deal is already closed.",
    "deal.unknown_stage": "There is no open stage “{stage}” in your pipeline.",
    "deal.same_stage": "The deal is already in that stage.",
    "deal.moved": "Moved to {stage}.",
    "deal.won": "🏆 Won: <b>{title}</b> ({amount}). Well done!",
    "deal.ask_reason": "Why was <b>{title}</b> lost? (one line)",
    "deal.reason_required": "Say in a few words why the deal was lost, e.g. "
                            "<code>/lost price too high</code>",
    "deal.reason_too_long": "The reason is too long (limit {limit} characters).",
    "deal.lost_saved": "Marked lost: <b>{title}</b>.",
    "deal.ask_close_date": "When is <b>{title}</b> expected to close? e.g. 2026-12-31, "
                           "next friday, 下周五 (send - to clear)",
    "deal.close_saved": "✅ Expected close date set to {date}.",
    "deal.close_cleared": "✅ Expected close date cleared.",
    "deal.none_open": "No open deals. Start one with <code>/deal</code>.",
    "deal.no_deal_match": "No open deal matches “{query}”. /deals lists them.",
    "deal.choose_won": "Which deal was won?",
    "deal.choose_lost": "Which deal was lost?",
    "deal.more": "…and {count} more not shown as buttons.",
    # lists
    "deal.pipeline_title": "<b>Open deals: {count}</b> · total {total} · weighted {weighted}",
    "deal.pipeline_stage": "<b>{stage}</b> {probability}% — {count} · {total} · "
                           "weighted {weighted}",
    "deal.pipeline_removed": "<b>{stage}</b> (removed stage) — {count} · {total} · "
                             "weighted {weighted}",
    "deal.section_title": "<b>Open deals</b>",
    "deal.section_line": "💼 {title} — {stage} — {amount}",
    # the pipeline
    "deal.stages_title": "<b>Sales pipeline</b>",
    "deal.stages_line": "{position}. {name} — {probability}%",
    "deal.stages_hint": "Change the open stages (won and lost always follow): <code>/stages lead "
                        "10, qualified 25, demo 40, proposal 60, negotiation 80</code>",
    "deal.stages_saved": "✅ Pipeline updated.",
    "deal.stages_forbidden": "Only an admin can change the pipeline.",
    "deal.stage_item": "I can't read “{value}”: write each stage as a name and a percentage, "
                       "e.g. <code>demo 40</code>.",
    "deal.stage_count": "The pipeline needs {low} to {high} open stages (you gave {count}).",
    "deal.stage_key": "“{stage}” can't be a stage name: use lowercase latin letters, digits and _ "
                      "(up to 30).",
    "deal.stage_reserved": "“{stage}” is always at the end of the pipeline; list only the open "
                           "stages.",
    "deal.stage_duplicate": "Stage “{stage}” is listed twice.",
    "deal.stage_probability": "The probability of “{stage}” must be from 0 to 99% (got {value}).",
}

ZH: dict[str, str] = {
    "help.deal": "新建商机：/deal 联系人 标题 金额 [close 日期]",
    "help.deals": "按阶段查看进行中的商机",
    "help.won": "标记赢单：/won [商机或联系人]",
    "help.lost": "标记输单：/lost 原因",
    "help.stages": "查看或修改销售阶段",
    "stage.lead": "线索", "stage.qualified": "已确认", "stage.proposal": "方案",
    "stage.negotiation": "谈判", "stage.won": "赢单", "stage.lost": "输单",
    "deal.status_open": "进行中", "deal.status_won": "赢单 🏆", "deal.status_lost": "输单",
    "deal.usage": (
        "用法：<code>/deal 联系人 标题 金额 [close 日期]</code>\n"
        "示例：<code>/deal 张伟 ERP升级 5万 close 2026-12-31</code>\n"
        "也可以只发 /deal，我会一步步询问。"
    ),
    "deal.need_amount": "没找到金额。请把金额放在标题后面，例如 "
                        "<code>/deal 张伟 ERP升级 50000</code>",
    "deal.need_title": "这个商机是关于什么的？请在联系人和金额之间写标题，例如 "
                       "<code>/deal 张伟 ERP升级 50000</code>",
    "deal.amount_negative": "商机金额不能为负数。示例：50000、5万、50k。",
    "deal.amount_zero": "商机金额必须大于零。示例：50000、5万、50k。",
    "deal.bad_date": "无法把“{value}”识别为日期。示例：2026-12-31、下周五、next friday。",
    "deal.close_past": "{date} 已经过去了；预计成交日期必须是今天或以后。",
    "deal.title_required": "商机需要一个标题，例如“ERP升级”。",
    "deal.title_too_long": "标题太长（上限 {limit} 字）。",
    "deal.ask_contact": "新建商机。是哪位联系人？（姓名、电话或公司）",
    "deal.ask_title": "与 <b>{name}</b> 的新商机。是关于什么的？（简短标题）",
    "deal.ask_amount": "金额？例如 50000、5万、50k",
    "deal.ask_close": "预计成交日期？例如 2026-12-31、下周五——或点跳过。",
    "deal.created": "✅ 已创建商机 <b>{title}</b>，阶段：{stage}。",
    "deal.card_title": "💼 <b>{title}</b>",
    "deal.card_contact": "联系人：{name}",
    "deal.card_owner": "负责人：{owner}",
    "deal.card_amount": "金额：{amount}",
    "deal.card_stage": "阶段：{stage}（{probability}%）",
    "deal.card_stage_removed": "阶段：{stage}（{probability}%，已不在销售流程中）",
    "deal.card_weighted": "加权金额：{amount}",
    "deal.card_close": "预计成交：{date}",
    "deal.card_status": "状态：{status}",
    "deal.card_days": "在此阶段天数：{days}",
    "deal.card_lost_reason": "输单原因：{reason}",
    "deal.card_history": "<b>阶段记录</b>",
    "deal.history_created": "{when} — {member} 创建于 {stage}",
    "deal.history_move": "{when} — {from_stage} → {to_stage}（{member}）",
    "deal.button_move": "➡ {stage}",
    "deal.button_won": "🏆 赢单", "deal.button_lost": "❌ 输单",
    "deal.button_close": "📅 设置成交日期", "deal.button_contact": "👤 {name}",
    "deal.button_new": "💼 新建商机",
    "deal.not_found": "该商机不存在，或不在您的可见范围内。",
    "deal.closed": "该商机已经关闭。",
    "deal.unknown_stage": "您的销售流程中没有进行中的阶段“{stage}”。",
    "deal.same_stage": "商机已经在这个阶段了。",
    "deal.moved": "已移到{stage}。",
    "deal.won": "🏆 赢单：<b>{title}</b>（{amount}）。干得好！",
    "deal.ask_reason": "<b>{title}</b> 为什么输单？（一句话）",
    "deal.reason_required": "请简单说明输单原因，例如 <code>/lost 价格太高</code>",
    "deal.reason_too_long": "原因太长（上限 {limit} 字）。",
    "deal.lost_saved": "已标记输单：<b>{title}</b>。",
    "deal.ask_close_date": "<b>{title}</b> 预计什么时候成交？例如 2026-12-31、下周五"
                           "（发送 - 清除）",
    "deal.close_saved": "✅ 预计成交日期已设为 {date}。",
    "deal.close_cleared": "✅ 已清除预计成交日期。",
    "deal.none_open": "没有进行中的商机。用 <code>/deal</code> 新建一个。",
    "deal.no_deal_match": "没有进行中的商机匹配“{query}”。/deals 可查看全部。",
    "deal.choose_won": "哪个商机赢单了？",
    "deal.choose_lost": "哪个商机输单了？",
    "deal.more": "……另有 {count} 个未显示为按钮。",
    "deal.pipeline_title": "<b>进行中的商机：{count}</b> · 合计 {total} · 加权 {weighted}",
    "deal.pipeline_stage": "<b>{stage}</b> {probability}% — {count} 个 · {total} · "
                           "加权 {weighted}",
    "deal.pipeline_removed": "<b>{stage}</b>（已删除的阶段）— {count} 个 · {total} · "
                             "加权 {weighted}",
    "deal.section_title": "<b>进行中的商机</b>",
    "deal.section_line": "💼 {title} — {stage} — {amount}",
    "deal.stages_title": "<b>销售流程</b>",
    "deal.stages_line": "{position}. {name} — {probability}%",
    "deal.stages_hint": "修改进行中的阶段（赢单和输单始终在最后）：<code>/stages lead 10, "
                        "qualified 25, demo 40, proposal 60, negotiation 80</code>",
    "deal.stages_saved": "✅ 销售流程已更新。",
    "deal.stages_forbidden": "只有管理员可以修改销售流程。",
    "deal.stage_item": "无法识别“{value}”：每个阶段写成名称加百分比，例如 <code>demo 40</code>。",
    "deal.stage_count": "销售流程需要 {low} 到 {high} 个进行中的阶段（您给了 {count} 个）。",
    "deal.stage_key": "“{stage}”不能作为阶段名：请用小写英文字母、数字和 _（最多 30 个字符）。",
    "deal.stage_reserved": "“{stage}”始终在销售流程末尾；只需列出进行中的阶段。",
    "deal.stage_duplicate": "阶段“{stage}”重复了。",
    "deal.stage_probability": "“{stage}”的赢率必须在 0 到 99% 之间（收到 {value}）。",
}
