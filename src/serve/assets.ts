import { readFileSync } from 'node:fs';
import { MnnError } from '../errors.js';

/**
 * Where `npm run build` bundles the page's script: dist/serve/browser/page.js, found relative to this
 * module whether it runs from dist/serve or (in tests) from src/serve.
 */
const PAGE_SCRIPT_URL = new URL('../../dist/serve/browser/page.js', import.meta.url);

/** Reads the page's bundled script once, at start-up; the server holds it in memory. */
export function loadPageScript(): string {
  try {
    return readFileSync(PAGE_SCRIPT_URL, 'utf8');
  } catch {
    throw new MnnError("the web page's script (dist/serve/browser/page.js) is missing", {
      hint: 'build it with npm run build in the mnn folder',
    });
  }
}
