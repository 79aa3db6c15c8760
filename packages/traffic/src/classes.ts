/** Easy bot patterns: each has a signature one post-click rule (or a pre-bid check) sees alone. */
export const BotPattern = {
  datacentre: 'datacentre',
  declaredBot: 'declared_bot',
  injection: 'injection',
  ipBurst: 'ip_burst',
  subnetBurst: 'subnet_burst',
  cookieStuffing: 'cookie_stuffing',
  clickFarm: 'click_farm',
  noImpression: 'no_impression',
} as const;
export type BotPattern = (typeof BotPattern)[keyof typeof BotPattern];
/** The easy, separable-by-construction patterns (the default mix of tests and the load test). */
export const BOT_PATTERNS: readonly BotPattern[] = Object.values(BotPattern);

/**
 * Hard bot classes (opt-in through `bots`): sophisticated invalid traffic built to look like people
 * on the signals a bid request and a click carry (`hard.ts` describes each).
 */
export const HardBotPattern = {
  residentialProxy: 'residential_proxy',
  lowAndSlow: 'low_and_slow',
  deviceStuffing: 'device_stuffing',
  delayedInjection: 'delayed_injection',
} as const;
export type HardBotPattern = (typeof HardBotPattern)[keyof typeof HardBotPattern];
export const HARD_BOT_PATTERNS: readonly HardBotPattern[] = Object.values(HardBotPattern);

/** Every bot class the generator knows: the easy patterns, then the hard ones. */
export type BotClass = BotPattern | HardBotPattern;
export const ALL_BOT_CLASSES: readonly BotClass[] = [...BOT_PATTERNS, ...HARD_BOT_PATTERNS];

/** `human` or the bot class that produced the event. */
export type TrafficLabel = 'human' | BotClass;

/** Someone (or something) a page is shown to. */
export interface Visitor {
  userId: string;
  ip: string;
  ua: string;
  country: string;
  deviceType: number;
}

export interface Site {
  domain: string;
  publisherId: string;
  placements: string[];
}
