"""Catalog of contact import from files: English (EN) and 简体中文 (ZH), same keys."""

EN: dict[str, str] = {
    "help.import": "add contacts from a CSV, Excel (XLSX) or vCard file: /import, then send it",
    "import.usage": (
        "Send me a file with contacts: CSV, Excel (.xlsx) or vCard (.vcf), at most {size} MB "
        "and {rows} rows.\n"
        "The first row names the columns, in English or Chinese: name/姓名 (required), "
        "company/公司, phone/电话/手机, email/邮箱, title/职位, city/城市, industry/行业, "
        "tags/标签.\n"
        "I show a preview first; nothing is added until you press Confirm."
    ),
    "import.not_a_file": (
        "I can import contacts from a file only: send a CSV, XLSX or vCard file as a document."
    ),
    "import.not_downloaded": "I could not download that file. Please send it again.",
    "import.bad_type": (
        "I can't import “{name}”: send a CSV (.csv), Excel (.xlsx) or vCard (.vcf) file."
    ),
    "import.old_excel": (
        "This is an old Excel file (.xls). In Excel choose File → Save As → "
        "Excel Workbook (.xlsx) or CSV UTF-8, then send it again."
    ),
    "import.empty": "The file has no contacts in it: nothing to import.",
    "import.too_big": (
        "The file is {size} MB; the limit is {limit} MB. Split it and send "
        "the parts one by one."
    ),
    "import.too_many_rows": (
        "The file has more than {limit} rows. Split it and send the "
        "parts one by one."
    ),
    "import.encoding": (
        "I can't read the text of this file. Save it as CSV UTF-8 and send "
        "it again."
    ),
    "import.unreadable": (
        "This file is damaged or not what its name says. Save it again as "
        "CSV, XLSX or vCard and send it."
    ),
    "import.bad_csv": (
        "I can't read line {line} of this CSV file. Save it again as CSV UTF-8 "
        "and send it."
    ),
    "import.too_big_unzipped": (
        "This workbook unpacks to more than {limit} MB, far more than a contact list needs. "
        "Save just the contacts as CSV or a new XLSX and send that."
    ),
    "import.no_name_column": (
        "I can't find a name column. The first row must name the columns, e.g. "
        "name, company, phone (or 姓名, 公司, 电话). Found: {columns}"
    ),
    "import.reason.name": "no name",
    "import.reason.phone": "“{value}” is not a valid phone number",
    "import.reason.email": "“{value}” is not a valid email address",
    "import.reason.dup_row": "same person as row {other}",
    "import.reason.dup_contact": "already a contact: {name}",
    "import.reason.dup_hidden": "already a colleague's contact",
    "import.reason.open_quote": (
        "a quote (\") opens here and never closes, so the row runs into the next lines; "
        "the rows after it were read on their own"
    ),
    "import.reason.card_cut": "the card is cut off (no END:VCARD)",
    "import.preview_title": "📥 <b>Import preview</b> — {file}",
    "import.preview_counts": (
        "Rows read: {rows}\n✅ New contacts: <b>{ok}</b>\n"
        "♻️ Duplicates (skipped): {duplicates}\n⚠️ Errors (skipped): {errors}"
    ),
    "import.unit_row": "Row {row}: {reason}",
    "import.unit_card": "Card {row}: {reason}",
    "import.more_problems": "…and {count} more (see the attached list).",
    "import.preview_encoding": "Text encoding: {encoding}",
    "import.preview_hint": (
        "Nothing is added yet. Confirm to add {count} contacts, "
        "owned by you."
    ),
    "import.nothing_new": "No new contacts in this file: nothing to add.",
    "import.confirm": "✅ Add {count}",
    "import.cancel": "✖️ Cancel",
    "import.problems_file": "Every skipped row ({count}) and why.",
    "import.expired": "This import is no longer pending. Send the file again.",
    "import.cancelled": "Import cancelled: nothing was added.",
    "import.imported": "✅ Added {created} contacts.",
    "import.imported_skipped": (
        "✅ Added {created} contacts. {skipped} were skipped: someone added them since the "
        "preview."
    ),
    "import.col.row": "Row",
    "import.col.problem": "Problem",
}

ZH: dict[str, str] = {
    "help.import": "从 CSV、Excel（XLSX）或 vCard 文件导入联系人：/import，然后发送文件",
    "import.usage": (
        "请把联系人文件发给我：CSV、Excel（.xlsx）或 vCard（.vcf），不超过 {size} MB、"
        "{rows} 行。\n"
        "第一行为列名，中英文均可：姓名/name（必填）、公司/company、电话/手机/phone、"
        "邮箱/email、职位/title、城市/city、行业/industry、标签/tags。\n"
        "我会先给出预览，点击“确认”之前不会添加任何内容。"
    ),
    "import.not_a_file": "只能从文件导入联系人：请以文件形式发送 CSV、XLSX 或 vCard。",
    "import.not_downloaded": "无法下载这个文件，请重新发送。",
    "import.bad_type": (
        "无法导入“{name}”：请发送 CSV（.csv）、Excel（.xlsx）或 vCard（.vcf）文件。"
    ),
    "import.old_excel": (
        "这是旧版 Excel 文件（.xls）。请在 Excel 中选择 文件 → 另存为 → "
        "Excel 工作簿（.xlsx）或 CSV UTF-8，然后重新发送。"
    ),
    "import.empty": "文件中没有联系人，无可导入的内容。",
    "import.too_big": "文件大小为 {size} MB，上限为 {limit} MB。请拆分后逐个发送。",
    "import.too_many_rows": "文件超过 {limit} 行。请拆分后逐个发送。",
    "import.encoding": "无法识别此文件的文字编码。请另存为 CSV UTF-8 后重新发送。",
    "import.unreadable": "文件已损坏或与扩展名不符。请重新另存为 CSV、XLSX 或 vCard 后发送。",
    "import.bad_csv": "无法读取此 CSV 文件的第 {line} 行。请重新另存为 CSV UTF-8 后发送。",
    "import.too_big_unzipped": (
        "此工作簿解压后超过 {limit} MB，远超联系人表所需。"
        "请只把联系人另存为 CSV 或新的 XLSX 后发送。"
    ),
    "import.no_name_column": (
        "找不到姓名列。第一行必须是列名，例如 姓名、公司、电话（或 name, company, phone）。"
        "找到的列：{columns}"
    ),
    "import.reason.name": "缺少姓名",
    "import.reason.phone": "“{value}”不是有效的电话号码",
    "import.reason.email": "“{value}”不是有效的邮箱地址",
    "import.reason.dup_row": "与第 {other} 行是同一人",
    "import.reason.dup_contact": "已是联系人：{name}",
    "import.reason.dup_hidden": "已是同事的联系人",
    "import.reason.open_quote": "此处的引号（\"）没有闭合，本行连到了后面几行；其后的行已单独读取",
    "import.reason.card_cut": "名片不完整（缺少 END:VCARD）",
    "import.preview_title": "📥 <b>导入预览</b> — {file}",
    "import.preview_counts": (
        "读取行数：{rows}\n✅ 新联系人：<b>{ok}</b>\n"
        "♻️ 重复（跳过）：{duplicates}\n⚠️ 错误（跳过）：{errors}"
    ),
    "import.unit_row": "第 {row} 行：{reason}",
    "import.unit_card": "第 {row} 张名片：{reason}",
    "import.more_problems": "……另有 {count} 条（见附件清单）。",
    "import.preview_encoding": "文字编码：{encoding}",
    "import.preview_hint": "尚未添加任何内容。确认后将添加 {count} 位联系人，归你负责。",
    "import.nothing_new": "文件中没有新联系人，无需添加。",
    "import.confirm": "✅ 添加 {count} 位",
    "import.cancel": "✖️ 取消",
    "import.problems_file": "所有被跳过的行（{count}）及原因。",
    "import.expired": "此导入已失效，请重新发送文件。",
    "import.cancelled": "已取消导入，未添加任何内容。",
    "import.imported": "✅ 已添加 {created} 位联系人。",
    "import.imported_skipped": (
        "✅ 已添加 {created} 位联系人。另有 {skipped} 位已在预览后被他人添加，已跳过。"
    ),
    "import.col.row": "行",
    "import.col.problem": "问题",
}
