"""Names shared by the annual summary's tables: key figures and column headers (French).

The page, the PDF and the XLSX read the same tables, so they address columns by these names.
"""

from __future__ import annotations

# Comments kept in the summary (page and workbook); the PDF shows fewer. Beyond, the total is
# given; the full history stays in the Fiche action pages and `export status`.
COMMENTS_MAX = 2_000

# Key figures, in the order shown (the labels are the XLSX's and the page's metric labels).
CH_ACTIONS = "Actions du plan"
CH_REALISEES = "Actions réalisées"
CH_PART = "Part réalisée"
CH_EN_COURS = "Actions en cours"
CH_RETARD = "Actions en retard"
CH_REALISEES_ANNEE = "Réalisées dans l'année"
CH_COMMENCEES_ANNEE = "Commencées dans l'année"
CH_TERRITOIRES = "Territoires engagés"
CH_CIBLES = "Indicateurs à la cible"
# Units of the key figures: "%" is a percentage, the others counts.
CHIFFRES_UNITES = {CH_PART: "%"}

# Column names shared by several sections.
COL_AXE_NO = "N° axe"
COL_AXE = "Axe"
COL_ACTION_NO = "N°"
COL_ACTION = "Action"
COL_PORTEUR = "Porteur"
COL_CALENDRIER = "Calendrier prévu"
COL_STATUT = "Statut"
COL_GLISSEMENT_DEBUT = "Glissement du début (mois)"
COL_GLISSEMENT_FIN = "Glissement de la fin (mois)"
COL_METEO = "Météo"
COL_TERRITOIRE = "Territoire"
COL_ENGAGES = "Engagée ou réalisée"
COL_ENGAGES_AVANT = "Engagée ou réalisée, fin de l'année précédente"
COL_DEBUT_ANNEE = "Début d'année"
