// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IKycRegistry} from "./IKycRegistry.sol";
import {IKycRegistryErrors} from "./IKycRegistryErrors.sol";
import {IKycRegistryEvents} from "./IKycRegistryEvents.sol";
import {AttestationRequest, RelayAuthorization, RevocationReason} from "./KycTypes.sol";

/// @title IKycRegistryOperations — attest, relay, revoke and the holder's reads of the JPKI KYC registry (v2)
/// @notice Nothing from a certificate is ever stored, emitted or accepted as calldata: only the card's
/// authentication public key, the card and wallet signatures, hashes, coarse claim bits and timestamps on a
/// half-year grid. The administration surface is in `IKycRegistryAdmin`, served at the same address.
///
/// The card binding (EIP-712, domain `{name: "JPKI KYC Registry", version: "2", chainId, verifyingContract}`):
///
///     KycBinding(address subject, address attester, uint32 disclose, uint256 nonce, uint64 deadline)
///
/// `attester`: the operator the holder chose (no other attester can use the binding); `nonce`: `nonces(subject)`,
/// consumed on success; `disclose`: the claim bits the holder allows; `deadline`: unix seconds. The card signs the
/// digest with RSASSA-PKCS1-v1_5 / SHA-256 (DigestInfo(SHA-256, sha256(digest))), and the subject signs the same
/// digest (eth_signTypedData_v4 for an EOA, ERC-1271 for a smart account): no card can be bound to an address whose
/// owner did not consent.
interface IKycRegistryOperations is IKycRegistry, IKycRegistryEvents, IKycRegistryErrors {
    // ------------------------------------------------------------------ reads

    /// @notice The holder nonce of `subject`, signed in `KycBinding` and `Revoke` and consumed on success.
    function nonces(address subject) external view returns (uint256);
    /// @notice EIP-712 digest of `KycBinding(subject, attester, disclose, nonce, deadline, anonCommitment)` under this
    /// registry's domain: what the card and the subject sign. `anonCommitment` is the holder's opt-in to anonymous
    /// proofs (Poseidon(secret), a BN254 scalar field element), zero for none.
    function bindingDigest(
        address subject,
        address attester,
        uint32 disclose,
        uint256 nonce,
        uint64 deadline,
        bytes32 anonCommitment
    ) external view returns (bytes32);
    /// @notice EIP-712 digest of `Revoke(subject, nonce, deadline)` (signed by the card for `revokeByCard`).
    function revokeDigest(address subject, uint256 nonce, uint64 deadline) external view returns (bytes32);
    /// @notice EIP-712 digest of the attester's relay authorisation:
    /// `Attestation(bytes32 binding, uint32 claims, bytes32 personTag, uint64 expiryCap, uint16 caId,
    /// bytes32 keyNullifier, bytes32 recordCommitment, uint64 relayDeadline)` with `binding` the binding digest. It
    /// has no attester nonce: the binding's holder nonce makes each authorisation single-use, and any number of them
    /// can be outstanding at once.
    function attestationDigest(
        bytes32 binding,
        AttestationRequest calldata req,
        bytes32 keyNullifier,
        uint64 relayDeadline
    ) external view returns (bytes32);
    /// @notice The state of a card key: the subject it was last bound to (zero: never), whether that subject's
    /// record is active with this key now, and whether the key is burned (its authentication certificate was found
    /// revoked). A key that is not burned and not active can bind again.
    function keyState(bytes32 keyNullifier) external view returns (address subject, bool active, bool burned);
    /// @notice Whether `keyNullifier` is the card key of `subject`'s current record (any status but None).
    function isCurrentKey(address subject, bytes32 keyNullifier) external view returns (bool);
    /// @notice The anonymous-proof root at `ref` (attesterId << 8 | ring index, from `AnonRootPublished`): the
    /// root (zero: nothing published there), when it was published, and until when it may be used. A root is usable
    /// while `block.timestamp <= validUntil`: an attester's removal sets the validUntil of its roots to zero, and a
    /// root's validUntil is never past its attester's CRL heartbeat deadline (the staleness rule of `isVerified`) as
    /// of publication. A consumer adds its own bound on `block.timestamp - publishedAt` (`KycAnonGated`).
    function anonRootAt(uint256 ref) external view returns (bytes32 root, uint64 publishedAt, uint64 validUntil);
    /// @notice The admin extension every call not served here is delegated to (`IKycRegistryAdmin`).
    function extension() external view returns (address);
    function version() external pure returns (string memory);

    // ------------------------------------------------------------------ writes

    /// @notice Record an attestation: ATTESTER_ROLE, not paused. Verifies on chain the card's RSA signature (e = 65537)
    /// and the subject's signature over `bindingDigest(subject, msg.sender, disclose, nonces(subject), deadline,
    /// anonCommitment)`; with a non-zero `anonCommitment` it emits `AnonLeaf` (the anonymous-proof leaf's parts),
    /// consumes the holder nonce, and replaces the subject's record if it has one (re-attestation, a new card, or
    /// another attester, all with the subject's consent). The key may hold no other active record and must not be
    /// burned.
    function attest(
        AttestationRequest calldata req,
        bytes calldata modulus,
        bytes calldata cardSignature,
        bytes calldata subjectSignature
    ) external;

    /// @notice Same as `attest` with `relay.attester` in the binding, relayed by anyone with that attester's EIP-712
    /// `Attestation` signature (ECDSA or ERC-1271) over `attestationDigest`, before `relay.deadline`.
    function attestBySig(
        AttestationRequest calldata req,
        bytes calldata modulus,
        bytes calldata cardSignature,
        bytes calldata subjectSignature,
        RelayAuthorization calldata relay
    ) external;

    /// @notice Revoke `subject`'s active attestation with `Superseded` or `Operator`: REVOKER_ROLE or the active
    /// attester that issued it. The card key stays usable.
    function revoke(address subject, RevocationReason reason) external;
    /// @notice The holder withdraws its own attestation (reason `HolderRequest`) and consumes its holder nonce, so a
    /// binding it signed earlier (and nobody submitted) cannot attest it afterwards; the card can bind again.
    function revokeSelf() external;
    /// @notice Revoke with the card when the wallet key is lost: RSA signature over `revokeDigest(subject,
    /// nonces(subject), deadline)` by the key of the subject's active record. Anyone may relay. Reason
    /// `HolderRequest`; the nonce is consumed and the same card can bind a new wallet.
    function revokeByCard(
        address subject,
        uint64 deadline,
        bytes calldata modulus,
        bytes calldata cardSignature
    ) external;
    /// @notice The CRL path: each key's authentication certificate is listed in the CRL. Burns the key and revokes
    /// its active record with `CertificateInvalid`. Per key: REVOKER_ROLE, or the active attester that issued the
    /// key's last record; entries the caller may not act on are skipped (`KeySkipped`), never reverting the batch.
    /// @return revoked the number of records revoked (keys burned without an active record are not counted)
    function revokeInvalidKeys(bytes32[] calldata keyNullifiers) external returns (uint256 revoked);
    /// @notice CRL-sync heartbeat for the calling attester (ATTESTER_ROLE).
    function recordCrlSync() external;

    // ------------------------------------------------------------------ anonymous-proof roots

    /// @notice ATTESTER_ROLE: publish `root` = Poseidon(treeRoot, validUntil) mod 2^176 (non-zero), where treeRoot
    /// is the root of the caller's tree of anonymous-proof leaves, rebuilt from `AnonLeaf`, `Revoked`,
    /// `SigningClaimsDropped` and `Attested` events (anyone can rebuild it and compare: `kyc anon check-root`). A
    /// proof against `root` shows a leaf that expires after `validUntil`, so the root may be used until `validUntil`:
    /// after now and at most MAX_ANON_ROOT_VALIDITY ahead (`InvalidAnonRootValidity`), and not past the moment the
    /// caller turns stale without a new CRL heartbeat (`AnonRootOutlivesCrlSync`). The root goes into the caller's
    /// ring of the last 64 (the oldest is overwritten) at the `ref` that `AnonRootPublished` reports; consumers read
    /// it with `anonRootAt(ref)`. Publishing the same root again takes a new ring entry with a fresh publishedAt.
    /// A lowered `maxStaleness` bounds the roots published before it once `clampAnonRoots` ran for their attester.
    function publishAnonRoot(bytes32 root, uint64 validUntil, uint32 leafCount) external;
    /// @notice ATTESTER_ROLE: `publishAnonRoot`, after making every earlier root of the caller unusable from this
    /// block on (their validUntil becomes block.timestamp - 1: `AnonRootsClamped`). For a root that removes or
    /// replaces leaves (a revocation, a claim drop, a disabled trust anchor): once it is published, no earlier root
    /// that still holds those leaves proves. Holders with a proof against an earlier root prove again. Costs a read
    /// and a write of each root published since the caller's last replacement (at most 64; earlier ones ended then).
    function replaceAnonRoots(bytes32 root, uint64 validUntil, uint32 leafCount) external;
}
