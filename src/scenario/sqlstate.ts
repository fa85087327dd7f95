// PostgreSQL's condition names for the SQLSTATEs a migration most often meets, from the server's
// src/backend/utils/errcodes.txt (Appendix A of the manual, "PostgreSQL Error Codes"). A code not
// listed here keeps its bare SQLSTATE.

const CONDITIONS: Readonly<Record<string, string>> = {
  // Class 08: connection exception
  '08000': 'connection_exception',
  '08003': 'connection_does_not_exist',
  '08006': 'connection_failure',
  // Class 0A, 21, 22: feature, cardinality, data
  '0A000': 'feature_not_supported',
  '21000': 'cardinality_violation',
  '22001': 'string_data_right_truncation',
  '22003': 'numeric_value_out_of_range',
  '22007': 'invalid_datetime_format',
  '22008': 'datetime_field_overflow',
  '22012': 'division_by_zero',
  '22023': 'invalid_parameter_value',
  '22P02': 'invalid_text_representation',
  // Class 23: integrity constraint violation
  '23000': 'integrity_constraint_violation',
  '23001': 'restrict_violation',
  '23502': 'not_null_violation',
  '23503': 'foreign_key_violation',
  '23505': 'unique_violation',
  '23514': 'check_violation',
  '23P01': 'exclusion_violation',
  // Class 25, 28: transaction state, authorization
  '25001': 'active_sql_transaction',
  '25006': 'read_only_sql_transaction',
  '25P02': 'in_failed_sql_transaction',
  '28000': 'invalid_authorization_specification',
  '28P01': 'invalid_password',
  // Class 2B: dependent privilege descriptor still exists
  '2BP01': 'dependent_objects_still_exist',
  // Class 3D, 3F: catalog, schema
  '3D000': 'invalid_catalog_name',
  '3F000': 'invalid_schema_name',
  // Class 40: transaction rollback
  '40001': 'serialization_failure',
  '40P01': 'deadlock_detected',
  // Class 42: syntax error or access rule violation
  '42501': 'insufficient_privilege',
  '42601': 'syntax_error',
  '42602': 'invalid_name',
  '42622': 'name_too_long',
  '42703': 'undefined_column',
  '42704': 'undefined_object',
  '42710': 'duplicate_object',
  '42712': 'duplicate_alias',
  '42723': 'duplicate_function',
  '42725': 'ambiguous_function',
  '42702': 'ambiguous_column',
  '42803': 'grouping_error',
  '42804': 'datatype_mismatch',
  '42809': 'wrong_object_type',
  '42830': 'invalid_foreign_key',
  '42883': 'undefined_function',
  '42939': 'reserved_name',
  '42P01': 'undefined_table',
  '42P06': 'duplicate_schema',
  '42P07': 'duplicate_table',
  '42P16': 'invalid_table_definition',
  '42P17': 'invalid_object_definition',
  // Class 53, 54, 55, 57: resources, limits, state, operator intervention
  '53100': 'disk_full',
  '53200': 'out_of_memory',
  '53300': 'too_many_connections',
  '54000': 'program_limit_exceeded',
  '55000': 'object_not_in_prerequisite_state',
  '55006': 'object_in_use',
  '55P03': 'lock_not_available',
  '57014': 'query_canceled',
  '57P01': 'admin_shutdown',
  // Class P0: PL/pgSQL
  P0001: 'raise_exception',
  P0002: 'no_data_found',
  P0003: 'too_many_rows',
  P0004: 'assert_failure',
};

/** `undefined_column` for `42703`; null for a code the table does not hold. */
export function conditionName(sqlstate: string): string | null {
  return CONDITIONS[sqlstate] ?? null;
}

/** The exception name of a server error: `ERROR 42703 undefined_column`, `ERROR 42703`, or `ERROR`. */
export function serverErrorName(severity: string, sqlstate: string | null): string {
  if (sqlstate === null) return severity;
  const condition = conditionName(sqlstate);
  return condition ? `${severity} ${sqlstate} ${condition}` : `${severity} ${sqlstate}`;
}
