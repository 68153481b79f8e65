"""Catalog of the segments area: English (EN) and 简体中文 (ZH) side by side, same keys."""

EN: dict[str, str] = {
    "help.segments": (
        "customer segments: RFM, value tiers, value score, lifecycle — "
        "/segments [city X] [industry X] [tag X] [owner X] [stage X]"
    ),
    "segments.usage": (
        "Usage: <code>/segments</code> or <code>/segments filter value …</code>\n"
        "Filters: city (or region), industry, tag, owner, stage "
        "(prospect, new, active, at_risk, lost).\n"
        "Examples: <code>/segments city 上海 industry 制造</code>, "
        "<code>/segments owner 李明</code>, <code>/segments stage at_risk</code>"
    ),
    "segments.bad_filter": (
        "“{word}” is not a filter. Use city, industry, tag, owner or stage, e.g. "
        "<code>/segments city 上海 industry 制造</code>"
    ),
    "segments.filter_value_missing": (
        "Put a value after “{word}”, e.g. <code>/segments city 上海</code>"
    ),
    "segments.filter_twice": "“{word}” is given twice: give each filter once.",
    "segments.filter_too_long": "A filter value can be at most {limit} characters.",
    "segments.bad_stage": (
        "“{value}” is not a lifecycle stage. Use prospect, new, active, at_risk or lost."
    ),
    "segments.owner_unknown": "Nobody you can see in the team is called “{name}”.",
    "segments.owner_ambiguous": "“{name}” could be {names}. Type more of the name.",
    "segments.empty": "No customers yet: add some with /add.",
    "segments.no_match": "No customers match {filters}.",
    "segments.title": "📊 <b>Customer segments</b>",
    "segments.filters": "Filters: {filters}",
    "segments.customers": "Customers: <b>{count}</b> · RFM window: last {days} days",
    "segments.as_of": "<i>Figures as of {time}: a team this size is recomputed every hour. "
                      "New and deleted customers and owner changes show at once.</i>",
    "segments.rfm_title": "<b>RFM segments</b> (customers · revenue in the window)",
    "segments.rfm_line": "{label}: {count} · {revenue}",
    "segments.no_buyers": "Nobody bought in the last {days} days.",
    "segments.no_purchases": "No purchases in the window: {count}",
    "segments.abc_title": "<b>Value tiers</b> (ABC on margin: customers · share of margin)",
    "segments.tier_line": "{tier}: {count} · {share}",
    "segments.top_share": "Top 20% of buyers ({count}) make <b>{share}</b> of revenue",
    "segments.value_title": "<b>Value score</b> (strategic at {threshold} or more)",
    "segments.value_line": "Strategic: {strategic} · General: {general}",
    "segments.stage_title": "<b>Lifecycle</b>",
    "segments.stage_count": "{label} {count}",
    "segments.button_group": "{label} ({count})",
    "segments.list_title": "<b>{label}</b> · customers: {count} · page {page}/{pages}",
    "segments.list_line": "{n}. <b>{name}</b> · {owner} · {revenue} · {details}",
    "segments.list_details": "R{r} F{f} M{m} · tier {tier} · score {score} · {stage}",
    "segments.stage_short": "{stage}",
    "segments.list_empty": "Nobody is in this group any more.",
    "segments.prev": "◀ Previous",
    "segments.next": "Next ▶",
    "segments.back": "⬅ Segments",
    "segments.card_title": "<b>Segment</b>",
    "segments.card_rfm": "RFM: {segment} (R{r} F{f} M{m}) · tier {tier}",
    "segments.card_value": "Value score: {score}/100 · {klass}",
    "segments.card_no_purchases": "RFM: no purchases in the last {days} days",
    "segments.card_stage": "Lifecycle: {stage}",
    "segments.f_city": "city/region {value}",
    "segments.f_industry": "industry {value}",
    "segments.f_tag": "tag {value}",
    "segments.f_owner": "owner {value}",
    "segments.f_stage": "stage {value}",
    "segments.rfm_champions": "Champions", "segments.rfm_loyal": "Loyal",
    "segments.rfm_potential_loyalist": "Potential loyalist", "segments.rfm_new": "New",
    "segments.rfm_promising": "Promising", "segments.rfm_need_attention": "Need attention",
    "segments.rfm_about_to_sleep": "About to sleep", "segments.rfm_at_risk": "At risk",
    "segments.rfm_cannot_lose": "Cannot lose", "segments.rfm_hibernating": "Hibernating",
    "segments.rfm_lost": "Lost", "segments.rfm_none": "No purchases",
    "segments.tier_a": "Tier A", "segments.tier_b": "Tier B", "segments.tier_c": "Tier C",
    "segments.tier_none": "No tier",
    "segments.class_strategic": "Strategic", "segments.class_general": "General",
    "segments.class_none": "Not scored",
    "segments.stage_prospect": "Prospect", "segments.stage_new": "New",
    "segments.stage_active": "Active", "segments.stage_at_risk": "At risk",
    "segments.stage_lost": "Lost",
}

ZH: dict[str, str] = {
    "help.segments": (
        "客户分群：RFM、价值分级、价值评分、生命周期 — "
        "/segments [城市 X] [行业 X] [标签 X] [负责人 X] [阶段 X]"
    ),
    "segments.usage": (
        "用法：<code>/segments</code> 或 <code>/segments 条件 值 …</code>\n"
        "条件：城市（或地区）、行业、标签、负责人、阶段（潜在、新客户、活跃、有风险、流失）。\n"
        "示例：<code>/segments 城市 上海 行业 制造</code>、"
        "<code>/segments 负责人 李明</code>、<code>/segments 阶段 有风险</code>"
    ),
    "segments.bad_filter": (
        "“{word}”不是筛选条件。请用 城市、行业、标签、负责人 或 阶段，例如 "
        "<code>/segments 城市 上海 行业 制造</code>"
    ),
    "segments.filter_value_missing": (
        "请在“{word}”后面写上值，例如 <code>/segments 城市 上海</code>"
    ),
    "segments.filter_twice": "“{word}”出现了两次：每个条件只写一次。",
    "segments.filter_too_long": "筛选值最多 {limit} 个字符。",
    "segments.bad_stage": "“{value}”不是生命周期阶段。请用 潜在、新客户、活跃、有风险 或 流失。",
    "segments.owner_unknown": "您能看到的团队成员中没有“{name}”。",
    "segments.owner_ambiguous": "“{name}”可能是 {names}，请输入更完整的名字。",
    "segments.empty": "还没有客户：用 /add 添加。",
    "segments.no_match": "没有符合 {filters} 的客户。",
    "segments.title": "📊 <b>客户分群</b>",
    "segments.filters": "筛选：{filters}",
    "segments.customers": "客户：<b>{count}</b> · RFM 时间窗：最近 {days} 天",
    "segments.as_of": "<i>数据截至 {time}：这么大的团队每小时重算一次。"
                      "新增、删除的客户和负责人变更会立即体现。</i>",
    "segments.rfm_title": "<b>RFM 分群</b>（客户数 · 时间窗内收入）",
    "segments.rfm_line": "{label}：{count} · {revenue}",
    "segments.no_buyers": "最近 {days} 天没有客户下单。",
    "segments.no_purchases": "时间窗内未购买：{count}",
    "segments.abc_title": "<b>价值分级</b>（按毛利 ABC 分类：客户数 · 毛利占比）",
    "segments.tier_line": "{tier}：{count} · {share}",
    "segments.top_share": "前 20% 的购买客户（{count} 个）贡献 <b>{share}</b> 的收入",
    "segments.value_title": "<b>价值评分</b>（{threshold} 分及以上为战略客户）",
    "segments.value_line": "战略客户：{strategic} · 一般客户：{general}",
    "segments.stage_title": "<b>生命周期</b>",
    "segments.stage_count": "{label} {count}",
    "segments.button_group": "{label}（{count}）",
    "segments.list_title": "<b>{label}</b> · {count} 个客户 · 第 {page}/{pages} 页",
    "segments.list_line": "{n}. <b>{name}</b> · {owner} · {revenue} · {details}",
    "segments.list_details": "R{r} F{f} M{m} · {tier} 级 · {score} 分 · {stage}",
    "segments.stage_short": "{stage}",
    "segments.list_empty": "这一组现在没有客户了。",
    "segments.prev": "◀ 上一页",
    "segments.next": "下一页 ▶",
    "segments.back": "⬅ 客户分群",
    "segments.card_title": "<b>客户分群</b>",
    "segments.card_rfm": "RFM：{segment}（R{r} F{f} M{m}）· {tier} 级",
    "segments.card_value": "价值评分：{score}/100 · {klass}",
    "segments.card_no_purchases": "RFM：最近 {days} 天没有购买",
    "segments.card_stage": "生命周期：{stage}",
    "segments.f_city": "城市/地区 {value}",
    "segments.f_industry": "行业 {value}",
    "segments.f_tag": "标签 {value}",
    "segments.f_owner": "负责人 {value}",
    "segments.f_stage": "阶段 {value}",
    "segments.rfm_champions": "重要价值客户", "segments.rfm_loyal": "忠诚客户",
    "segments.rfm_potential_loyalist": "潜力客户", "segments.rfm_new": "新客户",
    "segments.rfm_promising": "有希望的客户", "segments.rfm_need_attention": "需要关注",
    "segments.rfm_about_to_sleep": "即将沉睡", "segments.rfm_at_risk": "有流失风险",
    "segments.rfm_cannot_lose": "不能流失", "segments.rfm_hibernating": "沉睡客户",
    "segments.rfm_lost": "已流失", "segments.rfm_none": "未购买",
    "segments.tier_a": "A 级", "segments.tier_b": "B 级", "segments.tier_c": "C 级",
    "segments.tier_none": "无分级",
    "segments.class_strategic": "战略客户", "segments.class_general": "一般客户",
    "segments.class_none": "未评分",
    "segments.stage_prospect": "潜在客户", "segments.stage_new": "新客户",
    "segments.stage_active": "活跃", "segments.stage_at_risk": "有风险",
    "segments.stage_lost": "已流失",
}
