-- Large-scale demonstration data adds synthetic territories and indicators; they are marked so
-- that `demo --remove` deletes them and `init` (which reloads the plan) keeps them apart.
ALTER TABLE territoire ADD COLUMN demo BOOLEAN DEFAULT false;
ALTER TABLE indicateur ADD COLUMN demo BOOLEAN DEFAULT false;
UPDATE territoire SET demo = false;
UPDATE indicateur SET demo = false;
