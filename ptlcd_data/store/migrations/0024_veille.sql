-- The campaign runs itself (issue 24): scheduled reminders, the coordinators' weekly digest.
-- (0023 is left to the mailbox intake, `courriels`, built alongside.)

-- A campaign's reminder days, relative to its deadline: "7,1,-3" = 7 days before, the day
-- before, 3 days after (`campagnes.etapes`). Empty: no scheduled reminder.
ALTER TABLE campagne ADD COLUMN relances VARCHAR DEFAULT '7,1,-3';
UPDATE campagne SET relances = '7,1,-3' WHERE relances IS NULL;

-- Each reminder says the step it was sent for (NULL: a manual one, `campaign remind`) and the
-- address it went to (`notify log`).
ALTER TABLE campagne_relance ADD COLUMN etape INTEGER;
ALTER TABLE campagne_relance ADD COLUMN destinataire VARCHAR;

-- A local account's e-mail address, and whether it wants the weekly digest (saisie, admin).
ALTER TABLE compte ADD COLUMN email VARCHAR;
ALTER TABLE compte ADD COLUMN recap BOOLEAN DEFAULT true;
UPDATE compte SET recap = true WHERE recap IS NULL;

-- The choice of an OpenID Connect account (no row in `compte`: its address is its login).
-- No row: it receives the digest.
CREATE TABLE recap_choix (
    login VARCHAR PRIMARY KEY,
    recap BOOLEAN NOT NULL,
    modifie_le TIMESTAMP NOT NULL
);

-- One row per digest sent (or tried) to one account: `jour` is the run's day (`notify run
-- --date`), which decides the week; `envoye_le` when it happened.
CREATE TABLE recap_envoi (
    jour DATE NOT NULL,
    login VARCHAR NOT NULL,
    destinataire VARCHAR,
    envoye_le TIMESTAMP NOT NULL,
    statut VARCHAR NOT NULL,         -- 'envoyé', 'échec', 'fichier .eml'
    detail VARCHAR
);
