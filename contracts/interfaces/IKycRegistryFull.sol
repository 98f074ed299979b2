// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// solhint-disable-next-line max-line-length
import {IAccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/IAccessControlDefaultAdminRules.sol";

import {IKycRegistryAdmin} from "./IKycRegistryAdmin.sol";
import {IKycRegistryOperations} from "./IKycRegistryOperations.sol";

/// @title IKycRegistryFull — everything callable at a registry's address: its own functions and its extension's
/// @notice For tooling and tests that talk to one address, roles included (`KycRegistry` serves
/// `IKycRegistryOperations` and delegates `IKycRegistryAdmin` to its extension).
// solhint-disable-next-line no-empty-blocks
interface IKycRegistryFull is IKycRegistryOperations, IKycRegistryAdmin, IAccessControlDefaultAdminRules {}
