-- Cold stock: the books HotStock's syncer keeps equal to Redis (DESIGN section 4).
-- Applied once by `hotstock migrate` and recorded in schema_migrations. Statements end
-- with ";" at the end of a line. Times are Unix milliseconds of the Redis clock.

CREATE TABLE IF NOT EXISTS skus (
  sku             VARCHAR(64)  NOT NULL,
  total           BIGINT       NOT NULL,
  available       BIGINT       NOT NULL,
  held            BIGINT       NOT NULL,
  sold            BIGINT       NOT NULL,
  version         BIGINT       NOT NULL,
  per_buyer_limit BIGINT       NULL,
  opens_at_ms     BIGINT       NULL,
  release_rate    DOUBLE       NULL,
  release_burst   BIGINT       NULL,
  default_ttl_ms  BIGINT       NULL,
  max_qty         BIGINT       NULL,
  -- the outbox entry (stream id) that carried `version`; tells a replay from a regression
  last_event_id   VARCHAR(41)  NOT NULL DEFAULT '',
  updated_at      TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (sku)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

CREATE TABLE IF NOT EXISTS holds (
  sku             VARCHAR(64)  NOT NULL,
  order_id        VARCHAR(64)  NOT NULL,
  qty             BIGINT       NOT NULL,
  buyer           VARCHAR(64)  NULL,
  state           ENUM('held', 'confirmed', 'released', 'expired') NOT NULL,
  expires_at_ms   BIGINT       NOT NULL,
  created_at_ms   BIGINT       NOT NULL,
  final_at_ms     BIGINT       NULL,
  version         BIGINT       NOT NULL,
  updated_at      TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (sku, order_id),
  KEY holds_by_state (sku, state)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

-- SKU versions that went backwards in the outbox (Redis lost acknowledged writes):
-- recorded, never copied into skus.
CREATE TABLE IF NOT EXISTS version_regressions (
  id              BIGINT       NOT NULL AUTO_INCREMENT,
  sku             VARCHAR(64)  NOT NULL,
  event_id        VARCHAR(41)  NOT NULL,
  event_version   BIGINT       NOT NULL,
  stored_version  BIGINT       NOT NULL,
  detected_at     TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY version_regressions_event (sku, event_id)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;
