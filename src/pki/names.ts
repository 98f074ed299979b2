import { TAG, children, decodeOid, decodeString, readTlv, type Tlv } from "./der.js";
import { DN_SHORT_NAMES } from "./oids.js";
import { PkiError } from "./pki-error.js";

/** One attribute of a distinguished name, in encoding order. */
export interface DnAttribute {
  /** Dotted OID of the attribute type. */
  type: string;
  /** Short name (`C`, `O`, `OU`, `CN`, `L`, `ST`) when known, else the OID. */
  name: string;
  value: string;
}

/** A distinguished name: ordered attributes and an RFC 4514-like one-line form in encoding order. */
export interface DistinguishedName {
  attributes: DnAttribute[];
  /** e.g. `C=JP, O=JPKI, OU=JPKI for user authentication, OU=Japan Agency for ...` */
  text: string;
}

/** Decodes a `Name` (SEQUENCE OF SET OF AttributeTypeAndValue). */
export function readName(buf: Uint8Array, name: Tlv): DistinguishedName {
  if (name.tag !== TAG.SEQUENCE) throw new PkiError("PKI_MALFORMED", "a Name must be a SEQUENCE");
  const attributes: DnAttribute[] = [];
  for (const rdn of children(buf, name, "Name")) {
    if (rdn.tag !== TAG.SET) throw new PkiError("PKI_MALFORMED", "a RelativeDistinguishedName must be a SET");
    for (const atv of children(buf, rdn, "Name")) {
      if (atv.tag !== TAG.SEQUENCE) throw new PkiError("PKI_MALFORMED", "bad AttributeTypeAndValue");
      const typeTlv = readTlv(buf, atv.valueStart, atv.end, "AttributeType");
      const valueTlv = readTlv(buf, typeTlv.end, atv.end, "AttributeValue");
      if (valueTlv.end !== atv.end) throw new PkiError("PKI_MALFORMED", "extra data in AttributeTypeAndValue");
      const type = decodeOid(buf, typeTlv);
      attributes.push({ type, name: DN_SHORT_NAMES[type] ?? type, value: decodeString(buf, valueTlv) });
    }
  }
  return { attributes, text: dnText(attributes) };
}

/** The one-line text form of ordered attributes. */
export function dnText(attributes: readonly DnAttribute[]): string {
  return attributes.map((a) => `${a.name}=${a.value.replace(/([,+\\])/g, "\\$1")}`).join(", ");
}

/** The values of every attribute with the given short name, in order. */
export function dnValues(dn: DistinguishedName, name: string): string[] {
  return dn.attributes.filter((a) => a.name === name).map((a) => a.value);
}
