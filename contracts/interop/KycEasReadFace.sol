// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Attestation} from "@ethereum-attestation-service/eas-contracts/contracts/Common.sol";
import {SchemaRecord} from "@ethereum-attestation-service/eas-contracts/contracts/ISchemaRegistry.sol";
import {ISchemaResolver} from "@ethereum-attestation-service/eas-contracts/contracts/resolver/ISchemaResolver.sol";

import {IKycRegistry, KycStatus} from "../interfaces/IKycRegistry.sol";
import {IAttestationIndexer} from "./interfaces/IAttestationIndexer.sol";
import {IEasReadSurface} from "./interfaces/IEasReadSurface.sol";

/// @title KycEasReadFace — the KYC registry seen through EAS's read calls, for readers built for EAS
/// @notice A reader that holds an EAS address, an indexer address and a schema UID (as Coinbase Verifications
/// consumers do) accepts JPKI KYC attestations when configured with this contract as both EAS and indexer and with
/// `schemaUid`. Nothing is stored or mirrored: every attestation is built at read time from `IKycRegistry.kycStatus`,
/// so the registry's revocation, expiry, operator staleness and trust-anchor state always win, and no JPKI data
/// leaves the registry (the data field carries the claim bits only).
/// @dev One face per claim policy: a holder has an attestation of this face's schema only while the registry holds a
/// record with every bit of `requiredClaims`. UIDs are `tag (96 bits) | recipient (160 bits)` with a tag unique to
/// this face, so a UID maps back to its recipient without storage. Field by field:
/// - `time`: the read time (the record is evaluated when read; the registry's maxAge bounds its real age);
/// - `expirationTime`: the registry's `expiresAt`;
/// - `revocationTime`: zero while the registry reports `Active`, else the read time (Revoked, Expired,
///   StaleOperator, DisabledTrustAnchor all read as revoked, so a reader that checks either field refuses them);
/// - `attester`: the KYC registry; `revocable`: true; `refUID`: zero; `data`: `abi.encode(uint32 claims)`.
contract KycEasReadFace is IEasReadSurface, IAttestationIndexer {
    /// @notice The schema of the attestations served, registered in EAS terms with no resolver and revocable.
    string public constant SCHEMA = "uint32 jpkiKycClaims";

    /// @notice The KYC registry every answer comes from.
    // solhint-disable-next-line immutable-vars-naming
    IKycRegistry public immutable kycRegistry;
    /// @notice The claim bits a record must carry to be served (0: any record).
    // solhint-disable-next-line immutable-vars-naming
    uint32 public immutable requiredClaims;
    /// @notice The schema UID readers are configured with: EAS's formula over (SCHEMA, no resolver, revocable) and
    /// this face's claim policy.
    // solhint-disable-next-line immutable-vars-naming
    bytes32 public immutable schemaUid;
    /// @dev The high 96 bits of every UID this face serves.
    // solhint-disable-next-line immutable-vars-naming
    uint256 private immutable _uidTag;

    /// @notice The KYC registry address is zero.
    error ZeroRegistry();

    /// @param registry the KYC registry to answer from
    /// @param claims the claim bits a record must carry (e.g. AGE_20 = 8 for an age-gated reader)
    constructor(IKycRegistry registry, uint32 claims) {
        if (address(registry) == address(0)) revert ZeroRegistry();
        kycRegistry = registry;
        requiredClaims = claims;
        bytes32 uid = keccak256(abi.encodePacked(SCHEMA, address(0), true, claims));
        schemaUid = uid;
        _uidTag = uint256(keccak256(abi.encode(address(this), uid))) >> 160;
    }

    /// @inheritdoc IAttestationIndexer
    /// @dev Zero unless the registry holds a record of `recipient` with every required claim (whatever its status:
    /// `getAttestation` tells whether it is current).
    function getAttestationUid(address recipient, bytes32 schema) external view returns (bytes32) {
        if (schema != schemaUid) return bytes32(0);
        (KycStatus status, uint32 claims, ) = kycRegistry.kycStatus(recipient);
        if (!_served(status, claims)) return bytes32(0);
        return _uidOf(recipient);
    }

    /// @inheritdoc IEasReadSurface
    function getAttestation(bytes32 uid) external view returns (Attestation memory attestation) {
        if (uint256(uid) >> 160 != _uidTag) return attestation;
        address recipient = address(uint160(uint256(uid)));
        (KycStatus status, uint32 claims, uint64 expiresAt) = kycRegistry.kycStatus(recipient);
        if (!_served(status, claims)) return attestation;
        attestation.uid = uid;
        attestation.schema = schemaUid;
        attestation.time = uint64(block.timestamp);
        attestation.expirationTime = expiresAt;
        attestation.revocationTime = status == KycStatus.Active ? 0 : uint64(block.timestamp);
        attestation.recipient = recipient;
        attestation.attester = address(kycRegistry);
        attestation.revocable = true;
        attestation.data = abi.encode(claims);
    }

    /// @inheritdoc IEasReadSurface
    /// @dev Stricter than EAS (which answers "exists"): true only while the attestation is served and the registry
    /// reports it `Active`.
    function isAttestationValid(bytes32 uid) external view returns (bool) {
        if (uint256(uid) >> 160 != _uidTag) return false;
        (KycStatus status, uint32 claims, ) = kycRegistry.kycStatus(address(uint160(uint256(uid))));
        return status == KycStatus.Active && _served(status, claims);
    }

    /// @inheritdoc IEasReadSurface
    /// @dev This contract: it answers `getSchema` for its one schema.
    function getSchemaRegistry() external view returns (address) {
        return address(this);
    }

    /// @inheritdoc IEasReadSurface
    function getSchema(bytes32 uid) external view returns (SchemaRecord memory record) {
        if (uid != schemaUid) return record;
        record.uid = uid;
        record.resolver = ISchemaResolver(address(0));
        record.revocable = true;
        record.schema = SCHEMA;
    }

    /// @inheritdoc IEasReadSurface
    /// @dev Always zero: the face timestamps nothing.
    function getTimestamp(bytes32) external pure returns (uint64) {
        return 0;
    }

    /// @inheritdoc IEasReadSurface
    /// @dev Always zero: off-chain revocations do not apply; the registry's revocation is served on chain.
    function getRevokeOffchain(address, bytes32) external pure returns (uint64) {
        return 0;
    }

    function _served(KycStatus status, uint32 claims) private view returns (bool) {
        uint32 mask = requiredClaims;
        return status != KycStatus.None && claims & mask == mask;
    }

    function _uidOf(address recipient) private view returns (bytes32) {
        return bytes32((_uidTag << 160) | uint256(uint160(recipient)));
    }
}
