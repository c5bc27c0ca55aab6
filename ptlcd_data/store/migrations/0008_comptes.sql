-- Local accounts (used when no OpenID Connect provider is configured) and failed logins,
-- kept in the database so that the delay after repeated failures holds across sessions.
CREATE TABLE compte (
    login VARCHAR PRIMARY KEY,
    nom VARCHAR NOT NULL,
    role VARCHAR NOT NULL CHECK (role IN ('lecture', 'saisie', 'admin')),
    hash VARCHAR NOT NULL,
    cree_le TIMESTAMP NOT NULL,
    modifie_le TIMESTAMP NOT NULL
);

CREATE TABLE connexion_echec (
    login VARCHAR NOT NULL,
    horodatage TIMESTAMP NOT NULL
);
