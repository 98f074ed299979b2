/**
 * Child process of `npm run bench:crl`: opens a CRL with the streaming reader, verifies its signature with the CA,
 * looks up serials, and prints one JSON line with the result and this process's peak RSS.
 * Usage: node crl-child.js <crl.der> <ca.der> <serialHex>...
 */
import { readFileSync } from "node:fs";

import { parseCertificate } from "../../src/pki/certificate.js";
import { openCrl } from "../../src/pki/crl.js";

const [crlPath, caPath, ...serials] = process.argv.slice(2);
const ca = parseCertificate(readFileSync(caPath!));
const crl = openCrl(readFileSync(crlPath!));
const signatureValid = crl.verifySignature(ca);
const lookups = serials.map((s) => {
  const hit = crl.lookup(s);
  return { serial: s, revoked: hit !== undefined, reason: hit?.reason ?? null };
});
console.log(
  JSON.stringify({
    entries: crl.entryCount,
    signatureValid,
    fresh: crl.isFresh(new Date()),
    lookups,
    maxRssKb: process.resourceUsage().maxRSS,
  }),
);
process.exitCode = signatureValid ? 0 : 3;
