// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {KycRegistryStorage} from "./KycRegistryStorage.sol";
import {ICardKeyVerifier} from "./interfaces/ICardKeyVerifier.sol";
import {KycStatus} from "./interfaces/IKycRegistry.sol";
import {IKycRegistryAdmin} from "./interfaces/IKycRegistryAdmin.sol";
import {
    AnchorKind,
    AttestationRequest,
    AttestationView,
    RevocationReason,
    SkipReason,
    TrustAnchorView
} from "./interfaces/KycTypes.sol";
import {Claims} from "./libraries/Claims.sol";

/// @title KycRegistryAdmin — the registry's admin extension (batches, pluggable verifiers, trust anchors, parameters)
/// @notice Deployed once, then named in `KycRegistry`'s constructor; reached only through the registry, whose
/// `fallback` delegates every call it does not serve itself. It shares the registry's storage layout
/// (`KycRegistryStorage`) and declares no state of its own. Called directly, every function reverts `NotDelegated`.
/// @dev The constructor arguments only satisfy the base constructors: they write the extension's own, never-used
/// storage.
contract KycRegistryAdmin is KycRegistryStorage, IKycRegistryAdmin {
    bytes32 public constant ATTESTER_ROLE = _ATTESTER_ROLE;
    bytes32 public constant REVOKER_ROLE = _REVOKER_ROLE;
    bytes32 public constant PAUSER_ROLE = _PAUSER_ROLE;
    bytes32 public constant ANCHOR_MANAGER_ROLE = _ANCHOR_MANAGER_ROLE;
    uint64 public constant EXPIRY_GRID = _EXPIRY_GRID;
    uint16 public constant MAX_TRUST_ANCHORS = _MAX_TRUST_ANCHORS;
    uint16 public constant MAX_ATTESTERS = _MAX_ATTESTERS;
    uint64 public constant MAX_ANON_ROOT_VALIDITY = _MAX_ANON_ROOT_VALIDITY;
    uint256 public constant ANON_ROOT_RING = _ANON_ROOT_RING;

    /// @dev The extension's own address: a call whose `address(this)` is this one was not delegated.
    address private immutable _SELF;

    constructor() KycRegistryStorage(address(this), 0, _EXPIRY_GRID, 0) {
        _SELF = address(this);
    }

    modifier onlyDelegated() {
        if (address(this) == _SELF) revert NotDelegated();
        _;
    }

    // ------------------------------------------------------------------ reads

    /// @inheritdoc IKycRegistryAdmin
    function attestationOf(address subject) external view onlyDelegated returns (AttestationView memory v) {
        Record memory r = _records[subject];
        if (r.status == 0) return v;
        v.attester = _attesterAccounts[r.attesterId];
        v.status = KycStatus(r.status);
        v.claims = r.claims;
        v.expiresAt = r.expiresAt;
        v.caId = r.caId;
        v.attestedAt = r.attestedAt;
        if (r.status == _STATUS_REVOKED) {
            Revocation memory rv = _revocations[subject];
            v.revokedAt = rv.revokedAt;
            v.reason = RevocationReason(rv.reason);
        }
        if (r.claims & Claims.FROM_SIGNING != 0) v.personTag = _personTags[subject];
    }

    /// @inheritdoc IKycRegistryAdmin
    function trustAnchor(uint16 caId) external view onlyDelegated returns (TrustAnchorView memory v) {
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

    /// @inheritdoc IKycRegistryAdmin
    function trustAnchorCount() external view onlyDelegated returns (uint16) {
        return _config.anchorCount;
    }

    /// @inheritdoc IKycRegistryAdmin
    function lastCrlSync(address attester) external view onlyDelegated returns (uint64) {
        return _attesterKeys[attester].lastCrlSync;
    }

    /// @inheritdoc IKycRegistryAdmin
    function maxAge() external view onlyDelegated returns (uint64) {
        return _config.maxAge;
    }

    /// @inheritdoc IKycRegistryAdmin
    function maxStaleness() external view onlyDelegated returns (uint64) {
        return _config.maxStaleness;
    }

    /// @inheritdoc IKycRegistryAdmin
    function paused() external view onlyDelegated returns (bool) {
        return _config.paused;
    }

    /// @inheritdoc IKycRegistryAdmin
    function keyVerifier(uint8 keyType) external view onlyDelegated returns (ICardKeyVerifier) {
        return _keyVerifiers[keyType];
    }

    // ------------------------------------------------------------------ anonymous-proof roots

    /// @inheritdoc IKycRegistryAdmin
    function clampAnonRoots(address attester) external onlyDelegated {
        uint16 id = _activeAttesterId(attester);
        if (id == 0) revert NotAttester(attester);
        uint256 info = _attesterWord(id);
        uint256 staleness = _attesterMaxStaleness(info);
        if (staleness == 0) return;
        uint256 staleAt = _attesterLastSync(info) + staleness;
        (uint256 next, uint256 written, ) = _attesterAnonRing(info);
        _clampAnonRing(id, next, written, staleAt);
        emit AnonRootsClamped(attester, uint64(staleAt));
    }

    // ------------------------------------------------------------------ operator batches

    /// @inheritdoc IKycRegistryAdmin
    function revokeBatch(
        address[] calldata subjects,
        RevocationReason reason
    ) external onlyDelegated returns (uint256 revoked) {
        _requireOperatorReason(reason);
        bool isRevoker = hasRole(_REVOKER_ROLE, msg.sender);
        for (uint256 i = 0; i < subjects.length; ++i) {
            address subject = subjects[i];
            Record storage r = _records[subject];
            if (r.status != _STATUS_ACTIVE) {
                emit SubjectSkipped(subject, SkipReason.NotActive);
            } else if (!_mayRevoke(r.attesterId, isRevoker)) {
                emit SubjectSkipped(subject, SkipReason.NotAuthorized);
            } else {
                _revoke(subject, reason);
                ++revoked;
            }
        }
    }

    /// @inheritdoc IKycRegistryAdmin
    function dropSigningClaims(address[] calldata subjects) external onlyDelegated returns (uint256 dropped) {
        uint16 callerId = _activeAttesterId(msg.sender);
        for (uint256 i = 0; i < subjects.length; ++i) {
            address subject = subjects[i];
            Record storage r = _records[subject];
            uint32 claims = r.claims;
            if (r.status != _STATUS_ACTIVE || r.expiresAt <= block.timestamp) {
                emit SubjectSkipped(subject, SkipReason.NotActive);
            } else if (callerId == 0 || r.attesterId != callerId) {
                emit SubjectSkipped(subject, SkipReason.NotAuthorized);
            } else if (claims & Claims.FROM_SIGNING == 0) {
                emit SubjectSkipped(subject, SkipReason.NoSigningClaims);
            } else {
                claims &= ~Claims.FROM_SIGNING;
                r.claims = claims;
                emit SigningClaimsDropped(subject, msg.sender, claims);
                ++dropped;
            }
        }
    }

    // ------------------------------------------------------------------ pluggable card key verifiers

    /// @inheritdoc IKycRegistryAdmin
    function attestWithVerifier(
        AttestationRequest calldata req,
        uint8 keyType,
        bytes calldata publicKey,
        bytes calldata cardSignature,
        bytes calldata subjectSignature
    ) external onlyDelegated {
        uint256 attesterRef;
        uint40 expiresAt;
        {
            uint256 cfg = _configWord();
            if (_cfgPaused(cfg)) revert RegistryPaused();
            attesterRef = _attesterRef(msg.sender, _checkAttester(msg.sender, cfg));
            expiresAt = _checkRequest(req, cfg);
        }
        ICardKeyVerifier verifier = _requireVerifier(keyType);
        uint256 record = _recordWord(req.subject);
        bytes32 digest = _requestBinding(req, msg.sender, record);
        if (!_verifierAccepts(verifier, digest, publicKey, cardSignature)) revert InvalidCardSignature();
        _checkSubjectSignature(req.subject, digest, subjectSignature);
        _store(req, attesterRef, _keyNullifier(keyType, publicKey), expiresAt, record);
    }

    /// @inheritdoc IKycRegistryAdmin
    function revokeByCardWithVerifier(
        address subject,
        uint64 deadline,
        uint8 keyType,
        bytes calldata publicKey,
        bytes calldata cardSignature
    ) external onlyDelegated {
        if (deadline < block.timestamp) revert DeadlineExpired(deadline);
        ICardKeyVerifier verifier = _requireVerifier(keyType);
        bytes32 digest = _checkRevocableByKey(subject, deadline, _keyNullifier(keyType, publicKey));
        if (!_verifierAccepts(verifier, digest, publicKey, cardSignature)) revert InvalidCardSignature();
        _consumeNonceAndRevokeByCard(subject);
    }

    // ------------------------------------------------------------------ administration

    /// @inheritdoc IKycRegistryAdmin
    function addTrustAnchor(
        AnchorKind kind,
        bytes32 keyHash,
        uint64 notBefore,
        uint64 notAfter
    ) external onlyDelegated onlyRole(_ANCHOR_MANAGER_ROLE) returns (uint16 caId) {
        if (keyHash == bytes32(0) || notBefore >= notAfter) revert InvalidTrustAnchor();
        if (_anchorByKeyHash[keyHash] != 0) revert DuplicateTrustAnchor(keyHash);
        Config storage cfg = _config;
        if (cfg.anchorCount >= _MAX_TRUST_ANCHORS) revert TooManyTrustAnchors();
        caId = cfg.anchorCount + 1;
        cfg.anchorCount = caId;
        if (kind == AnchorKind.Signing) cfg.signingAnchors |= uint64(1) << (caId - 1);
        _anchors[caId] = Anchor(keyHash, notBefore, notAfter);
        _anchorByKeyHash[keyHash] = caId;
        emit TrustAnchorAdded(caId, kind, keyHash, notBefore, notAfter);
    }

    /// @inheritdoc IKycRegistryAdmin
    function setTrustAnchorEnabled(uint16 caId, bool enabled) external onlyDelegated onlyRole(_ANCHOR_MANAGER_ROLE) {
        _requireKnownAnchor(_configWord(), caId);
        Config storage cfg = _config;
        uint64 bit = uint64(1) << (caId - 1);
        uint64 disabled = enabled ? cfg.disabledAnchors & ~bit : cfg.disabledAnchors | bit;
        cfg.disabledAnchors = disabled;
        uint16 count = cfg.attesterCount;
        for (uint16 id = 1; id <= count; ++id) _attesters[id].disabledAnchors = disabled;
        emit TrustAnchorStatusChanged(caId, enabled);
    }

    /// @inheritdoc IKycRegistryAdmin
    function setMaxAge(uint64 newMaxAge) external onlyDelegated onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMaxAge(newMaxAge);
    }

    /// @inheritdoc IKycRegistryAdmin
    function setMaxStaleness(uint64 newMaxStaleness) external onlyDelegated onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMaxStaleness(newMaxStaleness);
    }

    /// @inheritdoc IKycRegistryAdmin
    function setKeyVerifier(
        uint8 keyType,
        ICardKeyVerifier verifier
    ) external onlyDelegated onlyRole(DEFAULT_ADMIN_ROLE) {
        if (keyType == _KEY_TYPE_RSA) revert InvalidKeyType(keyType); // 0 is the inline RSA path
        if (address(verifier) != address(0) && address(verifier).code.length == 0) {
            revert InvalidKeyVerifier(address(verifier));
        }
        _keyVerifiers[keyType] = verifier;
        emit KeyVerifierSet(keyType, address(verifier));
    }

    /// @inheritdoc IKycRegistryAdmin
    function pause() external onlyDelegated onlyRole(_PAUSER_ROLE) {
        if (_config.paused) revert AlreadyPaused();
        _config.paused = true;
        emit Paused(msg.sender);
    }

    /// @inheritdoc IKycRegistryAdmin
    function unpause() external onlyDelegated onlyRole(_PAUSER_ROLE) {
        if (!_config.paused) revert NotPaused();
        _config.paused = false;
        emit Unpaused(msg.sender);
    }
}
