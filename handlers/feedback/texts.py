"""Catalog of the feedback area: English (EN) and 简体中文 (ZH) side by side, same keys."""

EN: dict[str, str] = {
    "help.feedback": "log feedback: /feedback name complaint|praise|suggestion|question text",
    "help.csat": "customer satisfaction score: /csat name 1-5",
    "help.nps": "net promoter score: /nps name 0-10",
    "help.resolve": "resolve feedback: /resolve id text",
    "help.complaints": "open complaints, oldest first",
    "feedback.usage": "Usage: <code>/feedback name complaint|praise|suggestion|question text"
                      "</code>\nExample: <code>/feedback 张伟 complaint delivery was late, "
                      "urgent</code>",
    "feedback.need_text": "What did the customer say? Example: "
                          "<code>/feedback 张伟 praise fast delivery</code>",
    "feedback.kind_complaint": "complaint",
    "feedback.kind_praise": "praise",
    "feedback.kind_suggestion": "suggestion",
    "feedback.kind_question": "question",
    "feedback.sev_low": "low",
    "feedback.sev_medium": "medium",
    "feedback.sev_high": "high",
    "feedback.sev_critical": "critical",
    "feedback.ask_severity": "How severe is <b>{name}</b>'s complaint?",
    "feedback.pick_severity": "Please choose the severity with the buttons (or /cancel).",
    "feedback.bad_severity": "Choose a severity: low, medium, high or critical.",
    "feedback.saved": "{icon} Logged {kind} #{id} for <b>{name}</b>.",
    "feedback.saved_complaint": "⚠️ Complaint #{id} logged for <b>{name}</b> — severity "
                                "{severity}. Owner: {owner}.\nWhen it is settled: "
                                "<code>/resolve {id} what was done</code>",
    "feedback.csat_saved": "⭐ CSAT {score}/5 saved for <b>{name}</b>.",
    "feedback.nps_saved": "📈 NPS {score}/10 saved for <b>{name}</b>.",
    "feedback.csat_usage": "Usage: <code>/csat name 1-5</code>, e.g. <code>/csat 张伟 5</code>",
    "feedback.nps_usage": "Usage: <code>/nps name 0-10</code>, e.g. <code>/nps 张伟 9</code>",
    "feedback.csat_range": "CSAT goes from 1 to 5; {value} is out of range.",
    "feedback.nps_range": "NPS goes from 0 to 10; {value} is out of range.",
    "feedback.csat_not_number": "“{value}” is not a score: CSAT is a whole number from 1 to 5.",
    "feedback.nps_not_number": "“{value}” is not a score: NPS is a whole number from 0 to 10.",
    "feedback.resolve_usage": "Usage: <code>/resolve id text</code>, e.g. "
                              "<code>/resolve 12 refunded the shipping</code>. "
                              "/complaints lists the open ones.",
    "feedback.bad_id": "“{value}” is not a feedback number. /complaints lists them.",
    "feedback.not_found": "There is no feedback #{id} that you can see.",
    "feedback.already_resolved": "#{id} is already resolved.",
    "feedback.not_resolvable": "#{id} is a score; there is nothing to resolve.",
    "feedback.need_resolution": "How was it resolved? Type a short note.",
    "feedback.ask_resolution": "How was #{id} (<b>{name}</b>) resolved? Type a short note.",
    "feedback.resolved": "✅ #{id} resolved for <b>{name}</b> after {age}.",
    "feedback.no_complaints": "No open complaints. 🎉",
    "feedback.complaints_title": "<b>Open complaints</b> ({first}–{last} of {total}, "
                                 "oldest first)",
    "feedback.complaint_line": "#{id} · <b>{name}</b> · {severity} · {age} · {owner} · "
                               "{responded}",
    "feedback.responded_yes": "responded ✅",
    "feedback.responded_no": "no response yet ⏳",
    "feedback.age_new": "&lt;1 h",
    "feedback.age_hours": "{n} h",
    "feedback.age_days": "{n} d",
    "feedback.button_resolve": "✅ Resolve #{id} {name}",
    "feedback.button_prev": "⬅ Previous",
    "feedback.button_next": "Next ➡",
    "feedback.card_title": "<b>Feedback</b>",
    "feedback.card_complaint": "⚠️ Open complaint #{id} · {severity} · {age}",
    "feedback.card_csat": "⭐ CSAT {score}/5 ({date})",
    "feedback.card_nps": "📈 NPS {score}/10 ({date})",
    "feedback.hours": "{n} h",
    "feedback.summary_title": "<b>Service, last {days} days</b>",
    "feedback.summary_open": "Open complaints: {open} · SLA breaches: {breaches} "
                             "(first response over {sla} h)",
    "feedback.summary_times": "Median first response: {first} · median resolution: "
                              "{resolution}",
    "feedback.summary_scores": "CSAT: {csat} satisfied ({csat_n} ratings) · NPS: {nps} "
                               "({nps_n} ratings)",
}

ZH: dict[str, str] = {
    "help.feedback": "记录反馈：/feedback 姓名 投诉|表扬|建议|咨询 内容",
    "help.csat": "客户满意度：/csat 姓名 1-5",
    "help.nps": "净推荐值：/nps 姓名 0-10",
    "help.resolve": "处理反馈：/resolve 编号 处理结果",
    "help.complaints": "未处理的投诉，最早的在前",
    "feedback.usage": "用法：<code>/feedback 姓名 投诉|表扬|建议|咨询 内容</code>\n"
                      "例如：<code>/feedback 张伟 投诉 发货太慢，紧急</code>",
    "feedback.need_text": "客户说了什么？例如：<code>/feedback 张伟 表扬 发货很快</code>",
    "feedback.kind_complaint": "投诉",
    "feedback.kind_praise": "表扬",
    "feedback.kind_suggestion": "建议",
    "feedback.kind_question": "咨询",
    "feedback.sev_low": "低",
    "feedback.sev_medium": "中",
    "feedback.sev_high": "高",
    "feedback.sev_critical": "紧急",
    "feedback.ask_severity": "<b>{name}</b> 的投诉严重程度？",
    "feedback.pick_severity": "请用按钮选择严重程度（或 /cancel 取消）。",
    "feedback.bad_severity": "请选择严重程度：低、中、高或紧急。",
    "feedback.saved": "{icon} 已为 <b>{name}</b> 记录{kind} #{id}。",
    "feedback.saved_complaint": "⚠️ 已为 <b>{name}</b> 记录投诉 #{id}，严重程度：{severity}。"
                                "负责人：{owner}。\n"
                                "处理完毕后：<code>/resolve {id} 处理结果</code>",
    "feedback.csat_saved": "⭐ 已为 <b>{name}</b> 记录满意度 {score}/5。",
    "feedback.nps_saved": "📈 已为 <b>{name}</b> 记录 NPS {score}/10。",
    "feedback.csat_usage": "用法：<code>/csat 姓名 1-5</code>，例如 <code>/csat 张伟 5</code>",
    "feedback.nps_usage": "用法：<code>/nps 姓名 0-10</code>，例如 <code>/nps 张伟 9</code>",
    "feedback.csat_range": "满意度（CSAT）范围是 1 到 5，{value} 超出范围。",
    "feedback.nps_range": "NPS 范围是 0 到 10，{value} 超出范围。",
    "feedback.csat_not_number": "“{value}”不是有效评分：满意度（CSAT）是 1 到 5 的整数。",
    "feedback.nps_not_number": "“{value}”不是有效评分：NPS 是 0 到 10 的整数。",
    "feedback.resolve_usage": "用法：<code>/resolve 编号 处理结果</code>，例如 "
                              "<code>/resolve 12 已退还运费</code>。"
                              "/complaints 列出未处理的投诉。",
    "feedback.bad_id": "“{value}”不是反馈编号。/complaints 可查看编号。",
    "feedback.not_found": "没有你可查看的反馈 #{id}。",
    "feedback.already_resolved": "#{id} 已经处理完毕。",
    "feedback.not_resolvable": "#{id} 是评分记录，无需处理。",
    "feedback.need_resolution": "是怎么处理的？请输入简短说明。",
    "feedback.ask_resolution": "#{id}（<b>{name}</b>）是怎么处理的？请输入简短说明。",
    "feedback.resolved": "✅ <b>{name}</b> 的 #{id} 已处理，用时 {age}。",
    "feedback.no_complaints": "没有未处理的投诉。🎉",
    "feedback.complaints_title": "<b>未处理的投诉</b>（第 {first}–{last} 条，共 {total} 条，"
                                 "最早的在前）",
    "feedback.complaint_line": "#{id} · <b>{name}</b> · {severity} · {age} · {owner} · "
                               "{responded}",
    "feedback.responded_yes": "已响应 ✅",
    "feedback.responded_no": "尚未响应 ⏳",
    "feedback.age_new": "不到1小时",
    "feedback.age_hours": "{n} 小时",
    "feedback.age_days": "{n} 天",
    "feedback.button_resolve": "✅ 处理 #{id} {name}",
    "feedback.button_prev": "⬅ 上一页",
    "feedback.button_next": "下一页 ➡",
    "feedback.card_title": "<b>反馈</b>",
    "feedback.card_complaint": "⚠️ 未处理投诉 #{id} · {severity} · {age}",
    "feedback.card_csat": "⭐ 满意度 {score}/5（{date}）",
    "feedback.card_nps": "📈 NPS {score}/10（{date}）",
    "feedback.hours": "{n} 小时",
    "feedback.summary_title": "<b>近 {days} 天服务情况</b>",
    "feedback.summary_open": "未处理投诉：{open} · 超时未响应：{breaches}"
                             "（首次响应超过 {sla} 小时）",
    "feedback.summary_times": "首次响应中位数：{first} · 处理时长中位数：{resolution}",
    "feedback.summary_scores": "满意度（CSAT）：{csat} 满意（{csat_n} 个评分）· "
                               "NPS：{nps}（{nps_n} 个评分）",
}
