import { describe, expect, it } from 'vitest';
import { escapeData, escapeProperty, workflowCommand } from './github-workflow-command.js';

describe('workflow commands, escaped as GitHub documents', () => {
  it('escapes %, CR and LF in a message, and : and , as well in a property', () => {
    expect(escapeData('50% done\r\nnext: a, b')).toBe('50%25 done%0D%0Anext: a, b');
    expect(escapeProperty('a:b,c%\n')).toBe('a%3Ab%2Cc%25%0A');
  });
  it('writes `::error k=v,k=v::message`, properties in order, undefined ones left out', () => {
    expect(
      workflowCommand(
        'error',
        [
          ['file', 'src/phases.ts'],
          ['line', 89],
          ['col', undefined],
          ['title', 'S6: TypeError, at last'],
        ],
        'Cannot read x\nsecond line',
      ),
    ).toBe('::error file=src/phases.ts,line=89,title=S6%3A TypeError%2C at last::Cannot read x%0Asecond line');
  });
  it('writes a command without properties with no space before its `::`', () => {
    expect(workflowCommand('group', [], 'G0 inputs')).toBe('::group::G0 inputs');
  });
});
