// Tests that need a client tool in flight hold a lock (or an uncommitted object) in an open
// transaction, so the tool waits on it; releasing rolls the transaction back.
import type { Sql } from 'postgres';

export interface HeldTransaction {
  /** Roll the transaction back and wait for it to end. */
  release(): Promise<void>;
}

/** Run `statement` in a transaction of `sql` and keep it open until released. */
export function holdInTransaction(sql: Sql, statement: string): HeldTransaction {
  let release: () => void = () => {};
  const held = new Promise<void>((r) => (release = r));
  const holding = sql
    .begin(async (tx) => {
      await tx.unsafe(statement);
      await held;
      throw new Error('roll back');
    })
    .catch(() => {});
  return {
    async release() {
      release();
      await holding;
    },
  };
}
