-- A `porteur` role (issue 15, item 2): an account of an action owner, which may record only for
-- the actions it carries and the indicators it supplies. DuckDB cannot alter a CHECK constraint:
-- the account table is rebuilt with the same columns, its rows copied as they are.
CREATE TABLE compte_v18 (
    login VARCHAR PRIMARY KEY,
    nom VARCHAR NOT NULL,
    role VARCHAR NOT NULL CHECK (role IN ('lecture', 'porteur', 'saisie', 'admin')),
    hash VARCHAR NOT NULL,
    cree_le TIMESTAMP NOT NULL,
    modifie_le TIMESTAMP NOT NULL
);
INSERT INTO compte_v18 (login, nom, role, hash, cree_le, modifie_le)
SELECT login, nom, role, hash, cree_le, modifie_le FROM compte;
DROP TABLE compte;
ALTER TABLE compte_v18 RENAME TO compte;

-- The porteurs an account speaks for (porteur accounts only; codes of the `porteur` table).
CREATE TABLE compte_porteur (
    login VARCHAR NOT NULL,
    porteur_code VARCHAR NOT NULL,
    PRIMARY KEY (login, porteur_code)
);
