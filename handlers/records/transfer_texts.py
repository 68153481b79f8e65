"""Catalog of the transfer area: English (EN) and 简体中文 (ZH) side by side, same keys."""

EN: dict[str, str] = {
    "help.import": "add contacts from a CSV, Excel (XLSX) or vCard file: /import, then send it",
    "help.export": "your follow-ups as a calendar file (ICS); managers and admins also get "
                   "their visible contacts, deals and orders (XLSX, CSV)",
    "transfer.import_usage": (
        "Send me a file with contacts: CSV, Excel (.xlsx) or vCard (.vcf), at most {size} MB "
        "and {rows} rows.\n"
        "The first row names the columns, in English or Chinese: name/姓名 (required), "
        "company/公司, phone/电话/手机, email/邮箱, title/职位, city/城市, industry/行业, "
        "tags/标签.\n"
        "I show a preview first; nothing is added until you press Confirm."
    ),
    "transfer.not_a_file": (
        "I can import contacts from a file only: send a CSV, XLSX or vCard file as a document."
    ),
    "transfer.not_downloaded": "I could not download that file. Please send it again.",
    "transfer.bad_type": (
        "I can't import “{name}”: send a CSV (.csv), Excel (.xlsx) or vCard (.vcf) file."
    ),
    "transfer.old_excel": (
        "This is an old Excel file (.xls). In Excel choose File → Save As → "
        "Excel Workbook (.xlsx) or CSV UTF-8, then send it again."
    ),
    "transfer.empty": "The file has no contacts in it: nothing to import.",
    "transfer.too_big": "The file is {size} MB; the limit is {limit} MB. Split it and send "
                        "the parts one by one.",
    "transfer.too_many_rows": "The file has more than {limit} rows. Split it and send the "
                              "parts one by one.",
    "transfer.encoding": "I can't read the text of this file. Save it as CSV UTF-8 and send "
                         "it again.",
    "transfer.unreadable": "This file is damaged or not what its name says. Save it again as "
                           "CSV, XLSX or vCard and send it.",
    "transfer.bad_csv": "I can't read line {line} of this CSV file. Save it again as CSV UTF-8 "
                        "and send it.",
    "transfer.too_big_unzipped": (
        "This workbook unpacks to more than {limit} MB, far more than a contact list needs. "
        "Save just the contacts as CSV or a new XLSX and send that."
    ),
    "transfer.no_name_column": (
        "I can't find a name column. The first row must name the columns, e.g. "
        "name, company, phone (or 姓名, 公司, 电话). Found: {columns}"
    ),
    "transfer.reason.name": "no name",
    "transfer.reason.phone": "“{value}” is not a valid phone number",
    "transfer.reason.email": "“{value}” is not a valid email address",
    "transfer.reason.dup_row": "same person as row {other}",
    "transfer.reason.dup_contact": "already a contact: {name}",
    "transfer.reason.dup_hidden": "already a colleague's contact",
    "transfer.reason.open_quote": (
        "a quote (\") opens here and never closes, so the row runs into the next lines; "
        "the rows after it were read on their own"
    ),
    "transfer.reason.card_cut": "the card is cut off (no END:VCARD)",
    "transfer.preview_title": "📥 <b>Import preview</b> — {file}",
    "transfer.preview_counts": (
        "Rows read: {rows}\n✅ New contacts: <b>{ok}</b>\n"
        "♻️ Duplicates (skipped): {duplicates}\n⚠️ Errors (skipped): {errors}"
    ),
    "transfer.unit_row": "Row {row}: {reason}",
    "transfer.unit_card": "Card {row}: {reason}",
    "transfer.more_problems": "…and {count} more (see the attached list).",
    "transfer.preview_encoding": "Text encoding: {encoding}",
    "transfer.preview_hint": "Nothing is added yet. Confirm to add {count} contacts, "
                             "owned by you.",
    "transfer.nothing_new": "No new contacts in this file: nothing to add.",
    "transfer.confirm": "✅ Add {count}",
    "transfer.cancel": "✖️ Cancel",
    "transfer.problems_file": "Every skipped row ({count}) and why.",
    "transfer.expired": "This import is no longer pending. Send the file again.",
    "transfer.cancelled": "Import cancelled: nothing was added.",
    "transfer.imported": "✅ Added {created} contacts.",
    "transfer.imported_skipped": (
        "✅ Added {created} contacts. {skipped} were skipped: someone added them since the "
        "preview."
    ),
    "transfer.col.name": "Name",
    "transfer.col.company": "Company",
    "transfer.col.phone": "Phone",
    "transfer.col.email": "Email",
    "transfer.col.title": "Title",
    "transfer.col.city": "City",
    "transfer.col.industry": "Industry",
    "transfer.col.tags": "Tags",
    "transfer.col.contact": "Contact",
    "transfer.col.deal": "Deal",
    "transfer.col.amount": "Amount",
    "transfer.col.paid": "Paid",
    "transfer.col.currency": "Currency",
    "transfer.col.stage": "Stage",
    "transfer.col.status": "Status",
    "transfer.col.expected_close": "Expected close",
    "transfer.col.owner": "Owner",
    "transfer.col.created": "Created",
    "transfer.col.ordered": "Ordered",
    "transfer.col.note": "Note",
    "transfer.col.row": "Row",
    "transfer.col.problem": "Problem",
    "transfer.sheet.contacts": "Contacts",
    "transfer.sheet.deals": "Deals",
    "transfer.sheet.orders": "Orders",
    "transfer.export_xlsx": (
        "📤 Your export: {contacts} contacts, {deals} deals, {orders} orders (one sheet each)."
    ),
    "transfer.export_csv": "Contacts as CSV (opens in Excel; can be imported back).",
    "transfer.export_ics": "📅 {tasks} open follow-ups as a calendar (ICS): open it to add "
                           "them to your calendar.",
    "transfer.export_no_tasks": "No open follow-ups, so no calendar file.",
    "transfer.export_managers": "The contact export is for managers and admins.",
    "transfer.calendar_name": "CRM follow-ups",
}

ZH: dict[str, str] = {
    "help.import": "从 CSV、Excel（XLSX）或 vCard 文件导入联系人：/import，然后发送文件",
    "help.export": "下载你的跟进日历（ICS）；经理和管理员还可下载可见的联系人、商机和订单"
                   "（XLSX、CSV）",
    "transfer.import_usage": (
        "请把联系人文件发给我：CSV、Excel（.xlsx）或 vCard（.vcf），不超过 {size} MB、"
        "{rows} 行。\n"
        "第一行为列名，中英文均可：姓名/name（必填）、公司/company、电话/手机/phone、"
        "邮箱/email、职位/title、城市/city、行业/industry、标签/tags。\n"
        "我会先给出预览，点击“确认”之前不会添加任何内容。"
    ),
    "transfer.not_a_file": "只能从文件导入联系人：请以文件形式发送 CSV、XLSX 或 vCard。",
    "transfer.not_downloaded": "无法下载这个文件，请重新发送。",
    "transfer.bad_type": (
        "无法导入“{name}”：请发送 CSV（.csv）、Excel（.xlsx）或 vCard（.vcf）文件。"
    ),
    "transfer.old_excel": (
        "这是旧版 Excel 文件（.xls）。请在 Excel 中选择 文件 → 另存为 → "
        "Excel 工作簿（.xlsx）或 CSV UTF-8，然后重新发送。"
    ),
    "transfer.empty": "文件中没有联系人，无可导入的内容。",
    "transfer.too_big": "文件大小为 {size} MB，上限为 {limit} MB。请拆分后逐个发送。",
    "transfer.too_many_rows": "文件超过 {limit} 行。请拆分后逐个发送。",
    "transfer.encoding": "无法识别此文件的文字编码。请另存为 CSV UTF-8 后重新发送。",
    "transfer.unreadable": "文件已损坏或与扩展名不符。请重新另存为 CSV、XLSX 或 vCard 后发送。",
    "transfer.bad_csv": "无法读取此 CSV 文件的第 {line} 行。请重新另存为 CSV UTF-8 后发送。",
    "transfer.too_big_unzipped": (
        "此工作簿解压后超过 {limit} MB，远超联系人表所需。"
        "请只把联系人另存为 CSV 或新的 XLSX 后发送。"
    ),
    "transfer.no_name_column": (
        "找不到姓名列。第一行必须是列名，例如 姓名、公司、电话（或 name, company, phone）。"
        "找到的列：{columns}"
    ),
    "transfer.reason.name": "缺少姓名",
    "transfer.reason.phone": "“{value}”不是有效的电话号码",
    "transfer.reason.email": "“{value}”不是有效的邮箱地址",
    "transfer.reason.dup_row": "与第 {other} 行是同一人",
    "transfer.reason.dup_contact": "已是联系人：{name}",
    "transfer.reason.dup_hidden": "已是同事的联系人",
    "transfer.reason.open_quote": (
        "此处的引号（\"）没有闭合，本行连到了后面几行；其后的行已单独读取"
    ),
    "transfer.reason.card_cut": "名片不完整（缺少 END:VCARD）",
    "transfer.preview_title": "📥 <b>导入预览</b> — {file}",
    "transfer.preview_counts": (
        "读取行数：{rows}\n✅ 新联系人：<b>{ok}</b>\n"
        "♻️ 重复（跳过）：{duplicates}\n⚠️ 错误（跳过）：{errors}"
    ),
    "transfer.unit_row": "第 {row} 行：{reason}",
    "transfer.unit_card": "第 {row} 张名片：{reason}",
    "transfer.more_problems": "……另有 {count} 条（见附件清单）。",
    "transfer.preview_encoding": "文字编码：{encoding}",
    "transfer.preview_hint": "尚未添加任何内容。确认后将添加 {count} 位联系人，归你负责。",
    "transfer.nothing_new": "文件中没有新联系人，无需添加。",
    "transfer.confirm": "✅ 添加 {count} 位",
    "transfer.cancel": "✖️ 取消",
    "transfer.problems_file": "所有被跳过的行（{count}）及原因。",
    "transfer.expired": "此导入已失效，请重新发送文件。",
    "transfer.cancelled": "已取消导入，未添加任何内容。",
    "transfer.imported": "✅ 已添加 {created} 位联系人。",
    "transfer.imported_skipped": (
        "✅ 已添加 {created} 位联系人。另有 {skipped} 位已在预览后被他人添加，已跳过。"
    ),
    "transfer.col.name": "姓名",
    "transfer.col.company": "公司",
    "transfer.col.phone": "电话",
    "transfer.col.email": "邮箱",
    "transfer.col.title": "职位",
    "transfer.col.city": "城市",
    "transfer.col.industry": "行业",
    "transfer.col.tags": "标签",
    "transfer.col.contact": "客户",
    "transfer.col.deal": "商机",
    "transfer.col.amount": "金额",
    "transfer.col.paid": "已付",
    "transfer.col.currency": "币种",
    "transfer.col.stage": "阶段",
    "transfer.col.status": "状态",
    "transfer.col.expected_close": "预计成交",
    "transfer.col.owner": "负责人",
    "transfer.col.created": "创建时间",
    "transfer.col.ordered": "下单时间",
    "transfer.col.note": "备注",
    "transfer.col.row": "行",
    "transfer.col.problem": "问题",
    "transfer.sheet.contacts": "联系人",
    "transfer.sheet.deals": "商机",
    "transfer.sheet.orders": "订单",
    "transfer.export_xlsx": (
        "📤 导出结果：{contacts} 位联系人、{deals} 个商机、{orders} 个订单（各一张工作表）。"
    ),
    "transfer.export_csv": "联系人 CSV（可用 Excel 打开，也可重新导入）。",
    "transfer.export_ics": "📅 {tasks} 条待办跟进的日历文件（ICS）：打开即可加入你的日历。",
    "transfer.export_no_tasks": "没有待办跟进，因此没有日历文件。",
    "transfer.export_managers": "联系人导出仅限经理和管理员。",
    "transfer.calendar_name": "CRM 跟进",
}
