"""Catalog of the loyalty area: English (EN) and 简体中文 (ZH) side by side, same keys."""

EN: dict[str, str] = {
    "help.points": "customer points: /points name [+n|-n reason]",
    "help.coupon": "coupons: /coupon name amount [days] · /coupon redeem CODE",
    # /points
    "points.usage": (
        "Usage: <code>/points name</code> to see a customer's points, "
        "<code>/points name +200 reason</code> or <code>/points name -50 reason</code> "
        "to change them."
    ),
    "points.bad_delta": "Points must be a whole number, not zero, at most {limit} at a time.",
    "points.need_reason": "Say why, e.g. <code>/points 张伟 +200 trade fair visit</code>",
    "points.would_go_negative": (
        "{name} has {balance} points: taking {delta} would leave a negative balance. "
        "Nothing was changed."
    ),
    "points.override_admin_only": "Only an admin may take points below zero.",
    "points.override_offer": "As an admin you may take them anyway:",
    "points.button_override": "Take anyway (admin override)",
    "points.changed": "✅ {name}: {delta} points ({reason}). Balance: <b>{balance}</b>.",
    "points.overridden": "⚠️ Admin override. {name}: {delta} points ({reason}). "
                         "Balance: <b>{balance}</b>.",
    "points.title": "⭐ <b>{name}</b> · {points} points",
    "points.tier": "Member tier: <b>{tier}</b>",
    "points.no_tier": "Member tier: none yet",
    "points.next_tier": "{missing} more points to {tier}",
    "points.entry": "{date} · {delta} · {reason}",
    "points.entry_order": "{date} · {delta} · order {reason}",
    "points.no_entries": "No points yet.",
    "loyalty.card": "⭐ Points: <b>{points}</b> · member tier: {tier}",
    "loyalty.card_coupon": "🎟 <code>{code}</code> · {value} · until {date}",
    "loyalty.tier.silver": "Silver",
    "loyalty.tier.gold": "Gold",
    "loyalty.tier.platinum": "Platinum",
    "loyalty.tier.none": "—",
    # /coupon
    "coupon.usage": (
        "Usage: <code>/coupon name amount [days] [note]</code> issues a coupon, "
        "<code>/coupon redeem CODE</code> uses one, <code>/coupon name</code> lists a "
        "customer's open coupons.\nExample: <code>/coupon 张伟 200 30 birthday</code>"
    ),
    "coupon.bad_value": "A coupon must be worth more than zero (at most 1,000,000).",
    "coupon.bad_days": "A coupon is valid for 1 to 3660 days.",
    "coupon.issued": (
        "🎟 Coupon <code>{code}</code> for {name}: {value}, valid until {date}."
    ),
    "coupon.redeemed": "✅ Coupon <code>{code}</code> ({value}) of {name} redeemed.",
    "coupon.already_redeemed": "Coupon {code} has already been redeemed.",
    "coupon.expired": "Coupon {code} has expired.",
    "coupon.not_found": "No such coupon among your customers' coupons.",
    "coupon.need_code": "Which coupon? <code>/coupon redeem CODE</code>",
    "coupon.none": "{name} has no open coupons.",
    "coupon.list_title": "🎟 <b>{name}</b> · open coupons",
    # care reminder
    "reminders.loyalty_expiring": "⏳ <b>{name}</b>: loyalty rewards about to lapse",
    "reminders.loyalty_points": "{points} points lapse {when}",
    "reminders.loyalty_coupon": "coupon <code>{code}</code> ({value}) lapses {when}",
    "reminders.kind_loyalty_expiring": "Expiring rewards",
    # /audit
    "audit.entity.loyalty": "points",
    "audit.entity.coupon": "coupon",
    "audit.entity.campaign_target": "campaign",
    "audit.field.delta": "points",
    "audit.field.balance_after": "balance",
    "audit.field.reason": "reason",
    "audit.field.code": "code",
    "audit.field.value_minor": "value",
    "audit.field.redeemed_at": "redeemed",
    "audit.field.outcome": "outcome",
}

ZH: dict[str, str] = {
    "help.points": "客户积分：/points 姓名 [+n|-n 原因]",
    "help.coupon": "优惠券：/coupon 姓名 金额 [天数] · /coupon redeem 券码",
    "points.usage": (
        "用法：<code>/points 姓名</code> 查看客户积分，"
        "<code>/points 姓名 +200 原因</code> 或 <code>/points 姓名 -50 原因</code> 调整积分。"
    ),
    "points.bad_delta": "积分须为非零整数，单次最多 {limit}。",
    "points.need_reason": "请写明原因，例如 <code>/points 张伟 +200 展会到访</code>",
    "points.would_go_negative": (
        "{name} 现有 {balance} 积分，扣除 {delta} 后将为负数。未做任何修改。"
    ),
    "points.override_admin_only": "只有管理员可以把积分扣到负数。",
    "points.override_offer": "作为管理员，您可以强制扣除：",
    "points.button_override": "仍然扣除（管理员强制）",
    "points.changed": "✅ {name}：{delta} 积分（{reason}）。余额：<b>{balance}</b>。",
    "points.overridden": (
        "⚠️ 管理员强制操作。{name}：{delta} 积分（{reason}）。余额：<b>{balance}</b>。"
    ),
    "points.title": "⭐ <b>{name}</b> · {points} 积分",
    "points.tier": "会员等级：<b>{tier}</b>",
    "points.no_tier": "会员等级：暂无",
    "points.next_tier": "再积 {missing} 分升至{tier}",
    "points.entry": "{date} · {delta} · {reason}",
    "points.entry_order": "{date} · {delta} · 订单 {reason}",
    "points.no_entries": "暂无积分记录。",
    "loyalty.card": "⭐ 积分：<b>{points}</b> · 会员等级：{tier}",
    "loyalty.card_coupon": "🎟 <code>{code}</code> · {value} · 有效期至 {date}",
    "loyalty.tier.silver": "银卡",
    "loyalty.tier.gold": "金卡",
    "loyalty.tier.platinum": "白金卡",
    "loyalty.tier.none": "—",
    "coupon.usage": (
        "用法：<code>/coupon 姓名 金额 [天数] [备注]</code> 发放优惠券，"
        "<code>/coupon redeem 券码</code> 核销，<code>/coupon 姓名</code> 查看客户未用的券。\n"
        "例如：<code>/coupon 张伟 200 30 生日</code>"
    ),
    "coupon.bad_value": "优惠券金额须大于零（最多 1,000,000）。",
    "coupon.bad_days": "优惠券有效期为 1 到 3660 天。",
    "coupon.issued": "🎟 已为 {name} 发放优惠券 <code>{code}</code>：{value}，有效期至 {date}。",
    "coupon.redeemed": "✅ {name} 的优惠券 <code>{code}</code>（{value}）已核销。",
    "coupon.already_redeemed": "优惠券 {code} 已经核销过了。",
    "coupon.expired": "优惠券 {code} 已过期。",
    "coupon.not_found": "在您的客户中没有找到这张优惠券。",
    "coupon.need_code": "哪张券？<code>/coupon redeem 券码</code>",
    "coupon.none": "{name} 没有未使用的优惠券。",
    "coupon.list_title": "🎟 <b>{name}</b> · 未使用的优惠券",
    "reminders.loyalty_expiring": "⏳ <b>{name}</b>：会员权益即将过期",
    "reminders.loyalty_points": "{points} 积分将于{when}过期",
    "reminders.loyalty_coupon": "优惠券 <code>{code}</code>（{value}）将于{when}过期",
    "reminders.kind_loyalty_expiring": "权益到期",
    "audit.entity.loyalty": "积分",
    "audit.entity.coupon": "优惠券",
    "audit.entity.campaign_target": "营销活动",
    "audit.field.delta": "积分",
    "audit.field.balance_after": "余额",
    "audit.field.reason": "原因",
    "audit.field.code": "券码",
    "audit.field.value_minor": "金额",
    "audit.field.redeemed_at": "核销时间",
    "audit.field.outcome": "结果",
}
