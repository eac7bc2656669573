-- A SKU with a release schedule spread over buckets (DESIGN section 12) keeps its
-- schedule in bucket 0 and notes its total when it was spread (NULL: not such a SKU):
-- units that left bucket 0 count as released.
ALTER TABLE skus ADD COLUMN IF NOT EXISTS spread_total BIGINT NULL AFTER bucket_routings;
