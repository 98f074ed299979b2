/**
 * A renewed card for a dev-pki holder: the same person (the same signing-certificate attributes, so the same person
 * tag for an operator) on a new card, i.e. new key pairs and new serials, both certificates issued again by the
 * world's own CA keys. Everything else (subject, validity, extensions but the key identifier) is copied, so the new
 * certificates pass the operator's checks exactly as the old ones do.
 */
import { createPrivateKey, generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import * as asn1js from "asn1js";
import * as pkijs from "pkijs";

import type { DevPkiHolder } from "../../../src/pki/dev-pki/manifest.js";
import { keyIdOf, signedStructure, skiValue, spkiOf } from "../../../src/pki/dev-pki/profile.js";
import { OID } from "../../../src/pki/oids.js";
import type { DevWorld } from "./dev-world.js";

function toArrayBuffer(u: Uint8Array): ArrayBuffer {
  return u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;
}

/** The certificate `der` issued again by `caKey` for `key`: a new positive serial and subject key identifier. */
function reissue(der: Uint8Array, key: KeyObject, caKey: KeyObject): Uint8Array {
  const cert = pkijs.Certificate.fromBER(der);
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  cert.serialNumber = new asn1js.Integer({ valueHex: toArrayBuffer(serial) });
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(spkiOf(key));
  cert.extensions = (cert.extensions ?? []).map((e) =>
    e.extnID === OID.subjectKeyIdentifier
      ? new pkijs.Extension({
          extnID: e.extnID,
          critical: e.critical,
          extnValue: toArrayBuffer(skiValue(keyIdOf(key))),
        })
      : e,
  );
  return signedStructure(new Uint8Array(cert.encodeTBS().toBER()), caKey);
}

/** Writes the renewed card's virtual-card folder (same PINs as the old card) and returns its path. */
export function renewedCard(w: DevWorld, holder: DevPkiHolder): string {
  const dir = mkdtempSync(join(tmpdir(), "kyc-renewed-card-"));
  cpSync(join(w.dir, holder.card), join(dir, "card.json"));
  const certs = { auth: holder.auth, sign: holder.sign };
  for (const kind of ["auth", "sign"] as const) {
    const cert = certs[kind];
    if (cert === undefined) continue;
    const ca = w.manifest.cas.find((c) => c.id === cert.caId)!;
    const caKey = createPrivateKey(readFileSync(join(w.dir, ca.key)));
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, publicExponent: 65537 });
    writeFileSync(join(dir, `${kind}.der`), reissue(readFileSync(join(w.dir, cert.cert)), privateKey, caKey));
    writeFileSync(join(dir, `${kind}.key.pem`), privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  }
  return dir;
}
