"""Follow-up campaigns: porteurs asked for their updates by a deadline, their replies counted, reminders sent."""
