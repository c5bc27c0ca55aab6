-- Follow-up of the actions: every change is a dated record, kept forever (nothing is overwritten).
-- `demo` marks demonstration records (generated, removable with `demo --remove`).
CREATE SEQUENCE statut_record_id;
CREATE TABLE statut_record (
    id BIGINT PRIMARY KEY DEFAULT nextval('statut_record_id'),
    action_no INTEGER NOT NULL,
    date_effet DATE NOT NULL,
    statut VARCHAR NOT NULL,
    avancement INTEGER CHECK (avancement IS NULL OR avancement BETWEEN 0 AND 100),
    commentaire VARCHAR,
    auteur VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    enregistre_le TIMESTAMP NOT NULL,
    demo BOOLEAN NOT NULL DEFAULT false,
    import_id BIGINT
);

CREATE SEQUENCE engagement_record_id;
CREATE TABLE engagement_record (
    id BIGINT PRIMARY KEY DEFAULT nextval('engagement_record_id'),
    action_no INTEGER NOT NULL,
    territoire_code VARCHAR NOT NULL,
    date_effet DATE NOT NULL,
    niveau VARCHAR NOT NULL,
    commentaire VARCHAR,
    auteur VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    enregistre_le TIMESTAMP NOT NULL,
    demo BOOLEAN NOT NULL DEFAULT false,
    import_id BIGINT
);
