"""Every page of the app, once: section, file, title, icon, URL and the minimal role.

app.py builds `st.navigation` from this list for the visitor's role; tests and benchmarks
iterate over it, so a new page is covered by them as soon as it is listed here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ptlcd_data.access.auth import ROLE_LABELS, User

ANONYMOUS = "anonyme"
# The one page a campaign's reply link opens (web/session.py redirects there).
LINK_PAGE = "mes-actions"
# A reply link opens its page and the accessibility statement, which RGAA wants reachable from
# every page; nothing else.
LINK_PAGES = (LINK_PAGE, "accessibilite")
LINK_REFUSAL = (
    "Ce lien de campagne n'ouvre que la page « Mes actions » de son porteur (et la déclaration "
    "d'accessibilité), rien d'autre. "
    "Pour consulter le reste du tableau de bord, fermez la session du lien (bouton en haut de "
    "« Mes actions ») puis connectez-vous avec un compte, ou consultez-le sans connexion."
)


@dataclass(frozen=True)
class PageSpec:
    section: str
    path: str
    title: str
    icon: str
    url_path: str | None
    role: str  # lecture, porteur, saisie, admin, or ANONYMOUS (everyone, logged in or not)
    default: bool = False

    @property
    def key(self) -> str:
        """The page's name in a « retour » address parameter: its URL, « accueil » for home."""
        return self.url_path or "accueil"


# fmt: off
PAGES: list[PageSpec] = [
    #        section           file                           title               icon                      url            role
    PageSpec("Le plan",        "app_pages/accueil.py",        "Vue d'ensemble",   ":material/dashboard:",   None,          "lecture", default=True),
    PageSpec("Le plan",        "app_pages/fiche_action.py",   "Fiche action",     ":material/description:", "fiche",       "lecture"),
    PageSpec("Le suivi",       "app_pages/avancement.py",     "Avancement par axe", ":material/stacked_bar_chart:", "avancement", "lecture"),
    PageSpec("Le suivi",       "app_pages/calendrier.py",     "Calendrier et retards", ":material/event_busy:", "calendrier", "lecture"),
    PageSpec("Le suivi",       "app_pages/engagement.py",     "Engagement des communes", ":material/grid_on:", "engagement", "lecture"),
    PageSpec("Le suivi",       "app_pages/revue.py",          "Revue GOLD",       ":material/groups:",      "revue",       "lecture"),
    PageSpec("Le suivi",       "app_pages/indicateurs.py",    "Indicateurs",      ":material/monitoring:",  "indicateurs", "lecture"),
    PageSpec("Le suivi",       "app_pages/decisions.py",      "Décisions",        ":material/gavel:",       "decisions",   "lecture"),
    PageSpec("Le suivi",       "app_pages/synthese.py",       "Synthèse annuelle", ":material/summarize:",  "synthese",    "lecture"),
    PageSpec("Saisie",         "app_pages/mes_actions.py",    "Mes actions",      ":material/assignment_ind:", "mes-actions", "porteur"),
    PageSpec("Saisie",         "app_pages/import_donnees.py", "Import de données", ":material/upload_file:", "import", "porteur"),
    PageSpec("Saisie",         "app_pages/depots.py",         "Dépôts à valider", ":material/fact_check:",  "depots",      "saisie"),
    PageSpec("Saisie",         "app_pages/campagne.py",       "Campagne de suivi", ":material/campaign:",   "campagne",    "saisie"),
    PageSpec("Administration", "app_pages/modifier_plan.py",  "Modifier le plan", ":material/edit_note:", "modifier-plan", "admin"),
    PageSpec("Administration", "app_pages/journal.py",        "Journal",          ":material/history:",     "journal",     "admin"),
    PageSpec("Administration", "app_pages/donnees_ouvertes.py", "Données ouvertes", ":material/dataset:", "donnees-ouvertes", "admin"),
    PageSpec("Compte",         "app_pages/connexion.py",      "Connexion",        ":material/login:",       "connexion",   ANONYMOUS),
    PageSpec("À propos",       "app_pages/accessibilite.py",  "Accessibilité",    ":material/accessibility:", "accessibilite", ANONYMOUS),
]
# fmt: on


def allowed(spec: PageSpec, user: User | None, read_requires_login: bool) -> bool:
    if user is not None and user.lien is not None:  # a reply link: its page and the statement
        return spec.url_path in LINK_PAGES
    if spec.role == ANONYMOUS:
        return True
    if user is None:
        return spec.role == "lecture" and not read_requires_login
    return user.can(spec.role)


def page_for(key: str | None) -> PageSpec | None:
    """The page a « retour » parameter names, or None: only the app's own pages, never an
    address from elsewhere."""
    return next((spec for spec in PAGES if spec.key == key), None)


def refusal_text(spec: PageSpec, user: User | None) -> str:
    """Why this visitor cannot open this page, in French, and what to do (log in)."""
    role = ROLE_LABELS.get(spec.role, spec.role)
    if user is not None and user.lien is not None:
        return LINK_REFUSAL
    if user is None and spec.role == "lecture":
        return (
            "La consultation de ce tableau de bord est réservée aux personnes connectées. "
            "Connectez-vous depuis la page « Connexion » :"
        )
    if user is None:
        return (
            f"Cette page est réservée aux comptes ayant le rôle « {role} ». "
            "Connectez-vous depuis la page « Connexion » :"
        )
    return (
        f"Votre compte (rôle « {ROLE_LABELS.get(user.role, user.role)} ») ne permet pas "
        f"d'ouvrir cette page : elle demande le rôle « {role} ». Pour l'ouvrir, connectez-vous "
        "avec un autre compte depuis la page « Connexion » :"
    )
