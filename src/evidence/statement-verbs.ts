// The class of a top-level statement, from its parse-tree node: `GRANT`, `ALTER`, `DELETE`, ...
import type { Tree } from './parse-tree.js';

const TRANSACTION_VERBS: Record<string, string> = {
  TRANS_STMT_BEGIN: 'BEGIN',
  TRANS_STMT_START: 'BEGIN',
  TRANS_STMT_COMMIT: 'COMMIT',
  TRANS_STMT_ROLLBACK: 'ROLLBACK',
  TRANS_STMT_SAVEPOINT: 'SAVEPOINT',
  TRANS_STMT_RELEASE: 'RELEASE',
  TRANS_STMT_ROLLBACK_TO: 'ROLLBACK',
  TRANS_STMT_PREPARE: 'PREPARE TRANSACTION',
  TRANS_STMT_COMMIT_PREPARED: 'COMMIT PREPARED',
  TRANS_STMT_ROLLBACK_PREPARED: 'ROLLBACK PREPARED',
};

const NODE_VERBS: Record<string, string> = {
  SelectStmt: 'SELECT',
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  MergeStmt: 'MERGE',
  TruncateStmt: 'TRUNCATE',
  CopyStmt: 'COPY',
  VariableSetStmt: 'SET',
  ConstraintsSetStmt: 'SET',
  VariableShowStmt: 'SHOW',
  DoStmt: 'DO',
  CallStmt: 'CALL',
  ExplainStmt: 'EXPLAIN',
  PrepareStmt: 'PREPARE',
  ExecuteStmt: 'EXECUTE',
  DeallocateStmt: 'DEALLOCATE',
  DeclareCursorStmt: 'DECLARE',
  ClosePortalStmt: 'CLOSE',
  LockStmt: 'LOCK',
  ClusterStmt: 'CLUSTER',
  ReindexStmt: 'REINDEX',
  RefreshMatViewStmt: 'REFRESH',
  ListenStmt: 'LISTEN',
  UnlistenStmt: 'UNLISTEN',
  NotifyStmt: 'NOTIFY',
  DiscardStmt: 'DISCARD',
  CheckPointStmt: 'CHECKPOINT',
  LoadStmt: 'LOAD',
  CommentStmt: 'COMMENT',
  SecLabelStmt: 'SECURITY LABEL',
  ReassignOwnedStmt: 'REASSIGN',
  ImportForeignSchemaStmt: 'IMPORT',
  RenameStmt: 'ALTER',
  // CREATE statements whose node name does not start with Create
  IndexStmt: 'CREATE',
  ViewStmt: 'CREATE',
  DefineStmt: 'CREATE',
  CompositeTypeStmt: 'CREATE',
  RuleStmt: 'CREATE',
};

/** The class of a top-level statement node. */
export function verbOf(type: string, node: Tree): string {
  switch (type) {
    case 'GrantStmt':
    case 'GrantRoleStmt':
      return node.is_grant === true ? 'GRANT' : 'REVOKE';
    case 'TransactionStmt':
      return TRANSACTION_VERBS[String(node.kind)] ?? 'TRANSACTION';
    case 'VacuumStmt':
      return node.is_vacuumcmd === true ? 'VACUUM' : 'ANALYZE';
    case 'FetchStmt':
      return node.ismove === true ? 'MOVE' : 'FETCH';
  }
  const known = NODE_VERBS[type];
  if (known) return known;
  if (type.startsWith('Alter')) return 'ALTER';
  if (type.startsWith('Create')) return 'CREATE';
  if (type.startsWith('Drop')) return 'DROP';
  return type.replace(/Stmt$/, '').toUpperCase();
}
