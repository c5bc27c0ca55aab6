"""Settings, declared once with their default and a help line, read from the environment.

The app may also pass values read from `st.secrets`; the data layer itself only knows this class.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
# This machine's addresses: where a reverse proxy declared trusted connects from.
LOOPBACK = "127.0.0.1,::1"


def _default_db() -> Path:
    return PROJECT_DIR / "var" / "ptlcd.duckdb"


@dataclass(frozen=True)
class Settings:
    db_path: Path = field(
        default_factory=_default_db,
        metadata={"env": "PTLCD_DB", "help": "Fichier DuckDB (créé au premier lancement)."},
    )
    data_dir: Path = field(
        default=PROJECT_DIR / "data",
        metadata={"env": "PTLCD_DATA", "help": "Dossier des fichiers CSV du plan."},
    )
    allow_recording: bool = field(
        default=True,
        metadata={
            "env": "PTLCD_ALLOW_RECORDING",
            "help": "Autoriser l'enregistrement en mode revue (statuts, engagements, commentaires).",
        },
    )
    max_upload_mb: int = field(
        default=20,
        metadata={
            "env": "PTLCD_MAX_UPLOAD_MB",
            "help": "Taille maximale d'un fichier importé (Mo).",
        },
    )
    max_rows: int = field(
        default=200_000,
        metadata={
            "env": "PTLCD_MAX_ROWS",
            "help": "Nombre maximal de lignes d'un fichier importé.",
        },
    )
    backups_kept: int = field(
        default=10,
        metadata={"env": "PTLCD_BACKUPS_KEPT", "help": "Copies automatiques conservées."},
    )
    roles_file: Path = field(
        default=PROJECT_DIR / ".streamlit" / "roles.toml",
        metadata={
            "env": "PTLCD_ROLES_FILE",
            "help": "Rôles par adresse e-mail pour la connexion OpenID Connect (fichier TOML).",
        },
    )
    trusted_proxy: bool = field(
        default=False,
        metadata={
            "env": "PTLCD_TRUSTED_PROXY",
            "help": "L'application est derrière un proxy inverse sur cette machine (deploy/nginx) "
            "qui pose X-Forwarded-For et X-Forwarded-Proto : l'adresse des visiteurs (délais "
            "après échecs de connexion) et le https en sont lus ; sinon ces en-têtes sont ignorés.",
        },
    )
    read_requires_login: bool = field(
        default=False,
        metadata={
            "env": "PTLCD_READ_REQUIRES_LOGIN",
            "help": "Exiger une connexion pour consulter (sinon la lecture est ouverte).",
        },
    )
    api_per_minute: int = field(
        default=120,
        metadata={
            "env": "PTLCD_API_PAR_MINUTE",
            "help": "Requêtes par minute permises à chaque jeton et à chaque adresse sur l'API "
            "(/api/v1/) et les données ouvertes (/opendata/), par à-coups jusqu'à ce nombre ; "
            "au-delà, réponse 429 avec Retry-After. 0 : pas de limite.",
        },
    )
    secret_key: str = field(
        default="",
        repr=False,  # never in a log or a traceback
        metadata={
            "env": "PTLCD_SECRET_KEY",
            "help": "Clé qui signe les cookies de connexion (32 caractères au moins, tirés au "
            "hasard) ; vide : une clé aléatoire est créée une fois dans le fichier "
            "ptlcd-session.key à côté de la base.",
        },
    )
    session_hours: int = field(
        default=12,
        metadata={
            "env": "PTLCD_SESSION_HOURS",
            "help": "Durée d'une connexion locale, en heures (de 1 à 720) : elle survit au "
            "rechargement de la page jusque-là, ou jusqu'à la déconnexion.",
        },
    )
    lien_jours: int = field(
        default=30,
        metadata={
            "env": "PTLCD_LIEN_JOURS",
            "help": "Jours pendant lesquels le lien personnel d'une relance (/r/…, pour répondre "
            "sans compte) reste valable après l'échéance de la campagne ; il est révoqué dès "
            "la clôture de la campagne. Les liens demandent PTLCD_APP_URL.",
        },
    )
    accessibility_contact: str = field(
        default="",
        metadata={
            "env": "PTLCD_CONTACT_ACCESSIBILITE",
            "help": "Adresse (courriel ou page) où signaler un défaut d'accessibilité ; "
            "affichée par la page « Accessibilité ».",
        },
    )

    smtp_host: str = field(
        default="",
        metadata={
            "env": "PTLCD_SMTP_HOST",
            "help": "Serveur d'envoi des courriels (relances des campagnes) ; vide : rien n'est "
            "envoyé, les relances sont listées et téléchargeables en fichiers .eml.",
        },
    )
    smtp_port: int = field(
        default=587,
        metadata={"env": "PTLCD_SMTP_PORT", "help": "Port du serveur d'envoi des courriels."},
    )
    smtp_from: str = field(
        default="",
        metadata={
            "env": "PTLCD_SMTP_FROM",
            "help": "Adresse d'expédition des relances (obligatoire quand un serveur est réglé).",
        },
    )
    smtp_user: str = field(
        default="",
        metadata={
            "env": "PTLCD_SMTP_USER",
            "help": "Identifiant sur le serveur d'envoi ; vide : pas d'authentification.",
        },
    )
    smtp_password: str = field(
        default="",
        repr=False,  # never printed, logged or shown in an error
        metadata={"env": "PTLCD_SMTP_PASSWORD", "help": "Mot de passe sur le serveur d'envoi."},
    )
    smtp_tls: str = field(
        default="starttls",
        metadata={
            "env": "PTLCD_SMTP_TLS",
            "help": "Chiffrement : starttls (port 587), ssl (port 465) ou none (aucun). Le "
            "certificat du serveur est vérifié (autorités du système, ou fichier SSL_CERT_FILE).",
        },
    )
    smtp_message_seconds: int = field(
        default=60,
        metadata={
            "env": "PTLCD_SMTP_MESSAGE_SECONDS",
            "help": "Délai maximal, en secondes, pour ouvrir la session avec le serveur d'envoi, "
            "puis pour chaque message : au-delà, la connexion est coupée, la relance est notée "
            "« échec » (délai dépassé) et les suivantes attendent le prochain envoi.",
        },
    )
    smtp_run_seconds: int = field(
        default=600,
        metadata={
            "env": "PTLCD_SMTP_RUN_SECONDS",
            "help": "Durée maximale d'un envoi de relances, en secondes : au-delà, les porteurs "
            "pas encore tentés sont notés « échec » (délai dépassé) et relancés au prochain envoi.",
        },
    )
    imap_host: str = field(
        default="",
        metadata={
            "env": "PTLCD_IMAP_HOST",
            "help": "Serveur de la boîte aux lettres où les porteurs renvoient leurs classeurs "
            "(lue par « campaign fetch-replies » et « notify run ») ; vide : boîte non relevée.",
        },
    )
    imap_port: int = field(
        default=993,
        metadata={"env": "PTLCD_IMAP_PORT", "help": "Port du serveur IMAP."},
    )
    imap_user: str = field(
        default="",
        metadata={"env": "PTLCD_IMAP_USER", "help": "Identifiant de la boîte aux lettres."},
    )
    imap_password: str = field(
        default="",
        repr=False,  # never printed, logged or shown in an error
        metadata={"env": "PTLCD_IMAP_PASSWORD", "help": "Mot de passe de la boîte aux lettres."},
    )
    imap_tls: str = field(
        default="ssl",
        metadata={
            "env": "PTLCD_IMAP_TLS",
            "help": "Chiffrement : ssl (port 993), starttls (port 143) ou none (aucun).",
        },
    )
    imap_folder: str = field(
        default="INBOX",
        metadata={"env": "PTLCD_IMAP_FOLDER", "help": "Dossier relevé dans la boîte aux lettres."},
    )
    validation: bool = field(
        default=True,
        metadata={
            "env": "PTLCD_VALIDATION",
            "help": "Ce qu'un compte porteur envoie (formulaires, fichiers, classeurs de campagne) "
            "devient un dépôt à valider, publié seulement quand un membre de l'équipe le valide ; "
            "false : publié tout de suite.",
        },
    )
    pieces_dir: Path | None = field(
        default=None,
        metadata={
            "env": "PTLCD_PIECES",
            "help": "Dossier des pièces justificatives ; vide : le dossier « pieces » à côté de "
            "la base.",
        },
    )
    max_piece_mb: int = field(
        default=10,
        metadata={
            "env": "PTLCD_MAX_PIECE_MB",
            "help": "Taille maximale d'une pièce justificative (Mo).",
        },
    )
    app_url: str = field(
        default="",
        metadata={
            "env": "PTLCD_APP_URL",
            "help": "Adresse de l'application, donnée dans les relances pour répondre en ligne ; "
            "peut rester vide.",
        },
    )

    @property
    def forwarded_allow_ips(self) -> str:
        """uvicorn's FORWARDED_ALLOW_IPS for this server: whose X-Forwarded-For and
        X-Forwarded-Proto it believes.

        uvicorn, under `streamlit run`, believes them from this machine by default, so that a
        local program could pose as any address. Only the proxy declared by PTLCD_TRUSTED_PROXY
        (on this machine: the app then listens on 127.0.0.1) is believed; otherwise nobody.
        Set by scripts/run.sh, which must export it before the server starts.
        """
        return LOOPBACK if self.trusted_proxy else ""

    @property
    def pieces_path(self) -> Path:
        """Where the pièces justificatives are stored: PTLCD_PIECES, or `pieces/` beside the base."""
        return self.pieces_dir or self.db_path.parent / "pieces"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from environment variables, then explicit overrides (e.g. `--db`)."""
        env = dict(os.environ) if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f.metadata["env"])
            if raw is None or raw == "":
                continue
            values[f.name] = _convert(f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        for key in ("db_path", "data_dir", "roles_file", "pieces_dir"):
            if key in values:
                values[key] = Path(values[key])
        return cls(**values)


def _convert(type_name: Any, raw: str) -> Any:
    name = str(type_name)
    if name == "bool":
        return raw.strip().lower() in {"1", "true", "oui", "yes", "on"}
    if name == "int":
        return int(raw)
    return raw
