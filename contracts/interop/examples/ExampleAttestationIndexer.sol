// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEAS} from "@ethereum-attestation-service/eas-contracts/contracts/IEAS.sol";
import {Attestation} from "@ethereum-attestation-service/eas-contracts/contracts/Common.sol";

import {IAttestationIndexer} from "../interfaces/IAttestationIndexer.sol";

/// @title ExampleAttestationIndexer — a minimal indexer over a real EAS (latest attestation per recipient and schema)
/// @notice Anyone may index an existing EAS attestation; the reader still checks it in EAS (expiry, revocation).
contract ExampleAttestationIndexer is IAttestationIndexer {
    /// @notice The EAS whose attestations are indexed.
    // solhint-disable-next-line immutable-vars-naming
    IEAS public immutable eas;

    mapping(address recipient => mapping(bytes32 schema => bytes32 uid)) private _uids;

    /// @notice `uid` is now the attestation of `recipient` for `schema`.
    event AttestationIndexed(address indexed recipient, bytes32 indexed schema, bytes32 uid);

    /// @notice No attestation with `uid` exists in `eas`.
    error UnknownAttestation(bytes32 uid);

    constructor(IEAS eas_) {
        eas = eas_;
    }

    /// @notice Records `uid` (which must exist in `eas`) as its recipient's attestation for its schema.
    function index(bytes32 uid) external {
        Attestation memory a = eas.getAttestation(uid);
        if (a.uid == bytes32(0)) revert UnknownAttestation(uid);
        _uids[a.recipient][a.schema] = uid;
        emit AttestationIndexed(a.recipient, a.schema, uid);
    }

    /// @inheritdoc IAttestationIndexer
    function getAttestationUid(address recipient, bytes32 schemaUid) external view returns (bytes32) {
        return _uids[recipient][schemaUid];
    }
}
