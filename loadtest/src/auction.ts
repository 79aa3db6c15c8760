/**
 * The simulated exchange's auction for one impression: our bid against the best competing bid
 * (drawn from a log-normal CPM distribution) and the floor. Pure: the caller draws the random
 * numbers, so tests pin every outcome.
 *
 * Second price: the winner pays the larger of the runner-up's bid and the floor, plus one cent
 * (the usual increment of the exchanges that still run second price), never more than its own
 * bid. First price: the winner pays its bid. Ties go to the competitor (an exchange's bid that
 * arrived first). Prices are CPM in the request's currency (USD here).
 */

/** OpenRTB 2.6 loss reason codes (list 5.25) this exchange sends. */
export const LOSS_REASON = {
  /** Bid won. */
  won: 0,
  /** Invalid bid response (failed the response schema). */
  invalidResponse: 3,
  /** Bid was below the auction floor. */
  belowFloor: 100,
  /** Lost to a higher bid. */
  lostToHigherBid: 102,
  /** Creative filtered: advertiser exclusions (`adomain` in `badv`). */
  advertiserExclusions: 205,
} as const;
export type LossReason = (typeof LOSS_REASON)[keyof typeof LOSS_REASON];

/** How the exchange decides: a real auction, or the old fixed-share coin flip. */
export type AuctionType = 'second-price' | 'first-price' | 'random';

/** Competing-bid distribution: log-normal CPM with this median and sigma (of its logarithm). */
export interface CompetingBid {
  median: number;
  sigma: number;
}

/** The second-price increment (currency units CPM). */
export const SECOND_PRICE_INCREMENT = 0.01;

/** The outcome of one auction. */
export type AuctionOutcome =
  | { won: true; clearing: number }
  | {
      won: false;
      reason: LossReason;
      /** What the winner paid (`${AUCTION_PRICE}` of the loss notice); undefined: nobody won. */
      clearing: number | undefined;
      /** The lowest bid that would have won (`${AUCTION_MIN_TO_WIN}`). */
      minToWin: number;
    };

const cents = (v: number): number => Math.round(v * 100) / 100;

/**
 * Runs one auction. `competing` is the best other bid (CPM), `floor` the impression's floor in
 * the same currency (0: none).
 */
export function runAuction(
  type: 'second-price' | 'first-price',
  o: { price: number; floor: number; competing: number },
): AuctionOutcome {
  const { price, floor, competing } = o;
  const minToWin = cents(Math.max(floor, competing + SECOND_PRICE_INCREMENT));
  const secondPrice = (winner: number, runnerUp: number): number =>
    Math.min(winner, cents(Math.max(runnerUp, floor) + SECOND_PRICE_INCREMENT));
  const pay = (winner: number, runnerUp: number): number =>
    type === 'first-price' ? winner : secondPrice(winner, runnerUp);
  // Below the floor the competitor may still win the impression, at its own price.
  const otherWins = competing >= floor;
  // One micro of slack: a floor converted between currencies is rarely an exact binary number.
  if (price < floor - 1e-6)
    return {
      won: false,
      reason: LOSS_REASON.belowFloor,
      clearing: otherWins ? pay(competing, 0) : undefined,
      minToWin,
    };
  if (competing >= price)
    return {
      won: false,
      reason: LOSS_REASON.lostToHigherBid,
      clearing: pay(competing, price),
      minToWin,
    };
  return { won: true, clearing: pay(price, competing) };
}

/** A standard normal draw from two uniform draws in [0, 1) (Box–Muller). */
export function standardNormal(u1: number, u2: number): number {
  return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
}

/** The best competing bid: log-normal with `median` and `sigma`, from two uniform draws. */
export function competingBid(d: CompetingBid, u1: number, u2: number): number {
  return d.median * Math.exp(d.sigma * standardNormal(u1, u2));
}

/** What the exchange decides for one bid: a win at a clearing price, or a loss with its code. */
export type BidDecision = AuctionOutcome;

/**
 * Decides one bid of a response: a bid that failed the exchange's checks is rejected (an invalid
 * response: 3; an excluded advertiser: 205), the rest go to auction (`random`: a win with
 * probability `winRate` at 60–100 % of the bid, the old behaviour). `floor` is in the bid's
 * currency; `draw` gives uniform numbers in [0, 1).
 */
export function decideBid(
  o: {
    type: AuctionType;
    price: number;
    floor: number;
    failedChecks: readonly string[];
    competing: CompetingBid;
    winRate: number;
  },
  draw: () => number,
): BidDecision {
  const minToWin = o.price;
  if (o.failedChecks.includes('response_schema') || o.failedChecks.includes('bid_impid_in_request'))
    return { won: false, reason: LOSS_REASON.invalidResponse, clearing: undefined, minToWin };
  if (o.failedChecks.includes('adomain_not_in_badv'))
    return { won: false, reason: LOSS_REASON.advertiserExclusions, clearing: undefined, minToWin };
  if (o.type === 'random') {
    if (draw() >= o.winRate)
      return { won: false, reason: LOSS_REASON.lostToHigherBid, clearing: undefined, minToWin };
    return { won: true, clearing: Math.max(0.000001, o.price * (0.6 + 0.4 * draw())) };
  }
  const competing = competingBid(o.competing, draw(), draw());
  return runAuction(o.type, { price: o.price, floor: o.floor, competing });
}
