// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {KycStatus} from "./IKycRegistry.sol";

/// @notice The registry's own, coarse revocation reasons (never a JPKI CRL reason code).
enum RevocationReason {
    HolderRequest,
    CertificateInvalid,
    Superseded,
    Operator
}

/// @notice Which JPKI CA a trust anchor is: the user-authentication CA or the digital-signature CA.
enum AnchorKind {
    Authentication,
    Signing
}

/// @notice What the operator asks the registry to record. Contains no certificate data.
struct AttestationRequest {
    /// @dev the address that receives the attestation (as signed by the card in `KycBinding`)
    address subject;
    /// @dev the claim bits the holder allowed to publish (as signed by the card in `KycBinding`)
    uint32 disclose;
    /// @dev the `KycBinding` deadline, unix seconds
    uint64 deadline;
    /// @dev the published claims: must include AUTH and be a subset of `disclose`
    uint32 claims;
    /// @dev HMAC person tag; non-zero iff IDENTITY is claimed
    bytes32 personTag;
    /// @dev the operator's bound derived from the certificate's notAfter, already rounded down to the 30-day grid
    uint64 expiryCap;
    /// @dev the authentication-CA trust anchor the card's certificate chains to
    uint16 caId;
}

/// @notice A full attestation record, as returned by `attestationOf`.
struct AttestationView {
    address attester;
    KycStatus status;
    uint32 claims;
    uint64 expiresAt;
    uint16 caId;
    uint64 attestedAt;
    uint64 revokedAt;
    RevocationReason reason;
    bytes32 personTag;
}

/// @notice A trust anchor (one JPKI CA generation), as returned by `trustAnchor`.
struct TrustAnchorView {
    AnchorKind kind;
    bytes32 keyHash;
    uint64 notBefore;
    uint64 notAfter;
    bool enabled;
}
