"""The GOLD's séances and décisions (issue 25): records in `records`, questions in `queries`.

Rule: décisions are dated history like the follow-up (`suivi`), but they have their own owner
(a responsable) and life (ouverte, faite, abandonnée): a sibling of `suivi`, below every report.
"""
