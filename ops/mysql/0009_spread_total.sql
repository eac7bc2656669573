-- A SKU spread over buckets (DESIGN section 12) notes its total when it was spread
-- (NULL: not spread): its total while spread, and for a release schedule, which stays
-- in bucket 0, what tells the units lent to other buckets (they count as released).
ALTER TABLE skus ADD COLUMN IF NOT EXISTS spread_total BIGINT NULL AFTER bucket_routings;
