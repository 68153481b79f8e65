"""Import (send a CSV, XLSX or vCard file → preview → Confirm) and /export.

Transport contract: a document message arrives as Kind.DOCUMENT with `payload["content"]` (the
file's bytes) and `payload["file_name"]`, downloaded by the transport; `payload["document"]`
(the Bot API Document: file_name, file_size…) alone means the bytes were not fetched.
The pending import (normalised rows) is kept in the DialogState of this chat ("transfer_import").
"""

from __future__ import annotations

import csv
import io
import secrets

from crm_store.messaging import dialogs
from crm_store.records import exporting, importing
from crm_store.records.importing import ImportPreview, ImportRow, RowIssue
from handlers.context import Context
from handlers.i18n import Html, Translator, escape
from handlers.router import registry
from handlers.types import ChatRequest, Reply

FLOW = "transfer_import"
PREVIEW_LINES = 12
ALL_COLUMNS = dict.fromkeys((*exporting.CONTACT_COLUMNS, *exporting.DEAL_COLUMNS,
                             *exporting.ORDER_COLUMNS))


@registry.command("import", help_key="help.import")
async def import_command(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Explain how to import: send the file."""
    return [ctx.text("transfer.import_usage", size=importing.MAX_BYTES // 1_048_576,
                     rows=f"{importing.MAX_ROWS:,}")]


@registry.flow("kind:document")
async def document(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Preview the contacts in a file; nothing is written until Confirm."""
    payload = req.payload
    if req.chat_type != "private":
        return []  # files shared in a group are for the group, not contacts to import
    if "media" in payload:
        return [ctx.text("transfer.not_a_file")]
    meta = payload.get("document") or {}
    file_name = str(payload.get("file_name") or meta.get("file_name") or "")
    content = payload.get("content")
    importing.file_kind(file_name)
    if content is None:
        importing.check_size(int(meta.get("file_size") or 1))
        return [ctx.text("transfer.not_downloaded")]
    preview = importing.preview_import(ctx.session, actor=ctx.member, content=bytes(content),
                                       file_name=file_name, region=ctx.settings.default_region)
    replies = [ctx.html(render_preview(preview, file_name, ctx.t))]
    if not preview.ok:
        dialogs.clear(ctx.session, chat_id=req.chat_id, user_id=req.user_id)
        replies[0].text += "\n\n" + ctx.t("transfer.nothing_new")
    else:
        token = secrets.token_hex(4)
        dialogs.put(ctx.session, chat_id=req.chat_id, user_id=req.user_id, flow=FLOW,
                    step="confirm", data={"token": token, "file": file_name,
                                          "rows": [row.to_json() for row in preview.ok]})
        replies[0].buttons = [[ctx.button("transfer.confirm", f"imp:ok:{token}",
                                          count=len(preview.ok)),
                               ctx.button("transfer.cancel", f"imp:no:{token}")]]
    problems = sorted(preview.errors + preview.duplicates, key=lambda issue: issue.row)
    if len(problems) > PREVIEW_LINES:
        replies.append(Reply(ctx.t("transfer.problems_file", count=len(problems)),
                             document=problems_csv(problems, ctx.t),
                             filename="import-problems.csv"))
    return replies


@registry.callback("imp")
async def confirm_or_cancel(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Write the pending import (one transaction) or drop it."""
    _, action, token = (req.callback_data.split(":") + ["", ""])[:3]
    state = dialogs.get(ctx.session, chat_id=req.chat_id, user_id=req.user_id)
    if state is None or state.flow != FLOW or state.data.get("token") != token or (
            action not in ("ok", "no")):
        return [Reply(ctx.t("transfer.expired"), toast=ctx.t.plain("transfer.expired"))]
    dialogs.clear(ctx.session, chat_id=req.chat_id, user_id=req.user_id)
    if action == "no":
        return [Reply(ctx.t("transfer.cancelled"), edit=True)]
    rows = [ImportRow.from_json(row) for row in state.data.get("rows", [])]
    result = importing.commit_import(ctx.session, actor=ctx.member, rows=rows)
    key = "transfer.imported_skipped" if result.skipped else "transfer.imported"
    return [Reply(ctx.t(key, created=f"{result.created:,}", skipped=result.skipped), edit=True)]


@registry.command("export", help_key="help.export")
async def export(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Send managers their visible contacts, deals and orders; everyone their follow-ups (ICS)."""
    done = exporting.export_for(ctx.session, actor=ctx.member, tz=ctx.tz)
    stamp = ctx.now.astimezone(ctx.tz).strftime("%Y%m%d")
    replies = [] if done.data is None else _record_files(ctx, done.data, stamp)
    if done.follow_ups:
        ics = exporting.calendar(done.follow_ups, name=ctx.t.plain("transfer.calendar_name"),
                                 now=ctx.now)
        replies.append(Reply(ctx.t("transfer.export_ics", tasks=len(done.follow_ups)),
                             document=ics, filename=f"followups-{stamp}.ics"))
    elif replies:
        replies[-1].text += "\n" + ctx.t("transfer.export_no_tasks")
    else:
        replies.append(ctx.text("transfer.export_no_tasks"))
    if done.data is None:
        replies[-1].text += "\n" + ctx.t("transfer.export_managers")
    return replies


def _record_files(ctx: Context, data: exporting.ExportData, stamp: str) -> list[Reply]:
    """The workbook (a sheet per kind) and the contacts CSV."""
    labels = {column: ctx.t.plain(f"transfer.col.{column}") for column in ALL_COLUMNS}
    sheets = [ctx.t.plain(f"transfer.sheet.{kind}") for kind in ("contacts", "deals", "orders")]
    counts = {"contacts": len(data.contacts), "deals": len(data.deals),
              "orders": len(data.orders)}
    return [
        Reply(ctx.t("transfer.export_xlsx", **counts),
              document=exporting.workbook(data, labels, sheets),
              filename=f"crm-export-{stamp}.xlsx"),
        Reply(ctx.t("transfer.export_csv"),
              document=exporting.contacts_csv(data, labels), filename=f"contacts-{stamp}.csv"),
    ]


def render_preview(preview: ImportPreview, file_name: str, t: Translator) -> Html:
    """Counts, then the first problems with their row numbers."""
    unit = "transfer.unit_card" if preview.kind == "vcard" else "transfer.unit_row"
    lines = [t("transfer.preview_title", file=file_name),
             t("transfer.preview_counts", rows=f"{preview.rows:,}", ok=f"{len(preview.ok):,}",
               duplicates=f"{len(preview.duplicates):,}", errors=f"{len(preview.errors):,}")]
    if preview.encoding:
        lines.append(t("transfer.preview_encoding", encoding=preview.encoding))
    problems = sorted(preview.errors + preview.duplicates, key=lambda issue: issue.row)
    if problems:
        lines.append("")
    for issue in problems[:PREVIEW_LINES]:
        lines.append(t(unit, row=issue.row, reason=t(issue.key, **issue.params)))
    if len(problems) > PREVIEW_LINES:
        lines.append(t("transfer.more_problems", count=len(problems) - PREVIEW_LINES))
    if preview.ok:
        lines += ["", t("transfer.preview_hint", count=f"{len(preview.ok):,}")]
    return Html("\n".join(escape(line) for line in lines))


def problems_csv(problems: list[RowIssue], t: Translator) -> bytes:
    """Every skipped row and why, for a file too long to list in the chat."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([t.plain("transfer.col.row"), t.plain("transfer.col.problem")])
    for issue in problems:
        writer.writerow([issue.row, t.plain(issue.key, **issue.params)])
    return out.getvalue().encode("utf-8-sig")
