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

# Columns of the sections' tables (the renderers address them by these names).
COL_REALISEE_LE = "Réalisée le"
COL_COMMENCEE_LE = "Commencée le"
COL_POURQUOI_RETARD = "Pourquoi en retard"
COL_ACTIONS = "Actions"
COL_PART = "Part (%)"
COL_PART_REALISEE = "Part réalisée (%)"
COL_EN_RETARD = "En retard"
COL_EN_DIFFICULTE = "En difficulté"
COL_AVANCEMENT_INDICATEURS = "Avancement des indicateurs (%)"
COL_POURQUOI = "Pourquoi"
COL_CODE = "Code"
COL_INDICATEUR = "Indicateur"
COL_UNITE = "Unité"
COL_SENS = "Sens"
COL_TERRITOIRE_REFERENCE = "Territoire de référence"
COL_ANNEE_INITIALE = "Année initiale"
COL_VALEUR_INITIALE = "Valeur initiale"
COL_DERNIERE_ANNEE = "Dernière année"
COL_DERNIERE_VALEUR = "Dernière valeur"
COL_ANNEE_CIBLE = "Année de la cible"
COL_CIBLE = "Cible"
COL_CIBLE_DERNIERE_ANNEE = "Cible de la dernière année"
COL_AVANCEMENT = "Avancement (%)"
COL_TENDANCE = "Tendance"
COL_ALERTES = "Alertes"
COL_TERRITOIRES_SUIVIS = "Territoires suivis"
COL_TERRITOIRES_A_LA_CIBLE = "Territoires à la cible de l'année"
COL_ANNEE = "Année"
COL_VALEUR = "Valeur"
COL_DATE = "Date"
COL_SUJET = "Sujet"
COL_COMMENTAIRE = "Commentaire"
COL_AUTEUR = "Auteur"
COL_CHIFFRE = "Chiffre"
COL_PRECISION = "Précision"
COL_CHANGEMENTS = "Changements dans l'année"
