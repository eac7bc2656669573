-- Orders of several SKUs (DESIGN section 14): each step of an order's saga, as its log
-- in Redis records it, reaches this table through the outbox, guarded by the log's
-- version. The lines are `SKU:QTY,...`; each line's hold is the row (sku, order_id) of
-- `holds`, which reconcile checks against the order's state.
CREATE TABLE IF NOT EXISTS orders (
  order_id        VARCHAR(64)   NOT NULL,
  state           ENUM('placing', 'compensating', 'held', 'confirming', 'releasing', 'confirmed', 'released',
                       'expired', 'failed') NOT NULL,
  buyer           VARCHAR(64)   NULL,
  order_lines     VARCHAR(2048) NOT NULL,
  created_at_ms   BIGINT        NOT NULL,
  expires_at_ms   BIGINT        NULL,
  final_at_ms     BIGINT        NULL,
  error           VARCHAR(64)   NULL,
  error_sku       VARCHAR(64)   NULL,
  version         BIGINT        NOT NULL,
  updated_at      TIMESTAMP(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (order_id),
  KEY orders_by_state (state)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;
