"""English catalog. Parameters are escaped by the Translator; templates may hold HTML."""

MESSAGES: dict[str, str] = {
    # auth and onboarding
    "auth.stranger": "Hi! This is a private sales assistant. Ask your manager for an invite link.",
    "auth.deactivated": "Your access to this team has been switched off. Ask an admin.",
    "start.welcome": (
        "👋 Welcome, <b>{name}</b> ({role}).\n"
        "Try <code>/add</code> to add a customer, <code>/find</code> to look one up, "
        "<code>/log</code> to record a call or visit. /help lists everything."
    ),
    "role.rep": "sales rep", "role.manager": "manager", "role.admin": "admin",
    # help
    "help.title": "<b>What I can do</b>",
    "help.start": "start, or join with an invite",
    "help.help": "this list",
    "help.cancel": "close the open form",
    "help.lang": "language: English / 中文",
    "help.settings": "time zone, working hours, language, away, digest hour",
    "help.add": "add a contact: /add name, company, phone, email",
    "help.find": "find contacts by name, pinyin, company or phone",
    "help.contact": "show a contact's card",
    "help.edit": "edit a contact: /edit name [field value]",
    "help.log": "log: /log name call|visit|meeting|message|email|note text",
    "help.invite": "invite a member: /invite rep|manager|admin",
    # general
    "cancel.done": "Cancelled.",
    "cancel.nothing": "Nothing to cancel.",
    "lang.choose": "Choose your language:",
    "lang.switched": "Language set to {language}.",
    "lang.unknown": "I don't know the language “{value}”. Try /lang en or /lang zh.",
    "settings.show": (
        "<b>Settings</b>\nLanguage: {language}\nTime zone: {tz}\n"
        "Working hours: {start}:00–{end}:00\n"
        "Change with <code>/settings tz Asia/Shanghai</code>, <code>/settings hours 9-18</code>, "
        "<code>/settings lang zh</code>."
    ),
    "settings.usage": "Try /settings tz Asia/Shanghai, /settings hours 9-18 or /settings lang en.",
    "settings.saved": "Saved.",
    "settings.bad_tz": "“{value}” is not a time zone I know. Example: Asia/Shanghai.",
    "settings.bad_hours": "“{value}” is not a range of hours. Example: 9-18.",
    # contacts
    "add.ask_name": "New contact. What is the person's name?",
    "add.ask_company": "Company? (or Skip)",
    "add.ask_phone": "Phone number? (or Skip)",
    "add.ask_email": "Email? (or Skip)",
    "add.created": "✅ Added <b>{name}</b>.",
    "add.duplicate": "⚠️ <b>{name}</b> may already be in the CRM:",
    "add.duplicate_line": "• {name} ({phone})",
    "add.duplicate_hidden": "• a contact owned by a colleague (same phone, email or name)",
    "contact.duplicate": "This contact may already be in the CRM.",
    "find.usage": "What should I look for? Example: <code>/find zhang wei</code>",
    "find.results": "Found {count} for “{query}”:",
    "contact.usage": "Whose card? Example: <code>/contact 张伟</code>",
    "pick.choose": "Several contacts match “{query}”. Which one?",
    "card.field": "{label}: {value}",
    "card.name": "Name", "card.company": "Company", "card.title": "Title", "card.phone": "Phone",
    "card.email": "Email", "card.city": "City", "card.industry": "Industry",
    "card.owner": "Owner: {owner}",
    "card.last_contacted": "Last contacted: {when}",
    "card.recent": "<b>Recent activity</b>",
    "card.no_activity": "No activity logged yet.",
    "edit.usage": "Whom to edit? Example: <code>/edit 张伟 phone 13900139000</code>",
    "edit.choose_field": "What should change for <b>{name}</b>?",
    "edit.ask_value": "New {field} for <b>{name}</b>? (send - to clear)",
    "edit.saved": "✅ {field} updated.",
    # activity
    "kind.call": "call", "kind.visit": "visit", "kind.meeting": "meeting",
    "kind.message": "message", "kind.email": "email", "kind.note": "note",
    "log.usage": (
        "Usage: <code>/log name call|visit|meeting|message|email|note text</code>\n"
        "Example: <code>/log 张伟 call asked for a quote</code>"
    ),
    "log.need_text": "What happened? Add a few words after the kind, e.g. <code>/log 张伟 call "
                     "wants 50 units</code>",
    "log.ask_text": "Log a {kind} with <b>{name}</b>: what happened?",
    "log.saved": "✅ {kind} logged.",
    # team
    "invite.usage": "Usage: <code>/invite rep</code>, <code>/invite manager</code> or "
                    "<code>/invite admin</code>",
    "invite.created": (
        "Invite for a {role} (single use, valid {days} days):\n{link}\n"
        "Send it to your colleague; it opens this bot and signs them in."
    ),
    "text.hint": "Tell me what happened with a customer, e.g. “called 张伟 about 50 units, "
                 "follow up next friday”, or use <code>/log</code>, <code>/add</code>, "
                 "<code>/find</code>. /help lists everything.",
    # buttons
    "button.cancel": "✖ Cancel", "button.skip": "Skip ➡", "button.edit": "✏️ Edit",
    "button.log_call": "📞 Log call", "button.log_visit": "🚗 Log visit",
    "button.log_note": "📝 Note", "button.open": "Open {name}",
    "button.create_anyway": "Create anyway",
    # errors
    "error.internal": "Sorry, something went wrong on my side. Please try again.",
    "error.unknown_command": "I don't know {command}. /help lists what I can do.",
    "error.forbidden": "{command} is not available for your role.",
    "error.not_member": "You are not a member of this team.",
    "error.stale_button": "This button is no longer valid.",
    "error.unsupported": "I can't use this kind of message yet. /help lists what I can do.",
    "error.too_long": "That message is too long ({length} characters; the limit is {limit}).",
    "error.text_too_long": "The text is too long (limit {limit} characters).",
    "error.no_match": "No contact matches “{query}”. Check the spelling, or /add them.",
    "error.contact_not_found": "That contact does not exist or is not yours to see.",
    "error.member_not_found": "No such member in your team.",
    "error.name_required": "A contact needs a name. Example: <code>/add 张伟, 华东机械, "
                           "13800138000</code>",
    "error.phone": "“{value}” is not a valid phone number. Example: 13800138000 or "
                   "+86 138 0013 8000.",
    "error.email": "“{value}” is not a valid email address. Example: name@company.com",
    "error.field": "There is no field “{field}”.",
    "error.duplicate_value": "Another contact already has {value}.",
    "error.amount": "“{value}” is not an amount. Examples: 50000, 5万, 50k, ¥12,000.50",
    "error.amount_too_large": "“{value}” is larger than any amount I can store.",
    "error.language": "Unknown language.",
    "error.invite_forbidden": "Your role cannot invite members of that role.",
    "error.invite_invalid": "This invite link is not valid or was already used. Ask for a new "
                            "one.",
    "error.invite_expired": "This invite link has expired. Ask for a new one.",
    "error.already_member": "You are already a member.",
}
