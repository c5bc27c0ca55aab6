"""Who may do what: roles, local accounts, OpenID Connect roles, porteur scopes, and the journal of writes."""
