-- How many buckets a SKU's stock is spread over (DESIGN section 12; NULL: one).
ALTER TABLE skus ADD COLUMN IF NOT EXISTS buckets SMALLINT NULL AFTER kind;
