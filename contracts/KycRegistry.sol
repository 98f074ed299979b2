// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {KycRegistryStorage} from "./KycRegistryStorage.sol";
import {IKycRegistry, KycStatus} from "./interfaces/IKycRegistry.sol";
import {IKycRegistryAdmin} from "./interfaces/IKycRegistryAdmin.sol";
import {IKycRegistryOperations} from "./interfaces/IKycRegistryOperations.sol";
import {AttestationRequest, RelayAuthorization, RevocationReason, SkipReason} from "./interfaces/KycTypes.sol";
import {RsaPkcs1} from "./libraries/RsaPkcs1.sol";

/// @title KycRegistry — zero-PII KYC attestations for My Number Card (JPKI) holders, protocol v2
/// @notice A registered JPKI verifier (attester) records that the holder of a card authentication key controls a
/// wallet address. The card's RSA PKCS#1 v1.5 signature and the wallet's own signature over the EIP-712
/// `KycBinding` are verified on chain; nothing from a certificate is stored, emitted or accepted. Not upgradeable: a
/// new version is a new deployment.
/// @dev This contract holds the hot paths (consumer reads, attest, revoke); every other call (`IKycRegistryAdmin`:
/// batches, pluggable verifiers, trust anchors, parameters) is delegated to the immutable `extension`, a
/// `KycRegistryAdmin` sharing this storage layout (see `KycRegistryStorage`). The split keeps the deployed code well
/// under EIP-170's 24,576 bytes.
///
/// Attest checks run in this fixed order, one custom error each: RegistryPaused; (relayed: RelayDeadlineExpired)
/// NotAttester; StaleCrlSync; DeadlineExpired; InvalidSubject; InvalidClaims; ClaimsNotDisclosed;
/// PersonTagMismatch; MissingRecordCommitment; ExpiryCapNotOnGrid; ExpiryNotInFuture; UnknownTrustAnchor;
/// TrustAnchorDisabled; WrongAnchorKind; InvalidModulus (pluggable path: UnknownKeyType); (relayed:
/// InvalidAttesterSignature) InvalidCardSignature; InvalidSubjectSignature; KeyBurned; KeyAlreadyBound;
/// PersonTagInUse.
contract KycRegistry is KycRegistryStorage, IKycRegistryOperations {
    /// @notice The admin extension (`KycRegistryAdmin`) every call not served here is delegated to.
    // solhint-disable-next-line immutable-vars-naming
    address public immutable extension;

    /// @param admin the DEFAULT_ADMIN_ROLE holder (transferred in two steps with `adminDelay`)
    /// @param adminDelay the delay of an admin transfer, seconds
    /// @param initialMaxAge the longest an attestation may live, seconds (at least EXPIRY_GRID)
    /// @param initialMaxStaleness the longest an attester may go without a CRL-sync heartbeat (0 disables)
    /// @param adminExtension a deployed `KycRegistryAdmin`
    constructor(
        address admin,
        uint48 adminDelay,
        uint64 initialMaxAge,
        uint64 initialMaxStaleness,
        address adminExtension
    ) KycRegistryStorage(admin, adminDelay, initialMaxAge, initialMaxStaleness) {
        if (adminExtension.code.length == 0) revert InvalidExtension(adminExtension);
        extension = adminExtension;
    }

    /// @notice Serves `IKycRegistryAdmin` by DELEGATECALL to `extension` (same storage layout). Not payable.
    /// @dev The forwarding itself is the logic here: copy the call, delegate it, return or revert with its data.
    // solhint-disable-next-line no-complex-fallback
    fallback() external {
        address target = extension;
        assembly ("memory-safe") {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), target, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) {
                revert(0, returndatasize())
            }
            return(0, returndatasize())
        }
    }

    // ------------------------------------------------------------------ consumer reads

    /// @inheritdoc IKycRegistry
    /// @dev Written out in assembly (two storage loads, no loop): the call consumers make most. Must agree with
    /// `_status` (tested).
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
        (KycStatus status, uint32 claims, ) = _status(account);
        return status == KycStatus.Active && claims & mask == mask;
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
    function bindingDigest(
        address subject,
        address attester,
        uint32 disclose,
        uint256 nonce,
        uint64 deadline,
        bytes32 anonCommitment
    ) external view returns (bytes32) {
        return _bindingDigest(subject, attester, disclose, nonce, deadline, anonCommitment);
    }

    /// @inheritdoc IKycRegistryOperations
    function revokeDigest(address subject, uint256 nonce, uint64 deadline) external view returns (bytes32) {
        return _revokeDigest(subject, nonce, deadline);
    }

    /// @inheritdoc IKycRegistryOperations
    function attestationDigest(
        bytes32 binding,
        AttestationRequest calldata req,
        bytes32 keyNullifier,
        uint64 relayDeadline
    ) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        _ATTESTATION_TYPEHASH,
                        binding,
                        req.claims,
                        req.personTag,
                        req.expiryCap,
                        req.caId,
                        keyNullifier,
                        req.recordCommitment,
                        relayDeadline
                    )
                )
            );
    }

    /// @inheritdoc IKycRegistryOperations
    function keyState(bytes32 keyNullifier) external view returns (address subject, bool active, bool burned) {
        uint256 w = _keys[keyNullifier];
        subject = address(uint160(w));
        burned = w & _KEY_BURNED != 0;
        active = subject != address(0) && _activeWithKey(_recordWord(subject), keyNullifier);
    }

    /// @inheritdoc IKycRegistryOperations
    function isCurrentKey(address subject, bytes32 keyNullifier) external view returns (bool) {
        return _isCurrentKey(subject, keyNullifier);
    }

    /// @inheritdoc IKycRegistryOperations
    /// @dev Served here rather than by the extension: consumers call it with every anonymous proof (one slot).
    function anonRootAt(uint256 ref) external view returns (bytes32 root, uint64 publishedAt, uint64 validUntil) {
        uint256 w = _anonRing[ref];
        return (bytes32(w >> 80), uint64(uint40(w >> 40)), uint64(uint40(w)));
    }

    /// @inheritdoc IKycRegistryOperations
    function version() external pure returns (string memory) {
        return "2.0.0";
    }

    // ------------------------------------------------------------------ attest

    /// @inheritdoc IKycRegistryOperations
    function attest(
        AttestationRequest calldata req,
        bytes calldata modulus,
        bytes calldata cardSignature,
        bytes calldata subjectSignature
    ) external {
        uint256 cfg = _configWord();
        if (_cfgPaused(cfg)) revert RegistryPaused();
        uint16 attesterId = _checkAttester(msg.sender, cfg);
        uint40 expiresAt = _checkRequest(req, cfg);
        _checkModulus(modulus);
        uint256 record = _recordWord(req.subject);
        bytes32 digest = _requestBinding(req, msg.sender, record);
        _checkRsaAndSubject(req.subject, digest, modulus, cardSignature, subjectSignature);
        _store(req, _attesterRef(msg.sender, attesterId), _keyNullifier(_KEY_TYPE_RSA, modulus), expiresAt, record);
    }

    /// @inheritdoc IKycRegistryOperations
    function attestBySig(
        AttestationRequest calldata req,
        bytes calldata modulus,
        bytes calldata cardSignature,
        bytes calldata subjectSignature,
        RelayAuthorization calldata relay
    ) external {
        uint256 cfg = _configWord();
        if (_cfgPaused(cfg)) revert RegistryPaused();
        if (relay.deadline < block.timestamp) revert RelayDeadlineExpired(relay.deadline);
        uint256 attesterRef = _attesterRef(relay.attester, _checkAttester(relay.attester, cfg));
        uint40 expiresAt = _checkRequest(req, cfg);
        _checkModulus(modulus);
        uint256 record = _recordWord(req.subject);
        bytes32 digest = _requestBinding(req, relay.attester, record);
        bytes32 nullifier = _keyNullifier(_KEY_TYPE_RSA, modulus);
        _checkRelaySignature(digest, req, nullifier, relay);
        _checkRsaAndSubject(req.subject, digest, modulus, cardSignature, subjectSignature);
        _store(req, attesterRef, nullifier, expiresAt, record);
    }

    // ------------------------------------------------------------------ revoke

    /// @inheritdoc IKycRegistryOperations
    function revoke(address subject, RevocationReason reason) external {
        _requireOperatorReason(reason);
        Record storage r = _records[subject];
        if (!_mayRevoke(r.attesterId, hasRole(_REVOKER_ROLE, msg.sender))) {
            revert NotAuthorizedToRevoke(msg.sender, subject);
        }
        if (r.status != _STATUS_ACTIVE) revert NotActive(subject);
        _revoke(subject, reason);
    }

    /// @inheritdoc IKycRegistryOperations
    function revokeSelf() external {
        if (_records[msg.sender].status != _STATUS_ACTIVE) revert NotActive(msg.sender);
        // the holder nonce moves on too: a binding signed before (and not yet used) cannot attest after the withdrawal
        _consumeNonceAndRevokeByCard(msg.sender);
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
        bytes32 digest = _checkRevocableByKey(subject, deadline, _keyNullifier(_KEY_TYPE_RSA, modulus));
        if (!_verifyRsa(digest, modulus, cardSignature)) revert InvalidCardSignature();
        _consumeNonceAndRevokeByCard(subject);
    }

    /// @inheritdoc IKycRegistryOperations
    function revokeInvalidKeys(bytes32[] calldata keyNullifiers) external returns (uint256 revoked) {
        bool isRevoker = hasRole(_REVOKER_ROLE, msg.sender);
        uint16 callerId = _activeAttesterId(msg.sender);
        for (uint256 i = 0; i < keyNullifiers.length; ++i) {
            bytes32 nullifier = keyNullifiers[i];
            uint256 keyWord = _keys[nullifier];
            address subject = address(uint160(keyWord));
            if (subject == address(0)) {
                emit KeySkipped(nullifier, SkipReason.NotActive);
                continue;
            }
            if (keyWord & _KEY_BURNED != 0) {
                emit KeySkipped(nullifier, SkipReason.AlreadyBurned);
                continue;
            }
            uint256 r = _recordWord(subject);
            // the key's last record is still the subject's (a later record under another key belongs to that key)
            bool own = uint8(r >> 16) != 0 && uint40(r >> 216) == uint40(uint256(nullifier));
            if (!isRevoker && !(own && callerId != 0 && uint16(r) == callerId)) {
                emit KeySkipped(nullifier, SkipReason.NotAuthorized);
                continue;
            }
            _keys[nullifier] = keyWord | _KEY_BURNED;
            emit CardKeyBurned(nullifier, msg.sender);
            if (own && uint8(r >> 16) == _STATUS_ACTIVE) {
                _revoke(subject, RevocationReason.CertificateInvalid);
                ++revoked;
            }
        }
    }

    /// @inheritdoc IKycRegistryOperations
    function recordCrlSync() external {
        AttesterKey storage key = _attesterKeys[msg.sender];
        uint16 id = key.id;
        if (id == 0 || !key.active) revert NotAttester(msg.sender);
        key.lastCrlSync = uint40(block.timestamp);
        _attesters[id].lastCrlSync = uint40(block.timestamp);
        emit CrlSynced(msg.sender, uint64(block.timestamp));
    }

    // ------------------------------------------------------------------ anonymous-proof roots
    // Served here rather than by the extension: an operator publishes as often as every batch of opt-ins.

    /// @inheritdoc IKycRegistryOperations
    function publishAnonRoot(bytes32 root, uint64 validUntil, uint32 leafCount) external {
        _publishAnonRoot(root, validUntil, leafCount, false);
    }

    /// @inheritdoc IKycRegistryOperations
    function replaceAnonRoots(bytes32 root, uint64 validUntil, uint32 leafCount) external {
        _publishAnonRoot(root, validUntil, leafCount, true);
    }

    /// @notice ERC-165: the consumer, operations and admin interfaces (the last served by the extension) and roles.
    function supportsInterface(bytes4 interfaceId) public view virtual override returns (bool) {
        return
            interfaceId == type(IKycRegistry).interfaceId ||
            interfaceId == type(IKycRegistryOperations).interfaceId ||
            interfaceId == type(IKycRegistryAdmin).interfaceId ||
            super.supportsInterface(interfaceId);
    }

    // ------------------------------------------------------------------ internals

    /// @dev publishAnonRoot / replaceAnonRoots: checks in order NotAttester, InvalidAnonRoot,
    /// InvalidAnonRootValidity, AnonRootOutlivesCrlSync; with `closeEarlier` every earlier root of the caller ends
    /// before this block (`AnonRootsClamped`), then the root takes the next ring entry.
    function _publishAnonRoot(bytes32 root, uint64 validUntil, uint32 leafCount, bool closeEarlier) private {
        uint16 id = _activeAttesterId(msg.sender);
        if (id == 0) revert NotAttester(msg.sender);
        if (root == bytes32(0) || uint256(root) >> _ANON_ROOT_BITS != 0) revert InvalidAnonRoot();
        if (validUntil <= block.timestamp || validUntil > block.timestamp + _MAX_ANON_ROOT_VALIDITY) {
            revert InvalidAnonRootValidity(validUntil);
        }
        // one read and one write of the attester's slot (AttesterInfo: lastCrlSync, maxStaleness, the ring's counters)
        AttesterInfo storage info = _attesters[id];
        uint256 word = _attesterWord(id);
        // consumers read the root's slot alone: the root ends no later than its attester would turn stale
        uint256 staleness = _attesterMaxStaleness(word);
        if (staleness != 0 && validUntil > _attesterLastSync(word) + staleness) {
            revert AnonRootOutlivesCrlSync(validUntil, uint64(_attesterLastSync(word) + staleness));
        }
        (uint256 index, uint256 written, uint256 open) = _attesterAnonRing(word);
        if (closeEarlier) {
            // entries written before the last replacement ended then already
            _clampAnonRing(id, index, open, block.timestamp - 1);
            open = 0;
            emit AnonRootsClamped(msg.sender, uint64(block.timestamp - 1));
        }
        uint256 ref = _anonRingRef(id, index);
        _anonRing[ref] = (uint256(root) << 80) | (block.timestamp << 40) | validUntil;
        if (written < _ANON_ROOT_RING) ++written;
        if (open < _ANON_ROOT_RING) ++open;
        word = _withAttesterAnonRing(word, (index + 1) % _ANON_ROOT_RING, written, open);
        assembly ("memory-safe") {
            sstore(info.slot, word)
        }
        emit AnonRootPublished(msg.sender, root, ref, validUntil, leafCount);
    }

    /// @dev The relayed check after the request checks: the attester's signature over the authorisation.
    function _checkRelaySignature(
        bytes32 digest,
        AttestationRequest calldata req,
        bytes32 nullifier,
        RelayAuthorization calldata relay
    ) internal view {
        bytes32 authorised = attestationDigest(digest, req, nullifier, relay.deadline);
        if (!SignatureChecker.isValidSignatureNowCalldata(relay.attester, authorised, relay.signature)) {
            revert InvalidAttesterSignature();
        }
    }

    /// @dev Checks 11 to 13 for the inline RSA path: card signature, then the subject's.
    function _checkRsaAndSubject(
        address subject,
        bytes32 digest,
        bytes calldata modulus,
        bytes calldata cardSignature,
        bytes calldata subjectSignature
    ) internal view {
        if (!_verifyRsa(digest, modulus, cardSignature)) revert InvalidCardSignature();
        _checkSubjectSignature(subject, digest, subjectSignature);
    }

    /// @dev Check 11: a whole number of bytes (256..512) with a non-zero leading byte; at the minimum length the top
    /// bit must be set too, so a 2047-bit key is refused here rather than by the signature check. The length is
    /// checked before the leading byte is read (an empty modulus is `InvalidModulus(0)`, not a panic).
    function _checkModulus(bytes calldata modulus) internal pure {
        uint256 len = modulus.length;
        if (len < _MIN_MODULUS_BYTES || len > _MAX_MODULUS_BYTES) revert InvalidModulus(len);
        uint8 lead = uint8(modulus[0]);
        if (lead == 0 || (len == _MIN_MODULUS_BYTES && lead < 0x80)) revert InvalidModulus(len);
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
}
