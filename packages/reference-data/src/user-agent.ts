import { isbot } from 'isbot';

/**
 * The project's own rules for declared bots, headless browsers, HTTP libraries and scrapers
 * (general invalid traffic), on top of `isbot`'s maintained list: some of these (`Java/`,
 * `okhttp`, automation frameworks) are clients a crawler list does not name. Regular expression
 * sources, matched case-insensitively. The built-in version: a version published to the
 * `reference-bots` topic replaces it.
 */
export const PROJECT_BOT_PATTERNS: readonly string[] = [
  'bot\\b',
  'bot\\/',
  'crawl',
  'spider',
  'slurp',
  'headless',
  'python',
  'curl\\/',
  'wget',
  'go-http',
  'java\\/',
  'scrapy',
  'httpclient',
  'okhttp',
  'libwww',
  'phantomjs',
  'selenium',
  'puppeteer',
  'playwright',
];

/** A regular expression that never matches (an empty list of rules). */
const NEVER = /(?!)/;

/**
 * One case-insensitive expression of a list of patterns (each a regular expression source);
 * throws a `SyntaxError` naming the pattern when one does not compile.
 */
export function compileBotRules(patterns: readonly string[]): RegExp {
  if (patterns.length === 0) return NEVER;
  for (const p of patterns) {
    try {
      new RegExp(p, 'i');
    } catch (err) {
      throw new SyntaxError(`bot pattern ${JSON.stringify(p)}: ${(err as Error).message}`);
    }
  }
  return new RegExp(patterns.map((p) => `(?:${p})`).join('|'), 'i');
}

/** {@link PROJECT_BOT_PATTERNS} as one expression. */
export const PROJECT_BOT_UA: RegExp = compileBotRules(PROJECT_BOT_PATTERNS);

/** What a user agent says about its client. */
export const UserAgentClass = {
  /** No user agent, or only white space. */
  missing: 'missing',
  /** A declared bot or crawler, or a non-browser client the bot rules name. */
  bot: 'bot',
  /** Not a bot by the rules, but not a browser either (no `Mozilla/` or `Opera/` product token). */
  nonBrowser: 'non_browser',
  browser: 'browser',
} as const;
export type UserAgentClass = (typeof UserAgentClass)[keyof typeof UserAgentClass];

/** Every browser of the last fifteen years opens its user agent with one of these tokens. */
function browserToken(ua: string, from: number): boolean {
  return ua.startsWith('Mozilla/', from) || ua.startsWith('Opera/', from);
}

/**
 * Classifies a user agent: `isbot` (declared bots and crawlers) or the project's `rules` (by
 * default {@link PROJECT_BOT_UA}; a reference-data version in force replaces them) → bot;
 * otherwise a browser when it opens with a browser product token, else a non-browser client. The
 * one rule the bidder (before the bid) and the fraud scorer (after the click) both apply.
 */
export function classifyUserAgent(
  ua: string | undefined,
  rules: RegExp = PROJECT_BOT_UA,
): UserAgentClass {
  if (ua === undefined) return UserAgentClass.missing;
  let from = 0;
  while (from < ua.length && ua.charCodeAt(from) <= 32) from++;
  if (from === ua.length) return UserAgentClass.missing;
  if (rules.test(ua) || isbot(ua)) return UserAgentClass.bot;
  return browserToken(ua, from) ? UserAgentClass.browser : UserAgentClass.nonBrowser;
}

/** A user agent that is missing or names a crawler or a non-browser client the bot rules know. */
export function isBotUserAgent(ua: string | undefined, rules: RegExp = PROJECT_BOT_UA): boolean {
  const c = classifyUserAgent(ua, rules);
  return c === UserAgentClass.missing || c === UserAgentClass.bot;
}

/** Longer agents are classified every time: real ones are 100–300 characters, and the memo stays small. */
const MAX_MEMO_UA = 512;

/**
 * {@link classifyUserAgent} memoised: agents repeat heavily, and a Map probe (~0.1 µs) is far
 * cheaper than the bot patterns (1.5–3 µs). Bounded: at most `maxEntries` agents of at most 512
 * characters (~10 MB), cleared when full. The rules are fixed for the classifier's life: new
 * rules get a new classifier (and an empty memo).
 */
export class UserAgentClassifier {
  private readonly cache = new Map<string, UserAgentClass>();
  constructor(
    private readonly maxEntries = 10_000,
    /** The project's bot rules. @default PROJECT_BOT_UA */
    readonly rules: RegExp = PROJECT_BOT_UA,
  ) {}

  classify(ua: string | undefined): UserAgentClass {
    if (ua === undefined) return UserAgentClass.missing;
    if (ua.length > MAX_MEMO_UA) return classifyUserAgent(ua, this.rules);
    let c = this.cache.get(ua);
    if (c === undefined) {
      c = classifyUserAgent(ua, this.rules);
      if (this.cache.size >= this.maxEntries) this.cache.clear();
      this.cache.set(ua, c);
    }
    return c;
  }
}
