-- Outbox events carry a SKU's config only when an operation sets it ('sku', 'warm');
-- every other event carries its counters. The config columns move only forward by
-- the version of the event that set them, whatever order the events are applied in.
ALTER TABLE skus ADD COLUMN IF NOT EXISTS config_version BIGINT NOT NULL DEFAULT 0 AFTER kind;
UPDATE skus SET config_version = version WHERE config_version = 0;
