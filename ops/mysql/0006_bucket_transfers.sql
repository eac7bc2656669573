-- Transfers between a SKU's buckets (DESIGN section 12), as the outbox tells them: the
-- debit (transfer_out, in the donor's partition) and the credit (transfer_in, in the
-- recipient's; '<id>:back' for units returned to the donor) reach MySQL through two
-- streams in either order. `warm` uses them to rebuild what was in transit when Redis
-- was lost: a debit without its credit is re-created in flight; a credit whose debit
-- never arrived is taken off the donor.
CREATE TABLE IF NOT EXISTS bucket_transfers (
  transfer_id     VARCHAR(64)  NOT NULL,
  sku             VARCHAR(64)  NOT NULL,
  from_bucket     SMALLINT     NOT NULL,
  to_bucket       SMALLINT     NOT NULL,
  units           BIGINT       NOT NULL,
  debited         TINYINT      NOT NULL DEFAULT 0,
  settled         TINYINT      NOT NULL DEFAULT 0,
  updated_at      TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (transfer_id),
  KEY bucket_transfers_open (sku, settled, debited)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;
