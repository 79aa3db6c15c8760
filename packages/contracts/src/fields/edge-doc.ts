import { LIMITS } from '../limits.js';
import { bidRequestSpec } from '../openrtb/spec.js';
import { describeShape, markdownTable } from './describe.js';

/** `docs/openrtb-edge.md`, generated from the request declaration and `LIMITS`. */
export function edgeDoc(): string {
  return `# What the bid endpoint accepts, refuses and cuts

Generated from \`packages/contracts/src/openrtb/spec.ts\` and \`LIMITS\`
(\`packages/contracts/src/limits.ts\`) by \`npm run docs:edge\`; a test fails when this file and
the declaration disagree. The event schemas read the same limits, so a request accepted here fits
every bid, win, impression and click event it leads to.

- **400** answers \`{"error": "<field> must be …", "field": "<field>"}\` naming the first bad field.
  Identifying strings (ids, domains, IPs, consent strings) over their limit are refused: a cut id
  would name something else.
- **cut**: describing strings (user agent, page and referrer URLs, names) are truncated to their
  limit (never inside a surrogate pair).
- **dropped**: a tolerated field of the wrong type or out of range is removed as if absent.
- Numbers must be finite (\`1e999\` parses to \`Infinity\` and is refused) and within the range shown.
- Unknown fields and the contents of \`ext\` pass through untouched.
- The body must be a JSON object of at most \`BIDDER_MAX_BODY_BYTES\` (413 above), nested at most
  ${String(LIMITS.jsonDepth)} levels deep, with a JSON content type (\`application/json\`,
  \`*+json\`, \`text/plain\`, or none; others get 400 naming \`content-type\`).

${markdownTable(describeShape(bidRequestSpec))}`;
}
