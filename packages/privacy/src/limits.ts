import { LIMITS } from '@streambid/contracts';

/**
 * Longest consent string (TCF, GPP, US privacy) that is parsed; a longer one is treated as
 * malformed without being looked at. The edge refuses the same length (`LIMITS.consent`).
 */
export const MAX_CONSENT_LENGTH = LIMITS.consent;

/**
 * Most vendor ids the range entries of one TCF string may expand to (consents, legitimate
 * interests, disclosed and allowed vendors together). `@iabtcf/core` sets every id of a range one
 * by one, so a 600-character string of overlapping 1–65535 ranges cost 320 ms here and an 8 KiB one
 * 4 s. An honest string covers each vendor at most once per vector: 16,384 leaves four vectors
 * of 4,096 vendors, several times today's Global Vendor List, and costs ~1.5 ms of CPU at most.
 */
export const MAX_TCF_RANGE_IDS = 16_384;

/**
 * Largest GPP section id accepted in a GPP header (the highest assigned today is 27, `usri`).
 * The header lists ids as Fibonacci-coded ranges that `@iabgpp/cmpapi` expands into an array: an
 * 11-character header costs 0.8 s and a slightly longer one exhausts the heap, so this package
 * decodes the header itself (`guardGppHeader`) and hands the library single sections only.
 */
export const MAX_GPP_SECTION_ID = 64;

/** Most section ids a GPP header may list. */
export const MAX_GPP_SECTIONS = 32;

/** Parsed strings kept per kind (TCF, GPP): the same few strings repeat across requests. */
export const DEFAULT_CACHE_SIZE = 1024;
