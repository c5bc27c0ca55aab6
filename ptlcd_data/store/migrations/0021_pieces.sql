-- Pièces justificatives (issue 23): files a porteur or a coordinator attaches to an action, or to
-- the dépôt being prepared. Only their metadata live here; the content is a file named by its
-- SHA-256 in the pièces folder (PTLCD_PIECES), stored once whatever the number of rows naming it.
-- Append-only: a pièce is never deleted nor changed.
CREATE SEQUENCE piece_id;
CREATE TABLE piece (
    id BIGINT PRIMARY KEY DEFAULT nextval('piece_id'),
    sha256 VARCHAR NOT NULL,         -- of the content: its file is <sha256[:2]>/<sha256>
    nom VARCHAR NOT NULL,            -- the file's base name as sent (cleaned of control characters)
    type VARCHAR NOT NULL,           -- the MIME type recognised from the content, never the name
    taille BIGINT NOT NULL,          -- in bytes
    action_no INTEGER,               -- the action it documents ...
    depot_id BIGINT,                 -- ... or the dépôt it was sent with (exactly one of the two)
    porteur_code VARCHAR,            -- whose it is (the porteur account's, or the dépôt's); NULL
                                     -- when staff attach it to an action
    ajoute_par VARCHAR NOT NULL,     -- login, as the journal records it
    ajoute_le TIMESTAMP NOT NULL,
    CHECK ((action_no IS NULL) <> (depot_id IS NULL))
);
