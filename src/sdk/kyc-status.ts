import type { KYC_STATUS_NAMES } from "../chain/registry-abi.js";

/** The registry's `KycStatus` names: None, Active, Expired, Revoked, StaleOperator, DisabledTrustAnchor. */
export type KycStatusName = (typeof KYC_STATUS_NAMES)[number];

/** `kycStatus(account)`, decoded for display. */
export interface KycStatusView {
  readonly account: string;
  /** the enum value (0 None … 5 DisabledTrustAnchor) */
  readonly status: number;
  readonly statusName: KycStatusName;
  /** true iff `statusName` is `Active` */
  readonly verified: boolean;
  /** the published claim bits (also when not Active) */
  readonly claims: number;
  /** the names of `claims`, e.g. `["auth", "age18"]` */
  readonly claimNames: string[];
  /** unix seconds; 0 when `None` */
  readonly expiresAt: bigint;
  /** `expiresAt` as a Date, or null when `None` */
  readonly expiresAtDate: Date | null;
}
