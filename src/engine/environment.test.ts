import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { demuxLogs } from './container-logs.js';
import { environmentNames } from './environment.js';

describe('environmentNames', () => {
  it('names the container exactly and its network NAME-net', () => {
    expect(environmentNames('pg-dry-run-v0.4')).toEqual({
      container: 'pg-dry-run-v0.4',
      network: 'pg-dry-run-v0.4-net',
    });
  });

  it.each(['', '-lead', 'has space', 'a/b', 'x'.repeat(60)])(
    'refuses %j with a usage error naming the option',
    (bad) => {
      expect(() => environmentNames(bad)).toThrow(UsageError);
      expect(() => environmentNames(bad)).toThrow(/--name/);
    },
  );
});

describe('demuxLogs', () => {
  it('strips the stream headers of a non-TTY log buffer', () => {
    const frame = (stream: number, text: string) => {
      const body = Buffer.from(text);
      const head = Buffer.alloc(8);
      head[0] = stream;
      head.writeUInt32BE(body.length, 4);
      return Buffer.concat([head, body]);
    };
    expect(demuxLogs(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')]))).toBe('out\nerr\n');
  });
});
