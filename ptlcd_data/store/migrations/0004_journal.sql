-- Append-only journal of every write: who, when, what (old -> new, as JSON).
CREATE SEQUENCE journal_id;
CREATE TABLE journal (
    id BIGINT PRIMARY KEY DEFAULT nextval('journal_id'),
    horodatage TIMESTAMP NOT NULL,
    auteur VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    operation VARCHAR NOT NULL,
    objet VARCHAR NOT NULL,
    ancien VARCHAR,
    nouveau VARCHAR
);
