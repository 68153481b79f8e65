"""The reminder kinds and the payload each carries: the contract between the producers
(scheduler/) that write outbox rows and the views (handlers/reminders.py) that render them.

Every payload holds ids (to act on buttons) and a snapshot of what the message shows, so a
reminder renders even if the record changed since; times are ISO-8601 strings in UTC.
"""

from __future__ import annotations

from typing import Any, TypedDict

FOLLOWUP_DUE = "followup_due"  # {task_id, contact_id, contact_name, text, due_at}
FOLLOWUP_OVERDUE = "followup_overdue"  # {task_id, contact_id, contact_name, text, due_at,
#                                        days_late}
STALE_DEAL = "stale_deal"  # {deal_id, contact_id, contact_name, title, stage, days, amount,
#                            currency}
SLA_FIRST_RESPONSE = "sla_first_response"  # {feedback_id, contact_id, contact_name, severity,
#                                            hours, escalated (to the manager: bool), owner}
SLA_RESOLUTION = "sla_resolution"  # same keys as SLA_FIRST_RESPONSE
BIRTHDAY = "birthday"  # {contact_id, contact_name, lunar (bool), date, tier}
ANNIVERSARY = "anniversary"  # {contact_id, contact_name, years, since, tier}
HOLIDAY = "holiday"  # {holiday, date, contacts: [{contact_id, contact_name, tier}]}
CHURN = "churn"  # {contact_id, contact_name, days_since, usual_gap_days, reasons: [code],
#                  score, value_minor, currency}; codes: "gap", "complaint_open", "low_csat"
DIGEST = "digest"  # {period: "day", date, figures: {name: number}, currency}
CATCH_UP = "catch_up"  # {items: [{kind, contact_name, summary}], total}
HANDOVER = "handover"  # {from_name, by_name, deactivated, contact, deal, task, order, feedback
#                        (counts), contact_id?, contact_name?} records given to the member
MEMBER_UNREACHABLE = "member_unreachable"  # {member_id, name, reason}: to the team's admins
#                                            when the bot can no longer reach a member
LOYALTY_EXPIRING = "loyalty_expiring"  # {contact_id, contact_name, points, points_at,
#                                        coupons: [{code, value_minor, currency, expires_at}]}
CAMPAIGN_ASSIGNED = "campaign_assigned"  # {campaign_id, name, channel, customers, by_name}:
#                                          to each rep given customers of a new campaign
SNOOZED_PREFIX = "snooze:"  # dedupe keys of snoozed copies: snooze:<outbox id>:<n>

KINDS = (FOLLOWUP_DUE, FOLLOWUP_OVERDUE, STALE_DEAL, SLA_FIRST_RESPONSE, SLA_RESOLUTION,
         BIRTHDAY, ANNIVERSARY, HOLIDAY, CHURN, DIGEST, CATCH_UP, LOYALTY_EXPIRING)
CONTACT_KINDS = (FOLLOWUP_DUE, FOLLOWUP_OVERDUE, STALE_DEAL, SLA_FIRST_RESPONSE, SLA_RESOLUTION,
                 BIRTHDAY, ANNIVERSARY, CHURN, LOYALTY_EXPIRING)


class ContactRef(TypedDict):
    """A contact named inside a list payload (holiday care)."""

    contact_id: int
    contact_name: str
    tier: str


Payload = dict[str, Any]
