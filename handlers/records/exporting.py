"""/export: a member's follow-ups as ICS; managers' visible contacts, deals, orders as XLSX/CSV."""

from __future__ import annotations

from crm_store.records import exporting
from handlers.context import Context
from handlers.router import registry
from handlers.types import ChatRequest, Reply

ALL_COLUMNS = dict.fromkeys((*exporting.CONTACT_COLUMNS, *exporting.DEAL_COLUMNS,
                             *exporting.ORDER_COLUMNS))


@registry.command("export", help_key="help.export")
async def export(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Send managers their visible contacts, deals and orders; everyone their follow-ups (ICS)."""
    done = exporting.export_for(ctx.session, actor=ctx.member, tz=ctx.tz)
    stamp = ctx.now.astimezone(ctx.tz).strftime("%Y%m%d")
    replies = [] if done.data is None else _record_files(ctx, done.data, stamp)
    if done.follow_ups:
        ics = exporting.calendar(done.follow_ups, name=ctx.t.plain("export.calendar_name"),
                                 now=ctx.now)
        replies.append(Reply(ctx.t("export.ics", tasks=len(done.follow_ups)),
                             document=ics, filename=f"followups-{stamp}.ics"))
    elif replies:
        replies[-1].text += "\n" + ctx.t("export.no_tasks")
    else:
        replies.append(ctx.text("export.no_tasks"))
    if done.data is None:
        replies[-1].text += "\n" + ctx.t("export.managers")
    return replies


def _record_files(ctx: Context, data: exporting.ExportData, stamp: str) -> list[Reply]:
    """The workbook (a sheet per kind) and the contacts CSV."""
    labels = {column: ctx.t.plain(f"export.col.{column}") for column in ALL_COLUMNS}
    sheets = [ctx.t.plain(f"export.sheet.{kind}") for kind in ("contacts", "deals", "orders")]
    counts = {"contacts": len(data.contacts), "deals": len(data.deals),
              "orders": len(data.orders)}
    return [
        Reply(ctx.t("export.xlsx", **counts),
              document=exporting.workbook(data, labels, sheets),
              filename=f"crm-export-{stamp}.xlsx"),
        Reply(ctx.t("export.csv"),
              document=exporting.contacts_csv(data, labels), filename=f"contacts-{stamp}.csv"),
    ]
