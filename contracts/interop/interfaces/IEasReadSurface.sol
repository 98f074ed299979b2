// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Attestation} from "@ethereum-attestation-service/eas-contracts/contracts/Common.sol";
import {SchemaRecord} from "@ethereum-attestation-service/eas-contracts/contracts/ISchemaRegistry.sol";

/// @title IEasReadSurface — the read calls of EAS (`IEAS`) and of its schema registry, with the same selectors and
/// result types, so that a contract holding an `IEAS` address can be pointed at an implementation of this interface.
interface IEasReadSurface {
    /// @notice The attestation with `uid`; an all-zero attestation when there is none.
    function getAttestation(bytes32 uid) external view returns (Attestation memory);

    /// @notice Whether an attestation with `uid` exists (see the implementation for what it adds).
    function isAttestationValid(bytes32 uid) external view returns (bool);

    /// @notice The schema registry that knows the schemas of these attestations.
    function getSchemaRegistry() external view returns (address);

    /// @notice The time `data` was timestamped (zero: never).
    function getTimestamp(bytes32 data) external view returns (uint64);

    /// @notice The time `revoker` revoked `data` off-chain (zero: never).
    function getRevokeOffchain(address revoker, bytes32 data) external view returns (uint64);

    /// @notice The schema record of `uid` (the `ISchemaRegistry` read call); an empty record when unknown.
    function getSchema(bytes32 uid) external view returns (SchemaRecord memory);
}
