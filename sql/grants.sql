-- Least privileges of the ledger cutter's roles, applied after the dump is restored.
-- sql/grant-matrix.yaml lists exactly what must be in force afterwards.
-- cutter_app writes only where a phase writes; it may not add signers and deletes nothing.

GRANT USAGE ON SCHEMA ledger TO cutter_app, cutter_readonly, cutter_auditor, cutter_migrator;

-- cutter_migrator: owns the one table its migration alters (ALTER TABLE needs ownership), and with
-- it the table's id sequence, so it holds every privilege on those two and none anywhere else.
-- The other roles' grants on ledger.sweep_log below are unchanged by the ownership.
ALTER TABLE ledger.sweep_log OWNER TO cutter_migrator;

-- cutter_app: reads everything
GRANT SELECT ON ALL TABLES IN SCHEMA ledger TO cutter_app;
-- MARK, SWEEP, REVIEW, CUT, VERIFY, CLOSE append rows here
GRANT INSERT ON ledger.mark, ledger.sweep_log, ledger.envelope, ledger.unit_block,
                ledger.review_decision, ledger.history, ledger.cut, ledger.verify_log TO cutter_app;
-- MARK/SWEEP move entries on; CLOSE closes the batch
GRANT UPDATE ON ledger.entry, ledger.batch TO cutter_app;
-- the ids of the rows it inserts (nextval through the column defaults)
GRANT USAGE ON SEQUENCE ledger.mark_id_seq, ledger.sweep_log_id_seq, ledger.envelope_id_seq,
                        ledger.unit_block_id_seq, ledger.review_decision_id_seq, ledger.history_id_seq,
                        ledger.cut_id_seq, ledger.verify_log_id_seq TO cutter_app;

-- cutter_readonly: reads everything, writes nothing
GRANT SELECT ON ALL TABLES IN SCHEMA ledger TO cutter_readonly;

-- cutter_auditor: the audit trail only
GRANT SELECT ON ledger.history, ledger.verify_log TO cutter_auditor;
