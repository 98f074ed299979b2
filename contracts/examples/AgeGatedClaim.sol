// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {KycGated} from "../KycGated.sol";
import {IKycRegistryOperations} from "../interfaces/IKycRegistryOperations.sol";
import {Claims} from "../libraries/Claims.sol";

/// @title AgeGatedClaim — an example one-time claim for verified holders aged 20 or over
/// @notice One claim per card key and per address: the caller names its card's key nullifier
/// (`keccak256(0x00 ‖ modulus)`, also in the registry's `Attested` event), which must be the key of its current
/// attestation. Each key and each address claims once, so re-binding the card to a new address cannot claim twice.
/// (A person with two cards, or a card and a smartphone key, holds two keys: see the anonymous proofs for one claim
/// per person.)
/// @dev A real consumer would transfer something in `claim`; this example only records and emits.
contract AgeGatedClaim is KycGated {
    /// @notice Whether the card key with this nullifier has claimed.
    mapping(bytes32 keyNullifier => bool) public keyClaimed;
    /// @notice Whether this address has claimed.
    mapping(address account => bool) public accountClaimed;
    /// @notice Number of successful claims.
    uint256 public claimCount;

    event Claimed(address indexed account, bytes32 indexed keyNullifier);
    error AlreadyClaimed();
    error NotCurrentKey(bytes32 keyNullifier);

    constructor(IKycRegistryOperations registry) KycGated(registry, Claims.AUTH | Claims.AGE_20) {}

    /// @notice Claim once; the caller must be verified with AGE_20 and `keyNullifier` must be its current card key.
    function claim(bytes32 keyNullifier) external onlyKyc(msg.sender) {
        if (!IKycRegistryOperations(address(kycRegistry)).isCurrentKey(msg.sender, keyNullifier)) {
            revert NotCurrentKey(keyNullifier);
        }
        if (keyClaimed[keyNullifier] || accountClaimed[msg.sender]) revert AlreadyClaimed();
        keyClaimed[keyNullifier] = true;
        accountClaimed[msg.sender] = true;
        ++claimCount;
        emit Claimed(msg.sender, keyNullifier);
    }
}
