/** Writes docs/openrtb-edge.md from the request declaration (`npm run docs:edge`). */
import { writeFileSync } from 'node:fs';
import { edgeDoc } from '../src/fields/edge-doc.js';
import { argsOrExit } from '@streambid/adapters/cli';

argsOrExit(
  {
    name: 'docs:edge',
    usage: 'npm run docs:edge',
    about: 'Writes docs/openrtb-edge.md from the request declaration (the edge limits table).',
    flags: {},
  },
  process.argv.slice(2),
);

const out = new URL('../../../docs/openrtb-edge.md', import.meta.url);
writeFileSync(out, edgeDoc());
process.stdout.write(`wrote ${out.pathname}\n`);
