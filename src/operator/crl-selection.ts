import { KycError } from "../errors.js";
import { FULL_CRL_SCOPE, coveringScopes, newestPerScope } from "../pki/crl-selection.js";
import type { LoadedCrl } from "./crl-files.js";
import type { CrlPartition } from "./crl-sync.js";
import { OperatorError } from "./operator-error.js";
import type { OperatorStore } from "./store/operator-store.js";

/** A CRL that cannot be used, with the (issuer key id, scope) it claims. */
export interface CrlProblem {
  readonly file: string;
  /** The verified issuer key id, or the one the CRL claims ("" when it names none). */
  readonly issuerKeyId: string;
  readonly scope: string;
  readonly problem: string;
}

/** The CRLs `kyc attest` and `kyc crl-sync` use, chosen from a folder by one rule (see {@link selectCrls}). */
export interface CrlSelection {
  /** The CRL used per (issuer key id, scope): verified, the highest cRLNumber of its scope, fresh. */
  readonly used: readonly LoadedCrl[];
  /** CRLs that cannot be used: unverified ones, and the newest CRL of a scope when it is not fresh. */
  readonly problems: readonly CrlProblem[];
}

/**
 * The one rule for choosing CRLs, shared by `kyc attest` and `kyc crl-sync`:
 * 1. a CRL is identified by its content: its issuer (name + authority key id → the CA generation whose key verifies
 *    its signature) and its scope (`crlScope`: the partition its issuingDistributionPoint names, or the whole CA for
 *    a CRL without one). File names and folders carry no meaning.
 * 2. per (issuer key id, scope), among the CRLs whose signature verifies, the one with the highest cRLNumber is
 *    used; lower-numbered ones are superseded and ignored, fresh or not. When that newest CRL is not fresh, the
 *    scope has no usable CRL (a problem): an older CRL is never used in its place.
 * 3. a CRL whose signature does not verify, or whose issuer is not in the CA folder, is a problem for the scope it
 *    claims.
 * Coverage (`crlsCovering`): a certificate is checked against the used CRLs of its CA key for its partition and for
 * the whole CA (`coveringScopes`), and is revoked if any lists it.
 * @throws OperatorError `OPERATOR_CRL` when CRLs of one scope cannot be ordered (`PKI_CRL_AMBIGUOUS`).
 */
export function selectCrls(crls: readonly LoadedCrl[]): CrlSelection {
  const problems: CrlProblem[] = [];
  for (const c of crls) {
    if (c.problems.length > 0) problems.push(problem(c, c.problems.join("; ")));
  }
  let newest: Map<string, LoadedCrl>;
  try {
    newest = newestPerScope(crls.filter((c) => c.problems.length === 0));
  } catch (cause) {
    if (!(cause instanceof KycError)) throw cause;
    throw new OperatorError("OPERATOR_CRL", cause.message, { cause });
  }
  const used: LoadedCrl[] = [];
  for (const c of newest.values()) {
    if (c.staleness === undefined) used.push(c);
    else problems.push(problem(c, `the newest CRL of its scope (cRLNumber ${c.number}) is ${c.staleness}`));
  }
  return { used, problems };
}

/**
 * The CRLs that decide a certificate issued by the CA with key id `issuerKeyId` whose cRLDistributionPoints
 * partition is `partition`: the used CRLs of its partition and of the whole CA. `problems` lists the unusable CRLs
 * that claim one of these scopes for this CA (or name no CA): when not empty, the certificate cannot be checked.
 * No CRL and no problem means no CRL covering the certificate was given.
 */
export function crlsCovering(
  selection: CrlSelection,
  issuerKeyId: string,
  partition: string,
): { crls: LoadedCrl[]; problems: string[] } {
  const aki = issuerKeyId.toLowerCase();
  const scopes = coveringScopes(partition);
  return {
    crls: selection.used.filter((c) => c.issuerKeyId === aki && scopes.includes(c.scope)),
    problems: selection.problems
      .filter((p) => (p.issuerKeyId === aki || p.issuerKeyId === "") && scopes.includes(p.scope))
      .map((p) => `${p.file}: ${p.problem}`),
  };
}

/**
 * The used CRLs as crl-sync's partitions, refusing the whole set when any CRL has a problem (nothing is sent then).
 * @throws OperatorError `OPERATOR_CRL`
 */
export function verifiedPartitions(selection: CrlSelection): CrlPartition[] {
  if (selection.problems.length > 0) {
    const first = selection.problems[0]!;
    throw new OperatorError(
      "OPERATOR_CRL",
      `${selection.problems.length} CRL(s) cannot be used, nothing was sent; first: ${first.file}: ${first.problem}`,
    );
  }
  return selection.used.map((c) => ({
    issuerKeyId: c.issuerKeyId,
    partition: c.scope,
    lookup: (serialHex: string) => c.crl.lookup(serialHex),
  }));
}

/**
 * Rollback protection: refuses the selection when a used CRL's number is lower than the highest number the store
 * has seen for its (chain, registry, issuer key id, scope) — an older CRL presented again, which may miss
 * revocations — then (with `record`) remembers each used CRL's number. All or nothing: nothing is recorded when
 * one CRL is refused. An equal number is the same CRL again and passes.
 * @throws OperatorError `OPERATOR_CRL_ROLLBACK`
 */
export async function admitCrlNumbers(
  store: OperatorStore,
  chainId: bigint,
  registry: string,
  selection: CrlSelection,
  record: boolean,
): Promise<void> {
  await store.transaction(async () => {
    for (const c of selection.used) {
      const seen = await store.crlNumberSeen(chainId, registry, c.issuerKeyId, c.scope);
      if (seen !== undefined && c.number < seen) {
        throw new OperatorError(
          "OPERATOR_CRL_ROLLBACK",
          `${c.file} has cRLNumber ${c.number}, lower than ${seen} already used for ${describeScope(c)}: an older CRL is refused, nothing was done`,
        );
      }
    }
    if (record)
      for (const c of selection.used) await store.recordCrlNumber(chainId, registry, c.issuerKeyId, c.scope, c.number);
  });
}

function describeScope(c: LoadedCrl): string {
  return `${c.scope === FULL_CRL_SCOPE ? "the full CRL" : `partition ${c.scope}`} of CA ${c.issuerKeyId}`;
}

function problem(c: LoadedCrl, text: string): CrlProblem {
  return { file: c.file, issuerKeyId: c.issuerKeyId, scope: c.scope, problem: text };
}
