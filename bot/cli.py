"""`crm-bot`: console, run, worker, migrate, invite, demo, report, import, backup."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError
from sqlalchemy.engine import Engine

from bot.settings import Settings, webhook_secret_problem

if TYPE_CHECKING:  # the CLI imports these lazily: `crm-bot console` stays light
    from bot.processor import Sender
    from crm_store.models import Member


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = argparse.ArgumentParser(prog="crm-bot", description="Chat-first CRM assistant")
    sub = parser.add_subparsers(dest="command", required=True)
    console = sub.add_parser("console", help="chat in this terminal (SQLite, no Telegram)")
    console.add_argument("--demo", action="store_true", help="load sample data first")
    sub.add_parser("run", help="run on Telegram (polling, or webhook with WEBHOOK_URL)")
    sub.add_parser("worker", help="reminder producers and dispatcher only (scale-out)")
    sub.add_parser("migrate", help="bring the database schema up to date")
    invite = sub.add_parser("invite", help="print a single-use invite link")
    invite.add_argument("--role", choices=["rep", "manager", "admin"], default="rep")
    sub.add_parser("demo", help="load sample data into the database")
    report = sub.add_parser("report", help="write a member's report: charts (PNG) and XLSX")
    report.add_argument("--period", default="month",
                        help="week | month | 'month last' | 2026-10 | 2026-W45 (default month)")
    report.add_argument("--as", dest="as_user", type=int, required=True, metavar="USER_ID",
                        help="Telegram user id of the member whose report it is")
    report.add_argument("--out", default="reports", help="directory for the files")
    importer = sub.add_parser("import", help="import contacts from a CSV, XLSX or vCard file")
    importer.add_argument("file", type=Path, help="the file to import")
    importer.add_argument("--as", dest="as_user", type=int, metavar="USER_ID",
                          help="Telegram user id of the member who will own the contacts "
                               "(default: the local admin)")
    importer.add_argument("--yes", action="store_true", help="add without asking")
    backup = sub.add_parser("backup", help="copy the SQLite database safely while the bot runs "
                                           "(PostgreSQL: prints the pg_dump command)")
    backup.add_argument("--out", type=Path, metavar="PATH",
                        help="file to write, or an existing directory for the default name "
                             "crm-backup-<UTC time>.sqlite3 (default: the current directory)")
    args = parser.parse_args(argv)

    try:
        settings = Settings()
    except ValidationError as exc:
        print(f"invalid settings (environment or .env):\n{exc}", file=sys.stderr)
        return 2
    from bot.observability import configure_logging

    # The console is a chat: only warnings may interrupt it, as plain text.
    console_mode = args.command == "console"
    configure_logging("WARNING" if console_mode else settings.log_level.upper(),
                      "text" if console_mode else settings.log_format,
                      secrets=[settings.telegram_bot_token])
    if args.command == "backup":
        return _backup(settings.database_url, args.out)
    if args.command == "migrate":
        engine = _engine(settings)
        from crm_store.migrate import current_revision

        print(f"database at revision {current_revision(engine)}")
        return 0
    if args.command == "invite":
        return _invite(settings, args.role)
    if args.command == "demo":
        print(f"added {_demo(_engine(settings), settings)} sample contacts")
        return 0
    if args.command == "console":
        return asyncio.run(_console(settings, demo=args.demo))
    if args.command == "report":
        return _report(settings, period=args.period, user_id=args.as_user, out=Path(args.out))
    if args.command == "import":
        return _import(settings, path=args.file, user_id=args.as_user, yes=args.yes)
    if args.command == "worker":
        return asyncio.run(_worker(settings))
    return asyncio.run(_run(settings))


def _engine(settings: Settings) -> Engine:
    """Connect and migrate (the app always migrates on start)."""
    from crm_store.db import make_engine
    from crm_store.migrate import upgrade

    engine = make_engine(settings.database_url)
    upgrade(engine)
    return engine


def _sync_listed_admins(engine: Engine, admin_ids: frozenset[int]) -> None:
    """Apply ADMIN_TELEGRAM_IDS at start-up: one taken off the list is no admin from now on,
    not only from their next message (never the team's last active admin)."""
    from crm_store.db import unit_of_work
    from crm_store.team.members import sync_listed_admins

    with unit_of_work(engine) as session:
        changed = sync_listed_admins(session, admin_ids)
    if changed:
        logging.getLogger("bot.cli").info("ADMIN_TELEGRAM_IDS: %s member(s) updated", changed)


def _local_admin_id(settings: Settings) -> int:
    return min(settings.admin_telegram_ids) if settings.admin_telegram_ids else 1


def _ensure_local_admin(engine: Engine, settings: Settings) -> Member:
    from crm_store.db import unit_of_work
    from crm_store.team import members as team

    language = "zh-CN" if settings.default_language.lower().startswith("zh") else "en"
    user = team.NewUser(_local_admin_id(settings), "Console Admin", None, language)
    with unit_of_work(engine) as session:
        return team.ensure_admin(session, user=user, timezone=settings.default_timezone)


def _demo(engine: Engine, settings: Settings) -> int:
    from crm_store.contacts.demo import load_demo
    from crm_store.db import unit_of_work

    admin = _ensure_local_admin(engine, settings)
    with unit_of_work(engine) as session:
        return load_demo(session, admin=admin)


async def _console(settings: Settings, *, demo: bool) -> int:
    from bot.console import Console

    engine = _engine(settings)
    if demo:
        _demo(engine, settings)
    admin_id = _local_admin_id(settings)
    handler_settings = settings.handler_settings()
    handler_settings = type(handler_settings)(**{
        **handler_settings.__dict__, "admin_ids": handler_settings.admin_ids | {admin_id}})
    language = "zh-CN" if settings.default_language.lower().startswith("zh") else "en"
    console = Console(engine=engine, settings=handler_settings, user_id=admin_id,
                      language_code=language)
    from bot.notifier import ConsoleNotifier
    from bot.runtime import start_reminders

    _sync_listed_admins(engine, handler_settings.admin_ids)
    stop = _stop_on_signals()  # Ctrl-C quits like :quit
    reminders = start_reminders(
        settings, ConsoleNotifier(on_buttons=console.add_buttons, chat_id=admin_id), stop)
    try:
        await console.run(stop=stop)
    finally:
        stop.set()
        await reminders.shutdown()
    return 0


def _invite(settings: Settings, role: str) -> int:
    from crm_store.db import unit_of_work
    from crm_store.models import Role
    from crm_store.team import members as team
    from handlers.team.invites import invite_link

    engine = _engine(settings)
    with unit_of_work(engine) as session:
        created = team.create_system_invite(session, role=Role(role))
        token = created.token
    username = settings.bot_username or _bot_username(settings)
    print(invite_link(username, token))
    return 0


def _report(settings: Settings, *, period: str, user_id: int, out: Path) -> int:
    """Write the files `/report <period>` would send to the member, one path per line."""
    from bot.render import html_to_plain
    from crm_store.analytics.report_data import build_report
    from crm_store.clock import utcnow
    from crm_store.db import unit_of_work
    from crm_store.errors import DomainError
    from crm_store.team.members import member_by_telegram_id
    from crm_store.team.worktime import zone
    from handlers.i18n import LANGUAGES, Translator
    from handlers.reports.commands import parse_period, report_files

    engine, now = _engine(settings), utcnow()
    with unit_of_work(engine) as session:
        member = member_by_telegram_id(session, user_id)
        if member is None or not member.active:
            print(f"no active member with Telegram user id {user_id}", file=sys.stderr)
            return 2
        tz = zone(member.timezone)
        t = Translator(member.language if member.language in LANGUAGES else "en")
        try:
            chosen = parse_period(period, now=now, tz=tz)
        except DomainError as exc:
            print(html_to_plain(t(exc.key, **exc.params)), file=sys.stderr)
            return 2
        if chosen is None:
            print(html_to_plain(t("reports.usage")), file=sys.stderr)
            return 2
        data = build_report(session, actor=member, period=chosen, now=now)
    out.mkdir(parents=True, exist_ok=True)
    for item in report_files(data, t, tz):
        path = out / item.filename
        path.write_bytes(item.content)
        print(path)
    return 0


def _import(settings: Settings, *, path: Path, user_id: int | None, yes: bool) -> int:
    """Preview importing `path` as a member, then add the new contacts if confirmed.

    The preview only reads and the contacts are added in a transaction of their own, so
    nothing holds the database's write lock while the prompt waits for an answer.
    """
    from sqlmodel import Session

    from bot.render import html_to_plain
    from crm_store.db import read_only, unit_of_work
    from crm_store.errors import DomainError
    from crm_store.records import importing
    from crm_store.team.members import member_by_telegram_id
    from handlers.i18n import LANGUAGES, Translator
    from handlers.records.importing import render_preview

    engine = _engine(settings)
    if user_id is None:
        user_id = _ensure_local_admin(engine, settings).telegram_user_id
    no_member = f"no active member with Telegram user id {user_id}"
    with read_only(engine) as conn, Session(bind=conn) as session:
        member = member_by_telegram_id(session, user_id)
        if member is None or not member.active:
            print(no_member, file=sys.stderr)
            return 2
        t = Translator(member.language if member.language in LANGUAGES else "en")
        try:
            importing.file_kind(path.name)
            importing.check_size(path.stat().st_size)
            preview = importing.preview_import(
                session, actor=member, content=path.read_bytes(), file_name=path.name,
                region=settings.handler_settings().default_region)
        except DomainError as exc:
            print(html_to_plain(t(exc.key, **exc.params)), file=sys.stderr)
            return 2
        except OSError as exc:
            print(f"cannot read {path}: {exc.strerror}", file=sys.stderr)
            return 2
    print(html_to_plain(render_preview(preview, path.name, t)))
    problems = sorted(preview.errors + preview.duplicates, key=lambda issue: issue.row)
    if len(problems) > 12:  # the chat attaches a file; here every line is printed
        for issue in problems:
            print(f"{issue.row}\t{html_to_plain(t(issue.key, **issue.params))}")
    if not preview.ok:
        print(html_to_plain(t("import.nothing_new")))
        return 0
    if not yes and input(f"Add {len(preview.ok)} contacts? [y/N] ").strip().lower() not in (
            "y", "yes", "是"):
        print(html_to_plain(t("import.cancelled")))
        return 1
    with unit_of_work(engine) as session:  # duplicates are checked again here
        member = member_by_telegram_id(session, user_id)
        if member is None or not member.active:
            print(no_member, file=sys.stderr)
            return 2
        result = importing.commit_import(session, actor=member, rows=preview.ok)
    key = "import.imported_skipped" if result.skipped else "import.imported"
    print(html_to_plain(t(key, created=f"{result.created:,}", skipped=result.skipped)))
    return 0


def _backup(database_url: str, out: Path | None) -> int:
    """Copy a SQLite database with the online backup API, check the copy, print it.

    Safe while the bot runs: the copy is one read transaction (WAL lets writers go on) and
    is a consistent snapshot. PostgreSQL: print the pg_dump command to run and return 2.
    """
    import shlex
    import sqlite3

    from sqlalchemy.engine import make_url

    from crm_store.clock import utcnow

    url = make_url(database_url)
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    if url.get_backend_name() != "sqlite":
        target = _backup_target(out, f"crm-backup-{stamp}.dump")
        print(f"{url.get_backend_name()} database: crm-bot backup copies SQLite only. "
              "Back up PostgreSQL with pg_dump (custom format; restore with pg_restore):",
              file=sys.stderr)
        print(f'pg_dump "$DATABASE_URL" -Fc -f {shlex.quote(str(target))}')
        print("(DATABASE_URL as libpq takes it: postgresql://user:password@host:5432/db)",
              file=sys.stderr)
        return 2
    source_path = Path(url.database or "")
    if not url.database or url.database == ":memory:" or not source_path.is_file():
        print(f"no SQLite database file at {url.database or '(none)'}", file=sys.stderr)
        return 2
    target = _backup_target(out, f"crm-backup-{stamp}.sqlite3")
    if target.exists():
        print(f"{target} exists; not overwriting it", file=sys.stderr)
        return 2
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(source_path, timeout=10)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)  # all pages in one step: one consistent snapshot
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal
        finally:
            copy.close()
    finally:
        source.close()
    check = sqlite3.connect(f"file:{partial}?mode=ro", uri=True)
    try:
        verdict = [row[0] for row in check.execute("PRAGMA integrity_check")]
        tables = check.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
        table_count = tables.fetchone()[0]
    finally:
        check.close()
    if verdict != ["ok"]:
        partial.unlink(missing_ok=True)
        print(f"the copy failed PRAGMA integrity_check: {'; '.join(verdict)[:500]}",
              file=sys.stderr)
        return 1
    partial.rename(target)
    print(f"{target}\t{target.stat().st_size} bytes\t{table_count} tables\tintegrity ok")
    return 0


def _backup_target(out: Path | None, default_name: str) -> Path:
    """`--out` itself, or the default name in `--out` (a directory) or the current one."""
    if out is None or out.is_dir():
        return (out or Path()) / default_name
    return out


def _bot_username(settings: Settings) -> str:
    """Ask the Bot API for the bot's username (needs TELEGRAM_BOT_TOKEN)."""
    if not settings.telegram_bot_token:
        print("set BOT_USERNAME or TELEGRAM_BOT_TOKEN to build the link", file=sys.stderr)
        return "YOUR_BOT"
    from bot.runtime import transport_for

    return asyncio.run(transport_for(settings.bot_framework).fetch_username(settings))


def _redacted(settings: Settings, text: str) -> str:
    """`text` without the bot token, as every log line is."""
    from bot.observability import Redactor

    return Redactor([settings.telegram_bot_token]).redact(text)


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def _worker(settings: Settings) -> int:
    if not settings.telegram_bot_token:
        print("TELEGRAM_BOT_TOKEN is not set (see .env.example)", file=sys.stderr)
        return 2
    from bot.runtime import run_worker, transport_for
    from bot.startup import StartupFailed

    transport = transport_for(settings.bot_framework)
    engine = _engine(settings)  # migrate first
    _sync_listed_admins(engine, settings.admin_telegram_ids)
    engine.dispose()
    try:
        await run_worker(transport, settings, _stop_on_signals())
    except StartupFailed as exc:
        print(f"crm-bot worker: {_redacted(settings, str(exc))}", file=sys.stderr)
        return 1
    return 0


async def _run(settings: Settings) -> int:
    if not settings.telegram_bot_token:
        print("TELEGRAM_BOT_TOKEN is not set (see .env.example)", file=sys.stderr)
        return 2
    if settings.webhook_url and (problem := webhook_secret_problem(settings.webhook_secret)):
        print(problem, file=sys.stderr)  # never an open webhook
        return 2
    from bot.processor import UpdateProcessor
    from bot.runtime import run, transport_for
    from bot.startup import StartupFailed

    transport = transport_for(settings.bot_framework)
    engine = _engine(settings)
    _sync_listed_admins(engine, settings.admin_telegram_ids)
    stop = _stop_on_signals()

    def processor_factory(sender: Sender, username: str) -> UpdateProcessor:
        return UpdateProcessor(engine=engine, settings=settings.handler_settings(username),
                               sender=sender, owner=settings.instance())

    try:
        await run(transport, settings, processor_factory, stop)
    except StartupFailed as exc:
        print(f"crm-bot run: {_redacted(settings, str(exc))}", file=sys.stderr)
        return 1
    return 0
