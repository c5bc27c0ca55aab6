"""Problems found in a file: one record per problem (sheet, row, column, value, what is
expected), their order, and the French sentence the command line prints.

Vérifier (`imports`) and the plan workbook (`plan`) report their problems this way, so that the
pages and the command line show both alike.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

PROBLEM_COLUMNS = [
    "gravite",
    "feuille",
    "ligne",
    "colonne",
    "entete",
    "valeur",
    "message",
    "attendu",
]


def problem(
    gravite: str,
    feuille: str | None,
    ligne: int | None,
    colonne: str | None,
    entete: str | None,
    valeur: Any,
    message: str,
    attendu: str | None = None,
) -> dict[str, Any]:
    return {
        "gravite": gravite,
        "feuille": feuille,
        "ligne": ligne,
        "colonne": colonne,
        "entete": entete,
        "valeur": None if valeur is None else str(valeur),
        "message": message,
        "attendu": attendu,
    }


def error(*args: Any) -> dict[str, Any]:
    return problem("erreur", *args)


def remark(*args: Any) -> dict[str, Any]:
    return problem("remarque", *args)


def problems_frame(problems: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(problems, columns=PROBLEM_COLUMNS)
    frame["ligne"] = frame["ligne"].astype("Int64")
    order = frame["gravite"].map({"erreur": 0, "remarque": 1})
    frame = frame.assign(_o=order).sort_values(
        ["_o", "feuille", "ligne", "colonne"], na_position="first", kind="stable"
    )
    return frame.drop(columns="_o").reset_index(drop=True)


def _present(value: Any) -> bool:
    return (
        value is not None
        and not (isinstance(value, float) and pd.isna(value))
        and value is not pd.NA
    )


def format_problem(p: dict[str, Any]) -> str:
    """'Erreur — Indicateurs, ligne 12, colonne D (Année) : « 1890 » — Année hors limites. ; attendu : …'."""
    q = {k: (v if _present(v) else None) for k, v in p.items()}
    where = [str(q["feuille"])] if q.get("feuille") else []
    if q.get("ligne") is not None:
        where.append(f"ligne {int(str(q['ligne']))}")
    if q.get("colonne"):
        where.append(f"colonne {q['colonne']}" + (f" ({q['entete']})" if q.get("entete") else ""))
    elif q.get("entete"):
        where.append(f"colonne « {q['entete']} »")
    body = (f"« {q['valeur']} » — " if q.get("valeur") is not None else "") + str(q["message"])
    if q.get("attendu"):
        body += f" Attendu : {q['attendu']}."
    prefix = "Erreur" if q["gravite"] == "erreur" else "Remarque"
    return f"{prefix} — {', '.join(where)} : {body}" if where else f"{prefix} : {body}"


def line_ranges(lines: list[int]) -> str:
    """[2, 3, 4, 9] -> 'lignes 2 à 4, 9'."""
    parts: list[str] = []
    start = prev = lines[0]
    for n in [*lines[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(f"{start} à {prev}" if prev > start else str(start))
        if n is not None:
            start = prev = n
    return ("lignes " if len(lines) > 1 else "ligne ") + ", ".join(parts)
