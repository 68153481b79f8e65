"""The one list of conversation areas, in the order their commands appear in /help."""

from handlers import (
    activity,
    audit_area,
    campaigns,
    checkin,
    contact_add,
    contacts,
    deals,
    feedback,
    followups,
    general,
    loyalty,
    members,
    orders,
    pipeline_stats,
    privacy,
    quicklog,
    reminders,
    reports,
    segments,
    team,
    team_stats,
    transfer,
)
from handlers.router import registry

AREAS = (general, contact_add, contacts, activity, followups, deals, orders, feedback, quicklog,
         checkin, reminders, loyalty, campaigns, segments, pipeline_stats, team_stats, reports,
         team, members, audit_area, transfer, privacy)
registry.area_order = tuple(area.__name__ for area in AREAS)
