// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEAS} from "@ethereum-attestation-service/eas-contracts/contracts/IEAS.sol";
import {Attestation} from "@ethereum-attestation-service/eas-contracts/contracts/Common.sol";

import {IAttestationIndexer} from "../interfaces/IAttestationIndexer.sol";

/// @title EasGatedExample — an EAS reader written the way Coinbase Verifications consumers are
/// @notice Configured with an EAS, an indexer and a schema UID; `enter()` admits the caller when the indexer names an
/// attestation of that schema for it that EAS reports unexpired and unrevoked. Knows nothing about the KYC registry:
/// pointed at `KycEasReadFace` (as both EAS and indexer) it admits JPKI KYC holders.
contract EasGatedExample {
    /// @notice The EAS (or EAS-compatible read surface) attestations are read from.
    // solhint-disable-next-line immutable-vars-naming
    IEAS public immutable eas;
    /// @notice Where the attestation UID of a recipient for the schema is found.
    // solhint-disable-next-line immutable-vars-naming
    IAttestationIndexer public immutable indexer;
    /// @notice The schema an attestation must have.
    // solhint-disable-next-line immutable-vars-naming
    bytes32 public immutable schemaUid;

    /// @notice Accounts admitted so far.
    mapping(address account => bool) public entered;

    /// @notice `account` was admitted on `uid`.
    event Entered(address indexed account, bytes32 uid);

    error AttestationNotFound(address account);
    error AttestationSchemaMismatch(bytes32 schema);
    error AttestationRecipientMismatch(address recipient);
    error AttestationExpired(bytes32 uid, uint64 expirationTime);
    error AttestationRevoked(bytes32 uid, uint64 revocationTime);
    error AttestationWithoutAttester(bytes32 uid);

    constructor(IEAS eas_, IAttestationIndexer indexer_, bytes32 schemaUid_) {
        eas = eas_;
        indexer = indexer_;
        schemaUid = schemaUid_;
    }

    /// @notice Admits the caller if it holds a current attestation of `schemaUid`.
    function enter() external {
        bytes32 uid = requireAttested(msg.sender);
        entered[msg.sender] = true;
        emit Entered(msg.sender, uid);
    }

    /// @notice The UID of `account`'s current attestation of `schemaUid`; reverts with the reason it has none.
    function requireAttested(address account) public view returns (bytes32) {
        Attestation memory a = eas.getAttestation(indexer.getAttestationUid(account, schemaUid));
        if (a.uid == bytes32(0)) revert AttestationNotFound(account);
        if (a.schema != schemaUid) revert AttestationSchemaMismatch(a.schema);
        if (a.recipient != account) revert AttestationRecipientMismatch(a.recipient);
        if (a.expirationTime != 0 && a.expirationTime <= block.timestamp) {
            revert AttestationExpired(a.uid, a.expirationTime);
        }
        if (a.revocationTime != 0) revert AttestationRevoked(a.uid, a.revocationTime);
        if (a.attester == address(0)) revert AttestationWithoutAttester(a.uid);
        return a.uid;
    }
}
