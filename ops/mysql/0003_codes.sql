-- The codes of codes SKUs (DESIGN section 5b), sealed as Redis holds them: never in
-- clear. A code with no order is in the pool; `order_id` is the confirmed hold it went
-- to, `delivered_at_ms` when its buyer first fetched it.
CREATE TABLE IF NOT EXISTS codes (
  sku             VARCHAR(64)   NOT NULL,
  fingerprint     VARCHAR(96)   NOT NULL,
  sealed          VARCHAR(1024) NOT NULL,
  batch           VARCHAR(64)   NOT NULL,
  order_id        VARCHAR(64)   NULL,
  assigned_at_ms  BIGINT        NULL,
  delivered_at_ms BIGINT        NULL,
  PRIMARY KEY (sku, fingerprint),
  KEY codes_by_order (sku, order_id)
) ENGINE=InnoDB;
