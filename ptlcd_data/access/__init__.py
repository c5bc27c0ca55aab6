"""Who may do what: roles, local accounts, OpenID Connect roles, checks of a porteur's scope (computed by `plan`), and the journal of writes."""
