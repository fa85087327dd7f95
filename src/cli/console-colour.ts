// Whether the console is coloured, decided as Node decides it for its own output
// (`tty.WriteStream.getColorDepth`, `util.styleText`): FORCE_COLOR, when set, wins (`0`/`false`
// turns colour off, ``, `1`, `true`, `2`, `3` on, even off a terminal); else NO_COLOR or
// NODE_DISABLE_COLORS (set to anything, empty included) or TERM=dumb turns it off; else colour on a terminal only.
type Env = Readonly<Record<string, string | undefined>>;

const FORCE_ON = new Set(['', '1', 'true', '2', '3']);

export function colourEnabled(env: Env, isTTY: boolean): boolean {
  if (env.FORCE_COLOR !== undefined) return FORCE_ON.has(env.FORCE_COLOR);
  if (env.NO_COLOR !== undefined || env.NODE_DISABLE_COLORS !== undefined || env.TERM === 'dumb') return false;
  return isTTY;
}

export interface Colour {
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

/** The console's colours, or the identity when colour is off. */
export function colourOf(enabled: boolean): Colour {
  const paint = (code: number) => (text: string) => (enabled ? `\x1b[${code}m${text}\x1b[0m` : text);
  return { red: paint(31), green: paint(32), yellow: paint(33), dim: paint(2), bold: paint(1) };
}
