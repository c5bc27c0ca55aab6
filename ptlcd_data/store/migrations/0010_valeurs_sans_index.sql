-- The indicator history is append-only and its ids come from a sequence: the primary key's index
-- only cost time and memory (a third of the time of inserting an imported sheet, and an index
-- entry per value of a large plan's millions). The table is rebuilt without it; ids are kept.
CREATE TABLE indicateur_valeur_0010 (
    id BIGINT NOT NULL DEFAULT nextval('indicateur_valeur_id'),
    indicateur_code VARCHAR NOT NULL,
    territoire_code VARCHAR NOT NULL,
    annee INTEGER NOT NULL,
    periode VARCHAR NOT NULL DEFAULT 'A',
    valeur DOUBLE,
    cible DOUBLE,
    source VARCHAR,
    commentaire VARCHAR,
    supprime BOOLEAN NOT NULL DEFAULT false,
    auteur VARCHAR NOT NULL,
    enregistre_le TIMESTAMP NOT NULL,
    demo BOOLEAN NOT NULL DEFAULT false,
    import_id BIGINT
);
INSERT INTO indicateur_valeur_0010 BY NAME SELECT * FROM indicateur_valeur;
DROP TABLE indicateur_valeur;
ALTER TABLE indicateur_valeur_0010 RENAME TO indicateur_valeur;
