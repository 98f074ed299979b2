import { loadCaDirectory } from "../operator/ca-directory.js";
import { loadCrls, type LoadedCrl } from "../operator/crl-files.js";
import type { JpkiCertificate } from "../pki/certificate.js";

/** The CA certificates and CRLs a check needs, as of one load. */
export interface CrlSnapshot {
  readonly caCertificates: readonly JpkiCertificate[];
  readonly crls: readonly LoadedCrl[];
  /** The time the CRLs' freshness was judged at (unix ms). */
  readonly loadedAt: number;
}

/**
 * The operator's CA folder and CRL folder, loaded as `kyc attest` loads them (`loadCaDirectory`, `loadCrls`) and kept
 * for `maxAgeMs`, so a request does not re-read every CRL. Each load passes `onLoad` (the rollback check) first. A CRL's freshness is judged at load time: a CRL that goes
 * stale is noticed at the next reload (at most `maxAgeMs` later); crl-sync reloads at once ({@link invalidate}).
 */
export class CrlCache {
  private snapshot: CrlSnapshot | undefined;

  constructor(
    private readonly caDir: string,
    private readonly crlPath: string,
    private readonly maxAgeMs = 300_000,
    /** Runs on every fresh load before the snapshot is used (the service's CRL rollback check); may throw. */
    private readonly onLoad: (snapshot: CrlSnapshot) => void | Promise<void> = () => undefined,
  ) {}

  /**
   * The current snapshot, reloaded when older than `maxAgeMs` (judged at `now`, the chain's time).
   * @throws OperatorError `OPERATOR_BAD_INPUT` / `OPERATOR_CRL` from the loaders.
   */
  async get(now: Date): Promise<CrlSnapshot> {
    const s = this.snapshot;
    if (s !== undefined && Math.abs(now.getTime() - s.loadedAt) < this.maxAgeMs) return s;
    const caCertificates = loadCaDirectory(this.caDir);
    const crls = loadCrls(this.crlPath, caCertificates, now);
    const snapshot = { caCertificates, crls, loadedAt: now.getTime() };
    await this.onLoad(snapshot);
    this.snapshot = snapshot;
    return snapshot;
  }

  /** Forgets the snapshot (new CRLs were fetched). */
  invalidate(): void {
    this.snapshot = undefined;
  }
}
