/** Which JPKI CA a certificate is, and which generation. */
export interface JlisCaInfo {
  kind: "auth" | "sign";
  generation: number;
}

/**
 * SHA-256 fingerprints (of the DER) of the six real J-LIS root certificates, as published by J-LIS
 * (see shared/jpki/FACTS.md). The certificates themselves are never committed.
 */
export const JLIS_CA_FINGERPRINTS: Readonly<Record<string, JlisCaInfo>> = {
  "4dcfc4ca0aaf9fb2a3081b3f0c991c320b3acc008667a341eeaec5af1d58ca7d": { kind: "auth", generation: 1 },
  "0d98de47fc11b7f67126874b7028b6026a803d2638d6edfe53176953961fade6": { kind: "auth", generation: 2 },
  "64114f29620c24ed2631d46476a040e7ee740d956089c00b036a6a8118c322b5": { kind: "auth", generation: 3 },
  "19645405a1fe14377434bd55957628ac4038557c542403a2243f21c706fc9355": { kind: "sign", generation: 1 },
  "79679c33e4cc9319440f1ad120a597ff1844e2ef217063adb176966fd5e6fbeb": { kind: "sign", generation: 2 },
  d227f6cde11d35c5252178f106f843d24651944975413b539fa2fb68dbfa365f: { kind: "sign", generation: 3 },
};

/** The real J-LIS CA a DER fingerprint belongs to, if any. */
export function jlisCaByFingerprint(sha256Hex: string): JlisCaInfo | undefined {
  return JLIS_CA_FINGERPRINTS[sha256Hex.toLowerCase()];
}
