/** What an IAB US Privacy string (`regs.us_privacy`, CCPA) says. */
export type UsPrivacy = 'opt_out' | 'no_opt_out' | 'malformed';

/*
 * US Privacy string v1, four characters: Version ('1') | Explicit notice | Opt-out of sale |
 * LSPA covered, each of the last three 'Y', 'N' or '-' (not applicable). "1---" means the law
 * does not apply.
 */
const US_PRIVACY = /^1[YN-][YN-][YN-]$/i;

/** Reads a US Privacy string: position 3 'Y' is an opt-out of sale. */
export function parseUsPrivacy(text: string): UsPrivacy {
  if (!US_PRIVACY.test(text)) return 'malformed';
  return text[2] === 'Y' || text[2] === 'y' ? 'opt_out' : 'no_opt_out';
}
