-- The official code of a territory, where one is known (open data, issue 16): the INSEE code of
-- a commune, the SIREN of an intercommunality. Optional: another plan may leave it empty.
ALTER TABLE territoire ADD COLUMN code_officiel VARCHAR;
