-- Hot-SKU buckets (DESIGN section 12): a SKU's stock may be spread over buckets, each a
-- SKU record of its own in Redis ('<sku>#<b>' for b >= 1; bucket 0 is the SKU's own
-- record, whose row stays in skus). Each bucket's counters have a row here, moved
-- forward by version like skus; sku_sums adds them up per SKU. Units in transit between
-- two buckets (a transfer's debit applied, its credit not yet) are in neither row.
CREATE TABLE IF NOT EXISTS sku_buckets (
  sku             VARCHAR(64)  NOT NULL,
  bucket          SMALLINT     NOT NULL,
  total           BIGINT       NOT NULL,
  available       BIGINT       NOT NULL,
  held            BIGINT       NOT NULL,
  sold            BIGINT       NOT NULL,
  version         BIGINT       NOT NULL,
  last_event_id   VARCHAR(41)  NOT NULL DEFAULT '',
  updated_at      TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (sku, bucket)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;
-- A hold is (sku, order) whatever bucket holds it; the bucket says where Redis keeps it.
ALTER TABLE holds ADD COLUMN IF NOT EXISTS bucket SMALLINT NOT NULL DEFAULT 0 AFTER order_id;
-- A regression names the SKU record that went backwards: '<sku>#<b>' for a bucket.
ALTER TABLE version_regressions MODIFY sku VARCHAR(68) NOT NULL;
CREATE OR REPLACE VIEW sku_sums AS
  SELECT s.sku AS sku,
    s.total + COALESCE(SUM(b.total), 0) AS total,
    s.available + COALESCE(SUM(b.available), 0) AS available,
    s.held + COALESCE(SUM(b.held), 0) AS held,
    s.sold + COALESCE(SUM(b.sold), 0) AS sold,
    s.version + COALESCE(SUM(b.version), 0) AS version,
    1 + COUNT(b.bucket) AS bucket_rows
  FROM skus s LEFT JOIN sku_buckets b ON b.sku = s.sku
  GROUP BY s.sku, s.total, s.available, s.held, s.sold, s.version;
