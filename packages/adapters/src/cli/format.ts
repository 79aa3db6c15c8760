/** Total width `--help` wraps to. */
const WIDTH = 100;
/** Widest left column before its text moves to the next line. */
const MAX_LEFT = 30;

/** Splits `text` into lines of at most `width` characters, at spaces. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

/** Two-column help rows: the left column padded, the right one wrapped under itself. */
export function helpTable(rows: readonly (readonly [string, string])[], indent = '  '): string[] {
  const left = Math.min(MAX_LEFT, Math.max(0, ...rows.map(([l]) => l.length)));
  const pad = `${indent}${' '.repeat(left)}  `;
  const out: string[] = [];
  for (const [l, r] of rows) {
    const text = wrap(r, Math.max(30, WIDTH - pad.length));
    if (l.length > left) out.push(`${indent}${l}`, ...text.map((t) => `${pad}${t}`));
    else
      out.push(
        `${indent}${l.padEnd(left)}  ${text[0] ?? ''}`,
        ...text.slice(1).map((t) => `${pad}${t}`),
      );
  }
  return out;
}

/** A paragraph for `--help`: each of its lines wider than the help wrapped at spaces. */
export function helpParagraph(text: string): string {
  return text
    .split('\n')
    .flatMap((line) => (line.length <= WIDTH ? [line] : wrap(line, WIDTH)))
    .join('\n');
}
