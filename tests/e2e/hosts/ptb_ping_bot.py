"""A tiny python-telegram-bot bot of its own (/ping) with the CRM handlers added: README's
example, plus TELEGRAM_API_URL so it can talk to the Bot API stand-in."""

import os

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.ptb_mount import add_crm_handlers


async def ping(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The host bot's own command."""
    await update.effective_message.reply_text("pong")


api = os.environ["TELEGRAM_API_URL"]
app = (Application.builder().token(os.environ["TELEGRAM_BOT_TOKEN"])
       .base_url(f"{api}/bot").base_file_url(f"{api}/file/bot").build())
app.add_handler(CommandHandler("ping", ping))
add_crm_handlers(app)  # DATABASE_URL, ADMIN_TELEGRAM_IDS… from the environment
app.run_polling(timeout=1)
