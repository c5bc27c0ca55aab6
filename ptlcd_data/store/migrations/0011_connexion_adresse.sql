-- Failed logins are counted per login and source address (issue 14): a stranger who knows a
-- login is slowed down without locking its owner out from elsewhere. Rows from before have no
-- address: they count for visitors whose address is unknown.
ALTER TABLE connexion_echec ADD COLUMN adresse VARCHAR;
