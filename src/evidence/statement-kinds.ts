// The kind of a top-level statement, from its parse-tree node: `CREATE TABLE`, `ALTER FUNCTION`, `DELETE`, ...
import type { Tree } from './parse-tree.js';

const OBJECT_TYPE_NAMES: Record<string, string> = {
  OBJECT_FDW: 'FOREIGN DATA WRAPPER',
  OBJECT_FOREIGN_SERVER: 'SERVER',
  OBJECT_LARGEOBJECT: 'LARGE OBJECT',
  OBJECT_MATVIEW: 'MATERIALIZED VIEW',
  OBJECT_OPCLASS: 'OPERATOR CLASS',
  OBJECT_OPFAMILY: 'OPERATOR FAMILY',
  OBJECT_AMOP: 'OPERATOR FAMILY',
  OBJECT_AMPROC: 'OPERATOR FAMILY',
  OBJECT_STATISTIC_EXT: 'STATISTICS',
  OBJECT_TSCONFIGURATION: 'TEXT SEARCH CONFIGURATION',
  OBJECT_TSDICTIONARY: 'TEXT SEARCH DICTIONARY',
  OBJECT_TSPARSER: 'TEXT SEARCH PARSER',
  OBJECT_TSTEMPLATE: 'TEXT SEARCH TEMPLATE',
  OBJECT_COLUMN: 'TABLE',
  OBJECT_TABCONSTRAINT: 'TABLE',
  OBJECT_ATTRIBUTE: 'TYPE',
  OBJECT_DOMCONSTRAINT: 'DOMAIN',
  OBJECT_DEFACL: 'DEFAULT PRIVILEGES',
  OBJECT_PUBLICATION_NAMESPACE: 'PUBLICATION',
  OBJECT_PUBLICATION_REL: 'PUBLICATION',
};

/** `OBJECT_FOREIGN_TABLE` -> `FOREIGN TABLE`. */
function objectTypeName(value: unknown): string {
  const v = String(value);
  return OBJECT_TYPE_NAMES[v] ?? v.replace(/^OBJECT_/, '').replace(/_/g, ' ');
}

const CREATE_KINDS: Record<string, string> = {
  CreateStmt: 'CREATE TABLE',
  CreateForeignTableStmt: 'CREATE FOREIGN TABLE',
  ViewStmt: 'CREATE VIEW',
  IndexStmt: 'CREATE INDEX',
  CreateTrigStmt: 'CREATE TRIGGER',
  CreateEventTrigStmt: 'CREATE EVENT TRIGGER',
  CreatePolicyStmt: 'CREATE POLICY',
  RuleStmt: 'CREATE RULE',
  CreateSeqStmt: 'CREATE SEQUENCE',
  CreateSchemaStmt: 'CREATE SCHEMA',
  CreateEnumStmt: 'CREATE TYPE',
  CreateRangeStmt: 'CREATE TYPE',
  CompositeTypeStmt: 'CREATE TYPE',
  CreateDomainStmt: 'CREATE DOMAIN',
  CreateExtensionStmt: 'CREATE EXTENSION',
  CreateRoleStmt: 'CREATE ROLE',
  CreatedbStmt: 'CREATE DATABASE',
  CreateTableSpaceStmt: 'CREATE TABLESPACE',
  CreateCastStmt: 'CREATE CAST',
  CreateConversionStmt: 'CREATE CONVERSION',
  CreateFdwStmt: 'CREATE FOREIGN DATA WRAPPER',
  CreateForeignServerStmt: 'CREATE SERVER',
  CreateUserMappingStmt: 'CREATE USER MAPPING',
  CreatePLangStmt: 'CREATE LANGUAGE',
  CreateOpClassStmt: 'CREATE OPERATOR CLASS',
  CreateOpFamilyStmt: 'CREATE OPERATOR FAMILY',
  CreateAmStmt: 'CREATE ACCESS METHOD',
  CreateStatsStmt: 'CREATE STATISTICS',
  CreatePublicationStmt: 'CREATE PUBLICATION',
  CreateSubscriptionStmt: 'CREATE SUBSCRIPTION',
  CreateTransformStmt: 'CREATE TRANSFORM',
  AlterSeqStmt: 'ALTER SEQUENCE',
  AlterEnumStmt: 'ALTER TYPE',
  AlterTypeStmt: 'ALTER TYPE',
  AlterDomainStmt: 'ALTER DOMAIN',
  AlterRoleStmt: 'ALTER ROLE',
  AlterRoleSetStmt: 'ALTER ROLE',
  AlterDatabaseStmt: 'ALTER DATABASE',
  AlterDatabaseSetStmt: 'ALTER DATABASE',
  AlterDatabaseRefreshCollStmt: 'ALTER DATABASE',
  AlterSystemStmt: 'ALTER SYSTEM',
  AlterExtensionStmt: 'ALTER EXTENSION',
  AlterExtensionContentsStmt: 'ALTER EXTENSION',
  AlterDefaultPrivilegesStmt: 'ALTER DEFAULT PRIVILEGES',
  AlterPolicyStmt: 'ALTER POLICY',
  AlterEventTrigStmt: 'ALTER EVENT TRIGGER',
  AlterTableSpaceOptionsStmt: 'ALTER TABLESPACE',
  AlterTableMoveAllStmt: 'ALTER TABLESPACE',
  AlterFdwStmt: 'ALTER FOREIGN DATA WRAPPER',
  AlterForeignServerStmt: 'ALTER SERVER',
  AlterUserMappingStmt: 'ALTER USER MAPPING',
  AlterPublicationStmt: 'ALTER PUBLICATION',
  AlterSubscriptionStmt: 'ALTER SUBSCRIPTION',
  AlterStatsStmt: 'ALTER STATISTICS',
  AlterOpFamilyStmt: 'ALTER OPERATOR FAMILY',
  AlterOperatorStmt: 'ALTER OPERATOR',
  AlterCollationStmt: 'ALTER COLLATION',
  AlterTSDictionaryStmt: 'ALTER TEXT SEARCH DICTIONARY',
  AlterTSConfigurationStmt: 'ALTER TEXT SEARCH CONFIGURATION',
  DropOwnedStmt: 'DROP OWNED',
  DropRoleStmt: 'DROP ROLE',
  DropdbStmt: 'DROP DATABASE',
  DropTableSpaceStmt: 'DROP TABLESPACE',
  DropSubscriptionStmt: 'DROP SUBSCRIPTION',
  DropUserMappingStmt: 'DROP USER MAPPING',
};

const RELATION_SUBOBJECTS = new Set(['OBJECT_COLUMN', 'OBJECT_TABCONSTRAINT']);

/** The kind of a top-level statement node: `CREATE TABLE`, `ALTER FUNCTION`, `DELETE`, ... */
export function kindOf(type: string, node: Tree, verb: string): string {
  const known = CREATE_KINDS[type];
  if (known) return known;
  switch (type) {
    case 'CreateTableAsStmt':
      return node.objtype === 'OBJECT_MATVIEW' ? 'CREATE MATERIALIZED VIEW' : 'CREATE TABLE';
    case 'CreateFunctionStmt':
      return node.is_procedure === true ? 'CREATE PROCEDURE' : 'CREATE FUNCTION';
    case 'DefineStmt':
      return `CREATE ${objectTypeName(node.kind)}`;
    case 'AlterTableStmt':
      return `ALTER ${objectTypeName(node.objtype)}`;
    case 'AlterFunctionStmt':
      return `ALTER ${objectTypeName(node.objtype)}`;
    case 'RenameStmt':
      return `ALTER ${objectTypeName(RELATION_SUBOBJECTS.has(String(node.renameType)) ? node.relationType : node.renameType)}`;
    case 'AlterObjectSchemaStmt':
    case 'AlterOwnerStmt':
    case 'AlterObjectDependsStmt':
      return `ALTER ${objectTypeName(node.objectType)}`;
    case 'DropStmt':
      return `DROP ${objectTypeName(node.removeType)}`;
  }
  // SELECT ... INTO is a CREATE TABLE AS written another way: its own kind is SELECT.
  return verb;
}
