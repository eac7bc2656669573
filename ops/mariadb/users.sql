-- Least-privilege MySQL users for HotStock (run as an administrator; ops/dev.sh runs it
-- for the local instances). Local development passwords: replace them in production.
--   hotstock_admin  migrations (`hotstock migrate`), repairs by hand, the load harness
--   hotstock        the engine: syncer, reconcile --fix, warm (SELECT, INSERT, UPDATE only)
--   hotstock_ro     read-only: reconcile without --fix, dashboards
CREATE DATABASE IF NOT EXISTS hotstock;

CREATE USER IF NOT EXISTS 'hotstock_admin'@'127.0.0.1' IDENTIFIED BY 'hotstock-dev';
GRANT ALL PRIVILEGES ON hotstock.* TO 'hotstock_admin'@'127.0.0.1';

CREATE USER IF NOT EXISTS 'hotstock'@'127.0.0.1' IDENTIFIED BY 'hotstock-dev';
REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'hotstock'@'127.0.0.1';
GRANT SELECT, INSERT, UPDATE ON hotstock.* TO 'hotstock'@'127.0.0.1';

CREATE USER IF NOT EXISTS 'hotstock_ro'@'127.0.0.1' IDENTIFIED BY 'hotstock-dev';
REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'hotstock_ro'@'127.0.0.1';
GRANT SELECT ON hotstock.* TO 'hotstock_ro'@'127.0.0.1';
