// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IAttestationIndexer — where an EAS reader finds the attestation UID of a recipient for a schema
/// @notice Selector-compatible with the indexer read call Coinbase Verifications consumers use.
interface IAttestationIndexer {
    /// @notice The UID of `recipient`'s attestation of schema `schemaUid`, or zero when there is none.
    function getAttestationUid(address recipient, bytes32 schemaUid) external view returns (bytes32);
}
