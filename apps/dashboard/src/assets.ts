/**
 * The page's files, read once at start: uPlot's browser build and stylesheet from node_modules
 * (served by the dashboard itself, no CDN) and the hand-written page, script and stylesheet in
 * `apps/dashboard/public/` (plain files, no bundler).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface Asset {
  contentType: string;
  body: Buffer;
}

export interface Assets {
  page: Buffer;
  /** By the name the page asks for under `/assets/`. */
  files: ReadonlyMap<string, Asset>;
}

const PUBLIC = new URL('../public/', import.meta.url);
const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** Loads every file; throws naming the one missing (a broken install fails at start). */
export function loadAssets(): Assets {
  const require = createRequire(import.meta.url);
  const read = (path: string | URL): Buffer => readFileSync(path);
  return {
    page: read(new URL('index.html', PUBLIC)),
    files: new Map([
      [
        'uPlot.iife.min.js',
        { contentType: JS, body: read(require.resolve('uplot/dist/uPlot.iife.min.js')) },
      ],
      [
        'uPlot.min.css',
        { contentType: CSS, body: read(require.resolve('uplot/dist/uPlot.min.css')) },
      ],
      ['dashboard.js', { contentType: JS, body: read(new URL('dashboard.js', PUBLIC)) }],
      ['dashboard.css', { contentType: CSS, body: read(new URL('dashboard.css', PUBLIC)) }],
    ]),
  };
}
