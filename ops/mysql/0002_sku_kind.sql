-- What a SKU sells (DESIGN section 5b): 'counted' units, or the 'codes' of its pool.
ALTER TABLE skus ADD COLUMN IF NOT EXISTS kind VARCHAR(16) NOT NULL DEFAULT 'counted' AFTER max_qty;
