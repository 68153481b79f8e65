"""The one list of conversation areas, in the order their commands appear in /help."""

from handlers import (
    activity,
    checkin,
    contact_add,
    contacts,
    deals,
    feedback,
    followups,
    general,
    orders,
    pipeline_stats,
    quicklog,
    reminders,
    reports,
    segments,
    team,
    team_stats,
)
from handlers.router import registry

AREAS = (general, contact_add, contacts, activity, followups, deals, orders, feedback, quicklog,
         checkin, reminders, segments, pipeline_stats, team_stats, reports, team)
registry.area_order = tuple(area.__name__ for area in AREAS)
