"""What the issues and the users' tools fix, written once for the tests that check it."""

from __future__ import annotations

# The statuses of Territoires en Transitions, in their order (PRODUCT.md).
STATUTS_TET = ("À venir", "En cours", "Réalisé", "En pause", "Bloqué", "Abandonné", "À discuter")
# `export status`: the columns the issue asks for, in its order.
EXPORT_STATUS_COLUMNS = [
    "action_no",
    "statut",
    "avancement",
    "en_retard",
    "glissement_debut_mois",
    "glissement_fin_mois",
    "date_derniere_mise_a_jour",
]
