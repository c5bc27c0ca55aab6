-- Local logins that survive a reload (issue 15, item 7): one row per login session, keyed by
-- the SHA-256 of the random id carried by the signed cookie, never the id itself (a copy of the
-- base gives no usable cookie). Logging out deletes the row: a copied cookie stops working.
CREATE TABLE session_connexion (
    empreinte VARCHAR PRIMARY KEY,
    login VARCHAR NOT NULL,
    cree_le TIMESTAMP NOT NULL,
    expire_le TIMESTAMP NOT NULL
);
