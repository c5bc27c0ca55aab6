-- Dépôts à valider (issue 23): what a porteur account sends waits for a coordinator.
-- A dépôt is prepared (`brouillon`, its lines in `depot_ligne`), then sent: from then on its
-- content (`contenu`, the verified rows and their before → after) never changes. Only its state
-- moves on: a_valider → publie (an import batch, `import_id`) | renvoye (with `motif`) |
-- remplace (a newer dépôt of the same porteur and campaign, `remplace_par`).
CREATE SEQUENCE depot_id;
CREATE TABLE depot (
    id BIGINT PRIMARY KEY DEFAULT nextval('depot_id'),
    porteur_code VARCHAR NOT NULL,
    campagne_id BIGINT,              -- NULL: sent outside any campaign
    etat VARCHAR NOT NULL,           -- brouillon, a_valider, renvoye, publie, remplace
    origine VARCHAR NOT NULL,        -- formulaire, fichier, courriel, lien
    fichier VARCHAR,                 -- the file's name as sent, or what the form was
    sha256 VARCHAR,                  -- of the file sent (NULL for forms)
    depose_par VARCHAR NOT NULL,     -- login of the account that prepared and sent it
    cree_le TIMESTAMP NOT NULL,
    depose_le TIMESTAMP,             -- NULL while brouillon
    commentaire VARCHAR,             -- the porteur's word to the coordinator
    expediteur VARCHAR,              -- the sender's address, for a dépôt received by e-mail
    revision BIGINT,                 -- the base revision its before → after was computed at
    contenu BLOB,                    -- Arrow IPC stream of its tables (`depots.content`)
    nb_lignes INTEGER,               -- rows that change something, or confirm an item
    traite_par VARCHAR,              -- who published or returned it
    traite_le TIMESTAMP,
    motif VARCHAR,                   -- why it was returned
    import_id BIGINT,                -- the batch that published it
    remplace_par BIGINT              -- the dépôt that superseded it
);

-- The lines of a dépôt being prepared from the forms of « Mes actions » (one per key: a new
-- line for the same key replaces it). Kept after sending, as what was typed.
CREATE TABLE depot_ligne (
    depot_id BIGINT NOT NULL,
    genre VARCHAR NOT NULL,          -- avancement, engagement, indicateurs, decision
    cle VARCHAR NOT NULL,            -- action n°, action/territoire, indicator/territory/year…
    valeurs VARCHAR NOT NULL,        -- JSON of the fields typed
    saisi_le TIMESTAMP NOT NULL
);

-- The items of the plan a sent dépôt answers (for the campaign's reply rate).
CREATE TABLE depot_item (
    depot_id BIGINT NOT NULL,
    objet VARCHAR NOT NULL,          -- action or indicateur
    cle VARCHAR NOT NULL
);

-- A batch that published a dépôt names it and its validator (its author is the porteur).
ALTER TABLE import_batch ADD COLUMN depot_id BIGINT;
ALTER TABLE import_batch ADD COLUMN valide_par VARCHAR;
