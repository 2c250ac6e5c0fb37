import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Manifest } from 'vite';

export interface FirstLoad {
  js: string[];
  css: string[];
}

/**
 * The files a browser fetches before the app can start, read from Vite's build manifest: every
 * entry chunk, the chunks it imports statically (transitively), and their CSS. Chunks reached
 * only through `import()` load later, so they are not part of the first load.
 */
export function firstLoadFiles(manifest: Manifest): FirstLoad {
  const js = new Set<string>();
  const css = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || js.has(chunk.file)) return;
    js.add(chunk.file);
    for (const file of chunk.css ?? []) css.add(file);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
  return { js: [...js], css: [...css] };
}

/** Bytes after gzip at zlib's default level, the level most web servers use. */
export async function gzipBytes(dir: string, files: string[]): Promise<number> {
  let total = 0;
  for (const file of files) total += gzipSync(await readFile(join(dir, file))).length;
  return total;
}
