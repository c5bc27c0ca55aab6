"""Follow-up of the actions at a date: statuses, engagements, lateness, and recording them in review."""
