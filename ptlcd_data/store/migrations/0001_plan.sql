-- The plan as transcribed from data/: replaced as a whole by `init`, never edited by users.
CREATE TABLE meta (
    cle VARCHAR PRIMARY KEY,
    valeur VARCHAR NOT NULL
);
INSERT INTO meta VALUES ('revision', '0');

CREATE TABLE plan_meta (
    cle VARCHAR PRIMARY KEY,
    valeur VARCHAR NOT NULL
);

CREATE TABLE territoire (
    code VARCHAR PRIMARY KEY,
    libelle VARCHAR NOT NULL,
    type VARCHAR NOT NULL,
    ordre INTEGER NOT NULL
);

CREATE TABLE axe (
    axe_no INTEGER PRIMARY KEY,
    libelle VARCHAR NOT NULL
);

CREATE TABLE objectif (
    code VARCHAR PRIMARY KEY,
    axe_no INTEGER NOT NULL,
    libelle VARCHAR NOT NULL,
    domaine VARCHAR,
    ordre INTEGER NOT NULL
);

CREATE TABLE action (
    action_no INTEGER PRIMARY KEY,
    axe_no INTEGER NOT NULL,
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
    calendrier_forme VARCHAR NOT NULL
);

-- What the plan's document writes in each territory's column (the initial engagement).
CREATE TABLE action_territoire (
    action_no INTEGER NOT NULL,
    territoire_code VARCHAR NOT NULL,
    texte VARCHAR NOT NULL,
    PRIMARY KEY (action_no, territoire_code)
);

CREATE TABLE indicateur (
    code VARCHAR PRIMARY KEY,
    objectif_code VARCHAR NOT NULL,
    libelle VARCHAR NOT NULL,
    unite VARCHAR NOT NULL,
    sens VARCHAR NOT NULL CHECK (sens IN ('hausse', 'baisse')),
    ordre INTEGER NOT NULL
);
