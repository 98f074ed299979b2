// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// solhint-disable-next-line max-line-length
import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {IKycRegistry, KycStatus} from "./interfaces/IKycRegistry.sol";
import {IKycRegistryOperations} from "./interfaces/IKycRegistryOperations.sol";
import {ICardKeyVerifier} from "./interfaces/ICardKeyVerifier.sol";
import {
    AnchorKind,
    AttestationRequest,
    AttestationView,
    RevocationReason,
    TrustAnchorView
} from "./interfaces/KycTypes.sol";
import {Claims} from "./libraries/Claims.sol";
import {RsaPkcs1} from "./libraries/RsaPkcs1.sol";

/// @title KycRegistry — zero-PII KYC attestations for My Number Card (JPKI) holders
/// @notice A registered JPKI verifier (attester) records that the holder of a card authentication key controls a
/// wallet address. The card's RSA PKCS#1 v1.5 signature over the EIP-712 `KycBinding` is verified on chain; nothing
/// from a certificate is stored, emitted or accepted. Not upgradeable: a new version is a new deployment.
/// @dev Storage per attestation: one packed record slot per subject (everything a read needs, plus the holder
/// nonce, the attestation time and a 40-bit key fingerprint) and one `keyNullifierOwner` slot per card key (never
/// cleared); the identity level adds `_personTags` and `_personTagOwner`; a revocation adds `_revocations`.
/// Attesters are numbered (16-bit ids) so the record can name its attester in 16 bits. `isVerified` / `hasClaims` /
/// `kycStatus` read two slots (the record, then the attester's id-keyed slot, which mirrors the global
/// `maxStaleness` and disabled-anchor bitmap); an auth-level attest reads the config and the attester's
/// address-keyed slot and writes two fresh slots (the record and the key nullifier).
///
/// Attest checks run in this fixed order, one custom error each: RegistryPaused; (relayed: RelayDeadlineExpired,
/// NotAttester, InvalidAttesterSignature) NotAttester; StaleCrlSync (an operator whose heartbeat is older than
/// maxStaleness cannot attest: its record would read StaleOperator at once); DeadlineExpired; InvalidSubject;
/// InvalidClaims; ClaimsNotDisclosed; PersonTagMismatch; ExpiryCapNotOnGrid; ExpiryNotInFuture;
/// UnknownTrustAnchor; TrustAnchorDisabled; WrongAnchorKind; InvalidModulus (generic path: UnknownKeyType);
/// InvalidCardSignature; KeyAlreadyBound; SubjectAlreadyAttested; PersonTagInUse. Re-attestation is not a check
/// of its own: it is the branch of SubjectAlreadyAttested (after KeyAlreadyBound, before PersonTagInUse) that lets
/// an active record through when the key presented is the one bound to it.
///
/// Uniqueness rules:
/// - a card key (nullifier `keccak256(modulus)`) is bound to one address forever; once that address's record is
///   revoked, or the address is re-attested with another key, the key can never attest again. The same key may
///   renew the same address after its record expired.
/// - re-attestation: a subject whose record is active (unexpired, unrevoked; whatever its operator or anchor now
///   reads) may be attested again, by any attester, with the key bound to that record (`isCurrentKey`) and a fresh
///   card signature over `KycBinding` with the current holder nonce (consumed as always, so an older proof cannot
///   be replayed). The new attestation replaces the record in place: attester, claims, expiresAt, caId,
///   attestedAt and person tag; `Attested` is emitted again. This is how a holder moves from AUTH to IDENTITY/age
///   claims, or renews before expiry, without burning the card key.
/// - a subject with an active record cannot be attested with any other key (SubjectAlreadyAttested): the holder
///   revokes first (`revokeSelf`, `revokeByCard`) or the operator revokes with `Superseded`, which burns the old key.
/// - a person tag is unique among an attester's active (unrevoked, unexpired) identity-level records; revocation,
///   expiry or a re-attestation that drops or changes the tag (or moves the record to another attester) frees it:
///   the check is lazy, against the current holder's record, so nothing needs clearing. A re-attestation keeping
///   its own tag does not collide with itself.
contract KycRegistry is IKycRegistryOperations, AccessControlDefaultAdminRules, EIP712 {
    // ------------------------------------------------------------------ constants

    bytes32 public constant ATTESTER_ROLE = keccak256("ATTESTER_ROLE");
    bytes32 public constant REVOKER_ROLE = keccak256("REVOKER_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    bytes32 public constant ANCHOR_MANAGER_ROLE = keccak256("ANCHOR_MANAGER_ROLE");

    /// @notice expiresAt is rounded down to this grid (from the unix epoch) so it does not reveal a birthday.
    uint64 public constant EXPIRY_GRID = 30 days;
    /// @notice At most this many trust anchors (they live in two 64-bit bitmaps of the config slot).
    uint16 public constant MAX_TRUST_ANCHORS = 64;
    /// @notice At most this many attesters ever (ids are never reused; bounds the parameter fan-out loops).
    uint16 public constant MAX_ATTESTERS = 256;
    uint256 internal constant MIN_MODULUS_BYTES = 256;
    uint256 internal constant MAX_MODULUS_BYTES = 512;

    bytes32 public constant KYC_BINDING_TYPEHASH = keccak256(
        "KycBinding(address subject,uint32 disclose,uint256 nonce,uint64 deadline)"
    );
    bytes32 public constant REVOKE_TYPEHASH = keccak256("Revoke(address subject,uint256 nonce,uint64 deadline)");
    bytes32 public constant ATTESTATION_TYPEHASH = keccak256(
        "Attestation(address subject,uint32 disclose,uint64 deadline,uint32 claims,bytes32 personTag,"
        "uint64 expiryCap,uint16 caId,bytes32 keyNullifier,uint256 attesterNonce,uint64 relayDeadline)"
    );

    uint8 internal constant STATUS_ACTIVE = uint8(KycStatus.Active);
    uint8 internal constant STATUS_REVOKED = uint8(KycStatus.Revoked);

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
        uint40 keyFingerprint; // low 40 bits of the current key nullifier (with keyNullifierOwner: the current key)
    }

    /// @dev Written by a revocation only.
    struct Revocation {
        uint40 revokedAt;
        uint8 reason;
    }

    /// @dev One slot per attester id, holding everything a read needs besides the record: the attester's own state
    /// plus a mirror of the global `maxStaleness` and disabled-anchor bitmap (kept equal to `_config` by
    /// `setMaxStaleness` and `setTrustAnchorEnabled`, which update every attester: at most MAX_ATTESTERS), so that
    /// `isVerified` reads two slots. Bits: lastCrlSync 0-39, active 40-47, maxStaleness 48-87,
    /// disabledAnchors 88-151.
    struct AttesterInfo {
        uint40 lastCrlSync;
        bool active; // mirrors ATTESTER_ROLE
        uint40 maxStaleness; // mirror of _config.maxStaleness
        uint64 disabledAnchors; // mirror of _config.disabledAnchors
    }

    /// @dev One slot per attester address: what the attest paths need (id, role flag, heartbeat, relay nonce), so
    /// they read one attester slot. `active` and `lastCrlSync` are kept equal to the id-keyed `AttesterInfo`.
    /// Bits: id 0-15, active 16-23, lastCrlSync 24-63, nonce 64-111.
    struct AttesterKey {
        uint16 id;
        bool active;
        uint40 lastCrlSync;
        uint48 nonce; // relay nonce
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

    /// @inheritdoc IKycRegistryOperations
    mapping(bytes32 keyNullifier => address subject) public keyNullifierOwner;

    // ------------------------------------------------------------------ construction

    /// @param admin the DEFAULT_ADMIN_ROLE holder (transferred in two steps with `adminDelay`)
    /// @param adminDelay the delay of an admin transfer, seconds
    /// @param initialMaxAge the longest an attestation may live, seconds (at least EXPIRY_GRID)
    /// @param initialMaxStaleness the longest an attester may go without a CRL-sync heartbeat (0 disables)
    constructor(
        address admin,
        uint48 adminDelay,
        uint64 initialMaxAge,
        uint64 initialMaxStaleness
    ) AccessControlDefaultAdminRules(adminDelay, admin) EIP712("JPKI KYC Registry", "1") {
        _setMaxAge(initialMaxAge);
        _setMaxStaleness(initialMaxStaleness);
    }

    // ------------------------------------------------------------------ consumer reads

    /// @inheritdoc IKycRegistry
    /// @dev `_isActive` written out in assembly (two storage loads, no loop): the call consumers make most.
    function isVerified(address account) external view returns (bool) {
        uint256 ts = block.timestamp;
        assembly ("memory-safe") {
            mstore(0x00, account)
            mstore(0x20, _records.slot)
            let r := sload(keccak256(0x00, 0x40))
            let ok := 0
            // status Active and not expired
            if and(eq(and(shr(16, r), 0xff), 1), gt(and(shr(56, r), 0xffffffffff), ts)) {
                mstore(0x00, and(r, 0xffff))
                mstore(0x20, _attesters.slot)
                let info := sload(keccak256(0x00, 0x40))
                let staleness := and(shr(48, info), 0xffffffffff)
                ok := and(
                    // attester active, and the record's anchor (bit caId - 1 of the bitmap at 88) not disabled
                    and(gt(and(shr(40, info), 0xff), 0), iszero(and(shr(add(87, and(shr(96, r), 0xffff)), info), 1))),
                    // heartbeat within maxStaleness (0: no limit)
                    or(iszero(staleness), iszero(gt(ts, add(and(info, 0xffffffffff), staleness))))
                )
            }
            mstore(0x00, ok)
            return(0x00, 0x20)
        }
    }

    /// @inheritdoc IKycRegistry
    function hasClaims(address account, uint32 mask) external view returns (bool) {
        (bool verified, uint32 claims) = _isActive(account);
        return verified && claims & mask == mask;
    }

    /// @inheritdoc IKycRegistry
    function kycStatus(address account) external view returns (KycStatus status, uint32 claims, uint64 expiresAt) {
        return _status(account);
    }

    // ------------------------------------------------------------------ other reads

    /// @inheritdoc IKycRegistryOperations
    function nonces(address subject) external view returns (uint256) {
        return _records[subject].nonce;
    }

    /// @inheritdoc IKycRegistryOperations
    function attesterNonces(address attester) external view returns (uint256) {
        return _attesterKeys[attester].nonce;
    }

    /// @inheritdoc IKycRegistryOperations
    function bindingDigest(
        address subject,
        uint32 disclose,
        uint256 nonce,
        uint64 deadline
    ) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(KYC_BINDING_TYPEHASH, subject, disclose, nonce, deadline)));
    }

    /// @inheritdoc IKycRegistryOperations
    function revokeDigest(address subject, uint256 nonce, uint64 deadline) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(REVOKE_TYPEHASH, subject, nonce, deadline)));
    }

    /// @inheritdoc IKycRegistryOperations
    function attestationDigest(
        AttestationRequest calldata req,
        bytes32 keyNullifier,
        uint256 attesterNonce,
        uint64 relayDeadline
    ) public view returns (bytes32) {
        // A static struct ABI-encodes as its fields in order, exactly as EIP-712 hashStruct needs them.
        return
            _hashTypedDataV4(
                keccak256(abi.encode(ATTESTATION_TYPEHASH, req, keyNullifier, attesterNonce, relayDeadline))
            );
    }

    /// @inheritdoc IKycRegistryOperations
    function isCurrentKey(address subject, bytes32 keyNullifier) public view returns (bool) {
        Record storage r = _records[subject];
        return
            subject != address(0) &&
            r.status != 0 &&
            keyNullifierOwner[keyNullifier] == subject &&
            r.keyFingerprint == uint40(uint256(keyNullifier));
    }

    /// @inheritdoc IKycRegistryOperations
    function attestationOf(address subject) external view returns (AttestationView memory v) {
        Record memory r = _records[subject];
        if (r.status == 0) return v;
        v.attester = _attesterAccounts[r.attesterId];
        v.status = KycStatus(r.status);
        v.claims = r.claims;
        v.expiresAt = r.expiresAt;
        v.caId = r.caId;
        v.attestedAt = r.attestedAt;
        if (r.status == STATUS_REVOKED) {
            Revocation memory rv = _revocations[subject];
            v.revokedAt = rv.revokedAt;
            v.reason = RevocationReason(rv.reason);
        }
        if (r.claims & Claims.IDENTITY != 0) v.personTag = _personTags[subject];
    }

    /// @inheritdoc IKycRegistryOperations
    function trustAnchor(uint16 caId) external view returns (TrustAnchorView memory v) {
        uint256 cfg = _configWord();
        _requireKnownAnchor(cfg, caId);
        Anchor storage a = _anchors[caId];
        uint256 bit = uint256(1) << (caId - 1);
        v.kind = _cfgSigningAnchors(cfg) & bit != 0 ? AnchorKind.Signing : AnchorKind.Authentication;
        v.keyHash = a.keyHash;
        v.notBefore = a.notBefore;
        v.notAfter = a.notAfter;
        v.enabled = _cfgDisabledAnchors(cfg) & bit == 0;
    }

    /// @inheritdoc IKycRegistryOperations
    function trustAnchorCount() external view returns (uint16) {
        return _config.anchorCount;
    }

    /// @inheritdoc IKycRegistryOperations
    function lastCrlSync(address attester) external view returns (uint64) {
        return _attesterKeys[attester].lastCrlSync;
    }

    /// @inheritdoc IKycRegistryOperations
    function maxAge() external view returns (uint64) {
        return _config.maxAge;
    }

    /// @inheritdoc IKycRegistryOperations
    function maxStaleness() external view returns (uint64) {
        return _config.maxStaleness;
    }

    /// @inheritdoc IKycRegistryOperations
    function paused() external view returns (bool) {
        return _config.paused;
    }

    /// @inheritdoc IKycRegistryOperations
    function keyVerifier(uint8 keyType) external view returns (ICardKeyVerifier) {
        return _keyVerifiers[keyType];
    }

    /// @inheritdoc IKycRegistryOperations
    function version() external pure returns (string memory) {
        return "1.0.0";
    }

    // ------------------------------------------------------------------ attest

    /// @inheritdoc IKycRegistryOperations
    function attest(AttestationRequest calldata req, bytes calldata modulus, bytes calldata cardSignature) external {
        uint256 cfg = _configWord();
        if (_cfgPaused(cfg)) revert RegistryPaused();
        uint16 attesterId = _checkAttester(msg.sender, cfg);
        uint40 expiresAt = _checkRequest(req, cfg);
        (bytes32 nullifier, uint256 record) = _verifyRsaBinding(req, modulus, cardSignature);
        _store(req, _attesterRef(msg.sender, attesterId), nullifier, expiresAt, record);
    }

    /// @inheritdoc IKycRegistryOperations
    function attestBySig(
        AttestationRequest calldata req,
        bytes calldata modulus,
        bytes calldata cardSignature,
        address attester,
        uint64 relayDeadline,
        bytes calldata attesterSignature
    ) external {
        uint256 cfg = _configWord();
        if (_cfgPaused(cfg)) revert RegistryPaused();
        _consumeRelaySignature(req, keccak256(modulus), attester, relayDeadline, attesterSignature);
        uint16 attesterId = _checkAttester(attester, cfg);
        uint40 expiresAt = _checkRequest(req, cfg);
        (bytes32 nullifier, uint256 record) = _verifyRsaBinding(req, modulus, cardSignature);
        _store(req, _attesterRef(attester, attesterId), nullifier, expiresAt, record);
    }

    /// @inheritdoc IKycRegistryOperations
    function attestWithVerifier(
        AttestationRequest calldata req,
        uint8 keyType,
        bytes calldata publicKey,
        bytes calldata cardSignature
    ) external {
        uint256 cfg = _configWord();
        if (_cfgPaused(cfg)) revert RegistryPaused();
        uint16 attesterId = _checkAttester(msg.sender, cfg);
        uint40 expiresAt = _checkRequest(req, cfg);
        ICardKeyVerifier verifier = _requireVerifier(keyType);
        uint256 record = _recordWord(req.subject);
        bytes32 digest = bindingDigest(req.subject, req.disclose, _recNonce(record), req.deadline);
        if (!_verifierAccepts(verifier, digest, publicKey, cardSignature)) revert InvalidCardSignature();
        _store(req, _attesterRef(msg.sender, attesterId), keccak256(publicKey), expiresAt, record);
    }

    // ------------------------------------------------------------------ revoke

    /// @inheritdoc IKycRegistryOperations
    function revoke(address subject, RevocationReason reason) external {
        Record storage r = _records[subject];
        if (!_mayRevoke(r.attesterId, hasRole(REVOKER_ROLE, msg.sender))) {
            revert NotAuthorizedToRevoke(msg.sender, subject);
        }
        if (r.status != STATUS_ACTIVE) revert NotActive(subject);
        _revoke(subject, reason);
    }

    /// @inheritdoc IKycRegistryOperations
    function revokeBatch(address[] calldata subjects, RevocationReason reason) external returns (uint256 revoked) {
        bool isRevoker = hasRole(REVOKER_ROLE, msg.sender);
        for (uint256 i = 0; i < subjects.length; ++i) {
            address subject = subjects[i];
            Record storage r = _records[subject];
            if (r.status != STATUS_ACTIVE) continue;
            if (!_mayRevoke(r.attesterId, isRevoker)) revert NotAuthorizedToRevoke(msg.sender, subject);
            _revoke(subject, reason);
            ++revoked;
        }
    }

    /// @inheritdoc IKycRegistryOperations
    function revokeSelf() external {
        if (_records[msg.sender].status != STATUS_ACTIVE) revert NotActive(msg.sender);
        _revoke(msg.sender, RevocationReason.HolderRequest);
    }

    /// @inheritdoc IKycRegistryOperations
    function revokeByCard(
        address subject,
        uint64 deadline,
        bytes calldata modulus,
        bytes calldata cardSignature
    ) external {
        if (deadline < block.timestamp) revert DeadlineExpired(deadline);
        _checkModulus(modulus);
        bytes32 digest = _checkRevocableByKey(subject, deadline, keccak256(modulus));
        if (!_verifyRsa(digest, modulus, cardSignature)) revert InvalidCardSignature();
        _consumeNonceAndRevokeByCard(subject);
    }

    /// @inheritdoc IKycRegistryOperations
    function revokeByCardWithVerifier(
        address subject,
        uint64 deadline,
        uint8 keyType,
        bytes calldata publicKey,
        bytes calldata cardSignature
    ) external {
        if (deadline < block.timestamp) revert DeadlineExpired(deadline);
        ICardKeyVerifier verifier = _requireVerifier(keyType);
        bytes32 digest = _checkRevocableByKey(subject, deadline, keccak256(publicKey));
        if (!_verifierAccepts(verifier, digest, publicKey, cardSignature)) revert InvalidCardSignature();
        _consumeNonceAndRevokeByCard(subject);
    }

    // ------------------------------------------------------------------ operators, anchors, parameters

    /// @inheritdoc IKycRegistryOperations
    function recordCrlSync() external {
        AttesterKey storage key = _attesterKeys[msg.sender];
        uint16 id = key.id;
        if (id == 0 || !key.active) revert NotAttester(msg.sender);
        key.lastCrlSync = uint40(block.timestamp);
        _attesters[id].lastCrlSync = uint40(block.timestamp);
        emit CrlSynced(msg.sender, uint64(block.timestamp));
    }

    /// @inheritdoc IKycRegistryOperations
    function addTrustAnchor(
        AnchorKind kind,
        bytes32 keyHash,
        uint64 notBefore,
        uint64 notAfter
    ) external onlyRole(ANCHOR_MANAGER_ROLE) returns (uint16 caId) {
        if (keyHash == bytes32(0) || notBefore >= notAfter) revert InvalidTrustAnchor();
        if (_anchorByKeyHash[keyHash] != 0) revert DuplicateTrustAnchor(keyHash);
        Config storage cfg = _config;
        if (cfg.anchorCount >= MAX_TRUST_ANCHORS) revert TooManyTrustAnchors();
        caId = cfg.anchorCount + 1;
        cfg.anchorCount = caId;
        if (kind == AnchorKind.Signing) cfg.signingAnchors |= uint64(1) << (caId - 1);
        _anchors[caId] = Anchor(keyHash, notBefore, notAfter);
        _anchorByKeyHash[keyHash] = caId;
        emit TrustAnchorAdded(caId, kind, keyHash, notBefore, notAfter);
    }

    /// @inheritdoc IKycRegistryOperations
    function setTrustAnchorEnabled(uint16 caId, bool enabled) external onlyRole(ANCHOR_MANAGER_ROLE) {
        _requireKnownAnchor(_configWord(), caId);
        Config storage cfg = _config;
        uint64 bit = uint64(1) << (caId - 1);
        uint64 disabled = enabled ? cfg.disabledAnchors & ~bit : cfg.disabledAnchors | bit;
        cfg.disabledAnchors = disabled;
        uint16 count = cfg.attesterCount;
        for (uint16 id = 1; id <= count; ++id) _attesters[id].disabledAnchors = disabled;
        emit TrustAnchorStatusChanged(caId, enabled);
    }

    /// @inheritdoc IKycRegistryOperations
    function setMaxAge(uint64 newMaxAge) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMaxAge(newMaxAge);
    }

    /// @inheritdoc IKycRegistryOperations
    function setMaxStaleness(uint64 newMaxStaleness) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMaxStaleness(newMaxStaleness);
    }

    /// @inheritdoc IKycRegistryOperations
    function setKeyVerifier(uint8 keyType, ICardKeyVerifier verifier) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (keyType == 0) revert InvalidKeyType(keyType); // 0 is the inline RSA path
        if (address(verifier) != address(0) && address(verifier).code.length == 0) {
            revert InvalidKeyVerifier(address(verifier));
        }
        _keyVerifiers[keyType] = verifier;
        emit KeyVerifierSet(keyType, address(verifier));
    }

    /// @inheritdoc IKycRegistryOperations
    function pause() external onlyRole(PAUSER_ROLE) {
        if (_config.paused) revert AlreadyPaused();
        _config.paused = true;
        emit Paused(msg.sender);
    }

    /// @inheritdoc IKycRegistryOperations
    function unpause() external onlyRole(PAUSER_ROLE) {
        if (!_config.paused) revert NotPaused();
        _config.paused = false;
        emit Unpaused(msg.sender);
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
        if (status == STATUS_REVOKED) return (KycStatus.Revoked, claims, expiresAt);
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

    /// @dev The consumer hot path: `_status(account) == Active` in three storage loads and no loop, written out so
    /// that a cold `isVerified` from a consumer stays under 10,000 gas. Must agree with `_status` (tested).
    function _isActive(address account) internal view returns (bool, uint32) {
        uint256 r;
        assembly ("memory-safe") {
            mstore(0x00, account)
            mstore(0x20, _records.slot)
            r := sload(keccak256(0x00, 0x40))
        }
        if (uint8(r >> 16) != STATUS_ACTIVE || uint40(r >> 56) <= block.timestamp) return (false, 0);
        uint256 info;
        assembly ("memory-safe") {
            mstore(0x00, and(r, 0xffff))
            mstore(0x20, _attesters.slot)
            info := sload(keccak256(0x00, 0x40))
        }
        unchecked {
            // active flag; disabled-anchor bit (caId - 1) of the mirrored bitmap at bit 88 (caId is 1..64 in
            // every stored record); heartbeat age against the mirrored maxStaleness (40-bit values: no overflow)
            if (uint8(info >> 40) == 0 || (info >> (87 + uint16(r >> 96))) & 1 != 0) return (false, 0);
            uint256 staleness = uint40(info >> 48);
            if (staleness != 0 && block.timestamp > uint40(info) + staleness) return (false, 0);
        }
        return (true, uint32(r >> 24));
    }

    function _isStale(uint256 lastSync, uint256 staleness) internal view returns (bool) {
        return staleness != 0 && block.timestamp > lastSync + staleness;
    }

    function _requireKnownAnchor(uint256 cfg, uint16 caId) internal pure {
        if (caId == 0 || caId > _cfgAnchorCount(cfg)) revert UnknownTrustAnchor(caId);
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

    function _recordWord(address subject) internal view returns (uint256 w) {
        Record storage r = _records[subject];
        assembly ("memory-safe") {
            w := sload(r.slot)
        }
    }

    function _recNonce(uint256 record) internal pure returns (uint64) {
        return uint64(record >> 112);
    }

    // ------------------------------------------------------------------ internals: attest checks

    /// @dev Relayed check 2: deadline, role, then the attester's EIP-712 signature; consumes the relay nonce.
    function _consumeRelaySignature(
        AttestationRequest calldata req,
        bytes32 keyNullifier,
        address attester,
        uint64 relayDeadline,
        bytes calldata attesterSignature
    ) internal {
        if (relayDeadline < block.timestamp) revert RelayDeadlineExpired(relayDeadline);
        AttesterKey storage key = _attesterKeys[attester];
        if (key.id == 0 || !key.active) revert NotAttester(attester);
        uint48 attesterNonce = key.nonce;
        bytes32 digest = attestationDigest(req, keyNullifier, attesterNonce, relayDeadline);
        if (!SignatureChecker.isValidSignatureNow(attester, digest, attesterSignature)) {
            revert InvalidAttesterSignature();
        }
        key.nonce = attesterNonce + 1;
    }

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

    /// @dev Checks 4 to 9; returns the rounded expiry.
    function _checkRequest(AttestationRequest calldata req, uint256 cfg) internal view returns (uint40) {
        if (req.deadline < block.timestamp) revert DeadlineExpired(req.deadline);
        if (req.subject == address(0)) revert InvalidSubject();
        uint32 claims = req.claims;
        if (claims & Claims.AUTH == 0) revert InvalidClaims(claims);
        if (claims & ~req.disclose != 0) revert ClaimsNotDisclosed(claims, req.disclose);
        if ((claims & Claims.IDENTITY != 0) != (req.personTag != bytes32(0))) revert PersonTagMismatch();
        uint64 cap = req.expiryCap;
        if (cap % EXPIRY_GRID != 0) revert ExpiryCapNotOnGrid(cap);
        uint256 expiresAt = block.timestamp + _cfgMaxAge(cfg);
        if (cap < expiresAt) expiresAt = cap;
        expiresAt -= expiresAt % EXPIRY_GRID;
        if (expiresAt <= block.timestamp) revert ExpiryNotInFuture(uint64(expiresAt));
        uint16 caId = req.caId;
        _requireKnownAnchor(cfg, caId);
        uint256 bit = uint256(1) << (caId - 1);
        if (_cfgDisabledAnchors(cfg) & bit != 0) revert TrustAnchorDisabled(caId);
        if (_cfgSigningAnchors(cfg) & bit != 0) revert WrongAnchorKind(caId);
        // maxAge < 2^40 and the result is below now + maxAge, so it fits 40 bits until the year 36812
        return uint40(expiresAt);
    }

    /// @dev Checks 10 and 11 for the inline RSA path; returns the key nullifier and the subject's record word.
    function _verifyRsaBinding(
        AttestationRequest calldata req,
        bytes calldata modulus,
        bytes calldata cardSignature
    ) internal view returns (bytes32, uint256 record) {
        _checkModulus(modulus);
        record = _recordWord(req.subject);
        bytes32 digest = bindingDigest(req.subject, req.disclose, _recNonce(record), req.deadline);
        if (!_verifyRsa(digest, modulus, cardSignature)) revert InvalidCardSignature();
        return (keccak256(modulus), record);
    }

    function _checkModulus(bytes calldata modulus) internal pure {
        uint256 len = modulus.length;
        // A whole number of bytes with a non-zero leading byte; at the minimum length the top bit must be set too, so a
        // 2047-bit key is refused here rather than by the signature check.
        uint8 lead = uint8(modulus[0]);
        if (
            len < MIN_MODULUS_BYTES || len > MAX_MODULUS_BYTES || lead == 0 || (len == MIN_MODULUS_BYTES && lead < 0x80)
        ) {
            revert InvalidModulus(len);
        }
    }

    /// @dev RSASSA-PKCS1-v1_5 with SHA-256, e = 65537: the card signed DigestInfo(SHA-256, sha256(digest)).
    /// Virtual so that test harnesses can stand in for the card; production code never overrides it.
    function _verifyRsa(
        bytes32 digest,
        bytes calldata modulus,
        bytes calldata signature
    ) internal view virtual returns (bool) {
        return RsaPkcs1.pkcs1Sha256e65537(sha256(abi.encodePacked(digest)), signature, modulus);
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

    /// @dev Checks 12 to 14, then writes the record (one packed word): a fresh record, a renewal after expiry, or a
    /// re-attestation that replaces an active record in place (same key; attester, claims, expiry, anchor, time and
    /// person tag are all replaced, the holder nonce moves on). The key nullifier owner is written only once.
    function _store(
        AttestationRequest calldata req,
        uint256 attesterRef,
        bytes32 nullifier,
        uint40 expiresAt,
        uint256 record
    ) internal {
        uint16 attesterId = uint16(attesterRef >> 160);
        address subject = req.subject;
        bool wasActive = uint8(record >> 16) == STATUS_ACTIVE;
        address owner = keyNullifierOwner[nullifier];
        if (owner != address(0)) {
            // the only reuse allowed: the subject's current key on its unrevoked record (renewal after expiry, or
            // re-attestation while active)
            if (owner != subject || !wasActive || uint40(record >> 216) != uint40(uint256(nullifier))) {
                revert KeyAlreadyBound(nullifier);
            }
        }
        // Past check 12, a bound key (owner != 0) is the subject's current key on an unrevoked record: an active
        // record is replaced in place by that key only (re-attestation); any other key must wait for it to end.
        if (wasActive && uint40(record >> 56) > block.timestamp && owner == address(0)) {
            revert SubjectAlreadyAttested(subject);
        }
        if (req.claims & Claims.IDENTITY != 0) _claimPersonTag(attesterId, req.personTag, subject);
        _writeRecord(subject, _packRecord(attesterId, req.claims, expiresAt, req.caId, record, nullifier));
        if (owner == address(0)) keyNullifierOwner[nullifier] = subject;
        emit Attested(subject, address(uint160(attesterRef)), nullifier, req.claims, expiresAt, req.caId);
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
            (uint256(STATUS_ACTIVE) << 16) |
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

    function _claimPersonTag(uint16 attesterId, bytes32 tag, address subject) internal {
        address holder = _personTagOwner[attesterId][tag];
        if (holder != address(0) && holder != subject) {
            Record memory o = _records[holder];
            if (
                o.status == STATUS_ACTIVE &&
                o.expiresAt > block.timestamp &&
                o.attesterId == attesterId &&
                o.claims & Claims.IDENTITY != 0 &&
                _personTags[holder] == tag
            ) revert PersonTagInUse(tag);
        }
        _personTagOwner[attesterId][tag] = subject;
        _personTags[subject] = tag;
    }

    // ------------------------------------------------------------------ internals: revoke

    function _mayRevoke(uint16 recordAttesterId, bool isRevoker) internal view returns (bool) {
        return isRevoker || (recordAttesterId != 0 && _attesterKeys[msg.sender].id == recordAttesterId);
    }

    function _revoke(address subject, RevocationReason reason) internal {
        _records[subject].status = STATUS_REVOKED;
        _revocations[subject] = Revocation(uint40(block.timestamp), uint8(reason));
        emit Revoked(subject, msg.sender, reason);
    }

    /// @dev NotActive, then KeyNotBound; returns the Revoke digest over the current nonce.
    function _checkRevocableByKey(address subject, uint64 deadline, bytes32 nullifier) internal view returns (bytes32) {
        uint256 r = _recordWord(subject);
        if (uint8(r >> 16) != STATUS_ACTIVE) revert NotActive(subject);
        if (keyNullifierOwner[nullifier] != subject || uint40(r >> 216) != uint40(uint256(nullifier))) {
            revert KeyNotBound();
        }
        return revokeDigest(subject, _recNonce(r), deadline);
    }

    function _consumeNonceAndRevokeByCard(address subject) internal {
        ++_records[subject].nonce;
        _revoke(subject, RevocationReason.HolderRequest);
    }

    // ------------------------------------------------------------------ internals: parameters and roles

    function _setMaxAge(uint64 newMaxAge) internal {
        if (newMaxAge < EXPIRY_GRID || newMaxAge > type(uint40).max) revert InvalidMaxAge(newMaxAge);
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

    /// @dev Mirrors ATTESTER_ROLE into the attester's packed slot (numbering the attester on its first grant), so
    /// reads and attests need no role lookup.
    function _grantRole(bytes32 role, address account) internal virtual override returns (bool granted) {
        granted = super._grantRole(role, account);
        if (granted && role == ATTESTER_ROLE) {
            AttesterKey storage key = _attesterKeys[account];
            uint16 id = key.id;
            Config storage cfg = _config;
            if (id == 0) {
                if (cfg.attesterCount >= MAX_ATTESTERS) revert TooManyAttesters();
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
        if (revoked && role == ATTESTER_ROLE) {
            AttesterKey storage key = _attesterKeys[account];
            key.active = false;
            _attesters[key.id].active = false;
        }
    }

    /// @inheritdoc AccessControlDefaultAdminRules
    function supportsInterface(bytes4 interfaceId) public view virtual override returns (bool) {
        return
            interfaceId == type(IKycRegistry).interfaceId ||
            interfaceId == type(IKycRegistryOperations).interfaceId ||
            super.supportsInterface(interfaceId);
    }
}
