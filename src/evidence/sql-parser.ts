// PostgreSQL's own parser (libpg-query, compiled to WebAssembly), loaded on first use: a run needs it
// only at G6, and its module holds about 13 MB that the backup and restore gates have no use for.
type LibPgQuery = typeof import('libpg-query');

let loading: Promise<LibPgQuery> | null = null;
const parser = (): Promise<LibPgQuery> => (loading ??= import('libpg-query'));

export async function parse(text: string): Promise<Awaited<ReturnType<LibPgQuery['parse']>>> {
  return (await parser()).parse(text);
}

export async function parsePlPgSQL(text: string): Promise<Awaited<ReturnType<LibPgQuery['parsePlPgSQL']>>> {
  return (await parser()).parsePlPgSQL(text);
}

export async function scan(text: string): Promise<Awaited<ReturnType<LibPgQuery['scan']>>> {
  return (await parser()).scan(text);
}
