import { readFileSync } from "node:fs";

import { getAddress, isAddress, isHexString } from "ethers";

import { AnchorKind, RevocationReason, type RevocationReasonName } from "../../chain/registry-abi.js";
import type { RegistryClient, RoleName, TrustAnchorView, TxOutcome } from "../../chain/registry-client.js";
import { claimNames } from "../../claims.js";
import { KycError } from "../../errors.js";
import { parseCertificate } from "../../pki/certificate.js";
import { jlisCaByFingerprint } from "../../pki/jlis-ca.js";
import { OperatorError } from "../operator-error.js";
import { chainTime, connectRegistry, openStore, type OperatorContext } from "./context.js";

/** Parses an address argument. @throws OperatorError `OPERATOR_BAD_INPUT` */
export function parseAddress(value: string | undefined, name: string): string {
  if (value === undefined || value === "") throw new OperatorError("OPERATOR_BAD_INPUT", `--${name} is required`);
  if (!isAddress(value))
    throw new OperatorError("OPERATOR_BAD_INPUT", `--${name} ${JSON.stringify(value)} is not an address`);
  return getAddress(value);
}

/** Everything `kyc status` shows: no personal data exists on chain to show. */
export interface StatusReport {
  readonly chainId: string;
  readonly registry: string;
  readonly account: string;
  readonly verified: boolean;
  readonly status: string;
  readonly claims: string[];
  readonly expiresAt: string | null;
  readonly attester: string | null;
  readonly caId: number | null;
  readonly attestedAt: string | null;
  readonly revokedAt: string | null;
  readonly revocationReason: string | null;
  readonly identityLevel: boolean;
  readonly nonce: string;
  /** The issuing attester's last CRL-sync heartbeat. */
  readonly attesterLastCrlSync: string | null;
}

const iso = (seconds: bigint): string | null =>
  seconds === 0n ? null : new Date(Number(seconds) * 1000).toISOString();

/** `kyc status <address>`: anyone, read-only. */
export async function statusCommand(
  ctx: OperatorContext,
  args: { address: string | undefined; registry?: string },
): Promise<StatusReport> {
  const account = parseAddress(args.address, "address");
  const client = await connectRegistry({ ...ctx, signer: undefined }, args.registry);
  const [status, record, nonce, verified] = await Promise.all([
    client.kycStatus(account),
    client.attestationOf(account),
    client.nonces(account),
    client.isVerified(account),
  ]);
  const none = status.statusName === "None";
  const reasons = Object.keys(RevocationReason) as RevocationReasonName[];
  return {
    chainId: client.chainId.toString(),
    registry: client.address,
    account,
    verified,
    status: status.statusName,
    claims: claimNames(status.claims),
    expiresAt: iso(status.expiresAt),
    attester: none ? null : record.attester,
    caId: none ? null : record.caId,
    attestedAt: iso(record.attestedAt),
    revokedAt: iso(record.revokedAt),
    revocationReason: record.revokedAt === 0n ? null : (reasons[record.reason] ?? String(record.reason)),
    identityLevel: !none && record.personTag !== `0x${"00".repeat(32)}`,
    nonce: nonce.toString(),
    attesterLastCrlSync: none ? null : iso(await client.lastCrlSync(record.attester)),
  };
}

/** The sending account, or a one-line error. */
async function sender(client: RegistryClient): Promise<string> {
  return client.signer().getAddress();
}

/** Parses a revocation reason name (case-insensitive). */
export function parseReason(value: string | undefined): { name: RevocationReasonName; value: number } {
  const names = Object.keys(RevocationReason) as RevocationReasonName[];
  const name = names.find((n) => n.toLowerCase() === (value ?? "").toLowerCase());
  if (name === undefined) {
    throw new OperatorError("OPERATOR_BAD_INPUT", `--reason must be one of ${names.join(", ")}`);
  }
  return { name, value: RevocationReason[name] };
}

/**
 * `kyc revoke --subject --reason`: the revoker role or the record's attester. Updates the operator store
 * (revoke-pending before sending, revoked after).
 */
export async function revokeCommand(
  ctx: OperatorContext,
  args: { subject: string | undefined; reason: string | undefined; registry?: string; store?: string },
): Promise<TxOutcome> {
  const subject = parseAddress(args.subject, "subject");
  const reason = parseReason(args.reason);
  const client = await connectRegistry(ctx, args.registry);
  const from = await sender(client);
  const record = await client.attestationOf(subject);
  if (record.statusName === "None" || record.revokedAt !== 0n) {
    throw new OperatorError(
      "OPERATOR_BAD_INPUT",
      `${subject} has no attestation that can be revoked (${record.statusName})`,
    );
  }
  if (record.attester.toLowerCase() !== from.toLowerCase() && !(await client.hasRole("REVOKER_ROLE", from))) {
    throw new KycError("CHAIN_MISSING_ROLE", `${from} is neither the attester of ${subject} nor holds REVOKER_ROLE`);
  }
  const store = await openStore(ctx, client.chainId, args.store);
  try {
    const row = await store.live(client.chainId, client.address, subject);
    if (row !== undefined && row.status === "active") await store.markRevokePending([row.id]);
    const outcome = await client.send("revoke", [subject, reason.value], {
      pii: [],
      onSent: async (hash) => {
        if (row !== undefined) await store.setRevokeTxHash([row.id], hash);
      },
    });
    if (row !== undefined) await store.markRevoked([row.id], outcome.hash);
    return outcome;
  } finally {
    await store.close();
  }
}

/** `kyc revoke-self`: the configured account withdraws its own attestation. */
export async function revokeSelfCommand(ctx: OperatorContext, args: { registry?: string }): Promise<TxOutcome> {
  const client = await connectRegistry(ctx, args.registry);
  const me = await sender(client);
  const record = await client.attestationOf(me);
  if (record.statusName === "None" || record.revokedAt !== 0n) {
    throw new OperatorError("OPERATOR_BAD_INPUT", `${me} has no attestation to withdraw (${record.statusName})`);
  }
  return client.send("revokeSelf", [], { pii: [] });
}

/** Role names accepted on the command line. */
export const ROLE_ARGUMENTS: Readonly<Record<string, RoleName>> = {
  attester: "ATTESTER_ROLE",
  revoker: "REVOKER_ROLE",
  pauser: "PAUSER_ROLE",
  "anchor-manager": "ANCHOR_MANAGER_ROLE",
};

/** `kyc attester grant|revoke <account> [--role attester|revoker|pauser|anchor-manager]`: the admin. */
export async function roleCommand(
  ctx: OperatorContext,
  args: { action: string; account: string | undefined; role?: string; registry?: string },
): Promise<TxOutcome | undefined> {
  const account = parseAddress(args.account, "account");
  const role = ROLE_ARGUMENTS[(args.role ?? "attester").toLowerCase()];
  if (role === undefined) {
    throw new OperatorError("OPERATOR_BAD_INPUT", `--role must be one of ${Object.keys(ROLE_ARGUMENTS).join(", ")}`);
  }
  if (args.action !== "grant" && args.action !== "revoke") {
    throw new OperatorError(
      "OPERATOR_BAD_INPUT",
      `the action must be grant or revoke, not ${JSON.stringify(args.action)}`,
    );
  }
  const client = await connectRegistry(ctx, args.registry);
  await client.requireRole("DEFAULT_ADMIN_ROLE", await sender(client));
  const has = await client.hasRole(role, account);
  if ((args.action === "grant") === has) return undefined; // nothing to do
  return client.send(args.action === "grant" ? "grantRole" : "revokeRole", [await client.roleId(role), account], {
    pii: [],
  });
}

/** A trust anchor as `kyc ca list` shows it. */
export interface AnchorReport {
  readonly caId: number;
  readonly kind: "authentication" | "signing";
  readonly keyHash: string;
  readonly notBefore: string | null;
  readonly notAfter: string | null;
  readonly enabled: boolean;
  /** Within its validity at the chain's current time. */
  readonly current: boolean;
}

function anchorReport(a: TrustAnchorView, now: bigint): AnchorReport {
  return {
    caId: a.caId,
    kind: a.kind === AnchorKind.Authentication ? "authentication" : "signing",
    keyHash: a.keyHash,
    notBefore: iso(a.notBefore),
    notAfter: iso(a.notAfter),
    enabled: a.enabled,
    current: a.notBefore <= now && now <= a.notAfter,
  };
}

/** `kyc ca list`. */
export async function caListCommand(ctx: OperatorContext, args: { registry?: string }): Promise<AnchorReport[]> {
  const client = await connectRegistry({ ...ctx, signer: undefined }, args.registry);
  const now = await chainTime(ctx.provider);
  return (await client.trustAnchors()).map((a) => anchorReport(a, now));
}

/**
 * `kyc ca add <certificate file> [--synthetic]`: registers a JPKI CA generation as a trust anchor. The file must
 * be one of the pinned real J-LIS CA certificates, unless `--synthetic` (dev-pki CAs, refused on chain 1).
 */
export async function caAddCommand(
  ctx: OperatorContext,
  args: { file: string | undefined; synthetic?: boolean; registry?: string },
): Promise<{ caId: number; kind: string; keyHash: string; outcome: TxOutcome }> {
  if (args.file === undefined || args.file === "")
    throw new OperatorError("OPERATOR_BAD_INPUT", "a CA certificate file is required");
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(args.file);
  } catch (cause) {
    throw new OperatorError("OPERATOR_BAD_INPUT", `cannot read ${args.file}`, { cause });
  }
  const cert = parseCertificate(bytes);
  if (!cert.isCa) throw new OperatorError("OPERATOR_BAD_INPUT", `${args.file} is not a CA certificate`);
  const pinned = jlisCaByFingerprint(cert.sha256Fingerprint);
  let kind: "auth" | "sign";
  if (pinned !== undefined) {
    kind = pinned.kind;
  } else {
    if (args.synthetic !== true) {
      throw new OperatorError(
        "OPERATOR_BAD_INPUT",
        `${args.file} is not one of the pinned J-LIS CA certificates (use --synthetic for a dev-pki CA)`,
      );
    }
    if (cert.caKind === undefined) {
      throw new OperatorError(
        "OPERATOR_BAD_INPUT",
        `${args.file}: cannot tell whether this CA signs authentication or signing certificates`,
      );
    }
    kind = cert.caKind;
  }
  const client = await connectRegistry(ctx, args.registry);
  if (args.synthetic === true && pinned === undefined && client.chainId === 1n) {
    throw new OperatorError("OPERATOR_BAD_INPUT", "a synthetic CA cannot be added on Ethereum mainnet");
  }
  await client.requireRole("ANCHOR_MANAGER_ROLE", await sender(client));
  const keyHash = `0x${cert.spkiSha256}`;
  if (!isHexString(keyHash, 32)) throw new OperatorError("OPERATOR_BAD_INPUT", "unexpected SPKI hash");
  const kindValue = kind === "auth" ? AnchorKind.Authentication : AnchorKind.Signing;
  const notBefore = BigInt(Math.floor(cert.notBefore.getTime() / 1000));
  const notAfter = BigInt(Math.floor(cert.notAfter.getTime() / 1000));
  const outcome = await client.send("addTrustAnchor", [kindValue, keyHash, notBefore, notAfter], { pii: [] });
  const added = outcome.events.find((e) => e.name === "TrustAnchorAdded");
  return { caId: Number(added?.args[0] ?? 0), kind, keyHash, outcome };
}

/** `kyc ca disable <caId>` (or enable with `enable: true`). */
export async function caSetEnabledCommand(
  ctx: OperatorContext,
  args: { caId: number | undefined; enable: boolean; registry?: string },
): Promise<TxOutcome> {
  const caId = args.caId;
  if (caId === undefined || !Number.isInteger(caId) || caId < 1 || caId > 0xffff) {
    throw new OperatorError("OPERATOR_BAD_INPUT", "a trust anchor id (1..65535) is required");
  }
  const client = await connectRegistry(ctx, args.registry);
  const count = Number(await client.read<bigint>("trustAnchorCount"));
  if (caId > count)
    throw new OperatorError("OPERATOR_BAD_INPUT", `no trust anchor ${caId} (the registry has ${count})`);
  await client.requireRole("ANCHOR_MANAGER_ROLE", await sender(client));
  return client.send("setTrustAnchorEnabled", [caId, args.enable], { pii: [] });
}
