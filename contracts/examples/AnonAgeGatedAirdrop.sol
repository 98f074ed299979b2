// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {KycAnonGated} from "../KycAnonGated.sol";
import {IKycRegistryOperations} from "../interfaces/IKycRegistryOperations.sol";
import {Claims} from "../libraries/Claims.sol";

/// @title AnonAgeGatedAirdrop — an example airdrop for adults (AGE_20), one per person, claimed anonymously
/// @notice An adult who opted in to anonymous proofs proves AGE_20 from any address and names the recipient as the
/// proof's signal: anyone may send the claim (a relayer, a fresh address), and a front-runner who copies it cannot
/// redirect it (another recipient is another signal, and the proof fails). Each person claims once: the nullifier
/// is the same for every proof of one holder in this contract's scope, across wallets and re-bindings of the card.
/// @dev A real airdrop would transfer tokens in `claim`; this example emits `Claimed` (the payout is outside the
/// measured "proof check + nullifier record" cost).
contract AnonAgeGatedAirdrop is KycAnonGated {
    /// @notice An adult claimed for `recipient` (the nullifier is in the claim's input and `anonNullifierUsed`; the
    /// event leaves it out to keep the claim within 250,000 gas).
    event Claimed(address indexed recipient);

    /// @notice The recipient (the proof's signal) is the zero address.
    error InvalidRecipient();

    /// @param registry the KYC registry (protocol v2)
    /// @param maxRootAge the bound on a root's age, seconds
    constructor(
        IKycRegistryOperations registry,
        uint256 maxRootAge
    ) KycAnonGated(registry, Claims.AGE_20, maxRootAge) {}

    /// @notice Pays the recipient the proof is bound to, once per person.
    /// @param proof [A.x, A.y, B.x.im, B.x.re, B.y.im, B.y.re, C.x, C.y]
    /// @param rootRef where the registry holds the root the proof is against (`AnonRootPublished.ref`)
    /// @param nullifierSignal nullifier * 2^160 + recipient
    function claim(uint256[8] calldata proof, uint256 rootRef, uint256 nullifierSignal) external {
        if (uint160(nullifierSignal) == 0) revert InvalidRecipient();
        (, uint160 recipient) = _useAnonProof(proof, rootRef, nullifierSignal);
        emit Claimed(address(recipient));
    }
}
