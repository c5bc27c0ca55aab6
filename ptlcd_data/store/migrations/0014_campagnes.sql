-- Follow-up campaigns (issue 15): porteurs asked for their updates by a deadline.
-- At most one campaign is open at a time (`campagnes.campaigns.open_campaign` refuses a second).
CREATE SEQUENCE campagne_id;
CREATE TABLE campagne (
    id BIGINT PRIMARY KEY DEFAULT nextval('campagne_id'),
    nom VARCHAR NOT NULL,
    annee INTEGER NOT NULL,          -- the year whose indicator values are asked for
    echeance DATE NOT NULL,
    ouverte_le TIMESTAMP NOT NULL,
    ouverte_par VARCHAR NOT NULL,
    close_le TIMESTAMP,              -- NULL while the campaign is open
    close_par VARCHAR
);

-- One row per reminder sent (or tried) to a porteur: filled by the reminder code.
CREATE TABLE campagne_relance (
    campagne_id BIGINT NOT NULL,
    porteur_code VARCHAR NOT NULL,
    envoye_le TIMESTAMP NOT NULL,
    statut VARCHAR NOT NULL,         -- e.g. 'envoyé', 'échec', 'sans adresse', 'fichier .eml'
    detail VARCHAR
);

-- A batch imported from a campaign's workbook says which campaign and which porteur.
ALTER TABLE import_batch ADD COLUMN campagne_id BIGINT;
ALTER TABLE import_batch ADD COLUMN porteur_code VARCHAR;
ALTER TABLE import_batch ADD COLUMN nb_confirmes INTEGER DEFAULT 0;  -- rows recorded as confirmations
