"""`python -m bot …` is the same as `crm-bot …`."""

from bot.cli import main

raise SystemExit(main())
