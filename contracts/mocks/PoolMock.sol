// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice Test-only stand-in for a contract that never consented to anything (a liquidity pool, a vault): it holds
/// funds and has no ERC-1271 `isValidSignature`. A card holder must not be able to attest it as their wallet.
contract PoolMock {
    mapping(address account => uint256) public deposits;

    function deposit() external payable {
        deposits[msg.sender] += msg.value;
    }
}
