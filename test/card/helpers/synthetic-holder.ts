import { execFileSync } from "node:child_process";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Throwaway holder material for card tests: two RSA-2048 keys (generated once per process) and self-signed
 * certificates with obviously fake subjects, made with the openssl CLI. The card layer does not interpret the
 * certificate profile, so a minimal certificate is enough here.
 */
export interface SyntheticHolder {
  authKey: KeyObject;
  signKey: KeyObject;
  authKeyPem: string;
  signKeyPem: string;
  authCert: Uint8Array;
  signCert: Uint8Array;
  authPin: string;
  signPassword: string;
}

let cached: SyntheticHolder | undefined;

export function syntheticHolder(): SyntheticHolder {
  if (cached) return cached;
  const work = mkdtempSync(join(tmpdir(), "card-holder-"));
  const make = (name: string, cn: string) => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, publicExponent: 65537 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const keyPath = join(work, `${name}.key.pem`);
    writeFileSync(keyPath, pem, { mode: 0o600 });
    const certPath = join(work, `${name}.der`);
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-new",
        "-key",
        keyPath,
        "-subj",
        `/C=JP/CN=${cn}`,
        "-days",
        "30",
        "-sha256",
        "-outform",
        "DER",
        "-out",
        certPath,
      ],
      { stdio: "pipe" },
    );
    return { key: privateKey, pem, cert: new Uint8Array(readFileSync(certPath)) };
  };
  const auth = make("auth", "FAKE-TEST-AUTH-0000000000001");
  const sign = make("sign", "FAKE-TEST-SIGN-0000000000001");
  cached = {
    authKey: auth.key,
    signKey: sign.key,
    authKeyPem: auth.pem,
    signKeyPem: sign.pem,
    authCert: auth.cert,
    signCert: sign.cert,
    authPin: "1234",
    signPassword: "TESTPW1",
  };
  return cached;
}

/** Writes a dev-pki style holder folder (`auth.der`, `auth.key.pem`, `sign.*`, `card.json`) into a new temp dir. */
export function writeHolderFolder(options?: { withSign?: boolean }): string {
  const h = syntheticHolder();
  const dir = mkdtempSync(join(tmpdir(), "card-folder-"));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "auth.der"), h.authCert);
  writeFileSync(join(dir, "auth.key.pem"), h.authKeyPem, { mode: 0o600 });
  const withSign = options?.withSign ?? true;
  if (withSign) {
    writeFileSync(join(dir, "sign.der"), h.signCert);
    writeFileSync(join(dir, "sign.key.pem"), h.signKeyPem, { mode: 0o600 });
  }
  const card: Record<string, string> = { authPin: h.authPin, tokenInfo: "JPKIAPICCTOKEN2" };
  if (withSign) card.signPassword = h.signPassword;
  writeFileSync(join(dir, "card.json"), JSON.stringify(card));
  return dir;
}
