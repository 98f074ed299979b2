// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EasGatedExample} from "../examples/EasGatedExample.sol";

/// @notice Benchmark helper: the gas an EAS reader's check costs (indexer lookup + `getAttestation` + checks), with
/// the reader, the EAS side and the record cold when called in a fresh transaction or `eth_call`.
contract EasReadProbe {
    function probe(EasGatedExample reader, address account) external view returns (uint256 used) {
        uint256 before = gasleft();
        reader.requireAttested(account);
        used = before - gasleft();
    }
}
