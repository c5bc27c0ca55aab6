-- Indicator values: append-only history. The current value of (indicateur, territoire, annee,
-- periode) as of a date is the latest record registered up to that date; `supprime` records
-- (written by an undo) mean "no value any more".
-- periode: 'A' for the year, 'T1'..'T4' for quarters, 'M01'..'M12' for months.
CREATE SEQUENCE indicateur_valeur_id;
CREATE TABLE indicateur_valeur (
    id BIGINT PRIMARY KEY DEFAULT nextval('indicateur_valeur_id'),
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

-- One row per published (or undone) import batch.
CREATE SEQUENCE import_batch_id;
CREATE TABLE import_batch (
    id BIGINT PRIMARY KEY DEFAULT nextval('import_batch_id'),
    fichier VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    auteur VARCHAR NOT NULL,
    cree_le TIMESTAMP NOT NULL,
    statut VARCHAR NOT NULL,          -- 'publié', 'annulé', or 'annulation' for an undo batch
    nb_crees INTEGER NOT NULL DEFAULT 0,
    nb_modifies INTEGER NOT NULL DEFAULT 0,
    nb_inchanges INTEGER NOT NULL DEFAULT 0,
    nb_ignores INTEGER NOT NULL DEFAULT 0,
    rapport VARCHAR,                  -- JSON report of the check
    annule_batch BIGINT               -- for an undo batch: the batch it undoes
);
