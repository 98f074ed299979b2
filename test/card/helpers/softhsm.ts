import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import * as pkijs from "pkijs";

import { OPENSC_JPKI_LABELS, SOFTHSM2_MODULE } from "../../../src/card/pkcs11/pkcs11-card-signer.js";
import type { SyntheticHolder } from "./synthetic-holder.js";

/** Why SoftHSM2 tests cannot run here, or undefined when they can. */
export function softhsmMissing(): string | undefined {
  if (!existsSync(SOFTHSM2_MODULE))
    return `SoftHSM2 is not installed (${SOFTHSM2_MODULE} missing; apt-get install softhsm2)`;
  try {
    execFileSync("softhsm2-util", ["--version"], { stdio: "pipe" });
  } catch {
    return "softhsm2-util is not on PATH (apt-get install softhsm2)";
  }
  return undefined;
}

/** Token labels as OpenSC names its two JPKI virtual slots. */
export const AUTH_TOKEN = "JPKI (User Authentication PIN)";
export const SIGN_TOKEN = "JPKI (Digital Signature PIN)";

/**
 * Creates a fresh SoftHSM2 store in a temp dir laid out like OpenSC's view of a My Number Card: two tokens (one per
 * PIN), the authentication key+certificate (ID 01) on the first, the signing key+certificate (ID 02, certificate
 * private) on the second, with OpenSC's labels. Sets `process.env.SOFTHSM2_CONF` (SoftHSM2 reads it on C_Initialize).
 */
export async function setupSofthsmJpki(holder: SyntheticHolder): Promise<{ conf: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "softhsm-jpki-"));
  mkdirSync(join(dir, "tokens"));
  const conf = join(dir, "softhsm2.conf");
  writeFileSync(conf, `directories.tokendir = ${join(dir, "tokens")}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = conf;
  const env = { ...process.env, SOFTHSM2_CONF: conf };
  const util = (...args: string[]) => execFileSync("softhsm2-util", args, { env, stdio: "pipe" });
  util("--init-token", "--free", "--label", AUTH_TOKEN, "--pin", holder.authPin, "--so-pin", "87654321");
  util("--init-token", "--free", "--label", SIGN_TOKEN, "--pin", holder.signPassword, "--so-pin", "87654321");
  writeFileSync(join(dir, "auth.key.pem"), holder.authKeyPem, { mode: 0o600 });
  writeFileSync(join(dir, "sign.key.pem"), holder.signKeyPem, { mode: 0o600 });
  const L = OPENSC_JPKI_LABELS;
  util(
    "--import",
    join(dir, "auth.key.pem"),
    "--token",
    AUTH_TOKEN,
    "--label",
    L.authKey,
    "--id",
    "01",
    "--pin",
    holder.authPin,
  );
  util(
    "--import",
    join(dir, "sign.key.pem"),
    "--token",
    SIGN_TOKEN,
    "--label",
    L.signKey,
    "--id",
    "02",
    "--pin",
    holder.signPassword,
  );

  const { default: lib } = (await import("pkcs11js")) as unknown as { default: typeof import("pkcs11js") };
  const p11 = new lib.PKCS11();
  p11.load(SOFTHSM2_MODULE);
  p11.C_Initialize();
  try {
    const put = (token: string, pin: string, label: string, id: number, der: Uint8Array, isPrivate: boolean) => {
      const slot = p11.C_GetSlotList(true).find((s) => p11.C_GetTokenInfo(s).label.trim() === token);
      if (!slot) throw new Error(`token ${token} not found`);
      const session = p11.C_OpenSession(slot, lib.CKF_SERIAL_SESSION | lib.CKF_RW_SESSION);
      p11.C_Login(session, lib.CKU_USER, pin);
      const cert = pkijs.Certificate.fromBER(der);
      p11.C_CreateObject(session, [
        { type: lib.CKA_CLASS, value: lib.CKO_CERTIFICATE },
        { type: lib.CKA_CERTIFICATE_TYPE, value: lib.CKC_X_509 },
        { type: lib.CKA_TOKEN, value: true },
        { type: lib.CKA_PRIVATE, value: isPrivate },
        { type: lib.CKA_LABEL, value: label },
        { type: lib.CKA_ID, value: Buffer.from([id]) },
        { type: lib.CKA_SUBJECT, value: Buffer.from(cert.subject.toSchema().toBER()) },
        { type: lib.CKA_VALUE, value: Buffer.from(der) },
      ]);
      p11.C_Logout(session);
      p11.C_CloseSession(session);
    };
    put(AUTH_TOKEN, holder.authPin, L.authCertificate, 1, holder.authCert, false);
    put(SIGN_TOKEN, holder.signPassword, L.signCertificate, 2, holder.signCert, true);
  } finally {
    p11.C_Finalize();
    p11.close();
  }
  return { conf, dir };
}
