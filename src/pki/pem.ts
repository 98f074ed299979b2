import { PkiError } from "./pki-error.js";

/**
 * Turns DER bytes or PEM text (as a string or as bytes) into DER bytes. `label` is the PEM label expected
 * (e.g. `CERTIFICATE`, `X509 CRL`); DER input is returned unchanged.
 */
export function toDer(input: Uint8Array | string, label: string): Uint8Array {
  let text: string | undefined;
  if (typeof input === "string") text = input;
  else if (looksLikePem(input)) text = Buffer.from(input).toString("latin1");
  if (text === undefined) return input as Uint8Array;
  const re = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]*?)-----END ${label}-----`);
  const m = re.exec(text);
  if (!m) throw new PkiError("PKI_BAD_PEM", `no "${label}" PEM block found`);
  const b64 = m[1]!.replace(/\s+/g, "");
  if (b64.length === 0 || b64.length % 4 !== 0) throw new PkiError("PKI_BAD_PEM", `bad base64 in the ${label} PEM`);
  return new Uint8Array(Buffer.from(b64, "base64"));
}

/** Encodes DER as PEM text. */
export function toPem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der).toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

function looksLikePem(bytes: Uint8Array): boolean {
  let i = 0;
  while (
    i < bytes.length &&
    i < 64 &&
    (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)
  )
    i++;
  return bytes.length - i >= 11 && Buffer.from(bytes.subarray(i, i + 11)).toString("latin1") === "-----BEGIN ";
}
