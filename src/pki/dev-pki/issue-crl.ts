import { createPrivateKey } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

import { parseCertificate } from "../certificate.js";
import { serialBytes } from "../crl.js";
import { reasonCode } from "../oids.js";
import { PkiError } from "../pki-error.js";
import type { DevPkiCrl, DevPkiCrlEntry, DevPkiManifest } from "./manifest.js";
import { issueCrlDer } from "./profile.js";
import { CA_NAMES, crlDpName } from "./world.js";

/** A revocation to put on a new CRL. */
export interface RevokedSerial {
  serialHex: string;
  /** RFC 5280 reason name (`keyCompromise`, `affiliationChanged`, ...). */
  reason: string;
  at: Date | string;
  holderId?: string;
}

/** Options of `issueCrl`. */
export interface IssueCrlOptions {
  /** The dev-pki folder (with manifest.json and the CA keys). */
  dir: string;
  kind: "auth" | "sign";
  partition: string;
  /** CA generation that signs (default: the newest of `kind`). */
  generation?: number;
  revoked: RevokedSerial[];
  /** Default: now. */
  thisUpdate?: Date;
  /** Default: thisUpdate + 3 days. */
  nextUpdate?: Date;
  /** Keep the entries of the current CRL of that partition and CA (default true). */
  keepExisting?: boolean;
  /** Output path relative to `dir` (default: the current CRL's path, replaced). */
  out?: string;
}

/** Loads a dev-pki manifest. */
export function loadDevPkiManifest(dir: string): DevPkiManifest {
  try {
    return JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as DevPkiManifest;
  } catch (cause) {
    throw new PkiError("PKI_IO", `cannot read ${join(dir, "manifest.json")}`, { cause });
  }
}

/**
 * Issues a new CRL for one partition with the dev-pki CA key (e.g. the demo revokes a holder), writes it, and
 * records it in manifest.json (crlNumber incremented). Returns the manifest entry.
 */
export function issueCrl(options: IssueCrlOptions): DevPkiCrl {
  const manifest = loadDevPkiManifest(options.dir);
  const gens = manifest.cas.filter((c) => c.kind === options.kind).map((c) => c.generation);
  const generation = options.generation ?? Math.max(...gens);
  const ca = manifest.cas.find((c) => c.kind === options.kind && c.generation === generation);
  if (!ca) throw new PkiError("PKI_BAD_ARGUMENT", `no ${options.kind} CA generation ${generation} in the manifest`);
  const part = manifest.partitions.find((p) => p.partition === options.partition);
  if (!part) throw new PkiError("PKI_BAD_ARGUMENT", `unknown partition "${options.partition}"`);
  const key = createPrivateKey(readFileSync(join(options.dir, ca.key)));
  const caCert = parseCertificate(readFileSync(join(options.dir, ca.cert)));
  const current = manifest.crls.find((c) => !c.stale && c.caId === ca.id && c.partition === options.partition);

  const entries = new Map<string, DevPkiCrlEntry>();
  if (options.keepExisting !== false && current) for (const e of current.entries) entries.set(e.serialHex, e);
  for (const r of options.revoked) {
    if (reasonCode(r.reason) === undefined) throw new PkiError("PKI_BAD_ARGUMENT", `unknown reason "${r.reason}"`);
    const at = new Date(r.at);
    if (Number.isNaN(at.getTime())) throw new PkiError("PKI_BAD_ARGUMENT", "bad revocation date");
    const serialHex = Buffer.from(serialBytes(r.serialHex)).toString("hex");
    const e: DevPkiCrlEntry = { serialHex, reason: r.reason, revokedAt: at.toISOString() };
    if (r.holderId) e.holderId = r.holderId;
    entries.set(serialHex, e);
  }
  const thisUpdate = options.thisUpdate ?? new Date(Math.floor(Date.now() / 1000) * 1000);
  const nextUpdate = options.nextUpdate ?? new Date(thisUpdate.getTime() + 3 * 86_400_000);
  const crlNumber = (current?.crlNumber ?? 100) + 1;
  const list = [...entries.values()];
  const der = issueCrlDer(
    {
      issuer: CA_NAMES[options.kind],
      thisUpdate,
      nextUpdate,
      entries: list.map((e) => ({
        serial: serialBytes(e.serialHex),
        revokedAt: new Date(e.revokedAt),
        reasonCode: reasonCode(e.reason) ?? 0,
      })),
      authorityKeyId: Uint8Array.from(Buffer.from(caCert.subjectKeyId ?? "", "hex")),
      crlNumber,
      distributionPoint: crlDpName(options.kind, part.prefecture, part.city),
    },
    key,
  );
  const path =
    options.out ??
    current?.path ??
    (generation === Math.max(...gens)
      ? `crl/${options.kind}/${options.partition}.crl`
      : `crl/${options.kind}/gen${generation}/${options.partition}.crl`);
  mkdirSync(dirname(join(options.dir, path)), { recursive: true });
  writeFileSync(join(options.dir, path), der);
  const record: DevPkiCrl = {
    path,
    kind: options.kind,
    caId: ca.id,
    generation,
    partition: options.partition,
    crlNumber,
    thisUpdate: thisUpdate.toISOString(),
    nextUpdate: nextUpdate.toISOString(),
    stale: false,
    entries: list,
  };
  manifest.crls = manifest.crls.filter((c) => c.path !== path).concat(record);
  for (const h of manifest.holders) {
    for (const c of [h.auth, h.sign]) {
      if (!c || c.caId !== ca.id || h.partition !== options.partition) continue;
      const e = entries.get(c.serialHex);
      if (e) {
        c.status = "revoked";
        c.revocation = { reason: e.reason, revokedAt: e.revokedAt };
      }
    }
  }
  writeFileSync(join(options.dir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  return record;
}
