-- The plan has dated versions. Every axis, objective, action, indicator, territory and porteur
-- table now holds one row per version of an item, never updated nor deleted: adding, rewording,
-- moving, retiring (retire = true) are new rows, each with its date d'effet, author, reason (motif) and
-- the moment it was recorded. The version that counts at a date d is the item's latest row with
-- date_effet <= d (ties: recorded later, then higher version_id); a retired item is absent.
-- Before the first version's date, the first version counts (there is no older plan).
-- The plan_<table>(d) macros below are the ONE place that rule is written: every read of the
-- plan goes through them. The plan already stored becomes version 1, dated by date_plan.
CREATE SEQUENCE plan_version_id;

CREATE TEMP TABLE version_1 AS
SELECT coalesce((SELECT TRY_CAST(valeur AS DATE) FROM plan_meta WHERE cle = 'date_plan'),
                current_date) AS date_effet,
       current_localtimestamp() AS enregistre_le;

CREATE TABLE territoire_v (
    version_id BIGINT PRIMARY KEY DEFAULT nextval('plan_version_id'),
    code VARCHAR NOT NULL,
    libelle VARCHAR NOT NULL,
    type VARCHAR NOT NULL,
    ordre INTEGER NOT NULL,
    demo BOOLEAN NOT NULL DEFAULT false,
    date_effet DATE NOT NULL,
    retire BOOLEAN NOT NULL DEFAULT false,
    auteur VARCHAR NOT NULL,
    motif VARCHAR NOT NULL,
    enregistre_le TIMESTAMP NOT NULL
);
INSERT INTO territoire_v (code, libelle, type, ordre, demo, date_effet, auteur, motif, enregistre_le)
SELECT t.code, t.libelle, t.type, t.ordre, coalesce(t.demo, false), v.date_effet,
       CASE WHEN t.demo THEN 'démonstration' ELSE 'transcription' END,
       CASE WHEN t.demo THEN 'Données de démonstration'
            ELSE 'Transcription du document de travail' END,
       v.enregistre_le
FROM territoire t, version_1 v ORDER BY t.ordre, t.code;
DROP TABLE territoire;
ALTER TABLE territoire_v RENAME TO territoire;

CREATE TABLE porteur_v (
    version_id BIGINT PRIMARY KEY DEFAULT nextval('plan_version_id'),
    code VARCHAR NOT NULL,
    libelle VARCHAR NOT NULL,
    type VARCHAR NOT NULL,
    contact VARCHAR,
    email VARCHAR,
    ordre INTEGER NOT NULL,
    date_effet DATE NOT NULL,
    retire BOOLEAN NOT NULL DEFAULT false,
    auteur VARCHAR NOT NULL,
    motif VARCHAR NOT NULL,
    enregistre_le TIMESTAMP NOT NULL
);
INSERT INTO porteur_v (code, libelle, type, contact, email, ordre, date_effet, auteur, motif,
                       enregistre_le)
SELECT p.code, p.libelle, p.type, p.contact, p.email, p.ordre, v.date_effet, 'transcription',
       'Transcription du document de travail', v.enregistre_le
FROM porteur p, version_1 v ORDER BY p.ordre, p.code;
DROP TABLE porteur;
ALTER TABLE porteur_v RENAME TO porteur;

CREATE TABLE axe_v (
    version_id BIGINT PRIMARY KEY DEFAULT nextval('plan_version_id'),
    axe_no INTEGER NOT NULL,
    libelle VARCHAR NOT NULL,
    date_effet DATE NOT NULL,
    retire BOOLEAN NOT NULL DEFAULT false,
    auteur VARCHAR NOT NULL,
    motif VARCHAR NOT NULL,
    enregistre_le TIMESTAMP NOT NULL
);
INSERT INTO axe_v (axe_no, libelle, date_effet, auteur, motif, enregistre_le)
SELECT a.axe_no, a.libelle, v.date_effet, 'transcription', 'Transcription du document de travail',
       v.enregistre_le
FROM axe a, version_1 v ORDER BY a.axe_no;
DROP TABLE axe;
ALTER TABLE axe_v RENAME TO axe;

CREATE TABLE objectif_v (
    version_id BIGINT PRIMARY KEY DEFAULT nextval('plan_version_id'),
    code VARCHAR NOT NULL,
    axe_no INTEGER NOT NULL,
    libelle VARCHAR NOT NULL,
    domaine VARCHAR,
    ordre INTEGER NOT NULL,
    date_effet DATE NOT NULL,
    retire BOOLEAN NOT NULL DEFAULT false,
    auteur VARCHAR NOT NULL,
    motif VARCHAR NOT NULL,
    enregistre_le TIMESTAMP NOT NULL
);
INSERT INTO objectif_v (code, axe_no, libelle, domaine, ordre, date_effet, auteur, motif,
                        enregistre_le)
SELECT o.code, o.axe_no, o.libelle, o.domaine, o.ordre, v.date_effet, 'transcription',
       'Transcription du document de travail', v.enregistre_le
FROM objectif o, version_1 v ORDER BY o.ordre;
DROP TABLE objectif;
ALTER TABLE objectif_v RENAME TO objectif;

-- An action's axis is its objective's (at the same date): it is not stored with the action.
CREATE TABLE action_v (
    version_id BIGINT PRIMARY KEY DEFAULT nextval('plan_version_id'),
    action_no INTEGER NOT NULL,
    objectif_code VARCHAR NOT NULL,
    libelle VARCHAR NOT NULL,
    porteur VARCHAR,
    calendrier VARCHAR,
    observations VARCHAR,
    source_ocr VARCHAR,
    debut_prevu DATE,
    fin_prevue DATE,
    recurrente BOOLEAN NOT NULL,
    deja_engagee BOOLEAN NOT NULL,
    calendrier_forme VARCHAR NOT NULL,
    date_effet DATE NOT NULL,
    retire BOOLEAN NOT NULL DEFAULT false,
    auteur VARCHAR NOT NULL,
    motif VARCHAR NOT NULL,
    enregistre_le TIMESTAMP NOT NULL
);
INSERT INTO action_v (action_no, objectif_code, libelle, porteur, calendrier, observations,
                      source_ocr, debut_prevu, fin_prevue, recurrente, deja_engagee,
                      calendrier_forme, date_effet, auteur, motif, enregistre_le)
SELECT x.action_no, x.objectif_code, x.libelle, x.porteur, x.calendrier, x.observations,
       x.source_ocr, x.debut_prevu, x.fin_prevue, x.recurrente, x.deja_engagee,
       x.calendrier_forme, v.date_effet, 'transcription', 'Transcription du document de travail',
       v.enregistre_le
FROM action x, version_1 v ORDER BY x.action_no;

-- An action's territory texts belong to one version of the action (copied by each new version).
CREATE TABLE action_territoire_v (
    version_id BIGINT NOT NULL,
    action_no INTEGER NOT NULL,
    territoire_code VARCHAR NOT NULL,
    texte VARCHAR NOT NULL,
    PRIMARY KEY (version_id, territoire_code)
);
INSERT INTO action_territoire_v
SELECT x.version_id, t.action_no, t.territoire_code, t.texte
FROM action_territoire t JOIN action_v x ON x.action_no = t.action_no;
DROP TABLE action_territoire;
ALTER TABLE action_territoire_v RENAME TO action_territoire;

-- An action's porteurs (codes of the porteur table) too.
CREATE TABLE action_porteur_v (
    version_id BIGINT NOT NULL,
    action_no INTEGER NOT NULL,
    porteur_code VARCHAR NOT NULL,
    PRIMARY KEY (version_id, porteur_code)
);
INSERT INTO action_porteur_v
SELECT x.version_id, p.action_no, p.porteur_code
FROM action_porteur p JOIN action_v x ON x.action_no = p.action_no;
DROP TABLE action_porteur;
ALTER TABLE action_porteur_v RENAME TO action_porteur;
DROP TABLE action;
ALTER TABLE action_v RENAME TO action;

CREATE TABLE indicateur_v (
    version_id BIGINT PRIMARY KEY DEFAULT nextval('plan_version_id'),
    code VARCHAR NOT NULL,
    objectif_code VARCHAR NOT NULL,
    libelle VARCHAR NOT NULL,
    unite VARCHAR NOT NULL,
    sens VARCHAR NOT NULL CHECK (sens IN ('hausse', 'baisse')),
    ordre INTEGER NOT NULL,
    demo BOOLEAN NOT NULL DEFAULT false,
    fournisseur VARCHAR,
    date_effet DATE NOT NULL,
    retire BOOLEAN NOT NULL DEFAULT false,
    auteur VARCHAR NOT NULL,
    motif VARCHAR NOT NULL,
    enregistre_le TIMESTAMP NOT NULL
);
INSERT INTO indicateur_v (code, objectif_code, libelle, unite, sens, ordre, demo, fournisseur,
                          date_effet, auteur, motif, enregistre_le)
SELECT i.code, i.objectif_code, i.libelle, i.unite, i.sens, i.ordre, coalesce(i.demo, false),
       i.fournisseur,
       v.date_effet,
       CASE WHEN i.demo THEN 'démonstration' ELSE 'transcription' END,
       CASE WHEN i.demo THEN 'Données de démonstration'
            ELSE 'Transcription du document de travail' END,
       v.enregistre_le
FROM indicateur i, version_1 v ORDER BY i.ordre, i.code;
DROP TABLE indicateur;
ALTER TABLE indicateur_v RENAME TO indicateur;

DROP TABLE version_1;

-- The plan as it stood at date d: one row per item, its version then, retired items left out.
-- Before the plan's first version (its date_plan) there is no older plan: the first one shows.
CREATE MACRO plan_jour(d) AS greatest(d, (SELECT min(date_effet) FROM axe));

CREATE MACRO plan_territoire(d) AS TABLE
    SELECT * EXCLUDE (retire) FROM territoire WHERE date_effet <= plan_jour(d)
    QUALIFY row_number() OVER (
        PARTITION BY code ORDER BY date_effet DESC, enregistre_le DESC, version_id DESC) = 1
        AND NOT retire;

CREATE MACRO plan_porteur(d) AS TABLE
    SELECT * EXCLUDE (retire) FROM porteur WHERE date_effet <= plan_jour(d)
    QUALIFY row_number() OVER (
        PARTITION BY code ORDER BY date_effet DESC, enregistre_le DESC, version_id DESC) = 1
        AND NOT retire;

CREATE MACRO plan_axe(d) AS TABLE
    SELECT * EXCLUDE (retire) FROM axe WHERE date_effet <= plan_jour(d)
    QUALIFY row_number() OVER (
        PARTITION BY axe_no ORDER BY date_effet DESC, enregistre_le DESC, version_id DESC) = 1
        AND NOT retire;

CREATE MACRO plan_objectif(d) AS TABLE
    SELECT * EXCLUDE (retire) FROM objectif WHERE date_effet <= plan_jour(d)
    QUALIFY row_number() OVER (
        PARTITION BY code ORDER BY date_effet DESC, enregistre_le DESC, version_id DESC) = 1
        AND NOT retire;

CREATE MACRO plan_action(d) AS TABLE
    WITH x AS (
        SELECT * EXCLUDE (retire) FROM action WHERE date_effet <= plan_jour(d)
        QUALIFY row_number() OVER (
            PARTITION BY action_no ORDER BY date_effet DESC, enregistre_le DESC, version_id DESC
        ) = 1 AND NOT retire
    )
    SELECT x.action_no, o.axe_no, x.* EXCLUDE (action_no)
    FROM x JOIN plan_objectif(d) o ON o.code = x.objectif_code;

CREATE MACRO plan_action_territoire(d) AS TABLE
    SELECT t.action_no, t.territoire_code, t.texte
    FROM action_territoire t
    JOIN plan_action(d) x ON x.version_id = t.version_id
    JOIN plan_territoire(d) tt ON tt.code = t.territoire_code;

CREATE MACRO plan_action_porteur(d) AS TABLE
    SELECT p.action_no, p.porteur_code
    FROM action_porteur p
    JOIN plan_action(d) x ON x.version_id = p.version_id
    JOIN plan_porteur(d) pp ON pp.code = p.porteur_code;

CREATE MACRO plan_indicateur(d) AS TABLE
    SELECT * EXCLUDE (retire) FROM indicateur WHERE date_effet <= plan_jour(d)
    QUALIFY row_number() OVER (
        PARTITION BY code ORDER BY date_effet DESC, enregistre_le DESC, version_id DESC) = 1
        AND NOT retire;
