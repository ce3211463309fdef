import { integerBetween, type Random } from '../random/random.js';
import { gs1CheckDigit, hasValidGs1CheckDigit } from './gs1-check-digit.js';

/**
 * The identity of a trial kit or blister pack as a GS1 element string, the `kit` field of a `pack_loaded`
 * dose event (spec section 2): GTIN (AI 01), expiry date (AI 17), batch/lot (AI 10) and serial (AI 21).
 *
 * Spec ambiguity: the spec says "GS1 element string" without naming a syntax. We write the human-readable
 * interpretation with the AIs in parentheses, `(01)…(17)…(10)…(21)…` (GS1 General Specifications section
 * 4.15), since a text field has no FNC1 and the parentheses delimit the variable-length lot and serial
 * unambiguously. Fixed-length fields come first, as GS1 recommends. `parseGs1KitId` reads that form back.
 */
export interface Gs1KitId {
  /** 14 digits, the last one the GS1 check digit. */
  readonly gtin: string;
  /** YYMMDD (AI 17). */
  readonly expiry: string;
  /** Batch or lot, 1-20 characters of GS1 character set 82 (AI 10). */
  readonly lot: string;
  /** Serial, 1-20 characters of GS1 character set 82 (AI 21). */
  readonly serial: string;
}

/** GS1's own example company prefix (used throughout the GS1 documentation), so no real product is named. */
export const EXAMPLE_COMPANY_PREFIX = '0614141';

/** The subset of GS1 character set 82 the simulator draws from (upper-case letters and digits). */
const SERIAL_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';

/** Formats as `(01)<gtin>(17)<expiry>(10)<lot>(21)<serial>`. */
export function formatGs1KitId(kit: Gs1KitId): string {
  return `(01)${kit.gtin}(17)${kit.expiry}(10)${kit.lot}(21)${kit.serial}`;
}

/** A GTIN-14 with indicator digit, company prefix and item reference, and its check digit. */
export function createGtin14(indicator: number, companyPrefix: string, itemReference: string): string {
  const body = `${indicator}${companyPrefix}${itemReference}`;
  if (body.length !== 13 || !/^[0-9]+$/.test(body)) {
    throw new RangeError('indicator, company prefix and item reference must make 13 digits');
  }
  return `${body}${gs1CheckDigit(body)}`;
}

/** A random kit of one trial product: the product's GTIN is fixed, lot, serial and expiry vary. */
export function createKitId(random: Random, loadedAtMs: number, itemReference = '10001'): Gs1KitId {
  const gtin = createGtin14(0, EXAMPLE_COMPANY_PREFIX, itemReference);
  let serial = '';
  for (let i = 0; i < 10; i++) serial += SERIAL_ALPHABET[integerBetween(random, 0, SERIAL_ALPHABET.length - 1)];
  const lot = `L${integerBetween(random, 2400, 2699)}${String.fromCharCode(65 + integerBetween(random, 0, 5))}`;
  // Trial supplies expire 12-24 months after they reach the site; the day is always a real date.
  const expiry = new Date(loadedAtMs);
  expiry.setUTCMonth(expiry.getUTCMonth() + integerBetween(random, 12, 24), integerBetween(random, 1, 28));
  const yymmdd =
    String(expiry.getUTCFullYear() % 100).padStart(2, '0') +
    String(expiry.getUTCMonth() + 1).padStart(2, '0') +
    String(expiry.getUTCDate()).padStart(2, '0');
  return { gtin, expiry: yymmdd, lot, serial };
}

const KIT_ID_PATTERN =
  /^\(01\)([0-9]{14})\(17\)([0-9]{2})(0[1-9]|1[0-2])([0-2][0-9]|3[01])\(10\)([!-~]{1,20}?)\(21\)([!-~]{1,20})$/;

/**
 * Reads back what `formatGs1KitId` writes, checking the GTIN check digit, the date and the field lengths;
 * undefined for anything else. (Text here is our own output, not attacker-controlled; the gateway does not
 * interpret `kit`.)
 */
export function parseGs1KitId(text: string): Gs1KitId | undefined {
  const match = KIT_ID_PATTERN.exec(text);
  if (match === null) return undefined;
  const [, gtin, yy, mm, dd, lot, serial] = match;
  if (gtin === undefined || yy === undefined || mm === undefined || dd === undefined) return undefined;
  if (lot === undefined || serial === undefined || lot.includes('(') || serial.includes('(')) return undefined;
  if (!hasValidGs1CheckDigit(gtin)) return undefined;
  return { gtin, expiry: `${yy}${mm}${dd}`, lot, serial };
}
