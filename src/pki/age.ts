import { PkiError } from "./pki-error.js";

const JST_OFFSET_MS = 9 * 3600 * 1000;

/**
 * Age in completed years on the instant `at`, counted in Japan Standard Time (UTC+9, no daylight saving).
 *
 * Japanese law (the Age Calculation Act with Civil Code art. 143) makes a person one year older at the end of the
 * day before the birthday; on any calendar day that gives the usual count. A person born on 29 February therefore
 * reaches the next age at the end of 28 February: on 29 February in leap years and on **1 March in common years**
 * (the age is unchanged all through 28 February). This function implements exactly that.
 */
export function ageOn(dateOfBirthIso: string, at: Date): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateOfBirthIso);
  if (!m) throw new PkiError("PKI_BAD_ARGUMENT", `date of birth "${dateOfBirthIso}" is not yyyy-mm-dd`);
  const by = Number(m[1]);
  const bm = Number(m[2]);
  const bd = Number(m[3]);
  const check = new Date(Date.UTC(by, bm - 1, bd));
  if (check.getUTCFullYear() !== by || check.getUTCMonth() !== bm - 1 || check.getUTCDate() !== bd) {
    throw new PkiError("PKI_BAD_ARGUMENT", `date of birth "${dateOfBirthIso}" is not a real date`);
  }
  if (Number.isNaN(at.getTime())) throw new PkiError("PKI_BAD_ARGUMENT", "invalid date");
  const jst = new Date(at.getTime() + JST_OFFSET_MS);
  const y = jst.getUTCFullYear();
  const mo = jst.getUTCMonth() + 1;
  const d = jst.getUTCDate();
  // Comparing (month, day) pairs gives the legal rule, including 29 February in common years (28 Feb < 29 Feb).
  const beforeBirthday = mo < bm || (mo === bm && d < bd);
  return y - by - (beforeBirthday ? 1 : 0);
}
