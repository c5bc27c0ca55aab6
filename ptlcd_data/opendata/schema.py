"""What the open-data package holds: its resources and every field, described in French.

Each resource is a Table Schema (https://specs.frictionlessdata.io/table-schema/): typed fields
with a French title and description, its primary key, and foreign keys to the other resources
where every row's reference is in the package (`package.py` keeps only such rows). The SQL that
fills a resource lives in `package.py` and returns exactly these columns, in this order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ptlcd_data.indicateurs.valeurs import PERIODES
from ptlcd_data.plan.loader import CODE_OFFICIEL_PATTERN
from ptlcd_data.vocabulary import NIVEAUX, STATUTS

LICENCE = {
    "name": "etalab-2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    "title": "Licence Ouverte / Open Licence 2.0",
}
# Only "" means "no value" in the CSVs: a text such as "NA" or "-" is kept as written.
MISSING_VALUES = [""]


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # Table Schema type: string, integer, number, boolean, date, datetime
    title: str
    description: str
    constraints: dict[str, Any] = field(default_factory=dict)

    def descriptor(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "title": self.title,
            "description": self.description,
        }
        if self.type == "boolean":
            out |= {"trueValues": ["true"], "falseValues": ["false"]}
        if self.constraints:
            out["constraints"] = self.constraints
        return out


# (fields here, resource referred to, its fields)
ForeignKey = tuple[tuple[str, ...], str, tuple[str, ...]]


@dataclass(frozen=True)
class Resource:
    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()

    @property
    def path(self) -> str:
        return f"{self.name}.csv"

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    def table_schema(self) -> dict[str, Any]:
        return {
            "fields": [f.descriptor() for f in self.fields],
            "primaryKey": list(self.primary_key),
            "foreignKeys": [
                {"fields": list(mine), "reference": {"resource": other, "fields": list(theirs)}}
                for mine, other, theirs in self.foreign_keys
            ],
            "missingValues": MISSING_VALUES,
        }


REQUIRED = {"required": True}
UNIQUE = {"required": True, "unique": True}


def _demo(what: str) -> Field:
    return Field(
        "demo",
        "boolean",
        "Démonstration",
        f"true si {what} fait partie des données de démonstration (fictives, générées pour "
        "présenter l'outil) ; false pour une donnée réelle. Le paquet n'en contient que s'il a "
        "été produit avec l'option --avec-demo.",
        REQUIRED,
    )


def _provenance(what: str) -> tuple[Field, ...]:
    return (
        Field(
            "source",
            "string",
            "Source",
            f"D'où vient {what} : « revue GOLD » (saisie en revue), « import » (fichier importé), "
            "« plan AAAA (document de travail) » (état initial lu dans le plan), "
            "« démonstration », ou la source indiquée par la personne qui l'a saisi(e).",
        ),
        Field(
            "import_id",
            "integer",
            "Lot d'import",
            f"Numéro du lot d'import qui a enregistré {what} ; vide pour une saisie, l'état "
            "initial du plan ou la démonstration.",
        ),
        Field(
            "enregistre_le",
            "datetime",
            "Enregistré le",
            f"Date et heure (heure locale du serveur, à la seconde) de l'enregistrement de {what} "
            "dans l'outil.",
            REQUIRED,
        ),
    )


def _ordre(what: str) -> Field:
    return Field("ordre", "integer", "Ordre", f"Rang {what} dans le plan.", REQUIRED)


def _history(
    name: str,
    title: str,
    description: str,
    *,
    recorded: tuple[Field, ...],
    commented: str,
    about: tuple[Field, ...] = (),
    foreign_keys: tuple[ForeignKey, ...] = (),
) -> Resource:
    """A follow-up history: numbered records about one action (and what `about` adds), each
    with its date d'effet, what it `recorded`, a comment and its provenance. The package holds
    the records up to its date d'observation."""
    return Resource(
        name,
        title,
        f"{description} Enregistrements dont la date d'effet va jusqu'à la date d'observation.",
        (
            Field("id", "integer", "Identifiant", "Numéro de l'enregistrement.", UNIQUE),
            Field("action_no", "integer", "N° d'action", "Action concernée.", REQUIRED),
            *about,
            Field(
                "date_effet", "date", "Date d'effet", "Date à partir de laquelle il vaut.", REQUIRED
            ),
            *recorded,
            Field("commentaire", "string", "Commentaire", f"Commentaire saisi avec {commented}."),
            *_provenance("l'enregistrement"),
            _demo("l'enregistrement"),
        ),
        ("id",),
        ((("action_no",), "actions", ("action_no",)), *foreign_keys),
    )


TERRITOIRES = Resource(
    "territoires",
    "Territoires",
    "Les territoires du contrat de ville concernés par le plan : l'intercommunalité et ses "
    "communes, dans l'ordre du plan.",
    (
        Field("code", "string", "Code", "Code du territoire dans le plan.", UNIQUE),
        Field("libelle", "string", "Libellé", "Nom du territoire.", REQUIRED),
        Field(
            "type",
            "string",
            "Type",
            "Nature du territoire : « metropole » (intercommunalité), « commune »…",
            REQUIRED,
        ),
        _ordre("du territoire"),
        Field(
            "code_officiel",
            "string",
            "Code officiel",
            "Code officiel du territoire quand il est connu : code commune du Code officiel "
            "géographique de l'Insee (5 caractères) pour une commune, numéro SIREN "
            "(9 chiffres) pour une intercommunalité ; vide sinon.",
            {"pattern": CODE_OFFICIEL_PATTERN},
        ),
        _demo("le territoire"),
    ),
    ("code",),
)

AXES = Resource(
    "axes",
    "Axes du plan",
    "Les axes stratégiques du plan.",
    (
        Field("axe_no", "integer", "N° d'axe", "Numéro de l'axe.", UNIQUE),
        Field("libelle", "string", "Libellé", "Intitulé de l'axe.", REQUIRED),
    ),
    ("axe_no",),
)

OBJECTIFS = Resource(
    "objectifs",
    "Objectifs opérationnels",
    "Les objectifs opérationnels du plan, chacun rattaché à un axe.",
    (
        Field("code", "string", "Code", "Code de l'objectif (par exemple « 1.2 »).", UNIQUE),
        Field("axe_no", "integer", "N° d'axe", "Axe auquel l'objectif appartient.", REQUIRED),
        Field("libelle", "string", "Libellé", "Intitulé de l'objectif.", REQUIRED),
        Field(
            "domaine",
            "string",
            "Domaine",
            "Domaine d'action précisé par le plan (éducation, emploi…) ; vide s'il n'y en a pas.",
        ),
        _ordre("de l'objectif"),
    ),
    ("code",),
    ((("axe_no",), "axes", ("axe_no",)),),
)

ACTIONS = Resource(
    "actions",
    "Actions du plan",
    "Les actions du plan, avec leur porteur et leur calendrier prévu.",
    (
        Field("action_no", "integer", "N° d'action", "Numéro de l'action dans le plan.", UNIQUE),
        Field("axe_no", "integer", "N° d'axe", "Axe de l'action.", REQUIRED),
        Field("objectif_code", "string", "Objectif", "Code de l'objectif de l'action.", REQUIRED),
        Field("libelle", "string", "Libellé", "Intitulé de l'action.", REQUIRED),
        Field("porteur", "string", "Porteur(s)", "Opérateurs ou porteurs de l'action."),
        Field(
            "calendrier",
            "string",
            "Calendrier",
            "Calendrier tel qu'écrit dans le plan (« 2017-2019 », « Dès 2017 », « annuelle »…) ; "
            "vide pour une action non planifiée.",
        ),
        Field("observations", "string", "Observations", "Observations du plan sur l'action."),
        Field(
            "debut_prevu",
            "date",
            "Début prévu",
            "Date de début déduite du calendrier ; vide quand le calendrier n'en donne pas.",
        ),
        Field(
            "fin_prevue",
            "date",
            "Fin prévue",
            "Échéance déduite du calendrier (31 décembre de l'année écrite) ; vide quand le "
            "calendrier n'en donne pas.",
        ),
        Field(
            "recurrente",
            "boolean",
            "Récurrente",
            "true pour une action à mener chaque année (calendrier « annuelle »).",
            REQUIRED,
        ),
        Field(
            "deja_engagee",
            "boolean",
            "Déjà engagée",
            "true pour une action déjà commencée à la date du plan (calendrier « Engagé… »).",
            REQUIRED,
        ),
        Field(
            "calendrier_forme",
            "string",
            "Forme du calendrier",
            "Règle de lecture du calendrier : « non planifiée », « annuelle », « déjà engagée », "
            "« dès », « fin », « période » ou « année ».",
            REQUIRED,
        ),
    ),
    ("action_no",),
    (
        (("axe_no",), "axes", ("axe_no",)),
        (("objectif_code",), "objectifs", ("code",)),
    ),
)

INDICATEURS = Resource(
    "indicateurs",
    "Indicateurs",
    "Les indicateurs de suivi du plan, chacun rattaché à un objectif opérationnel.",
    (
        Field("code", "string", "Code", "Code de l'indicateur.", UNIQUE),
        Field("objectif_code", "string", "Objectif", "Code de l'objectif suivi.", REQUIRED),
        Field("libelle", "string", "Libellé", "Intitulé de l'indicateur.", REQUIRED),
        Field("unite", "string", "Unité", "Unité des valeurs (« nombre », « % »…).", REQUIRED),
        Field(
            "sens",
            "string",
            "Sens souhaité",
            "« hausse » si l'indicateur doit augmenter, « baisse » s'il doit diminuer.",
            {"required": True, "enum": ["hausse", "baisse"]},
        ),
        _ordre("de l'indicateur"),
        _demo("l'indicateur"),
    ),
    ("code",),
    ((("objectif_code",), "objectifs", ("code",)),),
)

VALEURS = Resource(
    "valeurs_indicateurs",
    "Valeurs des indicateurs",
    "Valeur réalisée et cible de chaque indicateur, par territoire, année et période, telles "
    "que connues à la date d'observation du paquet (la dernière valeur enregistrée ce jour-là ; "
    "une valeur retirée par l'annulation d'un import n'y figure pas), avec leur provenance.",
    (
        Field("indicateur_code", "string", "Indicateur", "Code de l'indicateur.", REQUIRED),
        Field("territoire_code", "string", "Territoire", "Code du territoire.", REQUIRED),
        Field("annee", "integer", "Année", "Année de la valeur.", REQUIRED),
        Field(
            "periode",
            "string",
            "Période",
            "« A » pour l'année entière, « T1 » à « T4 » pour un trimestre, « M01 » à « M12 » "
            "pour un mois.",
            {"required": True, "enum": sorted(PERIODES)},
        ),
        Field("valeur", "number", "Valeur réalisée", "Valeur constatée ; vide si inconnue."),
        Field("cible", "number", "Cible", "Valeur visée ; vide si aucune cible n'est fixée."),
        Field("commentaire", "string", "Commentaire", "Commentaire saisi avec la valeur."),
        *_provenance("la valeur"),
        _demo("la valeur"),
    ),
    ("indicateur_code", "territoire_code", "annee", "periode"),
    (
        (("indicateur_code",), "indicateurs", ("code",)),
        (("territoire_code",), "territoires", ("code",)),
    ),
)

STATUTS_HISTORIQUE = _history(
    "historique_statuts",
    "Historique des statuts des actions",
    "Chaque changement de statut ou d'avancement d'une action, daté, jamais effacé : le statut "
    "d'une action à une date est celui de son dernier enregistrement dont la date d'effet est "
    "antérieure ou égale.",
    recorded=(
        Field(
            "statut",
            "string",
            "Statut",
            "Statut de l'action à partir de la date d'effet.",
            {"required": True, "enum": list(STATUTS)},
        ),
        Field(
            "avancement",
            "integer",
            "Avancement (%)",
            "Avancement de l'action en pourcentage, de 0 à 100 ; vide s'il n'est pas précisé.",
            {"minimum": 0, "maximum": 100},
        ),
    ),
    commented="le statut",
)

ENGAGEMENTS_HISTORIQUE = _history(
    "historique_engagements",
    "Historique des engagements des territoires",
    "Chaque changement du niveau d'engagement d'un territoire dans une action, daté, jamais "
    "effacé : le niveau à une date est celui du dernier enregistrement dont la date d'effet est "
    "antérieure ou égale.",
    about=(Field("territoire_code", "string", "Territoire", "Territoire concerné.", REQUIRED),),
    recorded=(
        Field(
            "niveau",
            "string",
            "Niveau d'engagement",
            "Engagement du territoire dans l'action à partir de la date d'effet.",
            {"required": True, "enum": list(NIVEAUX)},
        ),
    ),
    commented="le niveau",
    foreign_keys=((("territoire_code",), "territoires", ("code",)),),
)

DECISIONS = Resource(
    "decisions",
    "Décisions du GOLD",
    "Chaque décision prise en séance par le groupe de pilotage (GOLD), telle qu'elle se présente "
    "à la date d'observation du paquet : une décision existe à partir de la date de sa séance ; "
    "son état est celui de son dernier changement dont la date d'effet est antérieure ou égale.",
    (
        Field("id", "integer", "Numéro", "Numéro de la décision.", REQUIRED),
        Field("seance_id", "integer", "Séance", "Numéro de la séance du GOLD.", REQUIRED),
        Field("seance_date", "date", "Date de la séance", "Jour de la séance.", REQUIRED),
        Field(
            "action_no", "integer", "Action", "Action concernée ; vide pour une décision générale."
        ),
        Field(
            "indicateur_code",
            "string",
            "Indicateur",
            "Indicateur concerné ; vide si la décision ne porte pas sur un indicateur.",
        ),
        Field(
            "texte", "string", "Décision", "Texte de la décision, tel qu'il a été saisi.", REQUIRED
        ),
        Field(
            "responsable",
            "string",
            "Responsable",
            "Code du porteur du plan chargé de la décision ; vide quand c'est une personne "
            "nommée (donnée personnelle, non publiée).",
        ),
        Field(
            "echeance", "date", "Échéance", "Date à laquelle la décision doit être faite.", REQUIRED
        ),
        Field(
            "etat",
            "string",
            "État",
            "« ouverte », « faite » ou « abandonnee » à la date d'observation.",
            {"required": True, "enum": ["ouverte", "faite", "abandonnee"]},
        ),
        Field(
            "en_retard",
            "boolean",
            "En retard",
            "Vrai quand la décision est encore ouverte après son échéance.",
            REQUIRED,
        ),
        Field(
            "modifie_le",
            "datetime",
            "Modifiée le",
            "Moment où le dernier changement d'état a été enregistré.",
            REQUIRED,
        ),
    ),
    ("id",),
)

RESOURCES: tuple[Resource, ...] = (
    TERRITOIRES,
    AXES,
    OBJECTIFS,
    ACTIONS,
    INDICATEURS,
    VALEURS,
    STATUTS_HISTORIQUE,
    ENGAGEMENTS_HISTORIQUE,
    DECISIONS,
)
