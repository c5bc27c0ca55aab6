"""Roles of users who log in through OpenID Connect, by e-mail, from a TOML file.

defaut = "lecture"          # role of any other authenticated address; "" refuses them
[roles]
"alice@exemple.fr" = "admin"
"bob@exemple.fr" = "saisie"
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
    return roles, default


def role_for_email(path: Path, email: str | None) -> str | None:
    """The role of this address, or None when it may not use the app."""
    if not email:
        return None
    roles, default = load_roles(path)
    return roles.get(email.strip().lower(), default)
