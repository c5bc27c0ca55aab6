-- API tokens (issue 26): a program (an open-data portal's harvester, a BI tool) reads the HTTP
-- API with `Authorization: Bearer TOKEN`. One row per token, named by whoever created it
-- (`token add NOM`). Only the SHA-256 of the token is stored, never the token itself: a copy of
-- the base gives no usable token. A revoked token keeps its row (revoque_le set), so its name,
-- its uses and its revocation stay readable (`token list`) and the name is never given again.
CREATE TABLE api_jeton (
    nom VARCHAR PRIMARY KEY,
    empreinte VARCHAR NOT NULL,
    role VARCHAR NOT NULL,            -- 'lecture' or 'saisie'
    cree_le TIMESTAMP NOT NULL,
    cree_par VARCHAR NOT NULL,
    expire_le DATE,                   -- last day of validity; NULL: no expiry
    revoque_le TIMESTAMP,
    dernier_usage TIMESTAMP,
    usages BIGINT NOT NULL DEFAULT 0
);
