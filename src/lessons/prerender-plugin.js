// @ts-check
import { readFile } from 'node:fs/promises';

const LESSON_FILE = /[\\/]lessons[\\/]\d[^\\/]*\.md$/;

/**
 * Vite plugin: each lessons/NN-*.md?raw import becomes lesson-module.ts's module, the file's text
 * with its prose rendered at build time (and in `npm start`), so the course chunk does not carry
 * markdown-it. Plain JavaScript that loads the TypeScript through tsx when a lesson is first
 * built, so that loading vite.config.ts does not bundle the lesson parser with it.
 *
 * @returns {import('vite').Plugin}
 */
export function prerenderLessons() {
  /** @type {Promise<typeof import('./lesson-module')> | null} */
  let module = null;
  return {
    name: 'ftplab:prerender-lessons',
    enforce: 'pre',
    async load(id) {
      const [path, query] = id.split('?');
      if (query !== 'raw' || !path || !LESSON_FILE.test(path)) return null;
      this.addWatchFile(path);
      module ??= import('tsx/esm/api').then(({ tsImport }) =>
        tsImport('./lesson-module.ts', import.meta.url),
      );
      const { lessonModule } = await module;
      const text = await readFile(path, 'utf8');
      return lessonModule(path.replace(/^.*[\\/]lessons[\\/]/, 'lessons/'), text);
    },
  };
}
