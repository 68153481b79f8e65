"""Catalog of /export: English (EN) and 简体中文 (ZH) side by side, same keys."""

EN: dict[str, str] = {
    "help.export": (
        "your follow-ups as a calendar file (ICS); managers and admins also get "
        "their visible contacts, deals and orders (XLSX, CSV)"
    ),
    "export.col.name": "Name",
    "export.col.company": "Company",
    "export.col.phone": "Phone",
    "export.col.email": "Email",
    "export.col.title": "Title",
    "export.col.city": "City",
    "export.col.industry": "Industry",
    "export.col.tags": "Tags",
    "export.col.contact": "Contact",
    "export.col.deal": "Deal",
    "export.col.amount": "Amount",
    "export.col.paid": "Paid",
    "export.col.currency": "Currency",
    "export.col.stage": "Stage",
    "export.col.status": "Status",
    "export.col.expected_close": "Expected close",
    "export.col.owner": "Owner",
    "export.col.created": "Created",
    "export.col.ordered": "Ordered",
    "export.col.note": "Note",
    "export.sheet.contacts": "Contacts",
    "export.sheet.deals": "Deals",
    "export.sheet.orders": "Orders",
    "export.xlsx": (
        "📤 Your export: {contacts} contacts, {deals} deals, {orders} orders (one sheet each)."
    ),
    "export.csv": "Contacts as CSV (opens in Excel; can be imported back).",
    "export.ics": (
        "📅 {tasks} open follow-ups as a calendar (ICS): open it to add "
        "them to your calendar."
    ),
    "export.no_tasks": "No open follow-ups, so no calendar file.",
    "export.managers": "The contact export is for managers and admins.",
    "export.calendar_name": "CRM follow-ups",
}

ZH: dict[str, str] = {
    "help.export": (
        "下载你的跟进日历（ICS）；经理和管理员还可下载可见的联系人、商机和订单"
        "（XLSX、CSV）"
    ),
    "export.col.name": "姓名",
    "export.col.company": "公司",
    "export.col.phone": "电话",
    "export.col.email": "邮箱",
    "export.col.title": "职位",
    "export.col.city": "城市",
    "export.col.industry": "行业",
    "export.col.tags": "标签",
    "export.col.contact": "客户",
    "export.col.deal": "商机",
    "export.col.amount": "金额",
    "export.col.paid": "已付",
    "export.col.currency": "币种",
    "export.col.stage": "阶段",
    "export.col.status": "状态",
    "export.col.expected_close": "预计成交",
    "export.col.owner": "负责人",
    "export.col.created": "创建时间",
    "export.col.ordered": "下单时间",
    "export.col.note": "备注",
    "export.sheet.contacts": "联系人",
    "export.sheet.deals": "商机",
    "export.sheet.orders": "订单",
    "export.xlsx": (
        "📤 导出结果：{contacts} 位联系人、{deals} 个商机、{orders} 个订单（各一张工作表）。"
    ),
    "export.csv": "联系人 CSV（可用 Excel 打开，也可重新导入）。",
    "export.ics": "📅 {tasks} 条待办跟进的日历文件（ICS）：打开即可加入你的日历。",
    "export.no_tasks": "没有待办跟进，因此没有日历文件。",
    "export.managers": "联系人导出仅限经理和管理员。",
    "export.calendar_name": "CRM 跟进",
}
