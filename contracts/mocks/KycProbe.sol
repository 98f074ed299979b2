// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IKycRegistry} from "../interfaces/IKycRegistry.sol";

/// @notice Benchmark helper: measures the gas a consumer's `isVerified` call costs (registry and record cold).
contract KycProbe {
    uint256 public lastGas;
    bool public lastResult;

    function probe(IKycRegistry registry, address account) external returns (uint256 used) {
        uint256 before = gasleft();
        bool ok = registry.isVerified(account);
        used = before - gasleft();
        lastGas = used;
        lastResult = ok;
    }
}
