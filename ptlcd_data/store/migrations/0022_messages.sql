-- The conversation of each action (issue 23): short texts between its porteur and the team.
-- Append-only: a message is never changed nor deleted. `porteur_code` is the porteur side of
-- the conversation: the porteur the writing account speaks for, or (a message of the team) the
-- dépôt's porteur, else the first porteur carrying the action when it was written (NULL: none).
CREATE SEQUENCE message_id;
CREATE TABLE message (
    id BIGINT PRIMARY KEY DEFAULT nextval('message_id'),
    action_no INTEGER NOT NULL,
    porteur_code VARCHAR,
    auteur VARCHAR NOT NULL,         -- login, as the journal records it
    cote VARCHAR NOT NULL CHECK (cote IN ('porteur', 'equipe')),
    texte VARCHAR NOT NULL,          -- as typed (trimmed), shown literally
    envoye_le TIMESTAMP NOT NULL,
    depot_id BIGINT                  -- written from inside this dépôt (NULL: from the action)
);

-- What became of each e-mail that told the other side of a message (one row per recipient).
CREATE SEQUENCE message_envoi_id;
CREATE TABLE message_envoi (
    id BIGINT PRIMARY KEY DEFAULT nextval('message_envoi_id'),
    message_id BIGINT NOT NULL,
    destinataire VARCHAR NOT NULL,   -- a porteur code, or « equipe »
    adresse VARCHAR,
    statut VARCHAR NOT NULL,         -- envoye, sans_adresse, fichier_eml, echec
    detail VARCHAR NOT NULL,         -- French, as shown
    message_ref VARCHAR,             -- the e-mail's Message-ID
    enregistre_le TIMESTAMP NOT NULL
);
