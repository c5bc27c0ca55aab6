"""The relevé de décisions of a séance, as the secretariat sends it: one content (`content`),
two renderings (`render_docx` with python-docx, `render_pdf` with the synthèse's PDF document).

Rule: the renderings read the content, never the base; the content reads `decisions.queries`.
"""
