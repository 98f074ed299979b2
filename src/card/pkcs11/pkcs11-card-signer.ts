import type { CardKey, CardSigner } from "../card-signer.js";
import { CardError } from "../card-error.js";
import { isWellFormedPin } from "../jpki.js";
import { Ckr, mapPkcs11Error, pkcs11ReturnValue } from "./pkcs11-errors.js";

/** Object labels and IDs to look for; the defaults are those of OpenSC's JPKI driver (pkcs15-jpki). */
export interface JpkiPkcs11Labels {
  authCertificate: string;
  authKey: string;
  signCertificate: string;
  signKey: string;
  /** CKA_ID of the authentication key/certificate (OpenSC: 01) and of the signing ones (OpenSC: 02). */
  authId: Uint8Array;
  signId: Uint8Array;
  /**
   * OpenSC exposes one virtual slot per PIN; its token label contains the PIN's name. When a module has several
   * tokens and no slot is given, the token whose label contains this text is used for the key.
   */
  authTokenLabel: string;
  signTokenLabel: string;
}

/** OpenSC's names for the JPKI objects. */
export const OPENSC_JPKI_LABELS: JpkiPkcs11Labels = {
  authCertificate: "User Authentication Certificate",
  authKey: "User Authentication Key",
  signCertificate: "Digital Signature Certificate",
  signKey: "Digital Signature Key",
  authId: Uint8Array.from([0x01]),
  signId: Uint8Array.from([0x02]),
  authTokenLabel: "User Authentication PIN",
  signTokenLabel: "Digital Signature PIN",
};

/** Default module paths (Debian/Ubuntu, x86_64). */
export const OPENSC_PKCS11_MODULE = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so";
export const SOFTHSM2_MODULE = "/usr/lib/softhsm/libsofthsm2.so";

/** Options of the PKCS#11 signer. */
export interface Pkcs11SignerOptions {
  /** Path of the PKCS#11 module (shared library). */
  module: string;
  /** A slot ID (decimal or 0x-hex) or, when no slot has that ID, an index among the slots with a token. */
  slot?: string;
  /** Overrides of the object labels/IDs. */
  labels?: Partial<JpkiPkcs11Labels>;
  /** Check the JPKI PIN formats before logging in. Default true (set false for tokens with other PIN rules). */
  checkPinFormat?: boolean;
}

type Pkcs11Module = typeof import("pkcs11js");
type Pkcs11 = InstanceType<Pkcs11Module["PKCS11"]>;
type Handle = Buffer;

/**
 * A `CardSigner` on a PKCS#11 module via `pkcs11js` (imported on demand): OpenSC's `opensc-pkcs11.so` drives a real
 * My Number Card in a PC/SC reader; SoftHSM2 stands in for it in tests. Signs with `CKM_SHA256_RSA_PKCS`.
 */
export class Pkcs11CardSigner implements CardSigner {
  readonly description: string;
  private readonly labels: JpkiPkcs11Labels;
  private readonly checkPinFormat: boolean;
  private closed = false;

  private constructor(
    private readonly lib: Pkcs11Module,
    private readonly p11: Pkcs11,
    private readonly options: Pkcs11SignerOptions,
  ) {
    this.description = `PKCS#11 module ${options.module}` + (options.slot === undefined ? "" : ` slot ${options.slot}`);
    this.labels = { ...OPENSC_JPKI_LABELS, ...options.labels };
    this.checkPinFormat = options.checkPinFormat ?? true;
  }

  /**
   * Loads and initialises the module.
   * @throws CardError `CARD_UNAVAILABLE` when pkcs11js or the module cannot be loaded.
   */
  static async open(options: Pkcs11SignerOptions): Promise<Pkcs11CardSigner> {
    let lib: Pkcs11Module;
    try {
      const mod = (await import("pkcs11js")) as unknown as { default?: Pkcs11Module } & Pkcs11Module;
      lib = mod.default ?? mod;
    } catch (cause) {
      throw new CardError(
        "CARD_UNAVAILABLE",
        "PKCS#11 is not available: the optional package pkcs11js is missing or not built for this Node (npm rebuild pkcs11js)",
        { cause },
      );
    }
    const shared = loadedModules.get(options.module);
    if (shared !== undefined) {
      shared.refs++;
      return new Pkcs11CardSigner(lib, shared.p11, options);
    }
    const p11 = new lib.PKCS11();
    try {
      p11.load(options.module);
    } catch (cause) {
      throw new CardError("CARD_UNAVAILABLE", `cannot load the PKCS#11 module ${options.module}`, { cause });
    }
    let owned = true;
    try {
      p11.C_Initialize();
    } catch (cause) {
      if (pkcs11ReturnValue(cause) === Ckr.CRYPTOKI_ALREADY_INITIALIZED) owned = false;
      else {
        try {
          p11.close();
        } catch {
          // ignore: the module is unusable anyway
        }
        throw mapPkcs11Error(cause, "initialising the PKCS#11 module");
      }
    }
    loadedModules.set(options.module, { p11, refs: 1, owned });
    return new Pkcs11CardSigner(lib, p11, options);
  }

  async readAuthCertificate(): Promise<Uint8Array> {
    return this.withSession("auth", undefined, "reading the authentication certificate", (session) =>
      this.readCertificate(session, "auth"),
    );
  }

  async readSignCertificate(signPassword: string): Promise<Uint8Array> {
    return this.withSession("sign", signPassword, "reading the signing certificate", (session) =>
      this.readCertificate(session, "sign"),
    );
  }

  async sign(key: CardKey, message: Uint8Array, pin: string): Promise<Uint8Array> {
    return this.withSession(key, pin, "signing", (session) => {
      const handle = this.findObject(session, key, this.lib.CKO_PRIVATE_KEY);
      if (handle === undefined) {
        throw new CardError("CARD_NOT_FOUND", `the token has no private key "${this.label(key, "key")}"`);
      }
      this.p11.C_SignInit(session, { mechanism: this.lib.CKM_SHA256_RSA_PKCS }, handle);
      const signature = this.p11.C_Sign(session, Buffer.from(message), Buffer.alloc(1024));
      return new Uint8Array(signature);
    });
  }

  async pinTriesLeft(key: CardKey): Promise<number | undefined> {
    try {
      const slot = this.selectSlot(key);
      const flags = this.p11.C_GetTokenInfo(slot).flags;
      if (flags & this.lib.CKF_USER_PIN_LOCKED) return 0;
      if (flags & this.lib.CKF_USER_PIN_FINAL_TRY) return 1;
      return undefined;
    } catch (error) {
      throw mapPkcs11Error(error, "reading the token information");
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const shared = loadedModules.get(this.options.module);
    if (shared === undefined || --shared.refs > 0) return;
    loadedModules.delete(this.options.module);
    if (!shared.owned) return;
    try {
      this.p11.C_Finalize();
    } catch {
      // already finalised or the device is gone: nothing left to release
    }
    try {
      this.p11.close();
    } catch {
      // the library may already be unloaded
    }
  }

  private label(key: CardKey, what: "key" | "certificate"): string {
    if (key === "auth") return what === "key" ? this.labels.authKey : this.labels.authCertificate;
    return what === "key" ? this.labels.signKey : this.labels.signCertificate;
  }

  private pinLabel(key: CardKey): string {
    return key === "auth" ? "authentication PIN" : "signing password";
  }

  /** Opens a session on the key's token, logs in when a PIN is given, runs `body`, and always cleans up. */
  private withSession<T>(key: CardKey, pin: string | undefined, doing: string, body: (session: Handle) => T): T {
    if (this.closed) throw new CardError("CARD_BAD_ARGUMENT", "the PKCS#11 signer is closed");
    if (pin !== undefined && this.checkPinFormat && !isWellFormedPin(key, pin)) {
      throw new CardError(
        "CARD_BAD_ARGUMENT",
        key === "auth"
          ? "the authentication PIN is 4 digits (not sent to the card)"
          : "the signing password is 6-16 uppercase letters and digits (not sent to the card)",
      );
    }
    let slot: Handle;
    let session: Handle;
    try {
      slot = this.selectSlot(key);
      session = this.p11.C_OpenSession(slot, this.lib.CKF_SERIAL_SESSION);
    } catch (error) {
      throw mapPkcs11Error(error, doing);
    }
    let loggedIn = false;
    try {
      if (pin !== undefined) {
        try {
          this.p11.C_Login(session, this.lib.CKU_USER, pin);
          loggedIn = true;
        } catch (error) {
          const rv = pkcs11ReturnValue(error);
          if (rv === Ckr.USER_ALREADY_LOGGED_IN) loggedIn = true;
          else if (rv === Ckr.PIN_INCORRECT) {
            const flags = this.safeTokenFlags(slot);
            if (flags !== undefined && flags & this.lib.CKF_USER_PIN_LOCKED) {
              throw mapPkcs11Error({ name: "Pkcs11Error", code: Ckr.PIN_LOCKED }, doing, this.pinLabel(key));
            }
            const tries = flags !== undefined && flags & this.lib.CKF_USER_PIN_FINAL_TRY ? 1 : undefined;
            throw mapPkcs11Error(error, doing, this.pinLabel(key), tries);
          } else throw mapPkcs11Error(error, doing, this.pinLabel(key));
        }
      }
      try {
        return body(session);
      } catch (error) {
        throw mapPkcs11Error(error, doing, this.pinLabel(key));
      }
    } finally {
      try {
        if (loggedIn) this.p11.C_Logout(session);
      } catch {
        // the card may be gone; the session is closed below
      }
      try {
        this.p11.C_CloseSession(session);
      } catch {
        // same
      }
    }
  }

  private safeTokenFlags(slot: Handle): number | undefined {
    try {
      return this.p11.C_GetTokenInfo(slot).flags;
    } catch {
      return undefined;
    }
  }

  /** Picks the slot for a key: the configured one, the only one, or the one whose token label names the key's PIN. */
  private selectSlot(key: CardKey): Handle {
    const all = this.p11.C_GetSlotList(false);
    if (all.length === 0)
      throw new CardError("CARD_NO_READER", `the PKCS#11 module ${this.options.module} sees no reader or slot`);
    const withToken = this.p11.C_GetSlotList(true);
    if (this.options.slot !== undefined) {
      const wanted = this.options.slot.trim();
      const id = /^(0x[0-9a-f]+|\d+)$/i.test(wanted) ? BigInt(wanted) : undefined;
      if (id === undefined) throw new CardError("CARD_BAD_ARGUMENT", `slot "${wanted}" is not a number`);
      const byId = all.find((s) => slotId(s) === id);
      const chosen = byId ?? (id < BigInt(withToken.length) ? withToken[Number(id)] : undefined);
      if (chosen === undefined) throw new CardError("CARD_NO_READER", `the PKCS#11 module has no slot ${wanted}`);
      return chosen;
    }
    if (withToken.length === 0) throw new CardError("CARD_NO_CARD", "no card (token) in any reader");
    if (withToken.length === 1) return withToken[0]!;
    const want = key === "auth" ? this.labels.authTokenLabel : this.labels.signTokenLabel;
    const match = withToken.find((s) => this.p11.C_GetTokenInfo(s).label.includes(want));
    return match ?? withToken[0]!;
  }

  private findObject(session: Handle, key: CardKey, objectClass: number): Handle | undefined {
    const what = objectClass === this.lib.CKO_CERTIFICATE ? "certificate" : "key";
    const byLabel = this.findFirst(session, [
      { type: this.lib.CKA_CLASS, value: objectClass },
      { type: this.lib.CKA_LABEL, value: this.label(key, what) },
    ]);
    if (byLabel !== undefined) return byLabel;
    return this.findFirst(session, [
      { type: this.lib.CKA_CLASS, value: objectClass },
      { type: this.lib.CKA_ID, value: Buffer.from(key === "auth" ? this.labels.authId : this.labels.signId) },
    ]);
  }

  private findFirst(
    session: Handle,
    template: { type: number; value: number | Buffer | string }[],
  ): Handle | undefined {
    this.p11.C_FindObjectsInit(session, template);
    try {
      return this.p11.C_FindObjects(session, 1)[0];
    } finally {
      this.p11.C_FindObjectsFinal(session);
    }
  }

  private readCertificate(session: Handle, key: CardKey): Uint8Array {
    const handle = this.findObject(session, key, this.lib.CKO_CERTIFICATE);
    if (handle === undefined) {
      throw new CardError("CARD_NOT_FOUND", `the token has no certificate "${this.label(key, "certificate")}"`);
    }
    const [attr] = this.p11.C_GetAttributeValue(session, handle, [{ type: this.lib.CKA_VALUE }]);
    const value = attr?.value;
    if (!Buffer.isBuffer(value) || value.length === 0) {
      throw new CardError("CARD_BAD_RESPONSE", `the certificate "${this.label(key, "certificate")}" has no value`);
    }
    return new Uint8Array(value);
  }
}

/**
 * A PKCS#11 module is initialised once per process: signers on the same module share it, and the last one to
 * close finalises it (unless someone else in the process had initialised it first).
 */
const loadedModules = new Map<string, { p11: Pkcs11; refs: number; owned: boolean }>();

/** The numeric slot ID of a pkcs11js slot handle (a native CK_ULONG). */
function slotId(handle: Buffer): bigint {
  return handle.length >= 8 ? handle.readBigUInt64LE(0) : BigInt(handle.readUInt32LE(0));
}
