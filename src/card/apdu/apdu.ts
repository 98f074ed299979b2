import { CardError } from "../card-error.js";

/** A parsed command APDU (ISO 7816-4, short or extended length). */
export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  /** Command data (empty when there is no Lc field). */
  data: Uint8Array;
  /** Expected response length Ne (256 for a short `00`, 65536 for an extended `0000`), or undefined without Le. */
  ne: number | undefined;
}

/** Thrown by `parseCommandApdu` for a byte string that is not a well-formed APDU. */
export class MalformedApduError extends Error {}

/** Parses the four ISO 7816-4 cases, short and extended. */
export function parseCommandApdu(bytes: Uint8Array): CommandApdu {
  if (bytes.length < 4) throw new MalformedApduError("APDU shorter than 4 bytes");
  const [cla, ins, p1, p2] = [bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!];
  const body = bytes.subarray(4);
  const empty = new Uint8Array(0);
  if (body.length === 0) return { cla, ins, p1, p2, data: empty, ne: undefined };
  if (body.length === 1) return { cla, ins, p1, p2, data: empty, ne: body[0] === 0 ? 256 : body[0]! };
  if (body[0] !== 0) {
    const lc = body[0]!;
    if (body.length === 1 + lc) return { cla, ins, p1, p2, data: body.slice(1), ne: undefined };
    if (body.length === 2 + lc) {
      const le = body[1 + lc]!;
      return { cla, ins, p1, p2, data: body.slice(1, 1 + lc), ne: le === 0 ? 256 : le };
    }
    throw new MalformedApduError("Lc does not match the APDU length");
  }
  // Extended length: 00 followed by two bytes.
  if (body.length === 3) {
    const le = (body[1]! << 8) | body[2]!;
    return { cla, ins, p1, p2, data: empty, ne: le === 0 ? 65536 : le };
  }
  if (body.length < 3) throw new MalformedApduError("truncated extended length");
  const lc = (body[1]! << 8) | body[2]!;
  if (lc === 0) throw new MalformedApduError("extended Lc of zero");
  if (body.length === 3 + lc) return { cla, ins, p1, p2, data: body.slice(3), ne: undefined };
  if (body.length === 5 + lc) {
    const le = (body[3 + lc]! << 8) | body[4 + lc]!;
    return { cla, ins, p1, p2, data: body.slice(3, 3 + lc), ne: le === 0 ? 65536 : le };
  }
  throw new MalformedApduError("extended Lc does not match the APDU length");
}

/** Builds a short APDU (data up to 255 bytes, Ne up to 256; `ne: 256` is encoded as `00`). */
export function buildCommandApdu(
  cla: number,
  ins: number,
  p1: number,
  p2: number,
  data?: Uint8Array,
  ne?: number,
): Uint8Array {
  const parts: number[] = [cla, ins, p1, p2];
  if (data !== undefined && data.length > 0) {
    if (data.length > 255) throw new CardError("CARD_BAD_ARGUMENT", "command data longer than 255 bytes");
    parts.push(data.length, ...data);
  }
  if (ne !== undefined) {
    if (ne < 1 || ne > 256) throw new CardError("CARD_BAD_ARGUMENT", `Ne ${ne} out of the short range 1..256`);
    parts.push(ne === 256 ? 0 : ne);
  }
  return Uint8Array.from(parts);
}

/** A response APDU split into data and status word. */
export interface ResponseApdu {
  data: Uint8Array;
  sw: number;
}

/** Splits a response into data and the trailing SW1 SW2. */
export function splitResponse(response: Uint8Array): ResponseApdu {
  if (response.length < 2) {
    throw new CardError("CARD_BAD_RESPONSE", `response of ${response.length} bytes has no status word`);
  }
  const n = response.length;
  return { data: response.slice(0, n - 2), sw: (response[n - 2]! << 8) | response[n - 1]! };
}
