/**
 * Reading what a client sent, without ever throwing: path parameters, the query string, the
 * content type and the JSON body. Each check answers with the field it refuses, for a 400.
 */
import { cut, LIMITS, nestsDeeperThan } from '@streambid/contracts';

/** A refused input: `field` names the path parameter, query parameter, header or `(body)`. */
export interface InputError {
  error: 'invalid_path' | 'invalid_query' | 'unsupported_media_type' | 'invalid_json';
  field: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: InputError };

/** Longest text of the client's echoed in an error (a name may be anything the client sent). */
const ECHO = LIMITS.code;

/** `decodeURIComponent` throws on a malformed escape (`%E0%A4%A`); this answers undefined. */
export function decodeComponent(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/**
 * Decodes the path parameters of a route. A parameter is an id: malformed escapes and values
 * over `LIMITS.id` are refused (a cut id would name another campaign).
 */
export function decodeParams(raw: readonly string[], names: readonly string[]): Parsed<string[]> {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const field = names[i] ?? `param${String(i)}`;
    const v = decodeComponent(raw[i] ?? '');
    if (v === undefined)
      return fail('invalid_path', field, `${field}: malformed percent-encoding in the path`);
    if (v.length > LIMITS.id)
      return fail('invalid_path', field, `${field}: longer than ${String(LIMITS.id)} characters`);
    out.push(v);
  }
  return { ok: true, value: out };
}

/**
 * Parses a raw query string (without `?`) into a `Map`: client names never become keys of a
 * plain object, where `__proto__` or `constructor` would mean something else. Refuses a name
 * the route does not take, a repeated name, a malformed escape and a value over `LIMITS.id`
 * (every parameter the API takes is an id or an enumerated value).
 */
export function parseQuery(raw: string, allowed: ReadonlySet<string>): Parsed<Map<string, string>> {
  const out = new Map<string, string>();
  if (raw === '') return { ok: true, value: out };
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq < 0 ? part : part.slice(0, eq);
    const name = decodeForm(rawName);
    if (name === undefined)
      return fail(
        'invalid_query',
        'query',
        `malformed percent-encoding in query parameter name ${JSON.stringify(cut(rawName, ECHO))}`,
      );
    const field = cut(name, ECHO);
    if (!allowed.has(name))
      return fail(
        'invalid_query',
        field,
        allowed.size === 0
          ? `${field}: this route takes no query parameters`
          : `${field}: unknown query parameter; use ${[...allowed].join(', ')}`,
      );
    if (out.has(name)) return fail('invalid_query', field, `${field}: given more than once`);
    const value = decodeForm(eq < 0 ? '' : part.slice(eq + 1));
    if (value === undefined)
      return fail('invalid_query', field, `${field}: malformed percent-encoding`);
    if (value.length > LIMITS.id)
      return fail('invalid_query', field, `${field}: longer than ${String(LIMITS.id)} characters`);
    out.set(name, value);
  }
  return { ok: true, value: out };
}

/** `application/x-www-form-urlencoded` decoding, as `URLSearchParams` does but strict. */
const decodeForm = (s: string): string | undefined => decodeComponent(s.replaceAll('+', ' '));

/**
 * Whether a request content type is one the API parses: none, `application/json` or
 * `application/*+json`, with an optional `charset=utf-8`. Any other charset is refused: the body
 * is decoded as UTF-8.
 */
export function checkContentType(header: string): Parsed<null> {
  if (header === '') return { ok: true, value: null };
  const [base = '', ...params] = header.split(';');
  const type = base.trim().toLowerCase();
  const json =
    type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
  const charset = params
    .map((p) => p.trim().toLowerCase())
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replaceAll('"', '');
  if (json && (charset === undefined || charset === 'utf-8' || charset === 'utf8'))
    return { ok: true, value: null };
  return fail(
    'unsupported_media_type',
    'content-type',
    `content-type: ${JSON.stringify(cut(header, ECHO))} is not supported; send application/json (UTF-8)`,
  );
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a JSON body: refuses bytes that are not UTF-8 (a lenient decode would turn them into
 * U+FFFD and store something the client never sent), text that is not JSON, and JSON nested
 * deeper than `LIMITS.jsonDepth` (loggers and `structuredClone` recurse on it). An empty body is
 * undefined.
 */
export function decodeJson(body: Buffer | undefined): Parsed<unknown> {
  if (body === undefined || body.length === 0) return { ok: true, value: undefined };
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return fail('invalid_json', '(body)', 'body is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return fail('invalid_json', '(body)', (err as Error).message);
  }
  if (nestsDeeperThan(value, LIMITS.jsonDepth))
    return fail(
      'invalid_json',
      '(body)',
      `JSON nests deeper than ${String(LIMITS.jsonDepth)} levels`,
    );
  return { ok: true, value };
}

function fail(
  error: InputError['error'],
  field: string,
  message: string,
): { ok: false; error: InputError } {
  return { ok: false, error: { error, field, message } };
}
