-- Porteurs are data (issue 15): the organisations that carry the actions and supply indicator
-- values, with a contact for the follow-up campaigns. `action.porteur` keeps the plan's own words.
CREATE TABLE porteur (
    code VARCHAR PRIMARY KEY,
    libelle VARCHAR NOT NULL,
    type VARCHAR NOT NULL,
    contact VARCHAR,
    email VARCHAR,
    ordre INTEGER NOT NULL
);

CREATE TABLE action_porteur (
    action_no INTEGER NOT NULL,
    porteur_code VARCHAR NOT NULL,
    PRIMARY KEY (action_no, porteur_code)
);

-- The porteur code that supplies an indicator's values; NULL = the plan's own team.
ALTER TABLE indicateur ADD COLUMN fournisseur VARCHAR;
