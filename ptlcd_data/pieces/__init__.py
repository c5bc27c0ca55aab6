"""Pièces justificatives: files attached to an action or a dépôt, recognised by their content."""
