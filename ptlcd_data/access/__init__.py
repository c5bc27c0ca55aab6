"""Who may do what: users and roles, local accounts, OpenID Connect roles, and the journal of writes."""
