/**
 * Child process of `npm run bench:crl`: verifies a CRL's signature with the CA and looks up serials, then prints one
 * JSON line with the result and this process's peak RSS.
 * Usage: node crl-child.js <scan|open> <crl.der> <ca.der> <serialHex>...
 *   scan: `scanCrlFile` — one streaming pass over the file with bounded memory (what the bench compares).
 *   open: `openCrl` — the whole file in memory plus an index of every entry (for repeated lookups).
 */
import { readFileSync } from "node:fs";

import { parseCertificate } from "../../src/pki/certificate.js";
import { scanCrlFile } from "../../src/pki/crl-scan.js";
import { openCrl } from "../../src/pki/crl.js";

const [mode, crlPath, caPath, ...serials] = process.argv.slice(2);
const ca = parseCertificate(readFileSync(caPath!));
let result: {
  entries: number;
  signatureValid: boolean;
  fresh: boolean;
  lookups: { serial: string; revoked: boolean; reason: string | null }[];
};
if (mode === "scan") {
  const r = scanCrlFile(crlPath!, { ca, serials });
  result = {
    entries: r.entryCount,
    signatureValid: r.signatureValid,
    fresh: r.fresh,
    lookups: serials.map((s) => {
      const hit = r.found.get(s.toLowerCase());
      return { serial: s, revoked: hit !== undefined, reason: hit?.reason ?? null };
    }),
  };
} else {
  const crl = openCrl(readFileSync(crlPath!));
  result = {
    entries: crl.entryCount,
    signatureValid: crl.verifySignature(ca),
    fresh: crl.isFresh(new Date()),
    lookups: serials.map((s) => {
      const hit = crl.lookup(s);
      return { serial: s, revoked: hit !== undefined, reason: hit?.reason ?? null };
    }),
  };
}
console.log(JSON.stringify({ ...result, maxRssKb: process.resourceUsage().maxRSS }));
process.exitCode = result.signatureValid ? 0 : 3;
