"""Team: /invite links."""

from __future__ import annotations

from crm_store.models import Role
from crm_store.team import members as team
from handlers.context import Context
from handlers.router import MANAGERS, registry
from handlers.types import ChatRequest, Reply

ROLE_WORDS = {"rep": Role.REP, "sales": Role.REP, "销售": Role.REP, "manager": Role.MANAGER,
              "经理": Role.MANAGER, "admin": Role.ADMIN, "管理员": Role.ADMIN}


def invite_link(bot_username: str, token: str) -> str:
    """The deep link that opens the bot with the invite token."""
    return f"https://t.me/{bot_username}?start={token}"


@registry.command("invite", help_key="help.invite", roles=MANAGERS)
async def invite(req: ChatRequest, ctx: Context) -> list[Reply]:
    """Create a single-use invite link: /invite rep|manager|admin."""
    role = ROLE_WORDS.get(req.args.strip().lower() or "rep")
    if role is None:
        return [ctx.text("invite.usage")]
    created = team.create_invite(ctx.session, actor=ctx.member, role=role, now=ctx.now)
    link = invite_link(ctx.settings.bot_username, created.token)
    return [ctx.text("invite.created", role=ctx.t.plain(f"role.{role.value}"), link=link,
                     days=team.INVITE_TTL.days)]

