import { describe, expect, it } from 'vitest';
import { isTree, walkNodes, walkNodesWith } from './parse-tree.js';
import { parse } from './sql-parser.js';

describe('walkNodes', () => {
  it('visits every property of every object depth first, a property before its contents, in key order', () => {
    const tree = { A: { x: 1, B: { y: 'z' } }, list: [{ C: {} }, 2, [{ D: null }]], E: true };
    const seen: string[] = [];
    walkNodes(tree, (key) => seen.push(key));
    expect(seen).toEqual(['A', 'x', 'B', 'y', 'list', 'C', 'D', 'E']);
  });

  it('gives each property its value, scalars and lists included', () => {
    const seen: [string, unknown][] = [];
    walkNodes({ n: 3, s: 'x', l: [1], o: { v: null } }, (key, value) => seen.push([key, value]));
    expect(seen).toEqual([
      ['n', 3],
      ['s', 'x'],
      ['l', [1]],
      ['o', { v: null }],
      ['v', null],
    ]);
  });

  it('visits nothing in a scalar, null or an empty list', () => {
    for (const tree of [null, undefined, 7, 'text', []]) {
      const seen: string[] = [];
      walkNodes(tree, (key) => seen.push(key));
      expect(seen).toEqual([]);
    }
  });

  it('walks a list given as the tree', () => {
    const seen: string[] = [];
    walkNodes([{ a: 1 }, { b: { c: 2 } }], (key) => seen.push(key));
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('reaches every relation of a real parse tree in parse-tree order, a data-modifying CTE included', async () => {
    const tree = await parse(
      'WITH gone AS (DELETE FROM ledger.mark RETURNING id) SELECT * FROM gone JOIN audit ON true',
    );
    const names: string[] = [];
    walkNodes(tree, (key, value) => {
      if (!isTree(value)) return;
      if (key === 'RangeVar') names.push(String(value.relname));
      if (key === 'relation') names.push(`${String(value.schemaname)}.${String(value.relname)}`);
    });
    expect(names).toEqual(['gone', 'audit', 'ledger.mark']);
  });
});

describe('walkNodesWith', () => {
  it("walks a property's contents with the context its visit returned, and its siblings with their own", () => {
    const tree = { Outer: { a: 1, Inner: { b: 2 }, c: 3 }, d: 4 };
    const seen: [string, string][] = [];
    walkNodesWith(tree, 'top', (key, _value, context) => {
      seen.push([key, context]);
      return key === 'Outer' || key === 'Inner' ? key : context;
    });
    expect(seen).toEqual([
      ['Outer', 'top'],
      ['a', 'Outer'],
      ['Inner', 'Outer'],
      ['b', 'Inner'],
      ['c', 'Outer'],
      ['d', 'top'],
    ]);
  });

  it('gives every element of a list the context of the property that holds it', () => {
    const seen: [string, number][] = [];
    walkNodesWith({ l: [{ a: 1 }, { b: 2 }], m: 0 }, 0, (key, _value, depth) => {
      seen.push([key, depth]);
      return depth + 1;
    });
    expect(seen).toEqual([
      ['l', 0],
      ['a', 1],
      ['b', 1],
      ['m', 0],
    ]);
  });
});
