// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {KycGated} from "../KycGated.sol";
import {IKycRegistry} from "../interfaces/IKycRegistry.sol";

/// @title KycGatedToken — an example ERC-20 that moves only between KYC-verified accounts
/// @notice The owner mints to verified accounts only; every transfer (and burn) needs a verified sender, every
/// transfer a verified recipient. An account whose attestation lapses keeps its balance but cannot move it.
contract KycGatedToken is ERC20, Ownable, KycGated {
    constructor(
        string memory name_,
        string memory symbol_,
        IKycRegistry registry,
        uint32 claims,
        address initialOwner
    ) ERC20(name_, symbol_) Ownable(initialOwner) KycGated(registry, claims) {}

    /// @notice Mint `amount` to `to`, which must be verified.
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }

    /// @notice Burn the caller's tokens (the caller must be verified).
    function burn(uint256 amount) external {
        _burn(msg.sender, amount);
    }

    /// @dev Both ends of every balance change, except the zero address, must be verified.
    function _update(address from, address to, uint256 value) internal virtual override {
        if (from != address(0)) _requireKyc(from);
        if (to != address(0)) _requireKyc(to);
        super._update(from, to, value);
    }
}
