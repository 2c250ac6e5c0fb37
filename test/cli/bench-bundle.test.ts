import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Manifest } from 'vite';
import { describe, expect, it } from 'vitest';
import { firstLoadFiles, gzipBytes } from '../../src/cli/bench-bundle';

// Shaped like the manifest `vite build --manifest` writes: keys are source paths.
const manifest: Manifest = {
  'index.html': {
    file: 'assets/index-a1.js',
    src: 'index.html',
    isEntry: true,
    imports: ['_shared-b2.js'],
    dynamicImports: ['src/ui/HelpDialog.svelte'],
    css: ['assets/index-c3.css'],
  },
  '_shared-b2.js': { file: 'assets/shared-b2.js', imports: ['_d3-d4.js'] },
  '_d3-d4.js': { file: 'assets/d3-d4.js', imports: ['_shared-b2.js'], css: ['assets/d3-e5.css'] },
  'src/ui/HelpDialog.svelte': {
    file: 'assets/HelpDialog-f6.js',
    src: 'src/ui/HelpDialog.svelte',
    isDynamicEntry: true,
    imports: ['_shared-b2.js'],
    css: ['assets/HelpDialog-g7.css'],
  },
};

describe('firstLoadFiles', () => {
  it('follows static imports from the entry, through cycles, with their CSS', () => {
    expect(firstLoadFiles(manifest)).toEqual({
      js: ['assets/index-a1.js', 'assets/shared-b2.js', 'assets/d3-d4.js'],
      css: ['assets/index-c3.css', 'assets/d3-e5.css'],
    });
  });

  it('leaves out chunks loaded later with import()', () => {
    const { js, css } = firstLoadFiles(manifest);
    expect(js).not.toContain('assets/HelpDialog-f6.js');
    expect(css).not.toContain('assets/HelpDialog-g7.css');
  });
});

describe('gzipBytes', () => {
  it('adds up the gzipped size of each file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-bundle-'));
    try {
      const text = 'const packet = { flags: "SYN" };\n'.repeat(200);
      await writeFile(join(dir, 'a.js'), text);
      await writeFile(join(dir, 'b.js'), text);
      const one = gzipSync(Buffer.from(text));
      expect(await gzipBytes(dir, ['a.js', 'b.js'])).toBe(2 * one.length);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
