// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {KycGated} from "../KycGated.sol";
import {IKycRegistryOperations} from "../interfaces/IKycRegistryOperations.sol";
import {Claims} from "../libraries/Claims.sol";

/// @title AgeGatedClaim — an example one-time claim for verified holders aged 20 or over
/// @notice Each card key claims at most once: the claim is keyed by the key fingerprint of the caller's current
/// attestation (low 96 bits of its key nullifier), so moving the card to a new address cannot claim twice.
/// @dev A real consumer would transfer something in `_onClaim`; this example only records and emits.
contract AgeGatedClaim is KycGated {
    /// @notice Whether the card key with this fingerprint has claimed.
    mapping(uint96 keyFingerprint => bool) public claimed;
    /// @notice Number of successful claims.
    uint256 public claimCount;

    event Claimed(address indexed account, uint96 indexed keyFingerprint);
    error AlreadyClaimed(uint96 keyFingerprint);

    constructor(IKycRegistryOperations registry) KycGated(registry, Claims.AUTH | Claims.AGE_20) {}

    /// @notice Claim once per card key; the caller must be verified with AGE_20.
    function claim() external onlyKyc(msg.sender) {
        uint96 fingerprint = IKycRegistryOperations(address(kycRegistry)).keyFingerprintOf(msg.sender);
        if (claimed[fingerprint]) revert AlreadyClaimed(fingerprint);
        claimed[fingerprint] = true;
        ++claimCount;
        emit Claimed(msg.sender, fingerprint);
    }
}
