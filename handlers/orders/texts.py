"""Catalog of the orders area: English (EN) and 简体中文 (ZH) side by side, same keys."""

EN: dict[str, str] = {
    "help.order": "record an order: /order name amount [margin] [note]",
    "help.paid": "record a payment: /paid #order|name amount",
    "help.receivables": "who still owes money, oldest first",
    # /order
    "order.usage": (
        "Usage: <code>/order name amount [margin] [note]</code>\n"
        "Example: <code>/order 张伟 5万 30% 50 valves</code> or "
        "<code>/order John Smith 12000 3000</code>"
    ),
    "order.need_amount": (
        "How much was the order? Put the amount after the name, e.g. "
        "<code>/order 张伟 50000</code>"
    ),
    "order.amount_zero": "The amount must be more than zero.",
    "order.amount_negative": "“{value}” is negative: an amount must be more than zero.",
    "order.amount_positive": "The amount must be more than zero.",
    "order.margin_negative": "The margin cannot be negative.",
    "order.margin_invalid": "“{value}” is not a margin. Examples: 30%, 毛利30%, 15000",
    "order.margin_too_large": "The margin ({margin}) cannot be larger than the amount ({amount}).",
    "order.not_found": "That order does not exist or is not yours to see.",
    "order.created": "✅ Order #{id} recorded.",
    "order.title": "🧾 <b>Order #{id}</b> · {name}",
    "order.date": "Date: {when}",
    "order.amount": "Amount: {amount}",
    "order.margin": "Margin: {margin} ({percent}%)",
    "order.paid": "Paid: {paid}",
    "order.balance": "Balance: <b>{balance}</b>",
    "order.status": "Status: {status}",
    "order.status_open": "open", "order.status_paid": "paid",
    "order.status_cancelled": "cancelled",
    "order.note": "Note: {note}",
    "order.payments": "<b>Payments</b>",
    "order.payment_line": "• {when} · {amount} · {who}",
    "order.no_payments": "No payments yet.",
    "order.button_customer": "👤 Customer",
    "order.button_open": "🧾 Order #{id}",
    "order.history_title": "<b>Purchases</b>",
    "order.history_open": "#{id} · {date} · {amount} · paid {paid} · owes {balance}",
    "order.history_paid": "#{id} · {date} · {amount} · ✅ paid",
    "order.history_totals": "Lifetime {revenue} · open balance {balance} · orders: {count}",
    # /paid
    "paid.usage": (
        "Usage: <code>/paid #order amount</code> or <code>/paid name amount</code>\n"
        "Example: <code>/paid #12 20000</code> or <code>/paid 张伟 2万</code>"
    ),
    "paid.need_amount": (
        "How much was paid? Put the amount after the order, e.g. <code>/paid #12 20000</code>"
    ),
    "paid.no_open_orders": "<b>{name}</b> has no unpaid orders.",
    "paid.choose_order": "<b>{name}</b> has several unpaid orders. Which one is the {amount} for?",
    "paid.choice": "#{id} · {date} · {amount} · owes {balance}",
    "paid.saved": (
        "✅ Received {amount} on order #{id} ({name}).\n"
        "Paid {paid} of {total} · balance <b>{balance}</b>"
    ),
    "paid.settled": "🎉 Order #{id} is fully paid.",
    "paid.over_balance": (
        "{amount} is more than the balance of order #{order}: only {balance} is still owed."
    ),
    "paid.already_paid": "Order #{order} is already fully paid.",
    "paid.not_open": "Order #{order} is cancelled: it takes no payments.",
    # /receivables
    "receivables.title": "<b>Receivables</b> (page {page}/{pages}, oldest unpaid first)",
    "receivables.line": "{n}. <b>{name}</b> — {amount} · open orders: {orders} · "
                        "oldest {days} days",
    "receivables.total": "<b>Total owed: {total}</b> by {customers} customers",
    "receivables.none": "Nobody owes anything: every order you can see is paid. 🎉",
    "receivables.prev": "◀ Previous",
    "receivables.next": "Next ▶",
}

ZH: dict[str, str] = {
    "help.order": "记录订单：/order 姓名 金额 [毛利] [备注]",
    "help.paid": "记录回款：/paid #订单号|姓名 金额",
    "help.receivables": "应收款：谁还欠款，最早的在前",
    # /order
    "order.usage": (
        "用法：<code>/order 姓名 金额 [毛利] [备注]</code>\n"
        "示例：<code>/order 张伟 5万 30% 50个阀门</code> 或 "
        "<code>/order John Smith 12000 3000</code>"
    ),
    "order.need_amount": "订单金额是多少？请在姓名后写金额，例如 <code>/order 张伟 50000</code>",
    "order.amount_zero": "金额必须大于零。",
    "order.amount_negative": "“{value}”是负数：金额必须大于零。",
    "order.amount_positive": "金额必须大于零。",
    "order.margin_negative": "毛利不能为负数。",
    "order.margin_invalid": "“{value}”不是有效的毛利。示例：30%、毛利30%、15000",
    "order.margin_too_large": "毛利（{margin}）不能大于订单金额（{amount}）。",
    "order.not_found": "该订单不存在，或您无权查看。",
    "order.created": "✅ 已记录订单 #{id}。",
    "order.title": "🧾 <b>订单 #{id}</b> · {name}",
    "order.date": "日期：{when}",
    "order.amount": "金额：{amount}",
    "order.margin": "毛利：{margin}（{percent}%）",
    "order.paid": "已付：{paid}",
    "order.balance": "未付：<b>{balance}</b>",
    "order.status": "状态：{status}",
    "order.status_open": "未结清", "order.status_paid": "已结清",
    "order.status_cancelled": "已取消",
    "order.note": "备注：{note}",
    "order.payments": "<b>回款记录</b>",
    "order.payment_line": "• {when} · {amount} · {who}",
    "order.no_payments": "还没有回款。",
    "order.button_customer": "👤 客户",
    "order.button_open": "🧾 订单 #{id}",
    "order.history_title": "<b>购买记录</b>",
    "order.history_open": "#{id} · {date} · {amount} · 已付 {paid} · 未付 {balance}",
    "order.history_paid": "#{id} · {date} · {amount} · ✅ 已结清",
    "order.history_totals": "累计 {revenue} · 未付 {balance} · 订单数：{count}",
    # /paid
    "paid.usage": (
        "用法：<code>/paid #订单号 金额</code> 或 <code>/paid 姓名 金额</code>\n"
        "示例：<code>/paid #12 20000</code> 或 <code>/paid 张伟 2万</code>"
    ),
    "paid.need_amount": "回款金额是多少？请在订单后写金额，例如 <code>/paid #12 20000</code>",
    "paid.no_open_orders": "<b>{name}</b> 没有未结清的订单。",
    "paid.choose_order": "<b>{name}</b> 有多笔未结清订单，这笔 {amount} 属于哪一笔？",
    "paid.choice": "#{id} · {date} · {amount} · 未付 {balance}",
    "paid.saved": (
        "✅ 订单 #{id}（{name}）收到 {amount}。\n"
        "已付 {paid} / {total} · 未付 <b>{balance}</b>"
    ),
    "paid.settled": "🎉 订单 #{id} 已全部结清。",
    "paid.over_balance": "{amount} 超过订单 #{order} 的未付余额：只剩 {balance} 未付。",
    "paid.already_paid": "订单 #{order} 已全部结清。",
    "paid.not_open": "订单 #{order} 已取消，不能再记录回款。",
    # /receivables
    "receivables.title": "<b>应收款</b>（第 {page}/{pages} 页，最早未付的在前）",
    "receivables.line": "{n}. <b>{name}</b> — {amount} · 未结订单：{orders} · 最早已 {days} 天",
    "receivables.total": "<b>应收合计：{total}</b>，共 {customers} 位客户",
    "receivables.none": "没有欠款：您能看到的订单都已结清。🎉",
    "receivables.prev": "◀ 上一页",
    "receivables.next": "下一页 ▶",
}
