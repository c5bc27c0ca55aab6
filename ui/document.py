"""What the document needs beyond Streamlit's own markup: title, language, focus, French labels.

Streamlit sets none of these itself (1.67): `<html lang="en">` is fixed in its page
(streamlit/streamlit#15726), its skip link and a few control labels are English
(streamlit/streamlit#1353), and focus on a sidebar link is a faint background change. The app
adds, on every page, from app.py:

- the document title "‹Page› · Suivi du PTLCD" (`st.set_page_config`, once the page is known);
- one CSS block (`st.html` of a `<style>` alone goes to Streamlit's event container and takes
  no room): a focus outline of 3 px in the theme's primary colour on every focused control
  (8:1 on white and on the sidebar), the size of the home page's line of counts (no longer a
  heading), and the hiding of the script's own container;
- one small script (`st.html(..., unsafe_allow_javascript=True)`, run once per browser tab):
  `lang="fr"` on `<html>`, French for the skip link, the "page not found" dialog and the
  accessible names of a few Streamlit controls, Material icons set beside words hidden from
  screen readers (they were read as "thunderstorm icon"), and a Vega-Lite chart read as one
  "graphique" named by its sentence (Vega describes its inner marks in English).

Both blocks are constants written here: no user or plan text ever goes into them (a test checks
that every HTML element of every page is one of `STATIC_BLOCKS`). Nothing here imports pandas:
app.py imports this module for the home page too.
"""

from __future__ import annotations

import json

import streamlit as st

APP_NAME = "Suivi du PTLCD"
# The theme's colours (.streamlit/config.toml), repeated for the charts and tests that need them.
TEXT_COLOR = "#111111"
FOCUS_COLOR = "#1f4e79"
SCRIPT_ID = "ptlcd-a11y"
HOME_COUNTS_KEY = "home_counts"  # the home page's line of counts: large text, not a heading

STYLE = f"""<style>
/* Focus visible on every control, 3 px, 8:1 against white and the sidebar (RGAA 10.7). */
:focus-visible {{ outline: 3px solid {FOCUS_COLOR} !important; outline-offset: 1px !important; }}
/* Inside the element where a container would clip it: links of the sidebar, tabs, tables. */
[data-testid="stSidebarNavLink"]:focus-visible, [role="tab"]:focus-visible,
canvas:focus-visible, [data-testid="stMain"]:focus-visible {{
  outline-offset: -3px !important;
}}
/* A switch, checkbox or radio hides its input: the outline goes around its label. */
label:has(input[type="checkbox"]:focus-visible), label:has(input[type="radio"]:focus-visible) {{
  outline: 3px solid {FOCUS_COLOR}; outline-offset: 1px;
}}
/* The home page's counts keep the size they had as a heading (1.5rem). */
.st-key-{HOME_COUNTS_KEY} p {{ font-size: 1.5rem; }}
/* The app's scripts (this one, the session cookie's) take no room. */
[data-testid="stElementContainer"]:has(> [data-testid="stHtml"] > script[id^="ptlcd-"]) {{
  display: none;
}}
</style>"""

# English strings of Streamlit's own markup and their French, for the accessible names (aria-label)
# and the few texts that can be replaced without touching Streamlit's behaviour.
TEXTS_FR = {
    "Skip to main content": "Aller au contenu principal",
    "Page not found": "Page introuvable",
    "The page that you have requested does not seem to exist. Running the app's main page.": (
        "La page demandée n'existe pas : voici la page d'accueil."
    ),
}
LABELS_FR = {
    "Close": "Fermer",
    "Choose date": "Choisir une date",
    "Open": "Ouvrir la liste",
    "Clear all": "Tout effacer",
    "Show/hide columns": "Afficher ou masquer des colonnes",
    "Download as CSV": "Télécharger en CSV",
    "Search": "Rechercher dans le tableau",
    "Fullscreen": "Plein écran",
    "Close fullscreen": "Quitter le plein écran",
    "Collapse sidebar": "Replier la barre latérale",
    "Expand sidebar": "Déplier la barre latérale",
}


def _js_object(mapping: dict[str, str]) -> str:
    return json.dumps(mapping, ensure_ascii=False)


SCRIPT = f"""<script id="{SCRIPT_ID}">
(() => {{
  if (window.ptlcdA11y) return;
  window.ptlcdA11y = true;
  const texts = {_js_object(TEXTS_FR)};
  const labels = {_js_object(LABELS_FR)};
  const translate = (el) => {{
    for (const node of el.childNodes) {{
      const fr = node.nodeType === 3 && texts[node.nodeValue.trim()];
      if (fr) node.nodeValue = fr;
    }}
  }};
  // What changed since the last frame is looked at, not the whole page at every change: a
  // page being drawn changes hundreds of times.
  const within = (root, selector) => {{
    const found = [...root.querySelectorAll(selector)];
    return root.matches(selector) ? [root, ...found] : found;
  }};
  const apply = (root) => {{
    within(root, '[data-testid="stSkipToContent"], [role="dialog"] h2, '
      + '[role="dialog"] div').forEach(translate);
    within(root, "[aria-label]").forEach((el) => {{
      const label = el.getAttribute("aria-label");
      if (labels[label]) el.setAttribute("aria-label", labels[label]);
      else if (label.startsWith("Help for ")) el.setAttribute("aria-label", "Aide : " + label.slice(9));
    }});
    within(root, 'span[role="img"][aria-label$=" icon"]').forEach((icon) => {{
      icon.setAttribute("aria-hidden", "true");
    }});
    // A Vega-Lite chart is one graphic named by its sentence: Vega's English descriptions of
    // its inner marks ("line mark container") are not read.
    const chart = root.closest(".vega-embed");
    (chart ? [chart] : within(root, ".vega-embed")).forEach((c) => {{
      if (c.getAttribute("aria-roledescription") === "visualization") {{
        c.setAttribute("aria-roledescription", "graphique");
      }}
      const svg = c.querySelector("svg");
      if (svg && svg.getAttribute("aria-hidden") !== "true") svg.setAttribute("aria-hidden", "true");
    }});
  }};
  const changed = new Set();
  new MutationObserver((records) => {{
    const first = changed.size === 0;
    for (const r of records) {{
      if (r.type === "attributes") changed.add(r.target);
      else r.addedNodes.forEach((n) => {{
        // Inside a chart's drawing (thousands of marks): nothing of ours to look at.
        if (n.parentElement && n.parentElement.closest("svg")) return;
        if (n.nodeType === 1) changed.add(n);
        else if (n.parentElement) changed.add(n.parentElement);  // a text replaced
      }});
    }}
    if (!first || changed.size === 0) return;
    requestAnimationFrame(() => {{
      document.documentElement.lang = "fr";
      // Many changes (a page drawn anew): one pass over the page costs less than one per change.
      const roots = changed.size > 200 ? [document.body] : [...changed];
      changed.clear();
      roots.filter((el) => el.isConnected).forEach(apply);
    }});
  }}).observe(document.body, {{
    childList: true, subtree: true, attributes: true,
    attributeFilter: ["aria-label", "aria-roledescription"],
  }});
  document.documentElement.lang = "fr";
  apply(document.body);
}})();
</script>"""

STATIC_BLOCKS = (STYLE, SCRIPT)


def document_title(page_title: str) -> str:
    """ "Revue GOLD · Suivi du PTLCD": the page first, so tabs and history tell pages apart."""
    return f"{page_title} · {APP_NAME}"


def frame(page_title: str) -> None:
    """The page's title, the style and the script: once per run, from app.py."""
    st.set_page_config(page_title=document_title(page_title))
    st.html(STYLE)
    st.sidebar.html(SCRIPT, unsafe_allow_javascript=True)
