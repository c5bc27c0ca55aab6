"""`python -m benchmarks sections NAME…` puts each measured section back in its own place in
docs/benchmarks.md: a section keeps its subsections, a subsection stays inside its section."""

from __future__ import annotations

from benchmarks.__main__ import DOC, replace_section

DOCUMENT = """# Mesures

## Pages

vieux tableau des pages

## Import

vieux tableau de l'import

### Mémoire de l'import

vieille mémoire

## Charge

tableau de charge
"""


def _replace(name: str, text: str, doc: str = DOCUMENT) -> str:
    return "\n## ".join(replace_section(doc.split("\n## "), name, text, "02/12/2026", "vm"))


def test_a_section_that_starts_with_a_blank_line_replaces_its_namesake():
    doc = _replace("pages", "\n## Pages\n\nnouveau tableau des pages")
    assert "vieux tableau des pages" not in doc
    assert doc.index("nouveau tableau des pages") < doc.index("## Import")
    assert doc.count("## Pages") == 1
    assert "Section mesurée de nouveau le 02/12/2026 sur : vm." in doc


def test_a_section_keeps_its_subsection():
    doc = _replace("import", "## Import\n\nnouvel import")
    assert "vieux tableau de l'import" not in doc
    assert doc.index("nouvel import") < doc.index("vieille mémoire") < doc.index("## Charge")


def test_a_subsection_replaces_its_namesake_inside_its_section():
    doc = _replace("mémoire de l'import", "\n### Mémoire de l'import\n\nnouvelle mémoire")
    assert "vieille mémoire" not in doc and doc.count("### Mémoire de l'import") == 1
    assert doc.index("vieux tableau de l'import") < doc.index("nouvelle mémoire")
    assert doc.index("nouvelle mémoire") < doc.index("## Charge")


def test_the_real_document_survives_a_round_of_replacements():
    doc = DOC.read_text(encoding="utf-8")
    blocks = doc.split("\n## ")
    for block in blocks[1:]:
        heading = "## " + block.split("\n", 1)[0]
        body = block.split("\n### ", 1)[0].split("\n", 1)[1].split("\nSection mesurée")[0]
        blocks = replace_section(blocks, heading, heading + "\n" + body, "x", "y")
    after = "\n## ".join(blocks)
    assert [line for line in after.split("\n") if line.startswith("#")] == [
        line for line in doc.split("\n") if line.startswith("#")
    ]
