import { KycError } from "../errors.js";

/** Stable codes of every error the PKI layer raises on purpose. */
export type PkiErrorCode =
  /** The input is not well-formed DER (truncated, wrong tag, bad or indefinite length, nesting too deep). */
  | "PKI_MALFORMED"
  /** Bytes follow the outermost DER element. */
  | "PKI_TRAILING_DATA"
  /** The input is neither DER nor a PEM block of the expected type. */
  | "PKI_BAD_PEM"
  /** The signature algorithm is not one this toolkit verifies (sha256/384/512 with RSA). */
  | "PKI_UNSUPPORTED_ALGORITHM"
  /** The public key is not an RSA key. */
  | "PKI_NOT_RSA"
  /** A CRL lists the same serial number twice. */
  | "PKI_CRL_DUPLICATE_ENTRY"
  /** A CRL or CRL entry carries a critical extension this toolkit does not process (RFC 5280 §5.2, §5.3). */
  | "PKI_CRL_UNSUPPORTED_CRITICAL_EXTENSION"
  /**
   * The CRL is not a complete, direct, full-scope CRL: a delta CRL (deltaCRLIndicator), an indirect CRL
   * (issuingDistributionPoint indirectCRL, or a certificateIssuer entry extension), or one limited to CA
   * certificates, attribute certificates or some reasons (issuingDistributionPoint).
   */
  | "PKI_CRL_UNSUPPORTED_SCOPE"
  /** No trust anchor or CA matches the certificate's or CRL's authority key identifier / issuer. */
  | "PKI_ISSUER_NOT_FOUND"
  /** No CRL in a folder covers the certificate. */
  | "PKI_CRL_NOT_FOUND"
  /** A CRL has no cRLNumber: CRLs are told apart and ordered by it (newest wins, rollbacks are refused). */
  | "PKI_CRL_NO_NUMBER"
  /**
   * CRLs of one issuer and scope cannot be ordered: two different CRLs carry the same cRLNumber, or two CRLs whose
   * distribution point names differ map to one partition.
   */
  | "PKI_CRL_AMBIGUOUS"
  /** A signing-certificate attribute is missing or malformed. */
  | "PKI_BAD_ATTRIBUTE"
  /** A file could not be read or written, or a dev-pki folder is incomplete. */
  | "PKI_IO"
  /** An argument given to the PKI layer is invalid (bad serial hex, bad date, bad option). */
  | "PKI_BAD_ARGUMENT";

/** The error every PKI path raises on purpose (bad input, never a failed check: those are results). */
export class PkiError extends KycError {
  declare readonly code: PkiErrorCode;

  constructor(code: PkiErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
