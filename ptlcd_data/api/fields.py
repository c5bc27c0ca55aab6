"""The columns of the API's listings that are not tables of the open-data package (whose
fields, described in `opendata/schema.py`, the other listings reuse): action states, campaigns
and their completion. Same form: typed, titled and described in French."""

from __future__ import annotations

from ptlcd_data.opendata.schema import REQUIRED, Field
from ptlcd_data.vocabulary import STATUTS_AFFICHES

PERCENT = {"minimum": 0, "maximum": 100}


def _date(name: str, title: str, description: str) -> Field:
    return Field(name, "date", title, description)


ETATS: tuple[Field, ...] = (
    Field("action_no", "integer", "N° d'action", "Numéro de l'action dans le plan.", REQUIRED),
    Field("axe_no", "integer", "N° d'axe", "Axe de l'action à la date d'observation.", REQUIRED),
    Field("objectif_code", "string", "Objectif", "Code de l'objectif de l'action.", REQUIRED),
    Field("libelle", "string", "Libellé", "Intitulé de l'action.", REQUIRED),
    Field("porteur", "string", "Porteur(s)", "Opérateurs ou porteurs de l'action."),
    Field(
        "statut",
        "string",
        "Statut",
        "Statut à la date d'observation : celui du dernier enregistrement dont la date d'effet "
        "est antérieure ou égale ; « Sans statut » quand il n'y en a aucun.",
        {"required": True, "enum": list(STATUTS_AFFICHES)},
    ),
    Field(
        "avancement",
        "integer",
        "Avancement (%)",
        "Dernier avancement connu, de 0 à 100 (100 pour une action réalisée) ; vide s'il n'a "
        "jamais été précisé.",
        PERCENT,
    ),
    _date(
        "date_derniere_mise_a_jour",
        "Dernière mise à jour",
        "Date d'effet du dernier enregistrement de statut ; vide quand il n'y en a aucun.",
    ),
    _date("debut_prevu", "Début prévu", "Date de début déduite du calendrier du plan."),
    _date("fin_prevue", "Fin prévue", "Échéance déduite du calendrier du plan."),
    _date(
        "debut_reel",
        "Début réel",
        "Date d'effet du premier enregistrement « En cours », « En pause » ou « Réalisé » (ou "
        "d'un avancement au-dessus de 0).",
    ),
    _date("fin_reelle", "Fin réelle", "Date d'effet du passage à « Réalisé », s'il dure."),
    Field(
        "en_retard",
        "boolean",
        "En retard",
        "true quand l'action est en retard à la date d'observation (règles de la page "
        "« Calendrier et retards »).",
        REQUIRED,
    ),
    Field("motif_retard", "string", "Motif du retard", "Pourquoi l'action est en retard."),
    Field(
        "glissement_debut_mois",
        "integer",
        "Glissement du début (mois)",
        "Mois entre le début prévu et le début réel (ou la date d'observation, s'il tarde).",
    ),
    Field(
        "glissement_fin_mois",
        "integer",
        "Glissement de la fin (mois)",
        "Mois entre la fin prévue et la fin réelle (ou la date d'observation, si elle tarde).",
    ),
    Field("commentaire", "string", "Commentaire", "Commentaire du dernier enregistrement."),
    Field("source", "string", "Source", "D'où vient le dernier enregistrement."),
)

CAMPAGNES: tuple[Field, ...] = (
    Field("id", "integer", "Numéro", "Numéro de la campagne.", REQUIRED),
    Field("nom", "string", "Nom", "Nom donné à l'ouverture.", REQUIRED),
    Field("annee", "integer", "Année", "Année des valeurs d'indicateurs demandées.", REQUIRED),
    Field("echeance", "date", "Échéance", "Date limite des réponses.", REQUIRED),
    Field("ouverte_le", "datetime", "Ouverte le", "Ouverture de la campagne.", REQUIRED),
    Field("close_le", "datetime", "Close le", "Clôture de la campagne ; vide si ouverte."),
    Field("ouverte", "boolean", "Ouverte", "true tant que la campagne n'est pas close.", REQUIRED),
    Field(
        "taux_reponse",
        "number",
        "Taux de réponse (%)",
        "Part de tout ce qui est demandé (actions et indicateurs) qui a reçu une réponse, de 0 "
        "à 100 ; vide quand rien n'est demandé.",
        PERCENT,
    ),
)

COMPLETION: tuple[Field, ...] = (
    Field("porteur", "string", "Porteur", "Code du porteur.", REQUIRED),
    Field("libelle", "string", "Libellé", "Nom du porteur.", REQUIRED),
    Field("actions_dues", "integer", "Actions dues", "Actions qu'il porte.", REQUIRED),
    Field(
        "actions_a_jour",
        "integer",
        "Actions à jour",
        "Actions dont un statut a été enregistré (ou envoyé en dépôt) pendant la campagne.",
        REQUIRED,
    ),
    Field("indicateurs_dus", "integer", "Indicateurs dus", "Indicateurs qu'il fournit.", REQUIRED),
    Field(
        "indicateurs_fournis",
        "integer",
        "Indicateurs fournis",
        "Indicateurs dont une valeur ou une cible de l'année a été enregistrée pendant la "
        "campagne.",
        REQUIRED,
    ),
    Field(
        "taux_reponse",
        "integer",
        "Taux de réponse (%)",
        "Part de ses actions et indicateurs qui ont reçu une réponse, arrondie.",
        {"required": True, **PERCENT},
    ),
    Field("derniere_reponse", "datetime", "Dernière réponse", "Moment de sa dernière réponse."),
    Field("relance_le", "datetime", "Relancé le", "Moment de la dernière relance envoyée."),
    Field(
        "depots_a_valider",
        "integer",
        "Dépôts à valider",
        "Ses dépôts de la campagne qui attendent l'équipe.",
        REQUIRED,
    ),
)
