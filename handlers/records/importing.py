"""Contact import: send a CSV, XLSX or vCard file → preview → Confirm (or /import for how).

Transport contract: a document message arrives as Kind.DOCUMENT with `payload["content"]` (the
file's bytes) and `payload["file_name"]`, downloaded by the transport; `payload["document"]`
(the Bot API Document: file_name, file_size…) alone means the bytes were not fetched.
The pending import (normalised rows) is kept in the DialogState of this chat (flow "import").
"""

from __future__ import annotations

import csv
import io
import secrets

from crm_store.messaging import dialogs
from crm_store.records import importing
from crm_store.records.importing import ImportPreview, ImportRow, RowIssue
from handlers.context import Context
from handlers.i18n import Html, Translator
from handlers.records.buttons import ImportAnswer
from handlers.router import registry
from handlers.types import ChatRequest, Reply

FLOW = "import"
PREVIEW_LINES = 12


@registry.command("import", help_key="help.import")
async def import_command(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Explain how to import: send the file."""
    return [ctx.text("import.usage", size=importing.MAX_BYTES // 1_048_576,
                     rows=f"{importing.MAX_ROWS:,}")]


@registry.flow("kind:document")
async def document(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Preview the contacts in a file; nothing is written until Confirm."""
    payload = req.payload
    if req.chat_type != "private":
        return []  # files shared in a group are for the group, not contacts to import
    if "media" in payload:
        return [ctx.text("import.not_a_file")]
    meta = payload.get("document") or {}
    file_name = str(payload.get("file_name") or meta.get("file_name") or "")
    content = payload.get("content")
    importing.file_kind(file_name)
    if content is None:
        importing.check_size(int(meta.get("file_size") or 1))
        return [ctx.text("import.not_downloaded")]
    preview = importing.preview_import(ctx.session, actor=ctx.member, content=bytes(content),
                                       file_name=file_name, region=ctx.settings.default_region)
    replies = [ctx.html(render_preview(preview, file_name, ctx.t))]
    if not preview.ok:
        dialogs.clear(ctx.session, chat_id=req.chat_id, user_id=req.user_id)
        replies[0].text += "\n\n" + ctx.t("import.nothing_new")
    else:
        token = secrets.token_hex(4)
        dialogs.put(ctx.session, chat_id=req.chat_id, user_id=req.user_id, flow=FLOW,
                    step="confirm", data={"token": token, "file": file_name,
                                          "rows": [row.to_json() for row in preview.ok]})
        replies[0].buttons = [[ctx.button("import.confirm", ImportAnswer("ok", token),
                                          count=len(preview.ok)),
                               ctx.button("import.cancel", ImportAnswer("no", token))]]
    problems = sorted(preview.errors + preview.duplicates, key=lambda issue: issue.row)
    if len(problems) > PREVIEW_LINES:
        replies.append(Reply(ctx.t("import.problems_file", count=len(problems)),
                             document=problems_csv(problems, ctx.t),
                             filename="import-problems.csv"))
    return replies


@registry.button(ImportAnswer)
async def confirm_or_cancel(button: ImportAnswer, ctx: Context) -> list[Reply]:
    """Write the pending import (one transaction) or drop it."""
    req = ctx.req
    state = dialogs.get(ctx.session, chat_id=req.chat_id, user_id=req.user_id)
    if state is None or state.flow != FLOW or state.data.get("token") != button.token:
        # another file was sent since, or this one was imported or cancelled already
        return [Reply(ctx.t("import.expired"), toast=ctx.t.plain("import.expired"))]
    dialogs.clear(ctx.session, chat_id=req.chat_id, user_id=req.user_id)
    if button.answer == "no":
        return [Reply(ctx.t("import.cancelled"), edit=True)]
    rows = [ImportRow.from_json(row) for row in state.data.get("rows", [])]
    result = importing.commit_import(ctx.session, actor=ctx.member, rows=rows)
    key = "import.imported_skipped" if result.skipped else "import.imported"
    return [Reply(ctx.t(key, created=f"{result.created:,}", skipped=result.skipped), edit=True)]


def render_preview(preview: ImportPreview, file_name: str, t: Translator) -> Html:
    """Counts, then the first problems with their row numbers."""
    unit = "import.unit_card" if preview.kind == "vcard" else "import.unit_row"
    lines: list[str] = [
        t("import.preview_title", file=file_name),
        t("import.preview_counts", rows=f"{preview.rows:,}", ok=f"{len(preview.ok):,}",
          duplicates=f"{len(preview.duplicates):,}", errors=f"{len(preview.errors):,}")]
    if preview.encoding:
        lines.append(t("import.preview_encoding", encoding=preview.encoding))
    problems = sorted(preview.errors + preview.duplicates, key=lambda issue: issue.row)
    if problems:
        lines.append("")
    for issue in problems[:PREVIEW_LINES]:
        lines.append(t(unit, row=issue.row, reason=t(issue.key, **issue.params)))
    if len(problems) > PREVIEW_LINES:
        lines.append(t("import.more_problems", count=len(problems) - PREVIEW_LINES))
    if preview.ok:
        lines += ["", t("import.preview_hint", count=f"{len(preview.ok):,}")]
    return Html("\n".join(lines))


def problems_csv(problems: list[RowIssue], t: Translator) -> bytes:
    """Every skipped row and why, for a file too long to list in the chat."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([t.plain("import.col.row"), t.plain("import.col.problem")])
    for issue in problems:
        writer.writerow([issue.row, t.plain(issue.key, **issue.params)])
    return out.getvalue().encode("utf-8-sig")
