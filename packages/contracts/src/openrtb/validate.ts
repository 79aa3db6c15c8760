/**
 * Hot-path OpenRTB request validation: a hand-written validator that implements the contract
 * in `schema.ts` (same read/tolerated field policy) several times faster than zod's safeParse.
 * `validate.test.ts` checks the two agree on fixtures and on mutated requests.
 */
import type { BidRequest } from './types.js';
import { bidRequestSchema } from './schema.js';

/** Outcome of parsing or validating a bid request. `field` names the offending path, e.g. `imp[2].id`. */
export type BidRequestResult =
  { ok: true; value: BidRequest } | { ok: false; error: string; field?: string };

type Obj = Record<string, unknown>;
interface Issue {
  path: string;
  expected: string;
}
type Check = (o: Obj) => Issue | undefined;

const STR = 'a string';
const NUM = 'a number';
const STRS = 'an array of strings';
const NUMS = 'an array of numbers';
const OBJ = 'an object';
const ARR = 'an array';
const NON_EMPTY = 'a non-empty string';

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function isStrArr(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return false;
  return true;
}

function isNumArr(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'number') return false;
  return true;
}

function issue(path: string, expected: string): Issue {
  return { path, expected };
}

function within(prefix: string, found: Issue): Issue {
  found.path = prefix + found.path;
  return found;
}

// "r*" checks return an Issue unless the read field is absent or well-typed. "t*" fixes delete a
// tolerated field of the wrong type so the result conforms to BidRequest (only on bad input).
function rStr(o: Obj, k: string): Issue | undefined {
  const v = o[k];
  return v === undefined || typeof v === 'string' ? undefined : issue(k, STR);
}
function rNum(o: Obj, k: string): Issue | undefined {
  const v = o[k];
  return v === undefined || typeof v === 'number' ? undefined : issue(k, NUM);
}
/** A required non-empty string (`id` fields). */
const rId = (o: Obj, k: string): Issue | undefined => {
  const v = o[k];
  return typeof v === 'string' && v.length > 0 ? undefined : issue(k, NON_EMPTY);
};

/** A read scalar array: absent, or an array whose every element has type `t`; names the bad element. */
function rArr(o: Obj, k: string, t: 'string' | 'number'): Issue | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) return issue(k, t === 'string' ? STRS : NUMS);
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== t) return issue(`${k}[${String(i)}]`, t === 'string' ? STR : NUM);
  }
  return undefined;
}
const rStrs = (o: Obj, k: string): Issue | undefined => rArr(o, k, 'string');
const rNums = (o: Obj, k: string): Issue | undefined => rArr(o, k, 'number');

/** Deletes (not `= undefined`) so `'k' in o` stays false, as exactOptionalPropertyTypes promises. */
function drop(o: Obj, k: string): void {
  Reflect.deleteProperty(o, k);
}

function tStr(o: Obj, k: string): void {
  const v = o[k];
  if (v !== undefined && typeof v !== 'string') drop(o, k);
}
function tNum(o: Obj, k: string): void {
  const v = o[k];
  if (v !== undefined && typeof v !== 'number') drop(o, k);
}
function tStrs(o: Obj, k: string): void {
  const v = o[k];
  if (v !== undefined && !isStrArr(v)) drop(o, k);
}
function tNums(o: Obj, k: string): void {
  const v = o[k];
  if (v !== undefined && !isNumArr(v)) drop(o, k);
}
function tExt(o: Obj): void {
  const v = o['ext'];
  if (v !== undefined && !isObj(v)) drop(o, 'ext');
}

/** A read object field: must be an object whose own check passes. */
function rObj(o: Obj, k: string, check: Check): Issue | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (!isObj(v)) return issue(k, OBJ);
  const found = check(v);
  return found && within(k + '.', found);
}

/** A read array of objects: every element must be an object whose own check passes. */
function rObjArr(o: Obj, k: string, check: Check): Issue | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) return issue(k, ARR);
  for (let i = 0; i < v.length; i++) {
    const e: unknown = v[i];
    if (!isObj(e)) return issue(`${k}[${String(i)}]`, OBJ);
    const found = check(e);
    if (found) return within(`${k}[${String(i)}].`, found);
  }
  return undefined;
}

/** A tolerated object field: dropped if not an object; its contents are all tolerated. */
function tObj(o: Obj, k: string, fix: (o: Obj) => void): void {
  const v = o[k];
  if (v === undefined) return;
  if (isObj(v)) fix(v);
  else drop(o, k);
}

/** A tolerated array of objects: dropped whole if any element is not an object or fails its check. */
function tObjArr(o: Obj, k: string, check: Check): void {
  const v = o[k];
  if (v === undefined) return;
  if (!Array.isArray(v)) {
    drop(o, k);
    return;
  }
  for (let i = 0; i < v.length; i++) {
    const e: unknown = v[i];
    if (!isObj(e) || check(e) !== undefined) {
      drop(o, k);
      return;
    }
  }
}

function checkFormat(o: Obj): Issue | undefined {
  const found = rNum(o, 'w') ?? rNum(o, 'h');
  if (found) return found;
  tNum(o, 'wratio');
  tNum(o, 'hratio');
  tNum(o, 'wmin');
  tExt(o);
  return undefined;
}

function checkBanner(o: Obj): Issue | undefined {
  const found = rNum(o, 'w') ?? rNum(o, 'h') ?? rObjArr(o, 'format', checkFormat);
  if (found) return found;
  tNums(o, 'battr');
  tNum(o, 'pos');
  tNums(o, 'btype');
  tStrs(o, 'mimes');
  tNums(o, 'api');
  tStr(o, 'id');
  tExt(o);
  return undefined;
}

function checkVideo(o: Obj): Issue | undefined {
  const found =
    rStrs(o, 'mimes') ??
    rNum(o, 'minduration') ??
    rNum(o, 'maxduration') ??
    rNum(o, 'w') ??
    rNum(o, 'h') ??
    rNum(o, 'plcmt');
  if (found) return found;
  tNums(o, 'protocols');
  tNum(o, 'placement');
  tNum(o, 'startdelay');
  tNum(o, 'linearity');
  tNum(o, 'skip');
  tNums(o, 'battr');
  tNums(o, 'api');
  tNum(o, 'pos');
  tExt(o);
  return undefined;
}

function checkAudio(o: Obj): Issue | undefined {
  const found = rStrs(o, 'mimes') ?? rNum(o, 'minduration') ?? rNum(o, 'maxduration');
  if (found) return found;
  tNums(o, 'protocols');
  tNum(o, 'startdelay');
  tNums(o, 'battr');
  tNums(o, 'api');
  tExt(o);
  return undefined;
}

function checkNative(o: Obj): Issue | undefined {
  const found = rStr(o, 'request');
  if (found) return found;
  tStr(o, 'ver');
  tNums(o, 'api');
  tNums(o, 'battr');
  tExt(o);
  return undefined;
}

function checkDeal(o: Obj): Issue | undefined {
  const found =
    rId(o, 'id') ??
    rNum(o, 'bidfloor') ??
    rStr(o, 'bidfloorcur') ??
    rNum(o, 'at') ??
    rStrs(o, 'wseat') ??
    rStrs(o, 'wadomain');
  if (found) return found;
  tExt(o);
  return undefined;
}

function checkPmp(o: Obj): Issue | undefined {
  const found = rNum(o, 'private_auction') ?? rObjArr(o, 'deals', checkDeal);
  if (found) return found;
  tExt(o);
  return undefined;
}

function checkImp(o: Obj): Issue | undefined {
  const found =
    rId(o, 'id') ??
    rObj(o, 'banner', checkBanner) ??
    rObj(o, 'video', checkVideo) ??
    rObj(o, 'audio', checkAudio) ??
    rObj(o, 'native', checkNative) ??
    rObj(o, 'pmp', checkPmp) ??
    rNum(o, 'bidfloor') ??
    rStr(o, 'bidfloorcur') ??
    rStr(o, 'tagid') ??
    rNum(o, 'secure');
  if (found) return found;
  tNum(o, 'instl');
  tStr(o, 'displaymanager');
  tNum(o, 'exp');
  tExt(o);
  return undefined;
}

function checkPublisher(o: Obj): Issue | undefined {
  const found = rStr(o, 'id');
  if (found) return found;
  tStr(o, 'name');
  tStr(o, 'domain');
  tStrs(o, 'cat');
  tExt(o);
  return undefined;
}

function checkSite(o: Obj): Issue | undefined {
  const found =
    rStr(o, 'id') ??
    rStr(o, 'domain') ??
    rStr(o, 'page') ??
    rStrs(o, 'cat') ??
    rObj(o, 'publisher', checkPublisher);
  if (found) return found;
  tStr(o, 'name');
  tStr(o, 'ref');
  tStrs(o, 'sectioncat');
  tStrs(o, 'pagecat');
  tStr(o, 'keywords');
  tExt(o);
  return undefined;
}

function checkApp(o: Obj): Issue | undefined {
  const found =
    rStr(o, 'id') ??
    rStr(o, 'bundle') ??
    rStr(o, 'domain') ??
    rStrs(o, 'cat') ??
    rObj(o, 'publisher', checkPublisher);
  if (found) return found;
  tStr(o, 'name');
  tStr(o, 'storeurl');
  tStr(o, 'ver');
  tExt(o);
  return undefined;
}

function checkDooh(o: Obj): Issue | undefined {
  const found = rStr(o, 'id') ?? rObj(o, 'publisher', checkPublisher);
  if (found) return found;
  tStr(o, 'name');
  tStrs(o, 'venuetype');
  tNum(o, 'venuetypetax');
  tStr(o, 'domain');
  tExt(o);
  return undefined;
}

function fixGeo(o: Obj): void {
  tStr(o, 'country');
  tStr(o, 'region');
  tStr(o, 'city');
  tStr(o, 'zip');
  tNum(o, 'lat');
  tNum(o, 'lon');
  tNum(o, 'type');
  tNum(o, 'utcoffset');
  tExt(o);
}

function checkDevice(o: Obj): Issue | undefined {
  const found = rStr(o, 'ua') ?? rStr(o, 'ip') ?? rStr(o, 'ipv6') ?? rNum(o, 'devicetype');
  if (found) return found;
  tObj(o, 'geo', fixGeo);
  tStr(o, 'os');
  tStr(o, 'osv');
  tStr(o, 'make');
  tStr(o, 'model');
  tStr(o, 'language');
  tNum(o, 'dnt');
  tNum(o, 'lmt');
  tStr(o, 'ifa');
  tExt(o);
  return undefined;
}

function checkSegment(o: Obj): undefined {
  tStr(o, 'id');
  tStr(o, 'name');
  tStr(o, 'value');
  tExt(o);
  return undefined;
}

function checkData(o: Obj): undefined {
  tStr(o, 'id');
  tStr(o, 'name');
  tObjArr(o, 'segment', checkSegment);
  tExt(o);
  return undefined;
}

function checkUser(o: Obj): Issue | undefined {
  const found = rStr(o, 'id') ?? rStr(o, 'buyeruid') ?? rStr(o, 'consent');
  if (found) return found;
  tNum(o, 'yob');
  tStr(o, 'gender');
  tStr(o, 'keywords');
  tObj(o, 'geo', fixGeo);
  tObjArr(o, 'data', checkData);
  tExt(o);
  return undefined;
}

function checkRegs(o: Obj): Issue | undefined {
  const found =
    rNum(o, 'coppa') ??
    rNum(o, 'gdpr') ??
    rStr(o, 'us_privacy') ??
    rStr(o, 'gpp') ??
    rNums(o, 'gpp_sid');
  if (found) return found;
  tExt(o);
  return undefined;
}

/** A supply-chain node is all-or-nothing: any failure drops the whole `nodes` array. */
function checkSchainNode(o: Obj): Issue | undefined {
  if (typeof o['asi'] !== 'string') return issue('asi', STR);
  if (typeof o['sid'] !== 'string') return issue('sid', STR);
  if (typeof o['hp'] !== 'number') return issue('hp', NUM);
  const found = rStr(o, 'rid') ?? rStr(o, 'name') ?? rStr(o, 'domain');
  if (found) return found;
  tExt(o);
  return undefined;
}

function fixSchain(o: Obj): void {
  tNum(o, 'complete');
  tObjArr(o, 'nodes', checkSchainNode);
  tStr(o, 'ver');
  tExt(o);
}

function fixSource(o: Obj): void {
  tNum(o, 'fd');
  tStr(o, 'tid');
  tStr(o, 'pchain');
  tObj(o, 'schain', fixSchain);
  tExt(o);
}

function checkRequest(o: Obj): Issue | undefined {
  const found = rId(o, 'id');
  if (found) return found;
  const imp = o['imp'];
  if (!Array.isArray(imp) || imp.length === 0) return issue('imp', 'a non-empty array');
  const next =
    rObjArr(o, 'imp', checkImp) ??
    rObj(o, 'site', checkSite) ??
    rObj(o, 'app', checkApp) ??
    rObj(o, 'dooh', checkDooh) ??
    rObj(o, 'device', checkDevice) ??
    rObj(o, 'user', checkUser) ??
    rNum(o, 'test') ??
    rNum(o, 'at') ??
    rNum(o, 'tmax') ??
    rStrs(o, 'wseat') ??
    rStrs(o, 'bseat') ??
    rStrs(o, 'cur') ??
    rStrs(o, 'bcat') ??
    rStrs(o, 'badv') ??
    rStrs(o, 'bapp') ??
    rObj(o, 'regs', checkRegs);
  if (next) return next;
  tObj(o, 'source', fixSource);
  tExt(o);
  return undefined;
}

const NOT_OBJECT = 'request body must be a JSON object';

/**
 * Validates an already-parsed request against the contract in `schema.ts`.
 * Works in place: tolerated fields with a wrong type are deleted so the value conforms to
 * {@link BidRequest}; unknown fields are kept. Never throws on JSON-parsed input.
 */
export function validateBidRequest(value: unknown): BidRequestResult {
  if (!isObj(value)) return { ok: false, error: NOT_OBJECT };
  const found = checkRequest(value);
  if (found)
    return { ok: false, error: `${found.path} must be ${found.expected}`, field: found.path };
  // Safe: checkRequest verified every typed field of BidRequest or deleted it.
  return { ok: true, value: value as unknown as BidRequest };
}

/** `imp[2].id` from zod's `['imp', 2, 'id']`. */
function pathToField(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${String(p)}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

/**
 * The same validation through the zod contract (`bidRequestSchema.safeParse`); returns a copy.
 * Slower than {@link validateBidRequest}; kept for tests, tooling and benchmarks.
 */
export function validateBidRequestWithZod(value: unknown): BidRequestResult {
  if (!isObj(value)) return { ok: false, error: NOT_OBJECT };
  const r = bidRequestSchema.safeParse(value);
  // zod's output type has index signatures and `| undefined` optionals; the shapes match BidRequest.
  if (r.success) return { ok: true, value: r.data as unknown as BidRequest };
  const first = r.error.issues[0];
  if (first === undefined || first.path.length === 0) return { ok: false, error: NOT_OBJECT };
  const field = pathToField(first.path);
  return { ok: false, error: `${field}: ${first.message}`, field };
}

/**
 * Parses and validates a bid request body (the hot path). Unknown fields are ignored; tolerated
 * fields with a wrong type are dropped; a wrong type on a field the bidder reads is an error.
 */
export function parseBidRequest(body: string): BidRequestResult {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, error: 'malformed JSON' };
  }
  return validateBidRequest(value);
}
