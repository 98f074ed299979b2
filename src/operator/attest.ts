import { getAddress, getBytes, hexlify, Signature, ZeroHash } from "ethers";
import { anonCommitmentConflict } from "../anon/commitment-lock.js";
import { AnonRegistryLeaves } from "../anon/registry-leaves.js";
import { readAnonRegistryEvents } from "../anon/registry-events.js";
import { NO_ANON_COMMITMENT } from "../binding/kyc-binding.js";

import { AnchorKind } from "../chain/registry-abi.js";
import type { RegistryClient, TrustAnchorView, TxOutcome } from "../chain/registry-client.js";
import { ChainError } from "../chain/chain-error.js";
import { Claim, claimNames, FROM_SIGNING } from "../claims.js";
import type { ProofRequest } from "../binding/proof-request.js";
import { checkSubjectSignature, type SubjectSignatureKind } from "../binding/subject-signature.js";
import { keyNullifier as computeKeyNullifier } from "../chain/key-nullifier.js";
import { readSigningAttributes, type JpkiAttributes } from "../pki/attributes.js";
import { parseCertificate, type JpkiCertificate } from "../pki/certificate.js";
import { verifyChain } from "../pki/chain.js";
import { verifyPkcs1Sha256 } from "../pki/rsa.js";
import { requestTuple, signAttestation, type AttestationRequest } from "./attestation-request.js";
import type { LoadedCrl } from "./crl-files.js";
import { sealRecord, type CheckedCertificate, type VerificationRecord } from "./records/verification-record.js";
import { crlsCovering, selectCrls } from "./crl-selection.js";
import { deriveClaims, expiryCap, personTag } from "./derive.js";
import { OperatorError } from "./operator-error.js";
import { assertNoPii, type PiiMaterial } from "../privacy/pii-guard.js";
import { piiFromCertificate } from "./pii-material.js";
import type { RelayFile } from "./relay-file.js";
import { settleSubject } from "./reconcile.js";
import type { OperatorStore } from "./store/operator-store.js";
import type { CertificateRef } from "./store/types.js";

/** certificatePolicies of the JPKI user authentication certificate. */
export const AUTH_POLICY = "1.2.392.200149.8.5.1.3.30";
/** certificatePolicies of the JPKI digital signature certificate. */
export const SIGN_POLICY = "1.2.392.200149.8.5.1.1.20";
/** The only card public exponent the registry accepts. */
export const CARD_EXPONENT = 65537;

/** The result of the off-chain checks of a proof request. A failed check is a result, not an exception. */
export interface ProofCheck {
  readonly ok: boolean;
  /** Every failed check, in the fixed order they run (no certificate data in the text). */
  readonly failures: readonly string[];
  readonly auth?: CheckedCard & { caId: number };
  readonly sign?: CheckedCard & { caId: number; attributes: JpkiAttributes };
  /** How the subject's consent was verified (undefined: it was not). */
  readonly subjectSignature?: SubjectSignatureKind;
}

/** A certificate that passed its checks: the CA it chains to and the CRLs it was checked against. */
export interface CheckedCard {
  readonly cert: JpkiCertificate;
  readonly ca: JpkiCertificate;
  /** Its partition's CRL and/or its CA's full CRL, the newest of each (see `crl-selection.ts`). */
  readonly crls: readonly LoadedCrl[];
}

/** Inputs of {@link checkProofRequest}. */
export interface CheckInputs {
  readonly request: ProofRequest;
  /** The operator's local CA certificates (only those matching an enabled on-chain anchor are trusted). */
  readonly caCertificates: readonly JpkiCertificate[];
  /** The CRLs (see `loadCrls`). */
  readonly crls: readonly LoadedCrl[];
  readonly client: RegistryClient;
  /** The operator's attester address: the binding must name it. */
  readonly attester: string;
  /** The chain's current time. */
  readonly now: Date;
}

function hex(s: string): string {
  return s.toLowerCase().replace(/^0x/, "");
}

/** CA certificates that match an enabled on-chain trust anchor of `kind`, with the anchor id. */
function anchoredCas(
  cas: readonly JpkiCertificate[],
  anchors: readonly TrustAnchorView[],
  kind: number,
): Array<{ ca: JpkiCertificate; caId: number }> {
  const out: Array<{ ca: JpkiCertificate; caId: number }> = [];
  for (const anchor of anchors) {
    if (!anchor.enabled || anchor.kind !== kind) continue;
    const ca = cas.find((c) => hex(c.spkiSha256) === hex(anchor.keyHash));
    if (ca !== undefined) out.push({ ca, caId: anchor.caId });
  }
  return out;
}

/** Checks one card certificate: chain to an anchored CA, validity, CRL, policy, card signature over the digest. */
function checkCertificate(
  role: "auth" | "sign",
  cert: JpkiCertificate,
  signature: Uint8Array,
  digest: Uint8Array,
  anchored: Array<{ ca: JpkiCertificate; caId: number }>,
  crls: readonly LoadedCrl[],
  now: Date,
  failures: string[],
): { ca: JpkiCertificate; caId: number; crls: readonly LoadedCrl[] | undefined } | undefined {
  const name = role === "auth" ? "authentication certificate" : "signing certificate";
  const expectedKinds = role === "auth" ? ["auth"] : ["sign"];
  if (!expectedKinds.includes(cert.kind)) failures.push(`the ${name} is not a JPKI ${name} (kind ${cert.kind})`);
  if (anchored.length === 0) {
    failures.push(
      `no CA in the CA folder matches an enabled on-chain ${role === "auth" ? "authentication" : "signing"} trust anchor`,
    );
    return undefined;
  }
  const chain = verifyChain(
    cert,
    anchored.map((a) => a.ca),
    now,
  );
  if (!chain.ok) for (const f of chain.failures) failures.push(`${name}: ${f}`);
  const anchorFingerprint = (chain.anchor as JpkiCertificate | undefined)?.sha256Fingerprint;
  const issuer = anchored.find((a) => a.ca.sha256Fingerprint === anchorFingerprint);
  if (chain.ok && issuer === undefined) failures.push(`${name}: chained to a CA that is not an on-chain trust anchor`);
  // Validity (also part of verifyChain; kept explicit so the message is clear).
  if (now < cert.notBefore || now > cert.notAfter)
    failures.push(`the ${name} is not valid now (expired or not yet valid)`);
  // Policy.
  const policy = role === "auth" ? AUTH_POLICY : SIGN_POLICY;
  if (!cert.policies.includes(policy)) failures.push(`the ${name} lacks the JPKI policy ${policy}`);
  // CRL.
  let usedCrls: readonly LoadedCrl[] | undefined;
  const partition = cert.crlDistributionPoint?.partition;
  const aki = cert.authorityKeyId?.toLowerCase();
  if (partition === undefined || aki === undefined) {
    failures.push(`the ${name} has no CRL distribution point or authority key id`);
  } else {
    const covering = crlsCovering(selectCrls(crls), aki, partition);
    if (covering.problems.length > 0)
      failures.push(`the CRL for the ${name} cannot be used: ${covering.problems.join("; ")}`);
    else if (covering.crls.length === 0) failures.push(`no CRL for the ${name}'s partition was given`);
    else if (covering.crls.some((c) => c.crl.lookup(cert.serialHex) !== undefined))
      failures.push(`the ${name} is revoked (listed in the CRL)`);
    else usedCrls = covering.crls;
  }
  // Card signature over the binding digest.
  if (!verifyPkcs1Sha256(cert.rsa, digest, signature))
    failures.push(`the card signature with the ${role} key does not verify`);
  return issuer === undefined ? undefined : { ...issuer, crls: usedCrls };
}

/**
 * Every off-chain check of DESIGN.md, in a fixed order: binding (chain, registry, deadline, nonce), the
 * authentication certificate (kind, chain to an on-chain authentication anchor, validity, policy, CRL, card
 * signature, key shape), then the signing certificate when present (same checks against a signing anchor, its
 * signature over the same digest, its attributes readable).
 * @throws ChainError `CHAIN_WRONG_NETWORK` when the request is for another chain or registry.
 */
export async function checkProofRequest(inputs: CheckInputs): Promise<ProofCheck> {
  const { request, client, now } = inputs;
  const b = request.binding;
  client.requireChain(b.chainId, "the proof request");
  if (b.registry.toLowerCase() !== client.address.toLowerCase()) {
    throw new ChainError(
      "CHAIN_WRONG_NETWORK",
      `the proof request is for the registry ${b.registry}, not ${client.address}`,
    );
  }
  const failures: string[] = [];
  const nowSeconds = BigInt(Math.floor(now.getTime() / 1000));
  if (getAddress(b.attester) !== getAddress(inputs.attester))
    failures.push(`the binding names another operator (${b.attester}); the holder must bind to ${inputs.attester}`);
  if (b.deadline <= nowSeconds)
    failures.push(`the binding deadline passed at ${new Date(Number(b.deadline) * 1000).toISOString()}`);
  const nonce = await client.nonces(b.subject);
  if (nonce !== b.nonce)
    failures.push(`the binding nonce is stale (the registry is at ${nonce}); the holder must bind again`);
  const onChainDigest = await client.bindingDigest(
    b.subject,
    b.attester,
    b.disclose,
    b.nonce,
    b.deadline,
    b.anonCommitment ?? NO_ANON_COMMITMENT,
  );
  if (onChainDigest.toLowerCase() !== b.digest.toLowerCase())
    failures.push("the binding digest differs from the registry's");
  const digest = getBytes(b.digest);
  const subjectSignature = await checkSubjectSignature(client.provider, b.subject, b.digest, request.subjectSignature);
  if (subjectSignature === undefined)
    failures.push("the subject's signature over the binding does not verify (the wallet's owner did not consent)");

  const anchors = await client.trustAnchors();
  const authCert = parseCertificate(request.authCertificate);
  const authAnchors = anchoredCas(inputs.caCertificates, anchors, AnchorKind.Authentication);
  const authIssuer = checkCertificate(
    "auth",
    authCert,
    request.authSignature,
    digest,
    authAnchors,
    inputs.crls,
    now,
    failures,
  );
  if (BigInt(authCert.rsa.exponent) !== BigInt(CARD_EXPONENT))
    failures.push("the card key's public exponent is not 65537");
  if (authCert.rsa.bits < 2048 || authCert.rsa.bits > 4096) {
    failures.push("the card key is not RSA 2048..4096 bits");
  }

  let sign: ProofCheck["sign"];
  if (request.signCertificate !== undefined && request.signSignature !== undefined) {
    const signCert = parseCertificate(request.signCertificate);
    const signAnchors = anchoredCas(inputs.caCertificates, anchors, AnchorKind.Signing);
    const signIssuer = checkCertificate(
      "sign",
      signCert,
      request.signSignature,
      digest,
      signAnchors,
      inputs.crls,
      now,
      failures,
    );
    let attributes: JpkiAttributes | undefined;
    try {
      attributes = readSigningAttributes(signCert);
    } catch {
      failures.push("the signing certificate's attributes cannot be read");
    }
    if (signIssuer?.crls !== undefined && attributes !== undefined)
      sign = { cert: signCert, ca: signIssuer.ca, caId: signIssuer.caId, crls: signIssuer.crls, attributes };
  }
  return {
    ok: failures.length === 0,
    failures,
    ...(authIssuer?.crls !== undefined
      ? { auth: { cert: authCert, ca: authIssuer.ca, caId: authIssuer.caId, crls: authIssuer.crls } }
      : {}),
    ...(sign !== undefined ? { sign } : {}),
    ...(subjectSignature !== undefined ? { subjectSignature } : {}),
  };
}

/** How to submit: send `attest` now, or sign for the holder to relay with `attestBySig`. */
export type Submission = { readonly mode: "direct" } | { readonly mode: "relay"; readonly relayDeadline: bigint };

/** Inputs of {@link attestProofRequest}. */
export interface AttestInputs extends Omit<CheckInputs, "attester"> {
  /** The registry client, connected with the attester's signer. */
  readonly client: RegistryClient;
  readonly store: OperatorStore;
  /** The operator's HMAC secret. */
  readonly secret: Uint8Array;
  readonly submission: Submission;
}

/** What an attestation produced. */
export interface AttestResult {
  readonly mode: "direct" | "relay";
  readonly subject: string;
  readonly claims: number;
  readonly claimNames: string[];
  readonly caId: number;
  readonly expiryCap: bigint;
  readonly keyNullifier: string;
  readonly identity: boolean;
  /**
   * True when the subject already held an active (unexpired, unrevoked) record bound to this same card key: the
   * new attestation replaces it in place (upgrade of claims, renewal before expiry, change of operator).
   */
  readonly reattestation: boolean;
  /** The commitment to the verification record (in the `Attested` event). */
  readonly recordCommitment: string;
  /** The store row. */
  readonly storeId: number;
  /** Direct mode: the mined transaction. */
  readonly tx?: { hash: string; gasUsed: bigint };
  /** Relay mode: the signed authorization to write to a relay file. */
  readonly relay?: RelayFile;
}

/**
 * The operator pipeline: the attester's role, then the checks (refusing with `OPERATOR_CHECK_FAILED` listing every failed check, the wallet's
 * consent and the binding's attester included), the attester's standing (role, heartbeat, not paused), derivations
 * (claims ⊆ disclose with ages at the grid period's start, person tag whenever a claim comes from the signing
 * certificate, expiry cap on the half-year grid), the card key's state on chain (burned, or active for another
 * subject: refused), the verification record (sealed; its commitment goes on chain), the PII guard over the exact
 * calldata, then the store's `pending` row BEFORE sending (direct) or signing (relay) — superseding the operator's
 * own live row for the subject, reopened if the new attestation fails — and the outcome recorded. A direct
 * attestation whose outcome is unknown (the node took it, then the call failed) stays pending: it settles from chain
 * state, or fails once the binding's deadline has passed (see `reconcile.ts`).
 * @throws OperatorError, ChainError, PiiGuardError, PkiError
 */
export async function attestProofRequest(inputs: AttestInputs): Promise<AttestResult> {
  const { request, client, store, now } = inputs;
  const attester = await client.signer().getAddress();
  await client.requireRole("ATTESTER_ROLE", attester);
  const check = await checkProofRequest({ ...inputs, attester });
  if (!check.ok || check.auth === undefined || check.subjectSignature === undefined) {
    throw new OperatorError(
      "OPERATOR_CHECK_FAILED",
      `the proof request fails ${check.failures.length} check(s): ${check.failures.join("; ")}`,
    );
  }
  await settleSubject(store, client, request.binding.subject);
  if (await client.read<boolean>("paused"))
    throw new ChainError("CHAIN_REVERTED", "the registry is paused: no new attestations", {
      revertName: "RegistryPaused",
    });
  const nowSeconds = BigInt(Math.floor(now.getTime() / 1000));
  const maxStaleness = await client.read<bigint>("maxStaleness");
  const last = await client.lastCrlSync(attester);
  if (maxStaleness > 0n && last + maxStaleness < nowSeconds) {
    throw new OperatorError(
      "OPERATOR_CRL",
      "the attester's last CRL sync is older than the registry's maxStaleness: run `kyc crl-sync` first",
    );
  }

  const b = request.binding;
  const { auth, sign } = check;
  const claims = deriveClaims({
    disclose: b.disclose,
    signingCertificateVerified: sign !== undefined,
    dateOfBirth: sign?.attributes.dateOfBirth ?? null,
    at: now,
  });
  const identity = (claims & Claim.IDENTITY) !== 0;
  const usesSign = sign !== undefined && (claims & FROM_SIGNING) !== 0;
  const tag = usesSign
    ? personTag(inputs.secret, {
        dateOfBirth: sign.attributes.dateOfBirth,
        gender: sign.attributes.genderCode,
        name: sign.attributes.name,
      })
    : ZeroHash;
  const notAfter = usesSign && sign.cert.notAfter < auth.cert.notAfter ? sign.cert.notAfter : auth.cert.notAfter;
  const cap = BigInt(expiryCap(notAfter));
  if (cap <= nowSeconds)
    throw new OperatorError(
      "OPERATOR_CHECK_FAILED",
      "the certificate expires within the current half-year grid period: nothing to attest (renew the card's certificate)",
    );
  const modulus = hexlify(auth.cert.rsa.modulus);
  const cardSignature = hexlify(request.authSignature);
  // An EOA's 65-byte signature goes on chain in its 64-byte EIP-2098 form (one calldata word less).
  const subjectSignature =
    check.subjectSignature === "ecdsa" && request.subjectSignature.length === 65
      ? Signature.from(hexlify(request.subjectSignature)).compactSerialized
      : hexlify(request.subjectSignature);
  const keyNullifier = computeKeyNullifier(modulus);
  await checkAnonCommitmentLock(store, client, attester, {
    commitment: BigInt(b.anonCommitment ?? NO_ANON_COMMITMENT),
    keyNullifier,
    personTag: usesSign ? tag : undefined,
  });
  const reattestation = await checkKey(client, b.subject, keyNullifier);
  // The same card's rows for other wallets: the chain may have ended them (a lost wallet revoked with the card) since
  // the store last looked; settle them so that their certificates stop backing a live row.
  for (const row of await store.liveByKey(client.chainId, client.address, keyNullifier)) {
    if (row.subject !== b.subject.toLowerCase()) await settleSubject(store, client, row.subject);
  }

  const usedCerts: Array<CheckedCard & { role: "auth" | "sign"; caId: number }> = [{ role: "auth", ...auth }];
  if (usesSign) usedCerts.push({ role: "sign", ...sign });
  const record: VerificationRecord = {
    version: 1,
    chainId: client.chainId.toString(),
    registry: client.address.toLowerCase(),
    subject: b.subject.toLowerCase(),
    attester: attester.toLowerCase(),
    bindingDigest: b.digest.toLowerCase(),
    keyNullifier,
    checkedAt: now.toISOString(),
    method: usesSign ? "jpki-auth+sign" : "jpki-auth",
    certificates: usedCerts.map(checkedCertificate),
    subjectSignature: check.subjectSignature,
    claims,
    claimNames: claimNames(claims),
    personTag: usesSign,
  };
  const sealed = sealRecord(record);
  const attestation: AttestationRequest = {
    subject: b.subject,
    disclose: b.disclose,
    deadline: b.deadline,
    claims,
    personTag: tag,
    expiryCap: cap,
    caId: auth.caId,
    recordCommitment: sealed.commitment,
    anonCommitment: b.anonCommitment ?? NO_ANON_COMMITMENT,
  };
  // Our own live row for the subject is replaced (re-attestation, a new card, or renewal of an expired record); any
  // other live row (pending, revoke-pending) is a conflict the store reports.
  const ownRow = await store.live(client.chainId, client.address, b.subject);
  const supersedes = ownRow?.status === "active" ? ownRow.id : undefined;
  const pii: PiiMaterial[] = [piiFromCertificate("authentication certificate", auth.cert)];
  if (request.signCertificate !== undefined) {
    const signCert = sign?.cert ?? parseCertificate(request.signCertificate);
    pii.push(piiFromCertificate("signing certificate", signCert, sign?.attributes, true));
  }
  const certificates: CertificateRef[] = usedCerts.map((c) => certRef(c.role, c.cert));
  const common = {
    subject: b.subject,
    claims,
    claimNames: claimNames(claims),
    caId: auth.caId,
    expiryCap: cap,
    keyNullifier,
    identity,
    reattestation,
    recordCommitment: sealed.commitment,
  };

  // The store row written (as pending) before anything leaves this process; the two paths add their mode.
  const pendingRow = {
    chainId: client.chainId,
    registry: client.address,
    subject: b.subject,
    keyNullifier,
    personTag: usesSign ? tag : null,
    claims,
    caId: auth.caId,
    expiryCap: Number(cap),
    certificates,
    bindingNonce: b.nonce,
    bindingDeadline: Number(b.deadline),
    verification: sealed,
    ...(supersedes !== undefined ? { supersedes } : {}),
  };

  if (inputs.submission.mode === "relay") {
    const relayDeadline = inputs.submission.relayDeadline;
    if (relayDeadline <= nowSeconds)
      throw new OperatorError("OPERATOR_BAD_INPUT", "the relay deadline must be in the future");
    const authz = { binding: b.digest, request: attestation, keyNullifier, relayDeadline };
    const attesterSignature = await signAttestation(client.signer(), client.chainId, client.address, authz);
    // Guard the exact calldata the relayer will send.
    assertNoPii(
      client.encode("attestBySig", [
        requestTuple(attestation),
        modulus,
        cardSignature,
        subjectSignature,
        [attester, relayDeadline, attesterSignature],
      ]),
      pii,
    );
    const storeId = await store.insertPending({ ...pendingRow, mode: "relay", relayDeadline: Number(relayDeadline) });
    const relay: RelayFile = {
      chainId: client.chainId,
      registry: client.address,
      attester,
      request: attestation,
      binding: b.digest,
      keyNullifier,
      relayDeadline,
      modulus,
      cardSignature,
      subjectSignature,
      attesterSignature,
    };
    return { mode: "relay", ...common, storeId, relay };
  }

  const args = [requestTuple(attestation), modulus, cardSignature, subjectSignature];
  // Guard before the pending row, so a refused transaction leaves nothing behind.
  assertNoPii(client.encode("attest", args), pii);
  const storeId = await store.insertPending({ ...pendingRow, mode: "direct" });
  let outcome: TxOutcome;
  let handedToNode = false;
  try {
    outcome = await client.send("attest", args, {
      pii,
      onSending: () => {
        handedToNode = true;
      },
      onSent: async (hash) => await store.setTxHash(storeId, hash),
    });
  } catch (error) {
    // Refused or reverted before anything left (guard, gas estimate, funds), or mined and reverted: failed.
    // Anything else after the hand-off (timeout, dropped connection) may still land: the row stays pending and
    // settles from chain state, or fails once the binding's deadline has passed (reconcile).
    const reverted =
      error instanceof ChainError && (error.code === "CHAIN_REVERTED" || error.code === "CHAIN_MISSING_ROLE");
    if (!handedToNode || reverted) {
      await store.markFailed(storeId, error instanceof Error ? (error.message.split("\n")[0] ?? "failed") : "failed");
    }
    throw error;
  }
  await store.markActive(storeId, outcome.hash);
  return { mode: "direct", ...common, storeId, tx: { hash: outcome.hash, gasUsed: outcome.gasUsed } };
}

/**
 * The card key's state on chain, as the registry will judge it: a burned key (its authentication certificate was
 * found revoked) or one holding an active record for another subject is refused here. Returns true when the key is
 * the subject's current active key (the attestation replaces that record: a re-attestation).
 * @throws OperatorError `OPERATOR_CHECK_FAILED`
 */
async function checkKey(client: RegistryClient, subject: string, keyNullifier: string): Promise<boolean> {
  const state = await client.keyState(keyNullifier);
  if (state.burned) {
    throw new OperatorError(
      "OPERATOR_CHECK_FAILED",
      "this card key can no longer be attested: its authentication certificate was found revoked in a CRL",
    );
  }
  if (state.active && getAddress(state.subject) !== getAddress(subject)) {
    throw new OperatorError(
      "OPERATOR_CHECK_FAILED",
      `this card already backs an active attestation of ${state.subject}; the holder first ends it there ` +
        "(`kyc revoke-self` from that wallet, or `kyc revoke-by-card` when the wallet is lost), then binds the new one",
    );
  }
  return state.active;
}

function checkedCertificate(c: CheckedCard & { role: "auth" | "sign"; caId: number }): CheckedCertificate {
  return {
    role: c.role,
    issuerKeyId: (c.cert.authorityKeyId ?? "").toLowerCase(),
    serialHex: c.cert.serialHex.toLowerCase(),
    chain: [c.ca.sha256Fingerprint.toLowerCase()],
    caId: c.caId,
    crls: c.crls.map((l) => ({
      issuerKeyId: (l.issuerKeyId ?? "").toLowerCase(),
      number: l.crl.crlNumber ?? null,
      thisUpdate: l.crl.thisUpdate.toISOString(),
    })),
  };
}

function certRef(role: "auth" | "sign", cert: JpkiCertificate): CertificateRef {
  return {
    role,
    issuerKeyId: cert.authorityKeyId ?? "",
    partition: cert.crlDistributionPoint?.partition ?? "",
    serialHex: cert.serialHex,
    notAfter: Math.floor(cert.notAfter.getTime() / 1000),
  };
}

/**
 * The anonymous-proof lock: a card key (and, at identity level, the person) keeps its first commitment, so a person
 * gets one nullifier per scope. Read from the registry's `AnonLeaf` history of this attester.
 * @throws OperatorError `OPERATOR_CHECK_FAILED` for another commitment.
 */
async function checkAnonCommitmentLock(
  store: OperatorStore,
  client: RegistryClient,
  attester: string,
  opt: { commitment: bigint; keyNullifier: string; personTag: string | undefined },
): Promise<void> {
  if (opt.commitment === 0n) return;
  const keys = [opt.keyNullifier.toLowerCase()];
  if (opt.personTag !== undefined) {
    for (const k of await store.keysByPersonTag(client.chainId, client.address, opt.personTag)) {
      if (!keys.includes(k)) keys.push(k);
    }
  }
  const leaves = new AnonRegistryLeaves(attester);
  for (const e of await readAnonRegistryEvents(client.provider, client.address)) leaves.apply(e);
  const conflict = anonCommitmentConflict(leaves, keys, opt.commitment);
  if (conflict !== undefined) {
    throw new OperatorError(
      "OPERATOR_CHECK_FAILED",
      conflict.keyNullifier === keys[0]
        ? "this card key opted in to anonymous proofs with another commitment: bind again with the same secret"
        : "this person opted in to anonymous proofs with another commitment (another card): bind again with the same secret",
    );
  }
}
