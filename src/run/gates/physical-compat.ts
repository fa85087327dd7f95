// Whether production's files can run in the dry-run image, decided from facts already read (G1:
// production's; G4: the copy's server, that is the image's files and libraries). Each returns the
// GateFailure to throw (null: compatible), or the warning to record; nothing here does I/O.
import type { CollationDrift, Warning } from '../../config/index.js';
import type { CLibrary, DatabaseFacts, InstalledExtension } from '../../pg/index.js';
import { GateFailure } from '../gate-failure.js';

/**
 * The replication connection must reach the server G1 checked over the normal one: a pooler, a
 * proxy or another host answering on the replication port would be copied instead.
 */
export function replicationIdentityFault(sysidPre: string, replicationSysid: string, who: string): GateFailure | null {
  if (sysidPre === replicationSysid) return null;
  return new GateFailure(
    'environment',
    `production's replication connection (${who}, replication=true) reaches the server with system identifier ${replicationSysid}, and its normal connection the one with ${sysidPre}: the copy would not be of the server checked (a pooler or a proxy in front of production, or a host name that resolves to another server); what to do: point \`production\` at the server itself, so that both connections reach it, or \`production.copy: logical\``,
  );
}

/** version()'s target triple's CPU as the engine names image architectures (GOARCH); null when version() names none. */
export function productionArchitecture(versionString: string): string | null {
  const cpu = / on ([A-Za-z0-9_]+)-/.exec(versionString)?.[1];
  if (!cpu) return null;
  if (cpu === 'x86_64' || cpu === 'amd64') return 'amd64';
  if (cpu === 'aarch64' || cpu === 'arm64') return 'arm64';
  if (/^i[3-6]86$/.test(cpu)) return '386';
  if (/^arm/.test(cpu)) return 'arm';
  if (cpu === 'powerpc64le') return 'ppc64le';
  if (cpu === 'mips64el') return 'mips64le';
  return cpu;
}

/**
 * Production's CPU against the image's. An unknown on either side is not a mismatch: the server
 * itself refuses files of another byte order or alignment at start (pg_control's checks), and
 * G3's readiness then fails with its log.
 */
export function architectureFault(
  production: string | null,
  image: string | null,
  imageTag: string,
  versionString: string,
): GateFailure | null {
  if (production === null || image === null || production === image) return null;
  return new GateFailure(
    'environment',
    `production runs on ${production} (\`${versionString}\`) and the dry-run image ${imageTag} is ${image}: a physical copy's files need the same architecture; what to do: set \`environment.image\` to a ${production} PostgreSQL image of the same major version, or \`production.copy: logical\``,
  );
}

export interface MissingExtension {
  name: string;
  version: string;
  /** The databases that have it installed. */
  databases: string[];
  /** The image has no control file for it at all (else: not this version). */
  absent: boolean;
}

/** Each extension version production has installed and the image cannot provide, with where it is installed. */
export function missingExtensions(
  databases: readonly Pick<DatabaseFacts, 'name' | 'extensions'>[],
  available: ReadonlyMap<string, ReadonlySet<string>>,
): MissingExtension[] {
  const missing = new Map<string, MissingExtension>();
  for (const db of databases)
    for (const e of db.extensions) {
      const versions = available.get(e.name);
      if (versions?.has(e.version)) continue;
      const key = `${e.name}@${e.version}`;
      const m = missing.get(key) ?? { name: e.name, version: e.version, databases: [], absent: !versions };
      m.databases.push(db.name);
      missing.set(key, m);
    }
  return [...missing.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

/** The image cannot run what production has installed: INCONCLUSIVE environment, naming each extension. */
export function extensionsFault(missing: readonly MissingExtension[], imageTag: string): GateFailure | null {
  if (missing.length === 0) return null;
  const what = missing
    .map(
      (m) =>
        `\`${m.name}\` ${m.version} (${m.absent ? 'no control file' : 'not this version'}; installed in ${m.databases.join(', ')})`,
    )
    .join(', ');
  const names = missing.map((m) => `${m.name} ${m.version}`).join(', ');
  return new GateFailure(
    'environment',
    `production has extensions installed whose files the dry-run image ${imageTag} lacks: ${what}; the copy cannot run them; what to do: set \`environment.image\` to an image of production's major version with ${names} installed, or \`production.copy: logical\``,
  );
}

/** The image lacks a shared library production's C functions name: INCONCLUSIVE environment, naming each. */
export function librariesFault(missing: readonly CLibrary[], imageTag: string): GateFailure | null {
  if (missing.length === 0) return null;
  const what = missing
    .map(
      (l) =>
        `\`${l.library}\` (${l.extensions.length > 0 ? `of ${l.extensions.join(', ')}` : 'of no extension'}; named in ${l.databases.join(', ')})`,
    )
    .join(', ');
  return new GateFailure(
    'environment',
    `production's C functions name shared libraries the dry-run image ${imageTag} lacks: ${what}; the first call of such a function would fail in the copy for want of a file; what to do: set \`environment.image\` to an image of production's major version with those libraries installed, or \`production.copy: logical\``,
  );
}

/** The extensions installed anywhere in the cluster, for the evidence: `name version` once each. */
export function extensionList(databases: readonly { extensions: readonly InstalledExtension[] }[]): string[] {
  return [...new Set(databases.flatMap((d) => d.extensions.map((e) => `${e.name} ${e.version}`)))].sort();
}

/** The databases whose default collation production recorded at one version and the copy's libraries give at another. */
export function collationDrift(
  databases: readonly DatabaseFacts[],
  copyVersions: ReadonlyMap<string, string | null>,
): CollationDrift[] {
  const drift: CollationDrift[] = [];
  for (const db of databases) {
    if (db.recordedVersion === null || !copyVersions.has(db.name)) continue;
    const copy = copyVersions.get(db.name) ?? null;
    if (copy === db.recordedVersion) continue;
    drift.push({
      database: db.name,
      provider: db.provider,
      locale: db.locale,
      collate: db.collate,
      ctype: db.ctype,
      production_version: db.recordedVersion,
      copy_version: copy,
    });
  }
  return drift;
}

/** The loud warning of a collation drift (null: none), its sentence derived from the drift alone. */
export function collationWarning(drift: readonly CollationDrift[]): Warning | null {
  if (drift.length === 0) return null;
  const each = drift
    .map(
      (d) =>
        `${d.database} (${d.provider} ${d.locale}: production ${d.production_version}, copy ${d.copy_version ?? 'none'})`,
    )
    .join(', ');
  return {
    kind: 'collation_version',
    message: `the dry-run image's ${drift.some((d) => d.provider === 'icu') ? 'collation libraries (glibc or ICU)' : 'C library (glibc)'} gives another collation version than production recorded for ${each}: text sorts differently in the copy, so its indexes on text columns may be corrupt there (lookups and unique checks can miss rows) and the rehearsal may not behave as production will; what to do: use an \`environment.image\` with production's glibc/ICU, or REINDEX the text indexes of those databases in the copy before trusting results that depend on them`,
    databases: [...drift],
  };
}
