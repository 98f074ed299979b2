// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {KycStatus} from "./IKycRegistry.sol";

/// @notice The registry's own, coarse revocation reasons (never a JPKI CRL reason code).
/// @dev `HolderRequest`: `revokeSelf` / `revokeByCard` only. `CertificateInvalid`: `revokeInvalidKeys` only (the
/// authentication certificate is listed in the CRL; the card key is burned). `Superseded` and `Operator`: `revoke`
/// and `revokeBatch`. Only `CertificateInvalid` burns the card key; after any other end the card can bind again.
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

/// @notice Why a batch call (`revokeBatch`, `revokeInvalidKeys`, `dropSigningClaims`) skipped an entry.
enum SkipReason {
    /// @dev the subject has no active record (or the key no record at all)
    NotActive,
    /// @dev the caller is neither a revoker nor the active attester that issued the record
    NotAuthorized,
    /// @dev the card key is already burned
    AlreadyBurned,
    /// @dev the record carries no claim from the signing certificate
    NoSigningClaims
}

/// @notice What the operator asks the registry to record. Contains no certificate data.
/// @dev `subject`, `disclose` and `deadline` are the card binding's fields (with the attester and the holder nonce,
/// which the registry supplies); the rest is the operator's. A static struct: it ABI-encodes as its fields.
struct AttestationRequest {
    /// @dev the address that receives the attestation; signs the binding too (EOA or ERC-1271)
    address subject;
    /// @dev the claim bits the holder allowed to publish (signed in `KycBinding`)
    uint32 disclose;
    /// @dev the `KycBinding` deadline, unix seconds
    uint64 deadline;
    /// @dev the published claims: must include AUTH and be a subset of `disclose`
    uint32 claims;
    /// @dev HMAC person tag; non-zero iff a claim comes from the signing certificate (IDENTITY, AGE_18, AGE_20)
    bytes32 personTag;
    /// @dev the operator's bound from the certificates' notAfter, rounded down to the half-year `EXPIRY_GRID`
    uint64 expiryCap;
    /// @dev the authentication-CA trust anchor the card's certificate chains to
    uint16 caId;
    /// @dev salted hash of the operator's off-chain verification record (non-zero), emitted in `Attested`
    bytes32 recordCommitment;
    /// @dev the `KycBinding` field `anonCommitment`: Poseidon(secret) of the holder's anonymous-proof secret (a BN254
    /// scalar field element), or zero when the holder does not opt in. Non-zero: the registry emits `AnonLeaf`.
    bytes32 anonCommitment;
}

/// @notice An attester's authorisation to relay one attestation (`attestBySig`): its EIP-712 `Attestation` signature
/// (ECDSA or ERC-1271) over `attestationDigest(binding, req, keyNullifier, deadline)`.
struct RelayAuthorization {
    /// @dev the attester named in the binding, holding ATTESTER_ROLE
    address attester;
    /// @dev unix seconds after which the authorisation cannot be relayed
    uint64 deadline;
    /// @dev the attester's signature
    bytes signature;
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
