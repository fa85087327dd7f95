-- Roles of the ledger cutter's dry run, created on a fresh server before the dump is restored.
-- No credentials in this file: pg-rehearse generates a secret for each LOGIN role per run and sets it itself.
CREATE ROLE cutter_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
COMMENT ON ROLE cutter_app IS 'ledger cutter: the system under test';

CREATE ROLE cutter_readonly LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
COMMENT ON ROLE cutter_readonly IS 'ledger cutter: read-only reporting';

CREATE ROLE cutter_auditor LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
COMMENT ON ROLE cutter_auditor IS 'ledger cutter: reads the audit trail (history, verify_log) only';

CREATE ROLE cutter_migrator LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
COMMENT ON ROLE cutter_migrator IS 'ledger cutter: runs its schema migrations; owns ledger.sweep_log only';
