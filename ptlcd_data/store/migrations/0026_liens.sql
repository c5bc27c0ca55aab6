-- Reply links of a campaign's reminders (issue 26): `/r/TOKEN` opens a porteur's « Mes actions »
-- for one campaign, without an account (`access.liens`). One row per link minted (one per
-- reminder that carried it: several may be valid at once). Only the SHA-256 of the token is
-- kept, never the token: a copy of the base opens nothing. A link is valid until `expire_le`
-- (the deadline plus PTLCD_LIEN_JOURS) unless revoked (the campaign closed, or
-- `campaign links revoke CODE`) or its campaign closed.
CREATE SEQUENCE lien_campagne_id;
CREATE TABLE lien_campagne (
    id BIGINT PRIMARY KEY DEFAULT nextval('lien_campagne_id'),
    empreinte VARCHAR NOT NULL UNIQUE,   -- SHA-256 (hex) of the token
    campagne_id BIGINT NOT NULL,
    porteur_code VARCHAR NOT NULL,
    cree_le TIMESTAMP NOT NULL,
    cree_par VARCHAR NOT NULL,
    expire_le TIMESTAMP NOT NULL,
    revoque_le TIMESTAMP,                -- NULL while not revoked
    revoque_par VARCHAR,
    ouvertures INTEGER NOT NULL DEFAULT 0,
    ouvert_le TIMESTAMP                  -- last opened
);

-- A login session opened by a reply link names it: the link is checked again at every call, so
-- revoking it (or closing its campaign) ends every session it opened at once.
ALTER TABLE session_connexion ADD COLUMN lien_id BIGINT;
