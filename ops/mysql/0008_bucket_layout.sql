-- How a SKU's bucket count changed (DESIGN section 12): how many bucket records it has
-- (NULL: as many as buckets) and the counts it routed holds over before, 'COUNT@MS'
-- comma separated (NULL: none), so warm restores where older holds are looked for.
ALTER TABLE skus ADD COLUMN IF NOT EXISTS bucket_records SMALLINT NULL AFTER buckets;
ALTER TABLE skus ADD COLUMN IF NOT EXISTS bucket_routings VARCHAR(512) NULL AFTER bucket_records;
