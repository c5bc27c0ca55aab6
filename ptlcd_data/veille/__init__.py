"""The campaign runs itself: one idempotent job (`notify run`) fetches replies, sends the reminders due and the weekly digest."""
