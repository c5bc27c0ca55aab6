"""Roles of users who log in through OpenID Connect, by e-mail, from a TOML file.

defaut = "lecture"          # role of any other authenticated address; "" refuses them
[roles]
"alice@exemple.fr" = "admin"
"bob@exemple.fr" = "saisie"
"agent@mde.fr" = "porteur"
[porteurs]                  # the porteur codes of each address with the role "porteur"
"agent@mde.fr" = ["MDE"]
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from ptlcd_data.access.auth import ROLES
from ptlcd_data.errors import PtlcdError


def load_roles(path: Path) -> tuple[dict[str, str], str | None]:
    """(e-mail → role, default role or None). A missing file gives no roles and `lecture`."""
    if not path.is_file():
        return {}, "lecture"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PtlcdError(f"Fichier des rôles « {path.name} » illisible : {exc}.") from exc
    roles = {str(k).strip().lower(): str(v) for k, v in dict(data.get("roles", {})).items()}
    bad = {k: v for k, v in roles.items() if v not in ROLES}
    if bad:
        raise PtlcdError(f"Fichier des rôles : rôle inconnu pour {', '.join(sorted(bad))}.")
    default = str(data.get("defaut", "lecture")) or None
    if default is not None and default not in ROLES:
        raise PtlcdError(f"Fichier des rôles : rôle par défaut « {default} » inconnu.")
    if default == "porteur":
        raise PtlcdError(
            "Fichier des rôles : « porteur » ne peut pas être le rôle par défaut (un porteur est "
            "nommé avec ses codes dans la section [porteurs])."
        )
    codes = _porteurs(data)
    missing = sorted(k for k, v in roles.items() if v == "porteur" and not codes.get(k))
    if missing:
        raise PtlcdError(
            "Fichier des rôles : rôle « porteur » sans codes de porteur dans la section "
            f"[porteurs] pour {', '.join(missing)}."
        )
    return roles, default


def _porteurs(data: dict[str, object]) -> dict[str, tuple[str, ...]]:
    section = data.get("porteurs", {})
    if not isinstance(section, dict) or not all(
        isinstance(v, list) and all(isinstance(c, str) for c in v) for v in section.values()
    ):
        raise PtlcdError(
            "Fichier des rôles : la section [porteurs] associe une adresse à une liste de codes, "
            'par exemple "agent@mde.fr" = ["MDE"].'
        )
    return {str(k).strip().lower(): tuple(c.strip() for c in v) for k, v in section.items()}


def porteurs_for_email(path: Path, email: str | None) -> tuple[str, ...]:
    """The porteur codes of this address (section [porteurs]); empty when it has none."""
    if not email or not path.is_file():
        return ()
    load_roles(path)  # the same checks as for its role
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return _porteurs(data).get(email.strip().lower(), ())


def role_for_email(path: Path, email: str | None) -> str | None:
    """The role of this address, or None when it may not use the app."""
    if not email:
        return None
    roles, default = load_roles(path)
    return roles.get(email.strip().lower(), default)
