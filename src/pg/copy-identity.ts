// A physical copy has production's system identifier by construction, so the dry-run server is
// told apart by a per-run marker setting it was started with: present with this run's id on the
// copy, absent on production. And what the copy's first start turned off, read back over TCP.
import { withConnection } from './identity.js';
import { MARKER_SETTING } from './session-marker.js';
import type { PgTarget } from './target.js';

export { MARKER_SETTING };

/** The statement that reads the marker (sent to production too, where it must answer null). */
export const MARKER_QUERY = `select current_setting('${MARKER_SETTING}', true) as marker`;

/** The marker's value on the server, or null when it has none (an empty placeholder counts as none). */
export async function readMarker(target: PgTarget, what = 'marker'): Promise<string | null> {
  return withConnection(target, what, (sql) =>
    sql.begin('read only', async (tx) => {
      const [row] = await tx.unsafe<{ marker: string | null }[]>(MARKER_QUERY);
      return row?.marker ? row.marker : null;
    }),
  );
}

export interface CopyStartState {
  replicationSlots: number;
  subscriptions: number;
  subscriptionsEnabled: number;
  loginRolesWithoutPassword: number;
  databases: string[];
}

const COPY_STATE_QUERY = `select
  (select count(*) from pg_replication_slots)::int as slots,
  (select count(*) from pg_subscription)::int as subs,
  (select count(*) from pg_subscription where subenabled)::int as enabled,
  (select count(*) from pg_authid where rolcanlogin and rolpassword is null)::int as nopass,
  (select coalesce(array_agg(datname::text order by datname), '{}') from pg_database where not datistemplate) as dbs`;

/** What the copy holds that could reach production: slots, subscriptions, and the login roles left without a password. */
export async function copyStartState(target: PgTarget): Promise<CopyStartState> {
  return withConnection(target, 'copy state', (sql) =>
    sql.begin('read only', async (tx) => {
      const [r] =
        await tx.unsafe<{ slots: number; subs: number; enabled: number; nopass: number; dbs: string[] }[]>(
          COPY_STATE_QUERY,
        );
      return {
        replicationSlots: r!.slots,
        subscriptions: r!.subs,
        subscriptionsEnabled: r!.enabled,
        loginRolesWithoutPassword: r!.nopass,
        databases: r!.dbs,
      };
    }),
  );
}

/** The roles of `roles` the server does not have. */
export async function rolesMissing(target: PgTarget, roles: readonly string[]): Promise<string[]> {
  return withConnection(target, 'roles', (sql) =>
    sql.begin('read only', async (tx) => {
      const rows = await tx.unsafe<{ rolname: string }[]>(
        'select rolname::text as rolname from pg_roles where rolname = any($1::text[])',
        [[...roles]],
      );
      const present = new Set(rows.map((r) => r.rolname));
      return roles.filter((r) => !present.has(r));
    }),
  );
}
