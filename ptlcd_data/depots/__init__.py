"""Dépôts à valider: what a porteur account sends, verified, kept, then published or returned."""
