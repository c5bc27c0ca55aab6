-- Replies received by e-mail (issue 24): each message read from the mailbox, once, by its
-- Message-ID. A message is first recorded `en_cours` (before any dépôt is made from it), then
-- `traite` or `a_examiner` with what became of it; a run cut in between finds it again and adopts
-- the dépôts already made (same sender, file digest and `releve_le` as their `cree_le`).
-- Its automatic reply is written here with the result, and sent afterwards, outside any
-- transaction: `reponse_statut` NULL means not sent yet (the next run sends it).
CREATE TABLE courriel_recu (
    message_id VARCHAR PRIMARY KEY,  -- the Message-ID header (or a digest of the headers)
    releve_le TIMESTAMP NOT NULL,    -- when it was first read here (the dépôts' cree_le)
    envoye_le TIMESTAMP,             -- its Date header, when readable
    expediteur VARCHAR,              -- the From address
    sujet VARCHAR,
    taille BIGINT,                   -- bytes, as the server says
    statut VARCHAR NOT NULL,         -- en_cours, traite, a_examiner
    depot_ids BIGINT[],              -- the dépôts made from its workbooks
    detail VARCHAR,                  -- French: what became of each attachment, one per line
    motif VARCHAR,                   -- French: why it was set aside (a_examiner)
    traite_le TIMESTAMP,
    reponse_a VARCHAR,               -- the address the reply goes to (Reply-To, else From)
    reponse_sujet VARCHAR,
    reponse_texte VARCHAR,
    reponse_statut VARCHAR,          -- NULL: to send; envoye, fichier_eml, echec, sans_adresse, aucune
    reponse_detail VARCHAR,
    reponse_le TIMESTAMP
);
