"""The plan workbook's layout, shared by its writer (`workbook_write`) and its reader
(`workbook_read`): sheet names, columns and the lists of values offered in its cells.

Sheets: `Plan` (one row per action, laid out like the plan's own table: Axe | Objectif
opérationnel | N° | Action | Porteurs | Calendrier | Observations, then one column per territory
headed by the territory's code, then the porteurs' codes), `Objectifs`, `Axes`, `Indicateurs`,
`Territoires`, `Porteurs`, `Informations` (the plan's name, territory, status, `date_plan`) and a
hidden `Listes` sheet, the source of the drop-downs. The Axe column and the wording after the
objective's code are there to be read: the objective's code decides where an action goes.
"""

from __future__ import annotations

from dataclasses import dataclass

PLAN = "Plan"
LISTES = "Listes"
# What separates an objective's code from its wording in the Plan sheet ("1.1 — Organiser…").
CODE_SEP = " — "
SENS = ("hausse", "baisse")
UNITES = ("nombre", "%")
TYPES_TERRITOIRE = ("metropole", "commune", "quartier")
# The plan's own words about itself (plan_meta), written in the Informations sheet.
META_KEYS = ("nom", "territoire", "statut_document", "date_plan")

# The fixed columns of the Plan sheet, in the plan's own order: key, header.
PLAN_COLUMNS = (
    ("axe", "Axe"),
    ("objectif_code", "Objectif opérationnel"),
    ("action_no", "N°"),
    ("libelle", "Action"),
    ("porteur", "Porteurs"),
    ("calendrier", "Calendrier"),
    ("observations", "Observations"),
)
CODES_PORTEURS = "Codes porteurs"


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: tuple[tuple[str, str], ...]  # (field, header)
    required: bool = True


SHEETS = {
    "axes": Sheet("Axes", (("axe_no", "N° axe"), ("libelle", "Libellé"))),
    "objectifs": Sheet(
        "Objectifs",
        (("code", "Code"), ("axe_no", "N° axe"), ("libelle", "Libellé"), ("domaine", "Domaine")),
    ),
    "indicateurs": Sheet(
        "Indicateurs",
        (
            ("code", "Code"),
            ("objectif_code", "Objectif"),
            ("libelle", "Libellé"),
            ("unite", "Unité"),
            ("sens", "Sens"),
            ("fournisseur", "Fournisseur"),
        ),
    ),
    "territoires": Sheet(
        "Territoires",
        (
            ("code", "Code"),
            ("libelle", "Libellé"),
            ("type", "Type"),
            ("ordre", "Ordre"),
            ("code_officiel", "Code officiel"),
        ),
    ),
    "porteurs": Sheet(
        "Porteurs",
        (
            ("code", "Code"),
            ("libelle", "Libellé"),
            ("type", "Type"),
            ("contact", "Contact"),
            ("email", "Courriel"),
        ),
        required=False,
    ),
    "informations": Sheet("Informations", (("cle", "Clé"), ("valeur", "Valeur")), required=False),
}


def objective_choice(code: str, libelle: str) -> str:
    return f"{code}{CODE_SEP}{libelle}"
