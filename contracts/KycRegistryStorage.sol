// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// solhint-disable-next-line max-line-length
import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {KycStatus} from "./interfaces/IKycRegistry.sol";
import {ICardKeyVerifier} from "./interfaces/ICardKeyVerifier.sol";
import {IKycRegistryErrors} from "./interfaces/IKycRegistryErrors.sol";
import {IKycRegistryEvents} from "./interfaces/IKycRegistryEvents.sol";
import {AttestationRequest, RevocationReason} from "./interfaces/KycTypes.sol";
import {Claims} from "./libraries/Claims.sol";

/// @title KycRegistryStorage — the storage layout and shared internals of `KycRegistry` and its admin extension
/// @notice Not deployed on its own. `KycRegistry` (the hot paths: reads, attest, revoke) and `KycRegistryAdmin`
/// (batches, pluggable verifiers, trust anchors, parameters; reached through the registry's `fallback` by
/// DELEGATECALL) both derive from this contract alone and declare no state of their own, so they share one storage
/// layout.
/// @dev Storage per attestation: one packed record slot per subject (everything a read needs, the holder nonce, the
/// attestation time and a 40-bit key fingerprint) and one key-state slot per card key (the subject it was last bound
/// to and a burned flag); claims from the signing certificate add `_personTags` and `_personTagOwner`; a revocation
/// adds `_revocations`. Attesters are numbered (16-bit ids). `isVerified` / `hasClaims` / `kycStatus` read two slots:
/// the record, then the attester's id-keyed slot, which mirrors `maxStaleness` and the disabled-anchor bitmap.
///
/// Key lifecycle (DESIGN.md): a card key holds at most one active record. After any end that is not a compromise (the
/// holder revoked, the wallet was lost and the card revoked it, the record was replaced, revoked by the operator or
/// expired) the key is free to bind again, to any subject that consents. Only `revokeInvalidKeys` (the authentication
/// certificate is listed in the CRL) burns a key, for good. Freedom is judged lazily: a key is active iff the record of
/// the subject it was last bound to is active, unexpired and carries the key's fingerprint.
abstract contract KycRegistryStorage is AccessControlDefaultAdminRules, EIP712, IKycRegistryEvents, IKycRegistryErrors {
    // ------------------------------------------------------------------ constants

    bytes32 internal constant _ATTESTER_ROLE = keccak256("ATTESTER_ROLE");
    bytes32 internal constant _REVOKER_ROLE = keccak256("REVOKER_ROLE");
    bytes32 internal constant _PAUSER_ROLE = keccak256("PAUSER_ROLE");
    bytes32 internal constant _ANCHOR_MANAGER_ROLE = keccak256("ANCHOR_MANAGER_ROLE");

    /// @dev Half a mean Gregorian year (365.2425 days / 2), from the unix epoch. Expiry caps sit on it and the
    /// registry rounds every expiry down to it, so `expiresAt` says at most in which half-year a certificate's notAfter
    /// (the holder's birthday) falls.
    uint64 internal constant _EXPIRY_GRID = 15_778_476;
    uint16 internal constant _MAX_TRUST_ANCHORS = 64;
    uint16 internal constant _MAX_ATTESTERS = 256;
    uint256 internal constant _MIN_MODULUS_BYTES = 256;
    uint256 internal constant _MAX_MODULUS_BYTES = 512;
    /// @dev The key type of the inline RSA path (key nullifier `keccak256(0x00 ‖ modulus)`).
    uint8 internal constant _KEY_TYPE_RSA = 0;
    /// @dev The longest an anonymous-proof root may be used after its publication (its `validUntil` bound).
    uint64 internal constant _MAX_ANON_ROOT_VALIDITY = 7 days;
    /// @dev How many roots an attester's ring holds: a publication overwrites the oldest of the last 64.
    uint256 internal constant _ANON_ROOT_RING = 64;
    /// @dev A published root is the low 176 bits of Poseidon(treeRoot, validUntil), so that one slot holds it with
    /// its publishedAt and validUntil (circuits/README.md).
    uint256 internal constant _ANON_ROOT_BITS = 176;
    /// @dev The BN254 scalar field order: anonymous-proof commitments are its elements.
    uint256 internal constant _SNARK_SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    bytes32 internal constant _KYC_BINDING_TYPEHASH = keccak256(
        "KycBinding(address subject,address attester,uint32 disclose,uint256 nonce,uint64 deadline,"
        "bytes32 anonCommitment)"
    );
    bytes32 internal constant _REVOKE_TYPEHASH = keccak256("Revoke(address subject,uint256 nonce,uint64 deadline)");
    bytes32 internal constant _ATTESTATION_TYPEHASH = keccak256(
        "Attestation(bytes32 binding,uint32 claims,bytes32 personTag,uint64 expiryCap,uint16 caId,bytes32 keyNullifier,"
        "bytes32 recordCommitment,uint64 relayDeadline)"
    );

    uint8 internal constant _STATUS_ACTIVE = uint8(KycStatus.Active);
    uint8 internal constant _STATUS_REVOKED = uint8(KycStatus.Revoked);
    uint256 internal constant _KEY_BURNED = uint256(1) << 160;

    // ------------------------------------------------------------------ storage

    /// @dev One slot: every global parameter a read or an attestation needs. Bits, low to high: maxAge 0-39,
    /// maxStaleness 40-79, paused 80-87, anchorCount 88-103, disabledAnchors 104-167, signingAnchors 168-231,
    /// attesterCount 232-247.
    struct Config {
        uint40 maxAge;
        uint40 maxStaleness;
        bool paused;
        uint16 anchorCount;
        uint64 disabledAnchors; // bit (caId - 1) set: anchor disabled
        uint64 signingAnchors; // bit (caId - 1) set: anchor kind is Signing
        uint16 attesterCount;
    }

    /// @dev One slot per subject. Bits: attesterId 0-15, status 16-23, claims 24-55, expiresAt 56-95, caId 96-111,
    /// nonce 112-175, attestedAt 176-215, keyFingerprint 216-255.
    struct Record {
        uint16 attesterId;
        uint8 status; // KycStatus.None, Active or Revoked
        uint32 claims;
        uint40 expiresAt;
        uint16 caId;
        uint64 nonce; // the holder nonce: survives revocation and re-attestation
        uint40 attestedAt;
        uint40 keyFingerprint; // low 40 bits of the record's key nullifier
    }

    /// @dev Written by a revocation only.
    struct Revocation {
        uint40 revokedAt;
        uint8 reason;
    }

    /// @dev One slot per attester id, holding everything a read needs besides the record: the attester's own state
    /// plus a mirror of the global `maxStaleness` and disabled-anchor bitmap (kept equal to `_config` by the setters,
    /// which update every attester: at most MAX_ATTESTERS), so that `isVerified` reads two slots; and where the
    /// attester's next anonymous-proof root goes in its ring. Bits: lastCrlSync 0-39, active 40-47, maxStaleness
    /// 48-87, disabledAnchors 88-151, anonRingNext 152-159, anonRingWritten 160-167, anonRingOpen 168-175.
    struct AttesterInfo {
        uint40 lastCrlSync;
        bool active; // mirrors ATTESTER_ROLE
        uint40 maxStaleness; // mirror of _config.maxStaleness
        uint64 disabledAnchors; // mirror of _config.disabledAnchors
        uint8 anonRingNext; // the ring index the next publication writes
        uint8 anonRingWritten; // entries written so far (at most the ring's size)
        uint8 anonRingOpen; // entries written since the last replaceAnonRoots (at most the ring's size)
    }

    /// @dev One slot per attester address: what the attest paths need. `active` and `lastCrlSync` are kept equal to
    /// the id-keyed `AttesterInfo`. Bits: id 0-15, active 16-23, lastCrlSync 24-63.
    struct AttesterKey {
        uint16 id;
        bool active;
        uint40 lastCrlSync;
    }

    struct Anchor {
        bytes32 keyHash;
        uint64 notBefore;
        uint64 notAfter;
    }

    Config internal _config;
    mapping(address subject => Record) internal _records;
    mapping(address subject => Revocation) internal _revocations;
    mapping(address subject => bytes32) internal _personTags;
    mapping(uint16 attesterId => mapping(bytes32 personTag => address subject)) internal _personTagOwner;
    mapping(address attester => AttesterKey) internal _attesterKeys;
    mapping(uint16 attesterId => AttesterInfo) internal _attesters;
    mapping(uint16 attesterId => address) internal _attesterAccounts;
    mapping(uint16 caId => Anchor) internal _anchors;
    mapping(bytes32 keyHash => uint16 caId) internal _anchorByKeyHash;
    mapping(uint8 keyType => ICardKeyVerifier) internal _keyVerifiers;
    /// @dev Key state: the subject the key was last bound to (bits 0-159) and the burned flag (bit 160).
    mapping(bytes32 keyNullifier => uint256) internal _keys;
    /// @dev Anonymous-proof roots published by attesters (`publishAnonRoot`), a ring of `_ANON_ROOT_RING` per
    /// attester: ref = attesterId << 8 | index → root << 80 | publishedAt << 40 | validUntil (root 176 bits,
    /// times 40). One slot is everything a consumer reads per proof: an attester's removal sets the validUntil of
    /// its ring to zero, and validUntil is never past the attester's CRL heartbeat deadline at publication.
    mapping(uint256 ref => uint256 word) internal _anonRing;

    // ------------------------------------------------------------------ construction

    constructor(
        address admin,
        uint48 adminDelay,
        uint64 initialMaxAge,
        uint64 initialMaxStaleness
    ) AccessControlDefaultAdminRules(adminDelay, admin) EIP712("JPKI KYC Registry", "2") {
        _setMaxAge(initialMaxAge);
        _setMaxStaleness(initialMaxStaleness);
    }

    // ------------------------------------------------------------------ internals: reads

    /// @dev At most three storage loads: record, config, attester. Order: None, Revoked, Expired,
    /// DisabledTrustAnchor, StaleOperator, Active.
    function _status(address account) internal view returns (KycStatus, uint32, uint64) {
        uint256 r = _recordWord(account);
        uint8 status = uint8(r >> 16);
        if (status == 0) return (KycStatus.None, 0, 0);
        uint32 claims = uint32(r >> 24);
        uint64 expiresAt = uint40(r >> 56);
        if (status == _STATUS_REVOKED) return (KycStatus.Revoked, claims, expiresAt);
        if (expiresAt <= block.timestamp) return (KycStatus.Expired, claims, expiresAt);
        uint256 info = _attesterWord(uint16(r));
        if ((_attesterDisabledAnchors(info) >> (uint16(r >> 96) - 1)) & 1 != 0) {
            return (KycStatus.DisabledTrustAnchor, claims, expiresAt);
        }
        if (!_attesterActive(info) || _isStale(_attesterLastSync(info), _attesterMaxStaleness(info))) {
            return (KycStatus.StaleOperator, claims, expiresAt);
        }
        return (KycStatus.Active, claims, expiresAt);
    }

    function _isStale(uint256 lastSync, uint256 staleness) internal view returns (bool) {
        return staleness != 0 && block.timestamp > lastSync + staleness;
    }

    function _requireKnownAnchor(uint256 cfg, uint16 caId) internal pure {
        if (caId == 0 || caId > _cfgAnchorCount(cfg)) revert UnknownTrustAnchor(caId);
    }

    /// @dev Whether the record word is active (status Active, unexpired) and carries the fingerprint of `nullifier`.
    function _activeWithKey(uint256 record, bytes32 nullifier) internal view returns (bool) {
        return
            uint8(record >> 16) == _STATUS_ACTIVE &&
            uint40(record >> 56) > block.timestamp &&
            uint40(record >> 216) == uint40(uint256(nullifier));
    }

    /// @dev Whether `nullifier` is the key of `subject`'s current record (any status but None).
    function _isCurrentKey(address subject, bytes32 nullifier) internal view returns (bool) {
        uint256 r = _recordWord(subject);
        return
            subject != address(0) &&
            uint8(r >> 16) != 0 &&
            address(uint160(_keys[nullifier])) == subject &&
            uint40(r >> 216) == uint40(uint256(nullifier));
    }

    // Raw packed-slot access for the hot paths (layouts: see the structs; first member in the lowest bits).

    function _configWord() internal view returns (uint256 w) {
        assembly ("memory-safe") {
            w := sload(_config.slot)
        }
    }

    function _cfgMaxAge(uint256 cfg) internal pure returns (uint256) {
        return uint40(cfg);
    }

    function _cfgPaused(uint256 cfg) internal pure returns (bool) {
        return uint8(cfg >> 80) != 0;
    }

    function _cfgAnchorCount(uint256 cfg) internal pure returns (uint256) {
        return uint16(cfg >> 88);
    }

    function _cfgDisabledAnchors(uint256 cfg) internal pure returns (uint256) {
        return uint64(cfg >> 104);
    }

    function _cfgSigningAnchors(uint256 cfg) internal pure returns (uint256) {
        return uint64(cfg >> 168);
    }

    function _attesterWord(uint16 id) internal view returns (uint256 w) {
        AttesterInfo storage info = _attesters[id];
        assembly ("memory-safe") {
            w := sload(info.slot)
        }
    }

    function _attesterLastSync(uint256 info) internal pure returns (uint256) {
        return uint40(info);
    }

    function _attesterActive(uint256 info) internal pure returns (bool) {
        return uint8(info >> 40) != 0;
    }

    function _attesterMaxStaleness(uint256 info) internal pure returns (uint256) {
        return uint40(info >> 48);
    }

    function _attesterDisabledAnchors(uint256 info) internal pure returns (uint256) {
        return uint64(info >> 88);
    }

    /// @dev The attester's anonymous-proof ring counters: the next index, entries written, entries since the last
    /// replacement (`AttesterInfo` bits 152-175).
    function _attesterAnonRing(uint256 info) internal pure returns (uint256 next, uint256 written, uint256 open) {
        return (uint8(info >> 152), uint8(info >> 160), uint8(info >> 168));
    }

    /// @dev `info` with the ring counters replaced (each below 256).
    function _withAttesterAnonRing(
        uint256 info,
        uint256 next,
        uint256 written,
        uint256 open
    ) internal pure returns (uint256) {
        return (info & ~(uint256(type(uint24).max) << 152)) | (next << 152) | (written << 160) | (open << 168);
    }

    /// @dev Where the ring keeps attester `id`'s entry `index`: the `ref` of `anonRootAt`.
    function _anonRingRef(uint16 id, uint256 index) internal pure returns (uint256) {
        return (uint256(id) << 8) | index;
    }

    function _recordWord(address subject) internal view returns (uint256 w) {
        Record storage r = _records[subject];
        assembly ("memory-safe") {
            w := sload(r.slot)
        }
    }

    function _recNonce(uint256 record) internal pure returns (uint64) {
        return uint64(record >> 112);
    }

    /// @dev The id of `account` if it is an active attester, else 0.
    function _activeAttesterId(address account) internal view returns (uint16) {
        AttesterKey storage key = _attesterKeys[account];
        return key.active ? key.id : 0;
    }

    // ------------------------------------------------------------------ internals: digests

    function _bindingDigest(
        address subject,
        address attester,
        uint32 disclose,
        uint256 nonce,
        uint64 deadline,
        bytes32 anonCommitment
    ) internal view returns (bytes32) {
        // keccak256(abi.encode(_KYC_BINDING_TYPEHASH, subject, attester, disclose, nonce, deadline, anonCommitment)),
        // written out in scratch memory past the free memory pointer (no allocation: attest's hot path)
        bytes32 typeHash = _KYC_BINDING_TYPEHASH;
        bytes32 structHash;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, typeHash)
            mstore(add(p, 0x20), and(subject, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(add(p, 0x40), and(attester, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(add(p, 0x60), and(disclose, 0xffffffff))
            mstore(add(p, 0x80), nonce)
            mstore(add(p, 0xa0), and(deadline, 0xffffffffffffffff))
            mstore(add(p, 0xc0), anonCommitment)
            structHash := keccak256(p, 0xe0)
        }
        return _hashTypedDataV4(structHash);
    }

    /// @dev The binding the card and the subject signed for `req`, with `attester` and the record's holder nonce.
    function _requestBinding(
        AttestationRequest calldata req,
        address attester,
        uint256 record
    ) internal view returns (bytes32) {
        return _bindingDigest(req.subject, attester, req.disclose, _recNonce(record), req.deadline, req.anonCommitment);
    }

    function _revokeDigest(address subject, uint256 nonce, uint64 deadline) internal view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(_REVOKE_TYPEHASH, subject, nonce, deadline)));
    }

    /// @dev `keccak256(uint8 keyType ‖ publicKey)`: key nullifiers of different key types never collide.
    function _keyNullifier(uint8 keyType, bytes calldata publicKey) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore8(p, keyType)
            calldatacopy(add(p, 1), publicKey.offset, publicKey.length)
            h := keccak256(p, add(publicKey.length, 1))
        }
    }

    // ------------------------------------------------------------------ internals: attest checks

    /// @dev Check 2 (role) and 3 (heartbeat); returns the attester id.
    function _checkAttester(address attester, uint256 cfg) internal view returns (uint16 id) {
        AttesterKey storage key = _attesterKeys[attester];
        uint256 w;
        assembly ("memory-safe") {
            w := sload(key.slot)
        }
        id = uint16(w);
        if (id == 0 || uint8(w >> 16) == 0) revert NotAttester(attester);
        uint256 lastSync = uint40(w >> 24);
        if (_isStale(lastSync, uint40(cfg >> 40))) revert StaleCrlSync(attester, uint64(lastSync));
    }

    /// @dev Checks 4 to 10; returns the expiry: the earlier of the operator's cap and now + maxAge, on the grid.
    function _checkRequest(AttestationRequest calldata req, uint256 cfg) internal view returns (uint40) {
        if (req.deadline < block.timestamp) revert DeadlineExpired(req.deadline);
        if (req.subject == address(0)) revert InvalidSubject();
        uint32 claims = req.claims;
        if (claims & Claims.AUTH == 0) revert InvalidClaims(claims);
        if (claims & ~req.disclose != 0) revert ClaimsNotDisclosed(claims, req.disclose);
        if ((claims & Claims.FROM_SIGNING != 0) != (req.personTag != bytes32(0))) revert PersonTagMismatch();
        if (req.recordCommitment == bytes32(0)) revert MissingRecordCommitment();
        uint64 cap = req.expiryCap;
        if (cap % _EXPIRY_GRID != 0) revert ExpiryCapNotOnGrid(cap);
        uint256 expiresAt = block.timestamp + _cfgMaxAge(cfg);
        expiresAt -= expiresAt % _EXPIRY_GRID;
        if (cap < expiresAt) expiresAt = cap;
        if (expiresAt <= block.timestamp) revert ExpiryNotInFuture(uint64(expiresAt));
        uint16 caId = req.caId;
        _requireKnownAnchor(cfg, caId);
        uint256 bit = uint256(1) << (caId - 1);
        if (_cfgDisabledAnchors(cfg) & bit != 0) revert TrustAnchorDisabled(caId);
        if (_cfgSigningAnchors(cfg) & bit != 0) revert WrongAnchorKind(caId);
        // maxAge < 2^32 and the result is at most now + maxAge, so it fits 40 bits until about the year 34700
        return uint40(expiresAt);
    }

    /// @dev Check 13: the subject consents. ECDSA first (an EOA, or an EIP-7702 account signing with its key), then
    /// ERC-1271 (a smart account); either way the signer is `subject` itself.
    function _checkSubjectSignature(address subject, bytes32 digest, bytes calldata signature) internal view {
        if (_ecdsaSigner(digest, signature) == subject) return;
        if (!SignatureChecker.isValidERC1271SignatureNowCalldata(subject, digest, signature)) {
            revert InvalidSubjectSignature();
        }
    }

    /// @dev The ECDSA signer of `digest`: a 65-byte `r ‖ s ‖ v` signature or a 64-byte EIP-2098 `r ‖ vs` one (the
    /// operator sends the compact form: one calldata word less). Zero for any other length, a `v` other than 27/28, an
    /// `s` in the upper half of the curve order (EIP-2: one signature per key and digest) or a failed recovery.
    /// Scratch memory past the free memory pointer, used inside this one block only.
    function _ecdsaSigner(bytes32 digest, bytes calldata signature) internal view returns (address signer) {
        assembly ("memory-safe") {
            let r := calldataload(signature.offset)
            let s := 0
            let v := 0
            switch signature.length
            case 65 {
                s := calldataload(add(signature.offset, 0x20))
                v := byte(0, calldataload(add(signature.offset, 0x40)))
            }
            case 64 {
                let vs := calldataload(add(signature.offset, 0x20))
                s := and(vs, 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff)
                v := add(shr(255, vs), 27)
            }
            if and(gt(v, 0), iszero(gt(s, 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0))) {
                let p := mload(0x40)
                mstore(p, digest)
                mstore(add(p, 0x20), v)
                mstore(add(p, 0x40), r)
                mstore(add(p, 0x60), s)
                // precompile 0x01 answers nothing for a v other than 27/28 or a point not on the curve (Yul evaluates
                // arguments right to left: returndatasize() is read after the call)
                let ok := staticcall(gas(), 0x01, p, 0x80, p, 0x20)
                if and(ok, eq(returndatasize(), 0x20)) {
                    signer := mload(p)
                }
            }
        }
    }

    function _requireVerifier(uint8 keyType) internal view returns (ICardKeyVerifier verifier) {
        verifier = _keyVerifiers[keyType];
        if (address(verifier) == address(0)) revert UnknownKeyType(keyType);
    }

    /// @dev A reverting or misbehaving verifier counts as a failed verification (fail closed).
    function _verifierAccepts(
        ICardKeyVerifier verifier,
        bytes32 digest,
        bytes calldata publicKey,
        bytes calldata signature
    ) internal view returns (bool) {
        try verifier.verifyCardSignature(digest, publicKey, signature) returns (bool ok) {
            return ok;
        } catch {
            return false;
        }
    }

    /// @dev An attester's address and id in one word (address in the low 160 bits), to keep `_store`'s stack small.
    function _attesterRef(address attester, uint16 id) internal pure returns (uint256) {
        return uint256(uint160(attester)) | (uint256(id) << 160);
    }

    /// @dev Checks 14 and 15, then writes the record (one packed word), replacing whatever the subject had: the
    /// subject consented, so a re-attestation, a new card or another attester all replace it. The key moves to the
    /// subject when it was last bound elsewhere.
    function _store(
        AttestationRequest calldata req,
        uint256 attesterRef,
        bytes32 nullifier,
        uint40 expiresAt,
        uint256 record
    ) internal {
        uint16 attesterId = uint16(attesterRef >> 160);
        address subject = req.subject;
        uint256 keyWord = _keys[nullifier];
        if (keyWord & _KEY_BURNED != 0) revert KeyBurned(nullifier);
        address bound = address(uint160(keyWord));
        if (bound != subject && bound != address(0) && _activeWithKey(_recordWord(bound), nullifier)) {
            revert KeyAlreadyBound(nullifier);
        }
        uint32 claims = req.claims;
        if (claims & Claims.FROM_SIGNING != 0) _claimPersonTag(attesterId, req.personTag, subject);
        _writeRecord(subject, _packRecord(attesterId, claims, expiresAt, req.caId, record, nullifier));
        if (bound != subject) _keys[nullifier] = uint160(subject);
        _emitAttested(req, attesterRef, nullifier, expiresAt);
        bytes32 anonCommitment = req.anonCommitment;
        if (anonCommitment != bytes32(0)) _emitAnonLeaf(attesterRef, nullifier, anonCommitment, claims, expiresAt);
    }

    /// @dev Check 16 and the opt-in's event (no storage: the operator's tree is rebuilt from events).
    function _emitAnonLeaf(
        uint256 attesterRef,
        bytes32 nullifier,
        bytes32 anonCommitment,
        uint32 claims,
        uint40 expiresAt
    ) internal {
        if (uint256(anonCommitment) >= _SNARK_SCALAR_FIELD) revert InvalidAnonCommitment();
        emit AnonLeaf(address(uint160(attesterRef)), nullifier, uint256(anonCommitment), claims, expiresAt);
    }

    function _emitAttested(
        AttestationRequest calldata req,
        uint256 attesterRef,
        bytes32 nullifier,
        uint40 expiresAt
    ) internal {
        emit Attested(
            req.subject,
            address(uint160(attesterRef)),
            nullifier,
            req.claims,
            expiresAt,
            req.caId,
            req.recordCommitment
        );
    }

    /// @dev The new record word: the holder nonce of the previous word plus one (64 bits: one increment per card
    /// signature, cannot overflow in practice), the time, and the key fingerprint.
    function _packRecord(
        uint16 attesterId,
        uint32 claims,
        uint40 expiresAt,
        uint16 caId,
        uint256 previous,
        bytes32 nullifier
    ) internal view returns (uint256) {
        return
            uint256(attesterId) |
            (uint256(_STATUS_ACTIVE) << 16) |
            (uint256(claims) << 24) |
            (uint256(expiresAt) << 56) |
            (uint256(caId) << 96) |
            (uint256(_recNonce(previous) + 1) << 112) |
            (uint256(uint40(block.timestamp)) << 176) |
            (uint256(uint40(uint256(nullifier))) << 216);
    }

    function _writeRecord(address subject, uint256 word) internal {
        Record storage r = _records[subject];
        assembly ("memory-safe") {
            sstore(r.slot, word)
        }
    }

    /// @dev A person tag is unique among an attester's active records with claims from the signing certificate:
    /// the check is lazy, against the tag's last holder, so revocation, expiry, a claim drop or a replacement free it
    /// without clearing anything. The subject's own record does not collide with itself.
    function _claimPersonTag(uint16 attesterId, bytes32 tag, address subject) internal {
        address holder = _personTagOwner[attesterId][tag];
        if (holder != address(0) && holder != subject) {
            Record memory o = _records[holder];
            if (
                o.status == _STATUS_ACTIVE &&
                o.expiresAt > block.timestamp &&
                o.attesterId == attesterId &&
                o.claims & Claims.FROM_SIGNING != 0 &&
                _personTags[holder] == tag
            ) revert PersonTagInUse(tag);
        }
        _personTagOwner[attesterId][tag] = subject;
        _personTags[subject] = tag;
    }

    // ------------------------------------------------------------------ internals: revoke

    /// @dev REVOKER_ROLE, or the active attester that issued the record.
    function _mayRevoke(uint16 recordAttesterId, bool isRevoker) internal view returns (bool) {
        return isRevoker || (recordAttesterId != 0 && _activeAttesterId(msg.sender) == recordAttesterId);
    }

    /// @dev `revoke` and `revokeBatch` take only these reasons: the others have paths of their own.
    function _requireOperatorReason(RevocationReason reason) internal pure {
        if (reason != RevocationReason.Superseded && reason != RevocationReason.Operator) {
            revert InvalidRevocationReason(uint8(reason));
        }
    }

    function _revoke(address subject, RevocationReason reason) internal {
        _records[subject].status = _STATUS_REVOKED;
        _revocations[subject] = Revocation(uint40(block.timestamp), uint8(reason));
        emit Revoked(subject, msg.sender, reason);
    }

    /// @dev NotActive, then KeyNotBound; returns the Revoke digest over the current nonce.
    function _checkRevocableByKey(address subject, uint64 deadline, bytes32 nullifier) internal view returns (bytes32) {
        uint256 r = _recordWord(subject);
        if (uint8(r >> 16) != _STATUS_ACTIVE) revert NotActive(subject);
        if (address(uint160(_keys[nullifier])) != subject || uint40(r >> 216) != uint40(uint256(nullifier))) {
            revert KeyNotBound();
        }
        return _revokeDigest(subject, _recNonce(r), deadline);
    }

    /// @dev The holder's own withdrawal (`revokeSelf`, `revokeByCard`): consumes the holder nonce, so that no binding
    /// signed before it can attest after it, then revokes with `HolderRequest`.
    function _consumeNonceAndRevokeByCard(address subject) internal {
        ++_records[subject].nonce;
        _revoke(subject, RevocationReason.HolderRequest);
    }

    // ------------------------------------------------------------------ internals: parameters and roles

    function _setMaxAge(uint64 newMaxAge) internal {
        // at most 2^32 - 1 s (136 years): now + maxAge must fit the record's 40-bit expiry, or an attestation would
        // be stored already expired
        if (newMaxAge < _EXPIRY_GRID || newMaxAge > type(uint32).max) revert InvalidMaxAge(newMaxAge);
        _config.maxAge = uint40(newMaxAge);
        emit MaxAgeChanged(newMaxAge);
    }

    function _setMaxStaleness(uint64 newMaxStaleness) internal {
        if (newMaxStaleness > type(uint40).max) revert InvalidMaxStaleness(newMaxStaleness);
        Config storage cfg = _config;
        cfg.maxStaleness = uint40(newMaxStaleness);
        uint16 count = cfg.attesterCount;
        for (uint16 id = 1; id <= count; ++id) _attesters[id].maxStaleness = uint40(newMaxStaleness);
        emit MaxStalenessChanged(newMaxStaleness);
    }

    /// @dev Mirrors ATTESTER_ROLE into the attester's packed slots (numbering the attester on its first grant), so
    /// reads and attests need no role lookup.
    function _grantRole(bytes32 role, address account) internal virtual override returns (bool granted) {
        granted = super._grantRole(role, account);
        if (granted && role == _ATTESTER_ROLE) {
            AttesterKey storage key = _attesterKeys[account];
            uint16 id = key.id;
            Config storage cfg = _config;
            if (id == 0) {
                if (cfg.attesterCount >= _MAX_ATTESTERS) revert TooManyAttesters();
                id = ++cfg.attesterCount;
                key.id = id;
                _attesterAccounts[id] = account;
                AttesterInfo storage fresh = _attesters[id];
                fresh.maxStaleness = cfg.maxStaleness;
                fresh.disabledAnchors = cfg.disabledAnchors;
            }
            key.active = true;
            _attesters[id].active = true;
        }
    }

    function _revokeRole(bytes32 role, address account) internal virtual override returns (bool revoked) {
        revoked = super._revokeRole(role, account);
        if (revoked && role == _ATTESTER_ROLE) {
            AttesterKey storage key = _attesterKeys[account];
            key.active = false;
            AttesterInfo storage info = _attesters[key.id];
            info.active = false;
            (uint256 next, uint256 written, ) = _attesterAnonRing(_attesterWord(key.id));
            _clampAnonRing(key.id, next, written, 0);
        }
    }

    /// @dev Cuts the validUntil of the `count` entries of attester `id`'s ring written last (before index `next`) to
    /// at most `until` (0: unusable), so that consumers, which read the ring slot alone, refuse the roots of a
    /// removed attester (`UnusableRoot`), roots past a lowered staleness deadline, or roots a replacement ended.
    function _clampAnonRing(uint16 id, uint256 next, uint256 count, uint256 until) internal {
        for (uint256 j = 1; j <= count; ++j) {
            uint256 ref = _anonRingRef(id, (next + _ANON_ROOT_RING - j) % _ANON_ROOT_RING);
            uint256 w = _anonRing[ref];
            if (uint40(w) > until) _anonRing[ref] = (w & ~uint256(type(uint40).max)) | until;
        }
    }
}
