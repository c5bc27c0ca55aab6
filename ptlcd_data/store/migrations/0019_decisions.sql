-- Relevé de décisions (issue 25): the GOLD's séances and what they decide, never deleted.
-- A décision exists from its séance's date; its state is the latest `decision_etat` record
-- effective at the date d'observation (the same dated-history rule as statut_record).
CREATE SEQUENCE seance_id;
CREATE TABLE seance (
    id BIGINT PRIMARY KEY DEFAULT nextval('seance_id'),
    date_seance DATE NOT NULL,
    titre VARCHAR NOT NULL,
    participants VARCHAR,            -- free text
    auteur VARCHAR NOT NULL,         -- login, as the journal records it
    enregistre_le TIMESTAMP NOT NULL
);

CREATE SEQUENCE decision_id;
CREATE TABLE decision (
    id BIGINT PRIMARY KEY DEFAULT nextval('decision_id'),
    seance_id BIGINT NOT NULL,
    action_no INTEGER,               -- NULL with indicateur_code NULL: a décision générale
    indicateur_code VARCHAR,
    texte VARCHAR NOT NULL,
    responsable VARCHAR NOT NULL,    -- a porteur code of the plan, or a named person
    echeance DATE NOT NULL,
    auteur VARCHAR NOT NULL,
    enregistre_le TIMESTAMP NOT NULL,
    CHECK (action_no IS NULL OR indicateur_code IS NULL)
);

-- Every change of state, dated: the first record ('ouverte') is dated the séance's day.
CREATE SEQUENCE decision_etat_id;
CREATE TABLE decision_etat (
    id BIGINT PRIMARY KEY DEFAULT nextval('decision_etat_id'),
    decision_id BIGINT NOT NULL,
    date_effet DATE NOT NULL,
    etat VARCHAR NOT NULL CHECK (etat IN ('ouverte', 'faite', 'abandonnee')),
    commentaire VARCHAR,
    auteur VARCHAR NOT NULL,
    enregistre_le TIMESTAMP NOT NULL
);
