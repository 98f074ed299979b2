import { TAG, children, ctx, decodeOid, decodeString, readOnly, readTlv } from "./der.js";
import type { JpkiCertificate } from "./certificate.js";
import { OID } from "./oids.js";
import { PkiError } from "./pki-error.js";

/** Japanese era of a JPKI date of birth (`E` of `EYYYYMMDD`). */
export type JpkiEra = "明治" | "大正" | "昭和" | "平成" | "令和" | null;

/** The four basic attributes of a JPKI signing certificate. Personal data: never log or publish. */
export interface JpkiAttributes {
  /** Family and given name separated by a full-width space. */
  name: string;
  /** ISO `yyyy-mm-dd` (Gregorian), or null when the certificate's date is unknown or partial. */
  dateOfBirth: string | null;
  /** The era digit's meaning (null for `0` unknown). */
  era: JpkiEra;
  /** `male` (1), `female` (2), `unknown` (3 or anything else). */
  gender: "male" | "female" | "unknown";
  /** The raw gender code. */
  genderCode: string;
  /** The raw `EYYYYMMDD` value. */
  dateOfBirthRaw: string;
  address: string;
  /** One flag per name character: true when the character is a substitute (外字 replaced). */
  nameSubstitutes: boolean[];
  /** One flag per address character. */
  addressSubstitutes: boolean[];
  /** otherName entries with OIDs this toolkit does not know (newer fields), tolerated and kept raw. */
  unknown: { oid: string; value: string }[];
}

const ERAS: Record<string, JpkiEra> = { "0": null, "1": "明治", "2": "大正", "3": "昭和", "4": "平成", "5": "令和" };

/**
 * Reads the basic attributes from a signing certificate's subjectAltName otherNames. Only this function
 * reads them, so personal data is decoded only when a caller asks for it. Raises `PKI_BAD_ARGUMENT` for a
 * certificate that is not a signing certificate and `PKI_BAD_ATTRIBUTE` when an attribute is missing or malformed.
 */
export function readSigningAttributes(cert: JpkiCertificate): JpkiAttributes {
  if (cert.kind !== "sign" && cert.kind !== "sign-test") {
    throw new PkiError("PKI_BAD_ARGUMENT", `attributes exist only in signing certificates (this is "${cert.kind}")`);
  }
  const san = cert.extensions.find((e) => e.oid === OID.subjectAltName);
  if (!san) throw new PkiError("PKI_BAD_ATTRIBUTE", "the signing certificate has no subjectAltName");
  const values = new Map<string, string>();
  const unknown: { oid: string; value: string }[] = [];
  const buf = san.value;
  const names = readOnly(buf, "subjectAltName");
  if (names.tag !== TAG.SEQUENCE) throw new PkiError("PKI_MALFORMED", "subjectAltName must be a SEQUENCE");
  for (const gn of children(buf, names, "GeneralName")) {
    if (gn.tag !== ctx(0, true)) continue;
    const oidT = readTlv(buf, gn.valueStart, gn.end, "otherName");
    const wrap = readTlv(buf, oidT.end, gn.end, "otherName");
    if (oidT.tag !== TAG.OID || wrap.tag !== ctx(0, true) || wrap.end !== gn.end) {
      throw new PkiError("PKI_MALFORMED", "bad otherName");
    }
    const inner = readTlv(buf, wrap.valueStart, wrap.end, "otherName value");
    const oid = decodeOid(buf, oidT);
    let value: string;
    try {
      value = decodeString(buf, inner);
    } catch (cause) {
      throw new PkiError("PKI_BAD_ATTRIBUTE", `otherName ${oid} is not a string`, { cause });
    }
    if (oid.startsWith("1.2.392.200149.8.5.5.") && Number(oid.split(".").pop()) <= 6) {
      if (values.has(oid)) throw new PkiError("PKI_BAD_ATTRIBUTE", `attribute ${oid} appears twice`);
      values.set(oid, value);
    } else unknown.push({ oid, value });
  }
  const need = (oid: string, what: string): string => {
    const v = values.get(oid);
    if (v === undefined) throw new PkiError("PKI_BAD_ATTRIBUTE", `the ${what} attribute is missing`);
    return v;
  };
  const name = need(OID.attrName, "name");
  const dobRaw = need(OID.attrDateOfBirth, "date of birth");
  const genderCode = need(OID.attrGender, "gender");
  const address = need(OID.attrAddress, "address");
  const { era, iso } = parseJpkiDate(dobRaw);
  return {
    name,
    dateOfBirth: iso,
    era,
    gender: genderCode === "1" ? "male" : genderCode === "2" ? "female" : "unknown",
    genderCode,
    dateOfBirthRaw: dobRaw,
    address,
    nameSubstitutes: flags(values.get(OID.attrNameSubstitutes), [...name].length, "name"),
    addressSubstitutes: flags(values.get(OID.attrAddressSubstitutes), [...address].length, "address"),
    unknown,
  };
}

/** Decodes `EYYYYMMDD` (era digit then Gregorian digits). `iso` is null when the date is not a real date. */
export function parseJpkiDate(raw: string): { era: JpkiEra; iso: string | null } {
  const m = /^([0-5])(\d{4})(\d{2})(\d{2})$/.exec(raw);
  if (!m) throw new PkiError("PKI_BAD_ATTRIBUTE", "the date of birth is not in EYYYYMMDD form");
  const era = ERAS[m[1]!] ?? null;
  const y = Number(m[2]);
  const mo = Number(m[3]);
  const d = Number(m[4]);
  const t = new Date(Date.UTC(y, mo - 1, d));
  const real =
    y > 0 && mo >= 1 && mo <= 12 && t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
  return { era, iso: real ? `${m[2]}-${m[3]}-${m[4]}` : null };
}

function flags(raw: string | undefined, length: number, what: string): boolean[] {
  if (raw === undefined || raw === "") return new Array<boolean>(length).fill(false);
  if (!/^[01]*$/.test(raw)) throw new PkiError("PKI_BAD_ATTRIBUTE", `bad ${what} substitute-character flags`);
  return [...raw].map((c) => c === "1");
}
