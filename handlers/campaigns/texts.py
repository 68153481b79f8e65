"""Catalog of the campaigns area: English (EN) and 简体中文 (ZH) side by side, same keys."""

EN: dict[str, str] = {
    "help.campaign": "new campaign over a segment (form; managers)",
    "help.campaigns": "campaigns; /campaigns name: your drafts and the results",
    # the /campaign form
    "campaign.ask_name": (
        "🎯 New campaign. Its <b>name</b>? Add the goal after a colon if you like, e.g. "
        "<code>Win back Q3: reorders of valves</code>"
    ),
    "campaign.ask_audience": (
        "<b>Who</b>? Separate conditions by commas: an RFM segment (at risk, champions, "
        "loyal…), <code>tier A</code>, a city or region, <code>industry valves</code>, "
        "<code>tag vip</code>, <code>stage active</code>, <code>birthday 5</code> (month). "
        "Example: <code>At risk, tier A, Shanghai</code>. <code>all</code>: every customer."
    ),
    "campaign.audience_size": "👥 {count} customers match.",
    "campaign.ask_channel": "<b>Channel</b>?",
    "campaign.ask_template": (
        "The <b>message template</b>. Placeholders: {{name}} {{company}} {{last_product}} "
        "{{points}} {{tier}} {{coupon}}. Send <code>-</code> for the standard one."
    ),
    "campaign.ask_timing": (
        "<b>Timing</b>: days it runs, conversion window in days, control group % held out, "
        "and if it should not start today, <code>from</code> a date. "
        "Example: <code>30 45 10</code> or <code>30 45 10 from 2026-11-05</code> "
        "(or <code>from next monday</code>)."
    ),
    "campaign.button_defaults": "30 days · window 30 · no control group",
    "campaign.default_template": (
        "Hello {name}, thank you for working with us. You have {points} points; "
        "may I tell you about our new offer?"
    ),
    "campaign.preview": (
        "🎯 <b>{name}</b>{goal}\nWho: {audience}\nChannel: {channel}\n"
        "Runs {start} → {end} ({days} days) · conversion window {window} days · "
        "control group {control}%\n"
        "Template: <i>{template}</i>\n\n👥 <b>{count}</b> customers; Confirm gives each one "
        "to their owner."
    ),
    "campaign.button_confirm": "✅ Confirm",
    "campaign.created": (
        "✅ Campaign <b>{name}</b> started: {reached} customers for {reps} reps, "
        "{held} held out as the control group."
    ),
    "campaign.scheduled": (
        "🗓 Campaign <b>{name}</b> scheduled from {start}: {reached} customers for {reps} reps, "
        "{held} held out as the control group. Reps are told and see their drafts on {start}; "
        "only orders from then on count."
    ),
    "campaign.audience_all": "all customers",
    "campaign.audience_segment": "segment {value}",
    "campaign.audience_tier": "tier {value}",
    "campaign.audience_city": "city/region {value}",
    "campaign.audience_industry": "industry {value}",
    "campaign.audience_tag": "tag {value}",
    "campaign.audience_stage": "stage {value}",
    "campaign.audience_birthday_month": "birthday in month {value}",
    "campaign.channel.call": "📞 Call",
    "campaign.channel.visit": "🚶 Visit",
    "campaign.channel.message": "💬 Message",
    "campaign.channel.email": "✉️ Email",
    "campaign.channel.wechat": "🟢 WeChat",
    # errors
    "campaign.managers_only": "Only managers and admins create campaigns.",
    "campaign.bad_name": "A campaign needs a name of at most {limit} characters.",
    "campaign.name_taken": "There is already a campaign called “{name}”.",
    "campaign.bad_segment": "“{value}” is not an RFM segment (at risk, champions, loyal…).",
    "campaign.bad_tier": "“{value}” is not a value tier: use A, B or C.",
    "campaign.bad_stage": "“{value}” is not a lifecycle stage: prospect, new, active, "
                          "at_risk or lost.",
    "campaign.bad_month": "A birthday month is 1 to 12.",
    "campaign.bad_condition": "I do not understand “{value}”. {hint}",
    "campaign.bad_channel": "“{value}” is not a channel: call, visit, message, email, wechat.",
    "campaign.bad_days": "Days and the window are 1 to 366.",
    "campaign.bad_control": "The control group is 0 to 50% of the audience.",
    "campaign.bad_timing": "Three numbers, please: days, window, control %, and optionally "
                           "<code>from</code> a start date. E.g. <code>30 45 10</code> or "
                           "<code>30 45 10 from 2026-11-05</code>",
    "campaign.bad_start_date": "I cannot read “{value}” as a start date. E.g. "
                               "<code>from 2026-11-05</code> or <code>from next monday</code>.",
    "campaign.start_past": "{date} has passed: a campaign starts today or later.",
    "campaign.bad_start": "A campaign starts at most {limit} days ahead.",
    "campaign.not_started": "This campaign has not started yet.",
    "campaign.empty": "No customer matches: nothing to start.",
    "campaign.not_found": "No campaign “{name}” that you can see.",
    "campaign.target_not_found": "That customer is not one of your campaign targets.",
    # /campaigns
    "campaigns.none": "No campaigns yet. Managers start one with /campaign.",
    "campaigns.title": "🎯 <b>Campaigns</b>",
    "campaigns.line": "<b>{name}</b> · {channel} · {start} → {end} · {targets} customers",
    "campaigns.button_drafts": "📋 {name}",
    "campaigns.button_report": "📊 {name}",
    "campaigns.scheduled": "🗓 scheduled",
    # drafts
    "drafts.none": "You have no customers in <b>{name}</b>.",
    "drafts.not_yet": "🗓 <b>{name}</b> starts on {date}: your drafts open then.",
    "drafts.title": "🎯 <b>{campaign}</b> · {n}/{total} · {channel}",
    "drafts.customer": "<b>{name}</b>{company} · {points} points · member tier {tier}",
    "drafts.phone": "📞 {phone}",
    "drafts.outcome": "Status: {outcome}",
    "drafts.draft": "Draft:\n<i>{text}</i>",
    "drafts.outcome.pending": "to do",
    "drafts.outcome.contacted": "✅ contacted",
    "drafts.outcome.responded": "💬 responded",
    "drafts.outcome.not_interested": "🚫 not interested",
    "drafts.outcome.skipped": "⏭ skipped",
    "drafts.button.contacted": "✅ Contacted",
    "drafts.button.responded": "💬 Responded",
    "drafts.button.not_interested": "🚫 Not interested",
    "drafts.button.skipped": "⏭ Skip",
    "drafts.prev": "◀️",
    "drafts.next": "▶️",
    "drafts.saved": "Saved.",
    # evaluation
    "report.campaign_title": "📊 <b>{name}</b> · {channel} · window {start} → {end}",
    "report.campaign_totals": (
        "Customers {targets} · reached {reached} ({reached_rate}) · responded {responded} "
        "({responded_rate}) · converted {converted} ({converted_rate})\n"
        "Revenue attributed: <b>{revenue}</b>"
    ),
    "report.campaign_rep": "{name}: {targets} · reached {reached} · responded {responded} · "
                           "converted {converted} · {revenue}",
    "report.campaign_control": (
        "Control group: {targets} held out · converted {converted} ({converted_rate})\n"
        "Lift: <b>{lift}</b> conversion points"
    ),
    "report.campaign_no_control": "No control group: no lift to measure.",
    "report.campaign_per_rep": "<b>Per rep</b>",
    "reminders.campaign_assigned": (
        "🎯 New campaign <b>{name}</b> from {by}: {customers} of your customers to reach "
        "({channel}). Drafts are ready."
    ),
    "reminders.campaign_open": "📋 Open my drafts",
}

ZH: dict[str, str] = {
    "help.campaign": "新建营销活动（表单；经理）",
    "help.campaigns": "营销活动；/campaigns 名称：您的草稿与效果",
    "campaign.ask_name": (
        "🎯 新建营销活动。活动<b>名称</b>？可在冒号后写目标，例如 "
        "<code>三季度召回：阀门复购</code>"
    ),
    "campaign.ask_audience": (
        "<b>目标客户</b>？多个条件用逗号分隔：RFM 分群（at risk、champions、loyal…）、"
        "<code>tier A</code>、城市或地区、<code>industry 阀门</code>、<code>tag vip</code>、"
        "<code>stage active</code>、<code>birthday 5</code>（生日月份）。"
        "例如：<code>At risk, tier A, 上海</code>。<code>all</code>：全部客户。"
    ),
    "campaign.audience_size": "👥 符合条件的客户：{count} 位。",
    "campaign.ask_channel": "<b>触达渠道</b>？",
    "campaign.ask_template": (
        "<b>话术模板</b>。可用占位符：{{name}} {{company}} {{last_product}} {{points}} "
        "{{tier}} {{coupon}}。发送 <code>-</code> 使用标准模板。"
    ),
    "campaign.ask_timing": (
        "<b>时间</b>：活动天数、转化窗口天数、对照组比例 %；如不从今天开始，再加 "
        "<code>从</code> 开始日期。例如：<code>30 45 10</code> 或 "
        "<code>30 45 10 从 2026-11-05</code>（或 <code>从下周一</code>）。"
    ),
    "campaign.button_defaults": "30 天 · 窗口 30 天 · 无对照组",
    "campaign.default_template": "{name}您好，感谢一直以来的支持。您目前有 {points} 积分，"
                                 "想跟您介绍一下我们的新优惠。",
    "campaign.preview": (
        "🎯 <b>{name}</b>{goal}\n目标：{audience}\n渠道：{channel}\n"
        "{start} → {end}（{days} 天）· 转化窗口 {window} 天 · 对照组 {control}%\n"
        "模板：<i>{template}</i>\n\n👥 共 <b>{count}</b> 位客户；确认后分配给各自的负责人。"
    ),
    "campaign.button_confirm": "✅ 确认",
    "campaign.created": (
        "✅ 活动 <b>{name}</b> 已开始：{reached} 位客户分给 {reps} 位销售，"
        "{held} 位留作对照组。"
    ),
    "campaign.scheduled": (
        "🗓 活动 <b>{name}</b> 已排期，{start} 开始：{reached} 位客户分给 {reps} 位销售，"
        "{held} 位留作对照组。销售将在 {start} 收到通知并看到草稿；只有此后的订单计入转化。"
    ),
    "campaign.audience_all": "全部客户",
    "campaign.audience_segment": "分群 {value}",
    "campaign.audience_tier": "等级 {value}",
    "campaign.audience_city": "城市/地区 {value}",
    "campaign.audience_industry": "行业 {value}",
    "campaign.audience_tag": "标签 {value}",
    "campaign.audience_stage": "生命周期 {value}",
    "campaign.audience_birthday_month": "{value} 月生日",
    "campaign.channel.call": "📞 电话",
    "campaign.channel.visit": "🚶 拜访",
    "campaign.channel.message": "💬 短信",
    "campaign.channel.email": "✉️ 邮件",
    "campaign.channel.wechat": "🟢 微信",
    "campaign.managers_only": "只有经理和管理员可以创建营销活动。",
    "campaign.bad_name": "活动名称不能为空，最多 {limit} 个字符。",
    "campaign.name_taken": "已经有名为“{name}”的活动了。",
    "campaign.bad_segment": "“{value}”不是 RFM 分群（at risk、champions、loyal…）。",
    "campaign.bad_tier": "“{value}”不是价值等级：请用 A、B 或 C。",
    "campaign.bad_stage": "“{value}”不是生命周期阶段：prospect、new、active、at_risk 或 lost。",
    "campaign.bad_month": "生日月份为 1 到 12。",
    "campaign.bad_condition": "看不懂“{value}”。{hint}",
    "campaign.bad_channel": "“{value}”不是渠道：call、visit、message、email、wechat。",
    "campaign.bad_days": "天数和窗口为 1 到 366 天。",
    "campaign.bad_control": "对照组占目标客户的 0 到 50%。",
    "campaign.bad_timing": "请输入三个数字：天数、窗口、对照组 %，可再加 <code>从</code> "
                           "开始日期。例如 <code>30 45 10</code> 或 "
                           "<code>30 45 10 从 2026-11-05</code>",
    "campaign.bad_start_date": "无法把“{value}”识别为开始日期。例如 <code>从 2026-11-05</code> "
                               "或 <code>从下周一</code>。",
    "campaign.start_past": "{date} 已经过去：活动只能从今天或之后开始。",
    "campaign.bad_start": "活动最多提前 {limit} 天排期。",
    "campaign.not_started": "该活动尚未开始。",
    "campaign.empty": "没有符合条件的客户，无法开始。",
    "campaign.not_found": "没有您可见的活动“{name}”。",
    "campaign.target_not_found": "该客户不在您的活动目标中。",
    "campaigns.none": "还没有营销活动。经理可用 /campaign 新建。",
    "campaigns.title": "🎯 <b>营销活动</b>",
    "campaigns.line": "<b>{name}</b> · {channel} · {start} → {end} · {targets} 位客户",
    "campaigns.button_drafts": "📋 {name}",
    "campaigns.button_report": "📊 {name}",
    "campaigns.scheduled": "🗓 已排期",
    "drafts.none": "您在 <b>{name}</b> 中没有客户。",
    "drafts.not_yet": "🗓 <b>{name}</b> 将于 {date} 开始，届时可查看您的草稿。",
    "drafts.title": "🎯 <b>{campaign}</b> · {n}/{total} · {channel}",
    "drafts.customer": "<b>{name}</b>{company} · {points} 积分 · 会员等级 {tier}",
    "drafts.phone": "📞 {phone}",
    "drafts.outcome": "状态：{outcome}",
    "drafts.draft": "草稿：\n<i>{text}</i>",
    "drafts.outcome.pending": "待跟进",
    "drafts.outcome.contacted": "✅ 已联系",
    "drafts.outcome.responded": "💬 有回应",
    "drafts.outcome.not_interested": "🚫 不感兴趣",
    "drafts.outcome.skipped": "⏭ 跳过",
    "drafts.button.contacted": "✅ 已联系",
    "drafts.button.responded": "💬 有回应",
    "drafts.button.not_interested": "🚫 不感兴趣",
    "drafts.button.skipped": "⏭ 跳过",
    "drafts.prev": "◀️",
    "drafts.next": "▶️",
    "drafts.saved": "已保存。",
    "report.campaign_title": "📊 <b>{name}</b> · {channel} · 窗口 {start} → {end}",
    "report.campaign_totals": (
        "客户 {targets} · 已触达 {reached}（{reached_rate}）· 有回应 {responded}"
        "（{responded_rate}）· 已转化 {converted}（{converted_rate}）\n"
        "归因收入：<b>{revenue}</b>"
    ),
    "report.campaign_rep": "{name}：{targets} · 触达 {reached} · 回应 {responded} · "
                           "转化 {converted} · {revenue}",
    "report.campaign_control": (
        "对照组：{targets} 位未触达 · 转化 {converted}（{converted_rate}）\n"
        "提升：<b>{lift}</b> 个百分点"
    ),
    "report.campaign_no_control": "没有对照组，无法衡量提升。",
    "report.campaign_per_rep": "<b>按销售</b>",
    "reminders.campaign_assigned": (
        "🎯 {by} 发起了新活动 <b>{name}</b>：您有 {customers} 位客户需要触达（{channel}）。"
        "草稿已备好。"
    ),
    "reminders.campaign_open": "📋 打开我的草稿",
}
