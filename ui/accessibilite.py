"""The accessibility statement (déclaration d'accessibilité), in the form the RGAA asks for.

Its facts are written once here: the level, how it was established, the known non-conformities
(most are Streamlit's own markup, each with its upstream issue; tests/helpers/axe.py lists the
same issues in the allowlist of the automatic checks, and a test keeps the two in step), the
contact and the recourse. docs/accessibilite.md says, theme by theme, how the RGAA is handled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from ptlcd_data import formats
from ui import widgets

RGAA = "RGAA 4.1"
# The day this statement was last brought up to date (and the allowlist of the checks).
STATEMENT_DATE = date(2026, 12, 2)
AXE_VERSION = "4.14.1"  # package.json pins the same version

STREAMLIT_I18N = "https://github.com/streamlit/streamlit/issues/1353"
STREAMLIT_LANG = "https://github.com/streamlit/streamlit/issues/15726"
STREAMLIT_STRUCTURE = "https://github.com/streamlit/streamlit/issues/8399"
STREAMLIT_GRID_KEYBOARD = "https://github.com/streamlit/streamlit/issues/13332"


@dataclass(frozen=True)
class NonConformite:
    what: str  # what a user meets, in French
    criteria: str  # the RGAA criteria concerned
    workaround: str  # what the app does about it, or what to use instead
    upstream: str | None  # the upstream issue, for what belongs to Streamlit


NON_CONFORMITES: tuple[NonConformite, ...] = (
    NonConformite(
        "Dans la barre latérale, la liste des pages mêle les titres de section à ses éléments "
        "(une liste `ul` contient des `div`) : un lecteur d'écran annonce mal le nombre de pages.",
        "9.3",
        "Balisage de Streamlit, que l'application ne peut pas changer ; chaque lien porte le nom "
        "de sa page. Aucune demande dédiée n'existe encore chez Streamlit : elle relève de la "
        "demande générale sur la structure des pages.",
        STREAMLIT_STRUCTURE,
    ),
    NonConformite(
        "Des textes de Streamlit restent en anglais : infobulles des boutons des tableaux "
        "(« Download as CSV »…), zone de dépôt de fichier (« Drag and drop file here », « Browse "
        "files », « Upload », « 25MB per file »), « Press Enter to apply », menus des colonnes "
        "des tableaux, indicateur « Running… ».",
        "8.7",
        "Streamlit ne permet pas de traduire son interface. L'application remplace en français "
        "le lien d'évitement, le message « page introuvable » et le nom lu par les lecteurs "
        "d'écran des commandes les plus courantes (aide, calendrier, boutons des tableaux).",
        STREAMLIT_I18N,
    ),
    NonConformite(
        'La langue du document est déclarée anglaise (`lang="en"`) par Streamlit.',
        "8.3",
        'Corrigé par l\'application : un script fixe `lang="fr"` au chargement de chaque page '
        "(vérifié dans les tests) ; sans JavaScript, l'application ne fonctionne pas du tout.",
        STREAMLIT_LANG,
    ),
    NonConformite(
        "Les tableaux de données sont dessinés sur un canevas : la touche Tab parcourt les "
        "cellules d'une ligne avant de sortir du tableau, et le menu d'une colonne n'est pas "
        "atteignable au clavier.",
        "12.8, 7.3",
        "Les flèches parcourent le tableau ; chaque tableau se télécharge (CSV ou Excel) là où "
        "il compte ; les données des graphiques ont aussi un tableau HTML simple (évolution des "
        "statuts).",
        STREAMLIT_GRID_KEYBOARD,
    ),
    NonConformite(
        "Le PDF de la synthèse annuelle n'est pas balisé (structure non lisible par un lecteur "
        "d'écran).",
        "13.3",
        "Le classeur XLSX téléchargé à côté contient les mêmes chiffres et les mêmes textes, "
        "feuille par feuille.",
        None,
    ),
)

CHECKED_BY_TESTS = (
    "l'ordre de tabulation des pages « Avancement par axe » et « Revue GOLD » (le premier "
    "contrôle de la page vient juste après la navigation, sans arrêt décoratif), le lien "
    "d'évitement, et la visibilité du focus à chaque arrêt (contour de 3 px, 8:1) ;",
    "les contrastes des textes, des légendes et des textes dans les graphiques (4,5:1 au "
    "moins), calculés par les tests ;",
    "la hiérarchie des titres (un seul h1, aucun niveau sauté) et le titre de chaque page ;",
    "l'alternative de chaque graphique : une phrase avec ses chiffres clés et un tableau des "
    "mêmes données ;",
    "l'information jamais donnée par la seule couleur (statuts et niveaux écrits en toutes "
    "lettres dans les survols, les légendes et les tableaux).",
)
CHECKED_BY_HAND = (
    "les captures d'écran de chaque page, du focus sur chaque sorte de commande (lien, bouton, "
    "liste déroulante, interrupteur, onglet, tableau, champ de date) et du message « page "
    "introuvable » ; la lecture des phrases qui décrivent les graphiques."
)
PAGES_CHECKED = (
    "toutes les pages de la navigation, sans connexion et connecté avec le rôle « admin » ; "
    "avec le rôle « saisie » : le formulaire de la revue GOLD ouvert, la page d'import et un "
    "import vérifié avec des erreurs ; la synthèse d'une année passée (2019)."
)
DEFENSEUR_FORM = "https://formulaire.defenseurdesdroits.fr/"
DEFENSEUR_DELEGUES = "https://www.defenseurdesdroits.fr/saisir/delegues"


def statement(organisation: str, contact: str) -> None:
    """The statement, section by section (h2 under the page's h1). `contact` comes from the
    settings (PTLCD_CONTACT_ACCESSIBILITE) and `organisation` from the plan: shown as text."""
    who = "La collectivité qui publie ce tableau de bord" + (
        f" ({widgets.escape_md(organisation)})" if organisation else ""
    )
    st.markdown(
        f"{who} s'engage à rendre ses services numériques accessibles, conformément à "
        "l'article 47 de la loi n° 2005-102 du 11 février 2005 et au décret n° 2019-768 du "
        "24 juillet 2019. Cette déclaration d'accessibilité s'applique au tableau de bord "
        "« Suivi du PTLCD »."
    )

    st.header("État de conformité", anchor=False)
    st.markdown(
        f"Le tableau de bord « Suivi du PTLCD » est **non conforme** au {RGAA} au sens du "
        "référentiel : aucun audit complet de ses 106 critères n'a encore été réalisé, et "
        "sans cet audit le RGAA impose de déclarer un service non conforme. Les vérifications "
        "décrites ci-dessous sont faites à chaque modification de l'application ; elles ne "
        "trouvent aucune non-conformité propre à l'application hormis le PDF de la synthèse, "
        "et celles qui viennent de Streamlit sont listées plus bas."
    )

    st.header("Résultats des tests", anchor=False)
    st.markdown(
        f"- **Tests automatiques** : axe-core {AXE_VERSION} (règles WCAG 2.0 et 2.1, niveaux A "
        "et AA) passe sur chaque page, dans chaque état principal, à chaque exécution des "
        "tests : aucune violation, hors celles du balisage de Streamlit listées ci-dessous.\n"
        "- **Vérifié par les tests, au-delà d'axe-core** :\n"
        + "\n".join(f"    - {line}" for line in CHECKED_BY_TESTS)
        + f"\n- **Vérifié à la main** : {CHECKED_BY_HAND}\n"
        f"- **Pages et états vérifiés** : {PAGES_CHECKED}\n"
        "- **Non vérifié** : l'usage réel avec un lecteur d'écran (NVDA, JAWS, VoiceOver), le "
        "zoom à 200 % et l'affichage sur mobile n'ont pas encore été éprouvés à la main."
    )

    st.header("Contenus non accessibles", anchor=False)
    st.subheader("Non-conformités", anchor=False)
    for item in NON_CONFORMITES:
        link = (
            f" Demande chez Streamlit : [streamlit#{item.upstream.rsplit('/', 1)[-1]}]"
            f"({item.upstream})."
            if item.upstream
            else " Propre à l'application."
        )
        st.markdown(
            f"- {item.what} *(critère {item.criteria})*  \n{item.workaround}{link}",
        )
    st.subheader("Dérogations pour charge disproportionnée", anchor=False)
    st.markdown("Aucune.")
    st.subheader("Contenus non soumis à l'obligation d'accessibilité", anchor=False)
    st.markdown("Aucun.")

    st.header("Établissement de cette déclaration", anchor=False)
    st.markdown(
        f"Cette déclaration a été établie le {formats.day(STATEMENT_DATE)}.\n\n"
        "- **Technologies utilisées** : HTML, CSS, JavaScript (Streamlit, Plotly).\n"
        "- **Environnement de test** : Chromium (Debian) piloté par Playwright, fenêtre de "
        "1440 × 900 pixels ; clavier seul pour l'ordre de tabulation.\n"
        f"- **Outils** : axe-core {AXE_VERSION} ; calcul des contrastes selon les WCAG 2.1 "
        "dans les tests de l'application."
    )

    st.header("Retour d'information et contact", anchor=False)
    st.markdown(
        "Si vous n'arrivez pas à accéder à un contenu ou à un service, contactez le "
        "responsable du tableau de bord pour être orienté vers une alternative accessible ou "
        "obtenir le contenu sous une autre forme (par exemple les chiffres d'une page en "
        "tableau)."
    )
    if contact.strip():
        st.markdown(f"**Contact** : {widgets.escape_md(contact.strip())}")
    else:
        st.info(
            "Le contact n'est pas encore renseigné sur ce serveur : l'administrateur le donne "
            "par le réglage PTLCD_CONTACT_ACCESSIBILITE. En attendant, adressez-vous au service "
            "qui vous a donné accès à ce tableau de bord."
        )

    st.header("Voies de recours", anchor=False)
    st.markdown(
        "Si vous avez signalé au responsable du tableau de bord un défaut d'accessibilité qui "
        "vous empêche d'accéder à un contenu ou à un service, et que vous n'avez pas obtenu de "
        "réponse satisfaisante, vous pouvez saisir le **Défenseur des droits** :\n\n"
        f"- écrire un message au Défenseur des droits ([formulaire en ligne]({DEFENSEUR_FORM})) ;\n"
        "- contacter le délégué du Défenseur des droits dans votre région "
        f"([liste des délégués]({DEFENSEUR_DELEGUES})) ;\n"
        "- envoyer un courrier par la poste (gratuit, ne pas mettre de timbre) : Défenseur des "
        "droits, Libre réponse 71120, 75342 Paris CEDEX 07."
    )
