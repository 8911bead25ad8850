import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

describe('examples/minimal', () => {
  it('shows the owner their customer in full, a colleague’s not at all, HR masked, and a verified audit chain', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=@guard/source', '--import', 'tsx', main],
      { timeout: 60_000 },
    );
    const lines = stdout.split('\n');
    const block = (actor: string) => lines.slice(lines.findIndex((l) => l.startsWith(`${actor} sees`)));
    expect(block('e-li')).toEqual(
      expect.arrayContaining([
        '  c-1 华东机电  phone 13812345678  credit 200000',
        '  c-2 申江物流  phone —  credit —',
        '  保密提示：本客户信息属于公司商业秘密，禁止复制或泄露。',
      ]),
    );
    expect(block('e-zhao').slice(1, 3)).toEqual([
      '  c-1 华东机电  phone 1******5678  credit 200000',
      '  c-2 申江物流  phone 1******4321  credit 200000',
    ]);
    expect(stdout).toMatch(/audit chain: verified, \d+ entries/);
    // The promise: at most 60 lines.
    expect(readFileSync(main, 'utf8').trimEnd().split('\n').length).toBeLessThanOrEqual(60);
  }, 90_000);
});
